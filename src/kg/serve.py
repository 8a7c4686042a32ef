"""`kg serve`: the SPARQL endpoint, linked-data pages and downloads of the release.

granian (a Rust HTTP server) runs the app by default, in `--workers N` processes (1 by
default) sharing the read-only store: in bench/ it answered 6-7x more cheap requests per second
than gunicorn, and with one process its latency was lower than Flask's threaded development
server's. `--server gunicorn` runs the app under gunicorn with kg.gunicorn_conf instead, and
`--server flask` in Flask's development server (one process; for debugging). granian and
gunicorn do a rolling restart on `kill -HUP` (tests/test_app_restart.py).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default: 5000)")
    p.add_argument("--dist", default="dist", help="release folder (default: dist; built from data/ if missing)")
    p.add_argument("--data", default="data", help="profiles to build from when the release is missing")
    p.add_argument("--endpoint", default=None, help="serve from this remote SPARQL 1.1 endpoint instead")
    p.add_argument("--graph", default=None, metavar="IRI",
                   help="with --endpoint: the catalogue graph `kg publish` keeps in the store (default: "
                        "{site}releases); the release it names is served, and followed like --dist")
    p.add_argument("--timeout", type=float, default=10.0, help="time limit per query in seconds (default: 10)")
    p.add_argument("--result-limit", type=int, default=50_000_000, help="largest query result in bytes")
    p.add_argument("--query-workers", type=int, default=3, help="query processes per server process (default: 3)")
    p.add_argument("--memory", choices=("auto", "on", "off"), default="auto",
                   help="query workers answer from the release held in memory (faster; default auto: "
                        "up to 10 million triples) or from the on-disk store")
    p.add_argument("--follow", type=float, default=1.0, metavar="SECONDS",
                   help="check this often whether `kg build` published a new release in --dist, and switch "
                        "to it without a restart (default: 1; 0: never)")
    p.add_argument("--allow-service", action="append", default=[], metavar="IRI",
                   help="an endpoint SERVICE may call (repeatable; default: none)")
    p.add_argument("--workers", type=int, default=1, help="web server processes (default: 1)")
    p.add_argument("--server", choices=("granian", "gunicorn", "flask"), default="granian",
                   help="HTTP server (default: granian; gunicorn uses kg.gunicorn_conf; flask is Flask's "
                        "development server: one process, for debugging)")


def config_from(args: argparse.Namespace) -> dict:
    cfg = {"DIST": args.dist, "ENDPOINT": args.endpoint, "GRAPH": args.graph, "QUERY_TIMEOUT": args.timeout,
           "RESULT_LIMIT": args.result_limit, "QUERY_WORKERS": args.query_workers,
           "MEMORY": args.memory, "FOLLOW": args.follow, "SERVICE_ALLOWLIST": tuple(args.allow_service)}
    if args.endpoint and not (Path(args.dist) / "release.json").exists():
        cfg["DIST"] = None  # a remote endpoint needs no local release (no dumps then)
    return cfg


def ensure_release(args: argparse.Namespace) -> bool:
    dist = Path(args.dist)
    if args.endpoint or (dist / "release.json").exists():
        return True
    from .build import build

    print(f"kg serve: no release in {dist}; building it from {args.data} ...", file=sys.stderr)
    res = build(Path(args.data), dist)
    if not res.ok:
        for prob in res.problems:
            print(prob.line(), file=sys.stderr)
        print("kg serve: the build failed; nothing to serve", file=sys.stderr)
        return False
    return True


def run(args: argparse.Namespace) -> int:
    if not ensure_release(args):
        return 1
    cfg = config_from(args)
    where = args.endpoint or str(Path(args.dist).resolve())
    print(f"kg serve: http://{args.host}:{args.port}/ serving {where} "
          f"(query limit {args.timeout:g} s)", file=sys.stderr)
    if args.server == "gunicorn":
        return run_gunicorn(args, cfg)
    if args.server == "granian":  # measured faster than the others on every benchmark
        return run_granian(args, cfg)
    if args.workers > 1:
        print("kg serve: --server flask runs one process; use granian or gunicorn for --workers > 1",
              file=sys.stderr)
        return 2
    from .app import create_app

    app = create_app(cfg)
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


def server_env(cfg: dict) -> dict[str, str]:
    """The app's settings as KG_* variables, read by `create_app()` in each server process."""
    env = dict(os.environ)
    for k, v in cfg.items():
        if v is None:  # "" is "none" to create_app (unset would mean the default, e.g. dist/)
            env["KG_" + k] = ""
        elif k == "SERVICE_ALLOWLIST":
            env["KG_" + k] = " ".join(v)
        else:
            env["KG_" + k] = str(v)
    return env


def run_gunicorn(args: argparse.Namespace, cfg: dict) -> int:
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:kg.gunicorn_conf",
           "-w", str(args.workers), "-b", f"{args.host}:{args.port}", "kg.app:create_app()"]
    os.execvpe(sys.executable, cmd, server_env(cfg))
    return 0  # not reached


class _ThreadsIntended:
    """Drops granian's start-up warning that more WSGI threads than 2 x cores "seems quite high".
    It is intended here: a request thread mostly waits (for a query process, or on a slow
    client of a download), so with a few threads, a handful of slow queries or downloads would
    hold every thread and cheap requests would queue behind them. Every other message stays."""

    def filter(self, record) -> bool:  # logging.Filter protocol
        return "Python threads, which seems quite high" not in record.getMessage()


def granian_main() -> None:
    """`python -m granian`, with _ThreadsIntended on its logger (dictConfig keeps filters)."""
    import logging

    from granian.cli import entrypoint

    logging.getLogger("_granian").addFilter(_ThreadsIntended())
    sys.argv[0] = "granian"
    entrypoint()


def run_granian(args: argparse.Namespace, cfg: dict) -> int:
    cmd = [sys.executable, "-c", "from kg.serve import granian_main; granian_main()",
           "--interface", "wsgi", "--workers", str(max(1, args.workers)),
           "--host", args.host, "--port", str(args.port), "--no-ws", "--factory", "kg.app:create_app"]
    os.execvpe(sys.executable, cmd, server_env(cfg))
    return 0  # not reached
