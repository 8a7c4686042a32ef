"""/sparql beyond the W3C manifest: negotiation with q-values, every format, the Service
Description, errors, updates, SERVICE allow-list, CORS, ETags; real clients (SPARQLWrapper)."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg.app import create_app
from kg.examples import EXAMPLES
from kg.sparql_protocol import ProtocolError, check_services, negotiate, service_iris
from test_app_support import live_server, small_release

DKG = "https://w3id.org/demand-kg/ontology#"
SELECT = f"PREFIX dkg: <{DKG}> SELECT ?j ?n WHERE {{ ?j dkg:population ?n }} ORDER BY ?j"
CONSTRUCT = f"PREFIX dkg: <{DKG}> CONSTRUCT {{ ?j dkg:population ?n }} WHERE {{ ?j dkg:population ?n }}"


@pytest.fixture(scope="module")
def client():
    app = create_app({"DIST": str(small_release()), "QUERY_WORKERS": 2})
    yield app.test_client()
    app.extensions["kg"].engine.close()


def get(client, query, accept=None, **params):
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def ctype(r) -> str:
    return r.headers["Content-Type"]


def test_negotiation_honours_q_values():
    offers = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv")
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml;q=0.9", offers) == "application/sparql-results+xml"
    assert negotiate("application/sparql-results+json;q=0, */*;q=0.1", offers) == "application/sparql-results+xml"
    assert negotiate("text/*", offers) == "text/csv"
    assert negotiate("image/png", offers) is None
    assert negotiate(None, offers) == offers[0]


@pytest.mark.parametrize("accept,expected", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv;q=0.2, text/tab-separated-values;q=0.8", "text/tab-separated-values; charset=utf-8"),
])
def test_select_formats_by_accept(client, accept, expected):
    r = get(client, SELECT, accept)
    assert r.status_code == 200 and ctype(r) == expected
    body = r.get_data(as_text=True)
    if "json" in expected:
        rows = json.loads(body)["results"]["bindings"]
        assert len(rows) == 4 and {b["n"]["value"] for b in rows} >= {"40014", "1200"}
    elif "xml" in expected:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(ET.fromstring(body).findall(f"{ns}results/{ns}result")) == 4
    elif "csv" in expected:
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["j", "n"] and len(rows) == 5
    else:
        lines = body.strip().split("\n")
        assert lines[0] == "?j\t?n" and len(lines) == 5 and lines[1].startswith("<https://w3id.org/")


@pytest.mark.parametrize("fmt,expected", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                          ("xml", "application/sparql-results+xml"), ("json", "application/sparql-results+json")])
def test_format_parameter_overrides_accept(client, fmt, expected):
    r = get(client, SELECT, "application/sparql-results+json", format=fmt)
    assert r.status_code == 200 and ctype(r).split(";")[0] == expected


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_construct_formats(client, accept, fmt):
    r = get(client, CONSTRUCT, accept)
    assert r.status_code == 200 and ctype(r).split(";")[0] == accept
    triples = list(ox.parse(r.data, fmt))
    assert len(triples) == 4


def test_post_forms_and_ask(client):
    r = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and json.loads(r.data) == {"head": {}, "boolean": True}
    r = client.post("/sparql", data=SELECT.encode(), headers={"Content-Type": "application/sparql-query",
                                                             "Accept": "text/csv"})
    assert r.status_code == 200 and r.data.startswith(b"j,n\r\n")


def test_bad_query_is_400_with_a_readable_message(client):
    r = get(client, "SELECT ?x WHERE { ?x ?y }", "application/sparql-results+json")
    assert r.status_code == 400
    assert "syntax error" in r.get_data(as_text=True).lower()
    r = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert r.status_code == 400 and b"more than one query" in r.data


@pytest.mark.parametrize("text", ["INSERT DATA { <a:s> <a:p> <a:o> }", "CLEAR ALL",
                                  "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "LOAD <http://example.org/x>"])
def test_updates_are_refused_every_way(client, text):
    assert client.post("/sparql", data={"update": text}).status_code == 403
    assert client.post("/sparql", data=text, headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert client.post("/sparql", data={"query": text}).status_code == 403
    r = get(client, text)
    assert r.status_code == 403 and b"read-only" in r.data
    # and the data is still there
    assert json.loads(get(client, "ASK { ?s ?p ?o }", "application/json").data)["boolean"] is True


def test_service_outside_the_allow_list_is_refused(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = get(client, q)
    assert r.status_code == 403 and b"allow-list" in r.data
    r = get(client, "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE SILENT e:sparql { ?s ?p ?o } }")
    assert r.status_code == 403
    r = get(client, "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }")
    assert r.status_code == 403
    # a string that merely says "service" is no SERVICE clause
    r = get(client, 'SELECT * WHERE { BIND("customer service" AS ?x) }', "application/json")
    assert r.status_code == 200


def test_service_iris_and_allow_list():
    assert service_iris("SELECT * { ?s ?p ?o }") == []
    assert service_iris("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } "
                        "OPTIONAL { SERVICE <http://b.example/q> { ?s ?p ?x } } }") == [
        "http://a.example/sparql", "http://b.example/q"]
    check_services("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
                   ("https://query.wikidata.org/sparql",))
    with pytest.raises(ProtocolError):
        check_services("SELECT * { SERVICE <https://query.wikidata.org.evil/sparql> { ?s ?p ?o } }",
                       ("https://query.wikidata.org/sparql",))


def test_service_description_and_query_page(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and ctype(r).startswith("text/turtle")
    g = list(ox.parse(r.data, ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value == sd + "endpoint" and t.object.value.endswith("/sparql") for t in g)
    assert any(t.object.value == sd + "SPARQL11Query" for t in g)
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and b"<textarea" in r.data


def test_cors_etag_and_304(client):
    r = get(client, SELECT, "text/csv")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    tag = r.headers["ETag"]
    r2 = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert r2.status_code == 304 and not r2.data
    pre = client.options("/sparql", headers={"Origin": "http://x.example", "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and "POST" in pre.headers["Access-Control-Allow-Methods"]


def test_method_not_allowed(client):
    assert client.put("/sparql?query=ASK%7B%7D").status_code == 405


def test_html_results_page_runs_each_example(client):
    for ex in EXAMPLES:
        r = client.get("/sparql", query_string={"query": ex.sparql}, headers={"Accept": "text/html"})
        assert r.status_code == 200, ex.slug
        assert b'id="result-table"' in r.data or b"Answer:" in r.data, ex.slug
    r = client.get("/sparql", query_string={"query": EXAMPLES[0].sparql}, headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert "Harris County, TX" in html and "format=csv" in html and "format=json" in html


def test_sparqlwrapper_against_the_live_server():
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    url = live_server() + "/sparql"
    sw = SPARQLWrapper(url)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    rows = sw.queryAndConvert()["results"]["bindings"]
    assert sorted(b["j"]["value"].rsplit("/", 1)[1] for b in rows) == ["austin-tx", "evil-tx", "harris-county-tx", "norwich-ct"]
    sw.setReturnFormat(XML)
    assert len(sw.queryAndConvert().getElementsByTagName("result")) == 4
    sw.setReturnFormat(CSV)
    assert sw.queryAndConvert().count(b"\n") == 5
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    assert len(list(ox.parse(sw.queryAndConvert(), ox.RdfFormat.TURTLE))) == 4
    sw.setMethod("POST")
    sw.setQuery("ASK { ?s ?p ?o }")
    sw.setReturnFormat(JSON)
    assert sw.queryAndConvert()["boolean"] is True


def test_fast_path_replays_cached_answers_without_flask(client):
    """A repeat GET is answered by the WSGI fast path: same bytes and headers, 304 and HEAD
    handled there; Accept is part of the key; volatile queries (NOW, RAND...) are never cached."""
    fast = client.application.wsgi_app
    q = SELECT + " # fast-path"
    first = get(client, q, "text/csv")
    assert first.status_code == 200
    hits = fast.hits
    again = get(client, q, "text/csv")
    assert fast.hits == hits + 1
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = get(client, q, "application/sparql-results+json")
    assert other.headers["Content-Type"].startswith("application/sparql-results+json")
    r304 = client.get("/sparql", query_string={"query": q},
                      headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]})
    assert r304.status_code == 304 and not r304.data and r304.headers["ETag"] == first.headers["ETag"]
    assert "Content-Type" not in r304.headers or not r304.headers.get("Content-Length")
    head = client.head("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"})
    assert head.status_code == 200 and not head.data
    assert int(head.headers["Content-Length"]) == len(first.data)
    vol = "SELECT (STRUUID() AS ?u) WHERE {}"
    a, b = get(client, vol, "text/csv"), get(client, vol, "text/csv")
    assert a.status_code == b.status_code == 200 and a.data != b.data and "ETag" not in b.headers
    page1 = client.get("/page/jurisdiction/norwich-ct")
    hits = fast.hits
    page2 = client.get("/page/jurisdiction/norwich-ct")
    assert fast.hits == hits + 1 and page1.data == page2.data


@pytest.mark.parametrize("accept,extra", [("text/csv", {}), (None, {}), ("text/turtle", {}),
                                          ("application/sparql-results+xml", {"format": "json"}),
                                          ("image/png", {}), (None, {"query": "SELEKT nothing"})])
def test_lean_path_answers_like_the_flask_view(client, accept, extra):
    """GET /sparql?query= for programs is answered before Flask; an If-None-Match that matches
    nothing sends the same request through the Flask view: same status, bytes and headers."""
    q = extra.pop("query", None) or (CONSTRUCT if accept == "text/turtle" else SELECT) + f" # lean {accept} {extra}"
    headers = {"Accept": accept} if accept else {}
    lean = client.get("/sparql", query_string={"query": q, **extra}, headers=headers)
    view = client.get("/sparql", query_string={"query": q, **extra}, headers={**headers, "If-None-Match": '"none"'})
    assert lean.status_code == view.status_code
    assert lean.data == view.data
    skip = {"Content-Length"}
    assert {k: v for k, v in lean.headers.items() if k not in skip} == \
        {k: v for k, v in view.headers.items() if k not in skip}
