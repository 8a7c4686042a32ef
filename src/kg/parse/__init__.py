"""The page parser: Demand Forum profile pages (plain text or saved HTML) to `Profile`s.

    parse_file(path)              -> list[Profile]   (.txt, .html/.htm, or records via kg.records)
    parse_bytes(data, filename=)  -> Profile

Reading follows the evidence rule of tactics.md: the "Tactics Used" block is kept as
`listed_tactics` (what the page lists) and never makes a tactic claim; claims come from Key
Sources headings, narrative sentences that describe a tactic without negating it, and (in
HTML) menu marks that really distinguish used from unused tactics.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnreadableError
from ..model import (EVIDENCE_HTML_MARK, EVIDENCE_KEY_SOURCES, EVIDENCE_NARRATIVE, Profile,
                     Source, TacticClaim)
from ..records import RECORD_SUFFIXES, SLUG_RE, load_records
from . import evidence
from .operations import FULL_DATE, MONTH_YEAR, _month, build_operations, combine, narrative_claims
from .structure import (Document, Line, heading_tactics, kind_word, list_version,
                        read_structure, split_title)
from .textutil import Undecodable, decode, fold, sentences, slugify, state_code, to_int

__all__ = ["parse_file", "parse_bytes", "parse_text", "parse_html"]

SITE = "https://demand-forum.org/site/{slug}/"
KEY_SOURCES_CONFIDENCE = 0.95   # a Key Sources heading names the tactic
HEADING_CONFIDENCE = 0.7        # a tactic-label heading stands above a narrative paragraph
HTML_MARK_CONFIDENCE = 0.9      # the saved HTML marks the menu row as used (and not every row)
PAGE_SUFFIXES = (".txt", ".html", ".htm")


def parse_file(path: Path) -> list[Profile]:
    """Profiles in one file. Raises UnreadableError only when the input is unusable."""
    path = Path(path)
    if path.suffix.lower() in RECORD_SUFFIXES:
        return load_records(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableError(str(path), None, None, f"cannot read file: {e.strerror or e}") from e
    return [parse_bytes(data, filename=str(path))]


def parse_bytes(data: bytes, *, filename: str) -> Profile:
    """One page from its bytes; the form (text or HTML) is sniffed from content and name."""
    warnings: list[str] = []
    if not data or not data.strip():
        raise UnreadableError(filename, None, None, "empty file: no profile content")
    try:
        text = decode(data, warnings)
    except Undecodable as e:
        raise UnreadableError(filename, None, None, str(e)) from e
    suffix = Path(filename).suffix.lower()
    if _looks_html(text, suffix):
        return parse_html(text, filename=filename, warnings=warnings)
    return parse_text(text, filename=filename, warnings=warnings)


def _looks_html(text: str, suffix: str) -> bool:
    head = text[:2048].lower()
    tags = len(re.findall(r"<(?:p|div|li|h1|h2|br|table|a|span|body|html)\b", text[:20000], re.I))
    if suffix in (".html", ".htm"):
        return "<" in text[:20000] and tags > 0 or "<!doctype" in head or "<html" in head
    return "<!doctype html" in head or "<html" in head or tags >= 3


def parse_text(text: str, *, filename: str, warnings: list[str] | None = None) -> Profile:
    lines = [Line(ln) for ln in text.splitlines()]
    doc = read_structure(lines)
    return _profile(doc, filename=filename, form="text", url=None, warnings=list(warnings or []), source_text=text)


def parse_html(text: str, *, filename: str, warnings: list[str] | None = None) -> Profile:
    from .html import read_html

    page = read_html(text)
    doc = read_structure(page.lines)
    if not doc.title and page.title and split_title(page.title):
        doc.title = re.sub(r"\s*[|\u2013\u2014-]\s*(?:the\s+)?demand\s*forum.*$", "", page.title, flags=re.I)
    return _profile(doc, filename=filename, form="html", url=page.url,
                    warnings=list(warnings or []))


# ---------------------------------------------------------------------------------------

def _profile(doc: Document, *, filename: str, form: str, url: str | None,
             warnings: list[str], source_text: str = "") -> Profile:
    stem = Path(filename).stem.lower() if filename else ""
    stem_ok = bool(stem) and bool(SLUG_RE.match(stem))
    name, state = "", None
    if doc.title:
        name, state = split_title(doc.title) or ("", None)
    url_slug = None
    if url:
        m = re.search(r"/site/([a-z0-9-]+)/?", url)
        url_slug = m.group(1) if m else None
    slug = url_slug if (url_slug and not stem_ok) else (stem if stem_ok else None)
    if not name:
        if not (doc.paragraphs or doc.menu or doc.footer or doc.sources):
            raise UnreadableError(filename, None, None,
                                  "no profile content (no title, tactics, narrative or footer)")
        fragment = Path(filename).suffix.lower() in ("", ".txt", ".text", ".html", ".htm") and \
            not (form == "text" and _MARKUP_RE.search(source_text)) and _about_demand(doc.paragraphs)
        if not (doc.menu_seen or doc.footer or doc.comments_closed or fragment):
            # a README, a CSV, a blog post: reading it as a profile would "find" tactics in it
            raise UnreadableError(filename, None, None,
                                  "not a profile page: no title line 'Place, ST', no Tactics Used block, no State/Type/"
                                  "Population footer, and no narrative of a profile (prose about buyers, stings or "
                                  "prostitution, without Markdown, code or table lines)")
        guess = _name_from_slug(slug or "")
        if guess:
            name, state = guess
            warnings.append(f"no title; name and state taken from the file name {slug!r}")
        else:
            warnings.append("no title; name and state unknown")
        if doc.footer.get("state") and state_code(doc.footer["state"]):
            fstate = state_code(doc.footer["state"])
            if state != fstate:
                state = fstate
    title_slug = slugify(f"{name} {state}") if name and state else ""
    if not slug:
        slug = title_slug or (slugify(name) if name else "") or "unknown"
        if not doc.title:
            pass
    elif doc.title and title_slug and not (slug == title_slug or (slug.startswith(title_slug + "-")
                                                                  and slug[len(title_slug) + 1:].isdigit())):
        warnings.append(f"slug {slug!r} disagrees with the title {doc.title!r}; kept the title's name and state")
    if doc.footer.get("state") and state and state_code(doc.footer["state"]) not in (None, state):
        warnings.append(f"footer state {doc.footer['state']!r} disagrees with the title state {state}; kept the title")
    if not url:
        url = SITE.format(slug=slug)
        if form != "record":
            warnings.append(f"url inferred from file name: {url}")

    p = Profile(slug=slug, name=name, state=state, file=filename, record=slug, input_form=form, url=url)
    p.warnings = warnings

    # menu (never evidence)
    for item in doc.menu:
        if item.tactic not in p.listed_tactics:
            p.listed_tactics.append(item.tactic)
    p.list_version = list_version(doc.menu)
    if not doc.menu_seen:
        p.warnings.append("no Tactics Used block")

    # footer
    if "population" in doc.footer:
        v = re.sub(r"[^\d]", "", doc.footer["population"])
        p.population = int(v) if v else None
    # A kind word in the title ("St. Clair Parish") wins: the footer's Type is the site's coarse
    # category (a parish shows "Type County"), and the data's README reads kind "as titled".
    p.kind = _title_kind(name)
    if p.kind is None and "type" in doc.footer:
        p.kind = kind_word(doc.footer["type"])

    # narrative facts
    p.population_narrative = _narrative_population(doc.paragraphs)
    if p.kind is None:
        p.kind = _kind(name, doc.paragraphs)

    heads = {i: heading_tactics(h) for i, h in doc.heads.items()}
    cut_off = not doc.footer and not doc.comments_closed
    ops, infos, agencies, events = build_operations(doc.paragraphs, sentences, name, heads, p.kind, cut_off)
    # by date; within a year the most precise date first ("1988-06" before "1988")
    p.operations = sorted(ops, key=lambda o: (o.start is None, (o.start or "")[:4], -len(o.start or "")))

    claims: dict[str, TacticClaim] = {}
    confidences: dict[str, list[float]] = {}

    def claim(t: str, kind: str, conf: float) -> TacticClaim:
        if t not in claims:
            claims[t] = TacticClaim(t)
        c = claims[t]
        if kind not in c.evidence:
            c.evidence.append(kind)
        confidences.setdefault(t, []).append(conf)
        return c

    support, neg, stopped = narrative_claims(infos, events, name, p.kind, agencies.elsewhere)
    for t, passages in support.items():
        for sp in passages:
            c = claim(t, EVIDENCE_NARRATIVE, sp.confidence)
            if sp.quote not in c.quotes:
                c.quotes.append(sp.quote)
    # a tactic label heading inside the narrative ("John School", "Neighborhood Action: 1992 ...")
    for h in doc.headings:
        for t in heading_tactics(re.split(r":", h, 1)[0]):
            if t in neg:
                continue  # "Public Education" over "The city has not launched an awareness campaign": a topic, not a use
            c = claim(t, EVIDENCE_NARRATIVE, HEADING_CONFIDENCE)
            if h not in c.headings:
                c.headings.append(h)

    # Key Sources
    for block in doc.sources:
        ts = heading_tactics(block.heading) if block.heading else []
        for t in ts:
            c = claim(t, EVIDENCE_KEY_SOURCES, KEY_SOURCES_CONFIDENCE)
            if block.heading not in c.headings:
                c.headings.append(block.heading)
        for ln in block.lines:
            p.sources.append(_source(block.heading, ln))

    # HTML marks, only where they tell used from unused
    if form == "html" and doc.menu:
        marks = [m.mark for m in doc.menu]
        if any(m is True for m in marks) and not all(m is True for m in marks):
            for item in doc.menu:
                if item.mark is True and item.tactic in neg and item.tactic not in claims:
                    # the page's own words ("rejected a proposal for a john school") outweigh its mark
                    p.warnings.append(f"{item.tactic} is marked in Tactics Used but the narrative says it was not done")
                elif item.mark is True:
                    claim(item.tactic, EVIDENCE_HTML_MARK, HTML_MARK_CONFIDENCE)
        elif marks and all(m is True for m in marks) and len(marks) > 3:
            p.warnings.append("every Tactics Used row is marked; the marks are not evidence")

    for t in stopped:  # the page says the practice was stopped: no claim of use (kept as negated)
        claims.pop(t, None)
    for t, c in claims.items():
        c.confidence = combine(confidences[t])
    p.tactics = list(claims.values())
    p.negated_tactics = [t for t in neg if t not in claims]
    p.partners = list(dict.fromkeys(doc.partners))

    # cut-off pages and other oddities
    if not doc.footer and not doc.comments_closed:
        p.warnings.append("page ends before the footer (cut off?)")
    elif not doc.footer:
        p.warnings.append("no footer")
    if doc.paragraphs:
        last = doc.paragraphs[-1].rstrip()
        if not (doc.sources_seen or doc.partners_seen or doc.footer) and not re.search(r"[.!?\"'\u201d)]$", last):
            p.warnings.append("narrative cut off mid-sentence")
    else:
        p.warnings.append("no narrative")
    return p


# Markdown, code or tables: a README or a data file, not a page saved from the site
_MARKUP_RE = re.compile(r"^(?:#{1,6}\s|```|\s*\|.*\|\s*$|\s*[-*]\s+`)|`[^`\n]+`|^\s*\w+(?:,[^,\n]*){3,}$", re.M)
_DEMAND_WORDS = re.compile(r"\b(?:prostitut\w*|sex buyers?|johns?|reverse stings?|solicit\w*|commercial sex|sex trafficking)\b", re.I)


def _about_demand(paragraphs: list[str]) -> bool:
    """A narrative fragment of a profile speaks of prostitution, buyers or stings."""
    return any(_DEMAND_WORDS.search(p) for p in paragraphs[:5])


def _name_from_slug(slug: str) -> tuple[str, str | None] | None:
    m = re.fullmatch(r"([a-z0-9-]+?)-([a-z]{2})(?:-\d+)?", slug)
    if not m or not state_code(m.group(2).upper()):
        return None
    return " ".join(w.capitalize() for w in m.group(1).split("-")), m.group(2).upper()


_POP_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s*million|\d{3,})"
_POP_QUAL = r"(?:(?:approximately|about|roughly|nearly|around|some|over|more than|almost|just over|just under|an estimated|estimated|close to|under|less than)\s+)?"
POP_RES = [
    re.compile(r"\bpopulation\s+(?:of\s+|is\s+|was\s+|at\s+|numbers\s+|totals?\s+)" + _POP_QUAL + _POP_NUM, re.I),
    re.compile(_POP_QUAL + _POP_NUM + r"\s+(?:residents|people|inhabitants|citizens|persons)\b", re.I),
]


def _narrative_population(paragraphs: list[str]) -> int | None:
    for para in paragraphs[:3]:
        f = fold(para)
        best = None
        for rx in POP_RES:
            m = rx.search(f)
            if m and (best is None or m.start() < best.start()):
                best = m
        if best:
            v = best.group(1).lower()
            if "million" in v:
                return int(round(float(re.sub(r"[^\d.]", "", v)) * 1_000_000))
            return int(v.replace(",", ""))
    return None


_KIND_RE = re.compile(r"\bis\s+(?:a|an)\s+(?:[\w,-]+\s+){0,4}?(city|town|village|borough|township|hamlet|county|parish|"
                      r"census[- ]designated place)\b", re.I)


def _title_kind(name: str) -> str | None:
    n = (name or "").lower()
    for word, kind in (("county", "County"), ("parish", "Parish"), ("township", "Township"),
                       ("borough", "Borough"), ("village", "Village")):
        if n.endswith(" " + word):
            return kind
    if n.startswith("city of "):
        return "City"
    if n.startswith("town of "):
        return "Town"
    return None


_KIND_OF_RE = re.compile(r"\b(?:a|an)\s+(city|town|village|borough|township|hamlet|county|parish)\s+of\s+"
                         r"(?:about\s+|approximately\s+|roughly\s+|nearly\s+|around\s+|some\s+|over\s+|more than\s+|almost\s+)?\d", re.I)


def _kind(name: str, paragraphs: list[str]) -> str | None:
    tk = _title_kind(name)
    if tk:
        return tk
    for para in paragraphs[:2]:
        m = _KIND_RE.search(fold(para)[:600]) or _KIND_OF_RE.search(fold(para)[:600])
        if m:
            return kind_word(m.group(1).replace("-", " ").replace("census designated place", "census-designated place")) \
                or ("CDP" if "census" in m.group(1).lower() else None)
    return None


_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{3,300}?)[,.]?[\"\u201d]")
_URL = re.compile(r"https?://[^\s)\]>\"']+")


def _source(heading: str | None, line: Line) -> Source:
    text = line.text.strip()
    f = fold(text)
    url = None
    for _, href in line.links:
        if href.startswith("http"):
            url = href
            break
    if url is None:
        m = _URL.search(text)
        url = m.group(0).rstrip(".,;") if m else None
    date = None
    m = FULL_DATE.search(f)
    if m:
        date = f"{m.group(3)}-{_month(m.group(1)):02d}-{int(m.group(2)):02d}"
    else:
        m = MONTH_YEAR.search(f)
        if m:
            date = f"{m.group(2)}-{_month(m.group(1)):02d}"
        else:
            ys = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", _URL.sub(" ", f))
            date = ys[-1] if ys else None
    year = int(date[:4]) if date else None
    title = publication = None
    q = _QUOTED.search(text)
    if q:
        title = q.group(1).strip().rstrip(",.")
        pub = text[:q.start()].strip().rstrip(",.:;-\u2013\u2014 ")
        publication = pub or None
    else:
        bare = _URL.sub("", text).strip()
        bare = re.sub(r"\(\s*(?:19|20)\d\d\s*\)\.?$", "", bare).strip().rstrip(",.;:-\u2013 ")
        if bare and not bare.lower().startswith("http"):
            anchor = next((t for t, h in line.links if t and not t.startswith("http")), None)
            title = re.sub(r"\(\s*(?:19|20)\d\d\s*\)\.?$", "", anchor or bare).strip().rstrip(",.;:-\u2013 ") or None
    return Source(heading=heading, citation=text, url=url, year=year, date=date,
                  publication=publication, title=title)


# re-exported for users who only need the number reader
number = to_int
