"""Namespaces and the IRIs of our resources: the one place that mints them."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/demand-kg/id/"
DKG = Namespace("https://w3id.org/demand-kg/ontology#")
SCHEMA = Namespace("https://schema.org/")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
GEONAMES = "https://sws.geonames.org/"
WIKIDATA = "http://www.wikidata.org/entity/"

PREFIXES = {
    "dkg": DKG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "dcterms": DCTERMS, "prov": PROV, "schema": SCHEMA, "dcat": DCAT, "void": VOID,
    "wgs84": WGS84, "geo": GEO, "foaf": FOAF,
}

# The project's ontology/ and shapes/ folders (beside src/).
ROOT = Path(__file__).resolve().parents[2]


def shapes_dir() -> Path:
    return ROOT / "shapes"


def ontology_dir() -> Path:
    return ROOT / "ontology"


def load_dir(folder: Path) -> Graph:
    g = Graph()
    for f in sorted(folder.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


# The kinds of resource that have /id/{kind}/{slug} IRIs.
KINDS = ("jurisdiction", "tactic", "operation", "source", "state", "agency", "county")


def slugify(text: str) -> str:
    """ASCII kebab-case: 'Sheriff’s Office' -> 'sheriffs-office'."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = re.sub(r"['’`]", "", t.lower())
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "x"


class Iris:
    """Mints instance IRIs under one base URI (`{base}{kind}/{slug}`)."""

    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base
        self.ns = Namespace(base)

    def of(self, kind: str, slug: str):
        return self.ns[f"{kind}/{slug}"]

    def jurisdiction(self, slug: str):
        return self.of("jurisdiction", slug)

    def tactic(self, tactic_slug: str):
        return self.of("tactic", tactic_slug)

    def state(self, postal: str):
        return self.of("state", postal.lower())

    def operation(self, slug: str):
        return self.of("operation", slug)

    def source(self, slug: str):
        return self.of("source", slug)

    def agency(self, state: str | None, name: str):
        return self.of("agency", f"{(state or 'us').lower()}-{slugify(name)}")

    def scheme(self):
        return self.ns["tactic/"]  # the tactic concept scheme: {base}tactic/

    def dataset(self):
        return self.ns["dataset"]

    def kind_and_slug(self, iri: str) -> tuple[str, str] | None:
        """The (kind, slug) of one of our IRIs, or None."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base):].split("#", 1)[0]
        kind, _, slug = rest.partition("/")
        return (kind, slug) if kind in KINDS and slug else None
