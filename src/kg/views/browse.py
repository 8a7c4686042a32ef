"""Browse like Datasette: the landing page, lists with facets, tactics, charts."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, abort, request

from .. import charts
from ..examples import EXAMPLES
from ..vocab import DKG
from .common import cached, json_for_script, local_href, page, site

bp = Blueprint("browse", __name__)
PREFIX = f"""PREFIX dkg: <{DKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _v(row, k):
    t = row.get(k)
    return t.value if t is not None else None


def table() -> dict:
    """The jurisdictions and operations with what the lists, facets and map need: computed
    once per release (per process)."""

    def make() -> dict:
        eng = site().engine
        places: dict[str, dict] = {}
        for r in eng.select(PREFIX + """PREFIX wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#>
            SELECT ?j ?label ?state ?kind ?pop ?lat ?long WHERE {
              ?j a dkg:Jurisdiction ; rdfs:label ?label .
              OPTIONAL { ?j dkg:state/dkg:postalCode ?state }
              OPTIONAL { ?j dkg:jurisdictionType/rdfs:label ?kind }
              OPTIONAL { ?j dkg:population ?pop }
              OPTIONAL { ?j wgs84:lat ?lat ; wgs84:long ?long } }"""):
            j = _v(r, "j")
            if j in places:
                continue
            pop = _v(r, "pop")
            places[j] = {"iri": j, "label": _v(r, "label"), "state": _v(r, "state") or "",
                         "kind": _v(r, "kind") or "", "population": int(pop) if pop and pop.isdigit() else None,
                         "lat": _float(_v(r, "lat")), "long": _float(_v(r, "long")),
                         "tactics": set(), "years": set(), "operations": 0, "ops": [],
                         # buyers arrested where a count is given: None = unknown (never 0), and
                         # how many of the place's operations give no count
                         "arrests": None, "arrests_unknown": 0, "read": None}
        tactics: dict[str, str] = {}
        for r in eng.select(PREFIX + "SELECT ?t ?l WHERE { ?t a dkg:Tactic ; skos:prefLabel ?l }"):
            tactics[_v(r, "t")] = _v(r, "l")
        states: dict[str, str] = {}
        for r in eng.select(PREFIX + "SELECT ?c ?l WHERE { ?s a dkg:State ; dkg:postalCode ?c OPTIONAL { ?s rdfs:label ?l } }"):
            states[_v(r, "c")] = _v(r, "l") or _v(r, "c")
        for r in eng.select(PREFIX + "SELECT ?j ?t WHERE { ?j dkg:usesTactic ?t }"):
            if _v(r, "j") in places:
                places[_v(r, "j")]["tactics"].add(_v(r, "t"))
        for r in eng.select(PREFIX + """SELECT ?j ?e WHERE { ?j dkg:profilePage/dkg:readExtent ?e }"""):
            if _v(r, "j") in places:
                places[_v(r, "j")]["read"] = _v(r, "e").rsplit("#", 1)[-1]
        # an operation reported by several places (a joint operation) counts for each of them
        # here, but is one event: every total below counts each operation once
        years: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        ops: dict[str, dict] = {}
        for r in eng.select(PREFIX + """SELECT ?op ?label ?j ?d ?e ?since ?a ?agency ?agencyl WHERE {
              ?op a dkg:Operation ; dkg:inJurisdiction ?j .
              OPTIONAL { ?op rdfs:label ?label } OPTIONAL { ?op dkg:startDate ?d } OPTIONAL { ?op dkg:endDate ?e }
              OPTIONAL { ?op dkg:ongoingSince ?since } OPTIONAL { ?op dkg:arrests ?a }
              OPTIONAL { ?op dkg:agency ?agency OPTIONAL { ?agency rdfs:label ?agencyl } } }"""):
            o = _v(r, "op")
            p = places.get(_v(r, "j"))
            raw = _v(r, "a")
            a = int(raw) if raw is not None and raw.isdigit() else None
            y = (_v(r, "d") or "")[:4]
            if p is not None and o not in p["ops"]:
                p["operations"] += 1
                if a is None:
                    p["arrests_unknown"] += 1
                else:
                    p["arrests"] = (p["arrests"] or 0) + a
                p["ops"].append(o)
                if y.isdigit():
                    p["years"].add(y)
            if o in ops:
                if _v(r, "j") not in ops[o]["places"]:
                    ops[o]["places"].append(_v(r, "j"))
                continue
            ops[o] = {"iri": o, "label": _v(r, "label") or "", "place": _v(r, "j"), "places": [_v(r, "j")],
                      "start": _v(r, "d"), "end": _v(r, "e"), "since": _v(r, "since") == "true", "arrests": a,
                      "agency": _v(r, "agency"), "agency_label": _v(r, "agencyl") or "", "tactics": set(),
                      "year": y if y.isdigit() else ""}
            if y.isdigit():
                years[y][0] += 1
                years[y][1] += a or 0
        for r in eng.select(PREFIX + "SELECT ?op ?t WHERE { ?op a dkg:Operation ; dkg:tactic ?t }"):
            if _v(r, "op") in ops:
                ops[_v(r, "op")]["tactics"].add(_v(r, "t"))
        for o in ops.values():
            p = places.get(o["place"])
            o["place_label"] = " and ".join(places[x]["label"] for x in o["places"] if x in places) if p else ""
            o["state"] = p["state"] if p else ""
            o["kind"] = p["kind"] if p else ""
        rows = sorted(places.values(), key=lambda p: (p["label"] or "").lower())
        return {"rows": rows, "tactics": tactics, "states": states, "years": dict(sorted(years.items())),
                "ops": sorted(ops.values(), key=lambda o: (o["start"] or "9999", o["iri"]))}

    return site().memo("table", make)


def _float(v: str | None) -> float | None:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def counts() -> dict:
    s = site()
    # the release's own figures, also for a store serving a release kg publish put there
    if s.release is not None and (not s.config.get("ENDPOINT") or s.published_graph is not None):
        return dict(s.release.counts, triples=s.release.triples)
    t = table()
    rows = t["rows"]
    return {"jurisdictions": len(rows), "operations": len(t["ops"]),  # events, each once
            "tactics": len(t["tactics"]), "arrests": sum(o["arrests"] or 0 for o in t["ops"]),
            "places_using_tactics": sum(1 for r in rows if r["tactics"]),
            "states": len({r["state"] for r in rows if r["state"]} - {"DC"}),
            "dc": int(any(r["state"] == "DC" for r in rows)),
            "places_without_evidence": sum(1 for r in rows if not r["tactics"])}


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
    tables = []
    if s.release is not None:
        for name in ("kg.ttl", "kg.nt", "kg.jsonld"):
            f = s.release.files.get(name)
            gz = s.release.files.get(name + ".gz")
            if f:
                downloads.append((name, f["bytes"], gz["bytes"] if gz else None))
        for name in ("places.csv", "operations.csv", "claims.csv", "links.csv", "csv-metadata.json"):
            f = s.release.files.get(name)
            if f:
                tables.append((name, f["bytes"]))
    return page("landing.html", title="Demand KG", counts=counts(), examples=EXAMPLES, chart_tactics=chart_tactics,
                chart_ops=chart_ops, chart_arrests=chart_arrests, downloads=downloads, tables=tables,
                jsonld=json_for_script(dataset_jsonld()),
                alternates=[("/.well-known/void", "text/turtle")])


# ----------------------------------------------------------------------------- lists with facets

FACETS = ("state", "kind", "tactic", "year", "evidence")
# the evidence facet: whether what was read of a place's page holds any evidence of a tactic
EVIDENCE = {"some": "evidence of a tactic", "none": "no evidence in what was read"}
ALL_OF = frozenset({"tactic"})  # several tactics: places (operations) with all of them; other facets: any of
FORMATS = ("html", "csv", "json")


@dataclass
class Selection:
    """What a list's query string asks for, every value checked and put in its canonical form."""

    values: dict[str, list[str]]
    q: str
    sort: str
    errors: list[dict] = field(default_factory=list)  # {"message", "suggest": [(label, href)]}

    def pairs(self, **change) -> list[tuple[str, str]]:
        vals = {f: list(v) for f, v in self.values.items()}
        vals.update({k: v for k, v in change.items() if k in FACETS})
        out = [(f, v) for f in FACETS for v in vals[f]]
        q = change.get("q", self.q)
        if q:
            out.append(("q", q))
        sort = change.get("sort", self.sort)
        if sort:
            out.append(("sort", sort))
        return out

    def href(self, path: str, **change) -> str:
        pairs = self.pairs(**change)
        return path + ("?" + urlencode(pairs) if pairs else "")

    def toggled(self, path: str, facet: str, value: str) -> str:
        vals = list(self.values[facet])
        vals = [v for v in vals if v != value] if value in vals else vals + [value]
        return self.href(path, **{facet: vals})


def _choices(facet: str, t: dict) -> dict[str, str]:
    """Every accepted spelling (lower case) of a facet's values -> the canonical value."""
    if facet == "state":
        out = {c.lower(): c for c in t["states"]}
        out.update({name.lower(): c for c, name in t["states"].items()})
        return out
    if facet == "kind":
        return {r["kind"].lower(): r["kind"] for r in t["rows"] if r["kind"]}
    if facet == "evidence":
        out = {k: k for k in EVIDENCE}
        out.update({label: k for k, label in EVIDENCE.items()})
        return out
    if facet == "tactic":
        out = {k.rsplit("/", 1)[-1]: k.rsplit("/", 1)[-1] for k in t["tactics"]}
        out.update({label.lower(): k.rsplit("/", 1)[-1] for k, label in t["tactics"].items()})
        return out
    return {}


def read_selection(t: dict, path: str, sorts: tuple[str, ...]) -> Selection:
    """The facets, search and sort of the request; a value that names nothing is reported with
    what it may have meant (not silently matched to no place)."""
    import difflib

    sel = Selection({f: [] for f in FACETS}, request.args.get("q", "").strip(), "")
    bad: list[tuple[str, str, list[str]]] = []
    for f in FACETS:
        for raw in request.args.getlist(f):
            for v in (x.strip() for x in raw.split(",")):
                if not v:
                    continue
                if f == "year":
                    canon = v if len(v) == 4 and v.isdigit() else None
                    near: list[str] = []
                else:
                    ch = _choices(f, t)
                    canon = ch.get(v.lower())
                    near = [] if canon else list(dict.fromkeys(  # the closest first
                        ch[m] for m in difflib.get_close_matches(v.lower(), list(ch), n=3, cutoff=0.6)))
                if canon is None:
                    bad.append((f, v, near))
                elif canon not in sel.values[f]:
                    sel.values[f].append(canon)
    sort = request.args.get("sort", "").strip()
    if sort and sort.lstrip("-") not in sorts:
        bad.append(("sort", sort, [s for s in sorts if difflib.get_close_matches(sort.lstrip("-"), [s], cutoff=0.6)]))
    else:
        sel.sort = sort
    for f, v, near in bad:
        what = {"state": "state", "kind": "kind of place", "tactic": "tactic", "year": "year (YYYY)",
                "evidence": "evidence value (some or none)", "sort": "column to sort by"}[f]
        msg = f"{f}={v!r}: there is no such {what}"
        if f == "tactic":
            msg += " (the tactics are " + ", ".join(sorted(k.rsplit("/", 1)[-1] for k in t["tactics"])) + ")"
        elif f == "sort":
            msg += " (sortable: " + ", ".join(sorts) + "; prefix - for descending)"
        suggest = []
        for n in near:
            if f == "sort":
                suggest.append((n, sel.href(path, sort=n)))
            else:
                suggest.append((n, sel.href(path, **{f: sel.values[f] + [n]})))
        sel.errors.append({"message": msg, "suggest": suggest})
    return sel


def _fmt(fmt_from_path: str | None) -> str:
    fmt = fmt_from_path or request.args.get("format", "html").strip().lower() or "html"
    if fmt not in FORMATS:
        abort(400, description=f"format={fmt!r}: use html, csv or json")
    return fmt


def _sorted(rows: list[dict], sort: str, keys: dict, default: str) -> list[dict]:
    name = (sort or default).lstrip("-")
    desc = (sort or default).startswith("-")
    key = keys[name]
    present = [r for r in rows if key(r) is not None]
    absent = [r for r in rows if key(r) is None]  # unknown values last, whichever the order
    return sorted(present, key=key, reverse=desc) + absent


def table_response(name: str, fmt: str, columns: list[str], rows: list[dict], sel: Selection, extra: dict):
    """The CSV or JSON form of a list (the same rows as its page)."""
    import csv
    import io
    import json

    from flask import Response

    if sel.errors:
        msg = "\n".join(e["message"] + ("; did you mean " + " or ".join(n for n, _ in e["suggest"]) + "?"
                                        if e["suggest"] else "") for e in sel.errors)
        if fmt == "json":
            return Response(json.dumps({"status": 400, "error": msg}), status=400, content_type="application/json")
        return Response(msg + "\n", status=400, content_type="text/plain; charset=utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r[c] is None else ";".join(r[c]) if isinstance(r[c], list) else r[c] for c in columns])
        resp = Response(buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        doc = {"count": len(rows), **extra, "filters": {f: v for f, v in sel.values.items() if v},
               "q": sel.q or None, "sort": sel.sort or None, "columns": columns,
               "rows": [{c: r[c] for c in columns} for r in rows]}
        resp = Response(json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/json")
    resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return resp


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


PLACE_COLUMNS = ["place", "label", "state", "kind", "population", "tactics", "evidence", "read_extent",
                 "operations", "arrests_reported", "operations_without_count", "first_year", "last_year", "lat", "long"]
PLACE_SORTS = {"label": lambda r: (r["label"] or "").lower(), "state": lambda r: r["state"] or None,
               "kind": lambda r: r["kind"] or None, "population": lambda r: r["population"],
               "tactics": lambda r: len(r["tactics"]), "operations": lambda r: r["operations"],
               "arrests": lambda r: r["arrests"]}


def place_row(r: dict) -> dict:
    ys = sorted(r["years"])
    return {"place": r["iri"], "label": r["label"], "state": r["state"], "kind": r["kind"],
            "population": r["population"], "tactics": sorted(_slug(x) for x in r["tactics"]),
            "evidence": "some" if r["tactics"] else "none", "read_extent": r["read"],
            "operations": r["operations"], "arrests_reported": r["arrests"],
            "operations_without_count": r["arrests_unknown"],
            "first_year": int(ys[0]) if ys else None, "last_year": int(ys[-1]) if ys else None,
            "lat": r["lat"], "long": r["long"]}


@bp.route("/jurisdictions")
@bp.route("/jurisdictions.<any(csv, json):ext>")
@cached()
def jurisdictions(ext: str | None = None):
    t = table()
    fmt = _fmt(ext)
    path = "/jurisdictions"
    sel = read_selection(t, path, tuple(PLACE_SORTS))
    tactic_iri = {_slug(k): k for k in t["tactics"]}
    v = sel.values

    def keep(r, skip=None) -> bool:
        if v["state"] and skip != "state" and r["state"] not in v["state"]:
            return False
        if v["kind"] and skip != "kind" and r["kind"] not in v["kind"]:
            return False
        if v["tactic"] and skip != "tactic" and not all(tactic_iri[x] in r["tactics"] for x in v["tactic"]):
            return False
        if v["year"] and skip != "year" and not (r["years"] & set(v["year"])):
            return False
        if v["evidence"] and skip != "evidence" and ("some" if r["tactics"] else "none") not in v["evidence"]:
            return False
        if sel.q and sel.q.lower() not in (r["label"] or "").lower():
            return False
        return True

    rows = [] if sel.errors else _sorted([r for r in t["rows"] if keep(r)], sel.sort, PLACE_SORTS, "label")
    if fmt != "html":
        return table_response("jurisdictions", fmt, PLACE_COLUMNS, [place_row(r) for r in rows], sel,
                              {"total": len(t["rows"])})
    ops_by_iri = {o["iri"]: o for o in t["ops"]}

    def facet(name: str, values) -> list[dict]:
        # "any of" facets count the places each value would add; "all of" ones (tactics) count
        # the places left if it were added too, among those shown
        c: Counter = Counter()
        ops: Counter = Counter()
        for r in t["rows"]:
            if keep(r, skip=None if name in ALL_OF else name):
                for x in values(r):
                    c[x] += 1
                if name == "year":
                    for o in r["ops"]:
                        ops[ops_by_iri[o]["year"]] += 1
        out = []
        for x, n in c.items():
            label = (t["tactics"].get(tactic_iri.get(x, ""), x) if name == "tactic"
                     else EVIDENCE.get(x, x) if name == "evidence" else x)
            out.append({"value": x, "label": label, "n": n, "ops": ops.get(x), "on": x in v[name],
                        "href": sel.toggled(path, name, x)})
        for x in v[name]:  # a chosen value no place has stays visible, to be unchosen
            if x not in c:
                out.append({"value": x, "label": t["tactics"].get(tactic_iri.get(x, ""), x) if name == "tactic" else x,
                            "n": 0, "ops": 0 if name == "year" else None, "on": True, "href": sel.toggled(path, name, x)})
        if name in ("year", "state"):
            return sorted(out, key=lambda x: x["value"])
        return sorted(out, key=lambda x: (-x["n"], x["label"]))

    facets = {
        "state": facet("state", lambda r: [r["state"]] if r["state"] else []),
        "kind": facet("kind", lambda r: [r["kind"]] if r["kind"] else []),
        "tactic": facet("tactic", lambda r: [_slug(k) for k in r["tactics"]]),
        "year": facet("year", lambda r: sorted(r["years"])),
        "evidence": facet("evidence", lambda r: ["some" if r["tactics"] else "none"]),
    }
    from .. import usmap

    mapped = [r for r in rows if r["lat"] is not None]
    the_map = usmap.svg([{**r, "href": local_href(r["iri"])} for r in mapped],
                        title=f"Map of the {len(mapped)} of these {len(rows)} places that have coordinates",
                        highlight_states=set(v["state"]))
    chart = None
    if rows:
        chart = charts.hbar(sorted(((t["tactics"][k], n, None) for k, n in
                                    Counter(x for r in rows for x in r["tactics"]).items()),
                                   key=lambda x: (-x[1], x[0]))[:15],
                            title=f"Places with evidence of each tactic, among these {len(rows)}")
    resp = page("jurisdictions.html", title="Places", rows=rows, total=len(t["rows"]), facets=facets, sel=sel,
                path=path, tactics=t["tactics"], tactic_labels={_slug(k): v for k, v in t["tactics"].items()}, chart=chart, the_map=the_map, mapped=len(mapped),
                outlines=usmap.outlines_available(), sorts=PLACE_SORTS,
                csv_href=sel.href(path + ".csv"), json_href=sel.href(path + ".json"),
                alternates=[(sel.href(path + ".csv"), "text/csv"), (sel.href(path + ".json"), "application/json")],
                status=400 if sel.errors else 200)
    return resp


OP_COLUMNS = ["operation", "label", "place", "place_label", "state", "start", "end", "ongoing_since", "arrests",
              "agency", "agency_label", "tactics"]
OP_SORTS = {"start": lambda o: o["start"] or None, "place": lambda o: (o["place_label"] or "").lower(),
            "state": lambda o: o["state"] or None, "arrests": lambda o: o["arrests"],
            "agency": lambda o: (o["agency_label"] or "").lower() or None}


def op_row(o: dict) -> dict:
    return {"operation": o["iri"], "label": o["label"], "place": o["place"], "place_label": o["place_label"],
            "state": o["state"], "start": o["start"], "end": o["end"], "ongoing_since": o["since"],
            "arrests": o["arrests"], "agency": o["agency"], "agency_label": o["agency_label"],
            "tactics": sorted(_slug(x) for x in o["tactics"])}


@bp.route("/operations")
@bp.route("/operations.<any(csv, json):ext>")
@cached()
def operations(ext: str | None = None):
    t = table()
    fmt = _fmt(ext)
    path = "/operations"
    sel = read_selection(t, path, tuple(OP_SORTS))
    tactic_iri = {_slug(k): k for k in t["tactics"]}
    v = sel.values

    def keep(o, skip=None) -> bool:
        if v["state"] and skip != "state" and o["state"] not in v["state"]:
            return False
        if v["kind"] and skip != "kind" and o["kind"] not in v["kind"]:
            return False
        if v["tactic"] and skip != "tactic" and not all(tactic_iri[x] in o["tactics"] for x in v["tactic"]):
            return False
        if v["year"] and skip != "year" and o["year"] not in v["year"]:
            return False
        if sel.q and sel.q.lower() not in (o["label"] + " " + o["place_label"] + " " + o["agency_label"]).lower():
            return False
        return True

    rows = [] if sel.errors else _sorted([o for o in t["ops"] if keep(o)], sel.sort, OP_SORTS, "start")
    if fmt != "html":
        return table_response("operations", fmt, OP_COLUMNS, [op_row(o) for o in rows], sel, {"total": len(t["ops"])})

    def facet(name: str, values) -> list[dict]:
        c: Counter = Counter()
        for o in t["ops"]:
            if keep(o, skip=None if name in ALL_OF else name):
                for x in values(o):
                    c[x] += 1
        out = [{"value": x, "label": t["tactics"].get(tactic_iri.get(x, ""), x) if name == "tactic" else x, "n": n,
                "ops": None, "on": x in v[name], "href": sel.toggled(path, name, x)} for x, n in c.items()]
        out += [{"value": x, "label": x, "n": 0, "ops": None, "on": True, "href": sel.toggled(path, name, x)}
                for x in v[name] if x not in c]
        if name in ("year", "state"):
            return sorted(out, key=lambda x: x["value"])
        return sorted(out, key=lambda x: (-x["n"], x["label"]))

    facets = {
        "state": facet("state", lambda o: [o["state"]] if o["state"] else []),
        "kind": facet("kind", lambda o: [o["kind"]] if o["kind"] else []),
        "tactic": facet("tactic", lambda o: [_slug(k) for k in o["tactics"]]),
        "year": facet("year", lambda o: [o["year"]] if o["year"] else []),
    }
    return page("operations.html", title="Operations", rows=rows, total=len(t["ops"]), facets=facets, sel=sel,
                path=path, tactics=t["tactics"], tactic_labels={_slug(k): v for k, v in t["tactics"].items()},
                sorts=OP_SORTS,
                csv_href=sel.href(path + ".csv"), json_href=sel.href(path + ".json"),
                alternates=[(sel.href(path + ".csv"), "text/csv"), (sel.href(path + ".json"), "application/json")],
                status=400 if sel.errors else 200)


TACTIC_COLUMNS = ["tactic", "label", "slug", "places_with_evidence", "operations", "definition"]


@bp.route("/tactics")
@bp.route("/tactics.<any(csv, json):ext>")
@cached()
def tactics(ext: str | None = None):
    t = table()
    fmt = _fmt(ext)
    eng = site().engine
    defs = {}
    for r in eng.select(PREFIX + "SELECT ?t ?d WHERE { ?t a dkg:Tactic ; skos:definition ?d }"):
        defs[_v(r, "t")] = _v(r, "d")
    n = Counter(tac for r in t["rows"] for tac in r["tactics"])
    ops = Counter(tac for o in t["ops"] for tac in o["tactics"])
    rows = sorted(({"iri": k, "label": v, "definition": defs.get(k, ""), "places": n.get(k, 0),
                    "operations": ops.get(k, 0), "slug": _slug(k)} for k, v in t["tactics"].items()),
                  key=lambda r: (-r["places"], r["label"]))
    if fmt != "html":
        sel = Selection({f: [] for f in FACETS}, "", "")
        return table_response("tactics", fmt, TACTIC_COLUMNS,
                              [{"tactic": r["iri"], "label": r["label"], "slug": r["slug"],
                                "places_with_evidence": r["places"], "operations": r["operations"],
                                "definition": r["definition"]} for r in rows], sel, {"total": len(rows)})
    return page("tactics.html", title="Tactics", rows=rows,
                chart=charts.hbar([(a, b, c) for a, b, c in tactic_chart()], title="Places with evidence of each tactic"),
                alternates=[("/tactics.csv", "text/csv"), ("/tactics.json", "application/json")])
