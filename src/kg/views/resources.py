"""Linked data: /id/... (303 by Accept), /page/... (HTML), /data/... (Turtle, JSON-LD, N-Triples)."""
from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, request

from .. import jsonld, turtle
from ..engine import Term
from ..sparql_protocol import negotiate, wants_html
from ..vocab import DKG, KINDS
from .common import cached, compact, error_page, link_header, page, site

bp = Blueprint("resources", __name__)

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
DATA_EXT = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
            "rdf": "application/rdf+xml"}
EXT_OF = {v: k for k, v in DATA_EXT.items()}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
P = {name: str(DKG) + name for name in (
    "usesTactic", "tacticClaim", "negatedTactic", "profilePage", "listedTactic", "tactic", "evidenceKind",
    "quote", "summary", "sourceHeading", "inJurisdiction", "agency", "startDate", "endDate", "ongoingSince",
    "arrests", "citedSource", "gazetteerLink", "linkTarget", "linkPredicate", "linkConfidence", "linkReason",
    "population", "state", "jurisdictionType", "usageFigure", "placeCount", "Operation", "TacticClaim",
    "postalCode", "tacticUnstated", "mixedArrests", "readExtent", "charactersRead", "inCounty")}
PREFIX = f"""PREFIX dkg: <{DKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <{SKOS}>
"""


def iri_for(kind: str, slug: str) -> str:
    if kind not in KINDS or not SLUG.match(slug):
        abort(404)
    return str(site().iris.of(kind, slug))


@bp.route("/id/<kind>/<path:slug>")
def by_id(kind: str, slug: str):
    iri_for(kind, slug)
    accept = request.headers.get("Accept")
    if wants_html(accept, tuple(DATA_EXT.values())):  # a browser; `*/*` or no Accept: the data
        target = f"/page/{kind}/{slug}"
    else:
        mt = negotiate(accept, tuple(DATA_EXT.values()))
        target = f"/data/{kind}/{slug}.{EXT_OF[mt]}" if mt else f"/page/{kind}/{slug}"
    resp = redirect(target, code=303)
    resp.headers["Vary"] = "Accept"
    return resp


def alternates(kind: str, slug: str) -> list[tuple[str, str]]:
    return [(f"/data/{kind}/{slug}.{ext}", mt) for ext, mt in DATA_EXT.items()] + [(f"/page/{kind}/{slug}", "text/html")]


def _accept_variant() -> str:
    return request.headers.get("Accept", "")


@bp.route("/data/<kind>/<path:slug>")
@cached(_accept_variant)
def data(kind: str, slug: str):
    ext = None
    m = re.match(r"^(.*)\.(ttl|jsonld|nt|rdf)$", slug)
    if m:
        slug, ext = m.group(1), m.group(2)
    iri = iri_for(kind, slug)
    mt = DATA_EXT[ext] if ext else negotiate(request.headers.get("Accept"), tuple(DATA_EXT.values()))
    if mt is None:
        return error_page(406, "this resource is available as " + ", ".join(DATA_EXT.values()))
    triples = description(iri, kind)
    if not triples:
        return error_page(404, f"no resource {iri} in this dataset")
    body = serialize(iri, triples, mt)
    resp = Response(body, content_type=mt + ("; charset=utf-8" if mt.startswith("text/") else ""))
    if not ext:
        resp.headers["Vary"] = "Accept"
        resp.headers["Content-Location"] = f"/data/{kind}/{slug}.{EXT_OF[mt]}"
    resp.headers["Link"] = link_header(alternates(kind, slug), mt)
    return resp


def description(iri: str, kind: str) -> list:
    """The triples of one resource's description: what it says, its fragments (tactic claims,
    gazetteer link, geometry), what links to it, and for a place its operations in full."""
    ops = ""
    if kind == "jurisdiction":
        ops = f"""UNION {{ ?s <{P["inJurisdiction"]}> <{iri}> . ?s ?sp ?so }}"""
    q = f"""CONSTRUCT {{ <{iri}> ?p ?o . ?f ?fp ?fo . ?s ?sp ?so }} WHERE {{
  {{ <{iri}> ?p ?o }}
  UNION {{ <{iri}> ?lp ?f . FILTER(isIRI(?f) && STRSTARTS(STR(?f), "{iri}#")) ?f ?fp ?fo }}
  UNION {{ ?s ?sp <{iri}> FILTER(!STRSTARTS(STR(?s), "{iri}#")) BIND(<{iri}> AS ?so) }}
  {ops}
}}"""
    body = site().engine.construct(q, "application/n-triples")
    return jsonld.restore_datatypes(ox.parse(body, ox.RdfFormat.N_TRIPLES))  # as the dumps have them


def serialize(iri: str, triples: list, mt: str) -> bytes:
    s = site()
    if mt == "text/turtle":
        return turtle.document(triples, turtle.prefixes_for(s.base), first=iri)
    if mt == "application/ld+json":
        return jsonld.dumps(jsonld.resource_document(iri, triples)).encode()
    ordered = sorted(triples, key=lambda t: (t.subject.value != iri, t.subject.value, t.predicate.value,
                                             str(t.object)))
    if mt == "application/rdf+xml":
        return ox.serialize(ordered, None, ox.RdfFormat.RDF_XML, prefixes=turtle.prefixes_for(s.base))
    return ox.serialize(ordered, None, ox.RdfFormat.N_TRIPLES)


# ----------------------------------------------------------------------------- HTML pages

def _rows(q: str) -> list[dict[str, Term]]:
    return site().engine.select(PREFIX + q)


def describe(iri: str) -> dict:
    """Everything a page shows about one resource, in three queries plus kind-specific ones."""
    out: dict[str, list[tuple[Term, str | None]]] = defaultdict(list)
    for r in _rows(f"""SELECT ?p ?o (SAMPLE(?l) AS ?ol) WHERE {{ <{iri}> ?p ?o .
        OPTIONAL {{ ?o rdfs:label ?l }} }} GROUP BY ?p ?o"""):
        out[r["p"].value].append((r["o"], r["ol"].value if r.get("ol") else None))
    frags: dict[str, dict[str, list[tuple[Term, str | None]]]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(f"""SELECT ?f ?p ?o (SAMPLE(?l) AS ?ol) WHERE {{ <{iri}> ?lp ?f .
        FILTER(isIRI(?f) && STRSTARTS(STR(?f), "{iri}#")) ?f ?p ?o . OPTIONAL {{ ?o rdfs:label ?l }} }}
        GROUP BY ?f ?p ?o"""):
        frags[r["f"].value][r["p"].value].append((r["o"], r["ol"].value if r.get("ol") else None))
    inc: dict[str, list[tuple[Term, str | None]]] = defaultdict(list)
    for r in _rows(f"""SELECT ?s ?p (SAMPLE(?l) AS ?sl) WHERE {{ ?s ?p <{iri}> .
        FILTER(!STRSTARTS(STR(?s), "{iri}#")) OPTIONAL {{ ?s rdfs:label ?l }} }}
        GROUP BY ?s ?p ORDER BY ?p ?sl ?s LIMIT 2000"""):
        inc[r["p"].value].append((r["s"], r["sl"].value if r.get("sl") else None))
    # sorted here, not in the store's order (which another store, e.g. Virtuoso, gives differently)
    for v in list(out.values()) + list(inc.values()) + [v for f in frags.values() for v in f.values()]:
        v.sort(key=lambda x: ((x[1] or x[0].value).lower(), x[0].value))
    return {"out": dict(out), "frags": {k: dict(v) for k, v in frags.items()}, "inc": dict(inc)}


def related(iri: str, path: str) -> dict[str, dict[str, list[tuple[Term, str | None]]]]:
    """The properties of the resources reached from `iri` by a property path."""
    res: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in _rows(f"""SELECT ?x ?p ?o (SAMPLE(?l) AS ?ol) WHERE {{ <{iri}> {path} ?x . ?x ?p ?o .
        OPTIONAL {{ ?o rdfs:label ?l }} }} GROUP BY ?x ?p ?o"""):
        res[r["x"].value][r["p"].value].append((r["o"], r["ol"].value if r.get("ol") else None))
    return {k: dict(v) for k, v in res.items()}


def operations(iri: str, pred: str) -> list[dict]:
    """Operations linked to `iri` by pred (inJurisdiction, tactic or agency), sorted by date."""
    ops = related(iri, f"^<{pred}>")
    rows = []
    for op, props in ops.items():
        if (Term("uri", P["Operation"]), None) not in [(t, None) for t, _ in props.get(RDF_TYPE, [])]:
            continue
        one = lambda p: props.get(p, [(None, None)])[0]  # noqa: E731
        rows.append({
            "iri": op, "label": one(RDFS_LABEL)[0], "start": one(P["startDate"])[0], "end": one(P["endDate"])[0],
            "since": bool(props.get(P["ongoingSince"])) and one(P["ongoingSince"])[0].value == "true",
            "arrests": one(P["arrests"])[0], "mixed": one(P["mixedArrests"])[0], "agency": one(P["agency"]),
            "place": one(P["inJurisdiction"]), "places": props.get(P["inJurisdiction"], []),
            "tactics": sorted(props.get(P["tactic"], []), key=lambda x: x[1] or ""),
            "quote": [t for t, _ in props.get(P["quote"], [])],
            "summary": [t for t, _ in props.get(P["summary"], [])],
            "sources": props.get(P["citedSource"], []),
        })
    rows.sort(key=lambda r: (r["start"].value if r["start"] else "9999", r["iri"]))
    return rows


def label_of(d: dict) -> str:
    labels = d["out"].get(RDFS_LABEL) or d["out"].get(SKOS + "prefLabel") or []
    return labels[0][0].value if labels else ""


@bp.route("/page/<kind>/<path:slug>")
@cached()
def resource_page(kind: str, slug: str):
    iri = iri_for(kind, slug)
    d = describe(iri)
    if not d["out"] and not d["inc"]:
        return error_page(404, f"There is no resource {iri} in this dataset.")
    ctx: dict = {"iri": iri, "kind": kind, "slug": slug, "d": d, "label": label_of(d) or slug, "P": P,
                 "RDF_TYPE": RDF_TYPE, "RDFS_LABEL": RDFS_LABEL, "SKOS": SKOS, "compact": compact}
    if kind == "jurisdiction":
        claims = []
        for f, props in d["frags"].items():
            types = [t.value for t, _ in props.get(RDF_TYPE, [])]
            if P["TacticClaim"] in types:
                claims.append({"iri": f, "tactic": (props.get(P["tactic"]) or [(None, None)])[0],
                               "kinds": props.get(P["evidenceKind"], []),
                               "quotes": [t for t, _ in props.get(P["quote"], [])],
                               "headings": [t for t, _ in props.get(P["sourceHeading"], [])],
                               "sources": props.get(P["citedSource"], []),
                               "derived": props.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])})
        claims.sort(key=lambda c: (c["tactic"][1] or ""))
        ctx["claims"] = claims
        pages = related(iri, f"<{P['profilePage']}>")
        ctx["menu"] = sorted(((t, l) for pg in pages.values()
                              for t, l in pg.get(P["listedTactic"], [])), key=lambda x: x[1] or "")
        # how much of the page was read: (extent IRI, its label, characters) per page
        ctx["read"] = [((pg.get(P["readExtent"]) or [(None, None)])[0],
                        (pg.get(P["charactersRead"]) or [(None, None)])[0][0]) for pg in pages.values()]
        ctx["evidenced"] = {c["tactic"][0].value for c in claims if c["tactic"][0]}
        ctx["operations"] = operations(iri, P["inJurisdiction"])
        ctx["sources"] = sorted(related(iri, f"<{P['citedSource']}>").items())
        ctx["gazetteer"] = [props for f, props in sorted(d["frags"].items())
                            if str(DKG) + "GazetteerLink" in [t.value for t, _ in props.get(RDF_TYPE, [])]]
    elif kind == "tactic":
        ctx["operations"] = operations(iri, P["tactic"])
        ctx["figures"] = [props for f, props in sorted(d["frags"].items()) if P["placeCount"] in props]
    elif kind == "agency":
        ctx["operations"] = operations(iri, P["agency"])
    elif kind == "operation":
        ctx["sources"] = sorted(related(iri, f"<{P['citedSource']}>").items())
    return page("resource.html", alternates=alternates(kind, slug), title=ctx["label"], **ctx)
