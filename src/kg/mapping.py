"""Profile -> RDF under the Demand KG ontology.

One function per resource kind; `profile_graph` adds everything one profile says. Every
jurisdiction, claim and operation points back to its page with prov:wasDerivedFrom.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import us
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from . import tactics as _tactics
from .errors import Where
from .model import Operation, Profile, Source
from .vocab import DEFAULT_BASE, DKG, PREFIXES, SCHEMA, Iris, ontology_dir

URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
KIND_CONCEPT = {
    "City": "city", "Town": "town", "Village": "village", "Borough": "borough",
    "Township": "township", "County": "county", "Parish": "parish", "Hamlet": "hamlet",
    "CDP": "cdp", "Other": "other",
}


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    return g


def date_literal(value: str) -> Literal:
    """YYYY -> xsd:gYear, YYYY-MM -> xsd:gYearMonth, YYYY-MM-DD -> xsd:date."""
    dt = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=dt)


def postal_codes() -> frozenset[str]:
    """The USPS codes of the states, DC and the territories: the states a place may lie in."""
    return _POSTAL


_POSTAL = frozenset({s.abbr for s in us.states.STATES_AND_TERRITORIES} | {"DC"})


def state_name(postal: str) -> str | None:
    st = us.states.lookup(postal, field="abbr") if postal else None
    return st.name if st else None


def jurisdiction_label(p: Profile) -> str:
    return f"{p.name}, {p.state}" if p.state else p.name


def add_state(g: Graph, iris: Iris, postal: str) -> URIRef:
    s = iris.state(postal)
    g.add((s, RDF.type, DKG.State))
    g.add((s, RDFS.label, Literal(state_name(postal) or postal, lang="en")))
    g.add((s, DKG.postalCode, Literal(postal)))
    return s


def add_agency(g: Graph, iris: Iris, state: str | None, name: str, page: URIRef | None) -> URIRef:
    a = iris.agency(state, name)
    g.add((a, RDF.type, DKG.Agency))
    g.add((a, RDFS.label, Literal(name, lang="en")))
    if state:
        g.add((a, SCHEMA.areaServed, iris.state(state)))
    if page is not None:
        g.add((a, PROV.wasDerivedFrom, page))
    return a


def operation_slug(p: Profile, op: Operation, taken: set[str]) -> str:
    """Readable, stable within a profile: {place}-{start}-{first tactic}[-n]; an event that
    several places' pages report (`event` in the records) has the event's id, the same in each."""
    if op.event:
        taken.add(op.event)
        return op.event
    when = op.start or op.circa or (f"to-{op.end}" if op.end else "undated")
    what = _tactics.slug(op.tactics[0]) if op.tactics else "unstated"
    base = f"{p.slug}-{when}-{what}"
    s, n = base, 2
    while s in taken:
        s, n = f"{base}-{n}", n + 1
    taken.add(s)
    return s


def operation_label(p: Profile, op: Operation) -> str:
    """"Web Stings in Norwich, CT, 2008"; for an event reported by several places' pages the
    label names no place (each page gives it the same one): "Reverse Stings by Pittsburgh
    Bureau of Police, 2015-08"."""
    what = " and ".join(op.tactics) if op.tactics else "Action against buyers"
    where = (f" by {op.agency}" if op.agency else " (reported by several places)") if op.event \
        else f" in {jurisdiction_label(p)}"
    when = ""
    if op.start:
        when = f", since {op.start}" if op.since else f", {op.start}"
        if op.end:
            when += f" to {op.end}"
    elif op.circa:
        when = f", since the {op.circa}" if op.since else f", in the {op.circa}"
    elif op.end:
        when = f", until {op.end}"
    return f"{what}{where}{when}"


def source_label(s: Source) -> str:
    text = s.title or s.citation or s.url or "Source"
    return text if len(text) <= 160 else text[:157] + "..."


def profile_graph(g: Graph, p: Profile, iris: Iris) -> URIRef:
    """Add one profile's facts to g; returns the jurisdiction IRI."""
    j = iris.jurisdiction(p.slug)
    label = jurisdiction_label(p)
    page = URIRef(p.url) if p.url and URL_RE.match(p.url) else None
    add = g.add

    add((j, RDF.type, DKG.Jurisdiction))
    add((j, RDFS.label, Literal(label, lang="en")))
    for note in p.notes:
        add((j, SKOS.editorialNote, Literal(note, lang="en")))
    add((j, SCHEMA.name, Literal(p.name, lang="en")))
    if p.state:
        add((j, DKG.state, iris.state(p.state)))
    if p.kind in KIND_CONCEPT:
        add((j, DKG.jurisdictionType, DKG[KIND_CONCEPT[p.kind]]))
    if p.best_population is not None:
        add((j, DKG.population, Literal(p.best_population, datatype=XSD.integer)))
    if p.population_narrative is not None:
        add((j, DKG.narrativePopulation, Literal(p.population_narrative, datatype=XSD.integer)))

    if page is not None:
        add((j, PROV.wasDerivedFrom, page))
        add((j, DKG.profilePage, page))
        add((page, RDF.type, DKG.ProfilePage))
        add((page, RDFS.label, Literal(f"Demand Forum profile: {label}", lang="en")))
        add((page, SCHEMA.about, j))
        if p.input_form:
            add((page, DKG.inputForm, Literal(p.input_form)))
        if p.list_version:
            add((page, DKG.listVersion, Literal(p.list_version)))
        if p.read_to_footer is not None:
            add((page, DKG.readExtent, DKG.readToFooter if p.read_to_footer else DKG.readCutOff))
        if p.read_chars is not None:
            add((page, DKG.charactersRead, Literal(p.read_chars, datatype=XSD.nonNegativeInteger)))
        for name in p.listed_tactics:
            if name in _tactics.BY_NAME:
                add((page, DKG.listedTactic, iris.tactic(_tactics.slug(name))))

    sources = []
    for n, s in enumerate(p.sources, 1):
        src = iris.source(f"{p.slug}-{n}")
        sources.append((s, src))
        add((j, DKG.citedSource, src))
        add((src, RDF.type, DKG.Source))
        add((src, RDFS.label, Literal(source_label(s), lang="en")))
        if s.citation:
            add((src, DCTERMS.bibliographicCitation, Literal(s.citation)))
        if s.title:
            add((src, DCTERMS.title, Literal(s.title)))
        if s.publication:
            add((src, DKG.publication, Literal(s.publication)))
        if s.url and URL_RE.match(s.url):
            add((src, SCHEMA.url, URIRef(s.url)))
        if s.date:
            add((src, DCTERMS.date, date_literal(s.date)))
        elif s.year is not None:
            add((src, DCTERMS.date, Literal(f"{s.year:04d}", datatype=XSD.gYear)))
        if s.heading:
            add((src, DKG.sourceHeading, Literal(s.heading)))
        if page is not None:
            add((src, PROV.wasDerivedFrom, page))

    def sources_for(tactic: str) -> Iterable[URIRef]:
        # A source filed under a heading that names the tactic backs claims of that tactic.
        for s, src in sources:
            if s.heading and any(_tactics.normalise(h) == tactic for h in re.split(r",|\band\b|&", s.heading)):
                yield src

    for c in p.tactics:
        t = iris.tactic(_tactics.slug(c.tactic))
        claim = URIRef(f"{j}#uses-{_tactics.slug(c.tactic)}")
        add((j, DKG.usesTactic, t))
        add((j, DKG.tacticClaim, claim))
        add((claim, RDF.type, DKG.TacticClaim))
        add((claim, RDFS.label, Literal(f"{label} uses {c.tactic}", lang="en")))
        add((claim, DKG.tactic, t))
        for e in c.evidence:
            add((claim, DKG.evidenceKind, DKG[e]))
        for q in c.quotes:
            add((claim, DKG.quote, Literal(q)))
        for h in c.headings:
            add((claim, DKG.sourceHeading, Literal(h)))
        for src in sources_for(c.tactic):
            add((claim, DKG.citedSource, src))
        if c.confidence is not None:
            add((claim, DKG.confidence, Literal(f"{c.confidence:.2f}", datatype=XSD.decimal)))
        if c.curated:
            add((claim, DKG.curatorAccepted, Literal(True)))
        if page is not None:
            add((claim, PROV.wasDerivedFrom, page))
    for name in p.negated_tactics:
        add((j, DKG.negatedTactic, iris.tactic(_tactics.slug(name))))

    for name in p.partners:
        add((j, DKG.partner, add_agency(g, iris, p.state, name, page)))

    taken: set[str] = set()
    for op in p.operations:
        o = iris.operation(operation_slug(p, op, taken))
        add((o, RDF.type, DKG.Operation))
        add((o, RDFS.label, Literal(operation_label(p, op), lang="en")))
        add((o, DKG.inJurisdiction, j))
        for name in op.tactics:
            add((o, DKG.tactic, iris.tactic(_tactics.slug(name))))
        if not op.tactics:
            add((o, DKG.tacticUnstated, Literal(True)))
        if op.start:
            add((o, DKG.startDate, date_literal(op.start)))
        if op.end:
            add((o, DKG.endDate, date_literal(op.end)))
        if op.since:
            add((o, DKG.ongoingSince, Literal(True)))
        if op.circa:
            add((o, DKG.circa, Literal(op.circa)))
        if op.confidence is not None:
            add((o, DKG.confidence, Literal(f"{op.confidence:.2f}", datatype=XSD.decimal)))
        if op.curated:
            add((o, DKG.curatorAccepted, Literal(True)))
        if op.arrests is not None:
            add((o, DKG.arrests, Literal(op.arrests, datatype=XSD.nonNegativeInteger)))
        if op.mixed_arrests is not None:
            add((o, DKG.mixedArrests, Literal(op.mixed_arrests, datatype=XSD.nonNegativeInteger)))
        for note in op.notes:
            add((o, SKOS.editorialNote, Literal(note, lang="en")))
        if op.agency:
            add((o, DKG.agency, add_agency(g, iris, p.state, op.agency, page)))
        if op.text:
            add((o, DKG.quote if op.text_is_quote else DKG.summary, Literal(op.text)))
        for name in op.tactics:
            for src in sources_for(name):
                add((o, DKG.citedSource, src))
        if page is not None:
            add((o, PROV.wasDerivedFrom, page))
    return j


def rebase(g: Graph, default_base: str, base: str) -> Graph:
    """The same graph with IRIs under default_base moved under base (for --base-uri)."""
    if base == default_base:
        return g
    out = new_graph()

    def r(term):
        if isinstance(term, URIRef) and str(term).startswith(default_base):
            return URIRef(base + str(term)[len(default_base):])
        return term

    for s, p_, o in g:
        out.add((r(s), p_, r(o)))
    return out


def all_postal_codes() -> list[str]:
    return sorted(postal_codes())


def reference_graph(base: str | None = None) -> Graph:
    """What every release holds besides the profiles: ontology, tactic scheme, states."""
    iris = Iris(base or DEFAULT_BASE)
    g = new_graph()
    for f in sorted(ontology_dir().glob("*.ttl")):
        g.parse(f, format="turtle")
    g = rebase(g, DEFAULT_BASE, iris.base)
    for postal in all_postal_codes():
        add_state(g, iris, postal)
    return g


def graph_for_profiles(profiles: list[Profile], *, where: dict[str, Where] | None = None,
                       base: str | None = None) -> Graph:
    """The instance triples of the profiles; `where` is filled with each resource's origin."""
    iris = Iris(base or DEFAULT_BASE)
    g = new_graph()
    for p in profiles:
        profile_graph(g, p, iris)
        if where is not None:
            record_where(iris, p, where)
    return g


def record_where(iris: Iris, p: Profile, where: dict[str, Where]) -> None:
    """Map the IRIs minted for a profile back to its file, record and field."""
    file, rec = p.file or "-", p.record or p.slug
    where[str(iris.jurisdiction(p.slug))] = Where(file, rec)
    if p.url:
        where[p.url] = Where(file, rec)
    taken: set[str] = set()
    for n, op in enumerate(p.operations, 1):
        where[str(iris.operation(operation_slug(p, op, taken)))] = Where(file, rec, f"operations[{n}].")
    for n, _ in enumerate(p.sources, 1):
        where[str(iris.source(f"{p.slug}-{n}"))] = Where(file, rec, f"sources[{n}].")
