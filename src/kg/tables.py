"""The release's tidy tables: places.csv, operations.csv, claims.csv, links.csv, and
csv-metadata.json, their W3C CSVW description against the ontology.

One row per thing, its IRI as the key (`place`, `operation`, `claim`, `link`); a multi-valued
attribute is one cell of values joined by the column's separator (`;` for tactic names, a
space for IRIs, a line break for quoted sentences). The metadata says, for every column, which
property of the ontology it holds (`propertyUrl`), how a value becomes an IRI (`valueUrl`),
its datatype and language, and the foreign keys between the tables; a CSVW processor turns the
tables into triples of the release graph. Columns that are there for people (a state's postal
code, a place's label beside its IRI, a date as the page gives it) are `suppressOutput`.
Dates come in one column per precision (`start_year`, `start_month`, `start_date`), since a
CSVW column has one datatype; `start` has them all, as text.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pyoxigraph as ox

from .vocab import DKG

D = str(DKG)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
WGS84 = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCTERMS = "http://purl.org/dc/terms/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TABLES = ("places.csv", "operations.csv", "claims.csv", "links.csv")
METADATA = "csv-metadata.json"


def _subjects(store: ox.Store, cls: str) -> dict[str, dict[str, list]]:
    """{subject IRI: {predicate: [objects]}} of every instance of cls, in IRI order."""
    out: dict[str, dict[str, list]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), None):
        if isinstance(q.subject, ox.NamedNode):
            out[q.subject.value] = defaultdict(list)
    for s in out:
        for q in store.quads_for_pattern(ox.NamedNode(s), None, None, None):
            out[s][q.predicate.value].append(q.object)
    return dict(sorted(out.items()))


def _one(props: dict, p: str):
    v = props.get(p)
    return v[0].value if v else None


def _all(props: dict, p: str) -> list[str]:
    return sorted({o.value for o in props.get(p, [])})


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _local(iri: str) -> str:
    return iri[len(D):] if iri.startswith(D) else iri


def _by_precision(value: str | None) -> tuple[str | None, str | None, str | None]:
    """'2017' -> (year, None, None); '2017-09' -> (None, month, None); '2017-09-02' -> (.., .., date)."""
    if not value:
        return None, None, None
    return (value if len(value) == 4 else None, value if len(value) == 7 else None,
            value if len(value) == 10 else None)


def _bool(props: dict, p: str) -> str:
    return "true" if _one(props, p) == "true" else "false"


# (name, property IRI or None for suppressOutput, how: "iri" | "iri-template:<template>" | datatype | "@en",
#  separator or None, description)
def _col(name, prop, how, sep=None, desc="", null=None):
    return {"name": name, "prop": prop, "how": how, "sep": sep, "desc": desc, "null": null}


def columns(base: str) -> dict[str, list[dict]]:
    tactic = base + "tactic/{%s}"
    return {
        "places.csv": [
            _col("place", None, "iri", desc="the place's IRI (the key)"),
            _col("label", RDFS + "label", "@en", desc="name and state, as in 'Norwich, CT'"),
            _col("name", SCHEMA + "name", "@en", desc="the place's name"),
            _col("state", None, "string", desc="the state's postal code"),
            _col("state_iri", D + "state", "iri", desc="the state (a resource with its postal code)"),
            _col("kind", D + "jurisdictionType", f"iri-template:{D}{{kind}}",
                 desc="city, county, town, village, borough, township, parish, hamlet, cdp or other"),
            _col("population", D + "population", "integer",
                 desc="the census estimate on the profile page, else the narrative's figure"),
            _col("narrative_population", D + "narrativePopulation", "integer", desc="the figure the narrative gives"),
            _col("tactics", D + "usesTactic", "iri-template:" + tactic % "tactics", ";",
                 desc="tactics the profile gives evidence of (claims.csv has the evidence)"),
            _col("negated_tactics", D + "negatedTactic", "iri-template:" + tactic % "negated_tactics", ";",
                 desc="tactics the profile says were not used, stopped or only considered"),
            _col("operations", None, "integer", desc="how many rows of operations.csv are in this place"),
            _col("profile_page", D + "profilePage", "iri", desc="the Demand Forum page it was read from"),
            _col("lat", WGS84 + "lat", "decimal", desc="latitude (GeoNames)"),
            _col("long", WGS84 + "long", "decimal", desc="longitude (GeoNames)"),
            _col("geonames_id", D + "geonamesId", "token", desc="GeoNames ID, when the link is exact"),
            _col("wikidata_id", D + "wikidataId", "token", desc="Wikidata item, when the link is exact"),
            _col("county_fips", D + "countyFips", "token", desc="the county's FIPS code (counties)"),
            _col("in_county", D + "inCounty", "iri", " ",
                 desc="the county it lies in (in Connecticut, the planning region and the historical county)"),
            _col("gnis_id", D + "gnisId", "token", desc="GNIS code (counties)"),
            _col("place_geoid", D + "placeGeoid", "token", desc="Census place GEOID"),
            _col("exact_matches", SKOS + "exactMatch", "iri", " ", desc="the same place in GeoNames and Wikidata"),
            _col("close_matches", SKOS + "closeMatch", "iri", " ", desc="close, not identical, gazetteer entries"),
        ],
        "operations.csv": [
            _col("operation", None, "iri", desc="the operation's IRI (the key)"),
            _col("label", RDFS + "label", "@en"),
            _col("place", None, "iri", desc="the place (places.csv); a joint operation lists its first place here"),
            _col("places", D + "inJurisdiction", "iri", " ",
                 desc="every place whose page reports it (a joint operation has several; count operations once)"),
            _col("place_label", None, "string"),
            _col("state", None, "string", desc="the place's state, postal code"),
            _col("start", None, "string", desc="when it started, as precise as the profile: YYYY, YYYY-MM or YYYY-MM-DD"),
            _col("start_year", D + "startDate", "gYear", desc="start, when the profile gives only the year"),
            _col("start_month", D + "startDate", "gYearMonth", desc="start, when the profile gives year and month"),
            _col("start_date", D + "startDate", "date", desc="start, when the profile gives the day"),
            _col("end", None, "string", desc="when it ended, if the profile says"),
            _col("end_year", D + "endDate", "gYear"),
            _col("end_month", D + "endDate", "gYearMonth"),
            _col("end_date", D + "endDate", "date"),
            _col("ongoing_since", D + "ongoingSince", "boolean", null=["", "false"],
                 desc="true for a practice the profile says goes on since the start"),
            _col("arrests", D + "arrests", "nonNegativeInteger", desc="buyers arrested; empty when the profile gives no count"),
            _col("agency", D + "agency", "iri", desc="the agency that ran it"),
            _col("agency_label", None, "string"),
            _col("tactics", D + "tactic", "iri-template:" + tactic % "tactics", ";", desc="tactics it used"),
            _col("tactic_unstated", D + "tacticUnstated", "boolean", null=["", "false"],
                 desc="true when the profile names no tactic for it"),
            _col("quote", D + "quote", "string", "\n", desc="the profile's sentences it was read from"),
            _col("summary", D + "summary", "string", "\n", desc="a curator's summary, where there is no quote"),
            _col("cited_sources", D + "citedSource", "iri", " ", desc="sources (Key Sources of the page)"),
        ],
        "claims.csv": [
            _col("claim", None, "iri", desc="the claim's IRI (the key): that the place used the tactic"),
            _col("place", None, "iri", desc="the place (places.csv); the place's tactics column lists the claim's tactic"),
            _col("label", RDFS + "label", "@en"),
            _col("tactic", D + "tactic", "iri-template:" + tactic % "tactic", desc="the tactic"),
            _col("evidence", D + "evidenceKind", f"iri-template:{D}{{evidence}}", ";",
                 desc="narrative (a sentence of the page), key-sources (a Key Sources heading), html-mark"),
            _col("quotes", D + "quote", "string", "\n", desc="the sentences, one per line"),
            _col("source_headings", D + "sourceHeading", "string", "\n", desc="Key Sources headings naming the tactic"),
            _col("cited_sources", D + "citedSource", "iri", " "),
            _col("derived_from", PROV + "wasDerivedFrom", "iri", " ", desc="the page it was read from"),
        ],
        "links.csv": [
            _col("link", None, "iri", desc="the gazetteer link assessment's IRI (the key)"),
            _col("place", D + "linkSubject", "iri", desc="the place (places.csv)"),
            _col("label", RDFS + "label", "@en"),
            _col("target", D + "linkTarget", "iri", desc="the GeoNames entry linked, if any"),
            _col("predicate", D + "linkPredicate", "iri", desc="skos:exactMatch or skos:closeMatch"),
            _col("confidence", D + "linkConfidence", "string", desc="high, medium or low"),
            _col("reason", D + "linkReason", "@en", desc="why, in words"),
            _col("close_targets", D + "closeTarget", "iri", " ", desc="further close GeoNames entries"),
            _col("candidates", D + "linkCandidate", "string", "\n", desc="candidates considered"),
            _col("derived_from", PROV + "wasDerivedFrom", "iri", " ", desc="the gazetteers it was read from"),
            _col("license", DCTERMS + "license", "iri"),
        ],
    }


TYPES = {"places.csv": D + "Jurisdiction", "operations.csv": D + "Operation", "claims.csv": D + "TacticClaim",
         "links.csv": D + "GazetteerLink"}
KEYS = {"places.csv": "place", "operations.csv": "operation", "claims.csv": "claim", "links.csv": "link"}
TITLES = {
    "places.csv": "Places: one row per city, county or other jurisdiction with a profile",
    "operations.csv": "Operations: one row per dated or counted action a profile describes",
    "claims.csv": "Tactic claims: one row per tactic a place used, with the evidence",
    "links.csv": "Gazetteer links: one row per place's GeoNames/Wikidata link assessment",
}


def rows(store: ox.Store) -> dict[str, list[dict]]:
    places = _subjects(store, D + "Jurisdiction")
    ops = _subjects(store, D + "Operation")
    claims = _subjects(store, D + "TacticClaim")
    links = _subjects(store, D + "GazetteerLink")
    postal = {q.subject.value: q.object.value
              for q in store.quads_for_pattern(None, ox.NamedNode(D + "postalCode"), None, None)}
    labels = {q.subject.value: q.object.value
              for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "label"), None, None)}
    n_ops: dict[str, int] = defaultdict(int)
    for p in ops.values():
        for j in _all(p, D + "inJurisdiction"):
            n_ops[j] += 1
    out: dict[str, list[dict]] = {}
    out["places.csv"] = [{
        "place": s, "label": _one(p, RDFS + "label"), "name": _one(p, SCHEMA + "name"),
        "state": postal.get(_one(p, D + "state") or ""), "state_iri": _one(p, D + "state"),
        "kind": _local(_one(p, D + "jurisdictionType") or "") or None,
        "population": _one(p, D + "population"), "narrative_population": _one(p, D + "narrativePopulation"),
        "tactics": [_slug(t) for t in _all(p, D + "usesTactic")],
        "negated_tactics": [_slug(t) for t in _all(p, D + "negatedTactic")],
        "operations": n_ops.get(s, 0), "profile_page": _one(p, D + "profilePage"),
        "lat": _one(p, WGS84 + "lat"), "long": _one(p, WGS84 + "long"),
        "geonames_id": _one(p, D + "geonamesId"), "wikidata_id": _one(p, D + "wikidataId"),
        "county_fips": _one(p, D + "countyFips"), "in_county": _all(p, D + "inCounty"),
        "gnis_id": _one(p, D + "gnisId"), "place_geoid": _one(p, D + "placeGeoid"),
        "exact_matches": _all(p, SKOS + "exactMatch"), "close_matches": _all(p, SKOS + "closeMatch"),
    } for s, p in places.items()]
    op_rows = []
    for s, p in ops.items():
        start, end = _one(p, D + "startDate"), _one(p, D + "endDate")
        place = _one(p, D + "inJurisdiction")
        sy, sm, sd = _by_precision(start)
        ey, em, ed = _by_precision(end)
        op_rows.append({
            "operation": s, "label": _one(p, RDFS + "label"), "place": place,
            "places": sorted(_all(p, D + "inJurisdiction")), "place_label": labels.get(place or ""),
            "state": postal.get(_one(places.get(place or "", {}), D + "state") or ""),
            "start": start, "start_year": sy, "start_month": sm, "start_date": sd,
            "end": end, "end_year": ey, "end_month": em, "end_date": ed,
            "ongoing_since": _bool(p, D + "ongoingSince"), "arrests": _one(p, D + "arrests"),
            "agency": _one(p, D + "agency"), "agency_label": labels.get(_one(p, D + "agency") or ""),
            "tactics": [_slug(t) for t in _all(p, D + "tactic")],
            "tactic_unstated": _bool(p, D + "tacticUnstated"),
            "quote": _all(p, D + "quote"), "summary": _all(p, D + "summary"),
            "cited_sources": _all(p, D + "citedSource"),
        })
    out["operations.csv"] = sorted(op_rows, key=lambda r: (r["place_label"] or "", r["start"] or "9999", r["operation"]))
    place_of = {c: s for s, p in places.items() for c in _all(p, D + "tacticClaim")}
    out["claims.csv"] = [{
        "claim": s, "place": place_of.get(s), "label": _one(p, RDFS + "label"),
        "tactic": _slug(_one(p, D + "tactic") or "") or None,
        "evidence": [_local(e) for e in _all(p, D + "evidenceKind")],
        "quotes": _all(p, D + "quote"), "source_headings": _all(p, D + "sourceHeading"),
        "cited_sources": _all(p, D + "citedSource"), "derived_from": _all(p, PROV + "wasDerivedFrom"),
    } for s, p in claims.items()]
    out["links.csv"] = [{
        "link": s, "place": _one(p, D + "linkSubject"), "label": _one(p, RDFS + "label"),
        "target": _one(p, D + "linkTarget"), "predicate": _one(p, D + "linkPredicate"),
        "confidence": _one(p, D + "linkConfidence"), "reason": _one(p, D + "linkReason"),
        "close_targets": _all(p, D + "closeTarget"), "candidates": _all(p, D + "linkCandidate"),
        "derived_from": _all(p, PROV + "wasDerivedFrom"), "license": _one(p, DCTERMS + "license"),
    } for s, p in links.items()]
    return out


def csv_bytes(name: str, data: list[dict], base: str) -> bytes:
    cols = columns(base)[name]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c["name"] for c in cols])
    for r in data:
        row = []
        for c in cols:
            v = r.get(c["name"])
            if isinstance(v, list):
                v = c["sep"].join(v) if v else None
            row.append("" if v is None else str(v))
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def metadata(base: str, site: str) -> dict:
    """The CSVW metadata of the four tables (csv-metadata.json, beside them in /dumps/)."""
    tables = []
    for name, cols in columns(base).items():
        key = KEYS[name]
        out_cols = []
        for c in cols:
            d: dict = {"name": c["name"], "titles": c["name"]}
            if c["desc"]:
                d["dc:description"] = c["desc"]
            how = c["how"]
            if c["prop"] is None:
                d["suppressOutput"] = True
                if how in ("integer",):
                    d["datatype"] = how
            else:
                d["propertyUrl"] = c["prop"]
                if how == "iri":
                    d["valueUrl"] = "{+" + c["name"] + "}"
                elif how.startswith("iri-template:"):
                    d["valueUrl"] = how.split(":", 1)[1]
                elif how == "@en":
                    d["lang"] = "en"
                elif how == "token":  # xsd:token, as a derived datatype (not every processor knows token)
                    d["datatype"] = {"base": "string", "@id": XSD + "token"}
                else:
                    d["datatype"] = how
            if c["sep"]:
                d["separator"] = c["sep"]
            if c["null"]:
                d["null"] = c["null"]
            if c["name"] == key:
                d["required"] = True
            out_cols.append(d)
        out_cols.append({"virtual": True, "propertyUrl": "rdf:type", "valueUrl": TYPES[name]})
        schema: dict = {"aboutUrl": "{+" + key + "}", "primaryKey": key, "columns": out_cols}
        if name != "places.csv":
            schema["foreignKeys"] = [{"columnReference": "place",
                                      "reference": {"resource": "places.csv", "columnReference": "place"}}]
        tables.append({"url": name, "dc:title": TITLES[name], "tableSchema": schema})
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": "Demand KG: the release as tables",
        "dc:description": ("Tidy tables of the Demand KG release, one row per thing with its IRI as key, "
                           "described against the Demand KG ontology (" + D + "): a CSVW processor gives "
                           "triples of the release graph."),
        "dc:license": {"@id": LICENSE},
        "dc:source": {"@id": site},
        "tables": tables,
    }


def write(store: ox.Store, base: str, site: str) -> dict[str, bytes]:
    """The four CSVs and their metadata, as {file name: bytes} (the caller writes them)."""
    data = rows(store)
    out = {name: csv_bytes(name, data[name], base) for name in TABLES}
    out[METADATA] = (json.dumps(metadata(base, site), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    return out
