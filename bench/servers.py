"""Start and stop the servers the benchmarks compare, on free 127.0.0.1 ports.

Each `start_*` returns a `Server` once it answers (start time measured from spawn to the first
good answer, which for kg serve includes starting its query-worker pool), with `rss()` summing
the resident memory of the process and all its children (gunicorn workers, query workers).

* `start_kg(dist)`             `kg serve --dist DIST --port P` (granian, one web process: the default)
* `start_kg(dist, workers=2, server="gunicorn")`  `kg serve --workers 2 --server gunicorn` (gunicorn,
                               the project's gunicorn_conf); server="flask" is Flask's development server
* `start_oxigraph(nt)`         `oxigraph load` into a temp dir, then `oxigraph serve-read-only`
* `start_rdflib(ttl)`          `rdflib-endpoint serve FILE` (rdflib in memory, uvicorn)
* `start_http_server(dir)`     `python -m http.server` (the file-serving peer for downloads)
* `start_oxigraph_store()`     an empty, writable `oxigraph serve` (for `kg publish --to`)
* `start_virtuoso()`           Virtuoso Open Source 7 from deploy/virtuoso.ini (tests/virtuoso_support.py)

Only processes started here are stopped here (by their own pid / process group).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

VENV_BIN = Path(sys.executable).parent
RESULTS = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_sum(pid: int, measure) -> float:
    """`measure(process)` summed over a process and its live descendants."""
    try:
        p = psutil.Process(pid)
        procs = [p] + p.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            total += measure(q)
        except psutil.NoSuchProcess:
            pass
    return total


def _pss(q: psutil.Process) -> int:
    try:
        return q.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return q.memory_info().rss


def tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants: the sum of their PSS (proportional set
    size: a page shared by n processes counts 1/n in each), so pages that forked query workers
    share with the process holding the release in memory are counted once. RSS where PSS
    cannot be read."""
    return int(_tree_sum(pid, _pss))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    return float(_tree_sum(pid, lambda q: sum(q.cpu_times()[:2])))


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    sparql_path: str  # path of the SPARQL endpoint
    start_seconds: float = 0.0
    load_seconds: float = 0.0  # time to load data before serving (oxigraph load)
    cleanup: list[Path] = field(default_factory=list)
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.base + self.sparql_path

    def rss(self) -> int:
        return tree_rss(self.proc.pid)

    def query_json(self, query: str, accept: str = "application/sparql-results+json") -> dict:
        r = requests.post(self.endpoint, data={"query": query}, headers={"Accept": accept}, timeout=600)
        r.raise_for_status()
        return r.json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # its own group: started with start_new_session
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        for p in self.cleanup:
            shutil.rmtree(p, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def save_result(data, name: str, path: Path | None = None) -> Path:
    """Write a benchmark's raw figures as JSON to `path`, or to bench/results/NAME."""
    RESULTS.mkdir(exist_ok=True)
    out = path or RESULTS / name
    out.write_text(json.dumps(data, indent=1, default=str))
    return out


def _spawn(name: str, cmd: list[str], env: dict | None = None) -> tuple[subprocess.Popen, Path]:
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / f"{name}.log"
    fh = open(log, "wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    return proc, log


def _wait_ready(srv: Server, probe, t0: float, timeout: float) -> Server:
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if srv.proc.poll() is not None:
            tail = srv.log.read_text(errors="replace")[-2000:] if srv.log else ""
            raise RuntimeError(f"{srv.name} exited with {srv.proc.returncode}:\n{tail}")
        try:
            if probe(srv):
                srv.start_seconds = time.monotonic() - t0
                return srv
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(0.05)
    srv.stop()
    raise RuntimeError(f"{srv.name} not ready within {timeout} s (log: {srv.log})")


ASK_ANY = "ASK { ?s ?p ?o }"


def _probe_ask(srv: Server) -> bool:
    r = requests.get(srv.endpoint, params={"query": ASK_ANY},
                     headers={"Accept": "application/sparql-results+json"}, timeout=5)
    return r.status_code == 200 and r.json().get("boolean") is True


def start_kg(dist: str | Path, workers: int = 1, timeout: float = 120, extra: list[str] | None = None,
             server: str = "granian") -> Server:
    """`kg serve --workers N --server S`, named kg-serve-{S}{N}."""
    port = free_port()
    cmd = [str(VENV_BIN / "kg"), "serve", "--dist", str(dist), "--port", str(port),
           "--workers", str(workers), "--server", server]
    cmd += extra or []
    name = f"kg-serve-{server}{workers}"
    t0 = time.monotonic()
    proc, log = _spawn(name, cmd)
    return _wait_ready(Server(name, proc, port, "/sparql", log=log), _probe_ask, t0, timeout)


def oxigraph_store(nt: str | Path) -> tuple[Path, float]:
    """`oxigraph load` of the dump into a temp dir; returns (dir, seconds)."""
    loc = Path(tempfile.mkdtemp(prefix="bench-oxigraph-"))
    t0 = time.monotonic()
    subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(loc), "--file", str(nt)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return loc, time.monotonic() - t0


def start_oxigraph(nt: str | Path, timeout: float = 120, store: Path | None = None) -> Server:
    load_s = 0.0
    owned = store is None
    if store is None:
        store, load_s = oxigraph_store(nt)
    port = free_port()
    t0 = time.monotonic()
    proc, log = _spawn("oxigraph", [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(store),
                                    "--bind", f"127.0.0.1:{port}"])
    srv = Server("oxigraph", proc, port, "/query", load_seconds=load_s, log=log,
                 cleanup=[store] if owned else [])
    return _wait_ready(srv, _probe_ask, t0, timeout)


def start_oxigraph_store(timeout: float = 60) -> Server:
    """An empty `oxigraph serve` (writable: /store, /update) in a temp dir."""
    loc = Path(tempfile.mkdtemp(prefix="bench-oxigraph-rw-"))
    port = free_port()
    t0 = time.monotonic()
    proc, log = _spawn("oxigraph-rw", [str(VENV_BIN / "oxigraph"), "serve", "--location", str(loc),
                                       "--bind", f"127.0.0.1:{port}"])
    srv = Server("oxigraph-rw", proc, port, "/query", log=log, cleanup=[loc])

    def probe(s: Server) -> bool:
        return requests.get(s.endpoint, params={"query": "ASK {}"}, timeout=5).status_code == 200

    return _wait_ready(srv, probe, t0, timeout)


def start_virtuoso(max_rows: int = 1_000_000, buffers: int = 20_000) -> Server:
    """Virtuoso from deploy/virtuoso.ini, its own folder and ports (tests/virtuoso_support.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from virtuoso_support import start_virtuoso as _start

    t0 = time.monotonic()
    v = _start(max_rows=max_rows, buffers=buffers)
    srv = Server("virtuoso", v.proc, int(v.url.rsplit(":", 1)[1]), "/sparql", start_seconds=time.monotonic() - t0,
                 cleanup=[v.folder])
    return srv


def start_rdflib(ttl: str | Path, timeout: float = 1800) -> Server:
    port = free_port()
    t0 = time.monotonic()
    proc, log = _spawn("rdflib-endpoint", [str(VENV_BIN / "rdflib-endpoint"), "serve", str(ttl),
                                           "--host", "127.0.0.1", "--port", str(port)])
    return _wait_ready(Server("rdflib-endpoint", proc, port, "/", log=log), _probe_ask, t0, timeout)


def start_http_server(directory: str | Path, timeout: float = 30) -> Server:
    port = free_port()
    t0 = time.monotonic()
    proc, log = _spawn("http.server", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                       "--directory", str(directory)])

    def probe(srv: Server) -> bool:
        return requests.head(srv.base + "/", timeout=5).status_code == 200

    return _wait_ready(Server("http.server", proc, port, "/", log=log), probe, t0, timeout)


def get_url(srv: Server, query: str) -> str:
    return srv.endpoint + "?" + urllib.parse.urlencode({"query": query})


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


if __name__ == "__main__":  # smoke test: start each, print start time and RSS, stop
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", default="dist")
    ap.add_argument("--no-rdflib", action="store_true")
    a = ap.parse_args()
    dist = Path(a.dist).resolve()
    starters = [("kg serve", lambda: start_kg(dist)),
                ("kg gunicorn", lambda: start_kg(dist, workers=2, server="gunicorn")),
                ("oxigraph", lambda: start_oxigraph(dist / "kg.nt"))]
    if not a.no_rdflib:
        starters.append(("rdflib-endpoint", lambda: start_rdflib(dist / "kg.ttl")))
    for label, start in starters:
        with start() as s:
            print(json.dumps({"server": label, "start_s": round(s.start_seconds, 2),
                              "load_s": round(s.load_seconds, 2), "rss_mb": round(s.rss() / 1e6, 1)}))
