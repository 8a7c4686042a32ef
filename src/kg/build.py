"""`kg build`: data/ -> profiles -> RDF -> gazetteer links -> SHACL -> release in dist/.

Profile files are read, mapped, linked and validated in chunks (in worker processes where
there are several), and each valid chunk is streamed into the new release, so memory stays
bounded whatever the number of places. Nothing is published unless every file reads and every
chunk conforms.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import us
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from . import gazetteer
from .errors import InputError
from .load import profile_files, read_file, split_reviews
from .mapping import add_state, new_graph, operation_slug, profile_graph, rebase
from .model import Profile
from .parse.confidence import DEFAULT_MIN_CONFIDENCE
from .release import ReleaseInfo, ReleaseWriter
from .validate import (Problem, Where, load_dir, load_shapes, ontology_dir, rudof_used_here, shapes_dir,
                       validate_graph)
from .vocab import DEFAULT_BASE, DKG, SH, Iris

CHUNK = 1000  # profile files per part: read, mapped, linked and validated together in one worker


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    info: ReleaseInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Part:
    """What a worker returns for one chunk of profiles."""

    problems: list[Problem]
    nt: bytes
    nodes: list[str]
    links: list
    report_nt: bytes
    # what reading the chunk's files found, in file order: (slug, path read, record, the
    # profile's file) of each profile; the first InputError (after which nothing of the chunk
    # was mapped); the profiles' warnings
    read: list[tuple[str, str, str, str]] = field(default_factory=list)
    error: InputError | None = None
    warnings: list[str] = field(default_factory=list)


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


# ---------------------------------------------------------------- one chunk, in a worker

_worker: dict = {}


def _init_worker(base: str) -> None:
    # Fixed per build: prepared once per process, not once per chunk.
    iris = Iris(base)
    ref = reference_graph(base)
    for postal in all_postal_codes():
        gazetteer.add_state_triples(ref, iris.state(postal), postal)
    _worker.update(iris=iris, shapes=load_shapes(), reference=ref,
                   reference_nt=ref.serialize(format="nt", encoding="utf-8"))


def read_chunk(files: list[Path], default_file: str, min_confidence: float | None = None,
               verdicts: dict | None = None) -> Part:
    """Read one chunk's files, then map, link and validate their profiles (see process_chunk).

    A file that cannot be read stops the chunk there: the part carries the error, and the
    profiles read before it (for the duplicate-slug check, which the parent does in file order).
    """
    profiles: list[Profile] = []
    read: list[tuple[str, str, str, str]] = []
    error = None
    for f in files:
        try:
            got = read_file(f, min_confidence, verdicts)
        except InputError as e:
            error = e
            break
        profiles.extend(got)
        read.extend((p.slug, str(f), p.record or p.slug, str(p.file)) for p in got)
    if error is not None:
        return Part([], b"", [], [], b"", read=read, error=error)
    part = process_chunk(profiles, default_file)
    part.read = read
    part.warnings = [f"{p.file}: {w}" for p in profiles for w in p.warnings]
    return part


def process_chunk(profiles: list[Profile], default_file: str) -> Part:
    """Map, link and validate one chunk, with the reference resources in its validation graph."""
    iris, reference = _worker["iris"], _worker["reference"]
    where: dict[str, Where] = {}
    g = graph_for_profiles(profiles, where=where, base=iris.base)
    links = []
    for p in profiles:
        link = gazetteer.link_profile(p)
        gazetteer.add_link_triples(g, iris.jurisdiction(p.slug), link)
        links.append(link)
    # Serialise the chunk's own triples first, then validate it with the reference resources
    # added in place (copying the chunk graph to add them cost more than the serialising).
    nt = g.serialize(format="nt", encoding="utf-8")
    nodes = jsonld_nodes(nt)
    g += reference
    ok, report, problems = validate_graph(g, where, shapes=_worker["shapes"], default_file=default_file,
                                          nt=nt + _worker["reference_nt"])
    if not ok:
        nt, nodes = b"", []
    return Part(problems, nt, nodes, links, report.serialize(format="nt", encoding="utf-8"))


def _process(job: tuple) -> Part:
    return read_chunk(*job)


def jsonld_nodes(nt: bytes) -> list[str]:
    """The dump's JSON-LD node objects of these N-Triples (kg.jsonld: each place framed with its
    claims and operations, plain keys of the release's context), each as JSON text."""
    import pyoxigraph as ox

    from .jsonld import dump_nodes

    return [json.dumps(n, ensure_ascii=False) for n in dump_nodes(ox.parse(nt, ox.RdfFormat.N_TRIPLES))]


# ---------------------------------------------------------------- the build

def build(data_dir: Path, out: Path, base: str | None = None, *, hook=None,
          workers: int | None = None, min_confidence: float | None = None) -> BuildResult:
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    base = Iris(base or DEFAULT_BASE).base
    if not data_dir.is_dir():
        return BuildResult(False, [Problem(str(data_dir), "-", "-", "data folder not found")])
    try:
        files, verdicts = split_reviews(profile_files(data_dir))
    except InputError as e:
        return BuildResult(False, [Problem(e.file, e.record or "-", e.field or "-", e.message)])
    chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)] or [[]]
    jobs = [(c, str(data_dir), min_confidence, verdicts) for c in chunks]
    workers = workers or min(len(chunks), os.cpu_count() or 1)
    problems: list[Problem] = []
    links: list = []
    warnings: list[str] = []
    seen: dict[str, str] = {}  # slug -> the file of the profile that defined it first
    report = Graph()
    writer = ReleaseWriter(out, base, hook=hook)
    try:
        _init_worker(base)
        ref = _worker["reference"]
        writer.add(_worker["reference_nt"], jsonld_nodes(_worker["reference_nt"]))
        t = time.perf_counter()
        if workers > 1:
            # forked workers inherit the prepared shapes and reference graph from this process
            # (spawned ones prepare their own, where pyrudof already ran here: it hangs after a
            # fork); each reads its own chunk's files, so reading runs in parallel too
            if rudof_used_here():
                pool = get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(base,))
            else:
                pool = get_context("fork").Pool(workers)
            with pool:
                parts = pool.imap(_process, jobs)
                bad = _consume(parts, len(jobs), t, writer, problems, links, warnings, seen, report)
                if bad is not None:
                    pool.terminate()
        else:
            bad = _consume(map(_process, jobs), len(jobs), t, writer, problems, links, warnings, seen, report)
        if bad is not None:
            writer.abort()
            return BuildResult(False, [Problem(bad.file, bad.record or "-", bad.field or "-", bad.message)])
        timings["read+map+link+validate"] = round(time.perf_counter() - t, 3)
        problems = sorted(set(problems), key=lambda p: (p.file, p.record, p.field, p.message))
        if any(p.severity == "Violation" for p in problems):
            writer.abort()
            return BuildResult(False, problems, timings=timings)
        t = time.perf_counter()
        extra = {
            "ontology.ttl": load_dir(ontology_dir()).serialize(format="turtle").encode(),
            "shapes.ttl": load_dir(shapes_dir()).serialize(format="turtle").encode(),
        }
        threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
        meta = {"profiles": len(seen), "data": str(data_dir), "timings": timings, "warnings": warnings,
                "min_confidence": threshold}
        rep = URIRef(base + "dataset#validation-report")
        report.add((rep, RDF.type, SH.ValidationReport))
        report.add((rep, SH.conforms, Literal(True)))
        def void_extra(void: Graph, ds) -> None:
            gazetteer.add_linksets(void, ds, links)
            # what this release publishes of the pages' readings: those at or above this confidence
            void.add((ds, DKG.minConfidence, Literal(f"{threshold:.2f}", datatype=XSD.decimal)))

        info = writer.finish(report=report, extra_files=extra, meta=meta, void_extra=void_extra)
        timings["write"] = round(time.perf_counter() - t, 3)
    except BaseException:
        writer.abort()
        raise
    timings["total"] = round(time.perf_counter() - t0, 3)
    return BuildResult(True, problems, info, timings)


def _consume(parts, total: int, since: float, writer: ReleaseWriter, problems: list[Problem],
             links: list, warnings: list[str], seen: dict[str, str], report: Graph) -> InputError | None:
    """Take the parts in file order; stop at the first unreadable file or duplicate slug and
    return it (what reading all files one after another would have raised first)."""
    for n, part in enumerate(parts, 1):
        for slug, path, record, file in part.read:
            if slug in seen:
                return InputError(path, record, "slug", f"duplicate slug {slug!r}: already defined in {seen[slug]}")
            seen[slug] = file
        if part.error is not None:
            return part.error
        warnings.extend(part.warnings)
        _collect(part, writer, problems, links, report)
        progress(n, total, since)
    return None


def progress(done: int, total: int, since: float) -> None:
    """One line per chunk on stderr, for builds of more than one chunk."""
    if total > 1:
        print(f"kg build: {done}/{total} chunks read, mapped, linked and validated "
              f"({time.perf_counter() - since:.0f} s)", file=sys.stderr, flush=True)


def _collect(part: Part, writer: ReleaseWriter, problems: list[Problem], links: list,
             report: Graph) -> None:
    problems.extend(part.problems)
    links.extend(part.links)
    for s, p, o in Graph().parse(data=part.report_nt, format="nt"):
        # keep the results (warnings); the report node and its verdict are written once
        if p != SH.conforms and not (p == RDF.type and o == SH.ValidationReport):
            report.add((s, p, o))
    if all(p.severity != "Violation" for p in part.problems):
        writer.add(part.nt, part.nodes)


# ---------------------------------------------------------------- command

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default="data", help="folder of profiles (default: data)")
    p.add_argument("--out", default="dist", help="release folder (default: dist)")
    p.add_argument("--base-uri", default=None, help=f"base of instance IRIs (default: {DEFAULT_BASE})")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    p.add_argument("--min-confidence", type=float, default=None, metavar="C",
                   help="publish the readings of pages at or above this confidence (0-1; default "
                        f"{DEFAULT_MIN_CONFIDENCE}); the others are held for `kg review`")


def run(args: argparse.Namespace) -> int:
    res = build(Path(args.data), Path(args.out), args.base_uri, workers=args.workers,
                min_confidence=args.min_confidence)
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
