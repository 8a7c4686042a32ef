"""What we read from a query's text, for answers and errors a person can use:

* `star_order`: the variables of a `SELECT *` in the order the query first names them (the
  engine gives them in its own order; we ask it again with that projection);
* `explain_syntax_error`: the engine's parser message made readable: an undefined prefix named
  (with the PREFIX line to add when it is a well-known one), the line and column, the line
  itself with a caret under the spot, and no lists of Unicode ranges;
* `unknown_terms`: `dkg:` terms the query uses that the ontology does not define, each with a
  did-you-mean: such a query still runs, but its answer says so.

Pure functions over text (no rdflib: the query workers import this); scanning skips strings,
IRIs and comments.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

DKG_NS = "https://w3id.org/demand-kg/ontology#"
# prefixes people use without declaring them, with their usual namespaces
WELL_KNOWN = {
    "dkg": DKG_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs84": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "wd": "http://www.wikidata.org/entity/",
    "jurisdiction": "https://w3id.org/demand-kg/id/jurisdiction/",
    "tactic": "https://w3id.org/demand-kg/id/tactic/",
    "operation": "https://w3id.org/demand-kg/id/operation/",
    "state": "https://w3id.org/demand-kg/id/state/",
    "agency": "https://w3id.org/demand-kg/id/agency/",
    "source": "https://w3id.org/demand-kg/id/source/",
}

# strings (long and short), IRIs and comments: blanked out before looking for names
_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                   r'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_PNAME = re.compile(r"(?<![\w?$:.\-\\])([A-Za-z][\w.-]*)?:((?:[\w\-]|\\.|%[0-9A-Fa-f]{2})(?:[\w.\-]|\\.|%[0-9A-Fa-f]{2})*)?")
_VAR = re.compile(r"[?$]([A-Za-z0-9_][\w]*)")
_SELECT_STAR = re.compile(r"^\s*(?:(?:PREFIX\s+[A-Za-z][\w.-]*:\s*<[^>]*>|PREFIX\s*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                          r"SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?(\*)", re.I)
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def blank(text: str) -> str:
    """The text with strings, IRIs and comments replaced by spaces (same length, same lines)."""
    return _SKIP.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def declared_prefixes(text: str) -> dict[str, str]:
    return {(m.group(1) or ""): m.group(2) for m in _PREFIX_DECL.finditer(text)}


def prefixed_names(text: str) -> list[tuple[str, str, int]]:
    """(prefix, local name, offset) of each prefixed name in the query's body."""
    chars = list(blank(text))
    for m in _PREFIX_DECL.finditer(blank_keep_iris(text)):  # the declarations themselves
        chars[m.start():m.end()] = " " * (m.end() - m.start())
    bare = "".join(chars)
    return [(m.group(1) or "", m.group(2) or "", m.start()) for m in _PNAME.finditer(bare)]


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _caret(text: str, line: int, col: int) -> str:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    src = lines[line - 1]
    if len(src) > 120:  # a long line: show the part around the spot
        start = max(0, col - 60)
        src, col = src[start:start + 120], col - start
    return f"\n  {src}\n  {' ' * (col - 1)}^"


# ----------------------------------------------------------------------------- SELECT *

def star_order(query: str) -> tuple[list[str], int] | None:
    """For a `SELECT *` query: its variables in the order the text first names them, and the
    offset of the `*`; None for any other query."""
    m = _SELECT_STAR.match(query)
    if not m:
        return None
    seen: dict[str, None] = {}
    for v in _VAR.finditer(blank(query[m.end():])):
        seen.setdefault(v.group(1), None)
    return list(seen), m.start(1)


def with_projection(query: str, star_at: int, variables: list[str]) -> str:
    return query[:star_at] + " ".join("?" + v for v in variables) + query[star_at + 1:]


def ordered(engine_vars: list[str], text_order: list[str]) -> list[str]:
    """The engine's variables in the text's order (any the text scan missed keep theirs, last)."""
    pos = {v: i for i, v in enumerate(text_order)}
    return sorted(engine_vars, key=lambda v: (pos.get(v, len(pos)), engine_vars.index(v)))


# ----------------------------------------------------------------------------- syntax errors

def undefined_prefixes(query: str) -> list[tuple[str, int]]:
    """(prefix, offset of its first use) of each prefix the query uses but does not declare."""
    declared = declared_prefixes(blank_keep_iris(query))
    out: dict[str, int] = {}
    for prefix, _local, at in prefixed_names(query):
        if prefix not in declared and prefix != "_":
            out.setdefault(prefix, at)
    return sorted(out.items(), key=lambda kv: kv[1])


def blank_keep_iris(text: str) -> str:
    """Strings and comments blanked, IRIs kept (PREFIX declarations need theirs)."""
    return re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n<>"\']*$',
                  lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.M)


def explain_syntax_error(query: str, message: str) -> str:
    """A syntax error a person can act on."""
    undefined = undefined_prefixes(query)
    if undefined:
        prefix, at = undefined[0]
        line, col = line_col(query, at)
        names = ", ".join(f'"{p}:"' for p, _ in undefined)
        what = (f'the prefix "{prefix}:" is not declared' if len(undefined) == 1
                else f"the prefixes {names} are not declared")
        fix = [f"PREFIX {p}: <{WELL_KNOWN[p]}>" for p, _ in undefined if p in WELL_KNOWN]
        hint = (" Add: " + "  ".join(fix)) if fix else " Declare it with PREFIX before the query."
        return f"SPARQL syntax error at line {line}, column {col}: {what}.{hint}{_caret(query, line, col)}"
    m = _ERROR_AT.match(message.strip())
    if not m:
        return f"SPARQL syntax error: {message}"
    line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    return f"SPARQL syntax error near line {line}, column {col}: {_expected(rest)}{_caret(query, line, col)}"


def _expected(rest: str) -> str:
    """'expected one of ABS, AVG, [_], ['0'..='9' | ...]' -> 'expected one of ABS, AVG, ...'"""
    rest = " ".join(rest.split())
    if not rest.startswith("expected"):
        return rest
    head, _, items = rest.partition("expected one of ")
    if not items:
        return rest
    words = [w.strip() for w in re.split(r",(?![^\[]*\])", items)]
    kept = [w for w in words if w and not w.startswith("[") and "not found" not in w]
    dropped = len(words) - len(kept)
    if not kept:
        return "unexpected text here"
    return "expected one of " + ", ".join(kept) + (" (or a name or value)" if dropped else "")


# ----------------------------------------------------------------------------- terms not in the ontology

def dkg_terms(query: str) -> list[tuple[str, int]]:
    """(local name, offset) of each term of the dkg: namespace the query names, by any prefix
    bound to it or in full."""
    dkg_prefixes = {p for p, iri in declared_prefixes(blank_keep_iris(query)).items() if iri == DKG_NS}
    out = [(local, at) for p, local, at in prefixed_names(query) if p in dkg_prefixes and local]
    for m in re.finditer(r"<" + re.escape(DKG_NS) + r"([^>\s]+)>", blank_keep_iris(query)):
        out.append((m.group(1), m.start()))
    return out


@lru_cache(maxsize=2048)
def unknown_terms(query: str, known: frozenset[str]) -> tuple[tuple[str, str | None], ...]:
    """((local name, the known term it is closest to, or None), ...) for each dkg: term the
    query uses that `known` (the ontology's local names) lacks; () when there are none."""
    if DKG_NS not in query:
        return ()
    out: dict[str, str | None] = {}
    lower = {k.lower(): k for k in known}
    for local, _ in dkg_terms(query):
        if local in known or local in out:
            continue
        near = lower.get(local.lower())
        if near is None:
            close = difflib.get_close_matches(local, list(known), n=1, cutoff=0.6)
            near = close[0] if close else None
        out[local] = near
    return tuple(out.items())


def unknown_terms_note(found: tuple[tuple[str, str | None], ...]) -> str:
    parts = [f"dkg:{local} is not a term of the ontology" + (f" (did you mean dkg:{near}?)" if near else "")
             for local, near in found]
    return "; ".join(parts)
