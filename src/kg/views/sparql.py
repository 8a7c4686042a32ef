"""/sparql: the SPARQL 1.1 Protocol query operation, the Service Description, the query page."""
from __future__ import annotations

import binascii
import json
import re
from typing import Iterator
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, request

from ..engine import GRAPH_FORMATS, QueryError, Streamed, Term, term_of, term_of_json
from ..examples import BY_SLUG, EXAMPLES, PREFIXES
from ..sparql_text import DKG_NS, unknown_terms, unknown_terms_note
from ..sparql_protocol import (ProtocolError, check_services, choose_formats,
                               negotiate, read_operation, wants_html)
from .common import etag_for, finish, page, site

bp = Blueprint("sparql", __name__)
HTML_ROWS = 1000
# functions whose value changes from one evaluation to the next: such answers are never cached
VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.I)
SD_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")


def volatile(query: str) -> bool:
    low = query.lower()  # a cheap look first: the expression is slow on long texts
    return ("now" in low or "rand" in low or "uuid" in low or "bnode" in low) and bool(VOLATILE.search(query))


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")  # a '%' that parse_qs would leave as it is


def query_arg(qs: str) -> dict[str, list[str]] | None:
    """`{"query": [text]}` for a query string that is only `query=...`, percent-decoded as
    parse_qs would (UTF-8, errors replaced), or None to let parse_qs read it. binascii's
    quoted-printable decoder does the %XX decoding in C: parse_qs spent most of a cheap
    lookup's time in Python decoding the escapes of a typical query."""
    if not qs.startswith("query=") or "&" in qs or not qs.isascii():
        return None
    v = qs[6:]
    if " " in v or "\t" in v or "\r" in v or "\n" in v or _BAD_ESCAPE.search(v):
        return None  # whitespace means something else to the decoder
    raw = binascii.a2b_qp(v.replace("=", "=3D").replace("%", "=").replace("+", "=20").encode("ascii"))
    return {"query": [raw.decode("utf-8", "replace")]}


def known_terms(s) -> frozenset[str]:
    """The local names of the terms the ontology defines (dkg:usesTactic -> usesTactic)."""

    def make() -> frozenset[str]:
        f = s.file("ontology.ttl")
        if f is not None:
            files = [f]
        else:  # serving a remote endpoint without a release: the package's own ontology
            from ..vocab import ontology_dir

            files = sorted(ontology_dir().glob("*.ttl"))
        names = set()
        for path in files:
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(DKG_NS):
                    names.add(t.subject.value[len(DKG_NS):])
        return frozenset(names)

    return s.memo("ontology-terms", make)


def term_note(s, query: str) -> str | None:
    """'dkg:useTactic is not a term of the ontology (did you mean dkg:usesTactic?)', or None."""
    if DKG_NS not in query:
        return None
    found = unknown_terms(query, known_terms(s))
    return unknown_terms_note(found) if found else None


def warning_header(note: str) -> str:
    """An HTTP Warning field (code 299, persistent) carrying the note; ASCII only."""
    text = note.replace("\\", "\\\\").replace('"', '\\"').encode("ascii", "backslashreplace").decode()
    return f'299 - "{text}"'


def content_type(mt: str) -> str:
    return mt + "; charset=utf-8" if mt.startswith("text/") else mt


def protocol_error(status: int, message: str, html: bool = False) -> Response:
    if html:
        return page("query.html", title="SPARQL query", status=status, query=request.values.get("query", ""), error=message,
                    examples=EXAMPLES, result=None)
    resp = Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    if status == 405:
        resp.headers["Allow"] = "GET, POST, OPTIONS"
    return resp


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"], strict_slashes=False)
def sparql():
    if request.method == "OPTIONS":  # CORS preflight
        r = Response(status=204)
        r.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        r.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        r.headers["Access-Control-Max-Age"] = "86400"
        return r
    s = site()
    accept = request.headers.get("Accept")
    args = request.args.to_dict(flat=False)
    body = request.get_data(cache=False) if request.method == "POST" else b""
    try:
        op = read_operation(request.method, args, request.headers.get("Content-Type"), body)
    except ProtocolError as e:
        return protocol_error(e.status, e.message, html=wants_html(accept) and e.status != 405)
    html = op.html or (op.format is None and wants_html(accept))
    if op.query is None:
        if request.method == "POST":
            return protocol_error(400, "no query: send query= in the form or the URL, "
                                       "or the query itself as application/sparql-query", html)
        if html:
            ex = BY_SLUG.get(request.args.get("example", ""))
            return page("query.html", title="SPARQL query", query=ex.sparql if ex else PREFIXES + "\nSELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n",
                        examples=EXAMPLES, result=None, error=None)
        return service_description(accept)
    try:
        check_services(op.query, s.allow)
    except ProtocolError as e:
        return protocol_error(e.status, e.message, html)
    if html:
        return query_page(op)
    try:
        rfmt, gfmt = choose_formats(accept, op.format)
    except ProtocolError as e:
        return protocol_error(e.status, e.message)
    key = None
    if s.cache_key and not volatile(op.query):
        key = ("sparql", request.base_url, op.query, tuple(op.default_graphs), tuple(op.named_graphs), rfmt, gfmt)
        hit = s.cache.get(key)
        if hit is not None:
            return finish(_answer(*hit[:2], note=term_note(s, op.query)), hit[2])
    try:
        ans = s.engine.execute(op.query, results_format=rfmt, graph_format=gfmt,
                               default_graphs=op.default_graphs or None, named_graphs=op.named_graphs or None,
                               base_iri=request.base_url, stream=can_stream(request.environ))
    except QueryError as e:
        return protocol_error(e.status, str(e))
    note = term_note(s, op.query)
    if isinstance(ans, Streamed):  # large: sent while it is written; no ETag, not cached
        return _answer(ans.chunks, ans.media_type, note)
    tag = None
    if key is not None:
        tag = etag_for(s.cache_key, *map(str, key))
        if len(ans.body) <= 1_000_000:
            s.cache.put(key, (ans.body, ans.media_type, tag))
    return finish(_answer(ans.body, ans.media_type, note), tag)


def can_stream(environ) -> bool:
    """Only over HTTP/1.1 and later: a chunked (or HTTP/2) body shows a client when a stream was
    cut off half-way (time or size limit); an HTTP/1.0 body just ends, and would look whole.
    (granian reports HTTP/1.0 as "HTTP/1".)"""
    proto = environ.get("SERVER_PROTOCOL", "")
    return proto == "HTTP/1.1" or proto.startswith(("HTTP/2", "HTTP/3"))


def _answer(body: bytes | Iterator[bytes], media_type: str, note: str | None = None) -> Response:
    resp = Response(body, content_type=content_type(media_type))
    resp.headers["Vary"] = "Accept"
    if note:
        resp.headers["Warning"] = warning_header(note)
    return resp


# ----------------------------------------------------------------------------- service description

def service_description(accept: str | None) -> Response:
    s = site()
    mt = negotiate(accept, SD_TYPES) or "text/turtle"

    def make():
        endpoint = request.host_url.rstrip("/") + "/sparql"
        sd = "http://www.w3.org/ns/sparql-service-description#"
        ttl = f"""@prefix sd: <{sd}> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
    <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
    <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
    <http://www.w3.org/ns/formats/RDF_XML>, <http://www.w3.org/ns/formats/JSON-LD> ;
  sd:feature sd:BasicFederatedQuery ;
  dcterms:title "Demand KG SPARQL endpoint (read-only; {s.timeout:g} s per query)"@en ;
  sd:defaultDataset [ a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ; void:triples {s.release.triples if s.release else 0} ] ;
    void:sparqlEndpoint <{endpoint}> ;
    dcterms:source <{s.base}dataset> ] .
"""
        triples = list(ox.parse(ttl.encode(), ox.RdfFormat.TURTLE))
        return {m: ox.serialize(triples, None, GRAPH_FORMATS[m],
                                **({"prefixes": {"sd": sd, "void": "http://rdfs.org/ns/void#",
                                                 "dcterms": "http://purl.org/dc/terms/"}}
                                   if m == "text/turtle" else {})) for m in SD_TYPES}

    docs = s.memo("sd:" + request.host_url, make)
    resp = Response(docs[mt], content_type=content_type(mt))
    resp.headers["Vary"] = "Accept"
    return finish(resp, etag_for(s.cache_key or "", "sd", request.host_url, mt))


# ----------------------------------------------------------------------------- the query page

def query_page(op) -> Response:
    """Run the query and show the results as a table (at most HTML_ROWS rows)."""
    s = site()
    try:
        ans = s.engine.execute(op.query, results_format="application/sparql-results+json",
                               graph_format="application/n-triples",
                               default_graphs=op.default_graphs or None, named_graphs=op.named_graphs or None,
                               base_iri=request.base_url)
    except QueryError as e:
        return page("query.html", title="SPARQL query", status=e.status, query=op.query, error=str(e), examples=EXAMPLES, result=None)
    result: dict = {"form": ans.form}
    if ans.form == "graph":
        triples = list(ox.parse(ans.body, ox.RdfFormat.N_TRIPLES))
        result["vars"] = ["subject", "predicate", "object"]
        result["total"] = len(triples)
        result["rows"] = [[term_of(t.subject), term_of(t.predicate), term_of(t.object)]
                          for t in triples[:HTML_ROWS]]
        downloads = [("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld")]
    else:
        data = json.loads(ans.body)
        if ans.form == "ask":
            result["boolean"] = bool(data.get("boolean"))
            downloads = [("JSON", "json"), ("XML", "xml")]
        else:
            vars_ = data["head"]["vars"]
            rows = data["results"]["bindings"]
            result["vars"] = vars_
            result["total"] = len(rows)
            result["rows"] = [[term_of_json(r.get(v)) for v in vars_] for r in rows[:HTML_ROWS]]
            downloads = [("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv"), ("XML", "xml")]
    base_params = [("query", op.query)] + [("default-graph-uri", g) for g in op.default_graphs] \
        + [("named-graph-uri", g) for g in op.named_graphs]
    result["downloads"] = [(name, "/sparql?" + urlencode(base_params + [("format", f)])) for name, f in downloads]
    result["shown"] = min(result.get("total", 0), HTML_ROWS)
    result["note"] = term_note(s, op.query)
    return page("query.html", title="SPARQL query", query=op.query, error=None, examples=EXAMPLES, result=result,
                alternates=[(d[1], "") for d in result["downloads"][:0]])


def _unused(_: Term) -> None:  # keep the import for type readers
    return None


# ----------------------------------------------------------------------------- lean path

_BASE_URLS: dict = {}  # (scheme, host, ..., path) -> request.base_url, computed once
_PLAIN_HEADERS = [("Access-Control-Allow-Origin", "*"),
                  ("Access-Control-Expose-Headers", "ETag, Link, Content-Location, Warning"),
                  ("X-Content-Type-Options", "nosniff")]


def lean_query(s, environ) -> tuple[str, list, bytes | Iterator[bytes], bool] | None:
    """Answer a plain `GET /sparql?query=...` for a program without Flask, or None to let the
    Flask view do it (HTML, service description, conditional requests, anything unusual).

    Same bytes and headers as the view: (status line, headers, body, cacheable); the body is an
    iterator of chunks for a large, streamed answer.
    """
    from urllib.parse import parse_qs

    from werkzeug.wsgi import get_current_url

    accept = environ.get("HTTP_ACCEPT")
    if "HTTP_IF_NONE_MATCH" in environ or (accept and wants_html(accept)):
        return None
    try:
        qs = environ.get("QUERY_STRING", "")
        args = query_arg(qs) or parse_qs(qs, keep_blank_values=True, errors="replace")
        op = read_operation("GET", args, None, b"")
        if op.query is None or op.html:
            return None
        check_services(op.query, s.allow)
        rfmt, gfmt = choose_formats(accept, op.format)
        where = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                 environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"))
        base_url = _BASE_URLS.get(where)
        if base_url is None:
            base_url = get_current_url(environ, strip_querystring=True)
            if len(_BASE_URLS) < 256:
                _BASE_URLS[where] = base_url
    except Exception:  # noqa: BLE001 - the Flask view gives the proper error answer
        return None
    key = None
    if s.cache_key and not volatile(op.query):
        key = ("sparql", base_url, op.query, tuple(op.default_graphs), tuple(op.named_graphs), rfmt, gfmt)
        hit = s.cache.get(key)
        if hit is not None:
            return _lean_ok(hit[0], hit[1], hit[2], term_note(s, op.query))
    try:
        ans = s.engine.execute(op.query, results_format=rfmt, graph_format=gfmt,
                               default_graphs=op.default_graphs or None, named_graphs=op.named_graphs or None,
                               base_iri=base_url, stream=can_stream(environ))
    except QueryError as e:
        body = (str(e) + "\n").encode("utf-8")
        return (f"{e.status} {_REASONS.get(e.status, 'Error')}",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))] + _PLAIN_HEADERS,
                body, False)
    note = term_note(s, op.query)
    if isinstance(ans, Streamed):
        return ("200 OK", [("Content-Type", content_type(ans.media_type)), ("Vary", "Accept")] + _PLAIN_HEADERS
                + ([("Warning", warning_header(note))] if note else []), ans.chunks, False)
    tag = None
    if key is not None:
        tag = etag_for(s.cache_key, *map(str, key))
        if len(ans.body) <= 1_000_000:
            s.cache.put(key, (ans.body, ans.media_type, tag))
    return _lean_ok(ans.body, ans.media_type, tag, note)


_REASONS = {400: "BAD REQUEST", 403: "FORBIDDEN", 413: "REQUEST ENTITY TOO LARGE", 502: "BAD GATEWAY",
            503: "SERVICE UNAVAILABLE"}


def _lean_ok(body: bytes, media_type: str, tag: str | None, note: str | None = None) -> tuple[str, list, bytes, bool]:
    headers = [("Content-Type", content_type(media_type)), ("Content-Length", str(len(body))), ("Vary", "Accept")]
    if tag:
        headers.append(("ETag", tag))
    if note:
        headers.append(("Warning", warning_header(note)))
    return "200 OK", headers + _PLAIN_HEADERS, body, tag is not None
