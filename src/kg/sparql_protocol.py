"""SPARQL 1.1 Protocol: read the operation out of a request, negotiate the result format.

Pure functions over a few request fields, so they are easy to test and cheap per request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs

from .engine import GRAPH_FORMATS, RESULTS_FORMATS, strip_comments

# ?format= short names and their media types
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "n-triples": "application/n-triples",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml", "rdf+xml": "application/rdf+xml",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "nq": "application/n-quads", "trig": "application/trig",
    "html": "text/html",
}
# aliases clients send for the same thing
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
    "application/x-trig": "application/trig",
}
RESULTS_TYPES = list(RESULTS_FORMATS)
GRAPH_TYPES = list(GRAPH_FORMATS)
HTML = "text/html"
UPDATE_WORDS = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
SERVICE_WORD = re.compile(r"\bSERVICE\b", re.I)
COMMENT = re.compile(r"(?m)#[^\n<>\"']*$")  # the rule; engine.strip_comments applies it in linear time
MAX_QUERY = 1_000_000  # characters; a query is text a person or program wrote, not a data load
MAX_DEPTH = 200  # nested groups/brackets; the engine's parser recurses (it crashes near 5,000)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Operation:
    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None  # ?format= override, a media type


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[tuple[str, float, int], ...]:
    """`Accept` -> ((media type, q, specificity), ...) in header order; bad q counts as 0."""
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        mt = bits[0].lower()
        if not mt:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        spec = 0 if mt == "*/*" else 1 if mt.endswith("/*") else 2
        out.append((ALIASES.get(mt, mt), q, spec))
    return tuple(out)


def quality(accept: tuple[tuple[str, float, int], ...], offer: str) -> float:
    """The q the client gives `offer`: the most specific matching range wins."""
    best_spec, best_q = -1, 0.0
    major = offer.split("/")[0]
    for mt, q, spec in accept:
        if mt == offer or mt == "*/*" or (spec == 1 and mt[:-2] == major):
            if spec > best_spec:
                best_spec, best_q = spec, q
    return best_q


@lru_cache(maxsize=512)
def negotiate(header: str | None, offers: tuple[str, ...]) -> str | None:
    """The offer the client likes most (ties: the server's order); None if none acceptable.

    No Accept header means anything goes: the first offer.
    """
    if not header or not header.strip():
        return offers[0]
    accept = parse_accept(header)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(accept, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def wants_html(header: str | None) -> bool:
    """A browser: text/html is acceptable and at least as welcome as any RDF/results type."""
    if not header:
        return False
    accept = parse_accept(header)
    qh = quality(accept, HTML)
    if qh <= 0:
        return False
    # browsers send */*;q=0.8 beside text/html: only explicit RDF types outrank html
    for mt, q, spec in accept:
        if spec == 2 and (mt in RESULTS_FORMATS or mt in GRAPH_FORMATS) and q > qh:
            return False
    return True


def _charset_ok(content_type: str) -> bool:
    m = re.search(r"charset\s*=\s*\"?([^\";]+)", content_type, re.I)
    return m is None or m.group(1).strip().lower() in ("utf-8", "utf8", "us-ascii", "ascii")


def read_operation(method: str, args: dict[str, list[str]], content_type: str | None,
                   body: bytes) -> Operation:
    """The query operation of a request, by the three forms of the protocol.

    `args` are the URL's parameters (name -> all values). Raises ProtocolError: 403 for any
    update, 400 for malformed requests, 405 for other methods.
    """
    ctype = (content_type or "").split(";")[0].strip().lower()
    if method not in ("GET", "POST", "HEAD"):
        raise ProtocolError(405, f"the SPARQL endpoint answers GET and POST, not {method}")
    params = {k: list(v) for k, v in args.items()}
    query_text: str | None = None
    if method == "POST":
        if ctype == "application/x-www-form-urlencoded":
            if not _charset_ok(content_type or ""):
                raise ProtocolError(400, "form bodies must be UTF-8")
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise ProtocolError(400, "the form body is not UTF-8") from None
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            if not _charset_ok(content_type or ""):
                raise ProtocolError(400, "a direct POST query must be UTF-8 (charset=utf-8)")
            try:
                query_text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query is not valid UTF-8") from None
            if "query" in params:
                raise ProtocolError(400, "give the query in the body or in ?query=, not both")
        elif ctype == "application/sparql-update":
            raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
        elif not ctype:
            raise ProtocolError(400, "a POST to /sparql needs a Content-Type: "
                                     "application/x-www-form-urlencoded or application/sparql-query")
        else:
            raise ProtocolError(415 if ctype not in ("text/plain",) else 400,
                                f"unsupported Content-Type {ctype!r}: use "
                                "application/x-www-form-urlencoded or application/sparql-query")
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
    if query_text is None:
        qs = params.get("query", [])
        if len(qs) > 1:
            raise ProtocolError(400, "more than one query given; send exactly one")
        query_text = qs[0] if qs else None
    if query_text is not None and not query_text.strip():
        raise ProtocolError(400, "the query is empty")
    if query_text is not None:
        check_size(query_text)
    if query_text is not None and UPDATE_WORDS.match(strip_comments(query_text)):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
    fmt = None
    for name in ("format", "output", "results"):
        vals = params.get(name)
        if vals:
            v = vals[-1].strip().lower()
            fmt = FORMAT_NAMES.get(v) or ALIASES.get(v, v)
            if fmt not in RESULTS_FORMATS and fmt not in GRAPH_FORMATS and fmt != HTML:
                raise ProtocolError(400, f"unknown format {vals[-1]!r}; use one of "
                                         + ", ".join(sorted({k for k in FORMAT_NAMES})))
            break
    return Operation(query_text, params.get("default-graph-uri", []), params.get("named-graph-uri", []), fmt)


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), {} and [] (brackets in strings count too: an upper bound)."""
    depth = best = 0
    for ch in re.findall(r"[(){}\[\]]", text):
        if ch in "({[":
            depth += 1
            if depth > best:
                best = depth
        elif depth:
            depth -= 1
    return best


def check_size(query: str) -> None:
    if len(query) > MAX_QUERY:
        raise ProtocolError(413, f"the query is longer than {MAX_QUERY:,} characters")
    if query.count("{") + query.count("(") + query.count("[") > MAX_DEPTH and nesting_depth(query) > MAX_DEPTH:
        raise ProtocolError(400, f"the query nests groups or brackets more than {MAX_DEPTH} deep")


def choose_formats(accept: str | None, fmt: str | None) -> tuple[str, str]:
    """(results media type, graph media type) for the request; ProtocolError 406 if neither."""
    if fmt:
        r = fmt if fmt in RESULTS_FORMATS else "application/sparql-results+json"
        g = fmt if fmt in GRAPH_FORMATS else "text/turtle"
        return r, g
    r = negotiate(accept, tuple(RESULTS_TYPES))
    g = negotiate(accept, tuple(GRAPH_TYPES))
    if r is None and g is None:
        raise ProtocolError(406, "none of the Accept types is offered; results come as "
                                 + ", ".join(RESULTS_TYPES + GRAPH_TYPES))
    return r or RESULTS_TYPES[0], g or GRAPH_TYPES[0]


# ----------------------------------------------------------------------------- SERVICE

def service_iris(query: str) -> list[str] | None:
    """The IRIs in SERVICE clauses; [] when there are none; None if a SERVICE target is a
    variable or the query cannot be read (treated as not allowed)."""
    if "service" not in query.lower() or not SERVICE_WORD.search(query):
        return []  # the fast path: almost every query
    if len(query) > 100_000 or nesting_depth(query) > MAX_DEPTH:
        return None  # too big for the (slow, recursive) reader: not allowed
    try:
        from rdflib.plugins.sparql.parser import parseQuery
        from rdflib.term import URIRef, Variable
    except ImportError:  # pragma: no cover
        return None
    try:
        tree = parseQuery(query)
    except Exception:  # noqa: BLE001 - let the engine report the syntax error
        return [] if not re.search(r"\bSERVICE\s+(SILENT\s+)?[<?$]", query, re.I) else None
    prologue = tree[0]
    prefixes: dict[str, str] = {}
    for decl in prologue:
        if getattr(decl, "name", None) == "PrefixDecl":
            prefixes[decl.prefix or ""] = str(decl.iri)
    found: list[str] = []
    bad = False

    def walk(node) -> None:
        nonlocal bad
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            term = node.term
            if isinstance(term, URIRef):
                found.append(str(term))
            elif isinstance(term, Variable):
                bad = True
            elif getattr(term, "name", None) == "pname":
                found.append(prefixes.get(term.prefix or "", "") + (term.localname or ""))
            else:
                bad = True
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(tree[1])
    return None if bad else found


def check_services(query: str, allow: tuple[str, ...]) -> None:
    iris = service_iris(query)
    if iris is None:
        raise ProtocolError(403, "SERVICE with a variable or an unreadable target is not allowed here")
    for iri in iris:
        if not any(iri == a or iri.startswith(a.rstrip("/") + "/") for a in allow):
            raise ProtocolError(403, f"SERVICE <{iri}> is not on this server's allow-list of "
                                     "federated endpoints" + (f" ({', '.join(allow)})" if allow else " (empty)"))
