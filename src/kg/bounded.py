"""Which user queries may run in the web process: those whose work is provably small.

User queries normally run in killable worker processes (the time limit must really stop the
work), which costs every query a round trip between processes. For the commonest requests, a
lookup about one resource, that hop is most of the answer time. A query may skip it when its
work is bounded before it runs:

* it is a SELECT (plain variables or `*`), ASK or DESCRIBE over ONE basic graph pattern: no
  FILTER, OPTIONAL, UNION, subquery, BIND, VALUES, GRAPH, SERVICE, property path, blank node,
  escape or typed/numeric literal (anything outside this small grammar goes to the workers);
* every triple pattern has a constant subject or object and matches at most `cap` triples of
  the store, and the product of those counts is at most `cap` as well.

Every solution of the pattern is a combination of one match per triple pattern, so whatever
join order the engine picks, it enumerates at most `len(patterns) * cap` partial solutions; the
counts come from the store's indexes and stop as soon as the product would pass the cap. Anything unsure is "not bounded":
the cost of a wrong "no" is one process hop, the cost of a wrong "yes" would be an unstoppable
query, so the grammar is deliberately narrow.
"""
from __future__ import annotations

import re
from itertools import islice
from typing import Iterator

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

_TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<str>"[^"\\\n\r]*"|'[^'\\\n\r]*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z][A-Za-z0-9_-]*)?:(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?)
  | (?P<int>[0-9]+)
  | (?P<word>[A-Za-z]+)
  | (?P<punct>[{}.;,*()])
""", re.X)

_MAX_TEXT = 4000
# the prologue, read with one expression per declaration (most of a typical lookup's text)
_PREFIX_DECL = re.compile(r"""(?:\s|\#[^\n]*)*PREFIX\s+((?:[A-Za-z][A-Za-z0-9_-]*)?):\s*<([^<>"{}|^`\\\s]*)>""", re.I)
# constructs outside the grammar, found without tokenising: most queries stop here
_OUTSIDE = re.compile(r"\{[^}]*\{|\[|_:")
_OUTSIDE_WORDS = frozenset("""FILTER OPTIONAL UNION GRAPH SERVICE BIND VALUES MINUS GROUP HAVING CONSTRUCT
                              FROM BASE EXISTS COUNT""".split())
_WORD = re.compile(r"[A-Za-z]+")


class NotBounded(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise NotBounded(f"unexpected {text[pos]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        if kind == "ws":
            continue
        value = m.group()
        if kind == "word":
            value = value.upper() if value != "a" else value
        out.append((kind, value))
    return out


class _Reader:
    def __init__(self, toks: list[tuple[str, str]]):
        self.toks = toks
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self) -> tuple[str, str]:
        t = self.peek()
        self.i += 1
        return t

    def word(self, *words: str) -> bool:
        kind, value = self.peek()
        if kind == "word" and value in words:
            self.i += 1
            return True
        return False

    def punct(self, p: str) -> bool:
        if self.peek() == ("punct", p):
            self.i += 1
            return True
        return False

    def expect(self, p: str) -> None:
        if not self.punct(p):
            raise NotBounded(f"expected {p!r}")


def _term(r: _Reader, prefixes: dict[str, str], position: str) -> ox.NamedNode | ox.Literal | None:
    """The constant at `position` (s, p or o), or None for a variable."""
    kind, value = r.take()
    if kind == "var":
        return None
    if kind == "iri":
        if ":" not in value:
            raise NotBounded("relative IRI")
        return ox.NamedNode(value[1:-1])
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix not in prefixes:
            raise NotBounded("undeclared prefix")
        return ox.NamedNode(prefixes[prefix] + local)
    if kind == "word" and value == "a" and position == "p":
        return RDF_TYPE
    if kind == "str" and position == "o":
        if r.peek()[0] == "lang":
            lang = r.take()[1][1:]
            if lang != lang.lower():
                raise NotBounded("language tag case")
            return ox.Literal(value[1:-1], language=lang)
        return ox.Literal(value[1:-1])
    raise NotBounded(f"unsupported term {value!r}")


def _triples(r: _Reader, prefixes: dict[str, str]) -> Iterator[tuple]:
    """The triple patterns of `{ ... }` (the opening brace already read)."""
    while not r.punct("}"):
        s = _term(r, prefixes, "s")
        while True:
            p = _term(r, prefixes, "p")
            while True:
                yield (s, p, _term(r, prefixes, "o"))
                if not r.punct(","):
                    break
            if not r.punct(";"):
                break
            if r.peek() in (("punct", "."), ("punct", "}")):
                break  # a trailing ';'
        if not r.punct("."):
            r.expect("}")
            return


def parse(text: str) -> tuple[str, list[tuple]]:
    """(form, triple patterns) of a query in the bounded grammar; NotBounded otherwise."""
    if len(text) > _MAX_TEXT:
        raise NotBounded("long query")
    prefixes: dict[str, str] = {}
    pos = 0
    while True:
        m = _PREFIX_DECL.match(text, pos)
        if m is None:
            break
        if ":" not in m.group(2):
            raise NotBounded("relative prefix IRI")
        prefixes[m.group(1)] = m.group(2)
        pos = m.end()
    body = text[pos:]
    if _OUTSIDE.search(body) or not _OUTSIDE_WORDS.isdisjoint(_WORD.findall(body.upper())):
        raise NotBounded("outside the grammar")
    r = _Reader(_tokens(body))
    patterns: list[tuple] = []
    if r.word("SELECT"):
        form = "select"
        r.word("DISTINCT", "REDUCED")
        if not r.punct("*"):
            if r.peek()[0] != "var":
                raise NotBounded("projection")
            while r.peek()[0] == "var":
                r.take()
    elif r.word("ASK"):
        form = "ask"
    elif r.word("DESCRIBE"):
        form = "describe"
        described = 0
        while r.peek()[0] in ("var", "iri", "pname"):
            _term(r, prefixes, "s")
            described += 1
        if not described:
            raise NotBounded("DESCRIBE *")
        if r.peek() == ("end", ""):
            return form, patterns
    else:
        raise NotBounded("query form")
    r.word("WHERE")
    r.expect("{")
    patterns = list(_triples(r, prefixes))
    if form != "ask":
        if r.word("ORDER"):
            if not r.word("BY"):
                raise NotBounded("ORDER")
            keys = 0
            while True:
                if r.peek()[0] == "var":
                    r.take()
                elif r.word("ASC", "DESC"):
                    r.expect("(")
                    if r.take()[0] != "var":
                        raise NotBounded("order key")
                    r.expect(")")
                else:
                    break
                keys += 1
            if not keys:
                raise NotBounded("ORDER BY")
        for _ in range(2):
            if r.word("LIMIT", "OFFSET"):
                if r.take()[0] != "int":
                    raise NotBounded("LIMIT")
    if r.peek() != ("end", ""):
        raise NotBounded(f"unexpected {r.peek()[1]!r}")
    return form, patterns


def _count(store: ox.Store, pattern: tuple, cap: int) -> int:
    """Triples matching the pattern's constants, counted up to cap + 1."""
    s, p, o = pattern
    if isinstance(s, ox.Literal):
        return 0
    return sum(1 for _ in islice(store.quads_for_pattern(s, p, o, None), cap + 1))


def is_bounded(query: str, store: ox.Store, cap: int = 2000) -> bool:
    """True when the query is in the bounded grammar and its pattern's matches are few."""
    try:
        _form, patterns = parse(query)
    except NotBounded:
        return False
    except (ValueError, TypeError):  # an IRI pyoxigraph refuses, ...: let the workers report it
        return False
    if len(patterns) > 8:
        return False
    if any(pat[0] is None and pat[2] is None for pat in patterns):
        return False  # neither end bound: a scan of a predicate at least
    product = 1
    for pat in patterns:
        room = cap // product  # counting stops as soon as the product would pass the cap
        n = _count(store, pat, room)
        if n > room:
            return False
        product *= max(n, 1)
    return True
