"""Example cross-city queries: the landing page's gallery, the query page's menu, and the
parity and benchmark tests' workload. Every query is deterministic (ORDER BY a full key)."""
from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """PREFIX dkg: <https://w3id.org/demand-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX state: <https://w3id.org/demand-kg/id/state/>
PREFIX tactic: <https://w3id.org/demand-kg/id/tactic/>
"""


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    description: str
    body: str  # the query without the PREFIX lines

    @property
    def sparql(self) -> str:
        return PREFIXES + "\n" + self.body.strip() + "\n"


EXAMPLES: list[Example] = [
    Example(
        "texas-web-stings-after-2015",
        "Texas places that ran web stings after 2015 with buyers arrested",
        "Operations in Texas cities and counties using web stings that started in 2016 or later "
        "and report how many buyers were arrested.",
        """
SELECT ?place ?name ?operation ?start ?arrests WHERE {
  ?place dkg:state state:tx ; rdfs:label ?name .
  ?operation dkg:inJurisdiction ?place ;
             dkg:tactic tactic:web-stings ;
             dkg:startDate ?start ;
             dkg:arrests ?arrests .
  FILTER (xsd:integer(SUBSTR(STR(?start), 1, 4)) > 2015 && ?arrests > 0)
}
ORDER BY ?start ?name ?operation
"""),
    Example(
        "places-per-tactic",
        "How many places use each tactic",
        "Jurisdictions with evidence of each tactic (claims backed by the profile's narrative or "
        "Key Sources, not the page's menu).",
        """
SELECT ?tactic ?label (COUNT(DISTINCT ?place) AS ?places) WHERE {
  ?tactic a dkg:Tactic ; skos:prefLabel ?label .
  OPTIONAL { ?place dkg:usesTactic ?tactic }
}
GROUP BY ?tactic ?label
ORDER BY DESC(?places) ?label
"""),
    Example(
        "operations-per-year",
        "Operations and arrests per year",
        "Operations by the year they started, with the buyers arrested where the profile gives a number.",
        """
SELECT ?year (COUNT(?op) AS ?operations) (SUM(?n) AS ?arrests) WHERE {
  ?op dkg:startDate ?d .  # only operations have one, and at most one (ontology, shapes)
  BIND (SUBSTR(STR(?d), 1, 4) AS ?year)
  OPTIONAL { ?op dkg:arrests ?a }
  BIND (COALESCE(?a, 0) AS ?n)
}
GROUP BY ?year
ORDER BY ?year
"""),
    Example(
        "reverse-stings-and-identity-disclosure",
        "Places using both reverse stings and identity disclosure",
        "Jurisdictions with evidence of street-level reverse stings and of publishing buyers' names.",
        """
SELECT ?place ?name ?state WHERE {
  ?place dkg:usesTactic tactic:reverse-stings, tactic:identity-disclosure ;
         rdfs:label ?name ;
         dkg:state/dkg:postalCode ?state .
}
ORDER BY ?state ?name
"""),
    Example(
        "states-by-operations",
        "States ranked by operations",
        "Number of operations and of places with operations, per state (an operation that "
        "several places report counts once).",
        """
SELECT ?state ?name ?operations ?places WHERE {
  {  # count per state first, then look up each state's code and name once
    SELECT ?s (COUNT(DISTINCT ?op) AS ?operations) (COUNT(DISTINCT ?place) AS ?places) WHERE {
      ?place dkg:state ?s .  # places first (fewer than operations): Oxigraph keeps this order
      ?op dkg:inJurisdiction ?place .  # one per place that reports the operation
    }
    GROUP BY ?s
  }
  ?s dkg:postalCode ?state ; rdfs:label ?name .
}
ORDER BY DESC(?operations) ?state
"""),
    Example(
        "label-search",
        "Find places by name",
        "Case-insensitive search in the labels of jurisdictions (here: names containing 'county').",
        """
SELECT ?place ?name ?population WHERE {
  ?place a dkg:Jurisdiction ; rdfs:label ?name .
  OPTIONAL { ?place dkg:population ?population }
  FILTER (CONTAINS(LCASE(STR(?name)), "county"))
}
ORDER BY ?name
LIMIT 100
"""),
    Example(
        "largest-stings",
        "The operations with the most arrests",
        "Single operations ranked by the number of buyers arrested, with place and agency (an "
        "operation several places report is one row, naming them all).",
        """
SELECT ?operation (GROUP_CONCAT(?name; separator=" / ") AS ?places) ?start ?arrests ?agency WHERE {
  {
    SELECT ?operation ?start ?arrests ?agency (STR(?label) AS ?name) WHERE {
      ?operation dkg:arrests ?arrests ; dkg:inJurisdiction ?p ; dkg:startDate ?start .
      ?p rdfs:label ?label .
      OPTIONAL { ?operation dkg:agency/rdfs:label ?agency }
    }
    ORDER BY ?label
  }
}
GROUP BY ?operation ?start ?arrests ?agency
ORDER BY DESC(?arrests) ?operation
LIMIT 25
"""),
    Example(
        "john-schools-by-kind",
        "John schools by kind of place",
        "Cities, counties and other kinds of jurisdiction with evidence of a john school.",
        """
SELECT ?kind (COUNT(DISTINCT ?place) AS ?places) WHERE {
  ?place dkg:usesTactic tactic:john-school ;
         dkg:jurisdictionType/rdfs:label ?kind .
}
GROUP BY ?kind
ORDER BY DESC(?places) ?kind
"""),
    Example(
        "evidence-held",
        "Places by how much evidence we hold",
        "Each place with its tactic claims and operations, and how much of its page was read (to the "
        "footer or cut off, in characters); least evidence first. A place with no claim has no "
        "evidence in what was read, which is not evidence that it did nothing.",
        """
SELECT ?place ?name ?claims ?operations ?read ?characters WHERE {
  {
    SELECT ?place (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?op) AS ?operations) WHERE {
      ?place a dkg:Jurisdiction .
      OPTIONAL { ?place dkg:tacticClaim ?claim }
      OPTIONAL { ?op dkg:inJurisdiction ?place }
    }
    GROUP BY ?place
  }
  ?place rdfs:label ?name .
  OPTIONAL { ?place dkg:profilePage ?page .
             OPTIONAL { ?page dkg:readExtent/rdfs:label ?read }
             OPTIONAL { ?page dkg:charactersRead ?characters } }
}
ORDER BY ?claims ?operations ?name
"""),
    Example(
        "menu-without-evidence",
        "Tactics listed on a page's menu without evidence in the text",
        "The page's 'Tactics Used' menu is not evidence: these are the menu entries the profile's "
        "narrative and sources do not back.",
        """
SELECT ?place ?name ?tactic WHERE {
  ?page dkg:listedTactic ?t ; dkg:profilePage|^dkg:profilePage ?place .
  ?place a dkg:Jurisdiction ; rdfs:label ?name .
  ?t skos:prefLabel ?tactic .
  FILTER NOT EXISTS { ?place dkg:usesTactic ?t }
}
ORDER BY ?name ?tactic
LIMIT 200
"""),
]

BY_SLUG = {e.slug: e for e in EXAMPLES}
