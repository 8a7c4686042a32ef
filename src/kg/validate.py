"""SHACL validation of a release graph, with every problem traced to file, record and field.

`kg validate PATH ...` validates graph files (Turtle, N-Triples, JSON-LD) or profile files.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .vocab import SH

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Where:
    """Where a resource came from: the file, the record in it, and the record's field prefix."""

    file: str
    record: str
    prefix: str = ""


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str
    severity: str = "Violation"

    def line(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


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


def shapes_dir() -> Path:
    return ROOT / "shapes"


def ontology_dir() -> Path:
    return ROOT / "ontology"


def load_dir(folder: Path) -> Graph:
    g = Graph()
    for f in sorted(folder.glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


def load_shapes() -> tuple[Graph, Graph]:
    """The shapes of shapes/, split once into core shapes and SPARQL-target shapes."""
    return split_shapes(load_dir(shapes_dir()))


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


def run_shacl(data: Graph, shapes: Graph | tuple[Graph, Graph]) -> tuple[bool, Graph]:
    core, targeted = split_shapes(shapes) if isinstance(shapes, Graph) else shapes
    report = Graph()
    conforms = True
    # inplace: no inference runs, so the data graph is not changed and need not be copied
    for graph, advanced in ((core, False), (targeted, True)):
        ok, rep, _ = shacl_validate(
            data, shacl_graph=graph, inference="none", advanced=advanced, allow_warnings=True,
            abort_on_first=False, inplace=True,
        )
        conforms = conforms and bool(ok)
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
                   shapes: Graph | tuple[Graph, Graph] | None = None, default_file: str = "-") -> tuple[bool, Graph, list[Problem]]:
    conforms, report = run_shacl(data, shapes if shapes is not None else load_shapes())
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
    from .build import graph_for_profiles, reference_graph
    from .errors import InputError
    from .load import profile_files, read_file

    paths = [Path(p) for p in args.paths] or [Path("dist") / "kg.nt"]
    data = Graph()
    profiles = []
    for path in paths:
        files = profile_files(path) if path.is_dir() else [path]
        for f in files:
            fmt = GRAPH_FORMATS.get(f.suffix.lower())
            try:
                if fmt:
                    data.parse(f, format=fmt)
                else:
                    profiles.extend(read_file(f))
            except InputError as e:
                print(e.line(), file=sys.stderr)
                return 2
            except Exception as e:  # rdflib raises many kinds for bad syntax
                print(f"{f}: -: -: unreadable graph: {e}", file=sys.stderr)
                return 2
    where: dict[str, Where] = {}
    if profiles:
        data += graph_for_profiles(profiles, where=where, base=args.base_uri)
    data += reference_graph(args.base_uri)  # tactics, states and types the data may refer to
    ok, _, problems = validate_graph(data, where, default_file=str(paths[0]))
    for p in problems:
        print(f"{p.severity}: {p.line()}")
    n_v = sum(p.severity == "Violation" for p in problems)
    print(f"{'conforms' if ok else 'does not conform'}: {len(data)} triples, {n_v} violations, "
          f"{len(problems) - n_v} warnings")
    return 0 if ok else 1
