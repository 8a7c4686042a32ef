"""Query latency: the query set (bench/queries.py) on kg serve, oxigraph serve and rdflib-endpoint
over the same release, interleaved (a random order per query and round), medians per query,
ratios, geometric mean.

    python bench/bench_queries.py --dist dist --rounds 15

Each request is a GET /sparql?query=... over a kept-alive connection (reopened when the server
closes it), timed from send to the last byte of the body. Two modes, measured in the same run:

* fresh:  every request carries a unique `# tag` comment line, so kg serve's response cache
          cannot answer it: the time of actually running the query (what the targets mean);
* repeat: the identical text every time; kg serve answers from its per-process cache.

Servers: kg serve (one process, `kg serve --dist`), kg serve under gunicorn (`--workers 2`),
oxigraph serve-read-only over `oxigraph load` of the same kg.nt, rdflib-endpoint over kg.ttl.
Targets: geomean(kg/oxigraph) <= 1.5 and no query > 3x; rdflib/kg >= 20 on aggregate queries
(kg's median over the rounds in which rdflib-endpoint was measured: `--rdflib-rounds`, default all);
with --scale-target every query < 500 ms on kg serve (the 35k-place target).
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queries import QUERIES, pick_place  # noqa: E402
from servers import save_result, Server, start_kg, start_oxigraph, start_rdflib  # noqa: E402


class Client:
    """One persistent HTTP/1.1 connection; reopened when the server asks to close."""

    def __init__(self, srv: Server, timeout: float = 600):
        self.srv = srv
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, query: str, accept: str) -> tuple[float, int, bytes]:
        path = self.srv.sparql_path + "?" + urllib.parse.urlencode({"query": query})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=self.timeout)
            try:
                t0 = time.perf_counter()
                self.conn.request("GET", path, headers={"Accept": accept})
                resp = self.conn.getresponse()
                body = resp.read()
                dt = time.perf_counter() - t0
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return dt, resp.status, body
        raise RuntimeError("unreachable")


def size_of(body: bytes, form: str) -> int:
    """Rows (SELECT), 0/1 (ASK) or triples (graph) of an answer, to check servers agree."""
    if form == "graph":
        import pyoxigraph as ox

        fmt = ox.RdfFormat.RDF_XML if body.lstrip().startswith(b"<?xml") else ox.RdfFormat.TURTLE
        try:  # rdflib-endpoint answers graph queries in RDF/XML whatever the Accept
            return sum(1 for _ in ox.parse(body, fmt))
        except SyntaxError:
            return -1
    data = json.loads(body)
    if "boolean" in data:
        return int(data["boolean"])
    return len(data["results"]["bindings"])


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def ms(x: float | None) -> str:
    return "-" if x is None else (f"{x * 1000:8.2f}" if x < 10 else f"{x * 1000:8.0f}")


def run(servers: list[Server], rounds: int, rdflib_rounds: int, place: str, modes: list[str],
        budget_s: float, seed: int = 0) -> dict:
    clients = {s.name: Client(s) for s in servers}
    times: dict = {m: {q.name: {s.name: [] for s in servers} for q in QUERIES} for m in modes}
    rounds_of: dict = {m: {q.name: {s.name: [] for s in servers} for q in QUERIES} for m in modes}  # per sample
    sizes: dict = {q.name: {} for q in QUERIES}
    errors: list[str] = []
    # warm-up (each server answers each query once) and agreement check
    for q in QUERIES:
        for s in servers:
            dt, status, body = clients[s.name].get(q.text(place, "warm"), q.accept)
            if status != 200:
                errors.append(f"{s.name} {q.name}: HTTP {status}: {body[:200]!r}")
                continue
            sizes[q.name][s.name] = size_of(body, q.form)
    t_end = time.monotonic() + budget_s
    n = 0
    # a fresh random order for every query and mode: rotating a fixed list (A B C, B C A, ...)
    # keeps who-follows-whom fixed, so one server would always come right after rdflib-endpoint's
    # 40-200 ms of work (cold caches) and another always after a light one
    rng = random.Random(seed)
    for r in range(rounds):
        if time.monotonic() > t_end:
            print(f"  (time budget reached after {r} rounds)", file=sys.stderr)
            break
        for q in QUERIES:
            for mode in modes:
                for s in rng.sample(servers, len(servers)):
                    if s.name == "rdflib-endpoint" and r >= rdflib_rounds:
                        continue
                    tag = f"{mode}-{r}-{s.name}" if mode == "fresh" else None
                    if mode == "repeat":
                        tag = "repeat"  # same text every round (cached after the first)
                    dt, status, body = clients[s.name].get(q.text(place, tag), q.accept)
                    n += 1
                    if status != 200:
                        errors.append(f"{s.name} {q.name}: HTTP {status}")
                        continue
                    times[mode][q.name][s.name].append(dt)
                    rounds_of[mode][q.name][s.name].append(r)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return {"times": times, "rounds": rounds_of, "sizes": sizes, "errors": errors, "requests": n}


def paired_median(res: dict, mode: str, query: str, server: str, peer: str) -> float | None:
    """The server's median over only the rounds in which `peer` was measured too: with fewer
    rounds for rdflib-endpoint, a ratio against the whole run would compare different minutes
    of a machine whose speed drifts."""
    peer_rounds = set(res["rounds"][mode][query][peer])
    xs = [dt for dt, r in zip(res["times"][mode][query][server], res["rounds"][mode][query][server], strict=True)
          if r in peer_rounds]
    return statistics.median(xs) if xs else None


def report(res: dict, servers: list[Server], modes: list[str], scale_target: bool) -> tuple[list[str], dict]:
    names = [s.name for s in servers]
    out: list[str] = []
    summary: dict = {}
    verdicts: list[str] = []
    for mode in modes:
        t = res["times"][mode]
        med = {q.name: {s: (statistics.median(v) if v else None) for s, v in t[q.name].items()} for q in QUERIES}
        out.append(f"\n== {mode}: median latency in ms (n per cell: "
                   + ", ".join(f"{s}={len(t[QUERIES[0].name][s])}" for s in names) + ")")
        hdr = f"{'query':22s}" + "".join(f"{s[:16]:>17s}" for s in names)
        has = lambda n: n in names  # noqa: E731
        kgs = [n for n in names if n.startswith("kg-serve-")]  # kg-serve-{server}{workers}
        for n in kgs if has("oxigraph") else []:
            hdr += f"{n[9:] + '/oxi':>14s}"
        for n in kgs if has("rdflib-endpoint") else []:
            hdr += f"{'rdf/' + n[9:]:>14s}"
        out.append(hdr)
        r_rdf_agg: dict[str, list] = {n: [] for n in kgs}
        r_oxi: dict[str, list] = {n: [] for n in kgs}
        for q in QUERIES:
            m = med[q.name]
            line = f"{q.name:22s}" + "".join(f"{ms(m[s]):>17s}" for s in names)
            for n in kgs:
                if has("oxigraph") and m[n] and m["oxigraph"]:
                    r = m[n] / m["oxigraph"]
                    r_oxi[n].append((r, q.name))
                    line += f"{r:14.2f}"
            for n in kgs:
                paired = paired_median(res, mode, q.name, n, "rdflib-endpoint") if has("rdflib-endpoint") else None
                if m.get("rdflib-endpoint") and paired:
                    r = m["rdflib-endpoint"] / paired
                    line += f"{r:14.1f}"
                    if q.aggregate:
                        r_rdf_agg[n].append((r, q.name))
            out.append(line + ("  (aggregate)" if q.aggregate else ""))
        s_mode: dict = {"medians_ms": {q: {s: (v * 1000 if v else None) for s, v in d.items()} for q, d in med.items()}}
        for n in kgs:
            rs = r_oxi[n]
            if not rs:
                continue
            label = f"kg serve ({n[9:]}) / oxigraph"
            g = geomean([r for r, _ in rs])
            worst = max(rs)
            ok = g <= 1.5 and worst[0] <= 3.0
            out.append(f"{label}: geomean {g:.2f}x, worst {worst[0]:.2f}x ({worst[1]})  "
                       f"target <= 1.5x and no query > 3x: {'PASS' if ok else 'FAIL'}")
            s_mode[label] = {"geomean": g, "worst": worst[0], "worst_query": worst[1]}
            if mode == "fresh":
                verdicts.append(f"{label}: {'PASS' if ok else 'FAIL'}")
        for n, rs in r_rdf_agg.items():
            if not rs:
                continue
            lo = min(rs)
            ok = lo[0] >= 20
            out.append(f"rdflib-endpoint / kg serve ({n[9:]}) on aggregates: min {lo[0]:.1f}x ({lo[1]}), geomean "
                       f"{geomean([r for r, _ in rs]):.1f}x  target >= 20x: {'PASS' if ok else 'FAIL'}")
            s_mode[f"rdflib_over_{n}_aggregates_min"] = lo[0]
            if mode == "fresh":
                verdicts.append(f"rdflib >= 20x kg ({n[9:]}) on aggregates: {'PASS' if ok else 'FAIL'}")
        if has("rdflib-endpoint") and has("oxigraph"):  # the peer engine's own margin, for reference
            rs = [(med[q.name]["rdflib-endpoint"] / p, q.name) for q in QUERIES if q.aggregate
                  and med[q.name].get("rdflib-endpoint")
                  and (p := paired_median(res, mode, q.name, "oxigraph", "rdflib-endpoint"))]
            if rs:
                out.append("rdflib-endpoint / oxigraph serve on aggregates (no target): "
                           + ", ".join(f"{name} {r:.1f}x" for r, name in rs))
        for n in kgs if scale_target else []:
            worst = max((m[n] or 0, q) for q, m in med.items())
            ok = worst[0] < 0.5
            out.append(f"every query < 500 ms on kg serve ({n[9:]}): slowest {worst[1]} {worst[0] * 1000:.0f} ms: "
                       f"{'PASS' if ok else 'FAIL'}")
            if mode == "fresh":
                verdicts.append(f"every query < 500 ms ({n[9:]}): {'PASS' if ok else 'FAIL'}")
        summary[mode] = s_mode
    out.append("\nanswer sizes (rows / triples) per server:")
    for q in QUERIES:
        sz = res["sizes"][q.name]
        flag = "" if len(set(sz.values())) <= 1 else "   <- servers disagree"
        out.append(f"  {q.name:22s} " + "  ".join(f"{s}={v}" for s, v in sz.items()) + flag)
    if res["errors"]:
        out.append(f"errors ({len(res['errors'])}): " + "; ".join(res["errors"][:10]))
    out.append("verdicts (fresh mode): " + "; ".join(verdicts))
    return out, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", default="dist", help="release folder (kg.nt, kg.ttl, store/)")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--rdflib-rounds", type=int, default=None,
                    help="rounds with rdflib-endpoint (default: all; fewer on a large release, where it is slow)")
    ap.add_argument("--no-rdflib", action="store_true", help="leave rdflib-endpoint out (e.g. at 35k places)")
    ap.add_argument("--no-gunicorn", action="store_true", help="leave out kg serve --workers 2 --server gunicorn")
    ap.add_argument("--granian", action="store_true", help="also kg serve --workers 2 (granian)")
    ap.add_argument("--flask", action="store_true", help="also kg serve --server flask (the development server)")
    ap.add_argument("--modes", default="fresh,repeat")
    ap.add_argument("--seed", type=int, default=0, help="seed of the request order (random per query and mode)")
    ap.add_argument("--budget", type=float, default=900, help="stop starting new rounds after this many seconds")
    ap.add_argument("--scale-target", action="store_true", help="also check every query < 500 ms")
    ap.add_argument("--json", type=Path, default=None, help="write raw medians here")
    a = ap.parse_args()
    dist = Path(a.dist).resolve()
    modes = [m for m in a.modes.split(",") if m]
    servers: list[Server] = []
    try:
        print("starting servers ...", file=sys.stderr)
        servers.append(start_kg(dist))  # `kg serve` as it comes: granian, one web process
        if a.flask:
            servers.append(start_kg(dist, server="flask"))
        if not a.no_gunicorn:
            servers.append(start_kg(dist, workers=2, server="gunicorn"))
        if a.granian:
            servers.append(start_kg(dist, workers=2))
        servers.append(start_oxigraph(dist / "kg.nt"))
        if not a.no_rdflib:
            servers.append(start_rdflib(dist / "kg.ttl"))
        for s in servers:
            print(f"  {s.name}: ready in {s.start_seconds:.2f} s (+{s.load_seconds:.2f} s load), "
                  f"RSS {s.rss() / 1e6:.0f} MB, {s.endpoint}", file=sys.stderr)
        oxi = next(s for s in servers if s.name == "oxigraph")
        place = pick_place(oxi.query_json)
        print(f"  place for one-place queries: {place}", file=sys.stderr)
        t0 = time.monotonic()
        res = run(servers, a.rounds, a.rounds if a.rdflib_rounds is None else a.rdflib_rounds, place, modes,
                  a.budget, a.seed)
        wall = time.monotonic() - t0
        triples = json.loads((dist / "release.json").read_text()).get("triples")
        print(f"\n# bench_queries  {time.strftime('%Y-%m-%d %H:%M')}  release {dist.name} ({triples:,} triples)  "
              f"rounds {a.rounds}  {res['requests']} timed requests in {wall:.0f} s")
        print("servers: " + "; ".join(f"{s.name} start {s.start_seconds:.2f} s, RSS {s.rss() / 1e6:.0f} MB"
                                      for s in servers))
        print(f"place: {place}")
        lines, summary = report(res, servers, modes, a.scale_target)
        print("\n".join(lines))
        save_result({"dist": str(dist), "place": place, "summary": summary, "sizes": res["sizes"],
                     "errors": res["errors"], "times_s": res["times"], "rounds": res["rounds"]},
                    f"queries-{dist.name}.json", a.json)
    finally:
        for s in servers:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
