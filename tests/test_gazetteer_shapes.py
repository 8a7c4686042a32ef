"""shapes/gazetteer.ttl: the links the matcher writes conform; each way of breaking them is reported."""
from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from kg.gazetteer import add_link_triples, add_state_triples, link_profile
from kg.model import Profile
from kg.vocab import DKG, GEO, SCHEMA, WGS84, Iris

ROOT = Path(__file__).resolve().parents[1]
SHAPES = Graph().parse(ROOT / "shapes" / "gazetteer.ttl")
IRIS = Iris()
RICH = IRIS.jurisdiction("richmond-va")
WEST = IRIS.jurisdiction("westborough-ma")
TINY = IRIS.jurisdiction("tiny-il")


def node(s):
    return URIRef(str(s) + "#gazetteer-link")


def base_graph() -> Graph:
    g = Graph()
    for slug, prof in (("richmond-va", Profile("richmond-va", "Richmond", "VA", "City", 230000)),
                       ("westborough-ma", Profile("westborough-ma", "Westborough", "MA", "Town", 18000)),
                       ("tiny-il", Profile("tiny-il", "Springfield", "IL", "City", 300))):
        s = IRIS.jurisdiction(slug)
        st = IRIS.state(prof.state)
        g.add((s, RDF.type, DKG.Jurisdiction))
        g.add((s, DKG.state, st))
        g.add((st, RDF.type, DKG.State))
        add_link_triples(g, s, link_profile(prof))
        add_state_triples(g, st, prof.state)
    return g


def validate(g):
    ok, report, _text = pyshacl.validate(g, shacl_graph=SHAPES, advanced=True)
    msgs = [str(m) for m in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultMessage"))]
    return ok, msgs


def test_matcher_output_conforms():
    ok, msgs = validate(base_graph())
    assert ok, msgs


def _set(g, s, p, o):
    g.remove((s, p, None))
    g.add((s, p, o))


BREAKS = {
    "exactMatch to a non-gazetteer IRI": (
        lambda g: g.add((RICH, SKOS.exactMatch, URIRef("https://example.org/richmond"))), "skos:exactMatch must point"),
    "closeMatch to a GeoNames page not the feature IRI": (
        lambda g: g.add((WEST, SKOS.closeMatch, URIRef("https://www.geonames.org/4955149"))), "skos:closeMatch must point"),
    "schema:sameAs literal": (
        lambda g: g.add((RICH, SCHEMA.sameAs, Literal("4781708"))), "schema:sameAs must point"),
    "owl:sameAs used": (
        lambda g: g.add((RICH, OWL.sameAs, URIRef("https://sws.geonames.org/4781708/"))), "never owl:sameAs"),
    "exactMatch at medium confidence": (
        lambda g: g.add((WEST, SKOS.exactMatch, URIRef("https://sws.geonames.org/4955149/"))),
        "requires a gazetteer link assessment with confidence \"high\""),
    "assessment predicate exact at medium": (
        lambda g: _set(g, node(WEST), DKG.linkPredicate, SKOS.exactMatch), "only for high confidence"),
    "confidence missing": (
        lambda g: g.remove((node(RICH), DKG.linkConfidence, None)), "exactly one confidence"),
    "confidence not in the list": (
        lambda g: _set(g, node(RICH), DKG.linkConfidence, Literal("certain")), "exactly one confidence"),
    "two confidences": (
        lambda g: g.add((node(RICH), DKG.linkConfidence, Literal("medium"))), "exactly one confidence"),
    "reason missing": (
        lambda g: g.remove((node(WEST), DKG.linkReason, None)), "must say why"),
    "low confidence with a target": (
        lambda g: g.add((node(TINY), DKG.linkTarget, URIRef("https://sws.geonames.org/4250542/"))),
        "low-confidence gazetteer link must have no target"),
    "low confidence but linked": (
        lambda g: g.add((TINY, SKOS.closeMatch, URIRef("https://sws.geonames.org/4250542/"))),
        "must not carry skos:exactMatch"),
    "link without assessment": (
        lambda g: [g.remove((RICH, DKG.gazetteerLink, None)), g.remove((node(RICH), None, None))],
        "needs a gazetteer link assessment"),
    "county FIPS of 4 digits": (
        lambda g: _set(g, RICH, DKG.countyFips, Literal("5176", datatype=XSD.token)), "5-digit county FIPS"),
    "county FIPS untyped": (
        lambda g: _set(g, RICH, DKG.countyFips, Literal("51760")), "5-digit county FIPS"),
    "county FIPS of another state": (
        lambda g: _set(g, RICH, DKG.countyFips, Literal("25013", datatype=XSD.token)),
        "must start with the FIPS code of the jurisdiction's state"),
    "state FIPS of 1 digit": (
        lambda g: _set(g, IRIS.state("va"), DKG.stateFips, Literal("5", datatype=XSD.token)), "2-digit state FIPS"),
    "GNIS of 6 digits": (
        lambda g: _set(g, RICH, DKG.gnisId, Literal("178907", datatype=XSD.token)), "8-digit GNIS"),
    "latitude out of range": (
        lambda g: _set(g, RICH, WGS84.lat, Literal("137.5", datatype=XSD.decimal)), "wgs84:lat must be"),
    "WKT not a point": (
        lambda g: _set(g, URIRef(str(RICH) + "#geometry"), GEO.asWKT,
                       Literal("LINESTRING(0 0, 1 1)", datatype=GEO.wktLiteral)), "WKT POINT"),
}


@pytest.mark.parametrize("what", list(BREAKS))
def test_each_break_is_reported(what):
    g = base_graph()
    breaker, expected = BREAKS[what]
    breaker(g)
    ok, msgs = validate(g)
    assert not ok
    assert any(expected in m for m in msgs), msgs


@pytest.mark.parametrize("what", ["(matcher output)"] + list(BREAKS))
def test_fast_core_check_agrees_with_pyshacl(what):
    """kg build's shortcut (pyrudof on the core shapes) finds each break pyshacl finds."""
    from kg.validate import Shapes

    g = base_graph()
    if what != "(matcher output)":
        BREAKS[what][0](g)
    ok, _ = validate(g)
    shapes = Shapes(SHAPES)
    assert not any(SHAPES.subjects(URIRef("http://www.w3.org/ns/shacl#target"), None))  # all core here
    assert shapes.core_conforms_fast(g.serialize(format="nt", encoding="utf-8")) == ok, what
