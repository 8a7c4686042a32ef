"""Malformed requests of every kind get a 4xx (or a correct 2xx/3xx), never a 500 or a crash:
Hypothesis over the HTTP layer (Flask test client, which also goes through the WSGI fast
path) and the protocol parser, and a few against a live server. The long fuzz run is
`python bench/fuzz_http.py` (same strategies, many more examples)."""
from __future__ import annotations

import os
import socket
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.app import create_app
from kg.sparql_protocol import ProtocolError, choose_formats, negotiate, parse_accept, read_operation, wants_html
from test_app_support import http, live_server, small_release

METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO"]
PATHS = ["/sparql", "/sparql/", "/", "/jurisdictions", "/tactics", "/id/jurisdiction/norwich-ct",
         "/page/jurisdiction/norwich-ct", "/data/jurisdiction/norwich-ct.ttl", "/data/jurisdiction/norwich-ct",
         "/dumps/kg.nt", "/dumps/kg.ttl.gz", "/context.jsonld", "/.well-known/void", "/ontology", "/shapes",
         "/ontology.ttl", "/robots.txt", "/favicon.ico", "/static/style.css", "/page/tactic/web-stings",
         "/id/state/ct", "/nothing"]
MEDIA = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
         "text/tab-separated-values", "text/turtle", "application/n-triples", "application/rdf+xml",
         "application/ld+json", "text/html", "*/*", "text/*", "application/json", "image/png", "",
         "application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update",
         "multipart/form-data; boundary=x", "text/plain"]
QUERIES = ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 2", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
           "DESCRIBE <https://w3id.org/demand-kg/id/jurisdiction/norwich-ct>", "SELEKT", "INSERT DATA {}",
           "SELECT * WHERE { SERVICE <http://x.example/> { ?s ?p ?o } }", "SELECT * WHERE { SERVICE ?x {} }",
           "PREFIX : <x> SELECT", "", "   ", "\x00", "SELECT (NOW() AS ?n) {}"]

text = st.text(max_size=200)
junk_bytes = st.binary(max_size=300)
# what a header value can carry on the wire (bytes read as latin-1, no line breaks)
header_text = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=255, blacklist_characters="\r\n"),
                      max_size=120)
# percent-encoded junk: valid and invalid escapes, invalid UTF-8, separators
pct = st.lists(st.sampled_from(["%", "%2", "%ZZ", "%FF", "%C3%28", "%00", "&", "=", "+", ";", "query", "format",
                                "default-graph-uri", "named-graph-uri", "update", "%E2%82", "%F0%9F%98%80", "a",
                                "SELECT", "{", "}", "%7B", "#", "?", "output", "results", "example"]),
               max_size=40).map("".join)
media_value = st.one_of(st.sampled_from(MEDIA), header_text,
                        st.lists(st.tuples(st.sampled_from(MEDIA), st.floats(allow_nan=True, allow_infinity=True)),
                                 max_size=6).map(lambda xs: ", ".join(f"{m};q={q}" for m, q in xs)))
formats = st.one_of(st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "nt", "rdf", "jsonld", "html", "nq",
                                     "trig", "png", "", "JSON", " json "]), text)


def deep(n: int, kind: str) -> str:
    if kind == "group":
        return "SELECT * WHERE " + "{" * n + "}" * n
    if kind == "paren":
        return "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }"
    return "SELECT * WHERE { ?s ?p " + "[ <p> " * n + "1" + " ]" * n + " }"


queries = st.one_of(st.sampled_from(QUERIES), text,
                    st.builds(deep, st.integers(0, 20_000), st.sampled_from(["group", "paren", "blank"])))


@pytest.fixture(scope="module")
def client():
    app = create_app({"DIST": str(small_release()), "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 5})
    yield app.test_client()
    app.extensions["kg"].engine.close()


def ok_status(status: int) -> bool:
    return status < 500 or status == 503  # 503: the documented time limit / busy answer


# bench/fuzz_http.py raises these for the long run (random seeds then)
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "60"))
LIVE_EXAMPLES = int(os.environ.get("KG_FUZZ_LIVE_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                derandomize="KG_FUZZ_EXAMPLES" not in os.environ, database=None)


@FUZZ
@given(method=st.sampled_from(METHODS), path=st.one_of(st.sampled_from(PATHS), text.map(lambda t: "/" + quote(t))),
       qs=st.one_of(pct, text.map(quote)), accept=media_value, ctype=media_value, body=junk_bytes)
def test_any_request_is_answered_without_a_server_error(client, method, path, qs, accept, ctype, body):
    r = client.open(path, method=method, environ_overrides={"QUERY_STRING": qs}, data=body,
                    headers={"Accept": accept, "Content-Type": ctype})
    assert ok_status(r.status_code), (r.status_code, r.data[:300])


@FUZZ
@given(query=queries, accept=media_value, fmt=st.one_of(st.none(), formats), how=st.sampled_from(["get", "form", "direct"]),
       extra=st.dictionaries(st.sampled_from(["default-graph-uri", "named-graph-uri", "output", "example"]), text,
                             max_size=2))
def test_sparql_queries_of_any_shape(client, query, accept, fmt, how, extra):
    params = {**extra, **({"format": fmt} if fmt is not None else {})}
    headers = {"Accept": accept}
    if how == "get":
        r = client.get("/sparql", query_string={"query": query, **params}, headers=headers)
    elif how == "form":
        r = client.post("/sparql", data={"query": query, **params}, headers=headers)
    else:
        r = client.post("/sparql", query_string=params, data=query.encode("utf-8", "surrogatepass"),
                        headers={**headers, "Content-Type": "application/sparql-query"})
    assert ok_status(r.status_code), (r.status_code, r.data[:300])


@FUZZ
@given(body=junk_bytes, charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=\"x",
                                                  "; charset=utf-16", ";;;", "; q=1"]),
       ctype=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "text/plain",
                              "application/octet-stream", "multipart/form-data", ""]))
def test_binary_bodies_and_bad_encodings(client, body, charset, ctype):
    r = client.post("/sparql", data=body, headers={"Content-Type": ctype + charset})
    assert 400 <= r.status_code < 500 or r.status_code in (200, 503), (r.status_code, r.data[:300])


@FUZZ
@given(headers=st.dictionaries(st.sampled_from(["Accept", "Accept-Encoding", "If-None-Match", "If-Modified-Since",
                                                "Range", "If-Range", "Origin", "Host", "Content-Length",
                                                "Cookie", "Authorization", "X-Forwarded-For"]),
                               header_text,
                               max_size=5),
       path=st.sampled_from(PATHS))
def test_header_junk(client, headers, path):
    headers.pop("Content-Length", None)  # the test client sets it from the body
    r = client.get(path, query_string={"query": "ASK {}"} if path == "/sparql" else None, headers=headers)
    assert ok_status(r.status_code), (r.status_code, r.data[:300])


@settings(max_examples=5 * EXAMPLES, deadline=None, derandomize="KG_FUZZ_EXAMPLES" not in os.environ, database=None)
@given(method=st.sampled_from(METHODS), args=st.dictionaries(text, st.lists(text, max_size=3), max_size=4),
       ctype=st.one_of(st.none(), media_value), body=junk_bytes, accept=st.one_of(st.none(), media_value))
def test_protocol_parser_raises_only_protocol_errors(method, args, ctype, body, accept):
    try:
        op = read_operation(method, args, ctype, body)
        choose_formats(accept, op.format)
    except ProtocolError as e:
        assert 400 <= e.status < 500
    parse_accept(accept or "")
    negotiate(accept, ("text/turtle", "application/ld+json"))
    wants_html(accept)


def test_huge_and_deep_requests_are_refused_cleanly(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    assert client.post("/sparql", data=big.encode(), headers={"Content-Type": "application/sparql-query"}).status_code == 413
    assert client.post("/sparql", data=b"x" * 3_000_000,
                       headers={"Content-Type": "application/sparql-query"}).status_code == 413
    r = client.post("/sparql", data=deep(50_000, "group").encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and b"nests" in r.data
    assert client.get("/sparql", query_string={"query": deep(1000, "paren")}).status_code == 400
    assert client.get("/sparql", query_string={"query": deep(100, "group")}).status_code == 200


# ----------------------------------------------------------------------------- a live server

@pytest.fixture(scope="module")
def server():
    return live_server("--timeout", "5")


def raw(server: str, data: bytes, timeout: float = 10.0) -> bytes:
    host, port = server.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while len(out) < 100_000:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    return out


@settings(max_examples=LIVE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize="KG_FUZZ_EXAMPLES" not in os.environ, database=None)
@given(line=st.one_of(st.binary(max_size=200), pct.map(lambda q: f"GET /sparql?{q} HTTP/1.1".encode())),
       headers=st.binary(max_size=200))
def test_live_server_survives_raw_junk(server, line, headers):
    out = raw(server, line + b"\r\n" + headers + b"\r\nConnection: close\r\n\r\n")
    if out.startswith(b"HTTP/"):
        status = int(out.split(b" ", 2)[1])
        assert ok_status(status), out[:300]
    status, _, body = http("GET", f"{server}/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and b"true" in body


def test_live_server_huge_and_deep(server):
    status, _, _ = http("POST", f"{server}/sparql", deep(50_000, "group").encode(),
                        {"Content-Type": "application/sparql-query"})
    assert status == 400
    status, _, _ = http("POST", f"{server}/sparql", b"\xff\xfe" * 2_000_000, {"Content-Type": "application/sparql-query"})
    assert status == 413
    status, _, _ = http("GET", f"{server}/sparql?query=" + quote(deep(10_000, "paren")))
    assert status in (400, 413, 414)
    status, _, body = http("GET", f"{server}/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and b"true" in body
