"""Wikidata QIDs: resolved online by `kg link --online`, cached in data/ for offline builds.

The cache is a reviewable TSV, ``data/wikidata/qids.tsv`` (not ``.json``: the profile
loader reads every ``.json`` under data/ as a profile record). One line per answer::

    key_type <TAB> key <TAB> qid <TAB> label

with ``key_type`` one of ``geonames`` (P1566), ``county_fips`` (P882), ``state_fips``
(P5087 / P4872 alike: we ask P5087), ``gnis`` (P590). Only answers the service gave are
written: QIDs are never invented.

The online path uses SPARQLWrapper against a configurable endpoint (default the Wikidata
Query Service), a descriptive User-Agent, batches of VALUES, and retries with back-off on
429/5xx honouring Retry-After.
"""
from __future__ import annotations

import functools
import os
import re
import time
from pathlib import Path

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
USER_AGENT = "DemandKG/0.1 (https://w3id.org/demand-kg; kg link) SPARQLWrapper"
CACHE_RELPATH = Path("wikidata") / "qids.tsv"
QID_RE = re.compile(r"^Q[1-9]\d*$")
# key type -> Wikidata property
PROPERTIES = {"geonames": "P1566", "county_fips": "P882", "gnis": "P590", "state_fips": "P5087"}
BATCH = 200            # VALUES per query: well under the service's URL and time limits
MAX_TRIES = 5

_cache_path: Path | None = None


def cache_path() -> Path:
    """Where the cache lives: set_cache_path(), $KG_WIKIDATA_CACHE, else ./data/wikidata/qids.tsv."""
    if _cache_path is not None:
        return _cache_path
    env = os.environ.get("KG_WIKIDATA_CACHE")
    return Path(env) if env else Path("data") / CACHE_RELPATH


def set_cache_path(path: Path | None) -> None:
    global _cache_path
    _cache_path = Path(path) if path is not None else None
    _load.cache_clear()


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict[tuple[str, str], str]:
    p = Path(path)
    out: dict[tuple[str, str], str] = {}
    if not p.is_file():
        return out
    for line in p.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] in PROPERTIES and QID_RE.match(parts[2]):
            out[(parts[0], parts[1])] = parts[2]
    return out


def read_cache(path: Path | None = None) -> dict[tuple[str, str], str]:
    return dict(_load(str(path or cache_path())))


def cached_qid(*, geonames: int | None = None, county_fips: str | None = None,
               gnis: str | None = None, state_fips: str | None = None) -> str | None:
    """The cached QID for the first key that has one (GeoNames ID first), else None."""
    cache = _load(str(cache_path()))
    for kt, k in (("geonames", geonames), ("county_fips", county_fips), ("gnis", gnis),
                  ("state_fips", state_fips)):
        if k is not None and (kt, str(k)) in cache:
            return cache[(kt, str(k))]
    return None


def write_cache(answers: dict[tuple[str, str], tuple[str, str]], path: Path | None = None) -> Path:
    """Merge answers {(key_type, key): (qid, label)} into the cache file (sorted, stable)."""
    path = Path(path or cache_path())
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    if path.is_file():
        for line in path.read_text("utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0] in PROPERTIES and QID_RE.match(parts[2]):
                rows[(parts[0], parts[1])] = (parts[2], parts[3] if len(parts) > 3 else "")
    rows.update(answers)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Wikidata QIDs resolved by `kg link --online` (key_type, key, qid, label). "
             "Data from Wikidata, CC0.",
             "# key types: geonames = P1566, county_fips = P882, gnis = P590, state_fips = P5087"]
    for (kt, k), (q, label) in sorted(rows.items()):
        lines.append("\t".join((kt, k, q, label.replace("\t", " ").replace("\n", " "))))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    _load.cache_clear()
    return path


# -- online ---------------------------------------------------------------------------------
class WikidataError(RuntimeError):
    pass


def _query(endpoint: str, query: str, *, timeout: float = 60, sleep=time.sleep) -> dict:
    """One SELECT, retried with exponential back-off on 429/5xx/network errors (Retry-After honoured)."""
    from urllib.error import HTTPError, URLError

    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    delay = 1.0
    last: Exception | None = None
    for attempt in range(1, MAX_TRIES + 1):
        sw = SPARQLWrapper(endpoint, agent=USER_AGENT)
        sw.setQuery(query)
        sw.setMethod(POST)          # long VALUES lists do not fit a GET URL
        sw.setReturnFormat(JSON)
        sw.setTimeout(int(timeout))
        try:
            return sw.queryAndConvert()
        except HTTPError as e:
            last = e
            if e.code != 429 and e.code < 500:
                raise WikidataError(f"{endpoint}: HTTP {e.code}: {e.reason}") from e
            ra = _retry_after(e.headers.get("Retry-After") if e.headers else None)
            wait = ra if ra is not None else delay
        except Exception as e:  # SPARQLWrapper wraps some HTTP errors in its own exceptions
            code = _status_of(e)
            last = e
            if code is not None and code != 429 and code < 500:
                raise WikidataError(f"{endpoint}: {e}") from e
            if code is None and not isinstance(e, (URLError, TimeoutError, OSError)):
                raise WikidataError(f"{endpoint}: {e}") from e
            wait = delay
        if attempt < MAX_TRIES:
            sleep(min(wait, 120))
            delay *= 2
    raise WikidataError(f"{endpoint}: gave up after {MAX_TRIES} tries: {last}")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _status_of(e: Exception) -> int | None:
    m = re.search(r"\b(4\d\d|5\d\d)\b", str(e))
    name = type(e).__name__
    if name == "EndPointInternalError":
        return 500
    if name == "Unauthorized":
        return 401
    if name in ("QueryBadFormed", "EndPointNotFound"):
        return 400
    return int(m.group(1)) if m else None


def build_query(key_type: str, keys: list[str]) -> str:
    prop = PROPERTIES[key_type]
    values = " ".join('"' + k.replace('"', "") + '"' for k in keys)
    return (
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?key ?item ?label WHERE {{\n  VALUES ?key {{ {values} }}\n"
        f"  ?item wdt:{prop} ?key .\n"
        "  OPTIONAL { ?item rdfs:label ?label . FILTER(LANG(?label) = \"en\") }\n}"
    )


def resolve(keys: dict[str, set[str]], endpoint: str = DEFAULT_ENDPOINT, *, pause: float = 1.0,
            sleep=time.sleep) -> dict[tuple[str, str], tuple[str, str]]:
    """Ask the endpoint for the items carrying each key; keys {key_type: {key, ...}}.

    A key answered by more than one item is left out (ambiguous: never guessed).
    """
    answers: dict[tuple[str, str], tuple[str, str]] = {}
    first = True
    for kt in sorted(keys):
        todo = sorted(keys[kt])
        for i in range(0, len(todo), BATCH):
            if not first and pause:
                sleep(pause)        # one query at a time, politely spaced
            first = False
            res = _query(endpoint, build_query(kt, todo[i:i + BATCH]), sleep=sleep)
            found: dict[str, set[tuple[str, str]]] = {}
            for b in res.get("results", {}).get("bindings", []):
                iri = b["item"]["value"]
                qid = iri.rsplit("/", 1)[-1]
                if not QID_RE.match(qid):
                    continue
                found.setdefault(b["key"]["value"], set()).add((qid, b.get("label", {}).get("value", "")))
            for k, items in found.items():
                qids = {q for q, _ in items}
                if len(qids) == 1:
                    q = qids.pop()
                    label = next((lab for qq, lab in sorted(items) if qq == q and lab), "")
                    answers[(kt, k)] = (q, label)
    return answers
