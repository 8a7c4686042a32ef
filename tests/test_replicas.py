"""Two `kg serve` replicas of one release behind nginx, as deploy/nginx-replicas.conf sets them
up, under a bounded mixed load while a new release is published: no request fails, and every
replica serves the new release within a few seconds.

Two deployments: replicas that each serve the release from a release folder (`kg build`
publishes by moving the `dist` symlink; on several machines, each has its own copy), and
replicas that serve a store (`kg serve --endpoint` Virtuoso; `kg publish` switches the
catalogue). Each run prints its figures: requests, p50/p99 latency, the switch."""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from kg.examples import EXAMPLES
from nginx_support import NGINX, NOT_INSTALLED, free_port, start_nginx
from test_app_support import start
from virtuoso_support import NOT_INSTALLED as NO_VIRTUOSO, PASSWORD, USER, VIRTUOSO, start_virtuoso

ROOT = Path(__file__).resolve().parents[1]
PLACES = sorted((ROOT / "data" / "places").glob("*.yaml"))
CLIENTS = 3  # bounded: the machine has 2 cores shared with others
BEFORE, AFTER = 3.0, 9.0  # seconds of load before the new release, and after it is published
SWITCH_WITHIN = 5.0  # seconds: every replica on the new release by then

pytestmark = pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)


def data_folder(tmp: Path, name: str, n: int) -> Path:
    """The first n places of the shipped data (the second release adds one: releases grow)."""
    d = tmp / name / "places"
    d.mkdir(parents=True)
    for p in PLACES[:n]:
        shutil.copy(p, d / p.name)
    return d.parent


def build(data: Path, out: Path) -> str:
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--data", str(data), "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads((out / "release.json").read_text())["id"]


def release_of(url: str) -> str | None:
    try:
        c = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=5)
        c.request("GET", "/tactics", headers={"Accept": "text/html"})
        body = c.getresponse().read()
        c.close()
    except OSError:
        return None
    m = re.search(rb"Release <code>([^<]+)</code>", body)
    return m.group(1).decode() if m else None


def workload(slugs: list[str], dumps: bool) -> list[tuple[str, str, bytes | None, dict]]:
    """A mix of what users ask: pages, data, lists, gallery queries by GET and POST, a query no
    cache can answer, downloads."""
    reqs: list[tuple[str, str, bytes | None, dict]] = []
    html, jsonr = {"Accept": "text/html"}, {"Accept": "application/sparql-results+json"}
    for i, slug in enumerate(slugs):
        ex = EXAMPLES[i % len(EXAMPLES)]
        reqs += [
            ("GET", f"/page/jurisdiction/{slug}", None, html),
            ("GET", f"/data/jurisdiction/{slug}.ttl", None, {}),
            ("GET", "/sparql?" + urlencode({"query": ex.sparql}), None, jsonr),
            ("POST", "/sparql", ("query=" + quote(ex.sparql)).encode(),
             {**jsonr, "Content-Type": "application/x-www-form-urlencoded"}),
            ("GET", "/jurisdictions", None, html),
            ("GET", "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #FRESH"}), None, jsonr),
            ("GET", "/", None, html),
        ]
        if dumps:
            reqs.append(("GET", "/dumps/kg.nt", None, {}))
    return reqs


class Load:
    """CLIENTS threads sending the workload through nginx until stopped; every answer timed."""

    def __init__(self, port: int, reqs: list):
        self.port, self.reqs = port, reqs
        self.times: list[float] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client, args=(k,), daemon=True) for k in range(CLIENTS)]

    def client(self, k: int) -> None:
        conn = None
        i = k
        while not self.stop.is_set():
            method, path, body, headers = self.reqs[i % len(self.reqs)]
            path = path.replace("FRESH", f"{k}-{i}")
            i += CLIENTS
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                dt = time.perf_counter() - t0
                ok = r.status in (200, 303) and (r.status != 200 or data)
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                dt, ok, data = time.perf_counter() - t0, False, str(e).encode()
                conn.close()
                conn = None
                r = None
            with self.lock:
                self.times.append(dt)
                if not ok:
                    self.failures.append(f"{method} {path[:80]}: {r.status if r else 'no answer'} {data[:200]!r}")

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def figures(self) -> dict:
        ts = sorted(self.times)
        return {"requests": len(ts), "failed": len(self.failures),
                "p50_ms": round(1000 * statistics.median(ts), 1),
                "p99_ms": round(1000 * ts[min(len(ts) - 1, int(0.99 * len(ts)))], 1)}


def replicas_behind_nginx(serve_args: list[list[str]]) -> tuple[list[str], object]:
    ports = [free_port() for _ in serve_args]
    urls = []
    for port, args in zip(ports, serve_args, strict=True):
        cmd = [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--query-workers", "1", *args]
        url = f"http://127.0.0.1:{port}"
        start(cmd, url + "/sparql?query=ASK%7B%7D")
        urls.append(url)
    front = free_port()
    conf = (ROOT / "deploy" / "nginx-replicas.conf").read_text()
    assert "127.0.0.1:5001" in conf and "127.0.0.1:5002" in conf and "listen 127.0.0.1:8080" in conf
    conf = (conf.replace("127.0.0.1:5001", f"127.0.0.1:{ports[0]}").replace("127.0.0.1:5002", f"127.0.0.1:{ports[1]}")
            .replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{front}"))
    return urls, start_nginx(conf, front)


def run_switch(urls: list[str], nginx, reqs: list, publish) -> dict:
    """Load through nginx; after BEFORE s `publish()`, which returns (the new release's id, a
    function that waits for the rest of the publishing) once the new release is the published
    one; then the time until each replica serves it, and the load's figures."""
    with Load(nginx.port, reqs) as load:
        time.sleep(BEFORE)
        new_id, rest = publish()
        switched = time.monotonic()
        lags: dict[str, float] = {}
        while len(lags) < len(urls) and time.monotonic() - switched < SWITCH_WITHIN + 5:
            for u in urls:
                if u not in lags and release_of(u) == new_id:
                    lags[u] = round(time.monotonic() - switched, 2)
            time.sleep(0.1)
        rest()
        time.sleep(max(0.0, AFTER - (time.monotonic() - switched)))
    figures = load.figures()
    figures["switch_s"] = [lags.get(u) for u in urls]
    assert not load.failures, load.failures[:10]
    assert figures["requests"] > 50
    assert all(x is not None and x <= SWITCH_WITHIN for x in figures["switch_s"]), figures
    return figures


def test_replicas_of_a_release_folder_switch_with_no_failed_request(tmp_path):
    """Both replicas serve `dist`; `kg build` of the next release moves it under them."""
    dist = tmp_path / "dist"
    build(data_folder(tmp_path, "a", 30), dist)
    data_b = data_folder(tmp_path, "b", 31)
    urls, nginx = replicas_behind_nginx([["--dist", str(dist)], ["--dist", str(dist)]])
    try:
        def publish():
            return build(data_b, dist), lambda: None  # kg build returns once dist points at it

        figures = run_switch(urls, nginx, workload([p.stem for p in PLACES[:30]], dumps=True), publish)
        print(f"\nreplicas of a release folder: {json.dumps(figures)}", file=sys.stderr)
    finally:
        nginx.stop()


@pytest.mark.skipif(VIRTUOSO is None, reason=NO_VIRTUOSO)
def test_replicas_of_a_store_switch_with_no_failed_request(tmp_path):
    """Both replicas serve Virtuoso (kg serve --endpoint); `kg publish` loads the next release
    beside the current one, switches the catalogue, and drops the old graph 3 s later, while
    the load goes on."""
    v = start_virtuoso()
    try:
        a, b = tmp_path / "a-dist", tmp_path / "b-dist"
        build(data_folder(tmp_path, "a", 30), a)
        new_id = build(data_folder(tmp_path, "b", 31), b)
        env = {**os.environ, "KG_STORE_PASSWORD": PASSWORD}
        cmd = [sys.executable, "-m", "kg.cli", "publish", "--to", v.url, "--user", USER, "--drop-after", "3", "--dist"]
        r = subprocess.run(cmd + [str(a)], capture_output=True, text=True, timeout=300, env=env)
        assert r.returncode == 0, r.stderr
        nowhere = str(tmp_path / "no-release-here")
        urls, nginx = replicas_behind_nginx([["--endpoint", v.sparql, "--dist", nowhere]] * 2)
        try:
            def publish():
                proc = subprocess.Popen(cmd + [str(b)], stderr=subprocess.PIPE, text=True, env=env)
                seen = []
                for line in proc.stderr:  # type: ignore[union-attr]
                    seen.append(line)
                    if "now names release" in line:
                        break

                def rest() -> None:
                    seen.extend(proc.stderr)  # type: ignore[union-attr]
                    assert proc.wait(300) == 0, "".join(seen)
                    assert any("dropped the previous release's graph" in x for x in seen), "".join(seen)

                return new_id, rest

            figures = run_switch(urls, nginx, workload([p.stem for p in PLACES[:30]], dumps=False), publish)
            print(f"\nreplicas of a store (Virtuoso): {json.dumps(figures)}", file=sys.stderr)
        finally:
            nginx.stop()
    finally:
        v.stop()
