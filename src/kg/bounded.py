"""Which user queries may run in the web process: those whose work is provably small.

User queries normally run in killable worker processes (the time limit must really stop the
work), which costs every query a round trip between processes: on a small release that hop
and the slower on-disk store are most of the answer time. A query may skip both when an upper
bound on its work, computed before it runs, is small.

The bound (`work_bound`) reads the query with a deliberately narrow grammar: SELECT (with
expressions, aggregates, GROUP BY, HAVING, ORDER BY, LIMIT), ASK, DESCRIBE and CONSTRUCT over
triple patterns, sequence paths (`a/b`), `OPTIONAL`, `UNION`, nested groups, sub-SELECTs,
`FILTER` and `BIND` with a list of cheap functions. Anything else (GRAPH, SERVICE, MINUS,
VALUES, EXISTS, other paths, blank nodes, escapes, REGEX, CONCAT, REPLACE, GROUP_CONCAT, ...)
is "not bounded" and goes to the workers. It then bounds every intermediate result, whatever
join order the engine picks:

* a triple pattern matches at most `count` triples, counted in the store's indexes with its
  constants (a constant we might not spell exactly as the engine does counts as a wildcard:
  that only raises the count);
* joining a pattern to rows that fix some of its positions multiplies them by at most the
  pattern's largest *degree* for those positions (for `?x dkg:state ?s` given `?x`: the most
  states one subject has), from `Stats`, computed once per store;
* so for every subset S of a group's joined items, |join(S)| <= min over i of
  |join(S - i)| * degree(i given S - i), and any plan's intermediates are such joins; OPTIONAL
  multiplies by its right side's degree (at least 1), UNION adds, aggregates and DISTINCT do
  not add rows, ORDER BY costs n log n.

The work is counted in rows touched. Per row, the allowed functions cost time linear in the
strings involved, never more (no function that can grow a string on each application).
Without `Stats` (no statistics for an on-disk store) every degree is the item's own count,
which still bounds everything, only less tightly. The cost of a wrong "no" is one process hop;
a wrong "yes" would be a query nobody can stop, so every doubt is a "no".
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# one token, with the whitespace and comments before it (possessive: no backtracking; a
# prefix of at most 64 characters, or "a-a-a-..." would be rescanned from every letter)
_TOKEN = re.compile(r"""(?:\s+|\#[^\r\n]*)*+(?:
    (?P<iri><[A-Za-z][A-Za-z0-9+.-]*:[^<>"{}|^`\\\s?()]*>)
  | (?P<str>"[^"\\\n\r]*"|'[^'\\\n\r]*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z][A-Za-z0-9_-]{0,63})?:(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?)
  | (?P<num>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|[=<>!+\-*/^|])
  | (?P<punct>[{}.;,()])
)""", re.X)
_TAIL = re.compile(r"(?:\s+|\#[^\r\n]*)*+\Z")

MAX_TEXT = 4000  # longer queries are never bounded
_WALK = 32  # matches counted by walking the index; beyond, the engine counts them
_MAX_ITEMS = 8  # joined items in one group: the bound looks at every subset of them
# the prologue, read with one expression per declaration (most of a typical lookup's text)
_PREFIX_DECL = re.compile(r"""(?:\s|\#[^\r\n]*)*+PREFIX\s+((?:[A-Za-z][A-Za-z0-9_-]*)?):\s*<([^<>"{}|^`\\\s]*)>""", re.I)
# outside the grammar, found without tokenising: most such queries stop here
_OUTSIDE = re.compile(r"\[|_:|\\|\"\"\"|'''")
_OUTSIDE_WORDS = frozenset("""GRAPH SERVICE MINUS VALUES FROM NAMED BASE EXISTS LOAD INSERT DELETE
                              REGEX CONCAT REPLACE GROUP_CONCAT ENCODE_FOR_URI SEPARATOR""".split())
_WORD = re.compile(r"[A-Za-z_]+")
# what an expression may call: each costs time linear in its arguments' strings per row, and
# none makes a string longer than its arguments (so nesting cannot blow up)
_FUNCTIONS = frozenset("""STR LANG LANGMATCHES DATATYPE BOUND IRI URI ISIRI ISURI ISBLANK ISLITERAL
    ISNUMERIC CONTAINS STRSTARTS STRENDS LCASE UCASE STRLEN SUBSTR STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ ABS CEIL FLOOR ROUND COALESCE IF SAMETERM STRDT STRLANG NOW
    RAND UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COUNT SUM MIN MAX AVG SAMPLE""".split())
_EXPR_WORDS = _FUNCTIONS | {"AS", "DISTINCT", "IN", "NOT", "TRUE", "FALSE"}
_AGGREGATES = frozenset("COUNT SUM MIN MAX AVG SAMPLE".split())


class NotBounded(Exception):
    pass


# Oxigraph 0.5.13 sorts with a comparison that is not a total order across kinds of values
# (mixed literal types, dates with and without time zones): Rust's sort then panics, and the
# panic aborts the whole process. So a query may sort in the web process only when each ORDER
# BY key holds one family of values that compare totally (tests/test_bounded.py), known from
# the statistics; anything else sorts in a worker, whose loss costs one query.
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FAMILIES = {"node": "node", _XSD + "string": "str", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": "str",
             _XSD + "boolean": "bool"}
_FAMILIES.update({_XSD + t: "num" for t in """integer decimal int long short byte nonNegativeInteger positiveInteger
    negativeInteger nonPositiveInteger unsignedInt unsignedLong unsignedShort unsignedByte""".split()})
ANY = "*"  # a value of any kind
_TO_STRING = frozenset("STR LCASE UCASE SUBSTR STRBEFORE STRAFTER STRUUID MD5 SHA1 SHA256 SHA384 SHA512".split())
_TO_INTEGER = frozenset("COUNT STRLEN YEAR MONTH DAY HOURS MINUTES".split())


def _call_kinds(call: tuple[str, str | None] | None, kinds: dict) -> frozenset:
    """The kinds of value `FUNC(arg)` gives (an error leaves the variable unbound)."""
    if call is None:
        return frozenset({ANY})
    func, arg = call
    ks = kinds.get(arg, frozenset({ANY})) if arg else frozenset({ANY})
    if func in _TO_STRING:
        return frozenset({_XSD + "string"})  # or a language-tagged string: the same family
    if func in _TO_INTEGER:
        return frozenset({_XSD + "integer"})
    if func in ("SUM", "AVG") and all(_FAMILIES.get(k) == "num" for k in ks):
        return frozenset({_XSD + "decimal"})
    if func in ("MIN", "MAX", "SAMPLE") and arg:
        return ks
    return frozenset({ANY})


# ----------------------------------------------------------------------------- statistics

@dataclass(frozen=True)
class Stats:
    """Largest degrees in a store, for joins: out_deg[p] is the most objects one subject has
    for predicate p, in_deg[p] the most subjects one object has; max_s / max_o the most
    triples one subject / object has; bnode_triples the triples about blank nodes (DESCRIBE
    follows them)."""

    out_deg: dict = field(default_factory=dict)
    in_deg: dict = field(default_factory=dict)
    max_sp: int = 0
    max_po: int = 0
    max_s: int = 0
    max_o: int = 0
    predicates: int = 0
    bnode_triples: int = 0
    triples: int = 0
    pred_count: dict = field(default_factory=dict)  # triples per predicate
    class_count: dict = field(default_factory=dict)  # rdf:type triples per class
    # counts over _WALK of the patterns (?s p o) and (s p ?o), keyed (s, p, o) with None for
    # the variable; a pattern of these shapes that is not here is smaller
    big: dict = field(default_factory=dict)
    # per predicate, what its objects are: "node" (IRI or blank node) or a literal's datatype IRI
    obj_kinds: dict = field(default_factory=dict)
    # False for the partial statistics a large release keeps (max_s and bnode_triples only,
    # for DESCRIBE): then nothing else here may be read, every count comes from the store
    complete: bool = False

    @classmethod
    def of(cls, store: ox.Store) -> "Stats":
        def per(q: str) -> dict:
            return {r["p"]: int(r["m"].value) for r in store.query(q)}

        out_deg = per("SELECT ?p (MAX(?n) AS ?m) { { SELECT ?p ?s (COUNT(*) AS ?n) { ?s ?p ?o } "
                      "GROUP BY ?p ?s } } GROUP BY ?p")
        in_deg = per("SELECT ?p (MAX(?n) AS ?m) { { SELECT ?p ?o (COUNT(*) AS ?n) { ?s ?p ?o } "
                     "GROUP BY ?p ?o } } GROUP BY ?p")

        max_s, bnodes = describe_shape(store)
        max_o = _one(store, "SELECT (MAX(?n) AS ?m) { { SELECT ?o (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?o } }")
        pred_count = {r["p"]: int(r["n"].value) for r in store.query(
            "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")}
        class_count = {r["c"]: int(r["n"].value) for r in store.query(
            "SELECT ?c (COUNT(*) AS ?n) { ?s a ?c } GROUP BY ?c")}
        big: dict = {}
        for proj, key in (("?p ?o", lambda r: (None, r["p"], r["o"])), ("?s ?p", lambda r: (r["s"], r["p"], None))):
            for r in store.query(f"SELECT {proj} (COUNT(*) AS ?n) {{ ?s ?p ?o }} GROUP BY {proj} "
                                 f"HAVING (COUNT(*) > {_WALK})"):
                big[key(r)] = int(r["n"].value)
        obj_kinds: dict = {}
        for r in store.query('SELECT DISTINCT ?p ?k { ?s ?p ?o BIND (IF(isLiteral(?o), STR(DATATYPE(?o)), "node") AS ?k) }'):
            obj_kinds.setdefault(r["p"], set()).add(r["k"].value)
        return cls(out_deg, in_deg, max(out_deg.values(), default=0), max(in_deg.values(), default=0),
                   max_s, max_o, len(out_deg), bnodes, sum(pred_count.values()), pred_count, class_count, big,
                   {p: frozenset(k) for p, k in obj_kinds.items()}, complete=True)


def _one(store: ox.Store, q: str) -> int:
    """The integer in the first cell of a query's answer (0 if none)."""
    for r in store.query(q):
        v = r[0]
        return int(v.value) if v is not None else 0
    return 0


def describe_shape(store: ox.Store) -> tuple[int, int]:
    """(the most triples one subject has, the triples about blank nodes): what DESCRIBE's
    bound needs. The build keeps them in release.json for a release too large for Stats.of."""
    return (_one(store, "SELECT (MAX(?n) AS ?m) { { SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s } }"),
            _one(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER isBlank(?s) }"))


# ----------------------------------------------------------------------------- the query, read

@dataclass
class Pattern:
    s: object  # a variable name (str), a constant (ox term), or None: a constant counted as any
    p: object
    o: object

    def vars(self) -> set[str]:
        return {t for t in (self.s, self.p, self.o) if isinstance(t, str)}


@dataclass
class Group:
    """A group graph pattern. SPARQL joins its items, but an OPTIONAL or a BIND closes what
    came before it: `{A B OPTIONAL {X} C}` is Join(LeftJoin(Join(A, B), X), C), never a join
    of A, B and C (so A and B may be a cross product even when C would connect them)."""

    items: list = field(default_factory=list)  # Pattern | Group | Union | Select, in order
    # (number of items before it, "opt", Group) or (number of items before it, "bind", variable)
    barriers: list = field(default_factory=list)
    filters: int = 0  # size of the FILTER and BIND expressions, evaluated per row


@dataclass
class Union:
    branches: list


@dataclass
class Select:
    where: Group
    projected: set | None  # None: SELECT *
    aggregate: bool = False
    grouped: bool = False
    ordered: bool = False
    exprs: int = 0
    limit: int | None = None
    order_keys: list | None = None  # the ORDER BY variables; None if a key is an expression
    aliases: dict = field(default_factory=dict)  # ?alias -> (FUNCTION, ?argument or None)


@dataclass
class Query:
    form: str  # select, ask, describe, construct
    select: Select | None
    described: int = 0  # DESCRIBE: resources named in the query
    template: int = 0  # CONSTRUCT: triples in the template


def _outer_call(inner: list) -> tuple[str, str | None] | None:
    """For `( FUNC ( ... ) AS ?v )` whose expression is one call: (FUNC, its argument's variable
    if that is all the argument is, else None). None for any other expression."""
    expr = inner[1:-3]
    if len(expr) < 3 or expr[0][0] != "word" or expr[1][1] != "(":
        return None
    depth = 0
    for n, (_kind, value) in enumerate(expr[1:], 1):
        if value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
            if depth == 0 and n != len(expr) - 1:
                return None  # e.g. STR(?a) + 1
    args = [t for t in expr[2:-1] if t != ("word", "DISTINCT")]
    return expr[0][1], (args[0][1][1:] if len(args) == 1 and args[0][0] == "var" else None)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    append = out.append
    pos = 0
    n = len(text)
    match = _TOKEN.match
    while True:
        m = match(text, pos)
        if m is None:
            if _TAIL.match(text, pos):
                return out
            raise NotBounded("unexpected text")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)  # type: ignore[arg-type]
        if kind == "word":
            if value != "a":
                value = value.upper()
        elif kind == "pname" and pos < n and text[pos] in ":%":
            raise NotBounded("prefixed name we might split differently")
        append((kind, value))  # type: ignore[arg-type]


class _Reader:
    def __init__(self, toks: list[tuple[str, str]], prefixes: dict[str, str]):
        self.toks = toks
        self.i = 0
        self.prefixes = prefixes
        self.fresh = 0
        self.expr_tokens = 0  # tokens read inside expressions so far (their cost per row)

    def peek(self, k: int = 0) -> tuple[str, str]:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("end", "")

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
        if self.peek()[1] == p and self.peek()[0] in ("punct", "op"):
            self.i += 1
            return True
        return False

    def expect(self, p: str) -> None:
        if not self.punct(p):
            raise NotBounded(f"expected {p!r}")

    def fresh_var(self) -> str:
        self.fresh += 1
        return f" path{self.fresh}"  # a space: no query variable can have this name

    # -- terms

    def iri(self, kind: str, value: str) -> ox.NamedNode:
        if kind == "iri":
            return ox.NamedNode(value[1:-1])
        prefix, _, local = value.partition(":")
        if prefix not in self.prefixes:
            raise NotBounded("undeclared prefix")
        return ox.NamedNode(self.prefixes[prefix] + local)

    def term(self, position: str) -> object:
        """A variable's name, a constant, or None for a constant we count as a wildcard."""
        kind, value = self.take()
        if kind == "var":
            return value[1:]
        if kind in ("iri", "pname"):
            return self.iri(kind, value)
        if kind == "word" and value == "a" and position == "p":
            return RDF_TYPE
        if position == "o" and kind == "str":
            if self.peek()[0] == "lang":
                lang = self.take()[1][1:]
                return ox.Literal(value[1:-1], language=lang) if lang == lang.lower() else None
            if self.peek() == ("op", "^^"):
                self.take()
                if self.peek()[0] not in ("iri", "pname"):
                    raise NotBounded("datatype")
                self.take()
                return None
            return ox.Literal(value[1:-1])
        if position == "o" and (kind == "num" or (kind == "word" and value in ("TRUE", "FALSE"))):
            return None
        raise NotBounded(f"unsupported term {value!r}")

    def path(self) -> list[object]:
        """A predicate: a variable, `a`, an IRI, or a sequence of IRIs `p1/p2/...`."""
        steps = [self.term("p")]
        while self.punct("/"):
            if isinstance(steps[-1], str):
                raise NotBounded("path")
            steps.append(self.term("p"))
            if isinstance(steps[-1], str):
                raise NotBounded("path")
        if self.peek()[0] == "op" and self.peek()[1] in ("*", "+", "|", "^", "!", "/"):
            raise NotBounded("path")
        return steps

    # -- expressions

    def expression(self) -> None:
        """Skip one bracketed expression `( ... )`, checking every word in it."""
        self.expect("(")
        start = self.i
        depth = 1
        while depth:
            kind, value = self.take()
            if kind == "end" or value in ("{", "}"):
                raise NotBounded("expression")
            if value == "(":
                depth += 1
            elif value == ")":
                depth -= 1
            elif kind == "word" and value not in _EXPR_WORDS:
                raise NotBounded(f"function {value}")
            elif kind == "pname" and self.peek()[1] == "(":
                if not value.startswith("xsd:"):
                    raise NotBounded("function")
        self.expr_tokens += self.i - start

    def order_keys(self) -> list | None:
        """Read ORDER BY's keys: their variables, or None if one is an expression."""
        keys: list | None = []
        while True:
            kind, value = self.peek()
            if kind == "var":
                self.take()
                if keys is not None:
                    keys.append(value[1:])
            elif kind == "word" and value in ("ASC", "DESC") and self.peek(1)[1] == "(":
                self.take()
                start = self.i
                self.expression()
                inner = self.toks[start:self.i]
                if len(inner) == 3 and inner[1][0] == "var" and keys is not None:
                    keys.append(inner[1][1][1:])
                else:
                    keys = None
            elif value == "(" or (kind == "word" and value in _FUNCTIONS):
                self.call_or_bracketed()
                keys = None
            else:
                break
        if keys == []:
            raise NotBounded("ORDER BY")
        return keys

    def call_or_bracketed(self) -> None:
        """`( expr )` or `FUNC( ... )` (FILTER, ORDER BY, GROUP BY, HAVING)."""
        kind, value = self.peek()
        if kind == "word" and value in _FUNCTIONS and self.peek(1)[1] == "(":
            self.take()
            self.expression()
        elif kind == "pname" and value.startswith("xsd:") and self.peek(1)[1] == "(":
            self.take()
            self.expression()
        else:
            self.expression()

    # -- patterns

    def triples(self, group: Group) -> None:
        s = self.term("s")
        if s is None:
            raise NotBounded("subject")
        while True:
            steps = self.path()
            while True:
                o = self.term("o")
                subject = s
                for k, p in enumerate(steps):
                    obj = o if k == len(steps) - 1 else self.fresh_var()
                    group.items.append(Pattern(subject, p, obj))
                    subject = obj
                if not self.punct(","):
                    break
            if not self.punct(";"):
                break
            if self.peek()[1] in (".", "}"):
                break  # a trailing ';'

    def group(self) -> Group:
        """`{ ... }`, the brace already read."""
        g = Group()
        while not self.punct("}"):
            kind, value = self.peek()
            if value == "{":
                self.take()
                if self.peek() == ("word", "SELECT"):
                    g.items.append(self.select())
                    self.expect("}")
                else:
                    branches = [self.group()]
                    while self.word("UNION"):
                        self.expect("{")
                        branches.append(self.group())
                    g.items.append(branches[0] if len(branches) == 1 else Union(branches))
            elif self.word("OPTIONAL"):
                self.expect("{")
                g.barriers.append((len(g.items), "opt", self.group()))
            elif self.word("FILTER"):
                before = self.expr_tokens
                self.call_or_bracketed()
                g.filters += self.expr_tokens - before  # per row, about linear in the expression's size
            elif self.word("BIND"):
                start = self.i
                self.expression()
                inner = self.toks[start:self.i]
                if len(inner) < 4 or inner[-3][1] != "AS" or inner[-2][0] != "var":
                    raise NotBounded("BIND")
                g.barriers.append((len(g.items), "bind", (inner[-2][1][1:], _outer_call(inner))))
                g.filters += len(inner) - 2
            elif kind in ("var", "iri", "pname"):
                self.triples(g)
            else:
                raise NotBounded(f"unexpected {value!r}")
            self.punct(".")
        return g

    def select(self) -> Select:
        if not self.word("SELECT"):
            raise NotBounded("query form")
        self.word("DISTINCT", "REDUCED")
        sel = Select(Group(), set())
        head = self.expr_tokens
        if self.punct("*"):
            sel.projected = None
        else:
            while True:
                kind, value = self.peek()
                if kind == "var":
                    self.take()
                    sel.projected.add(value[1:])  # type: ignore[union-attr]
                elif value == "(":
                    start = self.i
                    self.expression()
                    inner = self.toks[start:self.i]
                    if len(inner) < 4 or inner[-3][1] != "AS" or inner[-2][0] != "var":
                        raise NotBounded("projection")
                    sel.projected.add(inner[-2][1][1:])  # type: ignore[union-attr]
                    if any(k == "word" and v in _AGGREGATES for k, v in inner):
                        sel.aggregate = True
                    call = _outer_call(inner)  # what ?a holds: known for some one-call expressions
                    if call is not None:
                        sel.aliases[inner[-2][1][1:]] = call
                else:
                    break
            if not sel.projected:
                raise NotBounded("projection")
        sel.exprs = self.expr_tokens - head  # per row, the expressions cost about their size
        self.word("WHERE")
        self.expect("{")
        sel.where = self.group()
        tail = self.expr_tokens
        if self.word("GROUP"):
            if not self.word("BY"):
                raise NotBounded("GROUP")
            sel.grouped = True
            n = 0
            while True:
                kind, value = self.peek()
                if kind == "var":
                    self.take()
                elif value == "(" or (kind == "word" and value in _FUNCTIONS):
                    start = self.i
                    self.call_or_bracketed()
                    inner = self.toks[start:self.i]
                    if len(inner) > 3 and inner[-3][1] == "AS" and inner[-2][0] == "var":
                        if sel.projected is not None:
                            sel.projected.add(inner[-2][1][1:])
                else:
                    break
                n += 1
            if not n:
                raise NotBounded("GROUP BY")
        if self.word("HAVING"):
            self.call_or_bracketed()
            while self.peek()[1] == "(":
                self.call_or_bracketed()
        if self.word("ORDER"):
            if not self.word("BY"):
                raise NotBounded("ORDER")
            sel.ordered = True
            sel.order_keys = self.order_keys()
        for _ in range(2):
            if self.word("LIMIT"):
                kind, value = self.take()
                if kind != "num" or not value.isdigit():
                    raise NotBounded("LIMIT")
                sel.limit = int(value)
            elif self.word("OFFSET"):
                kind, value = self.take()
                if kind != "num" or not value.isdigit():
                    raise NotBounded("OFFSET")
        sel.exprs += self.expr_tokens - tail
        if sel.grouped:
            sel.aggregate = True
        return sel


def parse(text: str) -> Query:
    """The query, read in the bounded grammar; NotBounded otherwise."""
    if len(text) > MAX_TEXT:
        raise NotBounded("long query")
    prefixes: dict[str, str] = {}
    pos = 0
    while True:
        m = _PREFIX_DECL.match(text, pos)
        if m is None:
            break
        if ":" not in m.group(2):
            raise NotBounded("relative prefix IRI")
        if m.group(1) in prefixes and prefixes[m.group(1)] != m.group(2):
            raise NotBounded("a prefix declared twice")  # which one counts is the engine's choice
        prefixes[m.group(1)] = m.group(2)
        pos = m.end()
    body = text[pos:]
    if body.count("<") > 256:  # each could start an IRI that is read to the end of the text
        raise NotBounded("many '<'")
    if _OUTSIDE.search(body) or not _OUTSIDE_WORDS.isdisjoint(_WORD.findall(body.upper())):
        raise NotBounded("outside the grammar")
    r = _Reader(_tokens(body), prefixes)
    kind, value = r.peek()
    if value == "SELECT":
        q = Query("select", r.select())
    elif r.word("ASK"):
        r.word("WHERE")
        r.expect("{")
        q = Query("ask", Select(r.group(), None))
    elif r.word("DESCRIBE"):
        described = 0
        while r.peek()[0] in ("var", "iri", "pname"):
            r.term("s")
            described += 1
        if not described:
            raise NotBounded("DESCRIBE *")
        if r.peek() == ("end", ""):
            return Query("describe", None, described=described)
        r.word("WHERE")
        r.expect("{")
        q = Query("describe", Select(r.group(), None), described=described)
    elif r.word("CONSTRUCT"):
        r.expect("{")
        template = r.group()
        if template.barriers or template.filters or any(not isinstance(i, Pattern) for i in template.items):
            raise NotBounded("template")
        r.word("WHERE")
        r.expect("{")
        q = Query("construct", Select(r.group(), None), template=len(template.items))
    else:
        raise NotBounded("query form")
    if q.form != "select":  # modifiers after ASK / DESCRIBE / CONSTRUCT: ORDER BY, LIMIT
        assert q.select is not None
        if r.word("ORDER"):
            if not r.word("BY"):
                raise NotBounded("ORDER")
            q.select.ordered = True
            q.select.order_keys = r.order_keys()
        for _ in range(2):
            if r.word("LIMIT", "OFFSET"):
                if not r.take()[1].isdigit():
                    raise NotBounded("LIMIT")
    if r.peek() != ("end", ""):
        raise NotBounded(f"unexpected {r.peek()[1]!r}")
    return q


# ----------------------------------------------------------------------------- the bound

class _Over(Exception):
    """The bound passed the cap: stop counting."""


@dataclass
class _Item:
    size: int
    vars: frozenset  # bound in every row: only these narrow a join
    pattern: Pattern | None  # a triple pattern knows its degrees; other items only their size
    maybe: frozenset = frozenset()  # bound in some rows (OPTIONAL, UNION, BIND, expressions)


class _Bounder:
    def __init__(self, store: ox.Store, stats: Stats | None, cap: int):
        self.store = store
        self.stats = stats if stats is not None and stats.complete else None  # counts, degrees
        self.cap = cap
        self.peak = 0

    def check(self, n: float) -> int:
        if n > self.cap:
            raise _Over
        return int(n)

    def count(self, p: Pattern) -> int:
        """Triples matching the pattern's constants (its variables and wildcards match any)."""
        s, pr, o = (t if isinstance(t, (ox.NamedNode, ox.Literal)) else None for t in (p.s, p.p, p.o))
        if isinstance(s, ox.Literal) or isinstance(pr, ox.Literal):
            return 0
        st = self.stats
        if st is not None and s is None and pr is not None:  # no index walk for the big ones
            if o is None:
                return self.check(st.pred_count.get(pr, 0))
            if pr == RDF_TYPE and isinstance(o, ox.NamedNode):
                return self.check(st.class_count.get(o, 0))
        if s is None and pr is None and o is None:
            return self.check(st.triples if st is not None else math.inf)
        if st is None and s is None and o is None:
            raise NotBounded("a scan of a predicate")  # without statistics: too slow to count
        if st is not None and pr is not None and (s is None) != (o is None):
            n = st.big.get((s, pr, o))  # counted ahead when large
            if n is not None:
                return self.check(n)
            walk = _WALK
        else:
            walk = 8 * _WALK
        n = sum(1 for _ in islice(self.store.quads_for_pattern(s, pr, o, None), walk + 1))
        if n <= walk:
            return n
        # many: let the engine count them (fast, and the count is capped by a LIMIT)
        where = " ".join(t.__str__() if t is not None else f"?v{k}" for k, t in enumerate((s, pr, o)))
        q = f"SELECT (COUNT(*) AS ?n) {{ SELECT * {{ {where} }} LIMIT {self.cap + 1} }}"
        return self.check(int(next(iter(self.store.query(q)))[0].value))

    def degree(self, item: _Item, fixed: frozenset) -> int:
        """The most rows of `item` that agree on given values of the variables `fixed`."""
        shared = item.vars & fixed
        if not shared:
            return item.size
        p = item.pattern
        if p is None or self.stats is None:
            return item.size
        st = self.stats
        bound_s = not isinstance(p.s, str) or p.s in shared
        bound_p = not isinstance(p.p, str) or p.p in shared
        bound_o = not isinstance(p.o, str) or p.o in shared
        pred = p.p if isinstance(p.p, ox.NamedNode) else None
        if bound_s and bound_p and bound_o:
            d = 1
        elif bound_s and bound_p:
            d = st.out_deg.get(pred, 0) if pred is not None else st.max_sp
        elif bound_p and bound_o:
            d = st.in_deg.get(pred, 0) if pred is not None else st.max_po
        elif bound_s and bound_o:
            d = st.predicates
        elif bound_s:
            d = st.max_s
        elif bound_o:
            d = st.max_o
        else:
            d = item.size
        return min(d, item.size)

    def group(self, g: Group) -> tuple[int, int, frozenset, frozenset]:
        """(rows, work, variables bound in every row, variables bound in some) of a group.

        A variable that may be unbound in a row (from an OPTIONAL, one branch of a UNION, a
        BIND) joins that row with every row of the other side, so only the variables bound in
        every row count as shared when a join is bounded by a degree. The group is evaluated as
        SPARQL says: the items up to a barrier (OPTIONAL, BIND) are joined, and what follows is
        joined to that result as one more item."""
        work = 0
        outer_peak, self.peak = self.peak, 0  # the largest intermediate inside this group
        done: _Item | None = None  # what the items and barriers so far give
        done_work = 0
        top = 1  # the largest intermediate result so far
        pos = 0
        for before, kind, payload in g.barriers + [(len(g.items), "end", None)]:
            segment = g.items[pos:before]
            pos = before
            if segment or done is None:
                items: list[_Item] = []
                rerun: list[int] = []
                if done is not None:
                    items.append(done)
                    rerun.append(done_work)
                for it in segment:
                    if isinstance(it, Pattern):
                        n = self.count(it)
                        vs = frozenset(it.vars())
                        items.append(_Item(n, vs, it, vs))
                        rerun.append(0)
                        work += n
                    else:
                        rows, w, certain, maybe = self.node(it)
                        items.append(_Item(rows, certain, None, maybe | certain))
                        # Oxigraph may evaluate a UNION or a nested group again for each row
                        # (for-loop join); a sub-SELECT (a projection) it evaluates once
                        # (test_a_sub_select_is_evaluated_once checks that assumption)
                        rerun.append(0 if isinstance(it, Select) else w)
                        work += w
                rows, w, biggest = self.join(items, rerun)
                work = self.check(work + w)
                top = max(top, biggest)
                done = _Item(rows, frozenset().union(*(it.vars for it in items)), None,
                             frozenset().union(*(it.maybe for it in items)))
                done_work = work
            if kind == "opt":
                r_rows, r_work, r_certain, r_maybe = self.group(payload)
                shared = done.vars & r_certain
                if len(payload.items) == 1 and isinstance(payload.items[0], Pattern) and not payload.barriers:
                    pat = payload.items[0]
                    f = max(1, self.degree(_Item(r_rows, frozenset(pat.vars()), pat), shared))
                    work += done.size * (f + 1) + r_work
                else:  # evaluated alone, or once per row of the left side
                    f = max(1, r_rows)
                    work += done.size * (r_work + 1) + r_work
                # its FILTER may use the left side's variables: evaluated once per pair of rows
                work += done.size * max(1, r_rows) * payload.filters
                done = _Item(self.check(done.size * f), done.vars, None, done.maybe | r_maybe | r_certain)
                top = max(top, done.size)
                self.peak = max(self.peak, done.size)
                done_work = work = self.check(work)
            elif kind == "bind":
                done = _Item(done.size, done.vars, None, done.maybe | {payload[0]})
        assert done is not None
        # a FILTER may be pushed down into nested groups, onto rows this group's joins never see
        inner = max(top, self.peak)
        self.peak = max(outer_peak, inner)
        work += inner * g.filters
        return done.size, self.check(work), done.vars, done.maybe

    def join(self, items: list[_Item], rerun: list[int]) -> tuple[int, int, int]:
        """(rows, work, largest intermediate) of joining `items` in any order the engine picks.
        `rerun[i]` is the work of item i if the engine evaluates it again for each row of the
        others (a for-loop join), 0 for a triple pattern (one index lookup per row)."""
        if len(items) > _MAX_ITEMS:
            raise NotBounded("too many joined items")
        k = len(items)
        if k == 0:
            return 1, 0, 1
        full = (1 << k) - 1
        names = sorted(frozenset().union(*(it.maybe for it in items)))
        bit = {v: 1 << n for n, v in enumerate(names)}
        ivars = [sum(bit[v] for v in it.vars) for it in items]
        anyvars = [sum(bit[v] for v in it.maybe) for it in items]
        adj = [0] * k  # items the engine may join with item i (sharing any variable)
        for i in range(k):
            for j in range(k):
                if i != j and anyvars[i] & anyvars[j]:
                    adj[i] |= 1 << j
        # jb[S]: a bound on the rows of the join of S (a bit mask of items), for the connected S
        # (-1 for the others): the engine joins the parts of a connected pattern through shared
        # variables, and takes the product of unconnected parts last
        jb = [-1] * (full + 1)
        vm = [0] * (full + 1)  # the variables bound in every row of S, as a bit mask
        degs: dict = {}
        biggest = 0
        for mask in range(1, full + 1):
            low = mask & -mask
            vm[mask] = vm[mask ^ low] | ivars[low.bit_length() - 1]
            if mask == low:  # one item
                jb[mask] = n = self.check(items[low.bit_length() - 1].size)
                if n > biggest:
                    biggest = n
                continue
            best = -1
            m = mask
            while m:
                b = m & -m
                m ^= b
                others = mask ^ b
                if jb[others] < 0:
                    continue  # S - j is not connected
                j = b.bit_length() - 1
                if not adj[j] & others:
                    continue
                key = (j, ivars[j] & vm[others])
                d = degs.get(key)
                if d is None:
                    d = degs[key] = self.degree(items[j], frozenset(v for v in names if bit[v] & key[1]))
                cand = jb[others] * d
                if best < 0 or cand < best:
                    best = cand
            if best >= 0:
                jb[mask] = n = self.check(best)
                if n > biggest:
                    biggest = n
        # the connected components, joined last as a product
        rows = 1
        seen = 0
        for i in range(k):
            if seen >> i & 1:
                continue
            comp = 1 << i
            while True:
                grow = comp
                for j in range(k):
                    if comp >> j & 1:
                        grow |= adj[j]
                if grow == comp:
                    break
                comp = grow
            seen |= comp
            rows = self.check(rows * jb[comp])
        biggest = max(biggest, rows)
        self.peak = max(self.peak, biggest)
        work = 2 * k * biggest
        if k > 1:
            work += biggest * sum(rerun)
        return rows, self.check(work), biggest

    def node(self, it) -> tuple[int, int, frozenset, frozenset]:
        if isinstance(it, Group):
            return self.group(it)
        if isinstance(it, Union):
            rows = work = 0
            certain: frozenset | None = None
            maybe: frozenset = frozenset()
            for b in it.branches:
                r, w, c, m = self.group(b)
                rows += r
                work += w
                certain = c if certain is None else certain & c
                maybe |= m
            return self.check(rows), self.check(work), certain or frozenset(), maybe
        if isinstance(it, Select):
            return self.select(it)
        raise NotBounded("item")

    def kinds(self, g: Group, out: dict) -> dict:
        """For each variable of the group, the kinds of value it may hold ("node", a datatype
        IRI, or ANY)."""
        def add(v, ks) -> None:
            if isinstance(v, str):
                out[v] = out.get(v, frozenset()) | ks

        node = frozenset({"node"})
        for it in g.items:
            if isinstance(it, Pattern):
                add(it.s, node)
                add(it.p, node)
                if isinstance(it.o, str):
                    st = self.stats
                    ks = st.obj_kinds.get(it.p, frozenset()) if st is not None and isinstance(it.p, ox.NamedNode) \
                        else frozenset({ANY})
                    add(it.o, ks)
            elif isinstance(it, Group):
                self.kinds(it, out)
            elif isinstance(it, Union):
                for b in it.branches:
                    self.kinds(b, out)
            elif isinstance(it, Select):
                for v, ks in self.select_kinds(it).items():
                    add(v, ks)
        for _before, kind, payload in g.barriers:
            if kind == "opt":
                self.kinds(payload, out)
            else:
                var, call = payload
                add(var, _call_kinds(call, out))
        return out

    def select_kinds(self, sel: Select, projected_only: bool = True) -> dict:
        inner = self.kinds(sel.where, {})
        res = dict(inner) if sel.projected is None or not projected_only else \
            {v: inner[v] for v in sel.projected if v in inner}
        for alias, call in sel.aliases.items():
            res[alias] = _call_kinds(call, inner)
        for v in sel.projected or ():
            res.setdefault(v, frozenset({ANY}) if v not in inner else inner[v])
        return res

    def check_order(self, sel: Select) -> None:
        """NotBounded unless every ORDER BY key holds one family of totally ordered values."""
        if not sel.ordered:
            return
        if sel.order_keys is None or self.stats is None:
            raise NotBounded("ORDER BY an expression, or without statistics")
        kinds = self.select_kinds(sel, projected_only=False)
        for key in sel.order_keys:
            families = {_FAMILIES.get(k) for k in kinds.get(key, frozenset())}
            if len(families) > 1 or None in families:
                raise NotBounded(f"ORDER BY ?{key}: values that may not sort safely")

    def select(self, sel: Select) -> tuple[int, int, frozenset, frozenset]:
        self.check_order(sel)
        rows, work, certain, maybe = self.group(sel.where)
        work += rows * (sel.exprs + 1)
        if sel.aggregate:
            work += rows
            if not sel.grouped:
                rows = 1
        if sel.ordered:
            work += rows * max(1, math.ceil(math.log2(rows + 1)))
        if sel.limit is not None:
            rows = min(rows, sel.limit)
        if sel.projected is None:
            return rows, self.check(work), certain, maybe
        out = frozenset(sel.projected)  # what an expression computes may be unbound
        return rows, self.check(work), out & certain, out


def bounds(query: str, store: ox.Store, stats: Stats | None = None, cap: int = 2000) -> tuple[int, int] | None:
    """(rows of the answer, rows its evaluation touches), each an upper bound, or None when the
    query is outside the bounded grammar or a bound passes `cap`."""
    try:
        q = parse(query)
        b = _Bounder(store, stats, cap)
        if q.select is None:  # DESCRIBE <iri> ...: their descriptions
            if stats is None:
                return None
            n = b.check(q.described * max(1, stats.max_s + stats.bnode_triples))
            return n, n
        rows, work, _, _ = b.select(q.select)
        if q.form == "construct":
            rows = rows * q.template
            work += rows
        elif q.form == "describe":
            if stats is None:
                return None
            rows = rows * q.described * max(1, stats.max_s + stats.bnode_triples)
            work += rows
        elif q.form == "ask":
            rows = 1
        return rows, b.check(work)
    except (NotBounded, _Over, RecursionError):  # RecursionError: nesting deeper than we read
        return None
    except (ValueError, TypeError):  # an IRI pyoxigraph refuses, ...: let the workers report it
        return None


def work_bound(query: str, store: ox.Store, stats: Stats | None = None, cap: int = 2000) -> int | None:
    """An upper bound on the rows the query's evaluation touches, or None (see `bounds`)."""
    b = bounds(query, store, stats, cap)
    return None if b is None else b[1]


def is_bounded(query: str, store: ox.Store, cap: int = 2000, stats: Stats | None = None) -> bool:
    """True when the query is in the bounded grammar and its work is at most `cap` rows."""
    return work_bound(query, store, stats, cap) is not None
