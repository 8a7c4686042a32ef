"""Large query answers: time to first byte and throughput of answers of many megabytes, through
`kg serve` (granian, one web process: the default) and `oxigraph serve` on the same release,
interleaved A B, B A, ... Each request opens a new connection and carries a unique comment, so
no response cache can answer it.

    python bench/bench_answers.py --dist /tmp/dist2700 --reps 5

Queries: every triple as N-Triples (CONSTRUCT), and 100,000 rows of every triple as SPARQL JSON
(SELECT ... LIMIT). kg serve streams an answer over 1 MB while its query worker writes it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_downloads import fetch, transfer_stats  # noqa: E402
from servers import save_result, Server, start_kg, start_oxigraph  # noqa: E402

QUERIES = {
    "construct-all (n-triples)": ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"),
    "select-100k (json)": ("SELECT * WHERE { ?s ?p ?o } LIMIT 100000", "application/sparql-results+json"),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    dist = Path(a.dist).resolve()
    servers: list[Server] = []
    rows: dict = {}
    try:
        servers = [start_kg(dist), start_oxigraph(dist / "kg.nt")]
        for rep in range(a.reps):
            order = servers[rep % 2:] + servers[:rep % 2]
            for name, (q, accept) in QUERIES.items():
                for s in order:
                    path = urlencode({"query": f"{q} # {rep}-{s.name}"})
                    path = f"{s.sparql_path}?{path}"
                    rows.setdefault((name, s.name), []).append(fetch(s, path, {"Accept": accept}))
        triples = json.loads((dist / "release.json").read_text()).get("triples")
        print(f"# bench_answers  {time.strftime('%Y-%m-%d %H:%M')}  release {dist.name} ({triples:,} triples)  "
              f"reps {a.reps}")
        print(f"{'answer':28s}{'server':22s}{'status':>7s}{'TTFB ms':>10s}{'total ms':>10s}{'MB/s':>8s}{'bytes':>14s}")
        summary: dict = {}
        for (name, sname), ds in rows.items():
            st = summary[f"{name}/{sname}"] = transfer_stats(ds)
            print(f"{name:28s}{sname:22s}{st['status']:7d}{st['ttfb_ms']:10.1f}{st['total_ms']:10.1f}"
                  f"{st['mb_s']:8.0f}{st['bytes']:14,d}")
        for name in QUERIES:
            k, o = summary.get(f"{name}/kg-serve-granian1"), summary.get(f"{name}/oxigraph")
            if k and o:
                # blank-node labels, and which rows a LIMIT keeps, may differ between two stores
                off = abs(k["bytes"] - o["bytes"]) / o["bytes"]
                same = f"sizes within {off:.2%}" if off < 0.01 else f"SIZES DIFFER ({k['bytes']:,} vs {o['bytes']:,})"
                print(f"  {name}: kg serve / oxigraph serve: TTFB {k['ttfb_ms'] / o['ttfb_ms']:.2f}x, "
                      f"total {k['total_ms'] / o['total_ms']:.2f}x, {same}")
        save_result(summary, f"answers-{dist.name}.json")
    finally:
        for s in servers:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
