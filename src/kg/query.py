"""`kg query QUERY|@FILE [--endpoint URL] [--dist DIR] [--format table|json|csv] [--timeout S]`.

Like the server: the same time limit (10 s by default), and the work is really stopped (a
query on the local release runs in a child process, which is killed at the limit). Answers are
written as the engine produces them, so `kg query ... | head -1` ends at once and quietly; an
error is one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

from .errors import KgError

DEFAULT_TIMEOUT = 10.0  # the server's default (KG_QUERY_TIMEOUT)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="the SPARQL query, or @FILE to read it from a file (@- for stdin)")
    p.add_argument("--endpoint", default=None, help="a remote SPARQL 1.1 endpoint (default: the local release)")
    p.add_argument("--graph", default=None, metavar="IRI",
                   help="with --endpoint: the catalogue graph `kg publish` keeps there (default: "
                        "https://w3id.org/demand-kg/releases); its release is queried")
    p.add_argument("--dist", default="dist", help="release folder (default: dist)")
    p.add_argument("--format", choices=("table", "json", "csv", "tsv", "turtle", "nt"), default="table",
                   help="output: table (default), json, csv, tsv; graphs: turtle or nt")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds the query may run before it is stopped (default {DEFAULT_TIMEOUT:g}, as the server)")


def read_query(arg: str) -> str:
    if arg == "@-":
        return sys.stdin.read()
    if arg.startswith("@"):
        try:
            return Path(arg[1:]).read_text(encoding="utf-8")
        except OSError as e:
            raise KgError(f"cannot read {arg[1:]}: {e.strerror or e}") from None
        except UnicodeDecodeError as e:
            raise KgError(f"cannot read {arg[1:]}: not UTF-8 text (byte {e.start})") from None
    return arg


def _cell(b: dict | None) -> str:
    if b is None:
        return ""
    return b["value"]


def print_table(data: dict, out=None) -> None:
    out = out or sys.stdout
    vars_ = data["head"]["vars"]
    rows = [[_cell(r.get(v)) for v in vars_] for r in data["results"]["bindings"]]
    widths = [min(60, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(vars_)]

    def line(cells):
        return "  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(cells, widths)).rstrip()

    print(line(vars_), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r), file=out)
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=out)


def _child(store_path: str, req: tuple, conn) -> None:  # pragma: no cover - runs in the child
    """Run one query on the store and send ("head", ...), ("data", bytes)..., ("end",) or
    ("ok", answer), or ("error", message)."""
    import pyoxigraph as ox

    from .engine import QueryError, run_on_store

    try:
        store = ox.Store.read_only(store_path)
        *args, stream = req
        ans = run_on_store(store, *args, stream_after=1 if stream else 0, emit=conn.send if stream else None)
        conn.send(("end",) if ans is None else ("ok", tuple(ans)))
    except QueryError as e:
        conn.send(("error", str(e)))
    except BrokenPipeError:
        pass
    except Exception as e:  # noqa: BLE001 - one line for the user, not a traceback
        conn.send(("error", f"query failed: {type(e).__name__}: {e}"))


def run_local(store: Path, text: str, results: str, graph: str, timeout: float, stream: bool, write):
    """Run a query on the release's store in a child process, killed at `timeout` seconds.
    A streamed answer is handed to `write` chunk by chunk; returns the Answer otherwise."""
    from .engine import Answer, QueryError, QueryTimeout

    ctx = get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    # run_on_store's (query, results, graph, default graphs, named graphs, size limit, base IRI),
    # then whether to stream
    req = (text, results, graph, None, None, 0, None, stream)
    proc = ctx.Process(target=_child, args=(str(store), req, send), daemon=True)
    deadline = time.monotonic() + timeout
    proc.start()
    send.close()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not recv.poll(left):
                raise QueryTimeout(f"the query ran past the time limit of {timeout:g} s and was stopped "
                                   "(give more with --timeout, or narrow the query)")
            try:
                msg = recv.recv()
            except EOFError:
                raise QueryError("the query process ended without an answer "
                                 f"(exit code {proc.exitcode if proc.exitcode is not None else 'unknown'})") from None
            kind = msg[0]
            if kind == "ok":
                return Answer(*msg[1])
            if kind == "error":
                raise QueryError(msg[1])
            if kind == "data":
                write(msg[1])
            elif kind == "end":
                return None
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join()


def run(args: argparse.Namespace) -> int:
    from .engine import QueryError, RemoteEngine

    if not args.timeout > 0:
        raise KgError(f"--timeout must be a number of seconds above 0, not {args.timeout:g}")
    text = read_query(args.query)
    results = {"json": "application/sparql-results+json", "csv": "text/csv",
               "tsv": "text/tab-separated-values"}.get(args.format, "application/sparql-results+json")
    graph = {"nt": "application/n-triples"}.get(args.format, "text/turtle")
    out = sys.stdout.buffer
    wrote = [False]

    def write(b: bytes) -> None:
        out.write(b)
        out.flush()
        wrote[0] = True

    try:
        if args.endpoint:
            from .stores import catalogue_for
            from .vocab import DEFAULT_BASE

            ans = RemoteEngine(args.endpoint, timeout=args.timeout,
                               catalogue=args.graph or catalogue_for(DEFAULT_BASE)).execute(
                text, results_format=results, graph_format=graph)
        else:
            store = Path(args.dist) / "store"
            if not store.is_dir():
                raise KgError(f"no release store in {args.dist}: run `kg build` first, or give --endpoint")
            ans = run_local(store, text, results, graph, args.timeout, args.format != "table", write)
    except QueryError as e:
        if wrote[0]:
            out.flush()
            print("", file=sys.stderr)
        print(f"kg query: {e}", file=sys.stderr)
        return 1
    if ans is None:  # streamed: already written
        return 0
    if args.format == "table" and ans.form == "select":
        print_table(json.loads(ans.body))
    elif args.format == "table" and ans.form == "ask":
        print("true" if json.loads(ans.body)["boolean"] else "false")
    else:
        out.write(ans.body)
        if not ans.body.endswith(b"\n"):
            out.write(b"\n")
    sys.stdout.flush()
    return 0


def quiet_closed_stdout() -> None:
    """After a BrokenPipeError on stdout (the reader, e.g. `head`, has gone): point stdout at
    /dev/null so the interpreter's final flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
