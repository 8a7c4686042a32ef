"""JSON-LD as JSON-LD tools and readers expect it, checked with PyLD against a live server:
PyLD loads every URL of every kind of resource (its own requests loader, following /id/
303s and Link headers), `expand`+`to_rdf` give exactly the triples of the Turtle form (per
resource and for the whole dump), a place frames with its operations nested, every key is a
plain term of the one published context, numbers are numbers, multi-valued keys are arrays."""
from __future__ import annotations

import pytest
import requests
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from test_app_support import BASE, live_server

# one resource of each kind in the test release
RESOURCES = {
    "jurisdiction": "norwich-ct",
    "tactic": "web-stings",
    "operation": "norwich-ct-2017-09-reverse-stings",
    "source": "norwich-ct-1",
    "state": "tx",
    "agency": "tx-harris-county-sheriffs-office",
}
KEYWORDS = {"@context", "@id", "@type", "@graph", "@reverse", "@value", "@language", "@list", "@set"}


@pytest.fixture(scope="module")
def url() -> str:
    return live_server()


@pytest.fixture(scope="module")
def context(url) -> dict:
    r = requests.get(url + "/context.jsonld", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")
    return r.json()["@context"]


def to_graph(nquads: str) -> Graph:
    return Graph().parse(data=nquads, format="nt")


def turtle_of(url: str, kind: str, slug: str) -> Graph:
    r = requests.get(f"{url}/data/{kind}/{slug}.ttl", timeout=30)
    assert r.status_code == 200
    assert "\\/" not in r.text and "\\#" not in r.text  # prefixed names only where they read well
    return Graph().parse(data=r.text, format="turtle")


def pyld_triples(doc_or_url) -> Graph:
    return to_graph(jsonld.to_rdf(jsonld.expand(doc_or_url), {"format": "application/n-quads"}))


def keys_of(doc, out=None) -> set[str]:
    out = set() if out is None else out
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "@context":
                continue
            out.add(k)
            if k == "@reverse":
                out.update(v.keys())
                for vv in v.values():
                    keys_of(vv, out)
            else:
                keys_of(v, out)
    elif isinstance(doc, list):
        for v in doc:
            keys_of(v, out)
    return out


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_pyld_loads_every_url_of_every_kind_and_gets_the_turtle_triples(url, kind):
    slug = RESOURCES[kind]
    ttl = turtle_of(url, kind, slug)
    assert len(ttl) > 0
    for u in (f"/id/{kind}/{slug}", f"/page/{kind}/{slug}", f"/data/{kind}/{slug}",
              f"/data/{kind}/{slug}.jsonld", f"/data/{kind}/{slug}.ttl"):
        got = pyld_triples(url + u)  # PyLD's own document loader (requests), as a user calls it
        assert isomorphic(got, ttl), (u, sorted(set(to_isomorphic(got)) ^ set(to_isomorphic(ttl)))[:5])


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_one_link_field_with_one_alternate(url, kind):
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    for path in (f"/page/{kind}/{RESOURCES[kind]}", f"/data/{kind}/{RESOURCES[kind]}.jsonld",
                 f"/data/{kind}/{RESOURCES[kind]}.ttl"):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        links = [v for k, v in r.getheaders() if k.lower() == "link"]
        conn.close()
        assert len(links) == 1, (path, links)
        assert links[0].count('rel="alternate"') == 1, links
        want = "text/html" if path.endswith(".jsonld") else "application/ld+json"
        assert f'type="{want}"' in links[0]


def test_resource_documents_are_compact_plain_and_typed(url, context):
    for kind, slug in RESOURCES.items():
        doc = requests.get(f"{url}/data/{kind}/{slug}.jsonld", timeout=30).json()
        assert doc["@context"] == context  # the published context, inlined: works offline
        assert doc["@id"] == f"{BASE}{kind}/{slug}"  # the resource itself at the top
        for k in keys_of(doc):
            assert k in KEYWORDS or k in context, (kind, k)
            assert ":" not in k and "/" not in k, (kind, k)
        assert isinstance(doc["@type"], list)
    place = requests.get(f"{url}/data/jurisdiction/norwich-ct.jsonld", timeout=30).json()
    assert place["@type"] == ["Jurisdiction"]
    assert place["label"] == "Norwich, CT"
    assert place["population"] == 40014  # a number
    assert isinstance(place["usesTactic"], list) and len(place["usesTactic"]) == 3
    claims = {c["tactic"][0].rsplit("/", 1)[-1]: c for c in place["tacticClaim"]}
    assert claims["reverse-stings"]["evidenceKind"] == ["dkg:narrative", "dkg:key-sources"] or \
        sorted(claims["reverse-stings"]["evidenceKind"]) == ["dkg:key-sources", "dkg:narrative"]
    ops = place["operations"]  # nested, with what a reader wants of each
    assert [o["startDate"]["@value"] for o in ops] == ["2008", "2017-09"]
    assert [o["arrests"] for o in ops] == [4, 5]
    assert ops[1]["agency"] == BASE + "agency/ct-norwich-police-department"
    assert sorted(t.rsplit("/", 1)[-1] for t in ops[1]["tactic"]) == ["identity-disclosure", "reverse-stings"]
    assert "inJurisdiction" not in ops[0]  # said once, by nesting
    austin = requests.get(f"{url}/data/jurisdiction/austin-tx.jsonld", timeout=30).json()
    since = [o for o in austin["operations"] if o.get("ongoingSince")]
    assert since and since[0]["ongoingSince"] is True  # a boolean


def test_pyld_frames_a_place_with_its_operations_nested(url, context):
    frame = {"@context": context, "@type": "Jurisdiction", "operations": {"@type": "Operation"}}
    for source in (f"{url}/data/jurisdiction/norwich-ct.jsonld", f"{url}/dumps/kg.jsonld"):
        framed = jsonld.frame(source, frame)
        places = framed.get("@graph", [framed])
        norwich = next(p for p in places if p["@id"] == BASE + "jurisdiction/norwich-ct")
        assert sorted(o["arrests"] for o in norwich["operations"]) == [4, 5]
        assert all("Operation" in o["@type"] for o in norwich["operations"])


def test_dump_expands_to_the_turtle_dump_with_plain_consistent_keys(url, context):
    r = requests.get(url + "/dumps/kg.jsonld", timeout=60)
    doc = r.json()
    assert doc["@context"] == context
    ttl = Graph().parse(data=requests.get(url + "/dumps/kg.ttl", timeout=60).text, format="turtle")
    assert isomorphic(pyld_triples(doc), ttl)
    # every key a plain term; a key is always an array or never (across every node)
    shapes: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            for k, v in node.items():
                if k in ("@context", "@value", "@language"):
                    continue
                assert k in KEYWORDS or k in context, k
                assert ":" not in k, k
                if not k.startswith("@"):
                    shapes.setdefault(k, set()).add("list" if isinstance(v, list) else "one")
                walk(v)

    walk(doc["@graph"])
    mixed = {k: v for k, v in shapes.items() if len(v) > 1}
    assert not mixed, mixed
    for k, v in shapes.items():
        multi = context[k].get("@container") == "@set" if isinstance(context[k], dict) else False
        assert v == ({"list"} if multi else {"one"}), k
    places = [n for n in doc["@graph"] if "Jurisdiction" in n.get("@type", [])]
    assert len(places) == 4
    assert all(isinstance(p.get("population"), int) for p in places)
    assert all(isinstance(o.get("arrests", 0), int) for p in places for o in p.get("operations", []))


def test_construct_as_json_ld_is_compact_with_the_context(url, context):
    q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ BIND(<{BASE}jurisdiction/harris-county-tx> AS ?s) ?s ?p ?o }}"
    r = requests.get(url + "/sparql", params={"query": q}, headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.headers["Content-Type"].startswith("application/ld+json")
    doc = r.json()
    assert doc["@context"] == context
    node = doc["@graph"][0]
    assert node["population"] == 4092459 and node["@type"] == ["County", "Jurisdiction"]  # a county place is also a dkg:County
    ttl = requests.get(url + "/sparql", params={"query": q}, headers={"Accept": "text/turtle"}, timeout=30).text
    assert isomorphic(pyld_triples(doc), Graph().parse(data=ttl, format="turtle"))
    assert all(k in KEYWORDS or k in context for k in keys_of(doc))
