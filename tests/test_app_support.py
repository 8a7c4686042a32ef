"""Shared by the serving tests: a small release built once per session from records written
here (one with <script> in its name), and live `kg serve` processes on free loopback ports.

No tests in this module; the others import its helpers.
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/demand-kg/id/"
EVIL_NAME = 'Evil <script>alert("x")</script> Town'

RECORDS = {
    "norwich-ct": """
slug: norwich-ct
url: https://demand-forum.org/site/norwich-ct/
name: Norwich
state: CT
kind: City
footer_type: City
population_footer: 40014
population_narrative: 40000
list_version: new-15
tactics:
- tactic: Reverse Stings
  evidence: [narrative, key-sources]
- tactic: Identity Disclosure
  evidence: [narrative]
- tactic: Web Stings
  evidence: [narrative]
negated_tactics: []
operations:
- tactics: [Web Stings, Identity Disclosure]
  start: '2008'
  end: null
  since: false
  arrests: 4
  agency: Norwich Police Department
  summary: large-scale web sting after Craigslist postings; 4 johns arrested, names released
- tactics: [Reverse Stings, Identity Disclosure]
  start: 2017-09
  end: null
  since: false
  arrests: 5
  agency: Norwich Police Department
  summary: street-level reverse sting; five buyers arrested, identities released
partners: []
sources:
- heading: Reverse Stings, Identity Disclosure
  citation: 'Norwich Bulletin: Five arrested in prostitution sting. September 2017.'
  url: null
  year: 2017
""",
    "austin-tx": """
slug: austin-tx
url: https://demand-forum.org/site/austin-tx/
name: Austin
state: TX
kind: City
footer_type: null
population_footer: null
population_narrative: 965000
list_version: new-13
tactics:
- tactic: Reverse Stings
  evidence: [narrative]
- tactic: Web Stings
  evidence: [narrative]
negated_tactics: [SOAP Orders]
operations:
- tactics: [Web Stings]
  start: 2018-10
  end: null
  since: false
  arrests: 3
  agency: Austin Police Department
  summary: decoy escort ad; three men arrested
- tactics: [Reverse Stings]
  start: '1985'
  end: null
  since: true
  arrests: null
  agency: Austin Police Department
  summary: reverse stings since at least 1985
partners: []
sources: []
""",
    "harris-county-tx": """
slug: harris-county-tx
url: https://demand-forum.org/site/harris-county-tx/
name: Harris County
state: TX
kind: County
footer_type: County
population_footer: 4092459
population_narrative: null
list_version: new-15
tactics:
- tactic: Web Stings
  evidence: [narrative]
- tactic: John School
  evidence: [narrative]
negated_tactics: []
operations:
- tactics: [Web Stings]
  start: '2016'
  end: null
  since: false
  arrests: 28
  agency: Harris County Sheriff's Office
  summary: online sting; 28 buyers arrested
partners: []
sources: []
""",
    "evil-tx": f"""
slug: evil-tx
url: https://demand-forum.org/site/evil-tx/
name: '{EVIL_NAME}'
state: TX
kind: City
footer_type: null
population_footer: null
population_narrative: 1200
list_version: new-15
tactics:
- tactic: Web Stings
  evidence: [narrative]
negated_tactics: []
operations:
- tactics: [Web Stings]
  start: 2019-03
  end: null
  since: false
  arrests: 7
  agency: Evil <b>Police</b> Department
  summary: <img src=x onerror=alert(2)> web sting with 7 buyers arrested
partners: []
sources: []
""",
}

_state: dict = {"release": None, "servers": {}, "tmp": None}


def _tmp() -> Path:
    if _state["tmp"] is None:
        _state["tmp"] = Path(tempfile.mkdtemp(prefix="kg-serve-tests-"))
        atexit.register(shutil.rmtree, _state["tmp"], True)
    return _state["tmp"]


def small_release() -> Path:
    """Build (once per session) a release of the records above; returns its dist folder."""
    if _state["release"] is None:
        from kg.build import build

        data = _tmp() / "data" / "places"
        data.mkdir(parents=True, exist_ok=True)
        for slug, text in RECORDS.items():
            (data / f"{slug}.yaml").write_text(text.lstrip(), encoding="utf-8")
        dist = _tmp() / "dist"
        res = build(data.parent, dist)
        assert res.ok, [p.line() for p in res.problems]
        _state["release"] = dist
    return _state["release"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


def start(cmd: list[str], url: str, env: dict | None = None) -> subprocess.Popen:
    log = open(_tmp() / f"server-{len(_state['servers'])}-{os.getpid()}.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(_tmp()),
                            env={**os.environ, **(env or {})}, start_new_session=True)

    def stop() -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its query workers, nothing else
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    atexit.register(stop)
    proc.stop = stop  # type: ignore[attr-defined]
    proc.log_path = log.name  # type: ignore[attr-defined]
    wait_http(url, proc=proc)
    return proc


def live_server(*extra: str, dist: Path | None = None) -> str:
    """A `kg serve` process (cached by its arguments); returns http://127.0.0.1:PORT"""
    key = (str(dist), extra)
    if key not in _state["servers"]:
        port = free_port()
        d = dist or small_release()
        cmd = [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--dist", str(d), *extra]
        url = f"http://127.0.0.1:{port}"
        proc = start(cmd, url + "/sparql?query=ASK%7B%7D")
        _state["servers"][key] = (url, proc)
    return _state["servers"][key][0]


def server_process(url: str) -> subprocess.Popen:
    for u, proc in _state["servers"].values():
        if u == url:
            return proc
    raise KeyError(url)


def children(pid: int) -> set[int]:
    """The live child processes of pid (from /proc)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                out.add(int(d.name))
    return out


def descendants(pid: int) -> set[int]:
    """The live processes below pid: query workers are grandchildren in memory mode (forked by
    the process that holds the release in memory)."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        kids = children(todo.pop())
        todo.extend(kids - out)
        out |= kids
    return out


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 30.0):
    """(status, headers, body) without raising on 4xx/5xx and without following redirects."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    path = u.path + (f"?{u.query}" if u.query else "")
    conn.request(method, path or "/", body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data
