"""kg publish into a real `oxigraph serve` on loopback, then kg serve --endpoint over it: the
same answers to the example queries and the same pages as the embedded store (byte for byte:
the same engine). Virtuoso: tests/test_virtuoso.py."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.examples import EXAMPLES
from kg.publish import publish
from kg.stores import catalogue_for
from test_app_support import _tmp, free_port, http, live_server, small_release, start

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
pytestmark = pytest.mark.skipif(not Path(OXIGRAPH).exists(), reason="the oxigraph server binary is not installed")


@pytest.fixture(scope="module")
def oxigraph() -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start([OXIGRAPH, "serve", "--location", str(_tmp() / f"oxigraph-{port}"), "--bind", f"127.0.0.1:{port}"],
          url + "/query?query=ASK%7B%7D")
    return url


CATALOGUE = catalogue_for("https://w3id.org/demand-kg/id/")


def count(endpoint: str, graph: str | None = None) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}" if graph else \
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = http("GET", f"{endpoint}/query?query={quote(q)}", headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def published(oxigraph) -> str:
    dist = small_release()
    r = subprocess.run([sys.executable, "-m", "kg.cli", "publish", "--to", oxigraph, "--dist", str(dist),
                        "--chunk", "500", "--drop-after", "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    info = json.loads((dist / "release.json").read_text())
    assert f"release {info['id']} ({info['triples']} triples) is published in <{CATALOGUE}/{info['id']}>" in r.stderr
    assert "oxigraph; Graph Store Protocol" in r.stderr
    return oxigraph


def test_publish_loads_every_triple_into_the_release_graph(published):
    dist = small_release()
    info = json.loads((dist / "release.json").read_text())
    assert count(published, f"{CATALOGUE}/{info['id']}") == info["triples"]
    assert count(published, CATALOGUE) == 8  # the catalogue names it
    assert count(published) == 0  # nothing in the store's default graph
    # publishing the same release again finds it there, checked, and sends nothing
    res = publish(dist, published, chunk=700, drop_after=0)
    assert res["method"] == "none (already published)" and res["requests"] <= 4  # find the endpoint, read, count


def test_blank_node_structures_travel_whole(published, shipped_release):
    """The ontology's owl:unionOf lists are blank nodes: loaded in chunks of 50 triples, each
    list still arrives whole (a blank node's label means one node only within one request)."""
    g = "http://example.org/bnodes"
    res = publish(shipped_release, published, g, chunk=50, drop_after=0)
    q = """SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/2002/07/owl#unionOf>/
           <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?m }"""
    import pyoxigraph as ox

    local = ox.Store.read_only(str(shipped_release / "store"))
    expected = int(next(iter(local.query(q)))["n"].value)
    assert expected > 0
    status, _, body = http("GET", f"{published}/query?query={quote(q)}&default-graph-uri={quote(res['graph'])}",
                           headers={"Accept": "application/sparql-results+json"})
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == expected


def test_publish_by_sparql_update_into_another_catalogue(published):
    dist = small_release()
    info = json.loads((dist / "release.json").read_text())
    g = "http://example.org/demand-kg"
    res = publish(dist, published + "/update", g, chunk=400, method="update", drop_after=0)
    assert res["method"].startswith("SPARQL Update") and res["triples"] == info["triples"]
    assert res["graph"] == f"{g}/{info['id']}" and count(published, res["graph"]) == info["triples"]
    assert count(published, f"{CATALOGUE}/{info['id']}") == info["triples"]  # the other one is untouched


def test_remote_serving_gives_the_same_answers(published):
    embedded = live_server()
    remote = live_server("--endpoint", published + "/query", dist=_tmp() / "no-release-here")
    for ex in EXAMPLES:
        answers = []
        for server in (embedded, remote):
            for accept in ("application/sparql-results+json", "text/csv"):
                status, headers, body = http("POST", f"{server}/sparql", ("query=" + quote(ex.sparql)).encode(),
                                             {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
                assert status == 200, (ex.slug, server, body[:300])
                answers.append(body)
        assert answers[0] == answers[2], ex.slug  # byte-identical JSON
        assert answers[1] == answers[3], ex.slug  # and CSV
    nonempty = [ex.slug for ex in EXAMPLES if json.loads(http(
        "GET", f"{remote}/sparql?query={quote(ex.sparql)}", headers={"Accept": "application/json"})[2])["results"]["bindings"]]
    assert "texas-web-stings-after-2015" in nonempty and "places-per-tactic" in nonempty

    def main(body: bytes) -> str:
        return re.search(rb"<main>(.*)</main>", body, re.S).group(1).decode()

    for path in ("/page/jurisdiction/norwich-ct", "/page/tactic/web-stings", "/jurisdictions?state=TX",
                 "/page/state/tx", "/tactics"):
        a = http("GET", embedded + path, headers={"Accept": "text/html"})
        b = http("GET", remote + path, headers={"Accept": "text/html"})
        assert a[0] == b[0] == 200, path
        assert main(a[2]) == main(b[2]), path
    for path in ("/data/jurisdiction/norwich-ct.ttl", "/data/tactic/john-school.nt"):
        a, b = http("GET", embedded + path), http("GET", remote + path)
        assert a[0] == b[0] == 200 and a[2] == b[2], path
    status, _, body = http("GET", remote + "/", headers={"Accept": "text/html"})
    assert status == 200 and b"4</b> places" in body and b"served from" in body
    # no release files on the remote server: dumps say so
    assert http("GET", remote + "/dumps/kg.ttl")[0] == 404


def test_kg_query_against_the_endpoint(published):
    ex = EXAMPLES[0]
    local = subprocess.run([sys.executable, "-m", "kg.cli", "query", ex.sparql, "--dist", str(small_release()),
                            "--format", "csv"], capture_output=True, timeout=60)
    remote = subprocess.run([sys.executable, "-m", "kg.cli", "query", ex.sparql, "--endpoint",
                             published + "/query", "--format", "csv"], capture_output=True, timeout=60)
    assert local.returncode == remote.returncode == 0, (local.stderr, remote.stderr)
    assert local.stdout == remote.stdout and b"harris-county-tx" in local.stdout
    table = subprocess.run([sys.executable, "-m", "kg.cli", "query", ex.sparql, "--endpoint", published + "/query"],
                           capture_output=True, text=True, timeout=60)
    assert "(3 rows)" in table.stdout


def test_remote_endpoint_down_is_a_clear_error():
    from kg.app import create_app

    app = create_app({"ENDPOINT": f"http://127.0.0.1:{free_port()}/query", "DIST": None, "QUERY_TIMEOUT": 2})
    r = app.test_client().get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
    assert r.status_code == 502 and b"cannot reach" in r.data
