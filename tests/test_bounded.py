"""Only queries whose work is provably small run in the web process (kg.bounded); they answer
exactly what the query workers answer; anything else, however disguised, goes to the workers,
where the time limit can stop it."""
from __future__ import annotations

import json
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.bounded import is_bounded
from kg.engine import EmbeddedEngine
from kg.examples import EXAMPLES, PREFIXES
from test_app_support import small_release

PLACE = "https://w3id.org/demand-kg/id/jurisdiction/norwich-ct"
P = f"<{PLACE}>"


@pytest.fixture(scope="module")
def store():
    return ox.Store.read_only(str(small_release() / "store"))


LOOKUPS = [
    f"SELECT ?population WHERE {{ {P} dkg:population ?population }}",
    f"# a comment\nSELECT ?population WHERE {{ {P} dkg:population ?population }}",
    f"ASK {{ {P} a dkg:Jurisdiction ; dkg:usesTactic ?t }}",
    f"select distinct * where {{ {P} ?p ?o . }} order by ?p desc(?o) limit 10 offset 2",
    f"DESCRIBE {P}",
    f"DESCRIBE ?op WHERE {{ ?op dkg:inJurisdiction {P} }}",
    f'SELECT ?s WHERE {{ ?s rdfs:label "Norwich, CT" }}',
    "SELECT ?x WHERE { }",
]

NOT_BOUNDED = [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s dkg:population ?n }",  # only the predicate bound: a scan
    # anchored, but the cross product of three descriptions is large
    f"SELECT * WHERE {{ {P} ?a ?b . {P} ?c ?d . {P} ?e ?f }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    f"SELECT * WHERE {{ {P} ?p ?o FILTER (?o != 1) }}",
    f"SELECT * WHERE {{ {P} ?p ?o OPTIONAL {{ ?o ?q ?v }} }}",
    f"SELECT * WHERE {{ {{ {P} ?p ?o }} UNION {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ {P} ?p ?o . ?o ?q ?v }}",  # the second pattern is not anchored
    # small in fact, but the rule judges each triple pattern alone: a join through a variable
    # does not anchor the second one
    f"SELECT ?op ?t WHERE {{ ?op dkg:inJurisdiction {P} ; dkg:tactic ?t . }}",
    f"SELECT * WHERE {{ {P} dkg:state/^dkg:state ?other }}",
    f"SELECT * WHERE {{ {P} ?p ?o }} VALUES ?x {{ 1 2 }}",
    f"SELECT * WHERE {{ {P} ?p [ ?q ?v ] }}",
    f"SELECT * WHERE {{ _:b ?p ?o }}",
    f'SELECT * WHERE {{ ?s ?p "a\\u0020b" }}',
    "SELECT * WHERE { ?s ?p 5 }",
    f"SELECT * WHERE {{ SERVICE <http://example.org/sparql> {{ {P} ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH ?g {{ {P} ?p ?o }} }}",
    f"SELECT * FROM <http://example.org/g> WHERE {{ {P} ?p ?o }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {P} ?p ?o }}",
    f"SELECT (STR(?o) AS ?x) WHERE {{ {P} ?p ?o }}",
    f"SELECT * WHERE {{ {P} ?p ?o }} GROUP BY ?p",
    # a comparison inside brackets must not hide a pattern: no FILTER at all is read
    f"SELECT * WHERE {{ {P} ?p ?o FILTER(?a<?b).?s?p?o.FILTER(?c>?d) }}",
    "SELECT * WHERE { <relative> ?p ?o }",
    "PREFIX x: <relative/> SELECT * WHERE { x:a ?p ?o }",
    f"SELECT * WHERE {{ undeclared:a ?p ?o }}",
    f"SELECT * WHERE {{ {P} ?p ?o }} LIMIT 1 garbage",
    "DESCRIBE *",
    "x" * 5000,
]


def q(body: str) -> str:
    return PREFIXES + body


@pytest.mark.parametrize("body", LOOKUPS)
def test_lookups_are_bounded(store, body):
    assert is_bounded(q(body), store, cap=200)


@pytest.mark.parametrize("body", NOT_BOUNDED)
def test_everything_else_is_not(store, body):
    assert not is_bounded(q(body), store, cap=200)


def test_gallery_queries_go_to_the_workers(store):
    for ex in EXAMPLES:
        assert not is_bounded(ex.sparql, store), ex.slug


def test_the_cap_is_a_bound_on_matches(store):
    """The same lookup is bounded or not depending on how many triples it touches."""
    body = q(f"SELECT * WHERE {{ {P} ?p ?o }}")
    n = len(list(store.quads_for_pattern(ox.NamedNode(PLACE), None, None, None)))
    assert n > 5
    assert is_bounded(body, store, cap=n) and not is_bounded(body, store, cap=n - 1)
    places = len(list(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                              ox.NamedNode("https://w3id.org/demand-kg/ontology#Jurisdiction"), None)))
    for body in ("DESCRIBE ?s WHERE { ?s a dkg:Jurisdiction }", "SELECT * WHERE { ?s a dkg:Jurisdiction }"):
        assert is_bounded(q(body), store, cap=places) and not is_bounded(q(body), store, cap=places - 1)


TERMS = [P, "dkg:usesTactic", "dkg:inJurisdiction", "dkg:state", "rdfs:label", "a", "dkg:Jurisdiction",
         "tactic:web-stings", "state:ct", '"Norwich, CT"', "dkg:Operation"]
VARS = ["?a", "?b", "?c"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(TERMS + VARS), st.sampled_from(TERMS[1:6] + VARS),
                          st.sampled_from(TERMS + VARS)), min_size=1, max_size=4))
def test_what_is_bounded_is_small(store, triples):
    """Property: whenever a random pattern is judged bounded, its answer has at most `cap` rows
    and comes back at once."""
    body = q("SELECT * WHERE { " + " . ".join(" ".join(t) for t in triples) + " }")
    try:
        rows = None
        if is_bounded(body, store, cap=50):
            t = time.perf_counter()
            rows = sum(1 for _ in store.query(body))
            assert rows <= 50 and time.perf_counter() - t < 0.5
    except SyntaxError:  # e.g. a literal as subject: the engine refuses it anyway
        pass


def test_inline_answers_equal_worker_answers():
    dist = small_release()
    inline = EmbeddedEngine(dist / "store", workers=1, memory_source=dist / "kg.nt")
    workers = EmbeddedEngine(dist / "store", workers=1, memory_source=dist / "kg.nt", inline_cap=0)
    try:
        for body in LOOKUPS:
            text = q(body)
            if body.startswith("DESCRIBE"):
                a = set(ox.parse(inline.execute(text, graph_format="application/n-triples").body,
                                 ox.RdfFormat.N_TRIPLES))
                b = set(ox.parse(workers.execute(text, graph_format="application/n-triples").body,
                                 ox.RdfFormat.N_TRIPLES))
                assert a == b and a
            else:
                a = json.loads(inline.execute(text).body)
                b = json.loads(workers.execute(text).body)
                if "results" in a and "ORDER" not in body.upper():
                    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731 - no order asked
                    a["results"]["bindings"].sort(key=key)
                    b["results"]["bindings"].sort(key=key)
                assert a == b
        assert inline.inlined == len(LOOKUPS) and workers.inlined == 0
        inline.execute(q("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        assert inline.inlined == len(LOOKUPS)  # a scan went to a worker
    finally:
        inline.close()
        workers.close()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=300),
                 st.lists(st.sampled_from(["SELECT", "ASK", "DESCRIBE", "*", "WHERE", "{", "}", ".", ";", ",",
                                           "(", ")", "?a", "?b", P, "dkg:state", "a", '"x"', "@en", "PREFIX",
                                           "dkg:", "<https://w3id.org/demand-kg/ontology#>", "ORDER", "BY",
                                           "DESC", "LIMIT", "3", "#", "\n", "FILTER"]),
                          max_size=30).map(" ".join)))
def test_any_text_is_judged_without_error(store, text):
    """The classifier sees every query first: whatever the text, it answers True or False."""
    assert is_bounded(text, store, cap=50) in (True, False)
