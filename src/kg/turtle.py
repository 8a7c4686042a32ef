"""Turtle that reads well: `jurisdiction:norwich-ct`, not `id:jurisdiction\\/norwich-ct`.

Oxigraph abbreviates an IRI with a prefix even when the local part needs backslash escapes
(`/`, `#`); here an IRI is written as a prefixed name only when its local part needs none, and
in full otherwise. Instance IRIs get one prefix per kind (`jurisdiction:`, `operation:`,
`tactic:`, ...), a resource's own fragments the empty prefix in its document (`:uses-web-stings`),
numbers and booleans their bare forms, and triples are grouped by subject (`;` and `,`).
Streams: memory does not grow with the number of triples.
"""
from __future__ import annotations

import re
from typing import IO, Iterable

import pyoxigraph as ox

from .vocab import KINDS, PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# a local part that needs no escape in Turtle (PN_LOCAL without PLX, no dot at the end)
SAFE_LOCAL = re.compile(r"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$")
BARE = {XSD + "integer": re.compile(r"^[+-]?[0-9]+$"), XSD + "decimal": re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
        XSD + "boolean": re.compile(r"^(?:true|false)$")}


def prefixes_for(base: str) -> dict[str, str]:
    """The vocabularies' prefixes and one per kind of instance IRI under `base`."""
    out = {p: str(ns) for p, ns in PREFIXES.items()}
    for kind in KINDS:
        out[kind] = f"{base}{kind}/"
    return out


class Writer:
    def __init__(self, out: IO[bytes], prefixes: dict[str, str]):
        self.out = out
        # longest namespace first, so `jurisdiction:` wins over a shorter one that also matches
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for p, ns in self.prefixes:
            if iri.startswith(ns) and SAFE_LOCAL.match(iri[len(ns):]):
                return f"{p}:{iri[len(ns):]}"
        return str(ox.NamedNode(iri))

    def term(self, t) -> str:
        if isinstance(t, ox.NamedNode):
            return self.iri(t.value)
        if isinstance(t, ox.BlankNode):
            return str(t)
        dt = t.datatype.value
        if t.language is not None or dt == XSD + "string":
            return str(t)
        bare = BARE.get(dt)
        if bare is not None and bare.match(t.value):
            return t.value
        return f"{ox.Literal(t.value)}^^{self.iri(dt)}"

    def write(self, triples: Iterable) -> int:
        """Write the triples, consecutive ones of a subject as one statement; returns how many."""
        w = self.out.write
        subject = predicate = None
        n = 0
        for t in triples:
            s, p = t.subject, t.predicate
            ptext = "a" if p.value == RDF_TYPE else self.iri(p.value)
            if s == subject:
                if p == predicate:
                    w(b" ,\n        " + self.term(t.object).encode())
                else:
                    w(b" ;\n    " + ptext.encode() + b" " + self.term(t.object).encode())
            else:
                if subject is not None:
                    w(b" .\n\n")
                w(self.term(s).encode() + b" " + ptext.encode() + b" " + self.term(t.object).encode())
            subject, predicate = s, p
            n += 1
        if subject is not None:
            w(b" .\n")
        return n


def header(prefixes: dict[str, str]) -> bytes:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode() + b"\n"


def document(triples: list, prefixes: dict[str, str], first: str | None = None) -> bytes:
    """One resource's Turtle: the resource first, then its fragments (with the empty prefix),
    then the rest, each subject's triples together, rdf:type first; only the prefixes used."""
    import io

    if first is not None:
        prefixes = dict(prefixes, **{"": first + "#"})

    def rank(t):
        s = t.subject.value
        where = 0 if s == first else 1 if first is not None and s.startswith(first + "#") else 2
        return (where, s, t.predicate.value != RDF_TYPE, t.predicate.value, str(t.object))

    ordered = sorted(triples, key=rank)
    buf = io.BytesIO()
    w = Writer(buf, prefixes)
    w.write(ordered)
    body = buf.getvalue()
    used = {p: ns for p, ns in prefixes.items()
            if re.search(rb"(?:^|[\s(\[,;^])" + re.escape(p.encode()) + rb":", body, re.M)}
    return header(used) + body
