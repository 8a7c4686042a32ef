"""Score the page parser against the hand-written gold set (tests/pages/gold.yaml).

    python bench/eval_parse.py [--verbose]

Prints name/state accuracy, footer population exactness, tactic-claim precision/recall,
operation recall (same tactic and start) and arrest-count accuracy on the found operations.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kg.parse import parse_file  # noqa: E402

GOLD = ROOT / "tests" / "pages" / "gold.yaml"
PAGES = ROOT / "tests" / "pages" / "gold"


def load_gold() -> list[dict]:
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))


def gold_path(g: dict) -> Path:
    if g.get("path"):
        p = ROOT / g["path"]
        if not p.exists():  # the seed also lives in the shared folder
            alt = ROOT.parent / "shared" / "seeds" / g["file"]
            p = alt if alt.exists() else p
        return p
    return PAGES / g["file"]


def _start(v) -> str | None:
    return None if v is None else str(v)


def match_operations(gold_ops: list[dict], got) -> list[tuple[dict, object | None]]:
    """Pair each gold operation with an unused parsed one of the same start sharing a tactic."""
    used: set[int] = set()
    pairs = []
    for g in gold_ops:
        hit = None
        for i, o in enumerate(got):
            if i in used or o.start != _start(g.get("start")):
                continue
            if set(g.get("tactics") or []) & set(o.tactics) or (not g.get("tactics") and not o.tactics):
                hit = i
                break
        if hit is not None:
            used.add(hit)
        pairs.append((g, got[hit] if hit is not None else None))
    return pairs


def evaluate(verbose: bool = False, subset: str = "all") -> dict[str, float]:
    gold = load_gold()
    if subset == "heldout":
        gold = [g for g in gold if g.get("heldout")]
    elif subset == "tuned":
        gold = [g for g in gold if not g.get("heldout")]
    n = names_ok = 0
    pop_n = pop_ok = 0
    tp = fp = fn = 0
    ops_total = ops_found = 0
    arrests_ok = 0
    crashes = 0
    for g in gold:
        path = gold_path(g)
        try:
            p = parse_file(path)[0]
        except Exception as e:  # noqa: BLE001 - a crash is a score, not a stop
            crashes += 1
            print(f"CRASH {path.name}: {type(e).__name__}: {e}")
            continue
        problems = []
        if g.get("name") is not None:
            n += 1
            if p.name == g["name"] and p.state == g["state"]:
                names_ok += 1
            else:
                problems.append(f"name {p.name!r}, {p.state!r} != {g['name']!r}, {g['state']!r}")
        if g.get("population") is not None:
            pop_n += 1
            if p.population == g["population"]:
                pop_ok += 1
            else:
                problems.append(f"population {p.population} != {g['population']}")
        want, have = set(g.get("tactics") or []), set(p.tactic_names())
        tp += len(want & have)
        fp += len(have - want)
        fn += len(want - have)
        if want != have:
            problems.append(f"tactics extra {sorted(have - want)} missing {sorted(want - have)}")
        for gop, op in match_operations(g.get("operations") or [], p.operations):
            ops_total += 1
            if op is None:
                problems.append(f"operation not found: {gop}")
                continue
            ops_found += 1
            if op.arrests == gop.get("arrests"):
                arrests_ok += 1
            else:
                problems.append(f"arrests {op.arrests} != {gop.get('arrests')} for {gop}")
        if verbose and problems:
            print(f"{path.name}:")
            for pr in problems:
                print(f"   {pr}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    res = {
        "pages": len(gold),
        "crashes": crashes,
        "name_state_accuracy": names_ok / n if n else 1.0,
        "population_exact": pop_ok / pop_n if pop_n else 1.0,
        "tactic_precision": precision,
        "tactic_recall": recall,
        "operation_recall": ops_found / ops_total if ops_total else 1.0,
        "arrest_accuracy": arrests_ok / ops_found if ops_found else 1.0,
    }
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", "-v", action="store_true", help="list every disagreement")
    ap.add_argument("--subset", choices=["all", "tuned", "heldout"], default="all",
                    help="heldout: only the pages written after tuning (marked heldout in gold.yaml)")
    args = ap.parse_args()
    res = evaluate(args.verbose, args.subset)
    print(f"subset: {args.subset}")
    for k, v in res.items():
        print(f"{k:22s} {v:.3f}" if isinstance(v, float) else f"{k:22s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
