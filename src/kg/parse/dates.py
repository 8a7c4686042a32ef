"""Dates in a narrative sentence, each with where it stands and what kind of date it is.

A sentence may give several dates ("in May 2011, June 2012 and March 2016", "street stings since
1985, and online ones since 2009"); `find_dates` returns all of them in order, so
the event reader can give each action its own. Kinds:

- a point at the precision given: YYYY, YYYY-MM, YYYY-MM-DD ("in June 2012", "mid-2011");
- `since`: the start of a practice ("since 1978", "beginning in 1990", "dating back to 1994");
- a decade ("in the early 1990s", "since the 1980s"): no start we could state, kept as `decade`;
- a range ("from 2006 to 2007", "2012-2016"): start and end;
- `until`: an end only ("up until about 2008", "through 2017"), never the start of an action;
- relative to the last date read (`anchor`): "that year", "eighteen months later", "that March".

Rules over the sentence, microseconds each (dateparser is far slower and guesses on fragments
such as "May").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textutil import to_int

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
# a year is not a year after $, #, digits, "Route", "Highway", ... ("mid-2011" is one)
_NOT_YEAR_BEFORE = (r"(?<![\d$#,./])(?<!\d-)(?<!route )(?<!highway )(?<!interstate )"
                    r"(?<!no\. )(?<!room )(?<!suite )(?<!penal code )(?<!section )")
_PART = r"(?:(?:early|late|mid|the\s+(?:early|late|middle|end)\s+(?:part\s+)?of|the\s+(?:spring|summer|fall|autumn|winter)\s+of|(?:spring|summer|fall|autumn|winter)(?:\s+of)?)[- ]?\s*)"

FULL_DATE = re.compile(r"\b(" + MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(" + YEAR_RE + r")\b", F)
DMY_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + MONTH_RE + r")\.?,?\s+(" + YEAR_RE + r")\b", F)
NUM_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(" + YEAR_RE + r")(?![\d/])")
MONTH_YEAR = re.compile(r"\b(" + MONTH_RE + r")\.?,?\s+(?:of\s+)?(" + YEAR_RE + r")\b", F)
# "July and October of 2018", "September and October 2017": one date per month
MONTH_LIST = re.compile(r"\b(" + MONTH_RE + r")((?:\s*,\s*|\s+(?:and|&|or)\s+|\s*,\s*and\s+)(?:"
                        + MONTH_RE + r")(?:(?:\s*,\s*|\s+(?:and|&|or)\s+|\s*,\s*and\s+)(?:" + MONTH_RE
                        + r"))*)\.?,?\s+(?:of\s+)?(" + YEAR_RE + r")\b", F)
# "April 14-15" or "March 26" with the year given elsewhere in the sentence
MONTH_DAY = re.compile(r"\b(" + MONTH_RE + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*(?:\d{3}|" + YEAR_RE + r"))", F)
YEAR_ONLY = re.compile(_NOT_YEAR_BEFORE + r"\b(" + YEAR_RE + r")\b(?!s\b|'s\b)" + _NOT_YEAR_AFTER, F)
DECADE = re.compile(r"(?:\b(?:the\s+)?" + _PART + r"?)?\b((?:19[5-9]|20[0-3])0)'?s\b", F)
SINCE_WORD = re.compile(r"\b(?:since|ever since|as early as|beginning (?:in|around|about)|beginning|starting (?:in|around)|"
                        r"dating back to|dates back to|going back to|as far back as|from at least)\s+"
                        r"(?:at\s+least\s+|about\s+|around\s+|approximately\s+|roughly\s+|circa\s+|c\.\s*|the\s+(?:year\s+)?)*$", F)
RANGE = re.compile(r"\b(?:from|between)\s+(?:" + _PART + r")?(?:" + MONTH_RE + r"\.?\s+(?:\d{1,2},?\s+)?)?(" + YEAR_RE
                   + r")\s+(?:to|and|through|until|till|-)\s+(?:" + _PART + r")?(?:" + MONTH_RE + r"\.?\s+(?:\d{1,2},?\s+)?)?("
                   + YEAR_RE + r")\b|(?<![\d$])\b(" + YEAR_RE + r")\s*[-\u2013]\s*(" + YEAR_RE + r"|\d\d)\b(?!-)", F)
UNTIL_WORD = re.compile(r"\b(?:until|till|up until|up to|through|thru|to|ended in|ending in|before|prior to|by the end of)\s+"
                        r"(?:at\s+least\s+|about\s+|around\s+|approximately\s+|roughly\s+|the\s+(?:year\s+)?|"
                        + _PART + r")*$", F)
_DOCS = r"(?:stud(?:y|ies)|reports?|surveys?|census|audits?|assessments?|analys[ie]s|laws?|statutes?|acts?|articles?|books?|lists?|directory|rankings?|interviews?)"
DOCUMENT_BEFORE = re.compile(r"\b(?:a|an|the|its|their|his|her)\s+$", F)
DOCUMENT_AFTER = re.compile(r"\s+(?:(?:and|or)\s+(?:the\s+)?\d{4}\s+)?(?:annual\s+|federal\s+|state\s+|national\s+)?" + _DOCS + r"\b", F)
DOCUMENT_MADE = re.compile(r"\b" + _DOCS + r"\s+(?:[\w-]+\s+){0,3}?(?:produced|published|released|issued|written|completed|"
                           r"compiled|prepared)\s+in\s+$", F)
ENDED_BY = re.compile(r"(?:\b(?:dissolved|discontinued|ended|abandoned|halted|terminated|eliminated|disbanded|defunded|scrapped|"
                      r"ceased|stopped|dropped|cancel+ed|closed|taken down|rescinded|repealed|struck down|overturned|tabled|"
                      r"voted down|vetoed|defeated)\s+(?:[\w-]+\s+){0,4}?(?:in|by|around|after)\s+|"
                      r"\b(?:took|take|takes|taking)\s+(?:the|its|their|his|her)\s+(?:[\w-]+\s+){0,2}?down\s+(?:[\w-]+\s+){0,3}?(?:in|by|after)\s+|"
                      r"\b(?:held|ran|had|gave|taught)\s+(?:its|their|the)\s+(?:last|final)\s+(?:\w+\s+)?(?:in|by)\s+)"
                      r"(?:about\s+|around\s+|approximately\s+|roughly\s+)?$", F)
SAID_IN = re.compile(r"\b(?:told|said|stated|claimed|boasted|insisted|testified|wrote|argued)\b[^.;]{0,40}?\bin\s+$", F)
HOLIDAY_MONTH = {"memorial day": 5, "labor day": 9, "fourth of july": 7, "july 4th": 7, "july fourth": 7, "independence day": 7,
                 "thanksgiving": 11, "christmas": 12, "halloween": 10, "new year's eve": 12, "valentine's day": 2,
                 "mardi gras": 2, "spring break": 3}
HOLIDAY = re.compile(r"\b(" + "|".join(re.escape(k) for k in HOLIDAY_MONTH) + r")(?:\s+(?:day|eve|weekend|week|holiday|season))?"
                     r"(?:\s+of|\s+in|,)?\s+(" + YEAR_RE + r")\b", F)


def _holiday_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'"))


YEAR_BEFORE_PEOPLE = re.compile(r"(?:^|[.;]\s+|\b)(?:in|since|during|by)\s+(" + YEAR_RE + r")(?=\s+(?:residents|people|men|women|officers|johns|buyers)\b)", F)
FISCAL_YEAR = re.compile(r"\bFY\s?((?:19|20)\d{2})\b")
BARE_MONTH = re.compile(r"\b(?:in|by|during)\s+((?-i:January|February|March|April|May|June|July|August|September|October|"
                        r"November|December))\b(?!\s*(?:\d|of\b|,\s*\d))", F)
RELATIVE = re.compile(
    r"\b(?:(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|"
    r"twenty-four|\d{1,2}|several|a few)\s+(years?|months?)\s+later|"
    r"(?:the\s+)?(following|next|subsequent)\s+(year|month|spring|summer|fall|autumn|winter)|"
    r"later\s+(?:that|the same|in the same)\s+(year|month)|(?:that|the)\s+(?:same\s+)?(year|month)(?!\s+(?:old|of|\d))|"
    r"(?:that|the following|the next|later that|later in)\s+(" + MONTH_RE + r"))\b", F)
EARLIER = re.compile(r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})\s+years?\s+"
                     r"(?:earlier|before|prior)\b(?!\s+(?:that|the|it|this))", F)
# "in late May and early June of that year": months of the anchor's year
MONTH_OF_THAT_YEAR = re.compile(r"\b(" + MONTH_RE + r")\b[^.;]{0,40}?\bof\s+(?:that|the same)\s+year\b", F)
SINCE_THEN = re.compile(r"\b(?:since then|since that time|ever since|since that year)\b", F)
FUTURE_BY = re.compile(r"\b(?:aims?|aiming|plans?|planning|hopes?|hoping|expects?|expected|goal|will|intends?|"
                       r"scheduled|projected|by\s+the\s+end)\b", F)


def month_number(word: str) -> int:
    w = word.lower().rstrip(".")
    return _MONTHS.index(w) + 1 if w in _MONTHS else _MONTH_ALT.get(w, 0)


_month = month_number  # the name other modules have used


@dataclass
class DateInfo:
    """One date in a sentence. `start` is None for a decade (kept in `decade`)."""

    start: str | None = None
    end: str | None = None
    since: bool = False
    relative: bool = False
    until: bool = False
    decade: str | None = None
    pos: int = 0
    end_pos: int = 0
    document: bool = False   # the year of a law, study or report the sentence names, not of an act
    same_as: "DateInfo | None" = field(default=None, compare=False, repr=False)  # "that year": of this date
    same_period: bool = False  # "that same month", "the same year": the period of the date before

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start else None


def _ymd(y: str, m: int | None = None, d: int | None = None) -> str:
    if m and d and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y}-{m:02d}-{d:02d}"
    if m and 1 <= m <= 12:
        return f"{y}-{m:02d}"
    return y


_ANY_DATE = re.compile(r"(?:19[5-9]|20[0-3])\d|\b(?:that|following|next|subsequent|later|same|since then|since that|earlier|before|prior)\b", F)


def find_dates(s: str, anchor: str | None = None) -> list[DateInfo]:
    """Every date a (folded) sentence gives, in order of appearance, the most precise reading of
    each place kept ("June 2012" rather than "2012")."""
    taken: list[DateInfo] = []
    if not _ANY_DATE.search(s):
        return taken  # no year and no word that points to one

    def free(a: int, b: int) -> DateInfo | None:
        """None when [a, b) overlaps no date taken yet, else the one it overlaps."""
        return next((o for o in taken if a < o.end_pos and o.pos < b), None)

    # multi-date forms first: ranges and month lists
    for m in RANGE.finditer(s):
        if m.group(1):
            a, b = m.group(1), m.group(2)
        else:
            a, b = m.group(3), m.group(4)
            if len(b) == 2:
                b = a[:2] + b
        if a <= b and free(m.start(), m.end()) is None:
            taken.append(DateInfo(a, b, pos=m.start(), end_pos=m.end()))
    for m in MONTH_LIST.finditer(s):
        if free(m.start(), m.end()) is not None:
            continue
        y = m.group(3)
        parts = [(m.start(1), m.end(1), m.group(1))] + [
            (m.start(2) + x.start(), m.start(2) + x.end(), x.group(0)) for x in re.finditer(MONTH_RE, m.group(2), F)]
        for k, (a, b, mon) in enumerate(parts):
            last = k == len(parts) - 1
            taken.append(DateInfo(_ymd(y, month_number(mon)), pos=a, end_pos=m.end() if last else b))
    # single dates, most precise first; a less precise reading of a taken place only refines a range
    singles: list[DateInfo] = []
    for rx, kind in ((FULL_DATE, "mdy"), (DMY_DATE, "dmy"), (NUM_DATE, "num"), (MONTH_YEAR, "my")):
        for m in rx.finditer(s):
            if kind == "mdy":
                v = _ymd(m.group(3), month_number(m.group(1)), int(m.group(2)))
            elif kind == "dmy":
                v = _ymd(m.group(3), month_number(m.group(2)), int(m.group(1)))
            elif kind == "num":
                v = _ymd(m.group(3), int(m.group(1)), int(m.group(2)))
            else:
                if m.group(1).lower() == "may" and m.group(0)[0].islower() and not re.search(
                        r"(?:\bin|\bof|\bby|\bsince|\bon|\bearly|\blate|\bmid-?|\band|,)\s*$", s[:m.start()], F):
                    continue  # "may 2016" without a preposition is probably the verb "may"
                v = _ymd(m.group(2), month_number(m.group(1)))
            singles.append(DateInfo(v, pos=m.start(), end_pos=m.end()))
    singles += [DateInfo(None, decade=m.group(1) + "s", pos=m.start(), end_pos=m.end()) for m in DECADE.finditer(s)]
    singles += [DateInfo(m.group(1), pos=m.start(), end_pos=m.end()) for m in YEAR_ONLY.finditer(s)]
    # "In 1993 residents of North Street ...": a year after "in", though a count of people could follow
    singles += [DateInfo(m.group(1), pos=m.start(1), end_pos=m.end(1)) for m in YEAR_BEFORE_PEOPLE.finditer(s)]
    # "Memorial Day weekend 2016", "over the Fourth of July, 2019": the holiday's month; listed first,
    # so the year inside is read with it, not alone
    holidays = [DateInfo(f"{m.group(2)}-{HOLIDAY_MONTH[_holiday_key(m.group(1))]:02d}", pos=m.start(), end_pos=m.end())
                for m in HOLIDAY.finditer(s)]
    singles = holidays + singles
    singles += [DateInfo(m.group(1), pos=m.start(), end_pos=m.end()) for m in FISCAL_YEAR.finditer(s)]  # "in FY2015"
    for c in singles:
        clash = free(c.pos, c.end_pos)
        if clash is None:
            taken.append(c)
        elif clash.end and c.start:  # "from December 2006 to March 2007": the range at that precision
            if clash.start and c.start.startswith(clash.start[:4]) and c.pos < (clash.pos + clash.end_pos) // 2 \
                    and len(c.start) > len(clash.start):
                clash.start = c.start
            elif c.start.startswith(clash.end[:4]) and len(c.start) > len(clash.end):
                clash.end = c.start
    years = {c.start[:4] for c in taken if c.start}
    if len(years) == 1:
        (y,) = years
        for m in MONTH_DAY.finditer(s):
            if m.group(1).lower() == "may" and m.group(0)[0].islower():
                continue
            if free(m.start(), m.end()) is None:
                taken.append(DateInfo(_ymd(y, month_number(m.group(1)), int(m.group(2))), pos=m.start(), end_pos=m.end()))
    exact = sorted((d for d in taken if d.start and not d.end), key=lambda d: d.pos)

    def basis_at(pos: int) -> DateInfo | None:
        before = [d for d in exact if d.end_pos <= pos]
        return before[-1] if before else None

    def anchor_at(pos: int) -> str | None:
        # "In FY2015, ... three operations that year": a date told earlier in the same sentence
        # is nearer than the last sentence's
        b = basis_at(pos)
        return b.start if b else anchor

    if anchor or exact:
        rel = [DateInfo(_ymd(a[:4], month_number(m.group(1))), relative=True, pos=m.start(), end_pos=m.end())
               for m in MONTH_OF_THAT_YEAR.finditer(s) if (a := anchor_at(m.start()))]
        rel += [DateInfo(_relative(m, a), relative=True, pos=m.start(), end_pos=m.end(),
                         same_as=basis_at(m.start()) if _same_period(m) else None, same_period=_same_period(m))
                for m in RELATIVE.finditer(s) if (a := anchor_at(m.start()))]
        rel += [DateInfo(a, since=True, relative=True, pos=m.start(), end_pos=m.end())
                for m in SINCE_THEN.finditer(s) if (a := anchor_at(m.start()))]
        for m in EARLIER.finditer(s):  # "a similar operation occurred seven years earlier"
            n = to_int(m.group(1)) if m.group(1).lower() not in ("a", "an") else 1
            a = anchor_at(m.start())
            if n and a:
                rel.append(DateInfo(str(int(a[:4]) - n), relative=True, pos=m.start(), end_pos=m.end()))
        for c in rel:
            # "A year later, in April 2014, ...": the date given next is the same, told exactly
            exact_next = any(0 <= d.pos - c.end_pos <= 12 and not d.relative
                             and re.fullmatch(r"\s*[,(\u2014-]?\s*(?:in|on|during)?\s*(?:early|late|mid-?)?\s*", s[c.end_pos:d.pos], F)
                             for d in taken)
            if free(c.pos, c.end_pos) is None and not exact_next:
                taken.append(c)
    # "In March 2015, ...; in May, another seven were arrested": a month of the year just given
    before_months = [d for d in taken if d.start]
    if len({d.start[:4] for d in before_months}) == 1:
        y = before_months[0].start[:4]
        for m in BARE_MONTH.finditer(s):
            if free(m.start(1), m.end(1)) is None and any(d.pos < m.start() for d in before_months):
                taken.append(DateInfo(_ymd(y, month_number(m.group(1))), relative=True, pos=m.start(1), end_pos=m.end(1)))
    taken.sort(key=lambda d: d.pos)
    prev: DateInfo | None = None
    for d in taken:
        before = s[max(0, d.pos - 60):d.pos]
        since_word = SINCE_WORD.search(before)
        if since_word and re.search(r"\b(?:not|never)\s+(?:[\w-]+\s+){0,3}?since\s+$", before, F):
            d.until = True  # "has not met since 2015": the last time, not the start of a practice
        elif since_word:
            d.since = True
        elif prev is not None and prev.since and re.fullmatch(r"[^.;]{0,40}?\s(?:and|or)\s+(?:in\s+)?", s[prev.end_pos:d.pos], F):
            d.since = True  # "since 1994 or earlier in the city and 2012 in the county"
        elif not d.end and UNTIL_WORD.search(before):
            d.until = True
        if d.start and not d.relative and re.search(r"\bby\s+(?:the\s+end\s+of\s+)?(?:" + MONTH_RE + r"\s+)?$", before, F) \
                and FUTURE_BY.search(s):
            d.until = True  # "aim to expand to 12 cameras by June 2013": a target, not an action
        if d.start and not d.relative and len(d.start) == 4:
            if DOCUMENT_BEFORE.search(before) and DOCUMENT_AFTER.match(s, d.end_pos):
                d.document = True  # "a 2013 study", "the 1980 and the 2009 laws"
            elif DOCUMENT_MADE.search(before):
                d.document = True  # "an annual crime report produced in 1999"
            elif SAID_IN.search(before) and re.match(r"\s*(?:,?\s*that\b|[.!?]?\s*$)", s[d.end_pos:], F):
                d.document = True  # "the sheriff told a newspaper in 2020 that his deputies ...": when it was said
            elif not d.since and ENDED_BY.search(before):
                d.until = True  # "the program was dissolved by 2011": when it ended
        prev = d
    for d in taken:
        if d.same_as is not None and d.same_as.until:
            # "discontinued in 2012 and letters, proposed the same year, ...": the same year is
            # no act's either (but "a 1998 law allowed ...; courts began imposing them that year" is)
            d.until = True
    return taken


def _same_period(m: re.Match[str]) -> bool:
    """'that year', 'the same month': the period of the date it points to, not one after it."""
    return not (m.group(1) or m.group(3) or m.group(7))


def find_date(s: str, anchor: str | None = None) -> DateInfo | None:
    """The first date of a sentence that can start an action (not an 'until' end)."""
    for d in find_dates(s, anchor):
        if not d.until and not d.document:
            return d
    return None


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
        # "the following spring": the next one after the date told; after a bare year, the next year's
        if unit == "month":
            return str(y)  # "the next month" after a bare year: within it, as far as we can tell
        season_start = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}[unit]
        return str(y + 1) if mon is None or mon >= season_start else str(y)
    if m.group(7):
        mo = month_number(m.group(7))
        nxt = re.match(r"the (?:following|next)", m.group(0), F)
        return f"{y + 1 if (nxt and mon and mo <= mon) else y}-{mo:02d}"
    unit = (m.group(5) or m.group(6) or "year").lower()
    return anchor[:7] if unit == "month" and mon else str(y)
