"""kg serve in front of a store: the gallery queries (src/kg/examples.py) through `kg serve
--endpoint` on Virtuoso, through `kg serve --endpoint` on Oxigraph server, and through `kg
serve` on its embedded store, side by side in one run; and straight from each store, for the
share kg adds.

    python bench/bench_stores.py --dist dist --rounds 21

One release (`--dist`) is published with `kg publish` into a Virtuoso (deploy/virtuoso.ini,
its own folder and ports) and into an `oxigraph serve`; three `kg serve` (granian, one web
process each, as shipped) serve it. Each round sends every gallery query once to each of the
five, in a random order per query; every request carries a unique comment, so no response
cache answers it (the time of running the query). Medians per query, the ratios
remote/embedded and their geometric mean. Raw times: bench/results/stores.json.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from servers import VENV_BIN, save_result, start_kg, start_oxigraph_store, start_virtuoso  # noqa: E402

from kg.examples import EXAMPLES  # noqa: E402
from kg.stores import catalogue_for, release_graph  # noqa: E402


def publish(dist: Path, url: str, user: str | None = None) -> float:
    cmd = [str(VENV_BIN / "kg"), "publish", "--to", url, "--dist", str(dist), "--drop-after", "0"]
    env = dict(os.environ)
    if user:
        cmd += ["--user", user]
        env["KG_STORE_PASSWORD"] = "dba"
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    print(r.stderr.strip().splitlines()[-1], file=sys.stderr)
    return time.monotonic() - t0


class Target:
    """Where a query goes: a URL, and the dataset parameters a store needs."""

    def __init__(self, name: str, url: str, graph: str | None = None, virtuoso: bool = False):
        self.name, self.url = name, url
        self.params: dict[str, str] = {}
        if graph:
            self.params["default-graph-uri"] = graph
        if virtuoso:
            self.params["named-graph-uri"] = "urn:x-demand-kg:no-named-graphs"
        self.http = requests.Session()

    def time(self, query: str) -> float:
        return self.run(query)[0]

    def run(self, query: str) -> tuple[float, int]:
        """(seconds to the last byte, rows)"""
        t0 = time.perf_counter()
        r = self.http.post(self.url, data={"query": query, **self.params},
                           headers={"Accept": "application/sparql-results+json"}, timeout=120)
        r.content  # noqa: B018 - read it all
        dt = time.perf_counter() - t0
        if r.status_code != 200:
            raise RuntimeError(f"{self.name}: {r.status_code} {r.text[:300]}")
        return dt, len(r.json()["results"]["bindings"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    dist = Path(a.dist).resolve()
    info = json.loads((dist / "release.json").read_text())
    graph = release_graph(catalogue_for(info["base"]), info["id"])
    rng = random.Random(a.seed)
    started = []
    try:
        virt = start_virtuoso()
        started.append(virt)
        oxi = start_oxigraph_store()
        started.append(oxi)
        load_v = publish(dist, virt.base, user="dba")
        load_o = publish(dist, oxi.base)
        nowhere = str(dist.parent / "no-release-here")
        kg_emb = start_kg(dist)
        started.append(kg_emb)
        kg_v = start_kg(nowhere, extra=["--endpoint", virt.endpoint])
        started.append(kg_v)
        kg_o = start_kg(nowhere, extra=["--endpoint", oxi.endpoint])
        started.append(kg_o)
        targets = [Target("kg embedded", kg_emb.endpoint), Target("kg -> virtuoso", kg_v.endpoint),
                   Target("kg -> oxigraph", kg_o.endpoint), Target("virtuoso", virt.endpoint, graph, True),
                   Target("oxigraph", oxi.endpoint, graph)]
        for ex in EXAMPLES:  # warm up: each server has run each query once, with the same number of rows
            rows = {t.name: t.run(ex.sparql)[1] for t in targets}
            if len(set(rows.values())) != 1:
                raise SystemExit(f"{ex.slug}: the answers differ: {rows}")
        times: dict[str, dict[str, list[float]]] = {ex.slug: {t.name: [] for t in targets} for ex in EXAMPLES}
        n = 0
        for rnd in range(a.rounds):
            for ex in EXAMPLES:
                order = targets[:]
                rng.shuffle(order)
                for t in order:
                    n += 1
                    times[ex.slug][t.name].append(t.time(f"# round {rnd} request {n}\n" + ex.sparql))
    finally:
        for s in reversed(started):
            s.stop()
    names = [t.name for t in targets]
    med = {q: {k: statistics.median(v) for k, v in row.items()} for q, row in times.items()}
    w = max(len(q) for q in med)
    print(f"\nrelease {info['id']}: {info['triples']:,} triples; {a.rounds} rounds; medians in ms")
    print(f"{'query':<{w}}  " + "  ".join(f"{n:>14}" for n in names) + "  v/emb  o/emb")
    ratios_v, ratios_o = [], []
    for q, row in med.items():
        rv, ro = row["kg -> virtuoso"] / row["kg embedded"], row["kg -> oxigraph"] / row["kg embedded"]
        ratios_v.append(rv)
        ratios_o.append(ro)
        print(f"{q:<{w}}  " + "  ".join(f"{1000 * row[n]:>14.2f}" for n in names) + f"  {rv:5.2f}  {ro:5.2f}")

    def gm(xs: list[float]) -> float:
        return math.exp(sum(map(math.log, xs)) / len(xs))

    summary = {"release": info["id"], "triples": info["triples"], "rounds": a.rounds,
               "publish_seconds": {"virtuoso": round(load_v, 2), "oxigraph": round(load_o, 2)},
               "geomean_ratio": {"kg->virtuoso / kg embedded": round(gm(ratios_v), 2),
                                 "kg->oxigraph / kg embedded": round(gm(ratios_o), 2),
                                 "kg->virtuoso / virtuoso": round(gm([r["kg -> virtuoso"] / r["virtuoso"] for r in med.values()]), 2),
                                 "kg->oxigraph / oxigraph": round(gm([r["kg -> oxigraph"] / r["oxigraph"] for r in med.values()]), 2),
                                 "virtuoso / oxigraph": round(gm([r["virtuoso"] / r["oxigraph"] for r in med.values()]), 2)},
               "worst_ratio": {"kg->virtuoso / kg embedded": round(max(ratios_v), 2),
                               "kg->oxigraph / kg embedded": round(max(ratios_o), 2)}}
    print(json.dumps(summary, indent=1))
    out = save_result({"summary": summary, "medians_ms": {q: {k: round(1000 * v, 3) for k, v in r.items()}
                                                          for q, r in med.items()}, "times": times}, "stores.json")
    print(f"raw: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
