"""SPARQL 1.1 Protocol: read the operation out of a request, negotiate the result format.

Pure functions over a few request fields, so they are easy to test and cheap per request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs

from .engine import GRAPH_FORMATS, RESULTS_FORMATS, strip_comments

# ?format= (and output=, results=) short names and the media types they stand for: (results, graph)
FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "srj": ("application/sparql-results+json", None),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml", None),
    "csv": ("text/csv", None), "tsv": ("text/tab-separated-values", None),
    "ttl": (None, "text/turtle"), "turtle": (None, "text/turtle"),
    "n3": (None, "text/turtle"),  # Turtle is N3: SPARQLWrapper's N3 reads it
    "nt": (None, "application/n-triples"), "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "rdf": (None, "application/rdf+xml"), "rdfxml": (None, "application/rdf+xml"),
    "rdf+xml": (None, "application/rdf+xml"), "owl": (None, "application/rdf+xml"),
    "jsonld": (None, "application/ld+json"), "json-ld": (None, "application/ld+json"),
    "nq": (None, "application/n-quads"), "trig": (None, "application/trig"),
    "html": ("text/html", "text/html"),
}
# media types clients send for the ones we serve: SPARQLWrapper (application/turtle, text/rdf+n3,
# application/n3, text/n3, application/x-json+ld, text/javascript), R's httr (application/json,
# text/xml, application/xml), Jena (application/json, application/xml), RDF4J (text/rdf+n3,
# application/x-turtle, application/x-trig, text/plain for N-Triples). One alias may stand for a
# results type and a graph type: application/xml is SPARQL XML for SELECT, RDF/XML for CONSTRUCT.
ALIASES: dict[str, tuple[str, ...]] = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "text/javascript": ("application/sparql-results+json",),
    "application/javascript": ("application/sparql-results+json",),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "application/x-turtle": ("text/turtle",),
    "application/turtle": ("text/turtle",),
    "text/n3": ("text/turtle",),
    "text/rdf+n3": ("text/turtle",),
    "application/n3": ("text/turtle",),
    "text/plain": ("application/n-triples",),
    "application/json+ld": ("application/ld+json",),
    "application/x-json+ld": ("application/ld+json",),
    "application/x-trig": ("application/trig",),
    "text/x-nquads": ("application/n-quads",),
}
RESULTS_TYPES = list(RESULTS_FORMATS)
GRAPH_TYPES = list(GRAPH_FORMATS)
ANSWER_TYPES = tuple(RESULTS_TYPES + GRAPH_TYPES)
HTML = "text/html"
# how specifically a media range names an offer: the most specific matching range gives the q
EXACT, ALIAS, TYPE_WILDCARD, ANY = 3, 2, 1, 0
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
    # ?format= override: (results media type, graph media type), either may be None
    format: tuple[str | None, str | None] | None = None

    @property
    def html(self) -> bool:
        return self.format is not None and self.format[0] == HTML


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[tuple[str, float, int], ...]:
    """`Accept` -> ((media range, q, specificity), ...) in header order; a bad q counts as 0."""
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
        spec = ANY if mt == "*/*" else TYPE_WILDCARD if mt.endswith("/*") else EXACT
        out.append((mt, q, spec))
    return tuple(out)


def quality(accept: tuple[tuple[str, float, int], ...], offer: str, aliased: bool = True) -> tuple[float, int, int]:
    """(q, specificity, -position) the client gives `offer`: the most specific matching range
    wins (the type itself, then an alias of it, then type/*, then */*), and its place in the
    header breaks ties; (0, -1, 0) when nothing matches."""
    best = (0.0, -1, 0)
    major = offer.split("/")[0]
    for i, (mt, q, spec) in enumerate(accept):
        if mt == offer:
            s = EXACT
        elif aliased and offer in ALIASES.get(mt, ()):
            s = ALIAS
        elif spec == TYPE_WILDCARD and mt[:-2] == major:
            s = TYPE_WILDCARD
        elif spec == ANY:
            s = ANY
        else:
            continue
        if s > best[1]:
            best = (q, s, -i)
    return best


@lru_cache(maxsize=1024)
def negotiate(header: str | None, offers: tuple[str, ...], aliased: bool = True) -> str | None:
    """The offer the client likes most: highest q, then the one it names most specifically
    (`text/csv, */*` is CSV), then the one it names first (R's httr `application/json,
    text/xml, ...` gets JSON), then the server's order; None if none is acceptable.

    No Accept header means anything goes: the first offer.
    """
    if not header or not header.strip():
        return offers[0]
    accept = parse_accept(header)
    best, key = None, (0.0, -1, 0)
    for offer in offers:
        k = quality(accept, offer, aliased)
        if k[0] > 0 and k > key:
            best, key = offer, k
    return best


@lru_cache(maxsize=1024)
def wants_html(header: str | None, others: tuple[str, ...] = ANSWER_TYPES) -> bool:
    """A browser: the client prefers text/html to every one of `others` (by q, then by how
    specifically it names them). A browser's `text/html,...,*/*;q=0.8` does; `*/*` alone, no
    Accept at all, or a list that names one of `others` as highly as HTML does not."""
    if not header:
        return False
    accept = parse_accept(header)
    h = quality(accept, HTML, False)[:2]
    if h[0] <= 0:
        return False
    return all(h > quality(accept, o)[:2] for o in others)


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
            fmt = read_format(vals)
            break
    return Operation(query_text, params.get("default-graph-uri", []), params.get("named-graph-uri", []), fmt)


def format_of(value: str) -> tuple[str | None, str | None] | None:
    """One format= value: a short name (`json`, `n3`, `json-ld`, ...), a media type or an alias,
    or a list of them as SPARQLWrapper sends (`application/ld+json,application/x-json+ld`)."""
    v = value.strip().lower()
    if v in FORMAT_NAMES:
        return FORMAT_NAMES[v]
    r = g = None
    for part in v.split(","):
        mt = part.split(";")[0].strip()
        if mt == HTML:
            return HTML, HTML
        for t in (mt,) + ALIASES.get(mt, ()):
            if t in RESULTS_FORMATS and r is None:
                r = t
            elif t in GRAPH_FORMATS and g is None:
                g = t
    return (r, g) if r or g else None


def read_format(values: list[str]) -> tuple[str | None, str | None]:
    """The format the last value that names one asks for (SPARQLWrapper repeats format= with a
    short name and a media type list); 400 if none does."""
    for v in reversed(values):
        f = format_of(v)
        if f is not None:
            return f
    raise ProtocolError(400, f"unknown format {values[-1]!r}; use one of "
                             + ", ".join(sorted(FORMAT_NAMES)) + ", or a media type")


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


def choose_formats(accept: str | None, fmt: tuple[str | None, str | None] | None) -> tuple[str, str]:
    """(results media type, graph media type) for the request; ProtocolError 406 if neither."""
    if fmt:
        r, g = fmt
        return (r if r in RESULTS_FORMATS else RESULTS_TYPES[0]), (g if g in GRAPH_FORMATS else "text/turtle")
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
