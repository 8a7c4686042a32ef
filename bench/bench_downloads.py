"""Downloads: time to first byte and throughput of the largest dump and its .gz, through kg
serve's /dumps/ route (one process and gunicorn) and through `python -m http.server` serving the
same files (the peer: neither oxigraph nor rdflib-endpoint serves files), interleaved.

    python bench/bench_downloads.py --dist dist --reps 7

Each download opens a new connection, sends GET, and times the first body byte (TTFB, connect
included) and the last (MB/s = body bytes / total time). Cases: the plain dump, the stored .gz,
and the plain dump with `Accept-Encoding: gzip` (kg serve then sends the stored .gz as
Content-Encoding: gzip); plus a revalidation with If-None-Match (kg serve should answer 304).
"""
from __future__ import annotations

import argparse
import http.client
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import save_result, Server, start_http_server, start_kg  # noqa: E402


def fetch(srv: Server, path: str, headers: dict | None = None) -> dict:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=300)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        first = resp.read(1)
        ttfb = time.perf_counter() - t0
        n = len(first)
        while True:
            chunk = resp.read(1 << 20)
            if not chunk:
                break
            n += len(chunk)
        total = time.perf_counter() - t0
        return {"status": resp.status, "ttfb": ttfb, "total": total, "bytes": n,
                "encoding": resp.getheader("Content-Encoding"), "etag": resp.getheader("ETag")}
    finally:
        conn.close()


def transfer_stats(ds: list[dict]) -> dict:
    """Medians over repeated fetches of one thing from one server (see fetch)."""
    ttfb = statistics.median(d["ttfb"] for d in ds)
    tot = statistics.median(d["total"] for d in ds)
    nbytes = ds[0]["bytes"]
    return {"ttfb_ms": ttfb * 1000, "total_ms": tot * 1000, "mb_s": nbytes / tot / 1e6, "bytes": nbytes,
            "status": ds[0]["status"], "statuses": sorted({d["status"] for d in ds})}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    dist = Path(a.dist).resolve()
    dumps = {n: (dist / n).stat().st_size for n in ("kg.ttl", "kg.nt", "kg.jsonld") if (dist / n).exists()}
    big = max(dumps, key=dumps.get)
    servers: list[Server] = []
    rows: dict = {}
    try:
        servers = [start_kg(dist), start_kg(dist, workers=2), start_http_server(dist)]
        cases = [(big, {}), (big + ".gz", {}), (big, {"Accept-Encoding": "gzip"})]
        rng = random.Random(0)
        for _rep in range(a.reps):
            for name, hdrs in cases:
                for s in rng.sample(servers, len(servers)):  # rotating would fix who follows whom
                    path = (f"/dumps/{name}" if s.name.startswith("kg") else f"/{name}")
                    if s.name == "http.server" and hdrs:
                        continue  # it has no content coding; the .gz row is its equivalent
                    d = fetch(s, path, hdrs)
                    key = (name + (" (Accept-Encoding: gzip)" if hdrs else ""), s.name)
                    rows.setdefault(key, []).append(d)
        reval = {}
        for s in servers[:2]:
            first = fetch(s, f"/dumps/{big}")
            times = []
            status = None
            for _ in range(a.reps):
                d = fetch(s, f"/dumps/{big}", {"If-None-Match": first["etag"] or ""})
                times.append(d["total"])
                status = d["status"]
            reval[s.name] = (status, statistics.median(times))
        print(f"# bench_downloads  {time.strftime('%Y-%m-%d %H:%M')}  release {dist.name}  largest dump {big} "
              f"({dumps[big] / 1e6:,.1f} MB; .gz {(dist / (big + '.gz')).stat().st_size / 1e6:,.1f} MB)  "
              f"{a.reps} reps interleaved, medians, new connection per download")
        print(f"{'file':38s}{'server':22s}{'status':>7s}{'TTFB ms':>9s}{'total ms':>10s}{'MB/s':>9s}{'bytes':>14s}  enc")
        summary = {}
        for (name, sname), ds in rows.items():
            st = summary[f"{name}/{sname}"] = transfer_stats(ds)
            print(f"{name:38s}{sname:22s}{st['status']:7d}{st['ttfb_ms']:9.2f}{st['total_ms']:10.1f}{st['mb_s']:9.0f}"
                  f"{st['bytes']:14,d}  {ds[0]['encoding'] or '-'}")
        for sname, (status, t) in reval.items():
            print(f"revalidation If-None-Match on /dumps/{big}: {sname} -> {status} in {t * 1000:.2f} ms")
        for name in (big, big + ".gz"):
            k, h = summary.get(f"{name}/kg-serve-granian2"), summary.get(f"{name}/http.server")
            if k and h:
                print(f"  {name}: kg serve (granian, 2 workers) / http.server: TTFB {k['ttfb_ms'] / h['ttfb_ms']:.2f}x, "
                      f"throughput {k['mb_s'] / h['mb_s']:.2f}x")
        save_result(summary, f"downloads-{dist.name}.json")
    finally:
        for s in servers:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
