"""A new release without dropping requests. `kg build` publishes it next to the old one and
moves the `dist` symlink; every server process of a running `kg serve` notices and switches to
it (kg.app.Follower), whatever the HTTP server, with queries already running finishing on the
old release, which the build keeps. `kill -HUP` of the master (a rolling restart, for a new
version of kg itself) is also without dropped requests under gunicorn."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from test_app_support import RECORDS, _tmp, free_port, http, start

POP = "SELECT ?n WHERE { <https://w3id.org/demand-kg/id/jurisdiction/norwich-ct> <https://w3id.org/demand-kg/ontology#population> ?n }"


def _records(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    for slug, text in RECORDS.items():
        (data / f"{slug}.yaml").write_text(text.lstrip(), encoding="utf-8")


def _new_population(data: Path) -> None:
    """Edit one record so the next build is a new release with a different answer to POP."""
    (data / "norwich-ct.yaml").write_text(RECORDS["norwich-ct"].replace("population_footer: 40014",
                                                                        "population_footer: 40015").lstrip())


def _app_with_manual_follower(tmp_path: Path):
    """(data, dist, app, follower): a built release served in process; the follower runs no
    thread, the test calls its check() itself."""
    from kg.app import Follower, create_app
    from kg.build import build

    data = tmp_path / "data" / "places"
    _records(data)
    dist = tmp_path / "dist"
    assert build(data.parent, dist).ok
    app = create_app({"DIST": str(dist), "FOLLOW": 0})
    assert app.wsgi_app.follower is None
    return data, dist, app, Follower(app, app.wsgi_app, app.config["KG"], 3600)


@pytest.mark.parametrize("server,workers,hup", [("granian", 1, False), ("granian", 2, False),
                                                ("gunicorn", 2, False), ("gunicorn", 2, True)])
def test_a_new_release_is_served_without_dropping_requests(server, workers, hup):
    from kg.build import build

    root = _tmp() / f"restart-{server}-{workers}-{hup}"
    data = root / "data" / "places"
    _records(data)
    dist = root / "dist"
    assert build(data.parent, dist).ok
    first = json.loads((dist / "release.json").read_text())["id"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--dist", str(dist), "--workers", str(workers),
                  "--server", server, "--follow", "1" if not hup else "0"],
                 url + "/sparql?query=ASK%7B%7D")
    try:
        seen: list[tuple[int, bytes]] = []
        stop = threading.Event()

        def load() -> None:
            i = 0
            while not stop.is_set() and i < 50_000:
                i += 1
                try:  # fresh text each time: no cache answers it
                    st, _, body = http("GET", f"{url}/sparql?query={quote(POP + f' # {i}')}",
                                       headers={"Accept": "text/csv"}, timeout=10)
                except OSError as e:
                    st, body = 0, repr(e).encode()
                seen.append((st, body))

        threads = [threading.Thread(target=load) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        _new_population(data)
        assert build(data.parent, dist).ok
        second = json.loads((dist / "release.json").read_text())["id"]
        assert second != first
        n_before = len(seen)
        if hup:
            os.kill(proc.pid, signal.SIGHUP)  # the server's master (kg serve execs it)
        # each server process switches on its own (or, after a HUP, is replaced): wait until
        # only the new release answers
        def settled() -> bool:
            tail = seen[-30:]
            return len(tail) == 30 and all(b"40015" in body for _, body in tail)

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not settled():
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(30)
        bad = [(st, body[:200]) for st, body in seen if st != 200]
        assert not bad, bad[:5]
        assert len(seen) > n_before + 20
        assert settled(), "only the new release is served after the HUP"
        releases = {p.name for p in (root / ".dist-releases").iterdir()}
        assert {first, second} <= releases, releases  # the old release folder stays
        print(f"\n{len(seen)} requests across the switch, none failed; {first} -> {second}")
    finally:
        proc.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_release_that_cannot_be_opened_leaves_the_current_one_served(tmp_path):
    from kg.build import build

    data, dist, app, follower = _app_with_manual_follower(tmp_path)
    client = app.test_client()
    q = "/sparql?query=" + quote(POP)

    def population() -> bytes:
        r = client.get(q, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        return r.data

    assert b"40014" in population()
    # a folder that looks like a release but whose store is not one
    broken = tmp_path / "broken"
    shutil.copytree(dist.resolve(), broken)
    shutil.rmtree(broken / "store")
    (broken / "store").write_text("not a store")
    link = tmp_path / "dist.tmp"
    os.symlink(broken, link)
    os.replace(link, dist)
    assert follower.check() is False
    assert b"40014" in population()
    old = app.extensions["kg"]
    assert old.engine.pool.in_memory  # the release is held in memory: a loader process to stop later
    zygote = old.engine.pool.zygote.proc
    # the next good release is taken up
    _new_population(data)
    assert build(data.parent, dist).ok
    assert follower.check() is True
    assert b"40015" in population()
    assert follower.check() is False  # nothing new
    # the old release's query processes stop once no request is answered from it
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and zygote.poll() is None:
        time.sleep(0.2)
    assert zygote.poll() is not None and old.engine.pool.closed
    assert b"40015" in population()


def test_a_request_begun_before_a_switch_finishes_on_its_release(tmp_path):
    """The old release stays open while a request that began on it is still being answered (here
    a streamed answer read after the switch), and is closed once that request is done."""
    from kg.build import build

    data, dist, app, follower = _app_with_manual_follower(tmp_path)
    client = app.test_client()
    old = app.extensions["kg"]
    big = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 30000"
    r = client.get("/sparql?query=" + quote(big), headers={"Accept": "application/sparql-results+json"},
                   buffered=False)
    assert r.status_code == 200 and "Content-Length" not in r.headers  # streamed, still open
    _new_population(data)
    assert build(data.parent, dist).ok
    assert follower.check() is True
    time.sleep(2.0)
    assert not old.engine.pool.closed  # the streamed answer is still being read
    assert len(json.loads(b"".join(r.response))["results"]["bindings"]) == 30000
    r.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not old.engine.pool.closed:
        time.sleep(0.1)
    assert old.engine.pool.closed
    new = client.get("/sparql?query=" + quote(POP), headers={"Accept": "text/csv"})
    assert b"40015" in new.data
