"""JSON-LD as a JSON-LD user expects it: one published context, plain keys, framed documents.

`context_document()` is the one context of the release (`/context.jsonld`): a term for every
property and class the graph uses, so every key of every document is a plain term (`label`,
`startDate`, `lat`), never a CURIE; `@type` for types; multi-valued keys are always arrays
(`@container: @set`), single-valued ones never are; numbers and booleans are JSON numbers and
booleans wherever the datatype allows it losslessly (an `xsd:integer` in canonical form, an
`xsd:nonNegativeInteger` under a term coerced to it, `xsd:boolean`); `xsd:decimal` stays a
string (`41.52426` would come back from `to_rdf` as a double's `4.152426E1`).

Documents are built here from triples (pyoxigraph terms), not by a general JSON-LD processor:
the dumps hold up to millions of triples and PyLD compacts a few thousand a second. The test
suite expands every kind of document with PyLD and checks that `to_rdf` gives exactly the
triples of the Turtle form.

* `resource_document(iri, triples)`: one resource framed the way a reader expects: a place with
  its tactic claims (and their evidence), gazetteer link and geometry nested, its operations
  nested under `operations` (dates, arrests, agency, tactics), what links to it under `@reverse`.
* `dump_nodes(triples)`: the node objects of the dump: each place framed the same way (claims,
  operations, sources, profile page nested), everything shared (tactics, states, agencies, the
  ontology) as flat nodes.
* `graph_document(triples)`: any graph (a CONSTRUCT), compact and flat.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Iterable, Iterator

import pyoxigraph as ox

from .vocab import DKG, PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
D = str(DKG)
INTEGER_TYPES = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                   "negativeInteger", "long", "int", "short", "byte", "unsignedLong",
                                   "unsignedInt", "unsignedShort", "unsignedByte")}
CANONICAL_INT = re.compile(r"^(?:0|-?[1-9][0-9]{0,19})$")  # below 10^21: to_rdf writes it back as it was

# prefixes the context defines (for values: datatypes, concepts); keys never use them
CONTEXT_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}
CONTEXT_PREFIXES.update({"sf": "http://www.opengis.net/ont/sf#", "vann": "http://purl.org/vocab/vann/"})

# (term, IRI as CURIE, coercion, multi-valued). coercion: "@id" for resources, a datatype CURIE
# for literals of that datatype, "@en" for English text, None for plain strings or several datatypes
# (dates: xsd:gYear, xsd:gYearMonth or xsd:date, written as {"@value", "@type"}).
ID, EN = "@id", "@en"
PROPERTIES: list[tuple[str, str, str | None, bool]] = [
    # labels and text
    ("label", "rdfs:label", EN, False),
    ("name", "schema:name", EN, False),
    ("comment", "rdfs:comment", EN, False),
    ("prefLabel", "skos:prefLabel", EN, False),
    ("altLabel", "skos:altLabel", EN, True),
    ("definition", "skos:definition", EN, False),
    ("notation", "skos:notation", None, False),
    ("title", "dcterms:title", EN, False),
    # places
    ("state", "dkg:state", ID, False),
    ("postalCode", "dkg:postalCode", None, False),
    ("jurisdictionType", "dkg:jurisdictionType", ID, False),
    ("population", "dkg:population", "xsd:integer", False),
    ("narrativePopulation", "dkg:narrativePopulation", "xsd:integer", False),
    ("usesTactic", "dkg:usesTactic", ID, True),
    ("citedSource", "dkg:citedSource", ID, True),  # before the claims: a place's sources nest under it
    ("tacticClaim", "dkg:tacticClaim", ID, True),
    ("negatedTactic", "dkg:negatedTactic", ID, True),
    ("partner", "dkg:partner", ID, True),
    ("profilePage", "dkg:profilePage", ID, False),
    ("listedTactic", "dkg:listedTactic", ID, True),
    ("listVersion", "dkg:listVersion", None, False),
    ("inputForm", "dkg:inputForm", None, False),
    ("readExtent", "dkg:readExtent", ID, False),
    ("charactersRead", "dkg:charactersRead", "xsd:nonNegativeInteger", False),
    ("inCounty", "dkg:inCounty", ID, True),
    # claims
    ("tactic", "dkg:tactic", ID, True),
    ("evidenceKind", "dkg:evidenceKind", ID, True),
    ("quote", "dkg:quote", None, True),
    ("summary", "dkg:summary", None, True),
    ("sourceText", "dkg:sourceText", None, True),
    ("sourceHeading", "dkg:sourceHeading", None, True),
    # operations
    ("inJurisdiction", "dkg:inJurisdiction", ID, True),  # a joint operation is in several places
    ("startDate", "dkg:startDate", None, False),
    ("endDate", "dkg:endDate", None, False),
    ("ongoingSince", "dkg:ongoingSince", "xsd:boolean", False),
    ("tacticUnstated", "dkg:tacticUnstated", "xsd:boolean", False),
    ("arrests", "dkg:arrests", "xsd:nonNegativeInteger", False),
    ("mixedArrests", "dkg:mixedArrests", "xsd:nonNegativeInteger", False),
    ("circa", "dkg:circa", None, False),
    ("confidence", "dkg:confidence", "xsd:decimal", False),
    ("curatorAccepted", "dkg:curatorAccepted", "xsd:boolean", False),
    ("editorialNote", "skos:editorialNote", EN, True),
    ("agency", "dkg:agency", ID, False),
    # sources
    ("bibliographicCitation", "dcterms:bibliographicCitation", None, False),
    ("publication", "dkg:publication", None, False),
    ("date", "dcterms:date", None, False),
    ("url", "schema:url", ID, False),
    # tactics and their usage figures
    ("usageFigure", "dkg:usageFigure", ID, True),
    ("placeCount", "dkg:placeCount", "xsd:integer", False),
    ("comparator", "dkg:comparator", None, False),
    ("snapshot", "dkg:snapshot", None, False),
    ("inScheme", "skos:inScheme", ID, True),
    ("topConceptOf", "skos:topConceptOf", ID, True),
    ("hasTopConcept", "skos:hasTopConcept", ID, True),
    # gazetteer links and coordinates
    ("gazetteerLink", "dkg:gazetteerLink", ID, False),
    ("linkSubject", "dkg:linkSubject", ID, False),
    ("linkTarget", "dkg:linkTarget", ID, False),
    ("linkPredicate", "dkg:linkPredicate", ID, False),
    ("linkConfidence", "dkg:linkConfidence", None, False),
    ("linkReason", "dkg:linkReason", EN, False),
    ("linkCandidate", "dkg:linkCandidate", None, True),
    ("closeTarget", "dkg:closeTarget", ID, True),
    ("exactMatch", "skos:exactMatch", ID, True),
    ("closeMatch", "skos:closeMatch", ID, True),
    ("sameAs", "schema:sameAs", ID, True),
    ("geonamesId", "dkg:geonamesId", "xsd:token", False),
    ("wikidataId", "dkg:wikidataId", "xsd:token", False),
    ("stateFips", "dkg:stateFips", "xsd:token", False),
    ("countyFips", "dkg:countyFips", "xsd:token", False),
    ("inCountyFips", "dkg:inCountyFips", "xsd:token", False),
    ("gnisId", "dkg:gnisId", "xsd:token", False),
    ("placeGeoid", "dkg:placeGeoid", "xsd:token", False),
    ("lat", "wgs84:lat", "xsd:decimal", False),
    ("long", "wgs84:long", "xsd:decimal", False),
    ("hasGeometry", "geo:hasGeometry", ID, False),
    ("asWKT", "geo:asWKT", "geo:wktLiteral", False),
    ("areaServed", "schema:areaServed", ID, True),
    ("about", "schema:about", ID, False),
    # provenance and licence
    ("wasDerivedFrom", "prov:wasDerivedFrom", ID, True),
    ("license", "dcterms:license", ID, False),
    ("source", "dcterms:source", ID, True),
    # the ontology itself (it ships in the release)
    ("subClassOf", "rdfs:subClassOf", ID, True),
    ("subPropertyOf", "rdfs:subPropertyOf", ID, True),
    ("domain", "rdfs:domain", ID, True),
    ("range", "rdfs:range", ID, True),
    ("seeAlso", "rdfs:seeAlso", ID, True),
    ("isDefinedBy", "rdfs:isDefinedBy", ID, True),
    ("unionOf", "owl:unionOf", ID, False),
    ("inverseOf", "owl:inverseOf", ID, False),
    ("equivalentClass", "owl:equivalentClass", ID, True),
    ("equivalentProperty", "owl:equivalentProperty", ID, True),
    ("versionInfo", "owl:versionInfo", None, False),
    ("deprecated", "owl:deprecated", "xsd:boolean", False),
    ("isReplacedBy", "dcterms:isReplacedBy", ID, True),
    ("imports", "owl:imports", ID, True),
    ("first", "rdf:first", ID, False),
    ("rest", "rdf:rest", ID, False),
    ("creator", "dcterms:creator", None, True),
    ("description", "dcterms:description", EN, False),
    ("created", "dcterms:created", None, False),
    ("modified", "dcterms:modified", None, False),
    ("preferredNamespacePrefix", "vann:preferredNamespacePrefix", None, False),
    ("preferredNamespaceUri", "vann:preferredNamespaceUri", None, False),
]
# nested the other way: a place's operations are the operations whose inJurisdiction it is
REVERSE: list[tuple[str, str]] = [("operations", "dkg:inJurisdiction")]
CLASSES = ["dkg:Jurisdiction", "dkg:State", "dkg:County", "dkg:ReadExtent", "dkg:Tactic", "dkg:Operation", "dkg:Source", "dkg:Agency",
           "dkg:ProfilePage", "dkg:TacticClaim", "dkg:JurisdictionType", "dkg:EvidenceKind", "dkg:UsageFigure",
           "dkg:GazetteerLink", "skos:Concept", "skos:ConceptScheme", "geo:Geometry", "sf:Point",
           "owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:FunctionalProperty", "owl:Ontology",
           "rdfs:Datatype", "prov:Activity", "schema:Event", "schema:AdministrativeArea"]


def expand_curie(curie: str) -> str:
    p, _, local = curie.partition(":")
    return CONTEXT_PREFIXES[p] + local


def _local(curie: str) -> str:
    return curie.split(":", 1)[1]


class Term:
    __slots__ = ("name", "iri", "coerce", "multi", "lang")

    def __init__(self, name: str, curie: str, coerce: str | None, multi: bool):
        self.name, self.iri, self.multi = name, expand_curie(curie), multi
        self.lang = "en" if coerce == EN else None
        self.coerce = expand_curie(coerce) if coerce not in (None, ID, EN) else coerce if coerce == ID else None


TERMS: dict[str, Term] = {iri_t.iri: iri_t for iri_t in (Term(*row) for row in PROPERTIES)}
REVERSE_TERMS: dict[str, str] = {expand_curie(c): name for name, c in REVERSE}
CLASS_TERMS: dict[str, str] = {expand_curie(c): _local(c) for c in CLASSES}


def context_document() -> dict:
    """The one JSON-LD context of the release (served as /context.jsonld, inlined in documents)."""
    ctx: dict = {"@version": 1.1, "@type": {"@container": "@set"}}
    ctx.update(CONTEXT_PREFIXES)
    for c in CLASSES:
        ctx[_local(c)] = c
    for name, curie, coerce, multi in PROPERTIES:
        d: dict = {"@id": curie}
        if coerce == EN:
            d["@language"] = "en"
        elif coerce is not None:
            d["@type"] = coerce
        if multi:
            d["@container"] = "@set"
        ctx[name] = d
    for name, curie in REVERSE:
        ctx[name] = {"@reverse": curie, "@type": "@id", "@container": "@set"}
    return {"@context": ctx}


# ----------------------------------------------------------------------------- values

def _iri_value(iri: str) -> str:
    """An IRI as a value: a CURIE in our ontology's namespace (`dkg:city`), else in full."""
    if iri.startswith(D) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", iri[len(D):]):
        return "dkg:" + iri[len(D):]
    return iri


def _node_ref(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def literal_json(lit: ox.Literal, t: Term | None):
    """The JSON of a literal under term t: a plain string, number or boolean when t's coercion
    gives it back exactly, else a value object."""
    value, dt, lang = lit.value, lit.datatype.value, lit.language
    coerce = t.coerce if t is not None else None
    if lang is not None:
        if t is not None and t.lang == lang:
            return value
        return {"@value": value, "@language": lang}
    if dt == XSD + "boolean" and value in ("true", "false") and coerce in (None, dt):
        return value == "true"
    if dt in INTEGER_TYPES and CANONICAL_INT.match(value) and (coerce == dt or (coerce is None and dt == XSD + "integer")):
        return int(value)
    if coerce is not None and coerce != ID and dt == coerce:
        return value
    if dt == XSD_STRING:
        if t is None or (coerce is None and t.lang is None):
            return value
        return {"@value": value}
    return {"@value": value, "@type": _iri_value(dt) if not dt.startswith(XSD) else "xsd:" + dt[len(XSD):]}


def restore_datatypes(triples: Iterable) -> list:
    """The triples with integers the store wrote back as xsd:integer (Oxigraph keeps numbers in
    canonical form: an xsd:nonNegativeInteger comes out of a query as xsd:integer) given their
    datatype again, the one the ontology and the dumps give them (dkg:arrests)."""
    out = []
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and o.datatype.value == XSD + "integer":
            term = TERMS.get(t.predicate.value)
            dt = term.coerce if term is not None else None
            if dt in INTEGER_TYPES and dt != XSD + "integer" and _fits(dt, o.value):
                t = ox.Triple(t.subject, t.predicate, ox.Literal(o.value, datatype=ox.NamedNode(dt)))
        out.append(t)
    return out


def _fits(dt: str, value: str) -> bool:
    try:
        n = int(value)
    except ValueError:
        return False
    return {XSD + "nonNegativeInteger": n >= 0, XSD + "positiveInteger": n > 0,
            XSD + "nonPositiveInteger": n <= 0, XSD + "negativeInteger": n < 0}.get(dt, False)


# ----------------------------------------------------------------------------- trees of node objects

class Graph:
    """Triples indexed by subject and object, for building documents."""

    def __init__(self, triples: Iterable):
        self.out: dict[str, list[tuple[str, object]]] = defaultdict(list)
        self.inc: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.terms: dict[str, object] = {}
        seen = set()
        for t in triples:
            s, p, o = _node_ref(t.subject), t.predicate.value, t.object
            key = (s, p, str(o))
            if key in seen:
                continue
            seen.add(key)
            self.terms[s] = t.subject
            self.out[s].append((p, o))
            if not isinstance(o, ox.Literal):
                self.inc[_node_ref(o)].append((s, p))

    def subjects(self) -> list[str]:
        return list(self.out)

    def types(self, s: str) -> set[str]:
        return {o.value for p, o in self.out.get(s, ()) if p == RDF_TYPE}


class Builder:
    """Writes node objects; a node is written in full once, embedded where `embed` allows, as
    near the top as it is reached (a place's profile page under the place, not under the first
    claim that cites it), and as a reference everywhere else."""

    def __init__(self, g: Graph, embed, reverse: bool = True):
        self.g = g
        self.embed = embed  # (parent subject, predicate or ^predicate, child subject) -> bool
        self.reverse = reverse
        self.done: set[str] = set()

    def node(self, s: str, skip: tuple[str, str] | None = None) -> dict:
        """The node object of s; `skip` = (predicate, object) of the triple its parent already
        states (an operation nested under its place does not repeat inJurisdiction)."""
        self.done.add(s)
        outgoing = [(p, o) for p, o in sorted(self.g.out.get(s, ()), key=_pred_order)
                    if not (skip is not None and p == skip[0] and _node_ref(o) == skip[1])]
        incoming = [(subj, p) for subj, p in self.g.inc.get(s, ())
                    if self.reverse and subj not in self.done and self.embed(s, "^" + p, subj)]
        # claim the children first, then write them: breadth first
        mine = set()
        for p, o in outgoing:
            ref = None if isinstance(o, ox.Literal) else _node_ref(o)
            if ref is not None and ref not in self.done and ref in self.g.out and ref != s and self.embed(s, p, ref):
                mine.add(ref)
                self.done.add(ref)
        incoming = [(subj, p) for subj, p in incoming if subj not in self.done]
        for subj, _ in incoming:
            self.done.add(subj)
        out: dict = {"@id": s}
        props: dict[str, list] = defaultdict(list)
        types = []
        extra: dict[str, list] = defaultdict(list)
        for p, o in outgoing:
            if p == RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(CLASS_TERMS.get(o.value, o.value))
                continue
            t = TERMS.get(p)
            v = self.value(o, t, mine)
            if t is None:
                extra[p].append(v)  # no term: the key would be an IRI; the tests keep every predicate in TERMS
            else:
                props[t.name].append(v)
        if types:
            out["@type"] = sorted(types)
        for name, vals in props.items():
            out[name] = vals if (_BY_NAME[name].multi or len(vals) > 1) else vals[0]
        for p, vals in extra.items():
            out[p] = vals
        rev: dict[str, list] = defaultdict(list)
        generic: dict[str, list] = defaultdict(list)
        for subj, p in incoming:
            child = self.node(subj, skip=(p, s))
            name = REVERSE_TERMS.get(p)
            if name:
                rev[name].append(child)
            else:
                t = TERMS.get(p)
                generic[t.name if t else p].append(child)
        for name, vals in rev.items():
            out[name] = sorted(vals, key=_op_order)
        if generic:
            out["@reverse"] = dict(generic)
        return out

    def value(self, o, t: Term | None, mine: set[str]):
        if isinstance(o, ox.Literal):
            return literal_json(o, t)
        ref = _node_ref(o)
        if ref in mine:
            mine.discard(ref)
            return self.node(ref)
        v = _iri_value(ref) if isinstance(o, ox.NamedNode) else ref
        return v if t is not None and t.coerce == ID else {"@id": v}


_ORDER = {name: i for i, (name, *_rest) in enumerate(PROPERTIES)}
_BY_NAME = {t.name: t for t in TERMS.values()}


def _pred_order(po: tuple) -> int:
    t = TERMS.get(po[0])
    return _ORDER[t.name] if t is not None else 999


def _op_order(node: dict):
    d = node.get("startDate")
    d = d.get("@value") if isinstance(d, dict) else d
    return (str(d) if d is not None else "9999", node.get("@id", ""))


def _is_fragment_of(child: str, parent: str) -> bool:
    return child.startswith(parent.split("#", 1)[0] + "#")


def resource_document(iri: str, triples: Iterable, context_ref=None) -> dict:
    """One resource, framed: everything in `triples` nested under it where it hangs from it
    (its fragments: tactic claims, gazetteer link, geometry; a place's operations under
    `operations`; other incoming links under `@reverse`); anything left over goes into `@graph`
    beside it. Resources it only links to are IRIs."""
    g = Graph(triples)
    b = Builder(g, embed=lambda parent, p, child: True)
    root = b.node(iri) if iri in g.out or iri in g.inc else {"@id": iri}
    rest = [b.node(s) for s in g.subjects() if s not in b.done]
    ctx = context_ref if context_ref is not None else context_document()["@context"]
    if rest:
        return {"@context": ctx, "@graph": [root] + rest}
    return {"@context": ctx, **root}


EMBED_TYPES = {D + "TacticClaim", D + "GazetteerLink", "http://www.opengis.net/ont/geosparql#Geometry",
               D + "Operation", D + "Source", D + "ProfilePage"}


def dump_nodes(triples: Iterable) -> Iterator[dict]:
    """The dump's node objects: each place framed with what is its own (claims, gazetteer link,
    geometry, operations, sources, profile page) nested; everything else flat."""
    g = Graph(triples)

    def embed(parent: str, p: str, child: str) -> bool:
        if p.startswith("^"):
            return p == "^" + D + "inJurisdiction"
        return _is_fragment_of(child, parent) or bool(g.types(child) & EMBED_TYPES)

    b = Builder(g, embed)
    places = [s for s in g.subjects() if D + "Jurisdiction" in g.types(s)]
    for s in places:
        yield b.node(s)
    flat = Builder(g, embed=lambda *_: False, reverse=False)
    flat.done = b.done
    for s in g.subjects():
        if s not in b.done:
            yield flat.node(s)


def graph_document(triples: Iterable) -> dict:
    """Any graph (e.g. a CONSTRUCT's), compact and flat: one node object per subject."""
    g = Graph(triples)
    b = Builder(g, embed=lambda *_: False, reverse=False)
    return {"@context": context_document()["@context"], "@graph": [b.node(s) for s in g.subjects()]}


def dumps(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)
