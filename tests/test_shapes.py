"""Each SHACL constraint: a record broken in exactly that way is reported by record and field."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.mapping import graph_for_profiles, reference_graph
from kg.records import load_records
from kg.validate import load_shapes, validate_graph
from kg.vocab import DEFAULT_BASE, DKG, SCHEMA

ID = DEFAULT_BASE
J = URIRef(ID + "jurisdiction/testville-tx")
OP = URIRef(ID + "operation/testville-tx-2016-05-web-stings")
SRC = URIRef(ID + "source/testville-tx-1")
CLAIM = URIRef(str(J) + "#uses-web-stings")
WEB = URIRef(ID + "tactic/web-stings")
DCT_CIT = URIRef("http://purl.org/dc/terms/bibliographicCitation")


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


@pytest.fixture
def base(data_dir):
    path = data_dir / "places" / "testville-tx.yaml"
    where: dict = {}
    g = graph_for_profiles(load_records(path), where=where)
    g += reference_graph()
    return g, where, str(path)


def check(base, shapes):
    g, where, _ = base
    ok, _, problems = validate_graph(g, where, shapes=shapes)
    return ok, problems


def test_good_record_conforms(base, shapes):
    ok, problems = check(base, shapes)
    assert ok, [p.line() for p in problems]
    assert (OP, RDF.type, DKG.Operation) in base[0]  # the IRIs these tests break exist


def set_(g: Graph, s, p, *values):
    g.remove((s, p, None))
    for v in values:
        g.add((s, p, v))


BREAKS = {
    # name: (how to break the graph, expected field, words in the message)
    "jurisdiction label missing": (lambda g: set_(g, J, RDFS.label), "name", "label"),
    "operation label empty": (lambda g: set_(g, OP, RDFS.label, Literal("")), "operations[1].name", "label"),
    "no state": (lambda g: set_(g, J, DKG.state), "state", "state"),
    "two states": (lambda g: set_(g, J, DKG.state, URIRef(ID + "state/tx"), URIRef(ID + "state/ok")), "state", "state"),
    "state not in release": (lambda g: set_(g, J, DKG.state, URIRef(ID + "state/zz")), "state", "state"),
    "negative population": (lambda g: set_(g, J, DKG.population, Literal(-5)), "population", "non-negative"),
    "population not an integer": (lambda g: set_(g, J, DKG.population, Literal("many")), "population", "integer"),
    "operation without jurisdiction": (lambda g: set_(g, OP, DKG.inJurisdiction), "operations[1].jurisdiction", "at least one jurisdiction"),
    # a joint operation may have several jurisdictions, each of them in the release
    "operation in a jurisdiction not in the release": (lambda g: set_(g, OP, DKG.inJurisdiction, J, URIRef(ID + "jurisdiction/norwich-ct")), "operations[1].jurisdiction", "at least one jurisdiction of the release"),
    "operation without tactic": (lambda g: set_(g, OP, DKG.tactic), "operations[1]", "at least one tactic"),
    "operation with unknown tactic": (lambda g: set_(g, OP, DKG.tactic, URIRef(ID + "tactic/bribery")), "operations[1].tactics", "tactics of the scheme"),
    "start date as plain text": (lambda g: set_(g, OP, DKG.startDate, Literal("May 2016")), "operations[1].start", "gYear"),
    "start date in the future": (lambda g: set_(g, OP, DKG.startDate, Literal("2999-01", datatype=XSD.gYearMonth)), "operations[1].start", "future"),
    "end date before start": (lambda g: set_(g, OP, DKG.endDate, Literal("2015", datatype=XSD.gYear)), "operations[1].end", "before the start"),
    "negative arrests": (lambda g: set_(g, OP, DKG.arrests, Literal("-1", datatype=XSD.nonNegativeInteger)), "operations[1].arrests", "non-negative"),
    "arrests as decimal": (lambda g: set_(g, OP, DKG.arrests, Literal("6.5", datatype=XSD.decimal)), "operations[1].arrests", "non-negative integer"),
    "operation without text": (lambda g: (set_(g, OP, DKG.summary), set_(g, OP, DKG.quote)), "operations[1]", "text it came from"),
    "operation without page": (lambda g: set_(g, OP, PROV.wasDerivedFrom), "operations[1].url", "profile page"),
    "usesTactic without claim": (lambda g: g.add((J, DKG.usesTactic, URIRef(ID + "tactic/cameras"))), "tactics", "without a tactic claim"),
    "claim without evidence": (lambda g: set_(g, CLAIM, DKG.evidenceKind), "evidence", "needs evidence"),
    "source without url or citation": (lambda g: set_(g, SRC, DCT_CIT), "sources[1]", "URL"),
    "jurisdiction without page": (lambda g: set_(g, J, PROV.wasDerivedFrom), "url", "profile page"),
    "cited source missing from release": (lambda g: g.add((J, DKG.citedSource, URIRef(ID + "source/nowhere-1"))), "sources", "dkg:Source"),
    "agency missing from release": (lambda g: set_(g, OP, DKG.agency, URIRef(ID + "agency/tx-ghost-squad")), "operations[1].agency", "dkg:Agency"),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_record_is_reported_with_record_and_field(name, base, shapes):
    g, where, file = base
    breaker, field, words = BREAKS[name]
    breaker(g)
    ok, problems = check(base, shapes)
    assert not ok, name
    hits = [p for p in problems if p.file == file and p.record == "testville-tx" and p.field == field
            and words.lower() in p.message.lower()]
    assert hits, f"{name}: expected {field!r} / {words!r}, got " + "; ".join(p.line() for p in problems)
    assert hits[0].line().startswith(f"{file}: testville-tx: {field}: ")


def test_state_with_bad_postal_code_is_reported(base, shapes):
    g, where, _ = base
    set_(g, URIRef(ID + "state/tx"), DKG.postalCode, Literal("Tex"))
    ok, problems = check(base, shapes)
    assert not ok
    assert any(p.record == ID + "state/tx" and p.field == "state" and "postal code" in p.message
               for p in problems), [p.line() for p in problems]


def test_shapes_have_messages():
    """Every shape that constrains something says what is wrong in words (sh:message)."""
    from rdflib.namespace import SH

    from kg.vocab import load_dir, shapes_dir
    shapes = load_dir(shapes_dir())
    structural = {SH.path, SH.property, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf,
                  SH.targetNode, SH.target, SH.declare, SH.prefixes, SH.message, SH.name,
                  SH.severity, SH.deactivated, SH.sparql}
    checked = 0
    for shape in set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.NodeShape)):
        constraints = {p for p in shapes.predicates(shape) if str(p).startswith(str(SH)) and p not in structural}
        if constraints:
            checked += 1
            assert shapes.value(shape, SH.message) is not None, f"shape without sh:message: {shape} {constraints}"
    for c in shapes.objects(None, SH.sparql):
        assert shapes.value(c, SH.message) is not None
    assert checked > 40


def _pyshacl_core_conforms(g: Graph, shapes) -> bool:
    from pyshacl import validate

    ok, _, _ = validate(g, shacl_graph=shapes.core, inference="none", advanced=False, inplace=True)
    return bool(ok)


@pytest.mark.parametrize("name", ["(good record)", "(bad postal code)"] + sorted(BREAKS))
def test_fast_core_check_agrees_with_pyshacl(name, base, shapes):
    """kg build trusts pyrudof's "the core shapes hold" (then pyshacl runs only the SPARQL-target
    shapes): for every break, pyrudof must see a core violation exactly where pyshacl sees one."""
    g, _, _ = base
    if name == "(bad postal code)":
        set_(g, URIRef(ID + "state/tx"), DKG.postalCode, Literal("Tex"))
    elif name != "(good record)":
        BREAKS[name][0](g)
    fast = shapes.core_conforms_fast(g.serialize(format="nt", encoding="utf-8"))
    assert fast == _pyshacl_core_conforms(g, shapes), name
    if name == "(good record)":
        assert fast  # else the shortcut would never be taken


def test_fast_path_reports_pyshacl_messages(base, shapes):
    """A break the fast check finds is reported with pyshacl's report (messages, record, field)."""
    from kg.validate import Shapes

    g, where, file = base
    BREAKS["arrests as decimal"][0](g)
    slow = validate_graph(g, where, shapes=Shapes(shapes.graph, fast=False))
    fast = validate_graph(g, where, shapes=shapes)
    assert not fast[0] and not slow[0]
    assert fast[2] == slow[2] and fast[2]
