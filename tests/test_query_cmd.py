"""`kg query` like the server: a time limit (--timeout, default 10 s) that really stops the
work, quiet on a closed pipe, errors as one line without a traceback."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time


CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def kg(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          timeout=timeout, **kw)


def test_timeout_stops_a_cross_product(shipped_release):
    t0 = time.monotonic()
    r = kg("query", "--dist", str(shipped_release), "--timeout", "2", CROSS)
    took = time.monotonic() - t0
    assert r.returncode == 1, r
    assert took < 4, f"took {took:.1f} s"
    assert r.stderr.strip() == ("kg query: the query ran past the time limit of 2 s and was stopped "
                                "(give more with --timeout, or narrow the query)")
    assert "Traceback" not in r.stderr


def test_the_query_process_is_really_stopped(shipped_release):
    """No process is left running the query after the limit."""
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "query", "--dist", str(shipped_release),
                             "--timeout", "1", "--format", "csv", CROSS],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    assert proc.wait(10) == 1
    time.sleep(0.3)
    # every process of its session (the command and its query child) is gone
    left = [p for p in os.listdir("/proc") if p.isdigit() and _session(int(p)) == proc.pid]
    assert left == [], left


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def test_default_timeout_is_the_servers(shipped_release):
    from kg.app import DEFAULTS
    from kg.query import DEFAULT_TIMEOUT

    assert DEFAULT_TIMEOUT == DEFAULTS["QUERY_TIMEOUT"] == 10
    assert "--timeout S" in open(os.path.join(os.path.dirname(__file__), "..", "README.md")).read()


def test_closed_pipe_is_quiet(shipped_release):
    for fmt in ("table", "csv", "json", "turtle"):  # (SPARQL JSON results have no line breaks)
        # the table needs the whole answer (every triple); the others stream a cross product
        q = {"table": "SELECT * WHERE { ?a ?b ?c }",
             "turtle": "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }"}.get(fmt, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        cmd = (f"{shlex.quote(sys.executable)} -m kg.cli query --dist {shlex.quote(str(shipped_release))} "
               f"--format {fmt} --timeout 20 {shlex.quote(q)} | " + ("head -c 200" if fmt == "json" else "head -1"))
        t0 = time.monotonic()
        r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=60)
        assert r.stdout.strip(), (fmt, r)
        assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr and r.stderr == "", (fmt, r.stderr)
        if fmt != "table":  # streamed formats end as soon as the reader goes
            assert time.monotonic() - t0 < 15
        assert r.returncode == 0, (fmt, r)


def test_errors_are_one_line_without_traceback(shipped_release, tmp_path):
    r = kg("query", "--dist", str(shipped_release), "SELECT * WHERE { ?a ?b }")
    assert r.returncode == 1 and r.stderr.startswith("kg query: SPARQL syntax error") and "Traceback" not in r.stderr
    r = kg("query", "--dist", str(tmp_path / "nope"), "ASK {}")
    assert r.returncode == 1 and "no release store" in r.stderr and "Traceback" not in r.stderr
    r = kg("query", "--dist", str(shipped_release), "@" + str(tmp_path / "missing.rq"))
    assert r.returncode == 1 and "cannot read" in r.stderr and "Traceback" not in r.stderr
    r = kg("query", "--dist", str(shipped_release), "--timeout", "0", "ASK {}")
    assert r.returncode == 1 and "--timeout must be" in r.stderr


def test_a_quick_query_answers(shipped_release):
    r = kg("query", "--dist", str(shipped_release), "--format", "csv",
           "SELECT ?n WHERE { <https://w3id.org/demand-kg/id/jurisdiction/norwich-ct> <https://w3id.org/demand-kg/ontology#population> ?n }")
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "40014"], r
