"""`kg build`: data/ -> profiles -> RDF -> gazetteer links -> SHACL -> release in dist/."""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import us
from rdflib import Graph, URIRef

from .errors import InputError
from .load import load_profiles
from .mapping import add_state, new_graph, profile_graph, rebase
from .model import Profile
from .release import ReleaseInfo, write_release
from .validate import Problem, Where, load_dir, load_shapes, ontology_dir, shapes_dir, validate_graph
from .vocab import DEFAULT_BASE, Iris


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    info: ReleaseInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)


def all_postal_codes() -> list[str]:
    return sorted({s.abbr for s in us.states.STATES_AND_TERRITORIES} | {"DC"})


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
        j = profile_graph(g, p, iris)
        if where is not None:
            record_where(g, j, p, where)
    return g


def record_where(g: Graph, j: URIRef, p: Profile, where: dict[str, Where]) -> None:
    from .vocab import DKG

    file, rec = p.file or "-", p.record or p.slug
    where[str(j)] = Where(file, rec)
    if p.url:
        where[p.url] = Where(file, rec, "")
    ops = sorted(str(o) for o in g.subjects(DKG.inJurisdiction, j))
    # operation IRIs are minted in record order; map each back to its operations[n]
    from .mapping import operation_slug

    taken: set[str] = set()
    for n, op in enumerate(p.operations, 1):
        iri = str(Iris(str(j).rsplit("jurisdiction/", 1)[0]).operation(operation_slug(p, op, taken)))
        if iri in ops:
            where[iri] = Where(file, rec, f"operations[{n}].")
    for n, _ in enumerate(p.sources, 1):
        where[str(Iris(str(j).rsplit("jurisdiction/", 1)[0]).source(f"{p.slug}-{n}"))] = Where(file, rec, f"sources[{n}].")


def build(data_dir: Path, out: Path, base: str | None = None, *, log=print, hook=None) -> BuildResult:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    base = Iris(base or DEFAULT_BASE).base

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    try:
        profiles = load_profiles(data_dir)
    except InputError as e:
        return BuildResult(False, [Problem(e.file, e.record or "-", e.field or "-", e.message)])
    t = lap("read", t0)
    where: dict[str, Where] = {}
    graph = graph_for_profiles(profiles, where=where, base=base)
    graph += reference_graph(base)
    t = lap("map", t)
    void_extra = link_profiles(graph, profiles, Iris(base))
    t = lap("link", t)
    ok, report, problems = validate_graph(graph, where, shapes=load_shapes(), default_file=str(data_dir))
    t = lap("validate", t)
    if not ok:
        return BuildResult(False, problems, timings=timings)
    extra = {
        "ontology.ttl": load_dir(ontology_dir()).serialize(format="turtle").encode(),
        "shapes.ttl": load_dir(shapes_dir()).serialize(format="turtle").encode(),
    }
    meta = {"profiles": len(profiles), "data": str(data_dir), "timings": timings,
            "warnings": [f"{p.file}: {w}" for p in profiles for w in p.warnings]}
    info = write_release(graph, out, base=base, report=report, extra_files=extra, meta=meta,
                         void_extra=void_extra, hook=hook)
    lap("write", t)
    timings["total"] = round(time.perf_counter() - t0, 3)
    return BuildResult(True, [p for p in problems if p.severity != "Violation"], info, timings)


def link_profiles(graph: Graph, profiles: list[Profile], iris: Iris):
    """Gazetteer links for every jurisdiction and state; returns the VoID linkset writer."""
    from . import gazetteer

    links = []
    for p in profiles:
        link = gazetteer.link_profile(p)
        gazetteer.add_link_triples(graph, iris.jurisdiction(p.slug), link)
        links.append(link)
    for postal in all_postal_codes():
        gazetteer.add_state_triples(graph, iris.state(postal), postal)
    return lambda void, ds: gazetteer.add_linksets(void, ds, links)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default="data", help="folder of profiles (default: data)")
    p.add_argument("--out", default="dist", help="release folder (default: dist)")
    p.add_argument("--base-uri", default=None, help=f"base of instance IRIs (default: {DEFAULT_BASE})")


def run(args: argparse.Namespace) -> int:
    res = build(Path(args.data), Path(args.out), args.base_uri)
    if not res.ok:
        for prob in res.problems:
            print(prob.line(), file=sys.stderr)
        print(f"kg build: failed with {len(res.problems)} problem(s); {args.out} was left as it was",
              file=sys.stderr)
        return 1
    info = res.info
    assert info is not None
    for prob in res.problems:
        print(f"warning: {prob.line()}", file=sys.stderr)
    c = info.counts
    print(f"kg build: release {info.id} in {args.out}: {info.triples} triples, "
          f"{c['jurisdictions']} jurisdictions, {c['operations']} operations, {c['tactics']} tactics, "
          f"{c['sources']} sources ({res.timings.get('total', 0):.1f} s)")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in res.timings.items()))
    return 0
