"""Place-name normalisation shared by the gazetteer index and the matcher."""
from __future__ import annotations

import re
import unicodedata

_ABBREV = [
    (r"\bst\b\.?", "saint"), (r"\bste\b\.?", "sainte"), (r"\bft\b\.?", "fort"),
    (r"\bmt\b\.?", "mount"), (r"\bpt\b\.?", "point"),
]
# Legal/administrative wrappers around a municipality's name ("Town of X", "X Village").
_PREFIXES = ("city and county of ", "city and borough of ", "consolidated city of ",
             "charter township of ", "city of ", "town of ", "village of ", "borough of ",
             "township of ", "municipality of ", "unified government of ",
             "metropolitan government of ")
_SUFFIXES = (" charter township", " township", " town", " village", " borough", " cdp",
             " municipality", " plantation", " balance", " city")
_COUNTY_WORDS = (" city and borough", " census area", " municipality", " county", " parish",
                 " borough")


def norm(text: str) -> str:
    """Lower-case ASCII, accents dropped, 'St.' -> 'saint', punctuation to single spaces."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"['’`]", "", t)
    t = re.sub(r"\(.*?\)", " ", t)
    for pat, rep in _ABBREV:
        t = re.sub(pat, rep, t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    return " ".join(t.split())


def strip_legal(key: str) -> tuple[str, str | None]:
    """('town of x' -> 'x', 'town'): the bare name and the legal word removed, if any."""
    for pre in _PREFIXES:
        if key.startswith(pre) and len(key) > len(pre):
            return key[len(pre):], pre.strip().split()[0] if pre != "city and county of " else "city"
    for suf in _SUFFIXES:
        if key.endswith(suf) and len(key) > len(suf):
            return key[: -len(suf)], suf.strip().split()[-1]
    return key, None


def county_core(name: str) -> str:
    """'St. Louis County' -> 'saint louis'; 'City of Richmond' -> 'city of richmond' (kept apart)."""
    k = norm(name)
    if k.startswith("city and county of "):
        return k[len("city and county of "):]
    if k.endswith(" city and county"):
        return k[: -len(" city and county")]
    for w in _COUNTY_WORDS:
        if k.endswith(w) and len(k) > len(w):
            return k[: -len(w)]
    # independent cities: "Richmond city" (Census) / "City of Richmond" (GeoNames) -> one key
    if k.endswith(" city") and not k.startswith("city of "):
        return "city of " + k[: -len(" city")]
    return k
