"""`kg serve` under granian (the default, one or more web processes) and the other servers:
the same site and endpoint, with the time limit still enforced (the query's process is stopped)
while cheap queries answer."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

from test_app_support import http, live_server, server_process

ASK = "ASK { <https://w3id.org/demand-kg/id/jurisdiction/norwich-ct> ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_granian_serves_site_endpoint_and_linked_data():
    url = live_server("--server", "granian", "--workers", "2", "--timeout", "2")
    status, headers, body = http("GET", url + "/sparql?query=" + quote(ASK),
                                 headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    assert json.loads(body)["boolean"] is True
    status, headers, _ = http("GET", url + "/id/jurisdiction/norwich-ct", headers={"Accept": "text/turtle"})
    assert status == 303 and headers["location"].endswith("/data/jurisdiction/norwich-ct.ttl")
    status, headers, body = http("GET", url + "/", headers={"Accept": "text/html"})
    assert status == 200 and b"Demand KG" in body
    status, _, body = http("POST", url + "/sparql", body=b"INSERT DATA { <a:b> <a:c> <a:d> }",
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 403


def test_granian_starts_without_the_thread_count_warning():
    # granian warns when a WSGI app may use more threads than 2 x cores; ours waits in most of
    # them (kg.serve._ThreadsIntended), so the warning would only mislead whoever starts it
    url = live_server("--server", "granian", "--timeout", "2")
    assert http("GET", url + "/sparql?query=" + quote(ASK))[0] == 200
    log = Path(server_process(url).log_path).read_text(encoding="utf-8", errors="replace")
    assert "Listening at" in log  # granian's other messages still show
    assert "seems quite high" not in log


def test_granian_stops_a_long_query_while_cheap_ones_answer():
    url = live_server("--server", "granian", "--workers", "2", "--timeout", "2")
    out: dict = {}

    def heavy() -> None:
        t = time.monotonic()
        out["status"] = http("GET", url + "/sparql?query=" + quote(HEAVY), timeout=60)[0]
        out["took"] = time.monotonic() - t

    th = threading.Thread(target=heavy)
    th.start()
    time.sleep(0.5)
    cheap = []
    while th.is_alive() and len(cheap) < 200:
        t = time.monotonic()
        status = http("GET", url + f"/sparql?query={quote(ASK)}%23{len(cheap)}")[0]
        cheap.append((status, time.monotonic() - t))
    th.join(30)
    assert out["status"] == 503 and out["took"] < 6
    assert cheap and all(s == 200 for s, _ in cheap)
    assert sorted(d for _, d in cheap)[len(cheap) // 2] < 0.1


def test_flask_development_server_on_request_and_only_one_process():
    url = live_server("--server", "flask")
    status, _, body = http("GET", url + "/sparql?query=" + quote(ASK),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True
    import subprocess
    import sys

    from test_app_support import small_release

    done = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--server", "flask", "--workers", "2",
                           "--dist", str(small_release())], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--server flask runs one process" in done.stderr


def test_oversized_body_gets_413_that_a_send_everything_client_can_read():
    # http.client sends the whole body before reading: without draining it the server would
    # close the connection under it and the client would see a reset instead of the 413
    for extra in ((), ("--server", "gunicorn", "--workers", "2")):
        url = live_server(*extra)
        status, _, body = http("POST", url + "/sparql", b"\xff" * 8_000_000,
                               headers={"Content-Type": "application/sparql-query"})
        assert status == 413 and b"at most 2,000,000" in body, (extra, body[:200])
        status, _, body = http("POST", url + "/sparql", b"query=ASK%7B%7D",
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "Accept": "application/sparql-results+json"})
        assert status == 200 and json.loads(body)["boolean"] is True
