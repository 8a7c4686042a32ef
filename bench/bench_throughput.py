"""Throughput: concurrent keep-alive clients from a second process (wrk, Debian package) against
kg serve under gunicorn and oxigraph serve over the same release, in the same run, interleaved.

    python bench/bench_throughput.py --dist dist --seconds 10 --clients 32 --reps 3

Scenarios (all GET, Accept: SPARQL JSON / Turtle):
* lookup        the one-value lookup (population of one place), same URL every time: kg serve
                may answer from its response cache, as it would for a hot lookup;
* lookup-many   the same lookup over up to 500 different places, round robin;
* lookup-fresh  the lookup with a unique comment per request, so no cache can answer (each
                request runs the query in kg serve's query-worker pool);
* ask           ASK on one place;
* mix           70 % lookups/ASK over many places, 20 % DESCRIBE/CONSTRUCT of a place, 10 % the
                aggregate queries of the set (fresh tags on a third of them);
* data-page     GET /data/jurisdiction/{slug}.ttl (kg serve only: the linked-data route).

Reported per server and scenario: median over the reps of requests/s, p50, p99, errors
(connect/read/write/timeout and non-2xx), and the server's CPU time per request (its process
tree, psutil): 2 cores / that is the ceiling the server could reach with the machine to itself,
a figure that holds when other work shares the cores. Target: lookup >= 4,000 req/s with 0 errors and
p99 < 50 ms at 32 clients on kg serve.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queries import BY_NAME, QUERIES, pick_place, places_sample  # noqa: E402
from servers import save_result, Server, start_kg, start_oxigraph, tree_cpu  # noqa: E402

LUA = r"""
local paths = {}
local counter = 0
local fresh = false
local tid = 0
local threads = {}
local accept = "application/sparql-results+json, text/turtle;q=0.9"

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  fresh = args[2] == "fresh"
end

function request()
  counter = counter + 1
  local p = paths[(counter % #paths) + 1]
  if fresh or string.sub(p, 1, 1) == "!" then
    if string.sub(p, 1, 1) == "!" then p = string.sub(p, 2) end
    p = p .. "%0A%23t" .. tostring(tid) .. "-" .. tostring(counter)
  end
  return wrk.format("GET", p, {["Accept"] = accept})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %f, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
"""


def qpath(srv: Server, query: str) -> str:
    return srv.sparql_path + "?" + urllib.parse.urlencode({"query": query})


def scenario_paths(srv: Server, name: str, place: str, places: list[str]) -> tuple[list[str], bool]:
    """Request paths for one scenario on one server ('!' prefix: add a fresh tag), fresh flag."""
    look, ask = BY_NAME["one-value-lookup"], BY_NAME["ask-place"]
    if name == "lookup":
        return [qpath(srv, look.text(place))], False
    if name == "lookup-many":
        return [qpath(srv, look.text(p)) for p in places], False
    if name == "lookup-fresh":
        return [qpath(srv, look.text(place))], True
    if name == "ask":
        return [qpath(srv, ask.text(place))], False
    if name == "data-page":
        return [f"/data/jurisdiction/{p.rsplit('/', 1)[1]}.ttl" for p in places], False
    if name == "mix":
        aggs = [q for q in QUERIES if q.aggregate or q.name in ("state-tactic-by-pop", "two-tactics", "label-search")]
        out: list[str] = []
        for i in range(100):
            p = places[i % len(places)]
            if i % 10 < 7:
                out.append(qpath(srv, (look if i % 2 else ask).text(p)))
            elif i % 10 < 9:
                out.append(qpath(srv, BY_NAME["describe-place" if i % 2 else "construct-place"].text(p)))
            else:
                q = aggs[(i // 10) % len(aggs)]
                out.append(("!" if (i // 10) % 3 == 0 else "") + qpath(srv, q.text(place)))
        return out, False
    raise ValueError(name)


def run_wrk(srv: Server, paths: list[str], fresh: bool, seconds: float, clients: int, threads: int,
            tmp: Path) -> dict:
    plist = tmp / f"paths-{srv.port}.txt"
    plist.write_text("\n".join(paths) + "\n")
    script = tmp / "bench.lua"
    script.write_text(LUA)
    cmd = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "10s",
           "-s", str(script), srv.base, "--", str(plist), "fresh" if fresh else "cached"]
    cpu0 = tree_cpu(srv.proc.pid)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    cpu1 = tree_cpu(srv.proc.pid)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {p.stdout[-1000:]} {p.stderr[-1000:]}")
    d = json.loads(line[5:])
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    d["cpu_us_per_req"] = (cpu1 - cpu0) / max(1, d["requests"]) * 1e6  # server CPU per request
    d["errors"] = d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"]
    return d


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--kg-workers", type=int, default=2, help="server processes for kg serve")
    ap.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn",
                    help="the HTTP server kg serve runs under (default: gunicorn)")
    ap.add_argument("--scenarios", default="lookup,lookup-many,lookup-fresh,ask,mix,data-page")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    dist = Path(a.dist).resolve()
    scenarios = [s for s in a.scenarios.split(",") if s]
    servers: list[Server] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    try:
        servers.append(start_kg(dist, workers=a.kg_workers, server=a.server))
        servers.append(start_oxigraph(dist / "kg.nt"))
        oxi = servers[1]
        place = pick_place(oxi.query_json)
        places = places_sample(oxi.query_json, 500)
        for s in servers:  # warm every worker's query pool and caches a little
            run_wrk(s, scenario_paths(s, "lookup", place, places)[0], False, 1, 4, 1, tmp)
        rows: dict = {}
        for rep in range(a.reps):
            for sc in scenarios:
                order = servers if rep % 2 == 0 else servers[::-1]
                for s in order:
                    if sc == "data-page" and s.name == "oxigraph":
                        continue
                    paths, fresh = scenario_paths(s, sc, place, places)
                    d = run_wrk(s, paths, fresh, a.seconds, a.clients, a.threads, tmp)
                    rows.setdefault((sc, s.name), []).append(d)
                    print(f"  rep {rep + 1} {sc:13s} {s.name:20s} {d['rps']:8.0f} req/s  p50 {d['p50_us'] / 1000:6.1f} ms"
                          f"  p99 {d['p99_us'] / 1000:6.1f} ms  errors {d['errors']}", file=sys.stderr)
        rss = {s.name: s.rss() for s in servers}
        print(f"\n# bench_throughput  {time.strftime('%Y-%m-%d %H:%M')}  release {dist.name}  wrk -t{a.threads} "
              f"-c{a.clients} -d{a.seconds:g}s, {a.reps} reps interleaved, medians; kg serve = {a.server} "
              f"{a.kg_workers} workers")
        print(f"RSS after the run: " + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in rss.items()))
        print(f"{'scenario':14s}{'server':22s}{'req/s':>9s}{'p50 ms':>9s}{'p99 ms':>9s}{'errors':>8s}{'non-2xx':>8s}{'CPU us/req':>11s}{'2 cores/CPU':>12s}")
        summary = {}
        for (sc, name), ds in rows.items():
            med = {k: statistics.median(d[k] for d in ds) for k in ("rps", "p50_us", "p99_us", "cpu_us_per_req")}
            errs, st = sum(d["errors"] for d in ds), sum(d["status"] for d in ds)
            summary[f"{sc}/{name}"] = {**med, "errors": errs, "runs": [d["rps"] for d in ds]}
            print(f"{sc:14s}{name:22s}{med['rps']:9.0f}{med['p50_us'] / 1000:9.2f}{med['p99_us'] / 1000:9.2f}"
                  f"{errs:8d}{st:8d}{med['cpu_us_per_req']:11.0f}{2e6 / max(1, med['cpu_us_per_req']):12.0f}")
        for sc in scenarios:
            k, o = summary.get(f"{sc}/kg-serve-{a.server}{a.kg_workers}"), summary.get(f"{sc}/oxigraph")
            if k and o:
                print(f"  {sc}: kg serve / oxigraph throughput = {k['rps'] / o['rps']:.2f}")
        k = summary.get(f"lookup/kg-serve-{a.server}{a.kg_workers}")
        if k:
            ok = k["rps"] >= 4000 and k["errors"] == 0 and k["p99_us"] < 50_000
            print(f"target lookup >= 4,000 req/s, 0 errors, p99 < 50 ms at {a.clients} clients: "
                  f"{k['rps']:.0f} req/s, {k['errors']} errors, p99 {k['p99_us'] / 1000:.1f} ms: {'PASS' if ok else 'FAIL'}")
        save_result(summary, f"throughput-{dist.name}.json", a.json)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
