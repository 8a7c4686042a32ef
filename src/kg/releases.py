"""`kg releases` and `kg rollback [ID]`: the kept releases, and pointing `dist` back to one.

`kg build` keeps the last few releases beside `dist` (in `.dist-releases/`); `dist` is a
symlink to one of them. A running `kg serve` follows the symlink, so after `kg rollback` it
serves the release rolled back to within its follow interval (one second by default).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .release import KEEP_RELEASES, current_release, kept_releases, rollback


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="dist", help="release folder (default: dist)")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    kept = kept_releases(out)
    now = current_release(out)
    if not kept:
        print(f"no kept releases beside {out}: run `kg build`")
        return 0
    print(f"releases kept beside {out} (the last {KEEP_RELEASES} and the current one; * = current):")
    print(f"  {'id':28} {'created':20} {'places':>7} {'operations':>10} {'claims':>7} {'triples':>9}")
    for info in kept:
        c = info.counts
        claims = c.get("claims")
        print(f"{'*' if info.id == now else ' '} {info.id:28} {info.created:20} {c.get('jurisdictions', 0):>7,} "
              f"{c.get('operations', 0):>10,} {'?' if claims is None else format(claims, ','):>7} {info.triples:>9,}")
    return 0


def add_rollback_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", nargs="?", default=None,
                   help="the release to point dist at (default: the one before the current one)")
    p.add_argument("--out", default="dist", help="release folder (default: dist)")


def run_rollback(args: argparse.Namespace) -> int:
    before, now = rollback(Path(args.out), args.id)
    print(f"kg rollback: {args.out} now points at release {now} (was {before or 'none'}); "
          "a running kg serve switches to it within its follow interval")
    return 0
