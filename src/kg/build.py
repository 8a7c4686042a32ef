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

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from . import gazetteer
from .errors import InputError, KgError, Problem, Where, problem_of, sort_key
from .load import duplicate, profile_files, read_file_checked, split_reviews
from .mapping import all_postal_codes, graph_for_profiles, new_graph, reference_graph
from .model import Profile
from .parse.confidence import DEFAULT_MIN_CONFIDENCE
from .release import ReleaseInfo, ReleaseWriter, Refused, read_release
from .validate import load_shapes, rudof_used_here, validate_graph
from .vocab import DEFAULT_BASE, DKG, SH, Iris, load_dir, ontology_dir, shapes_dir

CHUNK = 1000  # profile files per part: read, mapped, linked and validated together in one worker
# A release may lose at most this share of the current release's places, operations or tactic
# claims (a folder half deleted, a wrong --data) unless the build is told --allow-shrink; a
# release without any place is always refused without it.
MAX_SHRINK = 0.10
SHRINK_COUNTS = (("jurisdictions", "places"), ("operations", "operations"), ("claims", "tactic claims"))


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    info: ReleaseInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)
    refused: str | None = None  # why a release that was built was not published (it would shrink)


def shrink_guard(out: Path, max_shrink: float | None):
    """guard(counts) for ReleaseWriter.finish: a message if the new release has no place, or
    loses more than max_shrink of the current release's places, operations or tactic claims
    (None: no limit)."""
    prev = None
    if (out / "release.json").is_file():
        try:
            prev = read_release(out)
        except (OSError, ValueError, TypeError):
            prev = None

    def guard(new: dict[str, int]) -> str | None:
        if max_shrink is None:
            return None
        lost = []
        for key, label in SHRINK_COUNTS:
            old, n = (prev.counts.get(key) if prev else None), new.get(key, 0)
            if old and n < old * (1 - max_shrink):
                lost.append(f"{label} {old:,} -> {n:,} (-{(old - n) / old:.0%})")
        if not new.get("jurisdictions"):
            head = "the new release has no place" + (f" (the current release {prev.id} has "
                                                     f"{prev.counts.get('jurisdictions', 0):,})" if prev else "")
        elif lost:
            head = f"the new release would lose more than {max_shrink:.0%} of the current release {prev.id}"
        else:
            return None
        return head + (": " + ", ".join(lost) if lost else "") + (
            "; check --data (was a folder emptied or moved?), or build again with --allow-shrink if this is meant")

    return guard


@dataclass
class Part:
    """What a worker returns for one chunk of profiles."""

    problems: list[Problem]
    nt: bytes
    nodes: list[str]
    links: list
    report_nt: bytes
    # what reading the chunk's files found, in file order: (slug, path read, record) of each
    # record or page that names a slug, good or bad (for the duplicate-slug check, which the
    # parent does in file order); every problem reading found (bad fields, unreadable files);
    # the profiles' warnings
    read: list[tuple[str, str, str]] = field(default_factory=list)
    input_problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # for what only the whole release can say: each place's containing counties (jurisdiction
    # IRI, FIPS codes), the counties that are jurisdictions themselves (FIPS, IRI), and each
    # operation that names a shared event (event, file, record, field, what must agree)
    county_links: list[tuple[str, list[str]]] = field(default_factory=list)
    county_selves: list[tuple[str, str]] = field(default_factory=list)
    events: list[tuple[str, str, str, str, tuple]] = field(default_factory=list)


@dataclass
class Whole:
    """What the parent gathers from every part, for the checks and links across records."""

    county_links: list[tuple[str, list[str]]] = field(default_factory=list)
    county_selves: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, str, str, str, tuple]] = field(default_factory=list)


# what every report of one event must agree on, with the record field names
EVENT_FIELDS = ("start", "end", "since", "arrests", "mixed_arrests", "tactics", "agency")


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
    """Read one chunk's files, then map, link and validate their good profiles (see
    process_chunk). Every problem of every file is kept: a bad record or an unreadable file
    does not stop the others from being read and checked."""
    profiles: list[Profile] = []
    read: list[tuple[str, str, str]] = []
    input_problems: list[Problem] = []
    for f in files:
        got = read_file_checked(f, min_confidence, verdicts)
        input_problems.extend(problem_of(e) for e in got.problems)
        profiles.extend(got.profiles)
        read.extend((slug, str(f), record) for slug, record in got.slugs)
    part = process_chunk(profiles, default_file) if profiles else Part([], b"", [], [], b"")
    part.read = read
    part.input_problems = input_problems
    part.warnings = [f"{p.file}: {w}" for p in profiles for w in p.warnings]
    return part


def process_chunk(profiles: list[Profile], default_file: str) -> Part:
    """Map, link and validate one chunk, with the reference resources in its validation graph."""
    iris, reference = _worker["iris"], _worker["reference"]
    where: dict[str, Where] = {}
    g = graph_for_profiles(profiles, where=where, base=iris.base)
    links = []
    county_links, county_selves, events = [], [], []
    for p in profiles:
        j = iris.jurisdiction(p.slug)
        link = gazetteer.link_profile(p)
        gazetteer.add_link_triples(g, j, link)
        links.append(link)
        if own := gazetteer.own_county(link):
            county_selves.append((own, str(j)))
        if codes := gazetteer.containing_counties(link):
            county_links.append((str(j), codes))
        for i, op in enumerate(p.operations, 1):
            if op.event:
                events.append((op.event, str(p.file), p.record or p.slug, f"operations[{i}].event",
                               (op.start, op.end, op.since, op.arrests, op.mixed_arrests,
                                tuple(sorted(op.tactics)), op.agency)))
    # Serialise the chunk's own triples first, then validate it with the reference resources
    # added in place (copying the chunk graph to add them cost more than the serialising).
    nt = g.serialize(format="nt", encoding="utf-8")
    nodes = jsonld_nodes(nt)
    g += reference
    ok, report, problems = validate_graph(g, where, shapes=_worker["shapes"], default_file=default_file,
                                          nt=nt + _worker["reference_nt"])
    if not ok:
        nt, nodes = b"", []
    return Part(problems, nt, nodes, links, report.serialize(format="nt", encoding="utf-8"),
                county_links=county_links, county_selves=county_selves, events=events)


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
          workers: int | None = None, max_shrink: float | None = MAX_SHRINK,
          min_confidence: float | None = None) -> BuildResult:
    """Build and publish a release; `max_shrink` None lets it shrink (--allow-shrink)."""
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
    whole = Whole()
    report = Graph()
    writer = ReleaseWriter(out, base, hook=hook)
    try:
        _init_worker(base)
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
                _consume(parts, len(jobs), t, writer, problems, links, warnings, seen, report, whole)
        else:
            _consume(map(_process, jobs), len(jobs), t, writer, problems, links, warnings, seen, report, whole)
        timings["read+map+link+validate"] = round(time.perf_counter() - t, 3)
        problems.extend(event_problems(whole.events))
        problems = sorted(set(problems), key=sort_key)
        if any(p.severity == "Violation" for p in problems):
            writer.abort()
            return BuildResult(False, problems, timings=timings)
        t = time.perf_counter()
        across = new_graph()  # links only the whole release can make: places to their counties
        gazetteer.add_county_links(across, Iris(base), whole.county_links, whole.county_selves)
        across_nt = across.serialize(format="nt", encoding="utf-8")
        writer.add(across_nt, jsonld_nodes(across_nt))
        extra = {
            "ontology.ttl": load_dir(ontology_dir()).serialize(format="turtle").encode(),
            "shapes.ttl": load_dir(shapes_dir()).serialize(format="turtle").encode(),
        }
        threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
        meta = {"profiles": len(seen), "data": str(data_dir), "timings": timings, "warnings": warnings,
                "min_confidence": threshold}

        def void_extra(void: Graph, ds) -> None:
            gazetteer.add_linksets(void, ds, links)
            # what this release publishes of the pages' readings: those at or above this confidence
            void.add((ds, DKG.minConfidence, Literal(f"{threshold:.2f}", datatype=XSD.decimal)))

        rep = URIRef(base + "dataset#validation-report")
        report.add((rep, RDF.type, SH.ValidationReport))
        report.add((rep, SH.conforms, Literal(True)))
        try:
            info = writer.finish(report=report, extra_files=extra, meta=meta,
                                 void_extra=void_extra,
                                 guard=shrink_guard(out, max_shrink))
        except Refused as e:
            return BuildResult(False, [], timings=timings, refused=str(e))
        timings["write"] = round(time.perf_counter() - t, 3)
    except BaseException:
        writer.abort()
        raise
    timings["total"] = round(time.perf_counter() - t0, 3)
    return BuildResult(True, problems, info, timings)


def _consume(parts, total: int, since: float, writer: ReleaseWriter, problems: list[Problem],
             links: list, warnings: list[str], seen: dict[str, str], report: Graph, whole: Whole) -> None:
    """Take the parts in file order, collecting every problem: bad fields and unreadable files
    (from the workers), duplicate slugs (here, in file order) and SHACL violations."""
    for n, part in enumerate(parts, 1):
        for slug, path, record in part.read:
            if slug in seen:
                problems.append(problem_of(duplicate(path, slug, record, seen[slug])))
                continue
            seen[slug] = path
        problems.extend(part.input_problems)
        warnings.extend(part.warnings)
        whole.county_links.extend(part.county_links)
        for fips, j in part.county_selves:
            whole.county_selves.setdefault(fips, j)
        whole.events.extend(part.events)
        _collect(part, writer, problems, links, report)
        progress(n, total, since)


def event_problems(events: list[tuple[str, str, str, str, tuple]]) -> list[Problem]:
    """Every record that reports an event (`event` in an operation) must agree with the first
    one on its dates, counts, tactics and agency: they become one operation. Each report of an
    event by one record, twice, is also an error."""
    first: dict[str, tuple[str, str, str, tuple]] = {}
    out = []
    for event, file, record, fld, sig in events:
        if event not in first:
            first[event] = (file, record, fld, sig)
            continue
        f0, r0, fld0, sig0 = first[event]
        if (f0, r0) == (file, record):
            out.append(Problem(file, record, fld, f"event {event!r} is already reported by {fld0} of this record"))
            continue
        diff = [f"{name} {a!r} there, {b!r} here" for name, a, b in zip(EVENT_FIELDS, sig0, sig) if a != b]
        if diff:
            out.append(Problem(file, record, fld, f"event {event!r} is also reported by {f0} ({r0}, {fld0}) and "
                                                  f"the reports must agree: {'; '.join(diff)}"))
    return out


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
    if all(p.severity != "Violation" for p in part.problems) and not part.input_problems:
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
    p.add_argument("--allow-shrink", action="store_true",
                   help="publish even a release that has no place or loses more than --max-shrink "
                        "of the current release's places, operations or claims")
    p.add_argument("--max-shrink", type=float, default=MAX_SHRINK, metavar="SHARE",
                   help=f"the largest share of places, operations or claims a release may lose "
                        f"(default {MAX_SHRINK})")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.max_shrink < 1:
        raise KgError(f"--max-shrink must be a share from 0 to below 1, not {args.max_shrink}")
    res = build(Path(args.data), Path(args.out), args.base_uri, workers=args.workers,
                max_shrink=None if args.allow_shrink else args.max_shrink, min_confidence=args.min_confidence)
    if res.refused:
        print(f"kg build: refused: {res.refused}; {args.out} was left as it was", file=sys.stderr)
        return 1
    if not res.ok:
        for prob in res.problems:
            print(prob.line(), file=sys.stderr)
        files = len({p.file for p in res.problems})
        print(f"kg build: failed with {plural(len(res.problems), 'problem')} in {plural(files, 'file')}; "
              f"{args.out} was left as it was", file=sys.stderr)
        return 1
    info = res.info
    assert info is not None
    for prob in res.problems:
        print(f"warning: {prob.line()}", file=sys.stderr)
    c = info.counts
    print(f"kg build: release {info.id} in {args.out}: {info.triples} triples, "
          f"{c['jurisdictions']} jurisdictions, {c['operations']} operations, {c.get('claims', 0)} tactic claims, "
          f"{c['tactics']} tactics, "
          f"{c['sources']} sources ({res.timings.get('total', 0):.1f} s)")
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in res.timings.items()))
    return 0
