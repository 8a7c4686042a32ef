"""Narrative facts: dates, arrest counts, agencies, and the operations they make up.

Dates, counts and agency names are read by rules over the sentence (month names, number
words, the usual agency suffixes); they run in microseconds, which matters for thousands of
pages (dateparser and number-parser are far slower and guess on fragments such as "May").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Operation
from . import evidence
from .textutil import NUMBER_RE, fold, to_int

F = re.I
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_MONTH_ALT = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
              "sept": 9, "oct": 10, "nov": 11, "dec": 12}
MONTH_RE = (r"(?:" + "|".join(_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
YEAR_RE = r"(?:19[5-9]\d|20[0-3]\d)"
_NOT_YEAR_AFTER = (r"(?!\s*(?:residents|people|men|women|johns|buyers|arrests|officers|cameras|"
                   r"calls|cases|persons|inhabitants|dollars|hours|block|acres|feet|miles|-year|"
                   r"\d|,\d{3}|%|\.\d))")
_NOT_YEAR_BEFORE = r"(?<![\d$#,.\-/])(?<!route )(?<!highway )(?<!interstate )(?<!no\. )(?<!room )(?<!suite )"

FULL_DATE = re.compile(r"\b(" + MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(" + YEAR_RE + r")\b", F)
DMY_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + MONTH_RE + r")\.?,?\s+(" + YEAR_RE + r")\b", F)
NUM_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(" + YEAR_RE + r")(?![\d/])")
MONTH_YEAR = re.compile(r"\b(" + MONTH_RE + r")\.?,?\s+(?:of\s+)?(" + YEAR_RE + r")\b", F)
YEAR_ONLY = re.compile(_NOT_YEAR_BEFORE + r"\b(" + YEAR_RE + r")(s)?\b" + _NOT_YEAR_AFTER, F)
SINCE = re.compile(r"\b(?:since|ever since|as early as)\s+(?:at\s+least\s+|about\s+|around\s+|circa\s+|the\s+)?"
                   r"(?:(?:early|late|mid)[- ]?\s*)?(?:(" + MONTH_RE + r")\.?\s+(?:\d{1,2},?\s+)?)?(" + YEAR_RE + r")(s)?\b", F)
RANGE = re.compile(r"\b(?:from|between)\s+(?:" + MONTH_RE + r"\s+)?(" + YEAR_RE + r")\s+(?:to|and|through|until|till)\s+"
                   r"(?:" + MONTH_RE + r"\s+)?(" + YEAR_RE + r")\b|\b(" + YEAR_RE + r")\s*[-\u2013]\s*(" + YEAR_RE + r"|\d\d)\b", F)
RELATIVE = re.compile(
    r"\b(?:(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
    r"eighteen|twenty-four|\d{1,2}|several|a few)\s+(years?|months?)\s+later|"
    r"(?:the\s+)?(following|next|subsequent)\s+(year|month|spring|summer|fall|autumn|winter)|"
    r"later\s+(?:that|the same|in the same)\s+(year|month)|(?:that|the)\s+(?:same\s+)?(year|month)(?!\s+(?:old|of))|"
    r"(?:that|the following|the next|later that|later in)\s+(" + MONTH_RE + r"))\b", F)
ONGOING = re.compile(r"\b(?:periodic(?:ally)?|regular(?:ly)?|routine(?:ly)?|ongoing|continu\w+|"
                     r"every (?:year|month|few)|annual(?:ly)?|each year|times (?:a|per|each) year)\b", F)
FUTURE_DATE = re.compile(r"\bby\s+(?:the\s+end\s+of\s+)?(?:" + MONTH_RE + r"\s+)?" + YEAR_RE, F)

QUAL = (r"(?:over|more than|at least|nearly|almost|about|approximately|roughly|around|some|up to|"
        r"as many as|upwards of|in excess of|fewer than|less than|under|an estimated|estimated|close to|"
        r"dozens of|hundreds of|scores of)")
PEOPLE = (r"(?:(?:male|alleged|suspected|would-be|potential|prospective|adult|more|other|additional|"
          r"different|local|area|out-of-town|accused)\s+){0,2}(?:sex\s+)?"
          r"(?:men|man|johns?|buyers?|customers?|clients?|patrons?|individuals?|people|persons?|suspects?|"
          r"males?|motorists?|drivers?|solicitors?|offenders?|defendants?|subjects?|purchasers?)\b")
ARREST = (r"(?:arrest\w*|charg\w*|cited|citations?|apprehend\w*|detain\w*|booked|caught|nabbed|"
          r"taken into custody|intercepted|netted|snared|busted|rounded up|picked up|jailed|indicted|"
          r"processed|ticketed|summons\w*|issued (?:a )?(?:summons|citations?))")
_N = r"(" + NUMBER_RE + r")"
_ARREST_QUICK = re.compile(r"arrest|charg|cited|citation|apprehend|detain|booked|caught|nabbed|custody|"
                           r"intercept|netted|snared|busted|rounded|picked up|jailed|indicted|processed|"
                           r"ticketed|summons", F)
COUNT_PATTERNS = [
    re.compile(r"(?:(" + QUAL + r")\s+)?(?:a total of\s+|total of\s+)?" + _N + r"\s+" + PEOPLE +
               r"[^.;]{0,60}?\b(?:were|was|had been|have been|being|got|are)?\s*" + ARREST, F),
    re.compile(ARREST + r"\s+(?:of\s+)?(?:a total of\s+)?(?:(" + QUAL + r")\s+)?" + _N + r"\s+" + PEOPLE, F),
    re.compile(r"(?:(" + QUAL + r")\s+)?" + _N + r"\s+(?:total\s+)?arrests\b", F),
    re.compile(r"(?:(" + QUAL + r")\s+)?" + _N + r"\s+(?:were|had been|have been)\s+" + ARREST, F),
    re.compile(ARREST + r"\s+()(?:a|an|one)\s+(?:\d+-year-old\s+)?(?:man|john|buyer|suspect|customer)\b", F),
    re.compile(r"\b(?:()a|an|one)\s+(?:\d+-year-old\s+|local\s+|\w+\s+)?(?:man|john|buyer|suspect|customer)\s+"
               r"(?:\w+\s+){0,6}?(?:was|were)\s+" + ARREST, F),
]

AGENCY_SUFFIX = (r"(?:Police Department|Police Dept\.?|Police Bureau|Bureau of Police|Division of Police|"
                 r"Department of Police|Sheriff'?s'? Office|Sheriff'?s'? Department|Sheriff'?s'? Dept\.?|"
                 r"District Attorney'?s'? Office|State'?s'? Attorney'?s'? Office|Prosecutor'?s'? Office|"
                 r"Attorney'?s'? Office|Task Force|Department of Public Safety|Public Safety Department|"
                 r"Highway Patrol|State Patrol|State Police|Police|Constabulary|Marshal'?s'? Office|"
                 r"Vice Unit|Vice Squad|Police Force|Law Enforcement Agency|Bureau of Investigation|"
                 r"Bureau of Narcotics|Department of Justice|Bureau of Criminal Apprehension|Marshals Service)")
AGENCY_RE = re.compile(r"((?:[A-Z][\w.'&-]*\s+){1,6}?)" + AGENCY_SUFFIX + r"(?:\s*\(([A-Z][A-Za-z&]{1,7})\))?")
_STOP = {"in", "on", "at", "by", "after", "since", "when", "during", "the", "a", "an", "and", "as",
         "with", "from", "for", "to", "of", "officers", "detectives", "deputies", "local", "then",
         "also", "both", "while", "under", "between", "per", "its", "his", "her", "their", "this",
         "that", "these", "those", "but", "or", "if", "once", "before", "until", "meanwhile",
         "additionally", "later", "finally", "still", "today", "currently", "there", "here"}
OP_WORD = re.compile(r"\b(?:second|third|another|similar|follow-up|repeat)\s+(?:\w+\s+)?(?:operations?|stings?|crackdowns?|sweeps?|details?)\b|"
                     r"\b(?:operations?|stings?|crackdowns?|sweeps?)\s+(?:was|were)\s+(?:repeated|held again)\b|"
                     r"\b(?:these|those|such|the same)\s+(?:\w+\s+)?(?:operations|stings|sweeps)\b", F)
GENERIC_OP = re.compile(r"\b(?:operations?|crackdowns?|sweeps?|details?|stings?)\b", F)
_STING_TACTICS = ("Reverse Stings", "Web Stings", "Buyer Arrests")
GENERIC_AGENT = re.compile(r"\b(?:police|officers?|detectives?|deputies|department|investigators?|"
                           r"vice|troopers?|agents?|authorities|law enforcement|sheriff)\b", F)


@dataclass
class Agencies:
    names: list[str] = field(default_factory=list)
    abbrev: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, abbr: str | None) -> None:
        if name not in self.names:
            self.names.append(name)
        if abbr:
            self.abbrev[abbr] = name
        initials = "".join(w[0] for w in re.findall(r"[A-Za-z][\w']*", name)
                           if w.lower() not in ("of", "the", "and", "s"))
        initials = initials.upper()
        if len(initials) >= 2:
            self.abbrev.setdefault(initials, name)

    def in_sentence(self, s: str) -> list[str]:
        """Agencies named in a sentence, full or abbreviated, in order of appearance."""
        found: list[tuple[int, str]] = []
        # "Quinton police officers", "Kellerton detectives": a named police force by its place
        for name in self.names:
            m = re.match(r"(.+?)\s+(?:Police|Sheriff)", name)
            if not m or m.group(1).lower() in ("state", "the"):
                continue
            word = "police|officers|detectives|vice" if "Police" in name else "sheriff|deputies"
            for hit in re.finditer(r"\b" + re.escape(m.group(1)) + r"(?:'s)?\s+(?:" + word + r")\b", s):
                if not s[hit.end():].lstrip().startswith(("Department", "Dept", "Bureau", "Office")):
                    found.append((hit.start(), name))
        for m in AGENCY_RE.finditer(s):
            name = _agency_name(m)
            if name:
                found.append((m.start(), name))
        for m in re.finditer(r"\b([A-Z][A-Za-z&]{1,7})\b", s):
            if m.group(1) in self.abbrev and m.group(1).isupper():
                found.append((m.start(), self.abbrev[m.group(1)]))
        found.sort()
        out: list[str] = []
        for _, n in found:
            if n not in out:
                out.append(n)
        return out


def _agency_name(m: re.Match[str]) -> str | None:
    words = m.group(1).split()
    while words and words[0].lower().strip(",") in _STOP:
        words = words[1:]
    keep: list[str] = []
    for w in reversed(words):
        if w.lower() in _STOP or w.endswith(","):
            break
        keep.insert(0, w)
    suffix = m.group(0)[len(m.group(1)):]
    suffix = re.sub(r"\s*\([A-Za-z&]+\)$", "", suffix)
    if not keep:
        return None
    return " ".join(keep + [suffix]).replace("\u2019", "'")


def read_agencies(paragraphs: list[str]) -> Agencies:
    ag = Agencies()
    for p in paragraphs:
        for m in AGENCY_RE.finditer(fold(p)):
            name = _agency_name(m)
            if name:
                ag.add(name, m.group(2))
    return ag


# --- dates ------------------------------------------------------------------------------

def _month(word: str) -> int:
    w = word.lower().rstrip(".")
    return _MONTHS.index(w) + 1 if w in _MONTHS else _MONTH_ALT.get(w, 0)


@dataclass
class DateInfo:
    start: str | None = None
    end: str | None = None
    since: bool = False
    relative: bool = False
    pos: int = 0


def _ymd(y: str, m: int | None = None, d: int | None = None) -> str:
    if m and d and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y}-{m:02d}-{d:02d}"
    if m and 1 <= m <= 12:
        return f"{y}-{m:02d}"
    return y


def find_date(s: str, anchor: str | None) -> DateInfo | None:
    """The first date a sentence gives (explicit, 'since', range or relative to anchor)."""
    cands: list[DateInfo] = []
    future = [m.span() for m in FUTURE_DATE.finditer(s)]

    def ok(pos: int) -> bool:
        return not any(a <= pos < b for a, b in future)

    m = SINCE.search(s)
    if m and ok(m.start()):
        mon = _month(m.group(1)) if m.group(1) else None
        cands.append(DateInfo(_ymd(m.group(2), mon), since=True, pos=m.start()))
    m = RANGE.search(s)
    if m and ok(m.start()):
        if m.group(1):
            a, b = m.group(1), m.group(2)
        else:
            a, b = m.group(3), m.group(4)
            if len(b) == 2:
                b = a[:2] + b
        if a <= b:
            cands.append(DateInfo(a, b, pos=m.start()))
    for rx, kind in ((FULL_DATE, "mdy"), (DMY_DATE, "dmy"), (NUM_DATE, "num"), (MONTH_YEAR, "my")):
        for m in rx.finditer(s):
            if not ok(m.start()):
                continue
            if kind == "mdy":
                v = _ymd(m.group(3), _month(m.group(1)), int(m.group(2)))
            elif kind == "dmy":
                v = _ymd(m.group(3), _month(m.group(2)), int(m.group(1)))
            elif kind == "num":
                v = _ymd(m.group(3), int(m.group(1)), int(m.group(2)))
            else:
                if m.group(1).lower() == "may" and not re.search(r"\bin\s+$|\bof\s+$|\bby\s+$|\bsince\s+$|\bon\s+$|\bearly\s+$|\blate\s+$|\bmid-?\s*$", s[:m.start()], F):
                    # "may 2016" without a preposition is probably the verb "may"
                    if m.group(0)[0].islower():
                        continue
                v = _ymd(m.group(2), _month(m.group(1)))
            cands.append(DateInfo(v, pos=m.start()))
            break
    for m in YEAR_ONLY.finditer(s):
        if ok(m.start()):
            cands.append(DateInfo(m.group(1), pos=m.start()))
            break
    m = RELATIVE.search(s)
    if m and anchor and ok(m.start()):
        cands.append(DateInfo(_relative(m, anchor), relative=True, pos=m.start()))
    if not cands:
        return None
    explicit = [c for c in cands if not c.relative]
    best = min(explicit or cands, key=lambda d: (d.pos, -len(d.start or "")))
    # a more precise explicit date at the same place wins ("June 2012" over "2012")
    for c in cands:
        if c is not best and not c.relative and c.start and best.start and c.start.startswith(best.start) \
                and len(c.start) > len(best.start) and abs(c.pos - best.pos) < 25:
            c.since = best.since or c.since
            best = c
    return best


def _relative(m: re.Match[str], anchor: str) -> str:
    y = int(anchor[:4])
    mon = int(anchor[5:7]) if len(anchor) >= 7 else None
    if m.group(1):
        n = to_int(m.group(1)) if m.group(1).lower() not in ("a", "an", "several", "a few") else 1
        n = n or 1
        unit = m.group(2).lower()
        if unit.startswith("year"):
            return str(y + n)
        if mon:
            total = y * 12 + (mon - 1) + n
            return f"{total // 12}-{total % 12 + 1:02d}"
        return str(y + n // 12)
    if m.group(3):
        unit = m.group(4).lower()
        if unit == "month" and mon:
            total = y * 12 + mon
            return f"{total // 12}-{total % 12 + 1:02d}"
        if unit == "year":
            return str(y + 1)
        return str(y + 1) if unit in ("spring", "summer") and mon and mon > 6 else str(y if unit != "year" else y + 1)
    if m.group(7):
        mo = _month(m.group(7))
        nxt = re.match(r"the (?:following|next)", m.group(0), F)
        return f"{y + 1 if (nxt and mon and mo <= mon) else y}-{mo:02d}"
    unit = (m.group(5) or m.group(6) or "year").lower()
    return anchor[:7] if unit == "month" and mon else str(y)


# --- counts -----------------------------------------------------------------------------

@dataclass
class Count:
    value: int | None     # None: a count was given but is not exact ("over 20 men")
    pos: int


def find_count(s: str) -> Count | None:
    """Buyers arrested in a sentence ('arrested seven men', 'a total of 4 johns were arrested')."""
    best: Count | None = None
    if not _ARREST_QUICK.search(s):
        return None
    for rx in COUNT_PATTERNS:
        m = rx.search(s)
        if not m:
            continue
        qual = m.group(1)
        num = m.group(2) if rx.groups >= 2 else None
        if rx in (COUNT_PATTERNS[4], COUNT_PATTERNS[5]):
            val: int | None = 1
        else:
            val = to_int(num) if num else None
            if val is not None and (val > 5000 or (1950 <= val <= 2035 and num.isdigit())):
                continue
        if qual or re.search(r"(?:dozens|hundreds|scores)\s+of\s+$", s[:m.start(2) if num else m.start()], F):
            val = None
        c = Count(val, m.start())
        if best is None or c.pos < best.pos:
            best = c
    return best


# --- operations -------------------------------------------------------------------------

@dataclass
class SentenceInfo:
    text: str           # as on the page
    para: int
    mentions: list[evidence.Mention]
    date: DateInfo | None
    count: Count | None
    agencies: list[str]
    generic_agent: bool


def _home(agencies: Agencies, place: str | None) -> str | None:
    """The place's own agency (its name starts with the place name), or the page's only agency."""
    if place:
        base = re.sub(r"\s+(?:county|parish|township|borough|village|town|city)$", "", place.lower())
        for n in agencies.names:
            if n.lower().startswith(base):
                return n
    return agencies.names[0] if len(agencies.names) == 1 else None


def build_operations(paragraphs: list[str], split, place: str | None = None
                     ) -> tuple[list[Operation], list[SentenceInfo], Agencies]:
    """Operations from the narrative: one per dated (or counted) action, with its tactics."""
    agencies = read_agencies(paragraphs)
    home = _home(agencies, place)
    infos: list[SentenceInfo] = []
    anchor: str | None = None
    for pi, para in enumerate(paragraphs):
        for sent in split(para):
            f = fold(sent)
            if len(f) > 3000:  # runaway "sentence" (no punctuation): read its start only
                f = f[:3000]
            d = find_date(f, anchor)
            if d and d.start and not d.relative:
                anchor = d.start
            elif d and d.relative:
                anchor = d.start
            infos.append(SentenceInfo(sent, pi, evidence.mentions(f), d, find_count(f),
                                      agencies.in_sentence(f), bool(GENERIC_AGENT.search(f))))

    ops: list[Operation] = []
    cur: Operation | None = None
    cur_para = -1
    last_agency: str | None = None
    for info in infos:
        pos = evidence.positive(info.mentions)
        has_future_only = not pos and any(m.future for m in info.mentions)
        if info.agencies:
            agency_here = info.agencies[0]
        else:
            agency_here = None
        dated = info.date is not None and info.date.start is not None
        stingy = [t for t in pos if t in _STING_TACTICS]
        if dated and not stingy and not has_future_only and ops:
            ft = fold(info.text)
            if OP_WORD.search(ft) or (not pos and info.count) or (GENERIC_OP.search(ft) and info.count):
                # "a second operation netted ...": the same kind of action as the last one
                prev = [t for t in ops[-1].tactics if t in _STING_TACTICS]
                pos = (prev or ([] if pos else ops[-1].tactics[:1])) + [t for t in pos if t not in prev]
        if dated and (pos or (info.count and info.count.value)) and not has_future_only:
            same = (cur is not None and cur.start == info.date.start and cur_para == info.para
                    and not info.date.since and not cur.since
                    and (not pos or bool(set(pos) & set(cur.tactics))))
            if same:
                _merge(cur, pos, info)
            else:
                cur = Operation(tactics=list(pos), start=info.date.start, end=info.date.end,
                                since=info.date.since or bool(ONGOING.search(fold(info.text)) and not info.count
                                                              and len(info.date.start) == 4 and not info.date.end),
                                arrests=info.count.value if info.count else None,
                                agency=agency_here or _inherited(last_agency, home),
                                text=info.text, text_is_quote=True)
                ops.append(cur)
                cur_para = info.para
        elif cur is not None and cur_para == info.para and not dated and not _general(info.text) \
                and (pos or (info.count and info.count.value is not None)):
            _merge(cur, pos, info)
            if cur.agency is None and agency_here:
                cur.agency = agency_here
        elif dated and not pos and not info.count and not has_future_only and not info.date.since \
                and OPENER.search(fold(info.text)):
            # "In 2013, police and prosecutors conducted a joint operation at two motels." - the
            # following sentences say what it was
            cur = Operation(tactics=[], start=info.date.start, end=info.date.end, since=False, arrests=None,
                            agency=agency_here or _inherited(last_agency, home), text=info.text, text_is_quote=True)
            ops.append(cur)
            cur_para = info.para
        elif dated and not pos and not info.count:
            # a new dated sentence about something else closes the current operation
            cur = None
        if agency_here:
            # the home agency, if the sentence names it among others, stays the one to inherit
            last_agency = home if home in info.agencies else info.agencies[-1]
    ops = [o for o in ops if o.tactics or o.arrests]
    # tactics the narrative shows in use with no dated action: one undated operation each
    # ("Municipal judges also issue SOAP orders ...", "names are released to the press")
    covered = {t for o in ops for t in o.tactics}
    for info in infos:
        for t in evidence.positive(info.mentions):
            if t in covered:
                continue
            covered.add(t)
            ops.append(Operation(tactics=[t], start=None, end=None, since=False,
                                 arrests=info.count.value if info.count else None,
                                 agency=info.agencies[0] if info.agencies else None,
                                 text=info.text, text_is_quote=True))
    return ops, infos, agencies


OPENER = re.compile(r"\b(?:conducted|carried out|ran|launched|held|led|organi[sz]ed|staged|mounted|began|started)\s+"
                    r"(?:\w+\s+){0,4}?(?:operations?|stings?|crackdowns?|sweeps?|investigations?|details?|probes?)\b", F)


def _inherited(last: str | None, home: str | None) -> str | None:
    """An action naming no agency is the home agency's only if the last one named was it."""
    return last if last is not None and last == home else None


_PRESENT = re.compile(r"\b(?:are|is|now|may|can|must|currently|typically|usually|generally|lets?|allows?|"
                      r"orders?|requires?|sentences?|sends?|publishes|publish|releases?|posts?|impounds?|"
                      r"seizes?|tows?|mails?|uses?|runs?|conducts?|holds?|offers?|attends?)\b", F)
_PAST = re.compile(r"\b(?:was|were|had|did|ran|began|led|took|made|sent|held|put|got|caught|found|"
                   r"paid|wrote|drew)\b|\b[a-z]{3,}ed\b", F)


def _general(sentence: str) -> bool:
    """A sentence about standing practice ("judges order ...", "men must attend ..."), not an event."""
    s = fold(sentence)
    return not re.search(r"\b(?:was|were)\b", s, F) and (bool(_PRESENT.search(s)) or not _PAST.search(s))


def _merge(op: Operation, tactics: list[str], info: SentenceInfo) -> None:
    for t in tactics:
        if t not in op.tactics:
            op.tactics.append(t)
    if op.arrests is None and info.count and info.count.value is not None:
        op.arrests = info.count.value
    if info.text not in op.text:
        op.text = (op.text + " " + info.text).strip()
