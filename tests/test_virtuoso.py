"""Virtuoso Open Source 7 as a second real store: `kg publish` into a Virtuoso the tests start on
loopback (its own database folder and ports), then `kg serve --endpoint` over it answers the
gallery, the pages and /data as the embedded store does, term for term; Virtuoso's departures
from the standard (kg.stores) are mended or refused, never passed on."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from kg.engine import QueryTimeout, RemoteEngine, ResultTooLarge
from kg.examples import EXAMPLES
from kg.publish import publish
from kg.stores import catalogue_for
from test_app_support import _tmp, http, live_server, small_release
from virtuoso_support import NOT_INSTALLED, PASSWORD, USER, VIRTUOSO, start_virtuoso

pytestmark = pytest.mark.skipif(VIRTUOSO is None, reason=NOT_INSTALLED)

CATALOGUE = catalogue_for("https://w3id.org/demand-kg/id/")
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def virtuoso():
    v = start_virtuoso()
    yield v
    v.stop()


def kg_publish(dist: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "publish", "--to", url, "--dist", str(dist),
                           "--user", USER, *extra], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KG_STORE_PASSWORD": PASSWORD})


def ask_store(v, query: str, graph: str | None = None) -> dict:
    q = "query=" + quote(query) + (f"&default-graph-uri={quote(graph)}" if graph else "")
    status, _, body = http("POST", v.sparql, q.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                                          "Accept": JSON})
    assert status == 200, body[:500]
    return json.loads(body)


def graph_counts(v) -> dict[str, int]:
    rows = ask_store(v, f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(STRSTARTS(STR(?g), "{CATALOGUE}")) }} GROUP BY ?g""")["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


@pytest.fixture(scope="module")
def published(virtuoso, shipped_release):
    r = kg_publish(shipped_release, virtuoso.url, "--drop-after", "0")
    assert r.returncode == 0, r.stderr
    info = json.loads((shipped_release / "release.json").read_text())
    assert f"release {info['id']} ({info['triples']} triples) is published" in r.stderr
    assert "virtuoso; Graph Store Protocol" in r.stderr
    return virtuoso


def solutions(body: bytes) -> list[dict]:
    """Parsed SPARQL JSON: every binding as (type, value, datatype, language), in order."""
    data = json.loads(body)
    assert "results" in data, data
    return [{k: (b["type"], b["value"], b.get("datatype"), b.get("xml:lang")) for k, b in row.items()}
            for row in data["results"]["bindings"]]


def triples_of(body: bytes, fmt: ox.RdfFormat) -> set:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(body, fmt)}


def test_gallery_pages_and_data_are_the_embedded_stores(published, shipped_release):
    """kg serve --endpoint <Virtuoso> against kg serve of the same release, embedded."""
    embedded = live_server(dist=shipped_release)
    remote = live_server("--endpoint", published.sparql, dist=_tmp() / "no-release-here")
    for ex in EXAMPLES:
        answers = []
        for server in (embedded, remote):
            status, headers, body = http("POST", f"{server}/sparql", ("query=" + quote(ex.sparql)).encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON})
            assert status == 200, (ex.slug, server, body[:300])
            answers.append(solutions(body))
        assert answers[0], ex.slug  # every gallery query finds something in the shipped data
        # term for term, in the same order (every gallery query orders by a full key)
        assert answers[1] == answers[0], ex.slug
        csv = [http("GET", f"{s}/sparql?query={quote(ex.sparql)}", headers={"Accept": "text/csv"})[2]
               for s in (embedded, remote)]
        assert csv[0] == csv[1], ex.slug

    def main(body: bytes) -> str:  # the page without its frame, each server's own address made one
        return re.sub(r"127\.0\.0\.1:\d+", "HOST", re.search(rb"<main>(.*)</main>", body, re.S).group(1).decode())

    pages = ["/page/jurisdiction/norwich-ct", "/page/jurisdiction/alton-il", "/page/tactic/web-stings",
             "/jurisdictions?state=TX", "/page/state/tx", "/tactics", "/",
             "/page/operation/horry-county-sc-1981-neighborhood-action", "/page/source/wyandanch-ny-3"]
    # and with the release folder beside it (the same release: its files are served too)
    remote_files = live_server("--endpoint", published.sparql, dist=shipped_release)
    for path in pages:
        a = http("GET", embedded + path, headers={"Accept": "text/html"})
        b = http("GET", remote + path, headers={"Accept": "text/html"})
        c = http("GET", remote_files + path, headers={"Accept": "text/html"})
        assert a[0] == b[0] == c[0] == 200, path
        assert main(a[2]) == main(c[2]), path
        if path == "/":  # without the release folder there is nothing to download, and it says so
            assert b"has no release files" in b[2] and b"has no release files" not in a[2]
            continue
        assert main(a[2]) == main(b[2]), path
        footer = re.compile(rb"Release <code>[^<]+</code> \S+ [0-9,]+ triples")
        assert footer.search(a[2]).group(0) == footer.search(b[2]).group(0), path  # the same release
    for path, fmt in (("/data/jurisdiction/alton-il.ttl", ox.RdfFormat.TURTLE),  # geometry, decimals
                      ("/data/jurisdiction/norwich-ct.nt", ox.RdfFormat.N_TRIPLES),
                      ("/data/operation/horry-county-sc-1981-neighborhood-action.ttl", ox.RdfFormat.TURTLE),  # boolean
                      ("/data/tactic/john-school.jsonld", ox.RdfFormat.JSON_LD),
                      ("/data/state/tx.nt", ox.RdfFormat.N_TRIPLES)):
        a, b = http("GET", embedded + path), http("GET", remote + path)
        assert a[0] == b[0] == 200, path
        ta, tb = triples_of(a[2], fmt), triples_of(b[2], fmt)
        assert ta and ta == tb, (path, ta ^ tb)
    status, _, body = http("GET", remote + "/", headers={"Accept": "text/html"})
    assert b"served from" in body
    for path in ("/dumps/kg.nt", "/.well-known/void"):
        assert http("GET", remote_files + path)[2] == http("GET", embedded + path)[2], path


def test_publish_twice_leaves_only_the_newer_release(published, shipped_release, tmp_path):
    """A second release replaces the first: loaded into its own graph, checked, named by the
    catalogue, and the first one's graph dropped; the store's union (Virtuoso's default graph
    without a dataset) no longer holds anything only the first had."""
    from kg.build import build

    data = tmp_path / "data" / "places"
    data.mkdir(parents=True)
    src = Path(__file__).resolve().parents[1] / "data" / "places"
    for p in sorted(src.glob("*.yaml"))[:40]:
        shutil.copy(p, data / p.name)
    dist = tmp_path / "dist"
    res = build(data.parent, dist)
    assert res.ok, [p.line() for p in res.problems]
    first = json.loads((shipped_release / "release.json").read_text())
    second = json.loads((dist / "release.json").read_text())
    gone = "https://w3id.org/demand-kg/id/jurisdiction/wyandanch-ny"  # in the shipped data, not in the 40
    assert ask_store(published, f"ASK {{ <{gone}> ?p ?o }}")["results"]["bindings"]  # __ASK_RETVAL: true

    r = kg_publish(dist, published.url, "--drop-after", "0.5", "--chunk", "700")
    assert r.returncode == 0, r.stderr
    assert "dropped the previous release's graph" in r.stderr
    counts = graph_counts(published)
    assert counts == {f"{CATALOGUE}/{second['id']}": second["triples"], CATALOGUE: 8}, counts
    assert f"{CATALOGUE}/{first['id']}" not in counts
    # nothing of the first release is left anywhere in the store
    assert not ask_store(published, f"ASK {{ <{gone}> ?p ?o }}")["results"]["bindings"]

    # and back: the shipped release again (the other tests use it)
    r = kg_publish(shipped_release, published.url, "--drop-after", "0")
    assert r.returncode == 0, r.stderr
    assert graph_counts(published) == {f"{CATALOGUE}/{first['id']}": first["triples"], CATALOGUE: 8}


def test_a_load_that_does_not_check_out_leaves_the_published_release(published, shipped_release, tmp_path):
    """The new graph is loaded, found short of what release.json promises, dropped; the
    catalogue still names the release that was published, which kg serve keeps serving."""
    dist = tmp_path / "dist"
    dist.mkdir()
    info = json.loads((shipped_release / "release.json").read_text())
    lines = (shipped_release / "kg.nt").read_bytes().splitlines(keepends=True)
    (dist / "kg.nt").write_bytes(b"".join(lines[:-10]))  # ten triples short
    (dist / "release.json").write_text(json.dumps({**info, "id": "20990101T000000Z-1"}))
    before = graph_counts(published)
    r = kg_publish(dist, published.url, "--drop-after", "0")
    assert r.returncode == 1
    assert "does not match what was sent" in r.stderr and f"release {info['id']} stays published" in r.stderr
    assert graph_counts(published) == before


def test_virtuoso_differences_are_mended_or_refused(published, tmp_path):
    """Each difference in kg.stores' table, on terms written for it (synthetic test data):
    through RemoteEngine (what kg serve --endpoint and kg query --endpoint use) the answers are
    the embedded engine's, term for term."""
    nt = tmp_path / "kg.nt"
    nt.write_text("""\
<http://ex/s1> <http://ex/p> "hello"@en-US .
<http://ex/s2> <http://ex/p> "line1\\nline2\\ttab \\"q\\" \\\\ back" .
<http://ex/s3> <http://ex/p> "emoji \\U0001F600 and \\u00E9" .
<http://ex/s4> <http://ex/p> "1.0E0"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://ex/s4> <http://ex/p> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://ex/s5> <http://ex/p> "2016-05-20Z"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://ex/s5> <http://ex/p> "2016-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .
<http://ex/s6> <http://ex/p> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex/s6> <http://ex/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex/s7> <http://ex/p> _:b1 .
_:b1 <http://ex/q> _:b2 .
_:b2 <http://ex/q> "deep" .
<http://ex/s8> <http://ex/p> "6"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .
<http://ex/s8> <http://ex/p> "P1Y"^^<http://www.w3.org/2001/XMLSchema#duration> .
<http://ex/s8> <http://ex/p> "POINT(-90.18428 38.89060)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .
<http://ex/s8> <http://ex/p> "POINT(-80.0831 26.35869)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .
<http://ex/s8> <http://ex/p> "POINT(1.123456789012 2.5)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> .
""", encoding="utf-8")
    n = sum(1 for _ in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES))
    (tmp_path / "release.json").write_text(json.dumps({"id": "quirks", "created": "2026-01-01T00:00:00Z",
                                                       "base": "http://ex/", "triples": n}))
    cat = "http://ex/quirks-catalogue"
    res = publish(tmp_path, published.url, cat, user=USER, password=PASSWORD, drop_after=0, chunk=3)
    assert res["triples"] == n and res["checked"]
    # the geometries and the duration are kept as text there, verbatim
    stored = ask_store(published, "SELECT ?o WHERE { <http://ex/s8> ?p ?o }", res["graph"])
    assert {b["o"]["value"] for b in stored["results"]["bindings"]} >= {"POINT(-90.18428 38.89060)", "P1Y",
                                                                        "POINT(1.123456789012 2.5)"}

    local = ox.Store()
    local.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    remote = RemoteEngine(published.sparql, timeout=5, catalogue=cat)
    assert remote.resolve().graph == res["graph"] and remote.dialect.name == "virtuoso"

    def embedded(q: str, fmt: str = JSON, graph: str = "text/turtle") -> bytes:
        from kg.engine import run_on_store

        return run_on_store(local, q, fmt, graph, None, None, 0).body

    def bnodes_named(rows: list[dict]) -> list[dict]:
        names: dict[str, str] = {}
        return [{k: (t[0], names.setdefault(t[1], f"b{len(names)}") if t[0] == "bnode" else t[1], *t[2:])
                 for k, t in r.items()} for r in rows]

    q = "SELECT ?s ?o WHERE { ?s <http://ex/p> ?o } ORDER BY ?s STR(?o)"
    a, b = solutions(remote.execute(q).body), solutions(embedded(q))
    assert bnodes_named(a) == bnodes_named(b)
    assert len(a) == 15
    # ASK (Virtuoso answers it as a one-column SELECT), true and false
    for q, truth in (("ASK { <http://ex/s6> ?p false }", True), ("ASK { <http://ex/s6> ?p 7 }", False)):
        assert json.loads(remote.execute(q).body) == {"head": {}, "boolean": truth} == json.loads(embedded(q))
        assert remote.ask(q) is truth
    # DESCRIBE follows blank nodes, as Oxigraph's does
    q = "DESCRIBE <http://ex/s7>"
    d = remote.execute(q, graph_format="application/n-triples").body
    assert len(d.splitlines()) == 3 == len(embedded(q, graph="application/n-triples").splitlines())
    # CONSTRUCT: the same triples
    q = "CONSTRUCT { <http://ex/s8> ?p ?o . <http://ex/s6> ?p ?b } WHERE { { <http://ex/s8> ?p ?o } UNION { <http://ex/s6> ?p ?b } }"
    assert triples_of(remote.construct(q, "application/n-triples"), ox.RdfFormat.N_TRIPLES) == \
        triples_of(embedded(q, graph="application/n-triples"), ox.RdfFormat.N_TRIPLES)
    # GRAPH ?g sees no named graph, as in the embedded store (Virtuoso would show all of its own)
    assert solutions(remote.execute("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").body) == []
    # its time limit: a partial answer is refused, not passed on
    slow = RemoteEngine(published.sparql, timeout=1, catalogue=CATALOGUE)
    with pytest.raises(QueryTimeout, match="time limit"):  # Virtuoso: 200, X-SQL-State: S1TAT, a part count
        slow.execute("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?f "
                     "FILTER(STRLEN(STR(?c)) > STRLEN(?f)) }")
    # its row limit (ResultSetMaxRows, 10,000 here as in Debian's virtuoso.ini): a cut answer is refused
    with pytest.raises(ResultTooLarge, match="cut the answer at 10000 rows"):
        slow.timeout = 30
        slow.execute("SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 20000")
    assert len(solutions(slow.execute("SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 9000").body)) == 9000


def test_kg_query_against_virtuoso(published, shipped_release):
    ex = EXAMPLES[1]
    local = subprocess.run([sys.executable, "-m", "kg.cli", "query", ex.sparql, "--dist", str(shipped_release),
                            "--format", "csv"], capture_output=True, timeout=60)
    remote = subprocess.run([sys.executable, "-m", "kg.cli", "query", ex.sparql, "--endpoint", published.sparql,
                             "--format", "csv"], capture_output=True, timeout=60)
    assert local.returncode == remote.returncode == 0, (local.stderr, remote.stderr)
    assert local.stdout == remote.stdout and b"Reverse Stings" in local.stdout


def test_kg_serve_follows_a_new_release_in_the_store(published, shipped_release):
    """A running kg serve --endpoint switches when the catalogue names another release."""
    remote = live_server("--endpoint", published.sparql, dist=_tmp() / "no-release-here")
    first = json.loads((shipped_release / "release.json").read_text())["id"]

    def release_of() -> str:
        body = http("GET", remote + "/tactics", headers={"Accept": "text/html"})[2]
        return re.search(rb"Release <code>([^<]+)</code>", body).group(1).decode()

    assert release_of() == first
    small = small_release()
    second = json.loads((small / "release.json").read_text())["id"]
    r = kg_publish(small, published.url, "--drop-after", "2")
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 5
    while release_of() != second and time.monotonic() < deadline:
        time.sleep(0.2)
    assert release_of() == second
    r = kg_publish(shipped_release, published.url, "--drop-after", "2")
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 5
    while release_of() != first and time.monotonic() < deadline:
        time.sleep(0.2)
    assert release_of() == first
