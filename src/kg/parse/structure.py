"""From lines of a page (plain text, or HTML flattened to lines) to its parts.

A page is: title, "Tactics Used" menu, narrative paragraphs, Key Partners, Key Sources
(headings and citations), footer (State / Type / Population, as lines or as a table).
Both readers (text and HTML) produce `Line`s and share this one structure reader, so the
same page saved either way reads the same.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import tactics as _tactics
from .textutil import STATES, clean_line, fold, state_code


@dataclass
class Line:
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (anchor text, href)
    mark: bool | None = None       # HTML only: the menu row is marked used (True) / unused (False)


@dataclass
class MenuItem:
    label: str                     # as printed
    tactic: str                    # one of the 15 names
    mark: bool | None = None
    table: bool = False


@dataclass
class SourceBlock:
    heading: str | None
    lines: list[Line] = field(default_factory=list)


@dataclass
class Document:
    title: str | None = None
    menu: list[MenuItem] = field(default_factory=list)
    menu_seen: bool = False
    paragraphs: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    partners_seen: bool = False
    sources: list[SourceBlock] = field(default_factory=list)
    sources_seen: bool = False
    footer: dict[str, str] = field(default_factory=dict)
    comments_closed: bool = False
    headings: list[str] = field(default_factory=list)   # tactic-label lines inside the narrative
    heads: dict[int, str] = field(default_factory=dict)  # paragraph index -> the heading above it


TITLE_RE = re.compile(r"^(?P<name>[A-Z][^,|:]{0,80}?),\s*(?P<state>[A-Za-z .]{2,25}?)\.?$")
_SITE_SUFFIX_RE = re.compile(r"\s*[|\u2013\u2014-]\s*(?:the\s+)?demand\s*forum.*$", re.I)
_TACTICS_USED_RE = re.compile(r"^\|?\s*tactics\s+used\s*:?\s*(?:\|\s*)*$", re.I)
_CATEGORIES_RE = re.compile(r"^categories\s*:", re.I)
_TABLE_RULE_RE = re.compile(r"^[|\s:-]+$")
MENU_RUN = 3          # consecutive tactic-label lines make a menu block wherever they stand
LONG_LINE = 200       # a line this long is a paragraph of its own
_PARTNERS_RE = re.compile(r"^key\s+partners?\s*:?$", re.I)
_SOURCES_RE = re.compile(r"^key\s+sources?\s*:?$", re.I)
_COMMENTS_RE = re.compile(r"^comments\s+are\s+closed\.?$", re.I)
_FOOTER_RE = re.compile(r"^\|?\s*(State|Type|Population|Location)\s*(?:\||:|\s)\s*(.*?)\s*\|?\s*$", re.I)
_CHECK_RE = re.compile(r"[\u2713\u2714\u2611\u2705]|\b(?:yes|x)\b", re.I)
_BULLET_RE = re.compile(r"^(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2043*\-\u2013\u2014>]+\s*)+")
KIND_WORDS = {
    "city": "City", "town": "Town", "village": "Village", "borough": "Borough",
    "township": "Township", "county": "County", "parish": "Parish", "hamlet": "Hamlet",
    "census-designated place": "CDP", "census designated place": "CDP", "cdp": "CDP",
    "other": "Other", "consolidated city-county": "City", "city-county": "City",
    "unincorporated community": "Other", "neighborhood": "Other", "region": "Other",
}


def split_title(line: str) -> tuple[str, str] | None:
    """'Norwich, CT' -> ('Norwich', 'CT'); None when the line is not a place title."""
    line = _SITE_SUFFIX_RE.sub("", line).strip()
    if len(line) > 90:
        return None
    m = TITLE_RE.match(line)
    if not m:
        return None
    code = state_code(m.group("state"))
    if not code:
        return None
    name = m.group("name").strip()
    if len(name.split()) > 8:
        return None
    return name, code


def footer_field(text: str) -> tuple[str, str] | None:
    """A footer line ('State Connecticut', 'Population | 6574 |') as (key, value), else None."""
    if len(text) > 70:
        return None
    m = _FOOTER_RE.match(text)
    if not m:
        return None
    key, value = m.group(1).lower(), m.group(2).strip().strip("|").strip()
    if key == "state":
        return (key, value) if state_code(value) else None
    if key == "type":
        return (key, value) if value.lower() in KIND_WORDS else None
    if key == "population":
        return (key, value) if re.fullmatch(r"\d[\d,. ]*", value) else None
    if key == "location":
        return (key, value) if (not value or "|" in text or len(value) < 40) else None
    return None


def menu_item(text: str) -> MenuItem | None:
    """A line of the Tactics Used block: 'Reverse stings' or 'Community Service | ✓ |'."""
    if "|" in text:
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        cells = [c for c in cells if c != ""]
        if not cells:
            return None
        t = _tactics.normalise(cells[0])
        if not t:
            return None
        rest = " ".join(cells[1:])
        return MenuItem(cells[0], t, True if rest and _CHECK_RE.search(rest) else None, table=True)
    label = _BULLET_RE.sub("", text).strip()
    label = re.sub(r"^[\u2713\u2714\u2611\u2705\u2610\u2717\u2718]\s*", "", label)
    t = _tactics.normalise(label) if len(label) < 40 else None
    return MenuItem(label, t) if t else None


def read_structure(lines: list[Line]) -> Document:
    doc = Document()
    i, n = 0, len(lines)
    texts = [clean_line(ln.text) for ln in lines]

    def skip_blank(j: int) -> int:
        while j < n and not texts[j]:
            j += 1
        return j

    i = skip_blank(0)
    # title
    if i < n and split_title(texts[i]):
        doc.title = _SITE_SUFFIX_RE.sub("", texts[i]).strip()
        i = skip_blank(i + 1)
    # the Tactics Used block: recognised by its structure (a run of tactic-label lines, plain or as
    # table rows), whatever precedes it: a "Categories:" line, the heading, a table header, or nothing
    j = i
    while j < n and (not texts[j] or _CATEGORIES_RE.match(texts[j]) or _table_filler(texts[j])):
        j += 1
    if j < n and _TACTICS_USED_RE.match(texts[j]):
        doc.menu_seen = True
        i = _read_menu(doc, lines, texts, j + 1)
    elif _menu_run(texts, j) >= MENU_RUN:
        doc.menu_seen = True
        i = _read_menu(doc, lines, texts, j)

    section = "narrative"
    para: list[str] = []
    current: SourceBlock | None = None

    def flush() -> None:
        if para:
            doc.paragraphs.append(" ".join(para))
            para.clear()

    while i < n:
        t = texts[i]
        if not t:
            flush()
            i += 1
            continue
        if _COMMENTS_RE.match(t):
            doc.comments_closed = True
            flush()
            break
        ff = footer_field(t)
        if ff and (section != "narrative" or ff[0] in ("state", "population") or doc.footer):
            flush()
            section = "footer"
            doc.footer.setdefault(ff[0], ff[1])
            i += 1
            continue
        if section == "footer":
            i += 1
            continue
        if _PARTNERS_RE.match(t):
            flush()
            section, doc.partners_seen = "partners", True
        elif _SOURCES_RE.match(t):
            flush()
            section, doc.sources_seen = "sources", True
            current = None
        elif section == "narrative":
            if not doc.title and not doc.paragraphs and not para and split_title(t):
                doc.title = t  # a title after leading junk
            elif _TACTICS_USED_RE.match(t) or _menu_run(texts, i) >= MENU_RUN:
                # a menu block further down (after leading junk): read it as the menu, never as text
                flush()
                doc.menu_seen = True
                i = _read_menu(doc, lines, texts, i + 1 if _TACTICS_USED_RE.match(t) else i)
                continue
            elif _CATEGORIES_RE.match(t) or _table_filler(t):
                pass
            elif menu_item(t) is not None or _label_heading(t) is not None:
                # one label line between paragraphs ("John School", "Reverse Stings, Identity
                # Disclosure", "Neighborhood Action: 1992 ..."): a section heading of the narrative
                flush()
                doc.headings.append(t)
                doc.heads[len(doc.paragraphs)] = t
                rest = _label_heading(t)
                if rest:
                    para.append(rest)
            else:
                if len(t) > LONG_LINE:
                    flush()  # saved pages put one paragraph on one long line
                para.append(t)
                if len(t) > LONG_LINE:
                    flush()
        elif section == "partners":
            p = _BULLET_RE.sub("", t).strip()
            if p:
                doc.partners.append(p)
        elif section == "sources":
            if t.endswith(":") and len(t) < 160 and not re.search(r"https?://", t):
                current = SourceBlock(t[:-1].strip())
                doc.sources.append(current)
            else:
                if current is None:
                    current = SourceBlock(None)
                    doc.sources.append(current)
                current.lines.append(Line(_BULLET_RE.sub("", t).strip(), lines[i].links))
        i += 1
    flush()
    return doc


def _table_filler(text: str) -> bool:
    """A table rule (`---|---|`), an empty row (`|`) or a header row (`Tactic | Used |`)."""
    if _TABLE_RULE_RE.match(text):
        return True
    if "|" in text and len(text) < 60:
        cells = [c.strip().lower() for c in text.strip().strip("|").split("|") if c.strip()]
        return bool(cells) and all(c in ("tactic", "tactics", "used", "tactics used", "in use", "yes/no")
                                   for c in cells)
    return False


def _menu_run(texts: list[str], j: int) -> int:
    """How many tactic-label lines follow from j (blank lines and table filler skipped)."""
    count = 0
    n = len(texts)
    while j < n:
        t = texts[j]
        if not t or _table_filler(t):
            j += 1
            continue
        if menu_item(t) is None:
            break
        count += 1
        j += 1
    return count


def _read_menu(doc: Document, lines: list[Line], texts: list[str], i: int) -> int:
    n = len(texts)
    while i < n:
        t = texts[i]
        if not t or _table_filler(t):
            i += 1
            continue
        item = menu_item(t)
        if item is None:
            if "|" in t and len(t) < 60 and not footer_field(t):
                i += 1  # another table row that is not a tactic
                continue
            break
        if lines[i].mark is not None:
            item.mark = lines[i].mark
        doc.menu.append(item)
        i += 1
    return i


_LABEL_HEAD_RE = re.compile(r"^([A-Za-z][A-Za-z ,&/-]{2,80}?)\s*:\s*(.*)$")


def _label_heading(text: str) -> str | None:
    """'Reverse Stings, Identity Disclosure' or 'Neighborhood Action: 1992 campaign ...' -> the
    text after the heading ('' when none); None when the line is not a run of tactic labels."""
    m = _LABEL_HEAD_RE.match(text)
    head, rest = (m.group(1), m.group(2)) if m else (text, "")
    parts = [x.strip() for x in re.split(r",|&|/|\band\b", head) if x.strip()]
    if not parts or len(head) > 90 or not all(_tactics.normalise(x) for x in parts):
        return None
    return rest


def heading_tactics(heading: str) -> list[str]:
    """Tactic names a Key Sources heading names ('Reverse Stings, Identity Disclosure')."""
    h = fold(heading).strip().rstrip(":")
    whole = _tactics.normalise(h)
    if whole:
        return [whole]
    out: list[str] = []
    for part in re.split(r",|&|/|;|\band\b|\+", h):
        t = _tactics.normalise(part.strip())
        if t and t not in out:
            out.append(t)
    return out


def list_version(menu: list[MenuItem]) -> str:
    """Which of the six menu forms the block is (the closest, for cut-off blocks)."""
    if not menu:
        return "none"
    labels = [m.label for m in menu]
    names = {m.tactic for m in menu}
    if any(m.table for m in menu):
        return "shaming-12-table"
    if any(fold(lb).strip().lower() == "shaming" for lb in labels):
        return "shaming-13"
    multi = [lb for lb in labels if len(lb.split()) > 1 and lb.split()[1][:1].isalpha()]
    sentence_case = bool(multi) and sum(lb.split()[1][0].islower() for lb in multi) * 2 > len(multi)
    if sentence_case:
        if "Cameras" in names or "Letters" in names:
            return "shaming-13"
        return "old-10" if "Buyer Arrests" in names else "old-9"
    if "Cameras" in names or "Letters" in names:
        return "new-15"
    return "new-13"


def kind_word(value: str) -> str | None:
    return KIND_WORDS.get(value.strip().lower())


__all__ = ["Line", "Document", "MenuItem", "SourceBlock", "read_structure", "split_title",
           "heading_tactics", "list_version", "kind_word", "STATES", "footer_field"]
