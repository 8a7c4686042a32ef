"""Linked data and browsing: /id 303s, pages with evidence, /data formats, escaping, lists
with facets, landing page, dumps with ETag/304/gzip, VoID, ontology and shapes."""
from __future__ import annotations

import gzip
import json
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg.app import create_app
from test_app_support import BASE, EVIL_NAME, live_server, small_release

DKG = "https://w3id.org/demand-kg/ontology#"


@pytest.fixture(scope="module")
def client():
    app = create_app({"DIST": str(small_release()), "QUERY_WORKERS": 1})
    yield app.test_client()
    app.extensions["kg"].engine.close()


def html(r) -> str:
    assert r.status_code == 200, r.status_code
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    return r.get_data(as_text=True)


@pytest.mark.parametrize("accept,location", [
    ("text/html", "/page/jurisdiction/norwich-ct"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/page/jurisdiction/norwich-ct"),
    ("text/turtle", "/data/jurisdiction/norwich-ct.ttl"),
    ("application/ld+json", "/data/jurisdiction/norwich-ct.jsonld"),
    ("application/n-triples", "/data/jurisdiction/norwich-ct.nt"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "/data/jurisdiction/norwich-ct.jsonld"),
])
def test_id_redirects_303_by_accept(client, accept, location):
    r = client.get("/id/jurisdiction/norwich-ct", headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(location)
    assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize("ext,fmt", [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                     ("nt", ox.RdfFormat.N_TRIPLES), ("rdf", ox.RdfFormat.RDF_XML)])
def test_data_in_each_format(client, ext, fmt):
    r = client.get(f"/data/jurisdiction/norwich-ct.{ext}")
    assert r.status_code == 200
    triples = list(ox.parse(r.data, fmt))
    iri = BASE + "jurisdiction/norwich-ct"
    preds = {t.predicate.value for t in triples if t.subject.value == iri}
    assert {DKG + "usesTactic", DKG + "tacticClaim", str(RDFS.label)} <= preds
    # the claim nodes (#uses-...) come along, with their evidence
    assert any(t.subject.value == iri + "#uses-reverse-stings" and t.predicate.value == DKG + "evidenceKind"
               for t in triples)
    # incoming: the operations in this place
    assert any(t.predicate.value == DKG + "inJurisdiction" and t.object.value == iri for t in triples)
    # one Link field, one alternate: the JSON-LD document (for it: the page), which JSON-LD tools follow
    links = r.headers.getlist("Link")
    assert len(links) == 1 and links[0].count('rel="alternate"') == 1
    assert ('type="text/html"' if ext == "jsonld" else 'type="application/ld+json"') in links[0]


def test_unknown_resources_are_404(client):
    assert client.get("/page/jurisdiction/atlantis-xx", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/data/jurisdiction/atlantis-xx.ttl").status_code == 404
    assert client.get("/id/planet/earth").status_code == 404
    assert client.get("/page/jurisdiction/..%2F..%2Fetc").status_code == 404


def test_jurisdiction_page_shows_evidence_menu_operations_gazetteer(client):
    r = client.get("/page/jurisdiction/norwich-ct")
    page = html(r)
    assert "<h1>Norwich, CT</h1>" in page
    claims = page[page.index('id="claims"'):page.index('id="menu"')]
    # each tactic claim with its evidence kind and where it came from
    assert "Reverse Stings" in claims and "Identity Disclosure" in claims and "Web Stings" in claims
    assert "key-sources" in claims or "Key Sources" in claims
    assert "https://demand-forum.org/site/norwich-ct/" in claims
    # the page's menu is shown apart, and named as not evidence
    menu = page[page.index('id="menu"'):page.index('id="operations"')]
    assert "not evidence" in menu
    ops = page[page.index('id="operations"'):]
    assert "2017-09" in ops and "Norwich Police Department" in ops and ">5<" in ops
    assert "five buyers arrested" in ops
    assert 'id="gazetteer"' in page and "Confidence" in page
    assert "Population" in page and "40,014" in page
    assert 'href="/page/state/ct"' in page and 'href="/page/tactic/web-stings"' in page
    # every fact table and alternates
    assert 'id="facts"' in page and "dkg:usesTactic" in page
    assert r.headers.getlist("Link") == ['</data/jurisdiction/norwich-ct.jsonld>; rel="alternate"; type="application/ld+json"']
    assert '<link rel="alternate" type="text/turtle" href="/data/jurisdiction/norwich-ct.ttl">' in page
    assert '<link rel="alternate" type="text/turtle" href="/data/jurisdiction/norwich-ct.ttl">' in page


def test_tactic_page_lists_places_and_operations(client):
    page = html(client.get("/page/tactic/web-stings"))
    assert "Operations using it" in page
    for place in ("Norwich, CT", "Austin, TX", "Harris County, TX"):
        assert place in page
    incoming = page[page.index('id="incoming"'):]
    assert "dkg:usesTactic" in incoming and 'href="/page/jurisdiction/harris-county-tx"' in incoming


def test_other_kinds_have_pages(client):
    page = html(client.get("/page/operation/norwich-ct-2017-09-reverse-stings"))
    assert "Norwich, CT" in page and "dkg:arrests" in page and "Sources" in page
    page = html(client.get("/page/agency/tx-austin-police-department"))
    assert "Operations (2)" in page
    page = html(client.get("/page/source/norwich-ct-1"))
    assert "Five arrested in prostitution sting" in page
    page = html(client.get("/page/state/tx"))
    assert "Austin, TX" in page and "dkg:state" in page


def test_html_is_escaped_everywhere(client):
    for path in ("/page/jurisdiction/evil-tx", "/jurisdictions", "/jurisdictions?state=TX", "/",
                 "/page/tactic/web-stings", "/page/state/tx"):
        page = html(client.get(path))
        assert "<script>alert" not in page, path
        assert "<img src=x" not in page and "<b>Police</b>" not in page, path
    page = html(client.get("/page/jurisdiction/evil-tx"))
    assert "Evil &lt;script&gt;alert(" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    # the query page shows results escaped too
    r = client.get("/sparql", query_string={"query": f"SELECT ?l WHERE {{ <{BASE}jurisdiction/evil-tx> <{RDFS.label}> ?l }}"},
                   headers={"Accept": "text/html"})
    assert "<script>alert" not in html(r) and "&lt;script&gt;" in html(r)
    # and the landing page's JSON-LD cannot be closed from inside
    assert re.search(r"<script[^>]*>", html(client.get("/"))).group(0) == '<script type="application/ld+json">'
    # no scripts from elsewhere; CSP forbids inline script
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_landing_page(client):
    page = html(client.get("/"))
    assert "Demand KG" in page and "Example queries" in page
    assert page.count('class="run"') >= 8
    assert "<svg" in page and "Places with evidence of each tactic" in page and "Operations per year" in page
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', page)  # nothing from the internet
    assert "/dumps/kg.ttl.gz" in page
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(m.group(1))
    assert data["@type"] == "Dataset" and data["@context"] == "https://schema.org/"
    assert data["license"].startswith("https://creativecommons.org/licenses/by/")
    assert any(d["contentUrl"].endswith("/dumps/kg.nt") for d in data["distribution"])
    assert "4 places" in data["description"]
    assert "cdn" not in page.lower() and "googleapis" not in page


def test_jurisdiction_list_with_facets(client):
    page = html(client.get("/jurisdictions"))
    assert len(re.findall(r'<td><a href="/page/jurisdiction/', page)) == 4
    page = html(client.get("/jurisdictions?state=TX"))
    rows = re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page)
    assert sorted(rows) == ["austin-tx", "evil-tx", "harris-county-tx"]
    page = html(client.get("/jurisdictions?state=TX&tactic=john-school"))
    assert re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page) == ["harris-county-tx"]
    page = html(client.get("/jurisdictions?year=2017"))
    assert re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page) == ["norwich-ct"]
    page = html(client.get("/jurisdictions?kind=county"))
    assert re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page) == ["harris-county-tx"]
    # facet counts: within TX, web stings has 3 places
    page = html(client.get("/jurisdictions?state=TX"))
    assert re.search(r'data-facet="tactic" data-value="web-stings">Web Stings</a>\s*<span class="n"[^>]*>3</span>', page)
    page = html(client.get("/jurisdictions?q=harris"))
    assert re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page) == ["harris-county-tx"]


def test_tactics_page(client):
    page = html(client.get("/tactics"))
    assert page.count('href="/page/tactic/') == 15 and "<svg" in page


def test_dumps_etag_304_gzip(client):
    dist = small_release()
    release = json.loads((dist / "release.json").read_text())
    r = client.get("/dumps/kg.ttl")
    assert r.status_code == 200 and r.data == (dist / "kg.ttl").read_bytes()
    assert r.headers["Content-Type"].startswith("text/turtle")
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    assert release["files"]["kg.ttl"]["sha256"][:32] in etag
    assert client.get("/dumps/kg.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/dumps/kg.ttl", headers={"If-Modified-Since": lm}).status_code == 304
    r = client.get("/dumps/kg.nt", headers={"Accept-Encoding": "gzip, br"})
    assert r.headers["Content-Encoding"] == "gzip" and r.data == (dist / "kg.nt.gz").read_bytes()
    assert gzip.decompress(r.data) == (dist / "kg.nt").read_bytes()
    assert r.headers["ETag"] != client.get("/dumps/kg.nt").headers["ETag"]
    r = client.get("/dumps/kg.jsonld.gz")
    assert r.headers["Content-Type"] == "application/gzip" and "Content-Encoding" not in r.headers
    assert client.get("/dumps/secret.txt").status_code == 404
    assert client.get("/dumps/../release.json").status_code == 404
    # a resumed download: the part asked for, whatever block size the file is sent in
    whole = (dist / "kg.nt").read_bytes()
    r = client.get("/dumps/kg.nt", headers={"Range": f"bytes=100-{len(whole) - 2}"})
    assert r.status_code == 206 and r.data == whole[100:-1]
    assert r.headers["Content-Range"] == f"bytes 100-{len(whole) - 2}/{len(whole)}"


def test_void_context_ontology_shapes(client):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.data, format="turtle")
    assert (URIRef(BASE + "dataset"), URIRef("http://rdfs.org/ns/void#triples"), None) in g
    assert json.loads(client.get("/context.jsonld").data)["@context"]["dkg"] == DKG
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.headers["Content-Type"].startswith("text/turtle") and len(Graph().parse(data=r.data, format="turtle")) > 50
    page = html(client.get("/ontology", headers={"Accept": "text/html"}))
    assert 'id="usesTactic"' in page and "Classes" in page
    page = html(client.get("/shapes", headers={"Accept": "text/html"}))
    assert "Node shapes" in page
    assert client.get("/shapes.ttl").headers["Content-Type"].startswith("text/turtle")


def test_page_cache_etag(client):
    r = client.get("/page/jurisdiction/austin-tx")
    assert r.status_code == 200 and r.headers["ETag"]
    assert client.get("/page/jurisdiction/austin-tx", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304


def test_rdflib_follows_the_iri_on_the_live_server():
    """A real RDF client dereferences an /id/ IRI: 303 to data, then parses it."""
    url = live_server()
    g = Graph()
    g.parse(f"{url}/id/jurisdiction/norwich-ct")
    iri = URIRef(BASE + "jurisdiction/norwich-ct")
    assert str(g.value(iri, RDFS.label)) == "Norwich, CT"
    assert (iri, URIRef(DKG + "usesTactic"), URIRef(BASE + "tactic/web-stings")) in g
    g2 = Graph()
    g2.parse(f"{url}/id/tactic/john-school")
    assert (URIRef(BASE + "jurisdiction/harris-county-tx"), URIRef(DKG + "usesTactic"),
            URIRef(BASE + "tactic/john-school")) in g2
