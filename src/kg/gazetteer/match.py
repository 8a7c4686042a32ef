"""The matcher: one profile -> one gazetteer link, rated high / medium / low with its reason.

Rules (conservative: a wrong exactMatch is worse than none):

* The state is required; candidates come only from that state, so a namesake elsewhere is
  never a candidate (Springfield, MA is never Springfield, IL).
* Names are normalised ("St." = "Saint", accents, punctuation) and legal wrappers are
  removed ("Town of", "City of", "... Township", "... Village").
* The jurisdiction's kind decides what it may match: counties and parishes match GeoNames
  second-order divisions (with their Census FIPS and GNIS codes); cities, villages, boroughs,
  hamlets and CDPs match populated places; New England / New York / Wisconsin towns and
  townships are civil divisions that the offline data holds only as their village point, so they
  get at best a closeMatch; independent cities and consolidated city-counties carry the
  county-equivalent's FIPS code and a closeMatch to the other half.
* Population decides between same-named places in one state and rejects a place that is
  far too big or too small to be the one meant ("too small for the data": no link).

high -> skos:exactMatch; medium -> skos:closeMatch (granularity differs, or identity is likely
but the kind of feature is not the jurisdiction itself); low -> no link, listed for review.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..vocab import GEONAMES
from .data import Gazetteer, Place, gazetteer
from .names import norm, strip_legal

HIGH, MEDIUM, LOW = "high", "medium", "low"
EXACT, CLOSE = "exact", "close"

# Census "minor civil division" towns: a town here is a civil township, not a populated place.
MCD_TOWN_STATES = {"CT", "MA", "ME", "NH", "RI", "VT", "NY", "WI"}
NEW_ENGLAND = {"CT", "MA", "ME", "NH", "RI", "VT"}

# Population ratio (larger / smaller) still taken as "the same place": our figures are the
# pages' rounded or dated estimates, GeoNames' are census counts of another year.
POP_SAME = 1.6
# Beyond this ratio the place named cannot be the GeoNames feature (wrong place or granularity).
POP_FAR = 4.0

# Consolidated city-counties and coextensive NYC boroughs (U.S. Census Bureau, "consolidated
# cities" and county-equivalents). Key: (state, normalised city name) -> (county FIPS, note).
# "cdp": the GeoNames point is the census-designated urban core, not the city-county government
# (Urban Honolulu CDP), so even the point is only a closeMatch.
CONSOLIDATED: dict[tuple[str, str], tuple[str, str]] = {
    ("HI", "honolulu"): ("15003", "cdp"),
    ("AK", "anchorage"): ("02020", "same"),
    ("AK", "juneau"): ("02110", "same"),
    ("AK", "sitka"): ("02220", "same"),
    ("CO", "denver"): ("08031", "same"),
    ("CO", "broomfield"): ("08014", "same"),
    ("CA", "san francisco"): ("06075", "same"),
    ("PA", "philadelphia"): ("42101", "same"),
    ("DC", "washington"): ("11001", "same"),
    ("LA", "new orleans"): ("22071", "same"),
    ("NY", "brooklyn"): ("36047", "same"),
    ("NY", "manhattan"): ("36061", "same"),
    ("NY", "queens"): ("36081", "same"),
    ("NY", "the bronx"): ("36005", "same"),
    ("NY", "bronx"): ("36005", "same"),
    ("NY", "staten island"): ("36085", "same"),
    ("KY", "lexington"): ("21067", "same"),
    ("GA", "augusta"): ("13245", "same"),
    ("GA", "columbus"): ("13215", "same"),
    ("GA", "athens"): ("13059", "same"),
    ("GA", "macon"): ("13021", "same"),
    ("MT", "butte"): ("30093", "same"),
    ("MT", "anaconda"): ("30023", "same"),
}


@dataclass
class Link:
    """The gazetteer link of one jurisdiction (or the reason there is none)."""

    target: str | None                       # GeoNames IRI
    geonames_id: int | None
    relation: str | None                     # "exact" | "close" | None
    confidence: str                          # "high" | "medium" | "low"
    reason: str
    label: str | None = None                 # the gazetteer's name
    lat: float | None = None
    lon: float | None = None
    state_fips: str | None = None
    county_fips: str | None = None           # the county's GEOID (for counties) or the place's county
    gnis: str | None = None                  # the jurisdiction's own GNIS code (counties)
    place_geoid: str | None = None
    wikidata: str | None = None              # QID, from the offline cache
    slug: str | None = None
    name: str | None = None
    state: str | None = None
    kind: str | None = None
    feature: str | None = None               # "place" | "county" | "state"
    county_is_self: bool = False             # county_fips identifies the jurisdiction itself
    county_gnis: str | None = None
    population: int | None = None            # GeoNames population of the target
    also_close: list[tuple[str, int, str]] = field(default_factory=list)  # (iri, geonameid, why)
    candidates: list[str] = field(default_factory=list)                   # for review

    @property
    def linked(self) -> bool:
        return self.target is not None and self.relation is not None


def geonames_iri(gid: int) -> str:
    return f"{GEONAMES}{gid}/"


def _ratio(a: int | None, b: int | None) -> float | None:
    if not a or not b:
        return None
    return max(a, b) / min(a, b)


def _describe(p: Place) -> str:
    return f"{p.name} ({p.geonameid}, pop {p.population:,})"


def _low(base: dict, reason: str, candidates: list[str] | None = None) -> Link:
    return Link(None, None, None, LOW, reason, candidates=candidates or [], **base)


def link_profile(profile) -> Link:
    """Link one kg.model.Profile to the offline gazetteer (pure, no network)."""
    gz = gazetteer()
    from .wikidata import cached_qid

    link = _match(gz, profile)
    if link.linked:
        # A place's QID only by its own GeoNames ID: the county-equivalent's FIPS code would
        # find the county's item (Kings County for Brooklyn), a different thing.
        county = link.feature == "county"
        link.wikidata = cached_qid(geonames=link.geonames_id,
                                   county_fips=link.county_fips if county else None,
                                   gnis=link.gnis if county else None)
    return link


def _match(gz: Gazetteer, profile) -> Link:
    state = (profile.state or "").strip().upper()
    kind = profile.kind
    base = dict(slug=profile.slug, name=profile.name, state=state or None, kind=kind)
    st = gz.states.get(state)
    if st is None:
        return _low(base, f"state {profile.state!r} is not a U.S. state code: no gazetteer look-up without a state")
    base["state_fips"] = st.fips
    key = norm(profile.name or "")
    if not key:
        return _low(base, "the record has no place name")
    bare, legal = strip_legal(key)
    is_county = kind in ("County", "Parish") or (
        kind in (None, "Other") and any(key.endswith(w) for w in (" county", " parish", " census area"))
    ) or (kind == "Borough" and state == "AK")
    if is_county:
        return _match_county(gz, profile, base, state, key)
    pop = profile.best_population
    if kind == "Township" or legal == "township":
        return _match_civil(gz, base, state, key, bare, pop, "township")
    if kind == "Town" and state in MCD_TOWN_STATES:
        return _match_civil(gz, base, state, key, bare, pop, "town")
    return _match_place(gz, profile, base, state, key, bare, pop)


# -- counties ------------------------------------------------------------------------------
def _match_county(gz: Gazetteer, profile, base, state, key) -> Link:
    from .names import county_core

    core = county_core(profile.name)
    cands = [c for c in gz.counties_named(state, core) if not c.independent_city or core.startswith("city of ")]
    if not cands:
        return _low(base, f"no county or county-equivalent named {profile.name!r} in {state} "
                          "(GeoNames ADM2 / Census counties)")
    if len(cands) > 1:
        # Prefer the current GeoNames division when the Census also lists a historic county.
        current = [c for c in cands if c.geonameid]
        if len(current) == 1:
            cands = current
        else:
            return _low(base, f"{len(cands)} counties match {profile.name!r} in {state}",
                        [f"{c.name} (FIPS {c.fips})" for c in cands])
    c = cands[0]
    base.update(county_fips=c.fips, county_is_self=True, gnis=c.gnis, county_gnis=c.gnis,
                feature="county", label=c.name)
    if c.geonameid is None:
        if state == "CT":
            why = (f"{c.census_name or c.name} (FIPS {c.fips}) is one of Connecticut's old counties, "
                   "without government since 1960 and replaced in Census and GeoNames geography by "
                   "planning regions; no GeoNames feature to link, Census identifiers kept")
        else:
            why = f"{c.name} (FIPS {c.fips}) has no GeoNames division in the offline data"
        return Link(None, None, None, LOW, why, **base)
    link = Link(geonames_iri(c.geonameid), c.geonameid, EXACT, HIGH,
                f"only county-level division named {c.name!r} in {state}; GeoNames ADM2 "
                f"{c.geonameid} = Census county {c.census_name or c.name} (FIPS {c.fips})", **base)
    # Consolidated: the city half is a closeMatch.
    for (cst, cname), (fips, _note) in CONSOLIDATED.items():
        if cst == state and fips == c.fips:
            pts = sorted(gz.places_named(state, cname), key=lambda p: -p.population)
            if pts:
                link.also_close.append((geonames_iri(pts[0].geonameid), pts[0].geonameid,
                                        "the city half of the consolidated city-county"))
                link.reason += f"; consolidated with the city of {pts[0].name} (closeMatch {pts[0].geonameid})"
    return link


# -- civil towns and townships -------------------------------------------------------------
def _match_civil(gz: Gazetteer, base, state, key, bare, pop, what) -> Link:
    what_long = ("New England/New York/Wisconsin town (a civil township)" if what == "town"
                 else "township (a civil division)")
    cands = gz.places_named(state, key) + ([] if bare == key else gz.places_named(state, bare))
    if not cands:
        return _low(base, f"{what_long}: no GeoNames populated place named {base['name']!r} in {state} "
                          "(civil divisions are not in the offline data)")
    cands = sorted(set(cands), key=lambda p: -p.population)
    if len(cands) > 1:
        close = [p for p in cands if (_ratio(pop, p.population) or 1) <= POP_FAR]
        if len(close) != 1 or pop is None:
            return _low(base, f"{what_long}: {len(cands)} populated places of that name in {state}; "
                              "cannot tell which lies in it", [_describe(p) for p in cands])
        cands = close
    p = cands[0]
    r = _ratio(pop, p.population)
    if pop is not None and p.population > pop * 1.25:
        return _low(base, f"{what_long}: the populated place {_describe(p)} is bigger than the record's "
                          f"population {pop:,}, so it is not a village inside it (likely a separate "
                          "municipality of the same name)", [_describe(p)])
    if r is not None and r > 10:
        return _low(base, f"{what_long}: the only populated place of that name, {_describe(p)}, "
                          f"is {r:.0f}x off the record's population {pop:,}", [_describe(p)])
    pop_note = (f"population {pop:,} vs {p.population:,}" if pop else "no population in the record")
    return _place_link(gz, base, p, CLOSE, MEDIUM,
                       f"granularity: the {what_long} vs the GeoNames populated place (village "
                       f"point) {_describe(p)} inside it; {pop_note}")


# -- places --------------------------------------------------------------------------------
def _place_link(gz: Gazetteer, base, p: Place, relation, confidence, reason) -> Link:
    county = gz.county_of(p)
    extra = dict(base)
    extra.update(feature="place", label=p.name, lat=p.lat, lon=p.lon, population=p.population)
    if county and "county_fips" not in extra:
        extra.update(county_fips=county.fips, county_gnis=county.gnis)
    return Link(geonames_iri(p.geonameid), p.geonameid, relation, confidence, reason, **extra)


def _match_place(gz: Gazetteer, profile, base, state, key, bare, pop) -> Link:
    via = "name"
    cands = gz.places_named(state, key)
    if not cands and bare != key:
        cands, via = gz.places_named(state, bare), "name without its legal word"
    if not cands:
        cands, via = gz.places_alt_named(state, key), "GeoNames alternate name"
        if not cands and bare != key:
            cands = gz.places_alt_named(state, bare)
    if not cands:
        return _low(base, f"no GeoNames populated place (500+ people) named {profile.name!r} in {state}: "
                          "too small for the offline data or named differently; no namesake elsewhere is used")
    cands = sorted(set(cands), key=lambda p: -p.population)
    kind = profile.kind
    if pop is not None:
        scored = [(p, _ratio(pop, p.population) or 1e9) for p in cands]
        same = [p for p, r in scored if r <= POP_SAME]
        if len(same) > 1:
            return _low(base, f"{len(same)} places named {profile.name!r} in {state} fit population {pop:,}",
                        [_describe(p) for p in cands])
        if len(same) == 1:
            p = same[0]
            why = (f"{_describe(p)} is the {'only' if len(cands) == 1 else 'one'} GeoNames populated place "
                   f"named so in {state}{'' if len(cands) == 1 else f' (of {len(cands)})'} by {via}; "
                   f"population {pop:,} fits")
            return _finish_place(gz, profile, base, state, p, why, firm=True)
        near = [p for p, r in scored if r <= POP_FAR]
        if len(near) == 1 and len(cands) == 1:
            p = near[0]
            r = _ratio(pop, p.population)
            return _finish_place(gz, profile, base, state, p,
                                 f"{_describe(p)} is the only place so named in {state} by {via}, but the "
                                 f"record's population {pop:,} is {r:.1f}x off: likely the same place at "
                                 "another extent or date", firm=False)
        return _low(base, f"no place named {profile.name!r} in {state} fits the record's population {pop:,}"
                          " (the one meant may be too small for the data, or another extent)",
                    [_describe(p) for p in cands])
    # No population to check.
    if len(cands) == 1:
        p = cands[0]
        return _finish_place(gz, profile, base, state, p,
                             f"{_describe(p)} is the only GeoNames populated place named so in {state} "
                             f"by {via}; the record gives no population to check", firm=True, unchecked=True)
    top, second = cands[0], cands[1]
    cons = CONSOLIDATED.get((state, bare)) or CONSOLIDATED.get((state, key))
    if top.population >= 20 * max(second.population, 1) and (cons or gz.county_of(top) and gz.county_of(top).independent_city):
        return _finish_place(gz, profile, base, state, top,
                             f"{_describe(top)} is the seat of the county-equivalent and by far the largest of "
                             f"{len(cands)} places named so in {state}", firm=True, unchecked=True)
    return _low(base, f"{len(cands)} places named {profile.name!r} in {state} and no population in the "
                      "record to tell them apart", [_describe(p) for p in cands])


def _finish_place(gz: Gazetteer, profile, base, state, p: Place, why: str, *, firm: bool,
                  unchecked: bool = False) -> Link:
    kind = profile.kind
    key = norm(profile.name)
    bare, _ = strip_legal(key)
    relation, conf = (EXACT, HIGH) if firm else (CLOSE, MEDIUM)
    notes = []
    if kind is None or kind == "Other":
        if conf == HIGH and (unchecked or state in NEW_ENGLAND):
            relation, conf = CLOSE, MEDIUM
            notes.append("the record does not say what kind of jurisdiction it is")
    if kind in ("CDP", "Hamlet") and conf == HIGH:
        notes.append(f"an unincorporated {kind}: the GeoNames populated place is the community itself")
    county = gz.county_of(p)
    link = _place_link(gz, base, p, relation, conf, why)
    # Independent city: the city is its own county-equivalent (Richmond city, VA = FIPS 51760).
    cons = CONSOLIDATED.get((state, key)) or CONSOLIDATED.get((state, bare))
    ind = None
    if cons is None:
        for c in gz.counties_named(state, "city of " + norm(p.name)) + gz.counties_named(state, "city of " + bare):
            if c.independent_city:
                ind = c
                break
    if ind is not None:
        link.county_fips, link.county_gnis, link.gnis, link.county_is_self = ind.fips, ind.gnis, ind.gnis, True
        notes.append(f"independent city: its own county-equivalent {ind.census_name or ind.name} "
                     f"(FIPS {ind.fips}); not the like-named county")
    elif cons is not None:
        fips, note = cons
        c = gz.counties.get(fips)
        if c is not None:
            link.county_fips, link.county_gnis, link.gnis, link.county_is_self = c.fips, c.gnis, c.gnis, True
            if c.geonameid:
                link.also_close.append((geonames_iri(c.geonameid), c.geonameid,
                                        "the county half of the consolidated city-county"))
            notes.append(f"consolidated city-county with {c.census_name or c.name} (FIPS {c.fips})"
                         + (f"; its GeoNames division {c.geonameid} is the other half (closeMatch)"
                            if c.geonameid else ""))
            if note == "cdp" and link.relation == EXACT:
                link.relation, link.confidence = CLOSE, MEDIUM
                notes.append("the GeoNames point is the census-designated urban core, not the city-county "
                             "government: city vs CDP granularity (closeMatch)")
    if notes:
        link.reason += "; " + "; ".join(notes)
    return link
