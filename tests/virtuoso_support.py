"""Virtuoso Open Source 7 on loopback for the tests (and bench/): `start_virtuoso()` writes
deploy/virtuoso.ini with a folder and free ports of its own, starts `virtuoso-t` in the
foreground and stops it at exit. Skips (with the reason) where Virtuoso is not installed."""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIRTUOSO = shutil.which("virtuoso-t")
NOT_INSTALLED = ("Virtuoso is not installed (virtuoso-t; Debian: apt-get install virtuoso-opensource-7-bin, "
                 "which .ci/run does as root)")
USER, PASSWORD = "dba", "dba"  # a new database's administrator; only on loopback, only for the tests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Virtuoso:
    def __init__(self, folder: Path, proc: subprocess.Popen, http_port: int):
        self.folder = folder
        self.proc = proc
        self.url = f"http://127.0.0.1:{http_port}"
        self.sparql = self.url + "/sparql"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # it checkpoints and exits
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        p = self.folder / "virtuoso.log"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""


def start_virtuoso(max_rows: int = 10_000, buffers: int = 10_000) -> Virtuoso:
    """A Virtuoso with its own database folder and free ports (ResultSetMaxRows `max_rows`:
    Debian's default, so the tests see answers cut at it)."""
    if VIRTUOSO is None:
        raise RuntimeError(NOT_INSTALLED)
    folder = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
    sql, http = _free_port(), _free_port()
    ini = (ROOT / "deploy" / "virtuoso.ini").read_text()
    ini = (ini.replace("/var/lib/demand-kg/virtuoso", str(folder))
              .replace("127.0.0.1:1111", f"127.0.0.1:{sql}").replace("127.0.0.1:8890", f"127.0.0.1:{http}")
              .replace("ResultSetMaxRows           = 1000000", f"ResultSetMaxRows           = {max_rows}")
              .replace("NumberOfBuffers      = 20000", f"NumberOfBuffers      = {buffers}")
              .replace("MaxDirtyBuffers      = 15000", f"MaxDirtyBuffers      = {buffers * 3 // 4}"))
    (folder / "virtuoso.ini").write_text(ini)
    out = open(folder / "stdout.log", "wb")
    proc = subprocess.Popen([VIRTUOSO, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
                            cwd=folder, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    v = Virtuoso(folder, proc, http)
    atexit.register(v.stop)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: {v.log()}")
        try:
            with urllib.request.urlopen(v.sparql + "?query=ASK%7B%7D", timeout=2) as r:
                r.read()
                return v
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    v.stop()
    raise RuntimeError("virtuoso-t did not answer within 90 s")
