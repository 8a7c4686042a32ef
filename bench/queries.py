"""The benchmark query set: cross-city queries over the Demand KG vocabulary.

Every constant exists in the shipped release (data/) and in the synthetic one
(bench/synth.py): the state `tx`, the tactics `web-stings`, `reverse-stings` and
`identity-disclosure` (the three most common in both), and labels containing "county".
The one-place queries (DESCRIBE, CONSTRUCT, one-value lookup) take the place as a parameter:
`pick_place()` chooses `norwich-ct` when the release has it, else the jurisdiction with the
most operations (ties by IRI), so the same code runs at both sizes.

`aggregate` marks the queries the ">= 20x faster than rdflib-endpoint on the aggregate
queries" target is about.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.examples import BY_SLUG, PREFIXES  # the same prefixes as the site's example queries


@dataclass(frozen=True)
class Query:
    name: str
    form: str  # "select", "ask" or "graph"
    body: str  # without PREFIX lines; may contain {place}
    aggregate: bool = False
    cheap: bool = False  # a lookup: used by the throughput benchmark

    def text(self, place: str, tag: str | None = None) -> str:
        """The full query. `tag` adds a comment so a response cache cannot answer it."""
        q = PREFIXES + self.body.strip().replace("{place}", f"<{place}>") + "\n"
        return q if tag is None else f"# {tag}\n{q}"

    @property
    def accept(self) -> str:
        return "text/turtle" if self.form == "graph" else "application/sparql-results+json"


QUERIES: list[Query] = [
    Query("state-tactic-by-pop", "select", """
SELECT ?place ?name ?population WHERE {
  ?place dkg:state state:tx ; dkg:usesTactic tactic:web-stings ; rdfs:label ?name .
  OPTIONAL { ?place dkg:population ?population }
}
ORDER BY DESC(?population) ?place
""", aggregate=False),
    Query("places-per-tactic", "select", """
SELECT ?tactic ?label (COUNT(DISTINCT ?place) AS ?places) WHERE {
  ?tactic a dkg:Tactic ; skos:prefLabel ?label .
  OPTIONAL { ?place dkg:usesTactic ?tactic }
}
GROUP BY ?tactic ?label
ORDER BY DESC(?places) ?label
""", aggregate=True),
    # the same queries as the site's gallery examples, so the two cannot drift apart
    Query("ops-arrests-per-year", "select", BY_SLUG["operations-per-year"].body, aggregate=True),
    Query("two-tactics", "select", """
SELECT ?place ?name ?state WHERE {
  ?place dkg:usesTactic tactic:reverse-stings, tactic:identity-disclosure ;
         rdfs:label ?name ;
         dkg:state/dkg:postalCode ?state .
}
ORDER BY ?state ?name ?place
""", aggregate=False),
    Query("states-by-operations", "select", BY_SLUG["states-by-operations"].body, aggregate=True),
    Query("describe-place", "graph", """
DESCRIBE {place} ?op WHERE { ?op dkg:inJurisdiction {place} }
"""),
    Query("construct-place", "graph", """
CONSTRUCT { {place} ?p ?o . ?op ?q ?v . } WHERE {
  { {place} ?p ?o } UNION { ?op dkg:inJurisdiction {place} ; ?q ?v }
}
"""),
    Query("label-search", "select", """
SELECT ?place ?name ?population WHERE {
  ?place a dkg:Jurisdiction ; rdfs:label ?name .
  OPTIONAL { ?place dkg:population ?population }
  FILTER (CONTAINS(LCASE(STR(?name)), "county"))
}
ORDER BY ?name ?place
LIMIT 100
""", aggregate=False),
    Query("one-value-lookup", "select", """
SELECT ?population WHERE { {place} dkg:population ?population }
""", cheap=True),
    Query("ask-place", "ask", """
ASK { {place} a dkg:Jurisdiction ; dkg:usesTactic ?t }
""", cheap=True),
]

BY_NAME = {q.name: q for q in QUERIES}

NORWICH = "https://w3id.org/demand-kg/id/jurisdiction/norwich-ct"
PICK_BUSIEST = PREFIXES + """
SELECT ?place (COUNT(?op) AS ?n) WHERE { ?op dkg:inJurisdiction ?place }
GROUP BY ?place ORDER BY DESC(?n) ?place LIMIT 1
"""


def pick_place(post_query) -> str:
    """`post_query(query, accept) -> dict` (parsed SPARQL JSON): norwich-ct, else the busiest place."""
    ask = post_query(PREFIXES + f"ASK {{ <{NORWICH}> a dkg:Jurisdiction }}",
                     "application/sparql-results+json")
    if ask.get("boolean"):
        return NORWICH
    res = post_query(PICK_BUSIEST, "application/sparql-results+json")
    return res["results"]["bindings"][0]["place"]["value"]


def places_sample(post_query, n: int) -> list[str]:
    """Up to n jurisdiction IRIs (for lookups that vary the place)."""
    res = post_query(PREFIXES + f"SELECT ?p WHERE {{ ?p a dkg:Jurisdiction }} ORDER BY ?p LIMIT {n}",
                     "application/sparql-results+json")
    return [b["p"]["value"] for b in res["results"]["bindings"]]
