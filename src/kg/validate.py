"""SHACL validation of a release graph, with every problem traced to file, record and field.

`kg validate PATH ...` validates graph files (Turtle, N-Triples, JSON-LD) or profile files.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .errors import Problem, Where
from .vocab import SH, load_dir, shapes_dir

# Record field names for the RDF properties a user is most likely to see in a report.
FIELD_NAMES = {
    "population": "population", "narrativePopulation": "population_narrative",
    "state": "state", "postalCode": "state", "jurisdictionType": "kind", "label": "name",
    "usesTactic": "tactics", "tacticClaim": "tactics", "negatedTactic": "negated_tactics",
    "startDate": "start", "endDate": "end", "arrests": "arrests", "agency": "agency",
    "tactic": "tactics", "inJurisdiction": "jurisdiction", "quote": "text", "summary": "summary",
    "citedSource": "sources", "partner": "partners", "wasDerivedFrom": "url",
    "bibliographicCitation": "citation", "url": "url", "date": "date",
    "evidenceKind": "evidence", "listedTactic": "listed_tactics",
}


def load_shapes() -> "Shapes":
    """The shapes of shapes/, prepared once: split into core shapes and SPARQL-target shapes."""
    return Shapes(load_dir(shapes_dir()))


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """(core shapes, shapes with SPARQL targets): pyshacl's advanced mode costs on every shape,
    so only the few shapes that need it (sh:target) run in it."""
    core, targeted = Graph(), Graph()
    with_target = set(shapes.subjects(SH.target, None))
    for t in (core, targeted):
        t += shapes
    for shape in with_target:
        for triple in shapes.cbd(shape):
            core.remove(triple)
    # the targeted graph keeps everything too: prefix declarations and classes they refer to;
    # only its shapes without sh:target are switched off
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - with_target:
        targeted.add((shape, SH.deactivated, Literal(True)))
    return core, targeted


XSD_NS = "http://www.w3.org/2001/XMLSchema#"
BOUNDS = (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive)


def typed_bounds(shapes: Graph) -> Graph:
    """A copy of shapes whose numeric bounds (sh:minInclusive 0 ...) on a derived integer
    datatype (xsd:nonNegativeInteger ...) carry that datatype. The same constraint for SHACL;
    pyrudof 0.3.35 compares "6"^^xsd:nonNegativeInteger >= 0 (an xsd:integer) as false."""
    out = Graph()
    out += shapes
    for shape, dt in shapes.subject_objects(SH.datatype):
        if not str(dt).startswith(XSD_NS) or str(dt) in (XSD_NS + "integer", XSD_NS + "decimal"):
            continue
        for b in BOUNDS:
            for v in list(out.objects(shape, b)):
                if isinstance(v, Literal) and v.datatype == URIRef(XSD_NS + "integer"):
                    out.remove((shape, b, v))
                    out.add((shape, b, Literal(str(v), datatype=dt)))
    return out


class Shapes:
    """The shapes, split once into core shapes and SPARQL-target shapes.

    Validation is pyshacl's, with one shortcut: the core shapes are first checked by pyrudof
    (rudof, in Rust, ~4x faster here than pyshacl on them). Where pyrudof finds them all
    satisfied, pyshacl checks only the SPARQL-target shapes (pyrudof has no SHACL-AF targets);
    as soon as either finds anything, pyshacl validates everything again and its report, with
    its messages, is the answer. So pyrudof can only make a conforming graph cheaper to check:
    a result it reports that pyshacl does not is dropped, and tests/test_shapes.py checks that
    it finds every kind of break that pyshacl finds.
    """

    def __init__(self, shapes: Graph, *, fast: bool = True):
        self.graph = shapes
        self.core, self.targeted = split_shapes(shapes)
        self.fast = fast
        self._rudof = None
        self._rudof_pid = None

    def rudof(self):
        """A pyrudof session holding the core shapes, one per process (never inherited by fork)."""
        if self._rudof is None or self._rudof_pid != os.getpid():
            from pyrudof import ReaderMode, Rudof, ShaclFormat

            _RUDOF_USED.add(os.getpid())
            r = Rudof()
            r.read_shacl(typed_bounds(self.core).serialize(format="nt"), format=ShaclFormat.NTriples,
                         reader_mode=ReaderMode.Strict)
            self._rudof, self._rudof_pid = r, os.getpid()
        return self._rudof

    def core_conforms_fast(self, nt: bytes | str) -> bool:
        """pyrudof's verdict on the core shapes for an N-Triples text: True if no result at all
        (False also when pyrudof fails on the input: pyshacl then decides)."""
        from pyrudof import RDFFormat, ReaderMode

        r = self.rudof()
        try:
            r.read_data(nt if isinstance(nt, str) else nt.decode("utf-8"), format=RDFFormat.NTriples,
                        reader_mode=ReaderMode.Strict, merge=False)
            report = r.validate_shacl()
        except Exception:  # pyrudof raises its own kinds (e.g. on empty input)
            return False
        return bool(report.conforms) and not report.violations


_RUDOF_USED: set[int] = set()


def rudof_used_here() -> bool:
    """Whether this process has run pyrudof: a process forked after that hangs in pyrudof (its
    Rust thread pool does not survive fork), so such a process must spawn its workers."""
    return os.getpid() in _RUDOF_USED


def _pyshacl(data: Graph, shapes: Graph, advanced: bool) -> tuple[bool, Graph]:
    # inplace: no inference runs, so the data graph is not changed and need not be copied
    ok, rep, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=advanced, allow_warnings=True,
        abort_on_first=False, inplace=True,
    )
    return bool(ok), rep


def run_shacl(data: Graph, shapes: Graph | tuple[Graph, Graph] | Shapes, *,
              nt: bytes | None = None) -> tuple[bool, Graph]:
    """Validate data; `nt` is data as N-Triples if the caller has it (saves serialising it)."""
    if isinstance(shapes, Graph):
        shapes = Shapes(shapes)
    if isinstance(shapes, Shapes):
        core, targeted = shapes.core, shapes.targeted
        if shapes.fast:
            text = nt if nt is not None else data.serialize(format="nt", encoding="utf-8")
            if shapes.core_conforms_fast(text):
                ok, rep = _pyshacl(data, targeted, True)
                if ok and not any(rep.subjects(RDF.type, SH.ValidationResult)):
                    return True, rep
    else:
        core, targeted = shapes
    report = Graph()
    conforms = True
    for graph, advanced in ((core, False), (targeted, True)):
        ok, rep = _pyshacl(data, graph, advanced)
        conforms = conforms and ok
        report += rep
    for r in list(report.subjects(RDF.type, SH.ValidationReport))[1:]:
        report.remove((r, None, None))  # one report node, with all the results
    rep_node = next(report.subjects(RDF.type, SH.ValidationReport))
    report.set((rep_node, SH.conforms, Literal(conforms)))
    for res in report.subjects(RDF.type, SH.ValidationResult):
        report.add((rep_node, SH.result, res))
    return conforms, report


def problems_from_report(report: Graph, where: dict[str, Where], default_file: str) -> list[Problem]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        msg = str(report.value(r, SH.resultMessage) or "violates a shape")
        sev = local_name(str(report.value(r, SH.resultSeverity) or SH.Violation))
        value = report.value(r, SH.value)
        fstr = str(focus)
        loc = where.get(fstr) or where.get(fstr.split("#", 1)[0])
        field = FIELD_NAMES.get(local_name(str(path)), local_name(str(path))) if path is not None else ""
        if loc is not None:
            file, record = loc.file, loc.record
            field = f"{loc.prefix}{field}".rstrip(".") if loc.prefix else field
        else:
            file, record = default_file, fstr
        field = field or "-"
        if value is not None and path is not None:
            msg = f"{msg} (value: {value})"
        out.append(Problem(file, record, field, msg, sev))
    out.sort(key=lambda p: (p.file, p.record, p.field, p.message))
    return out


def validate_graph(data: Graph, where: dict[str, Where] | None = None, *,
                   shapes: Graph | tuple[Graph, Graph] | Shapes | None = None, default_file: str = "-",
                   nt: bytes | None = None) -> tuple[bool, Graph, list[Problem]]:
    conforms, report = run_shacl(data, shapes if shapes is not None else load_shapes(), nt=nt)
    problems = problems_from_report(report, where or {}, default_file)
    violations = [p for p in problems if p.severity == "Violation"]
    return (conforms or not violations), report, problems


# ---------------------------------------------------------------- command

GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json-ld": "json-ld",
                 ".rdf": "xml", ".owl": "xml", ".trig": "trig", ".nq": "nquads"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="graph files (.ttl, .nt, .jsonld) or profile files; default: the release in dist/")
    p.add_argument("--base-uri", default=None, help="base URI for profiles (default: the standard one)")


def run(args: argparse.Namespace) -> int:
    from .errors import problem_of, sort_key
    from .mapping import graph_for_profiles, reference_graph
    from .load import duplicate, profile_files, read_file_checked

    paths = [Path(p) for p in args.paths] or [Path("dist") / "kg.nt"]
    data = Graph()
    profiles = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            problems.append(Problem(str(path), "-", "-", "no such file or folder", unreadable=True))
            continue
        files = profile_files(path) if path.is_dir() else [path]
        for f in files:
            fmt = GRAPH_FORMATS.get(f.suffix.lower())
            if fmt:
                try:
                    data.parse(f, format=fmt)
                except Exception as e:  # rdflib raises many kinds for bad syntax
                    problems.append(Problem(str(f), "-", "-", f"unreadable graph: {e}", unreadable=True))
                continue
            got = read_file_checked(f)
            problems.extend(problem_of(e) for e in got.problems)
            dup = set()
            for slug, record in got.slugs:
                if slug in seen:
                    problems.append(problem_of(duplicate(str(f), slug, record, seen[slug])))
                    dup.add(slug)
                else:
                    seen[slug] = str(f)
            profiles.extend(p for p in got.profiles if p.slug not in dup)
    where: dict[str, Where] = {}
    if profiles:
        data += graph_for_profiles(profiles, where=where, base=args.base_uri)
    data += reference_graph(args.base_uri)  # tactics, states and types the data may refer to
    ok, _, shacl = validate_graph(data, where, default_file=str(paths[0]))
    problems = sorted(set(problems + shacl), key=sort_key)
    for p in problems:
        print(f"{'Unreadable' if p.unreadable else p.severity}: {p.line()}")
    n_v = sum(p.severity == "Violation" for p in problems)
    n_u = sum(p.unreadable for p in problems)
    files = len({p.file for p in problems if p.severity == "Violation"})
    verdict = "conforms" if not n_v else "does not conform"
    print(f"{verdict}: {len(data)} triples, {n_v} violations ({n_u} unreadable) in {files} file(s), "
          f"{len(problems) - n_v} warnings")
    if n_u:
        print(f"kg validate: {n_u} file(s) could not be read", file=sys.stderr)
        return 2
    return 0 if not n_v else 1
