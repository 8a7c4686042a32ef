"""Output and errors a person can read: Turtle with prefixed names that need no escapes,
SELECT * columns in the query's order, syntax errors that name the undefined prefix and the
spot, and a query with a dkg: term the ontology lacks: it runs, and the answer says so."""
from __future__ import annotations

import csv
import io
import re

import pytest
import requests
from rdflib import Graph

from test_app_support import BASE, live_server

DKG = "https://w3id.org/demand-kg/ontology#"
PREFIX = f"PREFIX dkg: <{DKG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def url() -> str:
    return live_server()


@pytest.mark.parametrize("path", ["/dumps/kg.ttl", "/data/jurisdiction/norwich-ct.ttl", "/data/tactic/web-stings.ttl",
                                  "/data/operation/norwich-ct-2008-web-stings.ttl", "/data/state/ct.ttl"])
def test_turtle_reads_well(url, path):
    text = requests.get(url + path, timeout=30).text
    assert "\\/" not in text and "\\#" not in text
    assert not re.search(r"\bid:", text)  # no catch-all prefix for instance IRIs
    g = Graph().parse(data=text, format="turtle")
    assert len(g) > 5
    if path.startswith("/data/jurisdiction"):
        assert "jurisdiction:norwich-ct a dkg:Jurisdiction" in text  # the resource first, by a readable name
        assert ":uses-web-stings" in text and "dkg:population 40014" in text
        assert text.index("jurisdiction:norwich-ct a") < text.index(":uses-web-stings a")
    if path == "/dumps/kg.ttl":
        # one statement per subject: the place's triples are together
        assert text.count("\njurisdiction:norwich-ct ") == 1


def test_construct_turtle_reads_well(url):
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}jurisdiction/norwich-ct> AS ?s) ?s ?p ?o }}"
    text = requests.get(url + "/sparql", params={"query": q}, headers={"Accept": "text/turtle"}, timeout=30).text
    assert "\\/" not in text and "dkg:population 40014" in text


def test_select_star_keeps_the_query_order(url):
    q = PREFIX + "SELECT * WHERE { ?zplace rdfs:label ?mlabel ; dkg:population ?apop } ORDER BY ?mlabel"
    r = requests.get(url + "/sparql", params={"query": q}, timeout=30)
    assert r.json()["head"]["vars"] == ["zplace", "mlabel", "apop"]
    r = requests.get(url + "/sparql", params={"query": q, "format": "csv"}, timeout=30)
    assert next(csv.reader(io.StringIO(r.text))) == ["zplace", "mlabel", "apop"]
    q2 = "SELECT DISTINCT * WHERE { ?c ?b ?a OPTIONAL { ?a ?y ?x } } LIMIT 1"
    assert requests.get(url + "/sparql", params={"query": q2}, timeout=30).json()["head"]["vars"] == ["c", "b", "a", "y", "x"]
    page = requests.get(url + "/sparql", params={"query": q}, headers=BROWSER, timeout=30).text
    assert re.search(r"<th>zplace</th>\s*<th>mlabel</th>\s*<th>apop</th>", page)


def test_syntax_errors_name_the_prefix_and_the_spot(url):
    q = "SELECT ?n WHERE {\n  ?p foaf:name ?n\n}"
    r = requests.get(url + "/sparql", params={"query": q}, timeout=30)
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert 'the prefix "foaf:" is not declared' in r.text
    assert "line 2, column 6" in r.text
    assert "PREFIX foaf: <http://xmlns.com/foaf/0.1/>" in r.text
    assert "\\u{" not in r.text and "..=" not in r.text
    lines = r.text.splitlines()
    caret = next(i for i, ln in enumerate(lines) if ln.strip() == "^")
    assert lines[caret - 1].strip() == "?p foaf:name ?n" and lines[caret].index("^") == lines[caret - 1].index("foaf")
    r = requests.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o FILTER(?o > ) }"}, timeout=30)
    assert r.status_code == 400 and "line 1, column" in r.text and "\\u{" not in r.text and "expected" in r.text
    # a browser gets the same message on the query page
    page = requests.get(url + "/sparql", params={"query": q}, headers=BROWSER, timeout=30).text
    assert "the prefix &#34;foaf:&#34; is not declared" in page or 'the prefix "foaf:" is not declared' in page


def test_unknown_dkg_term_runs_and_says_so(url):
    q = PREFIX + "SELECT ?p ?t WHERE { ?p dkg:useTactic ?t }"
    for r in (requests.get(url + "/sparql", params={"query": q}, timeout=30),
              requests.post(url + "/sparql", data={"query": q}, timeout=30)):
        assert r.status_code == 200
        assert r.json()["results"]["bindings"] == []
        assert "dkg:useTactic is not a term of the ontology (did you mean dkg:usesTactic?)" in r.headers["Warning"]
        assert r.headers["Warning"].startswith("299 ")
    ok = requests.get(url + "/sparql", params={"query": PREFIX + "SELECT ?p WHERE { ?p dkg:usesTactic ?t }"}, timeout=30)
    assert "Warning" not in ok.headers and len(ok.json()["results"]["bindings"]) > 0
    page = requests.get(url + "/sparql", params={"query": q}, headers=BROWSER, timeout=30).text
    assert 'id="note"' in page and "did you mean dkg:usesTactic?" in page


def test_query_page_has_a_title(url):
    page = requests.get(url + "/sparql", headers=BROWSER, timeout=30).text
    assert "<title>SPARQL query · Demand KG</title>" in page
