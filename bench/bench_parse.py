"""Time the page parser on 1,000 pages: variants of the gold pages (text and rendered HTML).

    python bench/bench_parse.py [--pages 1000] [--runs 3]

Prints the median wall time to parse all pages (parse_file on each, as `kg build` does).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "pages"))

from kg.errors import UnreadableError  # noqa: E402
from kg.parse import parse_file  # noqa: E402
from render import render  # noqa: E402

PAGES = ROOT / "tests" / "pages" / "gold"


def make_pages(folder: Path, n: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    sources = sorted(PAGES.glob("*.txt")) + sorted(PAGES.glob("*.html"))
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8")
        slug = f"{src.stem}-{i}"
        if rng.random() < 0.2:  # some cut-off pages
            text = text[: rng.randint(len(text) // 3, len(text))]
        if src.suffix == ".txt" and rng.random() < 0.4:
            path = folder / f"{slug}.html"
            path.write_text(render(text, slug), encoding="utf-8")
        else:
            path = folder / f"{slug}{src.suffix}"
            path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        paths = make_pages(Path(d), args.pages)
        html = sum(p.suffix == ".html" for p in paths)
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            n_ops = 0
            for p in paths:
                try:
                    n_ops += sum(len(x.operations) for x in parse_file(p))
                except UnreadableError:
                    pass
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    med = statistics.median(times)
    print(f"parsed {len(paths)} pages ({html} HTML, {len(paths) - html} text; {n_ops} operations) "
          f"in median {med:.2f} s over {args.runs} runs ({1000 * med / len(paths):.2f} ms/page); "
          f"runs: {', '.join(f'{t:.2f}' for t in times)}; CPU time median {statistics.median(cpu):.2f} s "
          f"(what an idle core would take: robust to other load on the machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
