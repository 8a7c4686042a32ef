"""SHACL engines side by side: pyshacl (what `kg build` uses) against pyrudof (Rust, rudof).

    python bench/shacl_engines.py                      # correctness table + timings (300, 1000 places)
    python bench/shacl_engines.py --no-timing          # correctness only
    python bench/shacl_engines.py --sizes 300 --runs 3 --synth-dir /tmp/synth35k
    python bench/shacl_engines.py --build 35000        # whole kg build, hybrid validation swapped in

Correctness: every broken graph of tests/test_shapes.py (BREAKS, plus the bad postal code and the
good record) against shapes/*.ttl, and of tests/test_gazetteer_shapes.py against
shapes/gazetteer.ttl; for each case the set of violations (focus node, path) of each engine, and
whether they agree. Then a few one-feature probes (a tiny shape and graph each), to name the
feature behind each disagreement.

Timing: chunk graphs built the way `kg build` builds them (records -> graph_for_profiles + the
gazetteer link triples + the reference graph), validated by each engine in turn in the same
process, runs interleaved (the machine is shared), median wall and CPU of --runs. pyrudof's time
includes serializing the rdflib graph to N-Triples and parsing it (that is what the build would
pay); the shapes are read once per session. pyshacl configurations:
  build      kg.validate.validate_graph (advanced=True, a copy of the data graph)
  inplace    the same with inplace=True (no copy of the data graph)
  split      inplace; core shapes (incl. SHACL-SPARQL constraints) without advanced mode + the
             sh:SPARQLTarget shapes alone in advanced mode (two validate calls); each part alone
and pyrudof on all shapes (it ignores sh:SPARQLTarget silently), and the hybrid: pyrudof on the
core shapes (numeric bounds typed, see typed_bounds) + each SPARQL target's SELECT run on
pyoxigraph over the same N-Triples.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import pyrudof  # noqa: E402
from pyrudof import RDFFormat, ReaderMode, Rudof, ShaclFormat  # noqa: E402
from pyshacl import validate as shacl_validate  # noqa: E402

from kg.validate import typed_bounds  # noqa: E402
from kg.vocab import load_dir, shapes_dir  # noqa: E402


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- engines


def render_path(g: Graph, p) -> str:
    """A SHACL path as text: IRI, (a / b) for a sequence, (a | b) for alternatives."""
    if p is None:
        return "-"
    if isinstance(p, URIRef):
        return str(p)
    alt = g.value(p, SH.alternativePath)
    if alt is not None:
        return "(" + " | ".join(render_path(g, x) for x in Collection(g, alt)) + ")"
    inv = g.value(p, SH.inversePath)
    if inv is not None:
        return "^" + render_path(g, inv)
    if g.value(p, RDF.first) is not None:
        return "(" + " / ".join(render_path(g, x) for x in Collection(g, p)) + ")"
    return f"[{p}]"


def pyshacl_run(data: Graph, shapes: Graph, *, advanced: bool = True, inplace: bool = False) -> Graph:
    _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=advanced,
                                  allow_warnings=True, abort_on_first=False, inplace=inplace)
    return report


def pyshacl_violations(report: Graph) -> set[tuple[str, str]]:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(r, SH.resultSeverity) != SH.Violation:
            continue
        out.add((str(report.value(r, SH.focusNode)), render_path(report, report.value(r, SH.resultPath))))
    return out


class RudofEngine:
    """One pyrudof session with the shapes read once; data replaced per validation."""

    def __init__(self, shapes: Graph):
        self.r = Rudof()
        self.r.read_shacl(shapes.serialize(format="nt"), format=ShaclFormat.NTriples,
                          reader_mode=ReaderMode.Strict)

    def validate(self, data: Graph | str):
        nt = data if isinstance(data, str) else data.serialize(format="nt")
        self.r.read_data(nt, format=RDFFormat.NTriples, reader_mode=ReaderMode.Strict, merge=False)
        return self.r.validate_shacl()


def rudof_path(p: str | None) -> str:
    if not p:
        return "-"
    return p.strip("<>")


def rudof_violations(report) -> set[tuple[str, str]]:
    return {(e.focus_node.strip("<>"), rudof_path(e.path)) for e in report if e.severity == "Violation"}


# ---------------------------------------------------------------- shapes split


def split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """(core, targets): node shapes with a sh:SPARQLTarget (SHACL-AF, pyshacl's advanced mode) go
    to `targets` with everything reachable from them through blank nodes; the rest (core SHACL and
    SHACL-SPARQL constraints) to `core`. sh:declare prefix nodes go to both."""
    def closure(start) -> set:
        seen, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(o for o in shapes.objects(n) if isinstance(o, BNode))
        return seen

    roots = {s for s, t in shapes.subject_objects(SH.target) if (t, RDF.type, SH.SPARQLTarget) in shapes}
    target_nodes = set().union(set(), *(closure(s) for s in roots))
    prefix_nodes = set().union(set(), *(closure(s) for s in shapes.subjects(SH.declare, None)))
    core, targets = Graph(), Graph()
    for t in shapes:
        if t[0] in prefix_nodes:
            core.add(t)
            targets.add(t)
        (targets if t[0] in target_nodes else core).add(t)
    return core, targets


class TargetChecks:
    """The SPARQL-target shapes without a SHACL engine: each target's SELECT run on pyoxigraph; a
    selected node with a value at the path of a `sh:maxCount 0` property shape is a violation."""

    def __init__(self, targets: Graph):
        prefixes = {str(targets.value(d, SH.prefix)): str(targets.value(d, SH.namespace))
                    for d in targets.objects(None, SH.declare)}
        head = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(prefixes.items()))
        self.checks = []
        for shape, t in targets.subject_objects(SH.target):
            paths = [targets.value(ps, SH.path) for ps in targets.objects(shape, SH.property)
                     if targets.value(ps, SH.maxCount) is not None and int(targets.value(ps, SH.maxCount)) == 0]
            self.checks.append((head + str(targets.value(t, SH.select)).replace("$this", "?this"), paths))

    def run(self, nt: bytes | str) -> set[tuple[str, str]]:
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(nt.encode() if isinstance(nt, str) else nt, ox.RdfFormat.N_TRIPLES)
        out = set()
        for query, paths in self.checks:
            for row in store.query(query):
                focus = row["this"]
                for p in paths:
                    if any(True for _ in store.quads_for_pattern(focus, ox.NamedNode(str(p)), None)):
                        out.add((focus.value, str(p)))
        return out


class Hybrid:
    """pyrudof on the core shapes (bounds typed) + the SPARQL targets on pyoxigraph."""

    def __init__(self, shapes: Graph):
        core, targets = split_shapes(shapes)
        self.rudof = RudofEngine(typed_bounds(core))
        self.targets = TargetChecks(targets)

    def violations(self, data: Graph | str) -> set[tuple[str, str]]:
        nt = data if isinstance(data, str) else data.serialize(format="nt")
        return rudof_violations(self.rudof.validate(nt)) | self.targets.run(nt)


# ---------------------------------------------------------------- correctness cases


def demand_cases():
    """(name, graph, shapes) for the good record, each BREAKS mutation and the bad postal code."""
    ts = _module("test_shapes_mod", ROOT / "tests" / "test_shapes.py")
    from conftest import GOOD_RECORD
    from kg.mapping import graph_for_profiles, reference_graph
    from kg.records import load_records
    from kg.vocab import DKG

    d = Path(tempfile.mkdtemp(prefix="shacl-engines-"))
    path = d / "testville-tx.yaml"
    path.write_text(GOOD_RECORD, encoding="utf-8")
    base = graph_for_profiles(load_records(path), where={})
    base += reference_graph()

    def copy(g: Graph) -> Graph:
        h = Graph()
        for t in g:
            h.add(t)
        return h

    yield "kg: good record", copy(base)
    for name in sorted(ts.BREAKS):
        g = copy(base)
        ts.BREAKS[name][0](g)
        yield f"kg: {name}", g
    g = copy(base)
    ts.set_(g, URIRef(ts.ID + "state/tx"), DKG.postalCode, Literal("Tex"))
    yield "kg: state with bad postal code", g


def gazetteer_cases():
    tg = _module("test_gazetteer_shapes_mod", ROOT / "tests" / "test_gazetteer_shapes.py")
    yield "gaz: matcher output", tg.base_graph()
    for name, (breaker, _) in tg.BREAKS.items():
        g = tg.base_graph()
        breaker(g)
        yield f"gaz: {name}", g


def short(iri: str) -> str:
    for pre, s in (("https://w3id.org/demand-kg/id/", ""), ("https://w3id.org/demand-kg/ontology#", "dkg:"),
                   ("http://www.w3.org/2004/02/skos/core#", "skos:"), ("http://www.w3.org/ns/prov#", "prov:"),
                   ("http://www.w3.org/2000/01/rdf-schema#", "rdfs:"), ("https://schema.org/", "schema:"),
                   ("http://purl.org/dc/terms/", "dct:"), ("http://www.w3.org/2002/07/owl#", "owl:"),
                   ("http://www.w3.org/2003/01/geo/wgs84_pos#", "wgs84:"),
                   ("http://www.opengis.net/ont/geosparql#", "geo:")):
        iri = iri.replace(pre, s)
    return iri


def fmt(vs: set) -> str:
    return "{" + ", ".join(f"{short(f)} {short(p)}" for f, p in sorted(vs)) + "}"


def correctness() -> None:
    shapes_all = load_dir(shapes_dir())
    shapes_gaz = Graph().parse(ROOT / "shapes" / "gazetteer.ttl")
    rows = []
    for shapes, cases in ((shapes_all, demand_cases()), (shapes_gaz, gazetteer_cases())):
        rudof, hybrid = RudofEngine(shapes), Hybrid(shapes)
        core, targets = split_shapes(shapes)
        for name, g in cases:
            ref = pyshacl_violations(pyshacl_run(g, shapes))
            split = pyshacl_violations(pyshacl_run(g, core, advanced=False)) | (
                pyshacl_violations(pyshacl_run(g, targets)) if len(targets) else set())
            rows.append((name, ref, {"pyshacl split": split, "pyrudof": rudof_violations(rudof.validate(g)),
                                     "hybrid": hybrid.violations(g)}))
    print(f"\n## Correctness: pyshacl {__import__('pyshacl').__version__} (as kg build runs it) vs"
          f" pyrudof {pyrudof.__version__}; violations compared as (focus node, path)\n")
    print("pyshacl split = core shapes without advanced mode + SPARQL-target shapes in advanced mode;"
          "\npyrudof = all shapes as they are; hybrid = pyrudof on the core shapes with typed numeric"
          "\nbounds + the SPARQL-target queries on pyoxigraph.\n")
    others = list(rows[0][2])
    print(f"{'case':50} {'pyshacl':>7}  " + "  ".join(f"{o:>13}" for o in others))
    agree = dict.fromkeys(others, 0)
    diffs = []
    for name, ref, res in rows:
        cells = []
        for o in others:
            ok = res[o] == ref
            agree[o] += ok
            cells.append(f"{len(res[o]):>9} {'ok' if ok else 'NO':>3}")
            if not ok:
                diffs.append((name, o, ref - res[o], res[o] - ref))
        print(f"{name[:50]:50} {len(ref):7}  " + "  ".join(cells))
    print("\nagree with pyshacl: " + "; ".join(f"{o} {agree[o]} / {len(rows)}" for o in others))
    if diffs:
        print("\ndisagreements:")
        for name, o, missing, extra in diffs:
            print(f"  {name} [{o}]" + (f"  missed: {fmt(missing)}" if missing else "")
                  + (f"  extra: {fmt(extra)}" if extra else ""))


# ---------------------------------------------------------------- feature probes

PROBE_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

# name: (shapes, data, focus nodes SHACL says violate)
PROBES = {
    "sh:class via rdfs:subClassOf in data": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:class ex:Sup ] .",
        "ex:Sub rdfs:subClassOf ex:Sup . ex:a1 a ex:A ; ex:p ex:x . ex:x a ex:Sub . "
        "ex:a2 a ex:A ; ex:p ex:y .", {"http://ex.org/a2"}),
    "sh:targetClass via rdfs:subClassOf": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Sup ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "ex:Sub rdfs:subClassOf ex:Sup . ex:a1 a ex:Sub .", {"http://ex.org/a1"}),
    "sh:minInclusive 0 on xsd:nonNegativeInteger 6": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minInclusive 0 ] .",
        'ex:a1 a ex:A ; ex:p "6"^^xsd:nonNegativeInteger . ex:a2 a ex:A ; ex:p -1 .', {"http://ex.org/a2"}),
    "sh:minInclusive 0 on xsd:int 5, xsd:long 5": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minInclusive 0 ] .",
        'ex:a1 a ex:A ; ex:p "5"^^xsd:int . ex:a2 a ex:A ; ex:p "5"^^xsd:long .', set()),
    "sh:minInclusive 0.0 on xsd:nonNegativeInteger 6": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minInclusive 0.0 ] .",
        'ex:a1 a ex:A ; ex:p "6"^^xsd:nonNegativeInteger .', set()),
    'sh:minInclusive "0"^^nonNegativeInteger (typed bound)': (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; '
        'sh:minInclusive "0"^^xsd:nonNegativeInteger ] .',
        'ex:a1 a ex:A ; ex:p "6"^^xsd:nonNegativeInteger . ex:a2 a ex:A ; ex:p "0"^^xsd:nonNegativeInteger .', set()),
    "sh:minInclusive 0 on xsd:integer 6": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minInclusive 0 ] .",
        "ex:a1 a ex:A ; ex:p 6 . ex:a2 a ex:A ; ex:p -1 .", {"http://ex.org/a2"}),
    "sh:minInclusive -90 on xsd:decimal": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minInclusive -90 ; sh:maxInclusive 90 ] .",
        'ex:a1 a ex:A ; ex:p "37.5"^^xsd:decimal . ex:a2 a ex:A ; ex:p "137.5"^^xsd:decimal .', {"http://ex.org/a2"}),
    "sh:datatype xsd:nonNegativeInteger, ill-typed '-1'": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:datatype xsd:nonNegativeInteger ] .",
        'ex:a1 a ex:A ; ex:p "1"^^xsd:nonNegativeInteger . ex:a2 a ex:A ; ex:p "-1"^^xsd:nonNegativeInteger .',
        {"http://ex.org/a2"}),
    "sh:in (literals)": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:in ( "a" "b" ) ] .',
        'ex:a1 a ex:A ; ex:p "a" . ex:a2 a ex:A ; ex:p "c" .', {"http://ex.org/a2"}),
    "sh:pattern on IRI": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:nodeKind sh:IRI ; sh:pattern "^https?://" .',
        "ex:a1 a ex:A . <urn:x:a2> a ex:A .", {"urn:x:a2"}),
    "sh:uniqueLang": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:uniqueLang true ] .",
        'ex:a1 a ex:A ; ex:p "x"@en , "y"@fr . ex:a2 a ex:A ; ex:p "x"@en , "y"@en .', {"http://ex.org/a2"}),
    "sh:minLength 1 on literal": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; sh:minLength 1 ] .",
        'ex:a1 a ex:A ; ex:p "x" . ex:a2 a ex:A ; ex:p "" .', {"http://ex.org/a2"}),
    "sh:or of property shapes (node level)": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:or ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:minCount 1 ] ) .",
        "ex:a1 a ex:A ; ex:q 1 . ex:a2 a ex:A .", {"http://ex.org/a2"}),
    "sh:or of datatypes (property level)": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:p ; "
        "sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) ] .",
        'ex:a1 a ex:A ; ex:p "2016"^^xsd:gYear . ex:a2 a ex:A ; ex:p "May 2016" .', {"http://ex.org/a2"}),
    "sequence path + sh:hasValue": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ( ex:p ex:q ) ; sh:hasValue "high" ] .',
        'ex:a1 a ex:A ; ex:p [ ex:q "high" ] . ex:a2 a ex:A ; ex:p [ ex:q "low" ] .', {"http://ex.org/a2"}),
    "sh:alternativePath + maxCount 0": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:maxCount 0 ] .",
        "ex:a1 a ex:A . ex:a2 a ex:A ; ex:q 1 .", {"http://ex.org/a2"}),
    "sh:not": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:not [ sh:path ex:p ; sh:hasValue "low" ] .',
        'ex:a1 a ex:A ; ex:p "high" . ex:a2 a ex:A ; ex:p "low" .', {"http://ex.org/a2"}),
    "sh:targetSubjectsOf": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
        "ex:a1 ex:p 1 . ex:a2 ex:p 1 , 2 .", {"http://ex.org/a2"}),
    "sh:SPARQLTarget (SHACL-AF)": (
        'ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this <http://ex.org/p> 2 }" ] ; '
        "sh:property [ sh:path ex:p ; sh:maxCount 0 ] .",
        "ex:a1 ex:p 1 . ex:a2 ex:p 2 .", {"http://ex.org/a2"}),
    "sh:sparql constraint (SHACL-SPARQL)": (
        'ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ a sh:SPARQLConstraint ; '
        'sh:select "SELECT $this ?value WHERE { $this <http://ex.org/p> ?value FILTER(?value > 1) }" ] .',
        "ex:a1 a ex:A ; ex:p 1 . ex:a2 a ex:A ; ex:p 2 .", {"http://ex.org/a2"}),
}


def probes() -> None:
    print("\n## One-feature probes (expected = the focus nodes SHACL says violate)\n")
    print(f"{'feature':52} {'expected':>8} {'pyshacl':>8} {'pyrudof':>8}")
    for name, (shapes_ttl, data_ttl, expected) in PROBES.items():
        shapes = Graph().parse(data=PROBE_PREFIXES + shapes_ttl, format="turtle")
        data = Graph().parse(data=PROBE_PREFIXES + data_ttl, format="turtle")
        a = {f for f, _ in pyshacl_violations(pyshacl_run(data, shapes))}
        try:
            b = {f for f, _ in rudof_violations(RudofEngine(shapes).validate(data))}
            bs = "ok" if b == expected else "WRONG " + ",".join(sorted(short(x.replace("http://ex.org/", "")) for x in b))
        except Exception as e:  # noqa: BLE001 - report whatever the engine raises
            bs = f"error: {type(e).__name__}: {str(e)[:60]}"
        as_ = "ok" if a == expected else "WRONG " + ",".join(sorted(x.replace("http://ex.org/", "") for x in a))
        print(f"{name[:52]:52} {','.join(sorted(x.replace('http://ex.org/', '') for x in expected)) or '-':>8} "
              f"{as_:>8} {bs:>8}")


# ---------------------------------------------------------------- timing


def chunk_graph(files: list[Path]) -> Graph:
    """A chunk's validation graph, as kg.build.process_chunk builds it."""
    import kg.build as b
    from kg import gazetteer
    from kg.records import load_records

    ps = [p for f in files for p in load_records(f)]
    if not b._worker:
        b._init_worker("https://w3id.org/demand-kg/id/")
    iris, ref = b._worker["iris"], b._worker["reference"]
    g = b.graph_for_profiles(ps, where={})
    for p in ps:
        gazetteer.add_link_triples(g, iris.jurisdiction(p.slug), gazetteer.link_profile(p))
    return g + ref


def timing(files: list[Path], sizes: list[int], runs: int) -> None:
    import kg.build as b
    from kg.validate import validate_graph

    if not b._worker:
        b._init_worker("https://w3id.org/demand-kg/id/")
    shapes = load_dir(shapes_dir())
    core, targets = split_shapes(shapes)
    rudof_all, hybrid = RudofEngine(shapes), Hybrid(shapes)
    print(f"\n## Timing: median of {runs} (wall / CPU seconds), configurations interleaved per run\n")
    print(f"shapes: {len(shapes)} triples; core {len(core)}, SPARQL-target shapes {len(targets)} "
          f"({len(hybrid.targets.checks)} targets)")

    configs = {
        "pyshacl build (validate_graph)": lambda g: validate_graph(g, {}, shapes=shapes),
        "pyshacl inplace": lambda g: pyshacl_run(g, shapes, inplace=True),
        "pyshacl split core+targets": lambda g: (pyshacl_run(g, core, advanced=False, inplace=True),
                                                 pyshacl_run(g, targets, inplace=True)),
        "pyshacl core only": lambda g: pyshacl_run(g, core, advanced=False, inplace=True),
        "pyshacl SPARQL targets only": lambda g: pyshacl_run(g, targets, inplace=True),
        "pyrudof all shapes (skips targets)": lambda g: rudof_all.validate(g),
        "hybrid pyrudof core + oxigraph targets": lambda g: hybrid.violations(g),
        "  of which: serialize N-Triples": lambda g: g.serialize(format="nt"),
    }
    for n in sizes:
        g0 = chunk_graph(files[:n])
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in configs}
        for _ in range(runs):
            for name, fn in configs.items():
                g = g0 + Graph()  # a fresh copy: inplace runs may add to it
                gc.collect()
                w, c = time.perf_counter(), time.process_time()
                fn(g)
                times[name].append((time.perf_counter() - w, time.process_time() - c))
        print(f"\n{n} places, {len(g0)} triples; violations: pyshacl "
              f"{len(pyshacl_violations(pyshacl_run(g0 + Graph(), shapes, inplace=True)))}, "
              f"pyrudof all shapes {len(rudof_violations(rudof_all.validate(g0)))}, "
              f"hybrid {len(hybrid.violations(g0))}")
        print(f"{'configuration':40} {'wall s':>8} {'CPU s':>8} {'CPU s/1000 places':>18}")
        for name, ts in times.items():
            wall = statistics.median(t[0] for t in ts)
            cpu = statistics.median(t[1] for t in ts)
            print(f"{name:40} {wall:8.2f} {cpu:8.2f} {cpu * 1000 / n:18.2f}")


def hybrid_build(synth: Path, n: int, engine: str, workers: int | None) -> None:
    """`kg build` of the first n synthetic places with kg.build's validate_graph replaced in this
    process (the fork pool inherits it): engine "hybrid" (pyrudof core + pyoxigraph targets; one
    session per worker process) or "none" (no validation at all: the rest of the build's cost)."""
    import os
    import shutil

    import kg.build as b
    from kg.errors import Problem

    files = sorted((synth / "places").glob("*.yaml"))[:n]
    data = Path(tempfile.mkdtemp(prefix="shacl-engines-data-"))
    (data / "places").mkdir()
    for f in files:
        (data / "places" / f.name).symlink_to(f)
    out = Path(tempfile.mkdtemp(prefix="shacl-engines-dist-")) / "dist"
    sessions: dict[int, Hybrid] = {}

    def validate(g, where=None, *, shapes=None, default_file="-"):
        if engine == "none":
            return True, Graph(), []
        h = sessions.get(os.getpid()) or sessions.setdefault(os.getpid(), Hybrid(shapes))
        vs = h.violations(g)
        return not vs, Graph(), [Problem(default_file, f, p, "violation") for f, p in sorted(vs)]

    b.validate_graph = validate
    w, c = time.perf_counter(), time.process_time()
    res = b.build(data, out, workers=workers)
    wall = time.perf_counter() - w
    children = os.times().children_user + os.times().children_system
    print(f"\nbuild of {n} places, validation {engine}: ok={res.ok} wall {wall:.1f} s, "
          f"parent CPU {time.process_time() - c:.1f} s, workers CPU {children:.1f} s; "
          f"stages {res.timings}; {res.info.triples if res.info else '-'} triples; "
          f"{len(res.problems)} problems")
    shutil.rmtree(data)
    shutil.rmtree(out.parent)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synth-dir", type=Path, default=Path("/tmp/synth35k"),
                    help="synthetic data folder with places/*.yaml (bench/synth.py --out DIR)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--no-correctness", action="store_true")
    ap.add_argument("--build", type=int, metavar="N", default=0,
                    help="instead: kg build of N synthetic places with the hybrid validation swapped in")
    ap.add_argument("--build-engine", choices=["hybrid", "none"], default="hybrid")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    if args.build:
        hybrid_build(args.synth_dir, args.build, args.build_engine, args.workers)
        return
    if not args.no_correctness:
        correctness()
        probes()
    if not args.no_timing:
        files = sorted((args.synth_dir / "places").glob("*.yaml"))
        if len(files) < max(args.sizes):
            sys.exit(f"{args.synth_dir}/places has {len(files)} records; "
                     f"run python bench/synth.py --places {max(args.sizes)} --out {args.synth_dir}")
        timing(files, args.sizes, args.runs)


if __name__ == "__main__":
    main()
