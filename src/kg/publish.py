"""`kg publish --to URL [--graph IRI] [--dist DIR]`: load the release into a remote SPARQL 1.1 store.

The target graph (the default graph, or --graph) is replaced: the first chunk of kg.nt goes
with a Graph Store Protocol PUT, the rest with POSTs. Where the server has no Graph Store
Protocol, SPARQL Update does the same (DROP SILENT, then INSERT DATA per chunk).

--to may be the store's base URL (Oxigraph: http://host:7878, whose GSP is /store and
update endpoint /update), its GSP URL, or its update endpoint.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from .errors import KgError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", required=True, metavar="URL", help="the remote store (base, GSP or update URL)")
    p.add_argument("--graph", default=None, metavar="IRI", help="load into this named graph (default: the default graph)")
    p.add_argument("--dist", default="dist", help="release folder (default: dist)")
    p.add_argument("--chunk", type=int, default=50_000, help="triples per request (default: 50000)")
    p.add_argument("--token", default=None, help="bearer token for the store, if it wants one")
    p.add_argument("--method", choices=("auto", "gsp", "update"), default="auto",
                   help="Graph Store Protocol, SPARQL Update, or try GSP first (default)")


def chunks(nt: Path, size: int):
    buf: list[bytes] = []
    with nt.open("rb") as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith(b"#"):
                buf.append(line if line.endswith(b"\n") else line + b"\n")
                if len(buf) >= size:
                    yield buf
                    buf = []
    if buf:
        yield buf


def _candidates(url: str, kind: str) -> list[str]:
    u = url.rstrip("/")
    tails = {"gsp": ("/store", "/data", "/rdf-graph-store"), "update": ("/update", "/statements", "/sparql")}[kind]
    if u.endswith(tails):
        return [u]
    base = u
    for t in ("/query", "/sparql", "/store", "/update", "/data"):
        if base.endswith(t):
            base = base[: -len(t)]
            break
    return [base + t for t in tails] + [u]


class Publisher:
    def __init__(self, url: str, graph: str | None, token: str | None, timeout: float = 300.0):
        import requests

        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"
        self.url = url
        self.graph = graph
        self.timeout = timeout
        self.requests = 0

    def _gsp_url(self, base: str) -> str:
        return base + ("?graph=" + quote(self.graph, safe="") if self.graph else "?default")

    def gsp(self, parts) -> tuple[int, str] | None:
        """Send by GSP; None if no GSP endpoint accepts the first chunk."""
        it = iter(parts)
        first = next(it, [])
        for cand in _candidates(self.url, "gsp"):
            try:
                r = self.http.put(self._gsp_url(cand), data=b"".join(first), timeout=self.timeout,
                                  headers={"Content-Type": "application/n-triples"})
            except Exception as e:  # noqa: BLE001 - connection problems end here
                raise KgError(f"cannot reach {cand}: {e}") from None
            self.requests += 1
            if r.status_code in (401, 403):
                raise KgError(f"{cand} refused the load ({r.status_code}): give --token?")
            if 200 <= r.status_code < 300:
                n = len(first)
                for part in it:
                    r = self.http.post(self._gsp_url(cand), data=b"".join(part), timeout=self.timeout,
                                       headers={"Content-Type": "application/n-triples"})
                    self.requests += 1
                    if not 200 <= r.status_code < 300:
                        raise KgError(f"{cand} failed after {n} triples: {r.status_code} {r.text[:300]}")
                    n += len(part)
                return n, cand
        return None

    def update(self, parts) -> tuple[int, str]:
        last = "no update endpoint answered"
        for cand in _candidates(self.url, "update"):
            target = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"
            r = self._update(cand, f"DROP SILENT {target}")
            if r is None or not 200 <= r.status_code < 300:
                last = f"{cand}: {r.status_code if r is not None else 'unreachable'}"
                continue
            n = 0
            for part in parts:
                body = b"".join(part).decode("utf-8")
                q = f"INSERT DATA {{ GRAPH <{self.graph}> {{\n{body}}} }}" if self.graph else f"INSERT DATA {{\n{body}}}"
                r = self._update(cand, q)
                if r is None or not 200 <= r.status_code < 300:
                    raise KgError(f"{cand} failed after {n} triples: "
                                  f"{r.status_code if r is not None else 'unreachable'} {r.text[:300] if r is not None else ''}")
                n += len(part)
            return n, cand
        raise KgError(f"found neither a Graph Store Protocol nor a SPARQL Update endpoint at {self.url} ({last})")

    def _update(self, url: str, text: str):
        try:
            r = self.http.post(url, data=text.encode("utf-8"), timeout=self.timeout,
                               headers={"Content-Type": "application/sparql-update; charset=utf-8"})
        except Exception:  # noqa: BLE001
            return None
        self.requests += 1
        return r


def publish(dist: Path, to: str, graph: str | None = None, *, chunk: int = 50_000, token: str | None = None,
            method: str = "auto") -> dict:
    nt = dist / "kg.nt"
    if not nt.is_file():
        raise KgError(f"no kg.nt in {dist}: run `kg build` first")
    pub = Publisher(to, graph, token)
    done = None
    how = "Graph Store Protocol"
    if method in ("auto", "gsp"):
        done = pub.gsp(chunks(nt, chunk))
        if done is None and method == "gsp":
            raise KgError(f"no Graph Store Protocol endpoint at {to}")
    if done is None:
        how = "SPARQL Update"
        done = pub.update(chunks(nt, min(chunk, 10_000)))
    n, where = done
    return {"triples": n, "url": where, "method": how, "requests": pub.requests, "graph": graph}


def run(args: argparse.Namespace) -> int:
    res = publish(Path(args.dist), args.to, args.graph, chunk=args.chunk, token=args.token, method=args.method)
    target = f"graph <{res['graph']}>" if res["graph"] else "the default graph"
    print(f"kg publish: loaded {res['triples']} triples into {target} at {res['url']} "
          f"({res['method']}, {res['requests']} requests)", file=sys.stderr)
    return 0
