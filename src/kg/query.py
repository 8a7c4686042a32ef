"""`kg query QUERY|@FILE [--endpoint URL] [--dist DIR] [--format table|json|csv]`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import KgError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", help="the SPARQL query, or @FILE to read it from a file (@- for stdin)")
    p.add_argument("--endpoint", default=None, help="a remote SPARQL 1.1 endpoint (default: the local release)")
    p.add_argument("--graph", default=None, metavar="IRI",
                   help="with --endpoint: the catalogue graph `kg publish` keeps there (default: "
                        "https://w3id.org/demand-kg/releases); its release is queried")
    p.add_argument("--dist", default="dist", help="release folder (default: dist)")
    p.add_argument("--format", choices=("table", "json", "csv", "tsv", "turtle", "nt"), default="table",
                   help="output: table (default), json, csv, tsv; graphs: turtle or nt")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before a remote query is given up")


def read_query(arg: str) -> str:
    if arg == "@-":
        return sys.stdin.read()
    if arg.startswith("@"):
        try:
            return Path(arg[1:]).read_text(encoding="utf-8")
        except OSError as e:
            raise KgError(f"cannot read {arg[1:]}: {e.strerror or e}") from None
    return arg


def _engine(args):
    from .engine import EmbeddedEngine, RemoteEngine

    if args.endpoint:
        from .stores import catalogue_for
        from .vocab import DEFAULT_BASE

        return RemoteEngine(args.endpoint, timeout=args.timeout, catalogue=args.graph or catalogue_for(DEFAULT_BASE))
    store = Path(args.dist) / "store"
    if not store.is_dir():
        raise KgError(f"no release store in {args.dist}: run `kg build` first, or give --endpoint")
    return EmbeddedEngine(store)


def _cell(b: dict | None) -> str:
    if b is None:
        return ""
    return b["value"]


def print_table(data: dict, out=sys.stdout) -> None:
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


def run(args: argparse.Namespace) -> int:
    from .engine import QueryError, run_on_store

    text = read_query(args.query)
    results = {"json": "application/sparql-results+json", "csv": "text/csv",
               "tsv": "text/tab-separated-values"}.get(args.format, "application/sparql-results+json")
    graph = {"nt": "application/n-triples"}.get(args.format, "text/turtle")
    eng = _engine(args)
    try:
        if args.endpoint:
            ans = eng.execute(text, results_format=results, graph_format=graph)
        else:  # in this process: a command-line query is its own time limit (Ctrl-C)
            ans = run_on_store(eng.store, text, results, graph, None, None, 0)
    except QueryError as e:
        print(f"kg query: {e}", file=sys.stderr)
        return 1
    if args.format == "table" and ans.form == "select":
        print_table(json.loads(ans.body))
    elif args.format == "table" and ans.form == "ask":
        print("true" if json.loads(ans.body)["boolean"] else "false")
    else:
        sys.stdout.buffer.write(ans.body)
        if not ans.body.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
    return 0
