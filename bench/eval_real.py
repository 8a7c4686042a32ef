"""Score the page reader on real profile pages, at several confidence thresholds.

    python bench/eval_real.py PAGES_DIR [--gold ../shared/data/places.jsonl] [--thresholds 0,0.5,0.7]

PAGES_DIR holds one `<slug>.txt` per real Demand Forum page (the page text as saved, e.g. by
`kg harvest`, or the stored copies of the search tool): third-party text, kept outside the
repository and never committed. The gold is the facts read from the same pages
(`../shared/data/places.jsonl`); only the gold lines with a page in PAGES_DIR are scored. The
scoring is `../shared/eval/score_profiles.py`, the one used on the held-back pages, run once per
threshold through `kg parse --min-confidence`.

Prints one SCORE line per threshold (precision and recall of tactic claims, gold operations
found, parsed operations supported, arrests right, claims only the menu supports), then the CPU
time the reader takes on these pages.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path, help="folder of <slug>.txt real pages (outside the repository)")
    ap.add_argument("--gold", type=Path, default=SHARED / "data" / "places.jsonl")
    ap.add_argument("--thresholds", default="0,0.5,0.7", help="comma-separated confidence thresholds")
    ap.add_argument("--errors", type=int, default=0, help="print this many disagreements per threshold")
    args = ap.parse_args()
    scorer = SHARED / "eval" / "score_profiles.py"
    if not scorer.exists():
        print(f"no scorer at {scorer} (the shared folder sits beside the checkout)", file=sys.stderr)
        return 2
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    have = [g for g in gold if (args.pages / f"{g['slug']}.txt").exists()]
    if not have:
        print(f"none of the {len(gold)} gold pages is in {args.pages}", file=sys.stderr)
        return 2
    kg = Path(sys.executable).with_name("kg")
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "gold.jsonl"
        subset.write_text("".join(json.dumps(g) + "\n" for g in have), encoding="utf-8")
        wrapper = Path(tmp) / "kg"
        wrapper.write_text(f'#!/bin/sh\nexec "{kg}" "$@" --min-confidence "$KG_MIN_CONFIDENCE"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        print(f"{len(have)} of {len(gold)} gold pages found in {args.pages}")
        for t in args.thresholds.split(","):
            env = dict(os.environ, KG_MIN_CONFIDENCE=t.strip(), EVAL_MAX_ERRORS=str(args.errors))
            r = subprocess.run([sys.executable, str(scorer), str(subset), str(args.pages), str(wrapper)],
                               capture_output=True, text=True, env=env, timeout=1200)
            lines = r.stdout.strip().splitlines()
            for line in lines[:-1] if args.errors else []:
                print("  " + line)
            print(f"min-confidence {t.strip()}: {lines[-1] if lines else r.stderr.strip()}")
    print(_speed([args.pages / f"{g['slug']}.txt" for g in have]))
    print(_menu_only([args.pages / f"{g['slug']}.txt" for g in have]))
    return 0


def _menu_only(files: list[Path]) -> str:
    """The scorer's "menu claims" count every false claim of a tactic the menu lists (the menu
    lists them all); this counts what the target means: published claims whose only support is
    the menu, i.e. with no sentence of the narrative and no Key Sources heading behind them."""
    from kg.parse import parse_file
    from kg.parse.confidence import apply

    claims = bare = 0
    for f in files:
        for p in parse_file(f):
            apply(p, 0.5)
            for c in p.tactics:
                claims += 1
                lines = [q for q in c.quotes if q.strip()] + [h for h in c.headings if h.strip()]
                if not lines or all(q.strip() in p.listed_tactics for q in lines):
                    bare += 1
    return f"published claims (0.5) with no sentence or source of the page behind them: {bare} of {claims}"


def _speed(files: list[Path], runs: int = 3) -> str:
    """CPU time to read the real pages (best of `runs`, after one warm-up pass): real pages are
    longer and denser than the invented ones of bench_parse.py."""
    from kg.parse import parse_file

    for f in files[:10]:
        parse_file(f)
    best = float("inf")
    for _ in range(runs):
        t = time.process_time()
        for f in files:
            parse_file(f)
        best = min(best, time.process_time() - t)
    per = best / len(files)
    return (f"speed: {len(files)} real pages in {best:.2f} s CPU (best of {runs}), {1000 * per:.1f} ms/page, "
            f"about {1000 * per:.1f} s per 1,000 such pages")


if __name__ == "__main__":
    sys.exit(main())
