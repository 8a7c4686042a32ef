"""nginx on loopback for the tests: `start_nginx(http_block)` runs the Debian nginx binary with a
main configuration of its own (folder, pid, logs, temp paths under a temporary folder), the
given text inside `http { }`, and stops it at exit. Skips with the reason where nginx is missing."""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
NOT_INSTALLED = "nginx is not installed (Debian: apt-get install nginx, which .ci/run does as root)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, folder: Path, proc: subprocess.Popen, port: int):
        self.folder, self.proc, self.port = folder, proc, port
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        p = self.folder / "error.log"
        return p.read_text(errors="replace")[-3000:] if p.exists() else ""


def start_nginx(http_block: str, port: int) -> Nginx:
    """nginx with `http_block` (which listens on 127.0.0.1:`port`) inside its http { }."""
    if NGINX is None:
        raise RuntimeError(NOT_INSTALLED)
    folder = Path(tempfile.mkdtemp(prefix="kg-nginx-"))
    temps = "\n".join(f"  {k}_temp_path {folder}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # as root, nginx's workers would run as nobody, who cannot enter the tests' private temp folders
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = f"""daemon off;
{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
{temps}
{http_block}
}}
"""
    (folder / "nginx.conf").write_text(conf)
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c",
                            str(folder / "nginx.conf")], capture_output=True, text=True)
    if check.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"nginx refused the configuration: {check.stderr}\n{conf}")
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(folder / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    n = Nginx(folder, proc, port)
    atexit.register(n.stop)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}: {n.log()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return n
        time.sleep(0.05)
    n.stop()
    raise RuntimeError("nginx did not listen within 10 s")
