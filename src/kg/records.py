"""Structured profile records (YAML or JSON, one place per file or a JSON Lines file).

A record holds the facts of one profile page, read by a person following the evidence rule
(see data/README.md). Records are checked strictly: a wrong field is an error naming the
file, the record and the field, never a silent guess.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from . import tactics as _tactics
from .errors import InputError, UnreadableError
from .model import EVIDENCE_KINDS, Operation, Profile, Source, TacticClaim

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")
KINDS = ("City", "Town", "Village", "Borough", "Township", "County", "Parish", "Hamlet", "CDP",
         "Other")
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

try:  # the C loader is several times faster on large data sets
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def load_records(path: Path) -> list[Profile]:
    """Read every record in a YAML, JSON or JSON Lines file."""
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
        elif path.suffix == ".json":
            data = json.loads(text)
            items = data if isinstance(data, list) else [data]
            docs = [(f"item {i}" if isinstance(data, list) else "", d) for i, d in enumerate(items, 1)]
        else:
            data = yaml.load(text, Loader=_Loader)
            items = data if isinstance(data, list) else [data]
            docs = [(f"item {i}" if isinstance(data, list) else "", d) for i, d in enumerate(items, 1)]
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise UnreadableError(name, None, None, f"not valid {path.suffix[1:].upper()}: {e}") from e
    profiles = []
    for where, doc in docs:
        profiles.append(profile_from_record(doc, file=name, where=where))
    return profiles


def profile_from_record(doc: Any, *, file: str, where: str = "") -> Profile:
    """Check one record and turn it into a Profile."""
    if not isinstance(doc, dict):
        raise InputError(file, where or None, None, "a record must be a mapping of fields")
    rec = str(doc.get("slug") or where or "?")

    def err(field: str, message: str) -> InputError:
        return InputError(file, rec, field, message)

    def text(field: str, required: bool = False) -> str | None:
        v = doc.get(field)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                raise err(field, "is required")
            return None
        if not isinstance(v, str):
            raise err(field, f"must be text, not {type(v).__name__}")
        return v.strip()

    def count(field: str, v: Any) -> int | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise err(field, f"must be a non-negative whole number, not {v!r}")
        return v

    def date(field: str, v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, _dt.date):  # YAML reads an unquoted 2016-05-03 as a date
            v = v.isoformat()
        if isinstance(v, int):
            v = str(v)
        if not isinstance(v, str) or not DATE_RE.match(v):
            raise err(field, f"must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not {v!r}")
        return v

    def tactic(field: str, v: Any) -> str:
        if not isinstance(v, str) or v not in _tactics.BY_NAME:
            hint = _tactics.normalise(v) if isinstance(v, str) else None
            extra = f" (did you mean {hint!r}?)" if hint else ""
            raise err(field, f"unknown tactic {v!r}{extra}; use one of the 15 names in tactics.md")
        return v

    def str_list(field: str) -> list[str]:
        v = doc.get(field) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise err(field, "must be a list of text")
        return [x.strip() for x in v if x.strip()]

    slug = text("slug", required=True)
    assert slug is not None
    if not SLUG_RE.match(slug):
        raise err("slug", f"must be lower-case letters, digits and hyphens, not {slug!r}")
    name = text("name", required=True)
    state = text("state", required=True)
    kind = text("kind")
    if kind is not None and kind not in KINDS:
        raise err("kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    url = text("url")
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise err("url", f"must be an http(s) URL, not {url!r}")

    claims = []
    for i, t in enumerate(doc.get("tactics") or [], 1):
        f = f"tactics[{i}]"
        if isinstance(t, str):
            t = {"tactic": t, "evidence": []}
        if not isinstance(t, dict):
            raise err(f, "must be a mapping with tactic and evidence")
        ev = t.get("evidence") or []
        if not isinstance(ev, list) or not ev:
            raise err(f + ".evidence", "a tactic claim needs its evidence (narrative, key-sources)")
        for e in ev:
            if e not in EVIDENCE_KINDS:
                raise err(f + ".evidence", f"unknown evidence kind {e!r}")
        claims.append(TacticClaim(tactic(f + ".tactic", t.get("tactic")), list(ev),
                                  quotes=list(t.get("quotes") or []),
                                  headings=list(t.get("headings") or [])))
    negated = [tactic(f"negated_tactics[{i}]", t)
               for i, t in enumerate(doc.get("negated_tactics") or [], 1)]

    ops = []
    for i, o in enumerate(doc.get("operations") or [], 1):
        f = f"operations[{i}]"
        if not isinstance(o, dict):
            raise err(f, "must be a mapping")
        ts = o.get("tactics") or []
        if not isinstance(ts, list):
            raise err(f + ".tactics", "must be a list of tactic names")
        summary = o.get("text") if o.get("text") is not None else o.get("summary")
        if summary is not None and not isinstance(summary, str):
            raise err(f + ".summary", "must be text")
        since = o.get("since", False)
        if not isinstance(since, bool):
            raise err(f + ".since", "must be true or false")
        ops.append(Operation(
            tactics=[tactic(f"{f}.tactics[{j}]", x) for j, x in enumerate(ts, 1)],
            start=date(f + ".start", o.get("start")),
            end=date(f + ".end", o.get("end")),
            since=since,
            arrests=count(f + ".arrests", o.get("arrests")),
            agency=(o.get("agency") or None),
            text=(summary or "").strip(),
            text_is_quote="text" in o,
        ))

    sources = []
    for i, s in enumerate(doc.get("sources") or [], 1):
        f = f"sources[{i}]"
        if not isinstance(s, dict):
            raise err(f, "must be a mapping")
        year = s.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise err(f + ".year", f"must be a year, not {year!r}")
        sources.append(Source(heading=s.get("heading"), citation=s.get("citation"),
                              url=s.get("url"), year=year,
                              date=date(f + ".date", s.get("date")),
                              publication=s.get("publication"), title=s.get("title")))

    return Profile(
        slug=slug, name=name or "", state=state, kind=kind,
        population=count("population_footer", doc.get("population_footer", doc.get("population"))),
        population_narrative=count("population_narrative", doc.get("population_narrative")),
        url=url,
        listed_tactics=str_list("listed_tactics"),
        list_version=text("list_version"),
        tactics=claims, negated_tactics=negated, operations=ops,
        partners=str_list("partners"), sources=sources,
        file=file, record=rec, input_form="record",
    )
