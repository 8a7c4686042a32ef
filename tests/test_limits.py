"""Limits on by default: a query that would run for minutes is stopped at the time limit (its
worker process is killed and replaced) while cheap queries keep answering fast; result size cap."""
from __future__ import annotations

import threading
import time
from urllib.parse import quote

import pytest

from kg.app import DEFAULTS
from test_app_support import descendants, http, live_server, server_process

LIMIT = 2.0
# a three-way cross product of the whole graph: ~10^10 rows, minutes of work
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_defaults_are_safe():
    assert DEFAULTS["QUERY_TIMEOUT"] == 10.0
    assert DEFAULTS["RESULT_LIMIT"] > 0
    assert DEFAULTS["SERVICE_ALLOWLIST"] == ()
    assert DEFAULTS["WRITE_TOKEN"] is None


@pytest.fixture(scope="module", params=["on", "off"])
def server(request):
    """Query workers forked from the in-memory release, and workers on the on-disk store."""
    return live_server("--timeout", str(LIMIT), "--query-workers", "3", "--memory", request.param)


def cheap(server: str, i: int) -> tuple[int, float]:
    # each one different, so no cache answers it
    q = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i + 1}"
    t = time.perf_counter()
    status, _, _ = http("GET", f"{server}/sparql?query={quote(q)}", headers={"Accept": "application/sparql-results+json"})
    return status, time.perf_counter() - t


def test_heavy_query_is_stopped_while_cheap_ones_answer(server):
    proc = server_process(server)
    for i in range(3):  # warm: every pool worker started (REGEX: never run in the web process)
        q = f'SELECT ?s WHERE {{ ?s ?p ?o FILTER regex(str(?s), "{i}") }} LIMIT 1'
        assert http("GET", f"{server}/sparql?query={quote(q)}", headers={"Accept": "text/csv"})[0] == 200
    before = descendants(proc.pid)
    deadline = time.monotonic() + 10  # the pool starts its workers in the background: let it settle
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = descendants(proc.pid)
        if now == before:
            break
        before = now
    assert len(before) >= 3, before
    out: dict = {}

    def heavy() -> None:
        t = time.perf_counter()
        out["status"], _, out["body"] = http("POST", f"{server}/sparql", HEAVY.encode(),
                                             {"Content-Type": "application/sparql-query"}, timeout=60)
        out["took"] = time.perf_counter() - t

    th = threading.Thread(target=heavy)
    th.start()
    time.sleep(0.3)
    timings = []
    t_end = time.monotonic() + LIMIT - 0.5  # while the heavy query is surely still running
    while th.is_alive() and time.monotonic() < t_end:
        status, took = cheap(server, len(timings))
        assert status == 200
        timings.append(took)
        time.sleep(0.02)
    th.join(30)
    assert out["status"] == 503, out
    assert b"time limit" in out["body"]
    assert LIMIT - 0.1 <= out["took"] < LIMIT + 1.5, out["took"]
    assert len(timings) >= 10
    timings.sort()
    print(f"\nheavy query stopped after {out['took']:.2f} s; {len(timings)} cheap queries meanwhile: "
          f"median {timings[len(timings) // 2] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms")
    assert timings[-1] < 0.1, timings[-5:]
    # the worker that ran it was killed (its CPU freed), and a fresh one replaced it
    after = descendants(proc.pid)
    assert before - after, "the overrunning worker is gone"
    deadline = time.monotonic() + 10
    while len(descendants(proc.pid)) < len(before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(descendants(proc.pid)) == len(before)
    assert cheap(server, 5000)[0] == 200


def test_several_heavy_queries_do_not_starve_pages(server):
    """Even with every query worker busy, pages (bounded lookups) keep answering."""
    results = []

    def heavy() -> None:
        results.append(http("POST", f"{server}/sparql", HEAVY.encode(),
                            {"Content-Type": "application/sparql-query"}, timeout=60)[0])

    threads = [threading.Thread(target=heavy) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    status, _, body = http("GET", f"{server}/page/jurisdiction/norwich-ct", headers={"Accept": "text/html"})
    assert status == 200 and b"Norwich, CT" in body
    assert time.perf_counter() - t0 < 1.0
    for t in threads:
        t.join(30)
    assert sorted(results) == [503] * 4


def test_result_size_cap():
    url = live_server("--result-limit", "2000")
    status, _, body = http("GET", f"{url}/sparql?query={quote('SELECT * WHERE { ?s ?p ?o }')}",
                           headers={"Accept": "text/csv"})
    assert status == 413 and b"larger than 2,000 bytes" in body
    status, _, _ = http("GET", f"{url}/sparql?query={quote('SELECT * WHERE { ?s ?p ?o } LIMIT 3')}",
                        headers={"Accept": "text/csv"})
    assert status == 200


@pytest.mark.parametrize("server", [(), ("--workers", "2"), ("--workers", "2", "--server", "gunicorn")],
                         ids=["one-process", "granian-2", "gunicorn-2"])
def test_flood_of_slow_queries_does_not_starve_cheap_ones(server):
    """12 clients sending heavy queries back to back, under one process and under granian and
    gunicorn (2 workers each): one long query per server process runs to the time limit, the others are stopped
    once they run long (503 'busy'); cheap queries keep getting answers meanwhile."""
    url = live_server("--timeout", "3", "--query-workers", "3", *server)
    stop = time.monotonic() + 4.0
    heavy_status: list[tuple[int, bytes]] = []

    def flood(i: int) -> None:
        n = 0
        while time.monotonic() < stop and n < 20:
            n += 1
            q = HEAVY + f" # flood {i} {n}"
            st, _, body = http("POST", f"{url}/sparql", q.encode(), {"Content-Type": "application/sparql-query"},
                               timeout=30)
            heavy_status.append((st, body))

    threads = [threading.Thread(target=flood, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    time.sleep(0.8)
    timings = []
    while time.monotonic() < stop - 0.3 and len(timings) < 200:
        st, took = cheap(url, 20_000 + len(timings))
        assert st == 200
        timings.append(took)
        time.sleep(0.05)
    for t in threads:
        t.join(60)
    timings.sort()
    print(f"\n{' '.join(server) or 'one process'}: {len(heavy_status)} heavy requests, {len(timings)} cheap ones: "
          f"median {timings[len(timings) // 2] * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms")
    assert {st for st, _ in heavy_status} == {503}
    assert any(b"busy with other long queries" in b for _, b in heavy_status)
    assert len(timings) >= 10
    assert timings[len(timings) // 2] < 0.7 and timings[-1] < 2.0, timings[-5:]
