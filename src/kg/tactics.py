"""The 15 tactics of the Demand Forum taxonomy, their older labels and their IRIs' names.

This module is the one place that knows the tactic names; the SKOS scheme in
`ontology/tactics.ttl` is checked against it by a test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TacticInfo:
    name: str                 # the site's current exact label
    alt_labels: tuple[str, ...]
    notation: str             # short code, stable
    slug: str                 # kebab-case IRI name


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


_TABLE = [
    ("Reverse Stings", ("Reverse stings", "Street-Level Reverse Stings"), "RS"),
    ("Web Stings", ("Web stings", "Web-Based Reverse Stings"), "WS"),
    ("Buyer Arrests", (), "BA"),
    ("John School", ("John school",), "JS"),
    ("Identity Disclosure", ("Shaming",), "ID"),
    ("Auto Seizure", ("Auto seizure",), "AS"),
    ("License Suspension", ("License suspension",), "LS"),
    ("Community Service", ("Community service",), "CS"),
    ("Employment Loss", (), "EL"),
    ("SOAP Orders", ("SOAP orders",), "SO"),
    ("Neighborhood Action", ("Neighborhood action",), "NA"),
    ("Public Education", ("Public education",), "PE"),
    ("Letters", ("Dear John Letters",), "LE"),
    ("Cameras", ("Surveillance Cameras",), "CA"),
    ("IT Based Tactics", ("IT-Based Tactics",), "IT"),
]

TACTICS: tuple[TacticInfo, ...] = tuple(
    TacticInfo(name, alts, code, _slug(name)) for name, alts, code in _TABLE
)
TACTIC_NAMES: tuple[str, ...] = tuple(t.name for t in TACTICS)
BY_NAME = {t.name: t for t in TACTICS}
BY_SLUG = {t.slug: t for t in TACTICS}


def _key(label: str) -> str:
    # Case, punctuation, hyphens and a trailing plural do not distinguish labels.
    k = re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()
    return re.sub(r"s\b", "", k)


_LOOKUP: dict[str, str] = {}
for _t in TACTICS:
    for _label in (_t.name, *_t.alt_labels):
        _LOOKUP[_key(_label)] = _t.name


def normalise(label: str) -> str | None:
    """The current name for a menu label or heading label, or None if it is not a tactic."""
    return _LOOKUP.get(_key(label))


def slug(name: str) -> str:
    """The kebab-case IRI name of a tactic given by its exact name."""
    return BY_NAME[name].slug


# ---------------------------------------------------------------- `kg tactics`

def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")


def scheme_rows() -> list[dict]:
    """The tactics of the SKOS scheme in ontology/tactics.ttl: name, code, IRI, other labels."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    from .vocab import ontology_dir
    from .vocab import DKG

    g = Graph().parse(ontology_dir() / "tactics.ttl", format="turtle")
    rows = []
    for t in g.subjects(RDF.type, DKG.Tactic):
        rows.append({"name": str(g.value(t, SKOS.prefLabel)), "notation": str(g.value(t, SKOS.notation) or ""),
                     "iri": str(t), "alt_labels": sorted(str(a) for a in g.objects(t, SKOS.altLabel)),
                     "definition": str(g.value(t, SKOS.definition) or "")})
    order = {name: i for i, name in enumerate(TACTIC_NAMES)}
    return sorted(rows, key=lambda r: (order.get(r["name"], len(order)), r["name"]))


def run(args) -> int:
    import json
    import sys

    rows = scheme_rows()
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{len(rows)} tactics (ontology/tactics.ttl); use these names in records:")
    for r in rows:
        also = f"  (also: {', '.join(r['alt_labels'])})" if r["alt_labels"] else ""
        print(f"  {r['name'].ljust(width)}  {r['notation']:3} {r['iri'].rsplit('/', 1)[-1]}{also}")
    return 0
