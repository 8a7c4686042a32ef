"""Browse like Datasette: the landing page, lists with facets, tactics, charts."""
from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlencode

from flask import Blueprint, request

from .. import charts
from ..app import json_for_script
from ..examples import EXAMPLES
from ..vocab import DKG
from .common import cached, page, site

bp = Blueprint("browse", __name__)
PREFIX = f"""PREFIX dkg: <{DKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _v(row, k):
    t = row.get(k)
    return t.value if t is not None else None


def table() -> dict:
    """The jurisdictions with what the facets need: computed once per release (per process)."""

    def make() -> dict:
        eng = site().engine
        places: dict[str, dict] = {}
        for r in eng.select(PREFIX + """SELECT ?j ?label ?state ?kind ?pop WHERE {
              ?j a dkg:Jurisdiction ; rdfs:label ?label .
              OPTIONAL { ?j dkg:state/dkg:postalCode ?state }
              OPTIONAL { ?j dkg:jurisdictionType/rdfs:label ?kind }
              OPTIONAL { ?j dkg:population ?pop } }"""):
            j = _v(r, "j")
            if j in places:
                continue
            pop = _v(r, "pop")
            places[j] = {"iri": j, "label": _v(r, "label"), "state": _v(r, "state") or "",
                         "kind": _v(r, "kind") or "", "population": int(pop) if pop and pop.isdigit() else None,
                         "tactics": set(), "years": set(), "operations": 0, "arrests": 0}
        tactics: dict[str, str] = {}
        for r in eng.select(PREFIX + "SELECT ?t ?l WHERE { ?t a dkg:Tactic ; skos:prefLabel ?l }"):
            tactics[_v(r, "t")] = _v(r, "l")
        for r in eng.select(PREFIX + "SELECT ?j ?t WHERE { ?j dkg:usesTactic ?t }"):
            if _v(r, "j") in places:
                places[_v(r, "j")]["tactics"].add(_v(r, "t"))
        years: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in eng.select(PREFIX + """SELECT ?op ?j ?d ?a WHERE { ?op a dkg:Operation ; dkg:inJurisdiction ?j .
              OPTIONAL { ?op dkg:startDate ?d } OPTIONAL { ?op dkg:arrests ?a } }"""):
            p = places.get(_v(r, "j"))
            a = int(_v(r, "a") or 0) if (_v(r, "a") or "0").isdigit() else 0
            y = (_v(r, "d") or "")[:4]
            if p is not None:
                p["operations"] += 1
                p["arrests"] += a
                if y.isdigit():
                    p["years"].add(y)
            if y.isdigit():
                years[y][0] += 1
                years[y][1] += a
        rows = sorted(places.values(), key=lambda p: (p["label"] or "").lower())
        return {"rows": rows, "tactics": tactics, "years": dict(sorted(years.items()))}

    return site().memo("table", make)


def counts() -> dict:
    s = site()
    # the release's own figures, also for a store serving a release kg publish put there
    if s.release is not None and (not s.config.get("ENDPOINT") or s.published_graph is not None):
        return dict(s.release.counts, triples=s.release.triples)
    t = table()
    rows = t["rows"]
    return {"jurisdictions": len(rows), "operations": sum(r["operations"] for r in rows),
            "tactics": len(t["tactics"]), "arrests": sum(r["arrests"] for r in rows),
            "places_using_tactics": sum(1 for r in rows if r["tactics"]),
            "states": len({r["state"] for r in rows if r["state"]})}


def tactic_chart() -> tuple:
    t = table()
    n = Counter(tac for r in t["rows"] for tac in r["tactics"])
    items = sorted(((t["tactics"][k], n.get(k, 0), "/jurisdictions?" + urlencode({"tactic": k.rsplit("/", 1)[-1]}))
                    for k in t["tactics"]), key=lambda x: (-x[1], x[0]))
    return items


def dataset_jsonld() -> dict:
    s = site()
    c = counts()
    root = request.host_url
    doc = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": s.base + "dataset",
        "name": "Demand KG",
        "description": ("What U.S. cities and counties did against the demand for commercial sex (reverse "
                        "stings, web stings, john schools, publishing buyers' names, ...), read from the "
                        "location profiles of the Demand Forum research site, with the evidence and page "
                        "behind every claim. A knowledge graph of " + f"{c.get('jurisdictions', 0)} places and "
                        f"{c.get('operations', 0)} operations."),
        "url": root,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isBasedOn": "https://demand-forum.org/",
        "keywords": ["demand reduction", "commercial sex", "policing", "linked data", "knowledge graph"],
        "spatialCoverage": {"@type": "Place", "name": "United States"},
        "variableMeasured": ["tactics used", "operations", "arrests", "population"],
        "distribution": [{"@type": "DataDownload", "encodingFormat": mt, "contentUrl": root + "dumps/" + name}
                         for name, mt in (("kg.ttl", "text/turtle"), ("kg.nt", "application/n-triples"),
                                          ("kg.jsonld", "application/ld+json"))],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": "Demand KG"},
    }
    if s.release is not None:
        doc["dateModified"] = s.release.created
        doc["version"] = s.release.id
    return doc


@bp.route("/")
@cached()
def landing():
    s = site()
    t = table()
    items = tactic_chart()
    chart_tactics = charts.hbar([(a, b, c) for a, b, c in items], title="Places with evidence of each tactic")
    ys = [int(y) for y in t["years"]]
    span = [str(y) for y in range(min(ys), max(ys) + 1)] if ys else []  # an honest axis: empty years too
    chart_ops = charts.vbar([(y, t["years"].get(y, [0, 0])[0]) for y in span], title="Operations per year (by start)")
    chart_arrests = charts.vbar([(y, t["years"].get(y, [0, 0])[1]) for y in span], title="Buyers arrested per year",
                                klass="cb2")
    downloads = []
    if s.release is not None:
        for name in ("kg.ttl", "kg.nt", "kg.jsonld"):
            f = s.release.files.get(name)
            gz = s.release.files.get(name + ".gz")
            if f:
                downloads.append((name, f["bytes"], gz["bytes"] if gz else None))
    return page("landing.html", title="Demand KG", counts=counts(), examples=EXAMPLES, chart_tactics=chart_tactics,
                chart_ops=chart_ops, chart_arrests=chart_arrests, downloads=downloads,
                jsonld=json_for_script(dataset_jsonld()),
                alternates=[("/.well-known/void", "text/turtle")])


FACETS = ("state", "kind", "tactic", "year")


@bp.route("/jurisdictions")
@cached()
def jurisdictions():
    t = table()
    sel = {f: request.args.get(f, "").strip() for f in FACETS}
    q = request.args.get("q", "").strip().lower()
    tactic_iri = {k.rsplit("/", 1)[-1]: k for k in t["tactics"]}

    def keep(r, skip=None) -> bool:
        if sel["state"] and skip != "state" and r["state"] != sel["state"].upper():
            return False
        if sel["kind"] and skip != "kind" and r["kind"] != sel["kind"]:
            return False
        if sel["tactic"] and skip != "tactic" and tactic_iri.get(sel["tactic"]) not in r["tactics"]:
            return False
        if sel["year"] and skip != "year" and sel["year"] not in r["years"]:
            return False
        if q and q not in (r["label"] or "").lower():
            return False
        return True

    rows = [r for r in t["rows"] if keep(r)]

    def facet(name: str, values) -> list[tuple[str, str, int, str, bool]]:
        c = Counter()
        for r in t["rows"]:
            if keep(r, skip=name):
                for v in values(r):
                    c[v] += 1
        out = []
        for v, n in c.items():
            args = {k: x for k, x in sel.items() if x}
            on = sel[name] == v
            if on:
                args.pop(name, None)
            else:
                args[name] = v
            if q:
                args["q"] = q
            label = t["tactics"].get(tactic_iri.get(v, ""), v) if name == "tactic" else v
            out.append((v, label, n, "/jurisdictions" + ("?" + urlencode(args) if args else ""), on))
        key = (lambda x: x[0]) if name in ("year", "state") else (lambda x: (-x[2], x[1]))
        return sorted(out, key=key)

    facets = {
        "state": facet("state", lambda r: [r["state"]] if r["state"] else []),
        "kind": facet("kind", lambda r: [r["kind"]] if r["kind"] else []),
        "tactic": facet("tactic", lambda r: [k.rsplit("/", 1)[-1] for k in r["tactics"]]),
        "year": facet("year", lambda r: sorted(r["years"])),
    }
    active = [(f, sel[f]) for f in FACETS if sel[f]]
    return page("jurisdictions.html", title="Jurisdictions", rows=rows, total=len(t["rows"]), facets=facets,
                sel=sel, q=q, active=active, tactics=t["tactics"],
                chart=charts.hbar(sorted(((t["tactics"][k], n, None) for k, n in
                                          Counter(x for r in rows for x in r["tactics"]).items()),
                                         key=lambda x: (-x[1], x[0]))[:15],
                                  title=f"Tactics among these {len(rows)} places") if rows else None)


@bp.route("/tactics")
@cached()
def tactics():
    t = table()
    eng = site().engine
    defs = {}
    for r in eng.select(PREFIX + "SELECT ?t ?d WHERE { ?t a dkg:Tactic ; skos:definition ?d }"):
        defs[_v(r, "t")] = _v(r, "d")
    n = Counter(tac for r in t["rows"] for tac in r["tactics"])
    ops = Counter()
    for r in eng.select(PREFIX + "SELECT ?t (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a dkg:Operation ; dkg:tactic ?t } GROUP BY ?t"):
        ops[_v(r, "t")] = int(_v(r, "n"))
    rows = sorted(({"iri": k, "label": v, "definition": defs.get(k, ""), "places": n.get(k, 0),
                    "operations": ops.get(k, 0), "slug": k.rsplit("/", 1)[-1]} for k, v in t["tactics"].items()),
                  key=lambda r: (-r["places"], r["label"]))
    return page("tactics.html", title="Tactics", rows=rows,
                chart=charts.hbar([(a, b, c) for a, b, c in tactic_chart()], title="Places with evidence of each tactic"))
