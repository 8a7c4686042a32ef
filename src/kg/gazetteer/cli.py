"""`kg link [--data DIR] [--online] [--endpoint URL] [--format text|json|csv]`: the linking report."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from .match import Link

FIELDS = ("slug", "name", "state", "kind", "confidence", "relation", "target", "geonames_id", "label",
          "county_fips", "county_is_self", "gnis", "place_geoid", "wikidata", "lat", "lon", "reason",
          "candidates", "also_close")


def add_arguments(parser) -> None:
    parser.add_argument("--data", default="data", help="data folder with the profiles (default: data)")
    parser.add_argument("--online", action="store_true",
                        help="also resolve Wikidata QIDs (SPARQL) and update the cache data/wikidata/qids.tsv")
    parser.add_argument("--endpoint", default=None,
                        help="SPARQL endpoint for --online (default: https://query.wikidata.org/sparql)")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")


def _row(link: Link) -> dict:
    return {
        "slug": link.slug, "name": link.name, "state": link.state, "kind": link.kind,
        "confidence": link.confidence, "relation": link.relation, "target": link.target,
        "geonames_id": link.geonames_id, "label": link.label, "county_fips": link.county_fips,
        "county_is_self": link.county_is_self, "gnis": link.gnis, "place_geoid": link.place_geoid,
        "wikidata": link.wikidata, "lat": link.lat, "lon": link.lon, "reason": link.reason,
        "candidates": list(link.candidates), "also_close": [iri for iri, _g, _w in link.also_close],
    }


def summary(links: list[Link]) -> dict:
    n = len(links)
    by_conf = {c: sum(1 for lk in links if lk.confidence == c) for c in ("high", "medium", "low")}
    by_rel = {r: sum(1 for lk in links if lk.linked and lk.relation == r) for r in ("exact", "close")}
    linked = sum(1 for lk in links if lk.linked)
    return {
        "jurisdictions": n,
        "confidence": by_conf,
        "relation": by_rel,
        "linked": linked,
        "coverage_exact_pct": round(100 * by_rel["exact"] / n, 1) if n else 0.0,
        "coverage_any_pct": round(100 * linked / n, 1) if n else 0.0,
        "wikidata": sum(1 for lk in links if lk.wikidata),
        "review": [lk.slug for lk in links if lk.confidence != "high"],
    }


def run(args) -> int:
    from ..load import load_profiles
    from . import wikidata
    from .match import link_profile

    data = Path(args.data)
    wikidata.set_cache_path(data / wikidata.CACHE_RELPATH)
    profiles = load_profiles(data)
    links = [link_profile(p) for p in profiles]

    if args.online:
        keys: dict[str, set[str]] = {"geonames": set(), "county_fips": set()}
        for lk in links:
            if lk.linked and lk.geonames_id:
                keys["geonames"].add(str(lk.geonames_id))
            if lk.county_is_self and lk.county_fips:
                keys["county_fips"].add(lk.county_fips)
        from .data import gazetteer

        for st in {p.state.upper() for p in profiles if p.state}:
            s = gazetteer().states.get(st)
            if s and s.geonameid:
                keys["geonames"].add(str(s.geonameid))
        endpoint = args.endpoint or wikidata.DEFAULT_ENDPOINT
        try:
            answers = wikidata.resolve({k: v for k, v in keys.items() if v}, endpoint)
        except wikidata.WikidataError as e:
            print(f"kg link: Wikidata query failed: {e}", file=sys.stderr)
            return 1
        path = wikidata.write_cache(answers)
        print(f"kg link: {len(answers)} Wikidata answers from {endpoint} cached in {path}", file=sys.stderr)
        links = [link_profile(p) for p in profiles]

    summ = summary(links)
    out = sys.stdout
    if args.format == "json":
        json.dump({"links": [_row(lk) for lk in links], "summary": summ}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        w = csv.DictWriter(out, fieldnames=FIELDS)
        w.writeheader()
        for lk in links:
            r = _row(lk)
            r["candidates"] = "; ".join(r["candidates"])
            r["also_close"] = " ".join(r["also_close"])
            w.writerow(r)
    else:
        for lk in links:
            ids = []
            if lk.geonames_id:
                ids.append(f"geonames={lk.geonames_id}")
            if lk.county_fips:
                ids.append(f"{'fips' if lk.county_is_self else 'in-county'}={lk.county_fips}")
            if lk.gnis:
                ids.append(f"gnis={lk.gnis}")
            if lk.place_geoid:
                ids.append(f"geoid={lk.place_geoid}")
            if lk.wikidata:
                ids.append(f"wikidata={lk.wikidata}")
            rel = {"exact": "exactMatch", "close": "closeMatch"}.get(lk.relation or "", "no link")
            out.write(f"{lk.slug}  [{lk.confidence} {rel}]  {lk.name}, {lk.state} ({lk.kind or 'kind?'}) -> "
                      f"{lk.label or '-'} {lk.target or ''}\n")
            if ids:
                out.write(f"    ids: {' '.join(ids)}\n")
            out.write(f"    reason: {lk.reason}\n")
            if lk.candidates and not lk.linked:
                out.write(f"    candidates: {'; '.join(lk.candidates)}\n")
            for iri, _g, why in lk.also_close:
                out.write(f"    also closeMatch {iri} ({why})\n")
        s = summ
        out.write("\nSummary\n")
        out.write(f"  jurisdictions: {s['jurisdictions']}\n")
        out.write(f"  confidence: high {s['confidence']['high']}, medium {s['confidence']['medium']}, "
                  f"low {s['confidence']['low']}\n")
        out.write(f"  links: exactMatch {s['relation']['exact']}, closeMatch {s['relation']['close']}, "
                  f"none {s['jurisdictions'] - s['linked']}\n")
        out.write(f"  coverage: {s['coverage_exact_pct']}% exact, {s['coverage_any_pct']}% linked; "
                  f"Wikidata QIDs {s['wikidata']}\n")
        out.write(f"  for review ({len(s['review'])}): {', '.join(s['review']) or 'none'}\n")
    return 0
