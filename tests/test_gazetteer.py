"""Gazetteer matching: hard cases assembled from the installed GeoNames/Census data, RDF, coverage."""
from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from kg.gazetteer import add_link_triples, add_linksets, add_state_triples, link_profile, linksets
from kg.gazetteer.data import gazetteer
from kg.gazetteer.names import norm
from kg.model import Profile
from kg.records import load_records
from kg.vocab import DKG, GEO, SCHEMA, WGS84, Iris

ROOT = Path(__file__).resolve().parents[1]
GZ = gazetteer()


def P(name, state, kind="City", pop=None, slug=None):
    return Profile(slug=slug or norm(f"{name} {state}").replace(" ", "-"), name=name, state=state,
                   kind=kind, population=pop)


def gn(gid):
    return f"https://sws.geonames.org/{gid}/"


# -- the same name in many states ---------------------------------------------------------
def _single_named(name):
    """{state: place} for states whose GeoNames data has exactly one place with that name."""
    by_state: dict[str, list] = {}
    for p in GZ.places.values():
        if p.name == name:
            by_state.setdefault(p.state, []).append(p)
    return {s: ps[0] for s, ps in by_state.items() if len(ps) == 1}


def test_springfield_in_every_state_links_to_its_own_state():
    singles = _single_named("Springfield")
    assert len(singles) >= 15          # the data really has Springfields all over
    for state, place in singles.items():
        link = link_profile(P("Springfield", state, pop=place.population))
        assert link.relation == "exact" and link.confidence == "high", (state, link.reason)
        assert link.geonames_id == place.geonameid
        assert GZ.places[link.geonames_id].state == state


def test_springfield_ma_is_not_springfield_il():
    ma = link_profile(P("Springfield", "MA", pop=154000))
    il = link_profile(P("Springfield", "IL", pop=114000))
    assert ma.geonames_id == 4951788 and il.geonames_id == 4250542
    assert ma.county_fips == "25013"   # Hampden County


def test_springfield_where_the_state_has_none_is_not_linked_to_a_namesake():
    states_with = {p.state for p in GZ.places.values() if p.name == "Springfield"}
    without = sorted(set(GZ.states) - states_with - {"PR", "GU", "VI", "AS", "MP"})
    assert without
    link = link_profile(P("Springfield", without[0], pop=150000))
    assert link.confidence == "low" and link.target is None and link.relation is None
    assert "no GeoNames populated place" in link.reason


@pytest.mark.parametrize("county", ["Washington County", "Polk County", "Jefferson County"])
def test_common_county_names_link_within_their_state(county):
    expected = {c.state: c for c in GZ.counties.values() if c.name == county and c.geonameid}
    assert len(expected) >= 10
    for state, c in expected.items():
        link = link_profile(P(county, state, kind="County"))
        assert link.relation == "exact" and link.geonames_id == c.geonameid, (state, link.reason)
        assert link.county_fips == c.fips and link.county_fips[:2] == GZ.states[state].fips
        assert link.county_is_self and link.gnis and len(link.gnis) == 8


def test_saint_paul_abbreviations():
    for name in ("St. Paul", "St Paul", "Saint Paul", "ST. PAUL"):
        link = link_profile(P(name, "MN", pop=300000))
        assert link.geonames_id == 5045360 and link.relation == "exact", name
    # the tiny Saint Pauls of other states are never the Minnesota capital, and vice versa
    link = link_profile(P("St. Paul", "KS", pop=600))
    assert link.geonames_id == 4278808


def test_kansas_city_missouri_vs_kansas():
    mo = link_profile(P("Kansas City", "MO", pop=500000))
    ks = link_profile(P("Kansas City", "KS", pop=150000))
    assert (mo.geonames_id, ks.geonames_id) == (4393217, 4273837)
    assert mo.relation == ks.relation == "exact"
    # "City" is part of the name: never stripped to a place called "Kansas"
    assert GZ.places[mo.geonames_id].name == "Kansas City"


def test_richmond_city_vs_richmond_county_virginia():
    city = link_profile(P("Richmond", "VA", pop=230000))
    assert city.geonames_id == 4781708 and city.relation == "exact"
    assert city.county_fips == "51760" and city.county_is_self      # Richmond city, independent
    assert "independent city" in city.reason
    county = link_profile(P("Richmond County", "VA", kind="County"))
    assert county.geonames_id == 4781725 and county.county_fips == "51159"
    assert county.geonames_id != city.geonames_id
    # and the California Richmond is an ordinary city in Contra Costa County
    ca = link_profile(P("Richmond", "CA", pop=116000))
    assert ca.geonames_id == 5387428 and not ca.county_is_self and ca.county_fips == "06013"


def test_st_louis_city_vs_county():
    city = link_profile(P("St. Louis", "MO"))
    county = link_profile(P("St. Louis County", "MO", kind="County"))
    assert city.county_fips == "29510" and county.county_fips == "29189"
    assert city.geonames_id != county.geonames_id and county.geonames_id == 4407074


def test_honolulu_consolidated_city_county():
    city = link_profile(P("Honolulu", "HI", pop=330000))
    # the GeoNames point is the urban core (a CDP), not the City and County: closeMatch only
    assert city.geonames_id == 5856195 and city.relation == "close" and city.confidence == "medium"
    assert city.county_fips == "15003" and city.county_is_self
    assert [g for _i, g, _w in city.also_close] == [5856194]
    county = link_profile(P("Honolulu County", "HI", kind="County"))
    assert county.geonames_id == 5856194 and county.relation == "exact"
    assert [g for _i, g, _w in county.also_close] == [5856195]


def test_anchorage_consolidated_municipality():
    city = link_profile(P("Anchorage", "AK", pop=294000))
    assert city.geonames_id == 5879400 and city.relation == "exact"
    assert city.county_fips == "02020" and [g for _i, g, _w in city.also_close] == [5879348]
    # Anchorage, Kentucky is a small city of its own
    ky = link_profile(P("Anchorage", "KY", pop=2400))
    assert ky.geonames_id == 4282497 and ky.county_fips != "02020"


def test_washington_dc():
    link = link_profile(P("Washington", "DC"))
    assert link.geonames_id == 4140963 and link.relation == "exact"
    assert link.state_fips == "11" and link.county_fips == "11001" and link.county_is_self
    # other Washingtons (NC, PA, MO, ...) stay in their states
    nc = link_profile(P("Washington", "NC", pop=9800))
    assert nc.geonames_id == 4497666


def test_new_england_town_vs_its_village():
    # Westborough MA: the town has ~18,000 people, GeoNames' point is the 4,045-person village
    town = link_profile(P("Westborough", "MA", kind="Town", pop=18000))
    assert town.geonames_id == 4955149 and town.relation == "close" and town.confidence == "medium"
    assert "granularity" in town.reason
    # Brattleboro VT: the town is only a closeMatch of the point, the village is the point itself
    btown = link_profile(P("Brattleboro", "VT", kind="Town", pop=12000))
    bvillage = link_profile(P("Brattleboro", "VT", kind="Village", pop=7400))
    assert btown.geonames_id == bvillage.geonames_id == 5234141
    assert (btown.relation, bvillage.relation) == ("close", "exact")
    assert link_profile(P("Town of Brattleboro", "VT", kind="Town", pop=12000)).relation == "close"


def test_township_never_exact_and_not_a_bigger_namesake_city():
    plains = link_profile(P("Plains Township", "PA", kind="Township", pop=9800))
    assert plains.relation == "close" and plains.geonames_id == 5206422
    # Perrysburg (city, 21k) is not inside Perrysburg Township (13k): no link
    perr = link_profile(P("Perrysburg Township", "OH", kind="Township", pop=13000))
    assert perr.target is None and perr.confidence == "low"


def test_place_too_small_for_the_data_gets_no_link():
    # a 300-person "Springfield" in Illinois is not the 114,000-person capital
    tiny = link_profile(P("Springfield", "IL", pop=300))
    assert tiny.target is None and tiny.confidence == "low"
    assert any("4250542" in c for c in tiny.candidates)
    # a name that exists only in other states: never borrowed from them
    name_states: dict[str, set] = {}
    for p in GZ.places.values():
        name_states.setdefault(p.name, set()).add(p.state)
    name = next(n for n, s in sorted(name_states.items()) if s == {"OR"} and len(n) > 6)
    link = link_profile(P(name, "WA", pop=800))
    assert link.target is None and link.confidence == "low"


def test_same_name_twice_in_one_state_needs_population():
    counts = Counter((p.state, p.name) for p in GZ.places.values())
    state, name = next(k for k, n in sorted(counts.items()) if n == 2
                       and len({round(p.population, -3) for p in GZ.places_named(k[0], norm(k[1]))}) == 2
                       and min(p.population for p in GZ.places_named(k[0], norm(k[1]))) > 2000
                       and not any(c.independent_city for c in GZ.counties_named(k[0], "city of " + norm(k[1]))))
    ps = sorted(GZ.places_named(state, norm(name)), key=lambda p: p.population)
    if ps[1].population / ps[0].population > 1.6:
        for p in ps:
            link = link_profile(P(name, state, pop=p.population))
            assert link.geonames_id == p.geonameid and link.relation == "exact"
    unknown = link_profile(P(name, state))
    assert unknown.target is None and unknown.confidence == "low" and len(unknown.candidates) == 2


def test_connecticut_old_county_vs_planning_region():
    old = link_profile(P("New Haven County", "CT", kind="County"))
    assert old.target is None and old.confidence == "low"
    assert old.county_fips == "09009" and "planning region" in old.reason
    region = link_profile(P("South Central Connecticut Planning Region", "CT", kind="County"))
    assert region.relation == "exact" and region.geonames_id == 12809023 and region.county_fips == "09170"
    norwich = link_profile(P("Norwich", "CT", pop=40014))
    assert norwich.geonames_id == 4839843 and norwich.county_fips == "09180"


def test_alternate_name_and_accents():
    assert link_profile(P("Espanola", "NM", pop=10500)).geonames_id == 5467024      # Española
    assert link_profile(P("City of Richmond", "VA", pop=230000)).geonames_id == 4781708


def test_no_state_no_link():
    link = link_profile(P("Springfield", None))
    assert link.target is None and link.confidence == "low"


# -- RDF -----------------------------------------------------------------------------------
def _graph(*profiles):
    iris = Iris()
    g = Graph()
    out = {}
    for p in profiles:
        s = iris.jurisdiction(p.slug)
        g.add((s, RDF.type, DKG.Jurisdiction))
        link = link_profile(p)
        add_link_triples(g, s, link)
        out[p.slug] = (s, link)
    return g, out


def test_rdf_exact_close_low():
    g, out = _graph(P("Richmond", "VA", pop=230000, slug="richmond-va"),
                    P("Westborough", "MA", kind="Town", pop=18000, slug="westborough-ma"),
                    P("Springfield", "IL", pop=300, slug="tiny"))
    s, _ = out["richmond-va"]
    assert (s, SKOS.exactMatch, URIRef(gn(4781708))) in g
    assert (s, SCHEMA.sameAs, URIRef(gn(4781708))) in g
    assert (s, DKG.countyFips, None) in g and g.value(s, DKG.countyFips).datatype == XSD.token
    assert str(g.value(s, DKG.countyFips)) == "51760" and str(g.value(s, DKG.gnisId)) == "01789073"
    assert abs(float(g.value(s, WGS84.lat)) - 37.55376) < 1e-4
    geom = URIRef(str(s) + "#geometry")
    assert (s, GEO.hasGeometry, geom) in g
    assert str(g.value(geom, GEO.asWKT)).startswith("POINT(-77.46")
    node = URIRef(str(s) + "#gazetteer-link")
    assert str(g.value(node, DKG.linkConfidence)) == "high" and g.value(node, DKG.linkReason)
    w, _ = out["westborough-ma"]
    assert (w, SKOS.closeMatch, URIRef(gn(4955149))) in g
    assert (w, SKOS.exactMatch, None) not in g and (w, SCHEMA.sameAs, None) not in g
    t, _ = out["tiny"]
    assert set(g.predicates(t, None)) == {RDF.type, DKG.gazetteerLink}
    tnode = URIRef(str(t) + "#gazetteer-link")
    assert str(g.value(tnode, DKG.linkConfidence)) == "low" and (tnode, DKG.linkTarget, None) not in g
    assert not list(g.triples((None, OWL.sameAs, None)))


def test_state_triples_and_linksets():
    g = Graph()
    st = Iris().state("va")
    add_state_triples(g, st, "VA")
    assert str(g.value(st, DKG.stateFips)) == "51"
    assert (st, SKOS.exactMatch, URIRef(gn(6254928))) in g
    links = [link_profile(P("Richmond", "VA", pop=230000)), link_profile(P("Honolulu", "HI", pop=330000)),
             link_profile(P("Springfield", "IL", pop=300))]
    counts = linksets(links)
    assert counts["geonames-exact"] == 1 and counts["geonames-close"] == 2   # Honolulu point + county
    void = Graph()
    ds = URIRef("https://w3id.org/demand-kg/id/dataset")
    add_linksets(void, ds, links)
    from rdflib.namespace import VOID
    sets = list(void.subjects(RDF.type, VOID.Linkset))
    assert len(sets) == 2
    for ls in sets:
        assert (ds, VOID.subset, ls) in void and void.value(ls, VOID.linkPredicate) in (SKOS.exactMatch, SKOS.closeMatch)
        assert int(void.value(ls, VOID.triples)) >= 1


# -- the shipped data ----------------------------------------------------------------------
def _shipped_profiles():
    profiles = []
    for f in sorted((ROOT / "data" / "places").glob("*.yaml")):
        profiles.extend(load_records(f))
    return profiles


def test_coverage_of_shipped_places():
    profiles = _shipped_profiles()
    assert len(profiles) >= 238
    links = [link_profile(p) for p in profiles]
    review = []
    for p, lk in zip(profiles, links):
        assert lk.reason and len(lk.reason) > 20, p.slug
        if lk.confidence == "high":
            assert lk.relation == "exact" and lk.target and lk.geonames_id
            place_or_county = GZ.places.get(lk.geonames_id) or GZ.county_by_geonameid.get(lk.geonames_id)
            assert place_or_county is not None and place_or_county.state == p.state.upper(), p.slug
        else:
            review.append(p.slug)
            assert lk.relation != "exact"
    high = sum(lk.confidence == "high" for lk in links)
    assert high / len(links) >= 0.9
    # a handful of known answers (checked by hand against GeoNames)
    by = {p.slug: lk for p, lk in zip(profiles, links)}
    assert by["richmond-va"].geonames_id == 4781708
    assert by["springfield-ma"].geonames_id == 4951788
    assert by["springfield-or"].geonames_id == 5754005
    assert by["cambridge-md"].geonames_id == 4931972     # the slug says md, the page says MA
    assert by["st-louis-county-mo"].county_fips == "29189"
    assert by["polk-county-fl"].county_fips == "12105"
    assert "westborough-ma" in review and "east-lampeter-township-pa" in review


def test_cli_report(tmp_path, capsys):
    import argparse
    import json

    from kg.gazetteer import cli

    d = tmp_path / "data" / "places"
    d.mkdir(parents=True)
    for slug in ("richmond-va", "westborough-ma", "honolulu-hi"):
        (d / f"{slug}.yaml").write_text((ROOT / "data" / "places" / f"{slug}.yaml").read_text())
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.run(parser.parse_args(["--data", str(tmp_path / "data"), "--format", "json"])) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["jurisdictions"] == 3
    assert out["summary"]["confidence"] == {"high": 1, "medium": 2, "low": 0}
    assert cli.run(parser.parse_args(["--data", str(tmp_path / "data")])) == 0
    text = capsys.readouterr().out
    assert "richmond-va  [high exactMatch]" in text and "fips=51760" in text and "Summary" in text


def test_35000_places_link_fast():
    rng = random.Random(5)
    places = list(GZ.places.values())
    counties = [c for c in GZ.counties.values()]
    profiles = []
    for i in range(35000):
        r = rng.random()
        if r < 0.2:
            c = rng.choice(counties)
            profiles.append(P(c.name, c.state, kind="County", slug=f"s{i}"))
        elif r < 0.9:
            p = rng.choice(places)
            st = p.state if rng.random() < 0.8 else rng.choice(list(GZ.states))
            profiles.append(P(p.name, st, kind=rng.choice(["City", "Town", "Village", None]),
                              pop=int(p.population * rng.uniform(0.7, 1.3)) if rng.random() < 0.7 else None,
                              slug=f"s{i}"))
        else:
            profiles.append(P(f"Nowhere {i}", "TX", slug=f"s{i}"))
    link_profile(profiles[0])
    t = time.perf_counter()
    links = [link_profile(p) for p in profiles]
    took = time.perf_counter() - t
    assert took < 30, took
    assert all(lk.reason for lk in links)
