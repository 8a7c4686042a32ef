"""Agencies named in a narrative: full names, their abbreviations, and the place's own agency.

"the Springdale Police Department (SPD)" is read once and "SPD" later in the page finds it again;
"Springdale police" names the same force by its place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .textutil import fold

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


_ABBREV_RE = re.compile(r"\b([A-Z][A-Za-z&]{1,7})\b")


@dataclass
class Agencies:
    names: list[str] = field(default_factory=list)
    abbrev: dict[str, str] = field(default_factory=dict)
    _place_res: list = field(default_factory=list, repr=False)
    elsewhere: frozenset[str] = frozenset()  # places the page calls neighbouring: their forces act elsewhere

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

    def _by_place(self) -> list[tuple[str, re.Pattern[str]]]:
        """One compiled pattern per agency ("Quinton police"), made once per page."""
        if len(self._place_res) != len(self.names):
            out = []
            for name in self.names:
                m = re.match(r"(.+?)\s+(?:Police|Sheriff)", name)
                if not m or m.group(1).lower() in ("state", "the"):
                    continue
                word = "police|officers|detectives|vice" if "Police" in name else "sheriff|deputies"
                out.append((name, re.compile(r"\b" + re.escape(m.group(1)) + r"(?:'s)?\s+(?:" + word + r")\b")))
            self._place_res = out + [("", re.compile("(?!)"))] * (len(self.names) - len(out))
        return [(n, rx) for n, rx in self._place_res if n]

    def in_sentence(self, s: str) -> list[str]:
        """Agencies named in a sentence, full or abbreviated, in order of appearance."""
        found: list[tuple[int, str]] = []
        # "Quinton police officers", "Kellerton detectives": a named police force by its place
        for name, rx in self._by_place():
            for hit in rx.finditer(s):
                if not s[hit.end():].lstrip().startswith(("Department", "Dept", "Bureau", "Office")):
                    found.append((hit.start(), name))
        for m in AGENCY_RE.finditer(s):
            name = _agency_name(m)
            if name:
                found.append((m.start(), name))
        for m in _ABBREV_RE.finditer(s):
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


def is_own_agency(name: str, place: str | None) -> bool:
    """Is the agency the place's own ("Springdale Police Department" for Springdale, "Dane County
    Sheriff's Office" for Dane County)? Its name starts with the place's name."""
    if not place:
        return True
    base = re.sub(r"\s+(?:county|parish|township|borough|village|town|city)$", "", place.lower())
    return name.lower().startswith(base)


def _home(agencies: Agencies, place: str | None) -> str | None:
    """The place's own agency, or the page's only agency."""
    if place:
        for n in agencies.names:
            if is_own_agency(n, place):
                return n
    return agencies.names[0] if len(agencies.names) == 1 else None


def _inherited(last: str | None, home: str | None) -> str | None:
    """An action naming no agency is the home agency's only if the last one named was it."""
    return last if last is not None and last == home else None
