"""Structured profile records (YAML or JSON, one place per file or a JSON Lines file).

A record holds the facts of one profile page, read by a person following the evidence rule
(see data/README.md). Records are checked strictly, and completely: every unknown or misspelled
field, wrong type and bad value of every record in a file is reported in one pass, each naming
the file, the record and the field (with a did-you-mean where one is close), never a silent
guess and never one problem per run.

`RECORD_FIELDS` below is the one list of the fields a record may have: add a field there (and
read it in `profile_from_record`), and every check and message knows it.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import tactics as _tactics
from .errors import InputError, InputErrors, UnreadableError
from .mapping import postal_codes
from .model import EVIDENCE_KINDS, Operation, Profile, Source, TacticClaim

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")

# The fields a record may have, per level of the record. The one place to add a field.
RECORD_FIELDS: dict[str, frozenset[str]] = {
    # the record itself: one place, as its profile page describes it
    "record": frozenset({
        "slug", "url", "name", "state", "kind", "footer_type", "population_footer", "population",
        "population_narrative", "list_version", "listed_tactics", "tactics", "negated_tactics",
        "operations", "partners", "sources", "read_to_footer", "read_chars", "notes"}),
    # each item of `tactics`: a tactic claim with its evidence
    "tactics": frozenset({"tactic", "evidence", "quotes", "headings"}),
    # each item of `operations`
    "operations": frozenset({
        "tactics", "start", "end", "since", "arrests", "mixed_arrests", "agency", "summary", "text",
        "event", "notes"}),
    # each item of `sources`: a Key Sources citation
    "sources": frozenset({"heading", "citation", "url", "year", "date", "publication", "title"}),
}

KINDS = ("City", "Town", "Village", "Borough", "Township", "County", "Parish", "Hamlet", "CDP",
         "Other")
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TACTICS_HELP = "the 15 tactic names are in ontology/tactics.ttl (`kg tactics` lists them)"

try:  # the C loader is several times faster on large data sets
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def did_you_mean(value: str, choices, *, cutoff: float = 0.6) -> str | None:
    """The closest of choices to value, if one is close enough."""
    if not isinstance(value, str):
        return None
    best = difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff)
    if best:
        return best[0]
    lower = {c.lower(): c for c in choices}
    best = difflib.get_close_matches(value.lower(), list(lower), n=1, cutoff=cutoff)
    return lower[best[0]] if best else None


def _documents(path: Path) -> list[tuple[str, Any]]:
    """(where in the file, document) of every record in a file; UnreadableError if it cannot be read."""
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise UnreadableError(name, None, None, f"cannot read file: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise UnreadableError(name, None, None, f"not UTF-8 text (byte {e.start})") from e
    docs: list[tuple[str, Any]] = []
    try:
        if path.suffix == ".jsonl":
            for i, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    docs.append((f"line {i}", json.loads(line)))
        else:
            data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_Loader)
            items = data if isinstance(data, list) else [data]
            docs = [(f"item {i}" if isinstance(data, list) else "", d) for i, d in enumerate(items, 1)]
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise UnreadableError(name, None, None, f"not valid {path.suffix[1:].upper()}: {e}") from e
    return docs


@dataclass
class Read:
    """What reading one file gave: its good profiles, every problem, and the (slug, record) of
    every record that names a valid slug, good or bad (so a duplicate slug is found even in a
    record that has other problems)."""

    profiles: list[Profile] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    slugs: list[tuple[str, str]] = field(default_factory=list)


def read_records(path: Path) -> Read:
    """Every good record of a file as a Profile, and every problem of the others.

    Raises UnreadableError only when the file itself cannot be read (missing, not UTF-8, not
    valid YAML/JSON)."""
    out = Read()
    for where, doc in _documents(path):
        slug = doc.get("slug") if isinstance(doc, dict) else None
        if isinstance(slug, str) and SLUG_RE.match(slug.strip()):
            out.slugs.append((slug.strip(), slug.strip()))
        try:
            out.profiles.append(profile_from_record(doc, file=str(path), where=where))
        except InputError as e:
            out.problems.extend(e.errors)
    return out


def load_records(path: Path) -> list[Profile]:
    """Read every record in a YAML, JSON or JSON Lines file; InputErrors with all its problems."""
    got = read_records(path)
    if got.problems:
        raise InputErrors(got.problems)
    return got.profiles


class _Check:
    """Collects the problems of one record instead of stopping at the first."""

    def __init__(self, file: str, record: str):
        self.file, self.record = file, record
        self.problems: list[InputError] = []

    def add(self, field: str | None, message: str) -> None:
        self.problems.append(InputError(self.file, self.record, field, message))

    def keys(self, doc: dict, level: str, prefix: str = "") -> None:
        """Every key of doc must be a field of this level; did-you-mean for near misses."""
        allowed = RECORD_FIELDS[level]
        for key in doc:
            if key in allowed:
                continue
            if not isinstance(key, str):
                self.add(prefix.rstrip(".") or None, f"field names must be text, not {key!r}")
                continue
            hint = did_you_mean(key, allowed)
            self.add(prefix + key, f"unknown field; did you mean {hint}?" if hint else
                     f"unknown field; the fields{' of ' + level if prefix else ''} are {', '.join(sorted(allowed))}")

    def text(self, doc: dict, field: str, prefix: str = "", required: bool = False) -> str | None:
        v = doc.get(field)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.add(prefix + field, "is required")
            return None
        if not isinstance(v, str):
            self.add(prefix + field, f"must be text, not {type(v).__name__} {v!r}")
            return None
        return v.strip()

    def count(self, field: str, v: Any) -> int | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self.add(field, f"must be a non-negative whole number, not {v!r}")
            return None
        return v

    def flag(self, field: str, v: Any, default: bool | None) -> bool | None:
        if v is None:
            return default
        if not isinstance(v, bool):
            self.add(field, f"must be true or false, not {v!r}")
            return default
        return v

    def date(self, field: str, v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, _dt.date):  # YAML reads an unquoted 2016-05-03 as a date
            v = v.isoformat()
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str) or not DATE_RE.match(v):
            self.add(field, f"must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not {v!r}")
            return None
        return v

    def tactic(self, field: str, v: Any) -> str | None:
        if isinstance(v, str) and v in _tactics.BY_NAME:
            return v
        hint = None
        if isinstance(v, str):
            hint = _tactics.normalise(v) or did_you_mean(v, _tactics.TACTIC_NAMES) or _alt_hint(v)
        extra = f" (did you mean {hint!r}?)" if hint else ""
        self.add(field, f"unknown tactic {v!r}{extra}; {TACTICS_HELP}")
        return None

    def str_list(self, doc: dict, field: str, prefix: str = "") -> list[str]:
        v = doc.get(field)
        if v is None:
            return []
        if isinstance(v, str):  # one item written without the list
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.add(prefix + field, f"must be a list of text, not {v!r}")
            return []
        return [x.strip() for x in v if x.strip()]

    def items(self, doc: dict, field: str) -> list:
        v = doc.get(field)
        if v is None:
            return []
        if not isinstance(v, list):
            self.add(field, f"must be a list, not {type(v).__name__}")
            return []
        return v


def _alt_hint(v: str) -> str | None:
    by_label = {label: t.name for t in _tactics.TACTICS for label in (t.name, *t.alt_labels)}
    hit = did_you_mean(v, by_label)
    return by_label[hit] if hit else None


def _state_hint(v: str) -> str | None:
    import us

    st = us.states.lookup(v.strip()) if v.strip() else None
    if st is not None and st.abbr != v:
        return st.abbr
    return None


def profile_from_record(doc: Any, *, file: str, where: str = "") -> Profile:
    """Check one record and turn it into a Profile; InputErrors with every problem it has."""
    if not isinstance(doc, dict):
        raise InputError(file, where or None, None, "a record must be a mapping of fields")
    slug_v = doc.get("slug")
    rec = str(slug_v if isinstance(slug_v, str) and slug_v.strip() else where or "?")
    c = _Check(file, rec)
    c.keys(doc, "record")

    slug = c.text(doc, "slug", required=True)
    if slug is not None and not SLUG_RE.match(slug):
        c.add("slug", f"must be lower-case letters, digits and hyphens, not {slug!r}")
    name = c.text(doc, "name", required=True)
    state = c.text(doc, "state", required=True)
    if state is not None and state not in postal_codes():
        hint = _state_hint(state)
        c.add("state", f"unknown state {state!r}" + (f" (did you mean {hint!r}?)" if hint else "")
              + "; use the two-letter USPS code of a U.S. state, DC or a territory")
    kind = c.text(doc, "kind")
    if kind is not None and kind not in KINDS:
        hint = did_you_mean(kind, KINDS)
        c.add("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
    url = c.text(doc, "url")
    if url is not None and not re.match(r"^https?://\S+$", url):
        c.add("url", f"must be an http(s) URL, not {url!r}")
    c.text(doc, "footer_type")
    read_chars = c.count("read_chars", doc.get("read_chars"))
    read_to_footer = c.flag("read_to_footer", doc.get("read_to_footer"), None)
    notes = c.str_list(doc, "notes")

    claims = []
    for i, t in enumerate(c.items(doc, "tactics"), 1):
        f = f"tactics[{i}]"
        if isinstance(t, str):
            t = {"tactic": t, "evidence": []}
        if not isinstance(t, dict):
            c.add(f, "must be a mapping with tactic and evidence")
            continue
        c.keys(t, "tactics", f + ".")
        ev = t.get("evidence") or []
        if not isinstance(ev, list) or not ev:
            c.add(f + ".evidence", "a tactic claim needs its evidence (narrative, key-sources)")
            ev = []
        for e in ev:
            if e not in EVIDENCE_KINDS:
                hint = did_you_mean(e, EVIDENCE_KINDS) if isinstance(e, str) else None
                c.add(f + ".evidence", f"unknown evidence kind {e!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                      + f"; use {', '.join(EVIDENCE_KINDS)}")
        name_t = c.tactic(f + ".tactic", t.get("tactic"))
        quotes = c.str_list(t, "quotes", f + ".")
        headings = c.str_list(t, "headings", f + ".")
        if name_t is not None:
            claims.append(TacticClaim(name_t, [e for e in ev if e in EVIDENCE_KINDS], quotes=quotes,
                                      headings=headings))
    negated_raw = doc.get("negated_tactics")
    if negated_raw is not None and not isinstance(negated_raw, list):
        c.add("negated_tactics", f"must be a list of tactic names, not {type(negated_raw).__name__}")
        negated_raw = []
    negated = [n for n in (c.tactic(f"negated_tactics[{i}]", t) for i, t in enumerate(negated_raw or [], 1))
               if n is not None]

    ops = []
    for i, o in enumerate(c.items(doc, "operations"), 1):
        f = f"operations[{i}]"
        if not isinstance(o, dict):
            c.add(f, "must be a mapping")
            continue
        c.keys(o, "operations", f + ".")
        ts = o.get("tactics") or []
        if not isinstance(ts, list):
            c.add(f + ".tactics", "must be a list of tactic names")
            ts = []
        names = [n for n in (c.tactic(f"{f}.tactics[{j}]", x) for j, x in enumerate(ts, 1)) if n is not None]
        quoted = o.get("text") is not None
        summary = c.text(o, "text" if quoted else "summary", f + ".")
        event = c.text(o, "event", f + ".")
        if event is not None and not SLUG_RE.match(event):
            c.add(f + ".event", f"must be lower-case letters, digits and hyphens, not {event!r}")
            event = None
        agency = c.text(o, "agency", f + ".")
        op_notes = c.str_list(o, "notes", f + ".")
        ops.append(Operation(
            tactics=names,
            start=c.date(f + ".start", o.get("start")),
            end=c.date(f + ".end", o.get("end")),
            since=bool(c.flag(f + ".since", o.get("since"), False)),
            arrests=c.count(f + ".arrests", o.get("arrests")),
            mixed_arrests=c.count(f + ".mixed_arrests", o.get("mixed_arrests")),
            agency=agency,
            text=summary or "",
            text_is_quote=quoted,
            event=event,
            notes=op_notes,
        ))

    sources = []
    for i, s in enumerate(c.items(doc, "sources"), 1):
        f = f"sources[{i}]"
        if not isinstance(s, dict):
            c.add(f, "must be a mapping")
            continue
        c.keys(s, "sources", f + ".")
        year = s.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            c.add(f + ".year", f"must be a year, not {year!r}")
            year = None
        sources.append(Source(heading=c.text(s, "heading", f + "."), citation=c.text(s, "citation", f + "."),
                              url=c.text(s, "url", f + "."), year=year,
                              date=c.date(f + ".date", s.get("date")),
                              publication=c.text(s, "publication", f + "."), title=c.text(s, "title", f + ".")))

    population = c.count("population_footer", doc.get("population_footer", doc.get("population")))
    population_narrative = c.count("population_narrative", doc.get("population_narrative"))
    listed = c.str_list(doc, "listed_tactics")
    list_version = c.text(doc, "list_version")
    partners = c.str_list(doc, "partners")
    if c.problems:
        raise InputErrors(c.problems)
    assert slug is not None and state is not None
    return Profile(
        slug=slug, name=name or "", state=state, kind=kind,
        population=population, population_narrative=population_narrative,
        url=url, listed_tactics=listed, list_version=list_version,
        tactics=claims, negated_tactics=negated, operations=ops,
        partners=partners, sources=sources,
        file=file, record=rec, input_form="record",
        read_to_footer=read_to_footer, read_chars=read_chars, notes=notes,
    )
