"""A new release without dropping requests: `kg build` publishes it next to the old one, and
`kill -HUP` of the server's master (gunicorn or granian) starts new workers on it while the old
workers finish what they were answering (on the old release, which the build keeps)."""
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


@pytest.mark.parametrize("server,workers", [("gunicorn", 2), ("granian", 2), ("granian", 1)])
def test_hup_picks_up_a_new_release_without_dropping_requests(server, workers):
    from kg.build import build

    root = _tmp() / f"restart-{server}-{workers}"
    data = root / "data" / "places"
    data.mkdir(parents=True)
    for slug, text in RECORDS.items():
        (data / f"{slug}.yaml").write_text(text.lstrip(), encoding="utf-8")
    dist = root / "dist"
    assert build(data.parent, dist).ok
    first = json.loads((dist / "release.json").read_text())["id"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--dist", str(dist), "--workers", str(workers),
                  "--server", server],
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
        (data / "norwich-ct.yaml").write_text(RECORDS["norwich-ct"].replace("population_footer: 40014",
                                                                            "population_footer: 40015").lstrip())
        assert build(data.parent, dist).ok
        second = json.loads((dist / "release.json").read_text())["id"]
        assert second != first
        n_before = len(seen)
        os.kill(proc.pid, signal.SIGHUP)  # the server's master (kg serve execs it)
        # the workers are replaced one after the other (granian) or together (gunicorn): wait
        # until only the new release answers
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
        print(f"\n{len(seen)} requests across the HUP, none failed; {first} -> {second}")
    finally:
        proc.stop()
        shutil.rmtree(root, ignore_errors=True)
