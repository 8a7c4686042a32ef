"""Honest totals and gaps: what was read of each page, "no evidence in what was read" (never a
blank or 0), each event counted once (joint operations), buyers only, places in their counties."""
from __future__ import annotations

import json
import re
import textwrap

import pyoxigraph as ox
import pytest

from conftest import GOOD_RECORD
from kg.app import create_app
from kg.build import build
from kg.examples import BY_SLUG

DKG = "https://w3id.org/demand-kg/ontology#"
ID = "https://w3id.org/demand-kg/id/"


def rows(store: ox.Store, q: str) -> list[dict]:
    return [{v.value: (s[v].value if s[v] is not None else None) for v in r.variables}
            for r in [store.query(q)] for s in r]


def select(store: ox.Store, q: str) -> list[dict]:
    res = store.query(f"PREFIX dkg: <{DKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + q)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


@pytest.fixture(scope="module")
def shipped(shipped_release):
    store = ox.Store.read_only(str(shipped_release / "store"))
    app = create_app({"DIST": str(shipped_release), "QUERY_WORKERS": 1, "FOLLOW": 0})
    yield shipped_release, store, app.test_client()
    app.extensions["kg"].engine.close()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- what was read

def test_the_graph_says_which_pages_were_read_in_full(shipped):
    _, store, _ = shipped
    got = select(store, "SELECT ?page ?e ?n WHERE { ?j dkg:profilePage ?page . ?page dkg:readExtent ?e ; dkg:charactersRead ?n }")
    assert len(got) == 239  # every page: the 238 records and Norwich's saved page
    full = {r["page"] for r in got if r["e"] == DKG + "readToFooter"}
    cut = {r["page"] for r in got if r["e"] == DKG + "readCutOff"}
    assert len(full) == 19 and len(cut) == 220
    assert "https://demand-forum.org/site/norwich-ct/" in full  # read from data/profiles at build time
    assert "https://demand-forum.org/site/ames-ia/" in full
    chicago = next(r for r in got if r["page"] == "https://demand-forum.org/site/chicago-il/")
    assert chicago["e"] == DKG + "readCutOff" and int(chicago["n"]) == 1985


def test_chicago_shows_no_evidence_in_what_was_read(shipped):
    _, _, client = shipped
    page = text_of(client.get("/page/jurisdiction/chicago-il", headers={"Accept": "text/html"}).get_data(as_text=True))
    assert "No evidence in what was read." in page
    assert "What was read cut off before the footer : 1,985 characters" in page
    assert "not that the place did nothing" in page

    lst = client.get("/jurisdictions?evidence=none").get_data(as_text=True)
    assert "<b>54</b> of 239 places" in lst
    row = re.search(r'<tr><td><a href="/page/jurisdiction/chicago-il">.*?</tr>', lst, re.S).group(0)
    assert "no evidence in what was read" in row
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert "unknown" in cells[-1] and ">0<" not in cells[-1]  # arrests: unknown, not 0
    # the facet, with its counts, on the unfiltered list
    full = client.get("/jurisdictions").get_data(as_text=True)
    assert re.search(r'data-facet="evidence" data-value="none">no evidence in what was read</a>\s*<span class="n"[^>]*>54</span>', full)
    assert re.search(r'data-facet="evidence" data-value="some">evidence of a tactic</a>\s*<span class="n"[^>]*>185</span>', full)
    # a place with operations but no count of buyers is "unknown" too; with some counts, "≥ n"
    row = re.search(r'<tr><td><a href="/page/jurisdiction/pittsburgh-pa">.*?</tr>', full, re.S).group(0)
    assert "≥ 61" in row


def test_the_gallery_lists_places_by_evidence_held(shipped):
    _, store, _ = shipped
    got = select(store, BY_SLUG["evidence-held"].sparql.split("\n", 7)[-1])
    assert len(got) == 239
    first = got[0]
    assert first["claims"] == "0" and first["operations"] == "0" and first["read"] == "cut off before the footer"
    assert [int(r["claims"]) for r in got] == sorted(int(r["claims"]) for r in got)
    assert any(r["name"] == "Chicago, IL" and r["claims"] == "0" for r in got)


def test_the_readme_guide_says_it():
    from conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "has no evidence in what was read" in readme and "dkg:readExtent" in readme


# ---------------------------------------------------------------- buyers only

def test_mixed_counts_are_not_buyers(shipped):
    _, store, client = shipped
    op = select(store, "SELECT ?op ?a ?m WHERE { ?op dkg:inJurisdiction <" + ID + "jurisdiction/pompano-beach-fl> ; "
                       "dkg:startDate \"2014-04\"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> . "
                       "OPTIONAL { ?op dkg:arrests ?a } OPTIONAL { ?op dkg:mixedArrests ?m } }")
    assert op == [{"op": op[0]["op"], "a": None, "m": "97"}]
    page = client.get("/page/jurisdiction/pompano-beach-fl", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "97 people in all, not only buyers" in page
    total = select(store, "SELECT (SUM(?a) AS ?n) WHERE { ?o dkg:arrests ?a }")[0]["n"]
    landing = text_of(client.get("/").get_data(as_text=True))
    assert f"{int(total):,} buyers arrested" in landing
    assert "43 states and DC" in landing  # the states the places lie in, not the 56 State resources


# ---------------------------------------------------------------- each event once

def test_pittsburgh_allegheny_and_aurora_arapahoe_are_one_event_each(shipped):
    _, store, client = shipped
    joint = select(store, "SELECT ?op (GROUP_CONCAT(STR(?j); separator=' ') AS ?places) (SAMPLE(?a) AS ?arrests) WHERE { "
                          "?op dkg:inJurisdiction ?j . OPTIONAL { ?op dkg:arrests ?a } } GROUP BY ?op HAVING (COUNT(?j) > 1) ORDER BY ?op")
    by = {r["op"].rsplit("/", 1)[1]: (sorted(x.rsplit("/", 1)[1] for x in r["places"].split()), r["arrests"]) for r in joint}
    assert by["pittsburgh-2015-08-national-day-of-john-arrests"] == (["allegheny-county-pa", "pittsburgh-pa"], "61")
    assert by["aurora-arapahoe-reverse-stings-since-1988"][0] == ["arapahoe-county-co", "aurora-co"]
    assert by["aurora-sentinel-buyer-names-since-1994"][0] == ["arapahoe-county-co", "aurora-co"]
    sixty_one = select(store, "SELECT ?op WHERE { ?op dkg:arrests 61 ; dkg:startDate ?d FILTER(STR(?d) = '2015-08') }")
    assert len(sixty_one) == 1
    page = text_of(client.get("/page/jurisdiction/pittsburgh-pa", headers={"Accept": "text/html"}).get_data(as_text=True))
    assert "One operation, also reported by Allegheny County, PA : counted once." in page
    # each page it came from is its provenance
    prov = select(store, f"SELECT ?p WHERE {{ <{ID}operation/pittsburgh-2015-08-national-day-of-john-arrests> "
                         "<http://www.w3.org/ns/prov#wasDerivedFrom> ?p }")
    assert {r["p"] for r in prov} == {"https://demand-forum.org/site/pittsburgh-pa/",
                                      "https://demand-forum.org/site/allegheny-county-pa/"}


JOINT_A = textwrap.dedent("""\
    slug: eastport-tx
    url: https://demand-forum.org/site/eastport-tx/
    name: Eastport
    state: TX
    kind: City
    tactics:
    - tactic: Reverse Stings
      evidence: [narrative]
    operations:
    - tactics: [Reverse Stings]
      start: 2019-03
      arrests: 40
      agency: Eastport Police Department
      summary: joint street detail with the county; 40 buyers arrested
      event: eastport-2019-03-joint-detail
    """)
JOINT_B = (JOINT_A.replace("eastport-tx", "west-county-tx").replace("name: Eastport", "name: West County")
           .replace("kind: City", "kind: County")
           .replace("summary: joint street detail with the county", "summary: the city's joint detail, told on the county page"))


@pytest.fixture(scope="module")
def joint(tmp_path_factory):
    """A release of three records: one place alone (6 buyers, 2016) and two that report one
    joint operation (40 buyers, 2019)."""
    d = tmp_path_factory.mktemp("joint")
    places = d / "data" / "places"
    places.mkdir(parents=True)
    (places / "testville-tx.yaml").write_text(GOOD_RECORD)
    (places / "eastport-tx.yaml").write_text(JOINT_A)
    (places / "west-county-tx.yaml").write_text(JOINT_B)
    out = d / "dist"
    res = build(d / "data", out)
    assert res.ok, [p.line() for p in res.problems]
    app = create_app({"DIST": str(out), "QUERY_WORKERS": 1, "FOLLOW": 0})
    yield out, ox.Store.read_only(str(out / "store")), app.test_client()
    app.extensions["kg"].engine.close()


def test_a_joint_operation_counts_once_on_the_home_page(joint):
    out, _, client = joint
    counts = json.loads((out / "release.json").read_text())["counts"]
    assert counts["operations"] == 2 and counts["arrests"] == 46 and counts["jurisdictions"] == 3
    landing = client.get("/").get_data(as_text=True)
    words = text_of(landing)
    assert "2 operations" in words and "46 buyers arrested" in words
    # the charts: operations per year and buyers per year, each operation once
    assert "<title>2019: 1</title>" in landing and "<title>2016: 1</title>" in landing  # operations
    assert "<title>2019: 40</title>" in landing and "<title>2016: 6</title>" in landing  # buyers
    assert "<title>2019: 2</title>" not in landing and "<title>2019: 80</title>" not in landing
    # the tactics page counts operations once too
    tactics = client.get("/tactics").get_data(as_text=True)
    row = re.search(r'<a href="/jurisdictions\?tactic=reverse-stings">(\d+)</a></td><td class="num">(\d+)</td>', tactics)
    assert row.groups() == ("2", "1")  # two places, one operation


def test_a_joint_operation_counts_once_in_the_gallery(joint):
    _, store, _ = joint
    per_year = {r["year"]: (r["operations"], r["arrests"]) for r in select(store, BY_SLUG["operations-per-year"].sparql.split("\n", 7)[-1])}
    assert per_year == {"2016": ("1", "6"), "2019": ("1", "40")}
    states = select(store, BY_SLUG["states-by-operations"].sparql.split("\n", 7)[-1])
    assert [(r["state"], r["operations"], r["places"]) for r in states] == [("TX", "2", "3")]
    largest = select(store, BY_SLUG["largest-stings"].sparql.split("\n", 7)[-1])
    assert [(r["arrests"], sorted(r["places"].split(" / "))) for r in largest] == [
        ("40", ["Eastport, TX", "West County, TX"]), ("6", ["Testville, TX"])]


def test_reports_of_one_event_must_agree(tmp_path, capsys):
    from kg.cli import main

    places = tmp_path / "data" / "places"
    places.mkdir(parents=True)
    (places / "eastport-tx.yaml").write_text(JOINT_A)
    (places / "west-county-tx.yaml").write_text(JOINT_B.replace("arrests: 40", "arrests: 41"))
    assert main(["build", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert (f"{places / 'west-county-tx.yaml'}: west-county-tx: operations[1].event: event "
            f"'eastport-2019-03-joint-detail' is also reported by {places / 'eastport-tx.yaml'} "
            "(eastport-tx, operations[1].event) and the reports must agree: arrests 40 there, 41 here") in err


# ---------------------------------------------------------------- counties

def test_places_link_to_their_county(shipped):
    _, store, client = shipped
    got = select(store, "SELECT ?j ?c ?code WHERE { ?j dkg:inCounty ?c . ?c dkg:countyFips ?code }")
    by: dict[str, set] = {}
    for r in got:
        by.setdefault(r["j"].rsplit("/", 1)[1], set()).add((r["c"].replace(ID, ""), r["code"]))
    assert by["pittsburgh-pa"] == {("jurisdiction/allegheny-county-pa", "42003")}  # the county's own IRI
    assert by["new-haven-ct"] == {("county/09170", "09170"), ("county/09009", "09009")}  # region + historical county
    assert by["norwich-ct"] == {("county/09180", "09180"), ("county/09011", "09011")}
    names = {r["c"]: r["l"] for r in select(store, "SELECT ?c ?l WHERE { ?c a dkg:County ; rdfs:label ?l }")}
    assert names[ID + "county/09009"] == "New Haven County, CT"
    assert names[ID + "county/09170"] == "South Central Connecticut Planning Region, CT"
    # one property for a county code: no dkg:inCountyFips any more
    assert not select(store, "SELECT ?s WHERE { ?s dkg:inCountyFips ?x } LIMIT 1")
    page = client.get("/page/jurisdiction/pittsburgh-pa", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'In county</dt><dd><a href="/page/jurisdiction/allegheny-county-pa">Allegheny County, PA</a>' in page
    assert client.get("/page/county/09009", headers={"Accept": "text/html"}).status_code == 200
