"""The SPARQL endpoint with the clients people use, each as it comes (no header set by hand
unless the client itself sets it): requests, curl, wget, SPARQLWrapper in every return format
it offers, rdflib's SPARQLStore, and the Accept lists of R (httr, the SPARQL package), Jena,
RDF4J and browsers. Against a live `kg serve` on loopback."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import warnings

import pytest
import requests
from rdflib import Graph, Literal, URIRef

from test_app_support import BASE, live_server

DKG = "https://w3id.org/demand-kg/ontology#"
NORWICH = BASE + "jurisdiction/norwich-ct"
SELECT = f"""PREFIX dkg: <{DKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?place ?label WHERE {{ ?place a dkg:Jurisdiction ; rdfs:label ?label }} ORDER BY ?label"""
ASK = f"ASK {{ <{NORWICH}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{NORWICH}> ?p ?o }} WHERE {{ <{NORWICH}> ?p ?o }}"
LABELS = ["Austin, TX", "Evil <script>alert(\"x\")</script> Town, TX", "Harris County, TX", "Norwich, CT"]


@pytest.fixture(scope="module")
def url() -> str:
    return live_server() + "/sparql"


def mime(resp) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip()


# ----------------------------------------------------------------------------- requests, as it comes

def test_requests_defaults_get_post_form_post_direct(url):
    got = [requests.get(url, params={"query": SELECT}, timeout=30),
           requests.post(url, data={"query": SELECT}, timeout=30),
           requests.post(url, data=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30)]
    for r in got:
        assert r.status_code == 200
        assert mime(r) == "application/sparql-results+json"
        assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == LABELS
    r = requests.get(url, params={"query": CONSTRUCT}, timeout=30)
    assert mime(r) == "text/turtle"
    assert (URIRef(NORWICH), None, None) in Graph().parse(data=r.text, format="turtle")


def test_errors_are_plain_text_for_programs_and_pages_for_browsers(url):
    r = requests.get(url, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
    assert r.status_code == 400 and mime(r) == "text/plain"
    assert "syntax" in r.text.lower()
    r = requests.post(url, data={"update": "CLEAR ALL"}, timeout=30)
    assert r.status_code == 403 and mime(r) == "text/plain"
    r = requests.get(url.replace("/sparql", "/page/jurisdiction/atlantis-xx"), timeout=30)
    assert r.status_code == 404 and mime(r) == "text/plain"
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    r = requests.get(url, params={"query": "SELECT * WHERE { ?s ?p }"}, headers=browser, timeout=30)
    assert r.status_code == 400 and mime(r) == "text/html"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_results(url):
    out = subprocess.run(["curl", "-sS", "--max-time", "30", "-G", url, "--data-urlencode", f"query={SELECT}",
                          "-w", "\n%{content_type}"], capture_output=True, check=True, text=True).stdout
    body, ctype = out.rsplit("\n", 1)
    assert ctype.startswith("application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 4
    out = subprocess.run(["curl", "-sS", "--max-time", "30", f"{url}?query=ASK%7B%7D"], capture_output=True,
                         check=True, text=True).stdout
    assert json.loads(out)["boolean"] is True


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_wget_gets_results(url):
    from urllib.parse import quote

    out = subprocess.run(["wget", "-qO-", "--timeout=30", f"{url}?query={quote(SELECT)}"], capture_output=True,
                         check=True, text=True).stdout
    assert len(json.loads(out)["results"]["bindings"]) == 4


# ----------------------------------------------------------------------------- Accept lists clients send

BROWSER_FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
BROWSER_CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
                  "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
JENA_SELECT = ("application/sparql-results+json,application/sparql-results+xml;q=0.9,"
               "text/tab-separated-values;q=0.7,text/csv;q=0.5,application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1")
JENA_ASK = ("application/sparql-results+json,application/sparql-results+xml;q=0.9,"
            "application/json;q=0.2,application/xml;q=0.2,*/*;q=0.1")
JENA_GRAPH = "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,*/*;q=0.3"
RDF4J_TUPLE = ("text/csv;q=0.8, application/sparql-results+json;q=0.8, application/json;q=0.8, "
               "application/sparql-results+xml, application/xml, text/tab-separated-values;q=0.8, "
               "application/x-binary-rdf-results-table;q=0.8")
RDF4J_GRAPH = ("application/rdf+xml, application/xml, text/plain;q=0.8, text/turtle;q=0.8, "
               "application/x-turtle;q=0.8, text/rdf+n3;q=0.8, application/ld+json;q=0.8, "
               "application/trix;q=0.8, application/x-trig;q=0.8, application/x-binary-rdf;q=0.8")
HTTR = "application/json, text/xml, application/xml, */*"


@pytest.mark.parametrize("who,accept,query,expected", [
    ("curl/wget/requests", "*/*", SELECT, "application/sparql-results+json"),
    ("curl/wget/requests", "*/*", ASK, "application/sparql-results+json"),
    ("curl/wget/requests", "*/*", CONSTRUCT, "text/turtle"),
    ("a script", "application/sparql-results+json, */*", SELECT, "application/sparql-results+json"),
    ("a script", "text/csv, */*", SELECT, "text/csv"),
    ("R httr", HTTR, SELECT, "application/sparql-results+json"),
    ("R httr", HTTR, CONSTRUCT, "application/ld+json"),
    ("R SPARQL package", "application/sparql-results+xml", SELECT, "application/sparql-results+xml"),
    ("R SPARQL package", "text/csv", SELECT, "text/csv"),
    ("Jena", JENA_SELECT, SELECT, "application/sparql-results+json"),
    ("Jena", JENA_ASK, ASK, "application/sparql-results+json"),
    ("Jena", JENA_GRAPH, CONSTRUCT, "text/turtle"),
    ("RDF4J", RDF4J_TUPLE, SELECT, "application/sparql-results+xml"),
    ("RDF4J", RDF4J_GRAPH, CONSTRUCT, "application/rdf+xml"),
    ("SPARQLWrapper N3", "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
     CONSTRUCT, "text/turtle"),
    ("SPARQLWrapper JSON-LD", "application/ld+json,application/x-json+ld", CONSTRUCT, "application/ld+json"),
    ("an old RDF client", "application/x-json+ld", CONSTRUCT, "application/ld+json"),
    ("Firefox", BROWSER_FIREFOX, SELECT, "text/html"),
    ("Chrome", BROWSER_CHROME, SELECT, "text/html"),
])
def test_accept_lists_of_real_clients(url, who, accept, query, expected):
    for r in (requests.get(url, params={"query": query}, headers={"Accept": accept}, timeout=30),
              requests.post(url, data={"query": query}, headers={"Accept": accept}, timeout=30)):
        assert r.status_code == 200, (who, r.text[:300])
        assert mime(r) == expected, who
        if expected == "application/sparql-results+json":
            r.json()
        elif expected == "text/csv":
            assert next(csv.reader(io.StringIO(r.text))) == ["place", "label"]
        elif expected in ("text/turtle", "application/rdf+xml", "application/ld+json"):
            g = Graph().parse(data=r.text, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                                   "application/ld+json": "json-ld"}[expected])
            assert (URIRef(NORWICH), None, None) in g


# ----------------------------------------------------------------------------- SPARQLWrapper, every format

def _sw(url, fmt, query, method, conneg_only=False, strict=True):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(url)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setOnlyConneg(conneg_only)
    sw.setQuery(query)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own note that it sends */* for RDF (format=rdf tells us)
        res = sw.query()
    with warnings.catch_warnings():
        # it warns when the answer's type is not the one it asked for
        warnings.simplefilter("error" if strict else "ignore", RuntimeWarning)
        return res.convert()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("conneg_only", [False, True], ids=["format-param", "conneg-only"])
def test_sparqlwrapper_every_return_format(url, method, conneg_only):
    from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML
    from SPARQLWrapper.Wrapper import _allowedFormats

    def labels_of_json(d):
        return [b["label"]["value"] for b in d["results"]["bindings"]]

    seen = set()
    # SELECT and ASK: the four results formats
    assert labels_of_json(_sw(url, JSON, SELECT, method, conneg_only)) == LABELS
    assert _sw(url, JSON, ASK, method, conneg_only)["boolean"] is True
    doc = _sw(url, XML, SELECT, method, conneg_only)  # a DOM
    assert [n.firstChild.data for n in doc.getElementsByTagName("literal")] == LABELS
    assert "true" in _sw(url, XML, ASK, method, conneg_only).toxml()
    rows = list(csv.reader(io.StringIO(_sw(url, CSV, SELECT, method, conneg_only).decode())))
    assert rows[0] == ["place", "label"] and [r[1] for r in rows[1:]] == LABELS
    rows = _sw(url, TSV, SELECT, method, conneg_only).decode().splitlines()
    assert rows[0] == "?place\t?label" and len(rows) == 5
    seen |= {JSON, XML, CSV, TSV}
    # CONSTRUCT: every RDF format it offers, converted to an rdflib Graph (RDF/XML, N3, JSON-LD)
    # or returned as text (Turtle)
    for fmt in (RDF, RDFXML, XML, N3, TURTLE, JSONLD):
        # (format RDF with conneg only sends just `Accept: */*`: Turtle then, which it reads, with a warning)
        got = _sw(url, fmt, CONSTRUCT, method, conneg_only, strict=not (conneg_only and fmt == RDF))
        g = got if isinstance(got, Graph) else Graph().parse(data=got, format="turtle")
        assert (URIRef(NORWICH), URIRef(DKG + "population"), Literal(40014)) in g, fmt
        seen.add(fmt)
    assert seen == set(_allowedFormats)


# ----------------------------------------------------------------------------- rdflib's SPARQLStore

@pytest.mark.parametrize("fmt", ["xml", "json", "csv"])
def test_rdflib_sparqlstore(url, fmt):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(url, returnFormat=fmt))
    assert sorted(str(r.label) for r in g.query(SELECT)) == sorted(LABELS)
    if fmt != "csv":
        assert g.query(ASK).askAnswer is True
    if fmt == "xml":  # graphs come back as RDF/XML, the store's own Accept for them
        res = g.query(CONSTRUCT)
        assert (URIRef(NORWICH), URIRef(DKG + "population"), Literal(40014)) in res.graph
    assert (URIRef(NORWICH), URIRef(DKG + "population"), Literal(40014)) in g
