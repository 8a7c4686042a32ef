"""`kg review PAGE ...`: the readings below the confidence threshold, and a curator's verdicts.

    kg review data/profiles/norwich-ct.txt               list the held readings, numbered, with their sentences
    kg review data/profiles/x.txt --accept 1 --reject 2  record verdicts in data/places/x.yaml

A verdict is kept in the place's record file in `data/places/` under `review` (created for a
place published from its page: then the file holds only `slug`, `url` and `review`). The next
`kg build` applies it: an accepted reading is published whatever its confidence (and marked
dkg:curatorAccepted), a rejected one never. Verdicts name readings by stable keys (a claim by its
tactic, an operation by its start and tactics), never by page text, so the record file holds no
third-party sentences.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from . import tactics as _tactics
from .errors import InputError, UnreadableError
from .model import Operation, Profile, TacticClaim
from .parse.confidence import DEFAULT_MIN_CONFIDENCE, Decision, apply, operation_key, reading_id
from .records import DATE_RE

OVERLAY_KEYS = {"slug", "url", "review"}
DECISION_KEYS = {"reading", "decision", "tactic", "start", "tactics", "note"}


# --- the record file's `review` list ------------------------------------------------------------

def decisions_from(doc: dict[str, Any], file: str) -> list[Decision]:
    """Check and read a record's `review` list; every problem is an InputError naming the item."""
    rec = str(doc.get("slug") or "?")
    items = doc.get("review") or []
    if not isinstance(items, list):
        raise InputError(file, rec, "review", "must be a list of verdicts")
    out: list[Decision] = []
    for i, item in enumerate(items, 1):
        where = f"review[{i}]"
        if not isinstance(item, dict):
            raise InputError(file, rec, where, "a verdict is a mapping (reading, decision, ...)")
        unknown = sorted(set(item) - DECISION_KEYS)
        if unknown:
            raise InputError(file, rec, f"{where}.{unknown[0]}", f"unknown field; use {', '.join(sorted(DECISION_KEYS))}")
        reading, decision = item.get("reading"), item.get("decision")
        if reading not in ("claim", "operation"):
            raise InputError(file, rec, f"{where}.reading", f"must be claim or operation, not {reading!r}")
        if decision not in ("accept", "reject"):
            raise InputError(file, rec, f"{where}.decision", f"must be accept or reject, not {decision!r}")
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise InputError(file, rec, f"{where}.note", "must be text")
        if reading == "claim":
            t = item.get("tactic")
            if t not in _tactics.BY_NAME:
                raise InputError(file, rec, f"{where}.tactic", f"unknown tactic {t!r}; `kg tactics` lists the 15 names")
            out.append(Decision("claim", decision, tactic=t, note=note))
        else:
            start = item.get("start")
            start = None if start is None else str(start)
            if start is not None and not (DATE_RE.match(start) or (len(start) == 5 and start.endswith("0s"))):
                raise InputError(file, rec, f"{where}.start", f"must be YYYY, YYYY-MM, YYYY-MM-DD or a decade (1990s), not {start!r}")
            ts = item.get("tactics") or []
            if not isinstance(ts, list) or any(t not in _tactics.BY_NAME for t in ts):
                raise InputError(file, rec, f"{where}.tactics", f"must be a list of tactic names, not {ts!r}")
            out.append(Decision("operation", decision, start=start, tactics=list(ts), note=note))
    return out


def is_overlay(doc: Any) -> bool:
    """A record file that only holds verdicts on a page's readings (no facts of its own)."""
    return isinstance(doc, dict) and "review" in doc and set(doc) <= OVERLAY_KEYS


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise UnreadableError(str(path), None, None, f"cannot read the record: {e}") from e


def collect(files: list[Path], page_suffixes: tuple[str, ...], record_suffixes: tuple[str, ...]
            ) -> tuple[list[Path], dict[str, list[Decision]]]:
    """Split the data files into the files to read and the verdicts on pages' readings. Only a
    record named like a page (data/places/x.yaml beside data/profiles/x.txt) can hold verdicts."""
    page_stems = {f.stem for f in files if f.suffix.lower() in page_suffixes}
    verdicts: dict[str, list[Decision]] = {}
    keep: list[Path] = []
    for f in files:
        if f.suffix.lower() in (".yaml", ".yml") and f.stem in page_stems and f.suffix.lower() in record_suffixes:
            doc = read_yaml(f)
            if is_overlay(doc):
                verdicts[str(doc.get("slug") or f.stem)] = decisions_from(doc, str(f))
                continue
        keep.append(f)
    return keep, verdicts


# --- the command ------------------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PAGE", help="profile pages (.txt, .html)")
    p.add_argument("--data", default="data", help="the data folder whose data/places/ holds the verdicts (default: data)")
    p.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE, metavar="C",
                   help=f"readings below this confidence are held for review (default {DEFAULT_MIN_CONFIDENCE})")
    p.add_argument("--accept", action="append", default=[], metavar="N|ID",
                   help="accept a held reading (its number in the list, or its id such as claim:Cameras); repeatable")
    p.add_argument("--reject", action="append", default=[], metavar="N|ID",
                   help="reject a reading, held or published (number or id); repeatable")
    p.add_argument("--note", default=None, help="the curator's reason, kept with the verdicts")


def _record_path(data: Path, slug: str) -> Path:
    return data / "places" / f"{slug}.yaml"


def _readings(p: Profile) -> list[TacticClaim | Operation]:
    """Held readings first (they are what review is for), then the published ones."""
    return list(p.held) + list(p.tactics) + list(p.operations)


def _sentences(item: TacticClaim | Operation) -> list[str]:
    if isinstance(item, TacticClaim):
        return list(item.quotes) + [f"(heading) {h}" for h in item.headings]
    return [item.text] if item.text else []


def _verdict_item(item: TacticClaim | Operation, decision: str, note: str | None) -> dict[str, Any]:
    if isinstance(item, TacticClaim):
        d: dict[str, Any] = {"reading": "claim", "tactic": item.tactic, "decision": decision}
    else:
        start, tactics = operation_key(item)
        d = {"reading": "operation", "start": start, "tactics": sorted(tactics), "decision": decision}
    if note:
        d["note"] = note
    return d


def _pick(spec: str, listed: list[TacticClaim | Operation], path: str) -> TacticClaim | Operation:
    if spec.isdigit() and 1 <= int(spec) <= len(listed):
        return listed[int(spec) - 1]
    for item in listed:
        if reading_id(item) == spec:
            return item
    raise InputError(path, None, None, f"no reading {spec!r}: use a number or an id from `kg review {path}`")


def run(args: argparse.Namespace) -> int:
    from .parse import parse_file

    data = Path(args.data)
    status = 0
    for path in args.paths:
        try:
            [p] = parse_file(Path(path))
        except InputError as e:
            print(e.line(), file=sys.stderr)
            status = 2
            continue
        if p.input_form == "record":
            print(f"{path}: -: -: a record is a curator's reading already; review pages", file=sys.stderr)
            status = 2
            continue
        rec_path = _record_path(data, p.slug)
        doc: dict[str, Any] = {"slug": p.slug, "url": p.url, "review": []}
        if rec_path.exists():
            loaded = read_yaml(rec_path)
            if not is_overlay(loaded):
                print(f"{rec_path}: {p.slug}: -: this place is published from its record, not from {path}; "
                      "edit the record instead", file=sys.stderr)
                status = 1
                continue
            doc = loaded
        decisions = decisions_from(doc, str(rec_path))
        apply(p, args.min_confidence, decisions)
        listed = _readings(p)
        if args.accept or args.reject:
            for spec, verdict in [(x, "accept") for x in args.accept] + [(x, "reject") for x in args.reject]:
                item = _pick(spec, listed, path)
                new = _verdict_item(item, verdict, args.note)
                key = {k: new[k] for k in ("reading", "tactic", "start", "tactics") if k in new}
                doc["review"] = [v for v in doc.get("review") or []
                                 if {k: v.get(k) for k in key} != key] + [new]
            decisions_from(doc, str(rec_path))  # what we write must read back
            rec_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = rec_path.with_suffix(".yaml.tmp")
            tmp.write_text("# Verdicts of a curator on the readings of the page (kg review); no page text.\n"
                           + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
            tmp.replace(rec_path)
            print(f"{rec_path}: {len(doc['review'])} verdict(s) recorded; the next kg build applies them")
            continue
        print(f"{path}: {p.name}, {p.state} ({p.slug}): {len(p.held)} reading(s) held below confidence "
              f"{args.min_confidence}, {len(p.tactics)} claim(s) and {len(p.operations)} operation(s) published")
        rejected = [x for x in listed if any(d.decision == "reject" and d.matches(x) for d in decisions)]
        for n, item in enumerate(listed, 1):
            state = "rejected" if item in rejected else "held" if item in p.held else (
                "accepted" if item.curated else "published")
            conf = "-" if item.confidence is None else f"{item.confidence:.2f}"
            print(f"  [{n}] {reading_id(item)}  confidence {conf}  {state}")
            for s in _sentences(item):
                print(f"      | {s}")
    return status
