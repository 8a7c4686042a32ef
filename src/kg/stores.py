"""Remote SPARQL stores: where a published release lives in one, and what each store answers
differently from the standard and from the embedded engine.

Where the release lives (written by `kg publish --to URL`, read by `kg serve --endpoint` and
`kg query --endpoint`):

* each release in a named graph of its own, `{catalogue}/{release id}`;
* the catalogue graph `{catalogue}` (default `{site}releases`, e.g.
  `https://w3id.org/demand-kg/releases`) describes the one release being served:

      <{catalogue}> a dcat:Catalog ; dcat:dataset <{graph}> .
      <{graph}> a void:Dataset ; dcterms:identifier "{id}" ; dcterms:created "..."^^xsd:dateTime ;
                void:triples N ; void:uriSpace "{base}" ;
                <urn:x-demand-kg:counts> "{release.json's counts}"^^rdf:JSON .

  `kg publish` replaces it in one request once the new graph is loaded and checked, and drops
  the previous graph later, so readers see the old release or the new one, never a part.

Readers ask the store with the release graph as the default graph (`default-graph-uri`), as
the embedded store has it. Answers are then brought to the embedded engine's forms, so
`kg serve --endpoint` answers as `kg serve` does (tests/test_virtuoso.py checks the gallery,
pages and /data term for term). What each store does differently:

| store | difference from the standard / the embedded engine | what kg does |
| --- | --- | --- |
| all but Oxigraph | literals keep the datatype and lexical form they were loaded with ("6"^^xsd:nonNegativeInteger, "1.0E0"^^xsd:double); Oxigraph gives the canonical form of the value ("6"^^xsd:integer, "1"^^xsd:double) | the embedded engine's canonical form, computed by pyoxigraph itself (`canonical`): the same value; the dumps keep the datatypes as written |
| Virtuoso 7 | the default graph of a query is the union of all graphs (old releases, its system graphs) | every query names the release graph (`default-graph-uri`) |
| Virtuoso 7 | `GRAPH ?g` sees every graph in the store even when the dataset is given | an empty named-graph set is asked for (`named-graph-uri` of a graph that never exists), as the embedded store has none |
| Virtuoso 7 | FROM in a query is added to `default-graph-uri` rather than replaced by it | stated here and in the README; a query through kg serve needs no FROM |
| Virtuoso 7 | xsd:boolean comes back as "1"/"0" | "true"/"false" (canonical form) |
| Virtuoso 7 | geo:wktLiteral is turned into its own geometry type: it comes back typed `virtrdf:Geometry`, its text rewritten ("38.89060" -> "38.8906") and some coordinates rounded to single precision ("-80.0831" -> "-80.083099365234"; openlink/virtuoso-opensource#808) | `kg publish` stores WKT there as text, typed `urn:x-demand-kg:as-text:wktLiteral`, and kg gives it back typed geo:wktLiteral, as written (also `virtrdf:Geometry`, from stores loaded otherwise). The price: a query run on Virtuoso itself sees the stand-in datatype, and Virtuoso's geometry functions do not apply to it |
| Virtuoso 7 | xsd:duration (and its two subtypes) is stored as a number ("P1Y" comes back "12") | stored as text the same way (`urn:x-demand-kg:as-text:duration`) |
| Virtuoso 7 | blank nodes come back labelled `nodeID://b123` | relabelled `b123` (labels are local to an answer; the node is the same in every answer) |
| Virtuoso 7 | ASK answers as a one-column SELECT (`__ASK_RETVAL`, 1 row for true, none for false) | a boolean answer |
| Virtuoso 7 | DESCRIBE gives the subject's own triples only; Oxigraph gives its concise bounded description (blank nodes followed) | DESCRIBE is sent with `define sql:describe-mode "CBD"` |
| Virtuoso 7 | at its time limit (MaxQueryExecutionTime, or the `timeout` kg sends so that it stops working when kg stops waiting) it answers 200 with what it found so far and `X-SQL-State: S1TAT`, or a 500 once it has begun sending | 503, never a partial answer |
| Virtuoso 7 | refuses a query whose estimated time exceeds MaxQueryCostEstimationTime (500) | 503 with its message |
| Virtuoso 7 | cuts every answer at ResultSetMaxRows rows (10,000 in Debian's virtuoso.ini) with a 200 answer, saying so only in an `X-SPARQL-MaxRows` header | 413, never a cut answer (deploy/virtuoso.ini raises the limit) |
| Virtuoso 7 | integer division is integer division (1/3 = 0; the standard: 0.333...), AVG has 15 digits (Oxigraph 18), UCASE("straße") keeps ß, STR of a double keeps ".0", equal strings with and without a language tag sort in another order, GROUP_CONCAT of literals of one language drops the tag (Oxigraph keeps it) | values differ: cannot be mended after the fact; the gallery avoids them (write 1.0/3) |

`Dialect` holds what one store needs; `detect` picks it from the `Server` header.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
COUNTS = "urn:x-demand-kg:counts"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
VIRT_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
DURATIONS = frozenset(XSD + t for t in ("duration", "dayTimeDuration", "yearMonthDuration"))
# Virtuoso 7 cannot keep these as written: it turns geo:wktLiteral into its own geometry type
# (rounding coordinates, rewriting the text: openlink/virtuoso-opensource#808) and xsd:duration
# into a number ("P1Y" comes back "12"). `kg publish` stores them there as text under these
# stand-in datatypes, and they are given back as the original ones (Dialect.fix_*).
VIRTUOSO_AS_TEXT = {WKT: "urn:x-demand-kg:as-text:wktLiteral",
                    **{d: "urn:x-demand-kg:as-text:" + d.rsplit("#", 1)[1] for d in sorted(DURATIONS)}}
FROM_TEXT = {v: k for k, v in VIRTUOSO_AS_TEXT.items()} | {VIRT_GEOMETRY: WKT}
# a named graph no store has: asked for as the only named graph, GRAPH ?g sees nothing
NO_NAMED_GRAPH = "urn:x-demand-kg:no-named-graphs"


# ----------------------------------------------------------------------------- the catalogue

def catalogue_for(base: str) -> str:
    """The default catalogue graph for instances under `base`: {site}releases."""
    from .release import site_root

    return site_root(base) + "releases"


def release_graph(catalogue: str, release_id: str) -> str:
    return catalogue + ("" if catalogue.endswith(("/", "#")) else "/") + release_id


@dataclass(frozen=True)
class Published:
    """The release a store's catalogue names."""

    graph: str
    id: str
    created: str
    triples: int
    base: str
    counts: dict = field(default_factory=dict)  # release.json's counts (the landing page's figures)


def catalogue_triples(catalogue: str, pub: Published) -> list[ox.Triple]:
    cat, g = ox.NamedNode(catalogue), ox.NamedNode(pub.graph)
    a = ox.NamedNode(RDF + "type")
    return [
        ox.Triple(cat, a, ox.NamedNode(DCAT + "Catalog")),
        ox.Triple(cat, ox.NamedNode(DCAT + "dataset"), g),
        ox.Triple(g, a, ox.NamedNode(VOID + "Dataset")),
        ox.Triple(g, ox.NamedNode(DCT + "identifier"), ox.Literal(pub.id)),
        ox.Triple(g, ox.NamedNode(DCT + "created"), ox.Literal(pub.created, datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(g, ox.NamedNode(VOID + "triples"), ox.Literal(str(pub.triples), datatype=ox.NamedNode(XSD + "integer"))),
        ox.Triple(g, ox.NamedNode(VOID + "uriSpace"), ox.Literal(pub.base)),
        ox.Triple(g, ox.NamedNode(COUNTS), ox.Literal(json.dumps(pub.counts, sort_keys=True),
                                                     datatype=ox.NamedNode(RDF + "JSON"))),
    ]


def catalogue_query(catalogue: str) -> str:
    return f"""SELECT ?g ?id ?created ?triples ?base ?counts FROM <{catalogue}> WHERE {{
  <{catalogue}> <{DCAT}dataset> ?g .
  ?g <{DCT}identifier> ?id ; <{VOID}triples> ?triples .
  OPTIONAL {{ ?g <{DCT}created> ?created }} OPTIONAL {{ ?g <{VOID}uriSpace> ?base }}
  OPTIONAL {{ ?g <{COUNTS}> ?counts }}
}}"""


def published_from(bindings: list[dict]) -> Published | None:
    """The catalogue query's SPARQL JSON bindings -> the release, or None (nothing, or not one)."""
    found = {b["g"]["value"]: b for b in bindings if "g" in b and "id" in b and "triples" in b}
    if len(found) != 1:
        return None  # none published, or a catalogue being replaced: keep what is served
    (g, b), = found.items()
    try:
        n = int(b["triples"]["value"])
        counts = json.loads(b["counts"]["value"]) if "counts" in b else {}
    except ValueError:
        return None
    return Published(g, b["id"]["value"], b.get("created", {}).get("value", ""), n, b.get("base", {}).get("value", ""),
                     counts if isinstance(counts, dict) else {})


# ----------------------------------------------------------------------------- query text

_PROLOGUE = re.compile(r"""\s+|\#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>|DEFINE\s+\S+\s+(?:"[^"]*"|'[^']*'|\S+)""",
                       re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(query: str) -> str | None:
    """"select", "ask", "construct" or "describe" from the text after the prologue; None if unclear."""
    i = 0
    while True:
        m = _PROLOGUE.match(query, i)
        if not m or m.end() == i:
            break
        i = m.end()
    m = _FORM.match(query, i)
    return m.group(1).lower() if m else None


# ----------------------------------------------------------------------------- canonical forms

_CANON = ox.Store()  # empty: VALUES over it gives each literal in the engine's own canonical form
_CANON_BATCH = 2000


def _needs_canonical(lit: ox.Literal) -> bool:
    if lit.language:
        return any(c.isupper() for c in lit.language)
    dt = lit.datatype.value
    return dt.startswith(XSD) and dt != XSD + "string"


def canonical(literals: list[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Each literal as the embedded engine (Oxigraph) gives it back: canonical lexical form,
    integer types as xsd:integer, lower-case language tags. pyoxigraph computes it, so it is
    the engine's own rule, not a copy of it."""
    todo = list(dict.fromkeys(x for x in literals if _needs_canonical(x)))
    out: dict[ox.Literal, ox.Literal] = {}
    for k in range(0, len(todo), _CANON_BATCH):
        part = todo[k:k + _CANON_BATCH]
        rows = " ".join(f"({i} {lit})" for i, lit in enumerate(part))
        try:
            sols = _CANON.query(f"SELECT ?i ?x {{ VALUES (?i ?x) {{ {rows} }} }}")
        except (SyntaxError, ValueError):
            continue  # a literal pyoxigraph cannot read back: keep them as they came
        for sol in sols:
            x = sol["x"]
            if isinstance(x, ox.Literal):
                out[part[int(sol["i"].value)]] = x
    return out


# ----------------------------------------------------------------------------- dialects

class PartialAnswer(Exception):
    """The store answered with part of the result: its time limit (`timeout`) or its row
    limit (`cut`)."""

    def __init__(self, message: str, cut: bool = False):
        super().__init__(message)
        self.cut = cut


@dataclass
class Dialect:
    name: str  # "oxigraph", "virtuoso" or "other"

    @property
    def canonical(self) -> bool:
        """Its literals come in the embedded engine's forms already (it is the same engine)."""
        return self.name == "oxigraph"

    def prepare(self, query: str) -> str:
        if self.name == "virtuoso" and query_form(query) == "describe":
            return 'define sql:describe-mode "CBD"\n' + query
        return query

    def params(self, graph: str | None, default_graphs: list[str] | None, named_graphs: list[str] | None,
               timeout: float) -> list[tuple[str, str]]:
        """The protocol's dataset (and time) parameters for one query."""
        out: list[tuple[str, str]] = []
        if default_graphs or named_graphs:  # the user's own dataset, as given
            out += [("default-graph-uri", g) for g in default_graphs or []]
            out += [("named-graph-uri", g) for g in named_graphs or []]
        elif graph:
            out.append(("default-graph-uri", graph))
            if self.name == "virtuoso":
                out.append(("named-graph-uri", NO_NAMED_GRAPH))
        if self.name == "virtuoso" and timeout > 0:
            out.append(("timeout", str(int(timeout * 1000))))  # it stops there (and says so) instead of working on
        return out

    def check(self, headers) -> None:
        """PartialAnswer if the store says (in headers only) that it sent part of the answer."""
        if headers is None:
            return
        state = headers.get("X-SQL-State")
        if state:
            msg = headers.get("X-SQL-Message") or ""
            raise PartialAnswer(f"the store stopped the query at its time limit and sent only part of the "
                                f"answer ({state}: {msg.split('  ')[0][:200]})")
        cap = headers.get("X-SPARQL-MaxRows")
        if cap:
            raise PartialAnswer(f"the store cut the answer at {cap} rows (its ResultSetMaxRows); add a LIMIT "
                                "below that, or raise the store's limit", cut=True)

    # --- answers

    def fix_results(self, data: dict, query: str) -> dict:
        """SPARQL JSON results in the embedded engine's forms (see the table above)."""
        if "boolean" in data:
            return data
        head_vars = data.get("head", {}).get("vars", [])
        if self.name == "virtuoso" and head_vars == ["__ASK_RETVAL"] and query_form(query) == "ask":
            rows = data.get("results", {}).get("bindings", [])
            truth = bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") not in ("0", "false")
            return {"head": {}, "boolean": truth}
        if self.canonical:
            return data
        rows = data.get("results", {}).get("bindings", [])
        lits: dict[tuple, ox.Literal] = {}
        for row in rows:
            for b in row.values():
                t = b.get("type")
                if t == "typed-literal":
                    b["type"] = t = "literal"
                if t == "bnode" and b["value"].startswith("nodeID://"):
                    b["value"] = b["value"][len("nodeID://"):]
                elif t == "literal":
                    if b.get("datatype") in FROM_TEXT:
                        b["datatype"] = FROM_TEXT[b["datatype"]]
                    key = (b["value"], b.get("datatype"), b.get("xml:lang"))
                    if key not in lits and (b.get("xml:lang") or (b.get("datatype") or "").startswith(XSD)):
                        lits[key] = _literal(*key)
        if lits:
            canon = canonical(list(lits.values()))
            for row in rows:
                for b in row.values():
                    if b.get("type") != "literal":
                        continue
                    c = canon.get(lits.get((b["value"], b.get("datatype"), b.get("xml:lang"))))  # type: ignore[arg-type]
                    if c is not None:
                        b["value"] = c.value
                        if c.language:
                            b["xml:lang"] = c.language
                        elif c.datatype.value != XSD + "string":
                            b["datatype"] = c.datatype.value
        return data

    def fix_triples(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        if self.canonical:
            return triples
        back = {ox.NamedNode(k): ox.NamedNode(v) for k, v in FROM_TEXT.items()}

        def typed(t):
            if isinstance(t, ox.Literal) and t.datatype in back:
                return ox.Literal(t.value, datatype=back[t.datatype])
            return t

        triples = [ox.Triple(tr.subject, tr.predicate, typed(tr.object)) for tr in triples]
        canon = canonical([tr.object for tr in triples if isinstance(tr.object, ox.Literal)])
        if not canon:
            return triples
        return [ox.Triple(tr.subject, tr.predicate, canon.get(tr.object, tr.object))  # type: ignore[arg-type]
                if isinstance(tr.object, ox.Literal) else tr for tr in triples]


def _literal(value: str, datatype: str | None, lang: str | None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def detect(server_header: str | None) -> Dialect:
    s = (server_header or "").lower()
    if s.startswith("virtuoso"):
        return Dialect("virtuoso")
    if s.startswith("oxigraph"):
        return Dialect("oxigraph")
    return Dialect("other")
