"""`kg parse PATH ... [--json]`: read profile pages or records and print what they say."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError
from ..load import IGNORED
from ..records import RECORD_SUFFIXES
from .confidence import DEFAULT_MIN_CONFIDENCE

PROFILE_SUFFIXES = (".txt", ".html", ".htm") + RECORD_SUFFIXES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="profile pages (.txt, .html), records (.yaml, .json, .jsonl) or folders of them")
    parser.add_argument("--json", action="store_true", help="print a JSON array of profile objects")
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE, metavar="C",
                        help=f"report the readings at or above this confidence (0-1; default {DEFAULT_MIN_CONFIDENCE}); "
                             "the others are listed as held")


def expand(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for s in paths:
        p = Path(s)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.is_file() and f.suffix.lower() in PROFILE_SUFFIXES
                              and f.name not in IGNORED
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def run(args: argparse.Namespace) -> int:
    from . import parse_file
    from .confidence import apply

    status = 0
    results = []
    for path in expand(args.paths):
        try:
            results.extend(apply(p, args.min_confidence) for p in parse_file(path))
        except InputError as e:
            print(e.line(), file=sys.stderr)
            status = 2
        except Exception as e:  # a bug must not hide the other files' results
            print(f"{path}: -: -: internal error while parsing: {type(e).__name__}: {e}", file=sys.stderr)
            status = 2
    if args.json:
        json.dump([p.to_json() for p in results], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for p in results:
            print(_summary(p))
    return status


def _summary(p) -> str:
    lines = [f"{p.file}: {p.name}, {p.state} ({p.kind or 'kind unknown'}), slug {p.slug}, "
             f"population {p.population if p.population is not None else '-'}"]
    lines.append(f"  listed (menu, {p.list_version}): {', '.join(p.listed_tactics) or '-'}")
    for c in p.tactics:
        lines.append(f"  uses {c.tactic} [{', '.join(c.evidence)}]")
    if p.negated_tactics:
        lines.append(f"  not used / only considered: {', '.join(p.negated_tactics)}")
    for o in p.operations:
        when = (("since " if o.since else "") + (o.start or "undated")) + (f"..{o.end}" if o.end else "")
        arrests = f", {o.arrests} arrests" if o.arrests is not None else ""
        lines.append(f"  operation {when}: {', '.join(o.tactics) or '-'}{arrests}"
                     + (f" ({o.agency})" if o.agency else ""))
    for w in p.warnings:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)
