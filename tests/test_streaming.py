"""Large answers are streamed: an answer over STREAM_AFTER bytes leaves in chunks while the
engine is still writing it, without holding a query worker for a slow client; the time and
size limits still stop it (the transfer is then cut off, so the client sees an incomplete
response, never a complete-looking one), and small answers keep Content-Length and ETag."""
from __future__ import annotations

import http.client as hc
import json
import time
from urllib.parse import quote, urlparse

import pytest

from kg.engine import STREAM_AFTER, Answer, EmbeddedEngine, QueryTimeout, ResultTooLarge, Streamed
from test_app_support import http, live_server, small_release

# every triple with every triple: far more rows than any limit below lets through
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
BIG = CROSS + " LIMIT 30000"  # ~10 MB of JSON
SMALL = "SELECT ?p WHERE { <https://w3id.org/demand-kg/id/jurisdiction/norwich-ct> ?p ?o } LIMIT 3"


@pytest.fixture(scope="module", params=["memory", "disk"])
def engine(request):
    dist = small_release()
    src = dist / "kg.nt" if request.param == "memory" else None
    eng = EmbeddedEngine(dist / "store", workers=1, memory_source=src, timeout=5.0, inline_cap=0)
    yield eng
    eng.close()


def test_a_large_answer_is_streamed_and_complete(engine):
    whole = engine.execute(BIG)
    assert isinstance(whole, Answer) and len(whole.body) > 3 * STREAM_AFTER
    ans = engine.execute(BIG, stream=True)
    assert isinstance(ans, Streamed) and ans.media_type == "application/sparql-results+json"
    chunks = list(ans.chunks)
    assert len(chunks) > 3
    data = json.loads(b"".join(chunks))
    assert len(data["results"]["bindings"]) == 30000
    assert set(data["head"]["vars"]) == {"a", "b", "c", "d", "e", "f"}
    small = engine.execute(SMALL, stream=True)  # under STREAM_AFTER: whole, as before
    assert isinstance(small, Answer) and len(json.loads(small.body)["results"]["bindings"]) == 3


def test_an_abandoned_stream_gives_its_worker_back(engine):
    for _ in range(3):  # one worker: each stream must return it, even if nobody reads on
        ans = engine.execute(BIG, stream=True)
        assert isinstance(ans, Streamed)
        next(iter(ans.chunks))
        del ans
    assert isinstance(engine.execute(SMALL), Answer)
    assert engine.pool.killed == 0


def test_the_size_limit_stops_a_stream_half_way():
    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=1, inline_cap=0, result_limit=3 * STREAM_AFTER)
    try:
        ans = eng.execute(BIG, stream=True)
        got = 0
        with pytest.raises(ResultTooLarge):
            for c in ans.chunks:
                got += len(c)
        assert STREAM_AFTER < got <= 3 * STREAM_AFTER
        assert eng.pool.killed == 0  # the worker stopped writing and is in use again
        assert isinstance(eng.execute(SMALL), Answer)
        with pytest.raises(ResultTooLarge):  # a limit under STREAM_AFTER is still a plain 413
            _small_limit(dist)
    finally:
        eng.close()


def _small_limit(dist) -> None:
    eng = EmbeddedEngine(dist / "store", workers=1, inline_cap=0, result_limit=STREAM_AFTER // 2)
    try:
        eng.execute(BIG, stream=True)
    finally:
        eng.close()


def test_the_time_limit_stops_a_stream_and_its_worker():
    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=1, inline_cap=0, timeout=1.5, result_limit=0,
                         memory_source=dist / "kg.nt")
    try:
        # three-fold cross product, no LIMIT: it would go on for hours
        ans = eng.execute("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", stream=True)
        assert isinstance(ans, Streamed)
        got = 0
        with pytest.raises(QueryTimeout):
            for c in ans.chunks:
                got += len(c)
        assert got > STREAM_AFTER
        assert eng.pool.killed == 1
        assert isinstance(eng.execute(SMALL), Answer)  # a new worker answers
    finally:
        eng.close()


def _get(url: str, query: str, accept: str = "application/sparql-results+json"):
    u = urlparse(url)
    c = hc.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("GET", "/sparql?query=" + quote(query), headers={"Accept": accept})
    r = c.getresponse()
    return c, r


@pytest.mark.parametrize("server", [(), ("--server", "gunicorn", "--workers", "2")])
def test_http_streams_large_answers_and_cuts_off_over_the_limit(server):
    url = live_server(*server)
    c, r = _get(url, BIG)
    assert r.status == 200 and r.getheader("Content-Length") is None and r.getheader("ETag") is None
    assert len(json.loads(r.read())["results"]["bindings"]) == 30000
    c.close()
    status, headers, _ = http("GET", url + "/sparql?query=" + quote(SMALL),
                              headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and "content-length" in headers and "etag" in headers
    # the default limit is 50 MB: the cross product passes it while being sent
    c, r = _get(url, CROSS, "text/csv")
    assert r.status == 200
    with pytest.raises(hc.IncompleteRead):
        r.read()
    c.close()
    status, _, body = http("GET", url + "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_a_long_stream_needs_a_long_query_slot_like_any_long_query():
    """A flood of slow streamed answers must not hold every worker: past `long_after` a stream
    needs the (single) long-query slot, and is stopped when another long query has it."""
    import threading

    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=3, inline_cap=0, timeout=4.0, result_limit=0,
                         long_after=0.3, long_max=1, memory_source=dist / "kg.nt")
    try:
        done: dict = {}

        def hog() -> None:  # holds the long slot until the time limit
            try:
                eng.execute("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
            except QueryTimeout as e:
                done["hog"] = str(e)

        t = threading.Thread(target=hog)
        t.start()
        time.sleep(0.8)  # the hog is long by now and holds the slot
        ans = eng.execute("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", stream=True)
        assert isinstance(ans, Streamed)
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout, match="busy with other long queries"):
            for _ in ans.chunks:
                pass
        assert time.monotonic() - t0 < 2.0  # stopped at long_after, not at the time limit
        t.join(10)
        assert "time limit" in done.get("hog", "")
        assert isinstance(eng.execute(SMALL), Answer)
    finally:
        eng.close()


def _raw_http10(url: str, query: str, accept: str) -> tuple[int, dict, bytes]:
    import socket

    u = urlparse(url)
    with socket.create_connection((u.hostname, u.port), timeout=60) as sock:
        sock.sendall(f"GET /sparql?query={quote(query)} HTTP/1.0\r\nHost: {u.netloc}\r\nAccept: {accept}\r\n\r\n"
                     .encode())
        data = b""
        while chunk := sock.recv(1 << 16):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_http10_clients_get_whole_answers_or_a_413():
    """An HTTP/1.0 body ends with the connection, so a cut-off stream would look whole: such
    clients (and proxies speaking HTTP/1.0 upstream) get Content-Length answers, and a 413."""
    url = live_server()
    status, headers, body = _raw_http10(url, BIG, "application/sparql-results+json")
    assert status == 200 and int(headers["content-length"]) == len(body) > STREAM_AFTER
    assert len(json.loads(body)["results"]["bindings"]) == 30000
    status, _, body = _raw_http10(url, CROSS, "text/csv")
    assert status == 413 and b"larger than" in body


def test_a_closed_engine_answers_at_once():
    """A request still holding a release that is no longer served is told so at once, not
    after waiting out the time limit for a worker."""
    from kg.engine import EndpointError

    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=1, inline_cap=0, timeout=5.0)
    assert isinstance(eng.execute(SMALL), Answer)
    eng.close()
    t0 = time.monotonic()
    with pytest.raises(EndpointError, match="no longer served"):
        eng.execute(SMALL)
    assert time.monotonic() - t0 < 1.0
