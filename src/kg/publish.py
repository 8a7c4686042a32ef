"""`kg publish --to URL|DIR [--to ...] [--graph IRI] [--dist DIR]`: put the release where others
serve it.

--to URL, a SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB, ...): the release is
loaded into a named graph of its own, `{catalogue}/{release id}` (kg.stores), by the Graph Store
Protocol (a PUT, then POSTs of `--chunk` triples; the triples of one blank-node structure always
travel together, as a blank node's label means the same node only within one request), or by
SPARQL Update (INSERT DATA) where the store has no GSP. Then it is checked (the number of
triples, and the number of literals of each datatype), and only then does the catalogue graph
name it, in one request: `kg serve --endpoint` follows within a second. The previous release's
graph is dropped `--drop-after` seconds later (servers finish the queries they began on it). A
load or check that fails drops the new graph and leaves the published release as it was.

--to URL may be the store's base URL (http://host:7878 for Oxigraph, http://host:8890 for
Virtuoso) or one of its endpoints. A store that wants a login: `--user NAME` with the password in
the KG_STORE_PASSWORD environment variable (HTTP Basic or Digest, as the store asks; Virtuoso's
write endpoints want Digest), or `--token`.

--to DIR: the static parts for any static host or object store (kg.static_site), laid out as
`kg serve` serves them, with an nginx configuration that gives each its media type.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pyoxigraph as ox

from .errors import KgError
from .stores import (VIRTUOSO_AS_TEXT, XSD, Dialect, Published, catalogue_for, catalogue_query,
                     catalogue_triples, detect, published_from, release_graph)

INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", required=True, action="append", metavar="URL|DIR",
                   help="a SPARQL store (base, query, GSP or update URL) or a folder for a static host; repeatable")
    p.add_argument("--graph", default=None, metavar="IRI",
                   help="the catalogue graph naming the published release (default: {site}releases); each "
                        "release goes into the graph IRI/{release id}")
    p.add_argument("--dist", default="dist", help="release folder (default: dist)")
    p.add_argument("--chunk", type=int, default=50_000, help="triples per request (default: 50000)")
    p.add_argument("--user", default=None, help="login for the store (password: KG_STORE_PASSWORD)")
    p.add_argument("--token", default=None, help="bearer token for the store, if it wants one")
    p.add_argument("--method", choices=("auto", "gsp", "update"), default="auto",
                   help="Graph Store Protocol, SPARQL Update, or GSP where the store has it (default)")
    p.add_argument("--drop-after", type=float, default=15.0, metavar="SECONDS",
                   help="drop the previous release's graph this long after the switch (default: 15, more "
                        "than kg serve's --follow plus --timeout)")


def is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


# ----------------------------------------------------------------------------- the release's triples

class UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


@dataclass
class Shape:
    """What a release holds, to check a load against: triples, and literals by datatype family
    (language-tagged ones apart), as written."""

    triples: int = 0
    literals: Counter = field(default_factory=Counter)


def family(datatype: str) -> str:
    """Datatypes a store may give back for one written (Oxigraph: every integer type as xsd:integer)."""
    return XSD + "integer" if datatype in INTEGER_TYPES else datatype


def release_chunks(nt: Path, size: int, as_text: dict[str, str] | None = None,
                   shape: Shape | None = None) -> Iterator[list[ox.Triple]]:
    """The triples of `nt` in lists of about `size`; the triples linked through blank nodes always
    in the same list. `as_text` renames datatypes (Virtuoso); `shape` is filled in on the way."""
    buf: list[ox.Triple] = []
    held: list[ox.Triple] = []  # triples with a blank node, sent at the end by connected group
    uf = UnionFind()
    retype = {ox.NamedNode(k): ox.NamedNode(v) for k, v in (as_text or {}).items()}
    for q in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES):
        o = q.object
        if isinstance(o, ox.Literal):
            if shape is not None:
                shape.literals["@lang" if o.language else family(o.datatype.value)] += 1
            if o.datatype in retype:
                o = ox.Literal(o.value, datatype=retype[o.datatype])
        t = ox.Triple(q.subject, q.predicate, o)
        if shape is not None:
            shape.triples += 1
        s_b, o_b = isinstance(t.subject, ox.BlankNode), isinstance(t.object, ox.BlankNode)
        if s_b or o_b:
            if s_b and o_b:
                uf.union(t.subject.value, t.object.value)  # type: ignore[union-attr]
            else:
                uf.find((t.subject if s_b else t.object).value)  # type: ignore[union-attr]
            held.append(t)
            continue
        buf.append(t)
        if len(buf) >= size:
            yield buf
            buf = []
    groups: dict[str, list[ox.Triple]] = {}
    for t in held:
        b = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        groups.setdefault(uf.find(b.value), []).append(t)  # type: ignore[union-attr]
    for g in groups.values():
        if buf and len(buf) + len(g) > size:
            yield buf
            buf = []
        buf.extend(g)
    if buf:
        yield buf


def nt_bytes(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)


# ----------------------------------------------------------------------------- the store

_QUERY_TAILS = ("/query", "/sparql", "/store", "/update", "/data", "/sparql-graph-crud-auth",
                "/sparql-graph-crud", "/sparql-auth", "/statements", "/rdf-graph-store")


class Store:
    """One SPARQL store, as kg publish writes to it: its endpoints, its kind, a login if needed."""

    def __init__(self, url: str, *, user: str | None = None, password: str | None = None,
                 token: str | None = None, timeout: float = 300.0):
        import requests

        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self.user, self.password = user, password
        self.timeout = timeout
        self.requests = 0
        base = self.url
        for t in _QUERY_TAILS:
            if base.endswith(t):
                base = base[: -len(t)]
                break
        self.base = base
        self.query_url, self.dialect = self._find_query()
        if self.dialect.name == "virtuoso":
            auth_first = bool(user)
            self.gsp = [base + "/sparql-graph-crud-auth", base + "/sparql-graph-crud"][:: 1 if auth_first else -1]
            self.update_urls = [base + "/sparql-auth", base + "/sparql"][:: 1 if auth_first else -1]
        elif self.dialect.name == "oxigraph":
            self.gsp, self.update_urls = [base + "/store"], [base + "/update"]
        else:
            self.gsp = list(dict.fromkeys([base + "/data", base + "/store", base + "/rdf-graph-store", self.url]))
            self.update_urls = list(dict.fromkeys([base + "/update", base + "/statements", self.url]))

    # --- HTTP

    def send(self, method: str, url: str, **kw):
        """One request; on a 401 the login is offered the way the store asks (Basic or Digest)."""
        import requests
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        try:
            r = self.http.request(method, url, timeout=self.timeout, **kw)
            self.requests += 1
            if r.status_code == 401 and self.user and self.http.auth is None:
                scheme = (r.headers.get("WWW-Authenticate") or "basic").split()[0].lower()
                self.http.auth = (HTTPDigestAuth if scheme == "digest" else HTTPBasicAuth)(self.user, self.password or "")
                r = self.http.request(method, url, timeout=self.timeout, **kw)
                self.requests += 1
        except requests.RequestException as e:
            raise KgError(f"cannot reach {url}: {e}") from None
        return r

    def _find_query(self) -> tuple[str, Dialect]:
        tried = []
        for cand in dict.fromkeys([self.url, self.base + "/query", self.base + "/sparql"]):
            r = self.send("GET", cand, params={"query": "ASK {}"},
                          headers={"Accept": "application/sparql-results+json"})
            ctype = r.headers.get("Content-Type", "")
            if r.status_code == 200 and "json" in ctype:
                return cand, detect(r.headers.get("Server"))
            tried.append(f"{cand} ({r.status_code})")
        raise KgError(f"found no SPARQL query endpoint at {self.url}: tried {', '.join(tried)}")

    def select(self, query: str) -> list[dict]:
        r = self.send("POST", self.query_url, data={"query": query},
                      headers={"Accept": "application/sparql-results+json"})
        if r.status_code != 200:
            raise KgError(f"{self.query_url} failed the query ({r.status_code}): {r.text[:300]}")
        if r.headers.get("X-SPARQL-MaxRows") or r.headers.get("X-SQL-State"):
            raise KgError(f"{self.query_url} sent only part of an answer kg publish needs")
        data = self.dialect.fix_results(r.json(), query)
        return data["results"]["bindings"]

    # --- what is published

    def current(self, catalogue: str) -> Published | None:
        return published_from(self.select(catalogue_query(catalogue)))

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
        return int(rows[0]["n"]["value"]) if rows else 0

    def literal_shape(self, graph: str) -> Counter:
        rows = self.select(f"""SELECT ?dt (COUNT(*) AS ?n) FROM <{graph}> WHERE {{
  ?s ?p ?o FILTER(isLiteral(?o)) BIND(IF(LANG(?o) = "", STR(DATATYPE(?o)), "@lang") AS ?dt) }} GROUP BY ?dt""")
        back = {v: k for k, v in VIRTUOSO_AS_TEXT.items()} if self.dialect.name == "virtuoso" else {}
        out: Counter = Counter()
        for row in rows:
            dt = row.get("dt", {}).get("value") or XSD + "string"
            out[family(back.get(dt, dt))] += int(row["n"]["value"])
        return out

    # --- writing

    def load(self, graph: str, chunks: Iterator[list[ox.Triple]], method: str) -> tuple[int, str]:
        """Load into `graph` (replacing it); (triples sent, how)."""
        it = iter(chunks)
        first = next(it, [])
        if method in ("auto", "gsp"):
            for url in self.gsp:
                r = self.send("PUT", url, params={"graph": graph}, data=nt_bytes(first),
                              headers={"Content-Type": "application/n-triples"})
                if r.status_code in (401, 403):
                    if url != self.gsp[-1]:
                        continue
                    raise KgError(f"{url} refused the load ({r.status_code}): give --user (with KG_STORE_PASSWORD) "
                                  "or --token")
                if 200 <= r.status_code < 300:
                    n = len(first)
                    for part in it:
                        r = self.send("POST", url, params={"graph": graph}, data=nt_bytes(part),
                                      headers={"Content-Type": "application/n-triples"})
                        if not 200 <= r.status_code < 300:
                            raise KgError(f"{url} failed after {n} triples: {r.status_code} {r.text[:300]}")
                        n += len(part)
                    return n, f"Graph Store Protocol at {url}"
                if r.status_code not in (404, 405, 501):
                    raise KgError(f"{url} refused the first {len(first)} triples: {r.status_code} {r.text[:300]}")
            if method == "gsp":
                raise KgError(f"no Graph Store Protocol endpoint at {self.url} (tried {', '.join(self.gsp)})")
        url = self._update_url()
        self.update(url, f"DROP SILENT GRAPH <{graph}>")
        n = 0
        for part in [first, *it] if first else []:
            body = nt_bytes(part).decode("utf-8")
            self.update(url, f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}", after=n)
            n += len(part)
        return n, f"SPARQL Update at {url}"

    def _update_url(self) -> str:
        last = ""
        for url in self.update_urls:
            r = self.send("POST", url, data="DROP SILENT GRAPH <urn:x-demand-kg:probe>".encode(),
                          headers={"Content-Type": "application/sparql-update; charset=utf-8"})
            if 200 <= r.status_code < 300:
                return url
            last = f"{url}: {r.status_code} {r.text[:200]}"
        raise KgError(f"found no SPARQL Update endpoint that takes updates at {self.url} ({last}); "
                      "give --user (with KG_STORE_PASSWORD) or --token if it wants a login")

    def update(self, url: str, text: str, after: int = 0) -> None:
        r = self.send("POST", url, data=text.encode("utf-8"),
                      headers={"Content-Type": "application/sparql-update; charset=utf-8"})
        if not 200 <= r.status_code < 300:
            raise KgError(f"{url} failed after {after} triples: {r.status_code} {r.text[:300]}")

    def replace(self, graph: str, triples: list[ox.Triple], method: str) -> None:
        """Replace a small graph in one request (the catalogue)."""
        if method in ("auto", "gsp"):
            for url in self.gsp:
                r = self.send("PUT", url, params={"graph": graph}, data=nt_bytes(triples),
                              headers={"Content-Type": "application/n-triples"})
                if 200 <= r.status_code < 300:
                    return
        body = nt_bytes(triples).decode("utf-8")
        self.update(self._update_url(), f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}")

    def drop(self, graph: str, method: str) -> None:
        if method in ("auto", "gsp"):
            for url in self.gsp:
                r = self.send("DELETE", url, params={"graph": graph})
                if 200 <= r.status_code < 300 or r.status_code == 404:
                    return
        self.update(self._update_url(), f"DROP SILENT GRAPH <{graph}>")


def publish(dist: Path, to: str, graph: str | None = None, *, chunk: int = 50_000, token: str | None = None,
            method: str = "auto", user: str | None = None, password: str | None = None,
            drop_after: float = 15.0, log=None) -> dict:
    """Publish the release in `dist` into the store at `to`; what was done, as a dict."""
    def say(msg: str) -> None:
        if log is not None:
            log(msg)

    nt = dist / "kg.nt"
    if not nt.is_file() or not (dist / "release.json").is_file():
        raise KgError(f"no release (kg.nt, release.json) in {dist}: run `kg build` first")
    info = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    t0 = time.monotonic()
    store = Store(to, user=user, password=password, token=token)
    catalogue = graph or catalogue_for(info["base"])
    target = release_graph(catalogue, info["id"])
    old = store.current(catalogue)
    res = {"triples": info["triples"], "graph": target, "catalogue": catalogue, "store": store.dialect.name,
           "query_url": store.query_url, "previous": old.graph if old else None, "release": info["id"]}
    if old is not None and old.graph == target and store.count(target) == info["triples"]:
        res.update(method="none (already published)", requests=store.requests, seconds=time.monotonic() - t0,
                   dropped=None)
        return res
    as_text = VIRTUOSO_AS_TEXT if store.dialect.name == "virtuoso" else None
    shape = Shape()
    try:
        n, how = store.load(target, release_chunks(nt, chunk, as_text, shape), method)
        say(f"loaded {n} triples into <{target}> ({how})")
        problems = []
        if shape.triples != info["triples"]:
            problems.append(f"kg.nt has {shape.triples} triples, release.json says {info['triples']}")
        got = store.count(target)
        if got != shape.triples:
            problems.append(f"the store holds {got} triples of the {shape.triples} sent")
        have = store.literal_shape(target)
        for dt in sorted(set(have) | set(shape.literals)):
            if have[dt] != shape.literals[dt]:
                problems.append(f"literals typed {dt}: {shape.literals[dt]} sent, {have[dt]} in the store")
        if problems:
            raise KgError("the loaded release does not match what was sent: " + "; ".join(problems))
    except BaseException as e:
        try:
            store.drop(target, method)
        except Exception:  # noqa: BLE001 - the first problem is the one to report
            pass
        now = f"release {old.id} stays published" if old else "nothing is published there"
        if isinstance(e, KgError):
            raise KgError(f"{e}; {now}") from None
        raise
    pub = Published(target, info["id"], info["created"], info["triples"], info["base"], info.get("counts") or {})
    store.replace(catalogue, catalogue_triples(catalogue, pub), method)
    say(f"<{catalogue}> now names release {info['id']}")
    res.update(method=how, checked=True)
    if old is not None and old.graph != target:
        if drop_after > 0:
            time.sleep(drop_after)  # servers that still answer from it finish first
        store.drop(old.graph, method)
        say(f"dropped the previous release's graph <{old.graph}>")
    res.update(requests=store.requests, seconds=time.monotonic() - t0,
               dropped=old.graph if old is not None and old.graph != target else None)
    return res


def run(args: argparse.Namespace) -> int:
    dist = Path(args.dist)
    for target in args.to:
        if is_url(target):
            def log(msg: str) -> None:
                print(f"kg publish: {msg}", file=sys.stderr, flush=True)

            res = publish(dist, target, args.graph, chunk=args.chunk, token=args.token, method=args.method,
                          user=args.user, password=os.environ.get("KG_STORE_PASSWORD"),
                          drop_after=args.drop_after, log=log)
            print(f"kg publish: release {res['release']} ({res['triples']} triples) is published in "
                  f"<{res['graph']}> at {res['query_url']} ({res['store']}; {res['method']}; "
                  f"{res['requests']} requests, {res['seconds']:.1f} s)", file=sys.stderr)
        else:
            from .static_site import write_static

            res = write_static(dist, Path(target))
            print(f"kg publish: the static parts of release {res['release']} are in {res['dir']} "
                  f"({res['files']} files, {res['bytes']:,} bytes); nginx: include {res['nginx']}",
                  file=sys.stderr)
    return 0
