"""Write a release folder atomically: dumps, JSON-LD context, VoID, report, store.

The release is built in a fresh folder next to the target and published by swapping a
symlink (`dist -> .dist-releases/<id>`) with one rename, so readers see the old release or
the new one, never a half-written one; a failed or killed build leaves the old one in place.
"""
from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from .bounded import describe_shape
from . import tables
from .errors import KgError
from .jsonld import context_document
from .turtle import Writer, header, prefixes_for
from .vocab import DKG, FOAF, PREFIXES

DUMPS = ("kg.ttl", "kg.nt", "kg.jsonld")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SPDX = "http://spdx.org/rdf/terms#"
KEEP_RELEASES = 3  # the current one and two before it, so a running server's files stay


@dataclass
class ReleaseInfo:
    """release.json: what the server needs to know without reading the dumps."""

    id: str
    created: str
    base: str
    triples: int
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, dict] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    # for the server's cost bounds (kg.bounded): the most triples one subject has, and the
    # triples about blank nodes (DESCRIBE follows them)
    shape: dict[str, int] = field(default_factory=dict)


def releases_dir(out: Path) -> Path:
    return out.parent / f".{out.name}-releases"


def site_root(base: str) -> str:
    """https://w3id.org/demand-kg/id/ -> https://w3id.org/demand-kg/"""
    b = base.rstrip("/")
    return (b[: -len("/id")] if b.endswith("/id") else b) + "/"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _gzip_and_sum(path: Path) -> dict[str, dict]:
    """Gzip a dump; the size and SHA-256 of both files."""
    gz = _gzip(path)
    return {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in (path, gz)}


def _gzip(path: Path) -> Path:
    gz = path.with_name(path.name + ".gz")
    # mtime=0: the same dump always gives the same .gz bytes (stable checksums and ETags)
    with path.open("rb") as src, gzip.GzipFile(gz, "wb", compresslevel=6, mtime=0) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return gz


def counts(store: ox.Store) -> dict[str, int]:
    q = {
        "jurisdictions": "dkg:Jurisdiction", "operations": "dkg:Operation", "tactics": "dkg:Tactic",
        "sources": "dkg:Source", "agencies": "dkg:Agency",
    }
    out = {}
    for key, cls in q.items():
        r = store.query(f"PREFIX dkg: <{DKG}> SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} }}")
        out[key] = int(next(iter(r))["n"].value)
    # the states the places lie in (not the State resources: every state and territory has
    # one), DC apart
    codes = {row["c"].value for row in store.query(
        f"PREFIX dkg: <{DKG}> SELECT DISTINCT ?c WHERE {{ ?j a dkg:Jurisdiction ; dkg:state/dkg:postalCode ?c }}")}
    out["states"] = len(codes - {"DC"})
    out["dc"] = int("DC" in codes)
    r = store.query(f"PREFIX dkg: <{DKG}> SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a dkg:TacticClaim }}")
    out["claims"] = int(next(iter(r))["n"].value)
    r = store.query(f"PREFIX dkg: <{DKG}> SELECT (SUM(?a) AS ?n) WHERE {{ ?o dkg:arrests ?a }}")
    row = next(iter(r))
    out["arrests"] = int(row["n"].value) if row["n"] is not None else 0
    out["places_using_tactics"] = int(next(iter(store.query(
        f"PREFIX dkg: <{DKG}> SELECT (COUNT(DISTINCT ?j) AS ?n) WHERE {{ ?j dkg:usesTactic ?t }}")))["n"].value)
    out["places_without_evidence"] = out["jurisdictions"] - out["places_using_tactics"]
    return out


def shape(store: ox.Store) -> dict[str, int]:
    max_s, bnodes = describe_shape(store)
    return {"max_triples_per_subject": max_s, "blank_node_triples": bnodes}


def void_graph(store: ox.Store, base: str, files: dict[str, dict], created: str,
               void_extra=None) -> Graph:
    """VoID + DCAT: counts, class and property partitions, dumps with size and checksum."""
    g = void_stats(store, base, created)
    add_void_dumps(g, base, files, void_extra)
    return g


def void_stats(store: ox.Store, base: str, created: str) -> Graph:
    """The part of the VoID that the store alone gives (everything but the dump files)."""
    site = site_root(base)
    ds = URIRef(base + "dataset")
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    g.bind("spdx", SPDX)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("Demand KG", lang="en")))
    g.add((ds, RDFS.label, Literal("Demand KG", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "What U.S. cities and counties did against the demand for commercial sex (reverse stings, "
        "web stings, john schools, publishing buyers' names, ...), read from the location profiles "
        "of the Demand Forum research site, with the evidence and page behind every claim.", lang="en")))
    g.add((ds, DCTERMS.license, URIRef(LICENSE)))
    g.add((ds, DCTERMS.created, Literal(created, datatype=XSD.dateTime)))
    g.add((ds, DCTERMS.modified, Literal(created, datatype=XSD.dateTime)))
    g.add((ds, DCTERMS.source, URIRef("https://demand-forum.org/")))
    g.add((ds, FOAF.homepage, URIRef(site)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(site + "sparql")))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.vocabulary, URIRef(str(DKG))))
    g.add((ds, VOID.rootResource, URIRef(base + "tactic/")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))

    def one(q: str) -> int:
        return int(next(iter(store.query(q)))["n"].value)

    g.add((ds, VOID.triples, Literal(one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?s)) }"), datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(one("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(one("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"), datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(one("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"), datatype=XSD.integer)))
    for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"):
        cls = row["c"].value
        part = URIRef(f"{base}dataset#class-{_frag(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    for row in store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"):
        prop = row["p"].value
        part = URIRef(f"{base}dataset#property-{_frag(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
    return g


def add_void_dumps(g: Graph, base: str, files: dict[str, dict], void_extra=None) -> None:
    """The dumps with their size and checksum (and void_extra) into a VoID graph."""
    site = site_root(base)
    ds = URIRef(base + "dataset")
    media = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
             ".csv": "text/csv", ".json": "application/csvm+json"}
    for name, info in sorted(files.items()):
        if not (name.startswith("kg.") or name in tables.TABLES or name == tables.METADATA):
            continue
        url = URIRef(f"{site}dumps/{name}")
        dist = URIRef(f"{base}dataset#dump-{_frag(name)}")
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCTERMS.title, Literal(name)))
        stem = name[:-3] if name.endswith(".gz") else name
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media[Path(stem).suffix])))
        if name.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        g.add((dist, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.nonNegativeInteger)))
        ck = URIRef(f"{base}dataset#sha256-{_frag(name)}")
        g.add((dist, URIRef(SPDX + "checksum"), ck))
        g.add((ck, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        g.add((ck, URIRef(SPDX + "checksumValue"), Literal(info["sha256"], datatype=XSD.hexBinary)))
        g.add((dist, DCTERMS.license, URIRef(LICENSE)))
    if void_extra is not None:
        void_extra(g, ds)  # e.g. the gazetteer linksets


def _frag(iri: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9]+", "-", iri.split("//", 1)[-1]).strip("-")


def _prune(rel_dir: Path, keep: set[str]) -> None:
    """Remove finished releases beyond the last KEEP_RELEASES (never the one `dist` points at,
    which after `kg rollback` may be an older one) and folders of builds that died."""
    out = rel_dir.parent / rel_dir.name[1:].removesuffix("-releases")
    try:
        keep = keep | {out.resolve(strict=True).name} if out.is_symlink() else keep
    except OSError:
        pass
    dirs = sorted((d for d in rel_dir.iterdir() if d.is_dir()), key=lambda d: d.name)
    finished = [d for d in dirs if (d / "release.json").exists() and not d.name.startswith("tmp-")]
    for d in finished[:-KEEP_RELEASES]:
        if d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
    for d in dirs:  # folders of builds that died before finishing
        if d.name.startswith("tmp-") and d.name not in keep:
            try:
                pid = int(d.name.split("-")[1])
                os.kill(pid, 0)
            except (ValueError, IndexError, ProcessLookupError):
                shutil.rmtree(d, ignore_errors=True)
            except PermissionError:
                pass


class ReleaseWriter:
    """Writes a release in parts, into a fresh folder, and publishes it at the end.

    Parts (N-Triples and compact JSON-LD node objects of a chunk of profiles) are streamed to
    disk as they come, so memory does not grow with the data. Nothing is published unless
    `finish` runs to its end; `abort` (or an exception, or a kill) leaves the old release.
    All dumps come from the same triples, never from the store: the store keeps numbers in
    canonical form (xsd:nonNegativeInteger as xsd:integer, "41.50" as "41.5"), the same
    value but not the same RDF term.
    """

    def __init__(self, out: Path, base: str, hook=None):
        self.out, self.base = out, base
        self.step = hook or (lambda stage: None)
        self.rel_dir = releases_dir(out)
        self.rel_dir.mkdir(parents=True, exist_ok=True)
        _prune(self.rel_dir, keep=set())
        self.tmp = self.rel_dir / f"tmp-{os.getpid()}-{time.monotonic_ns()}"
        self.tmp.mkdir()
        self._nt = (self.tmp / "kg.nt").open("wb")
        self._js = (self.tmp / "kg.jsonld").open("w", encoding="utf-8")
        self.ctx = context_document()
        self._js.write('{"@context": ' + json.dumps(self.ctx["@context"], indent=1) + ',\n "@graph": [\n')
        self._first_node = True
        # 128-bit digests of the N-Triples lines written, so shared resources come once; a 64-bit
        # hash could (very rarely) collide and silently drop a triple, a 128-bit one cannot in practice
        self._seen: set[bytes] = set()

    def add(self, nt: bytes, nodes: list[str]) -> None:
        """One part: N-Triples lines and compact JSON-LD node objects (as JSON texts)."""
        lines = [ln for ln in nt.splitlines() if ln.strip()]
        fresh = []
        for ln in lines:
            h = hashlib.blake2b(ln, digest_size=16).digest()
            if h not in self._seen:
                self._seen.add(h)
                fresh.append(ln)
        if fresh:
            fresh.sort()  # a subject's lines together: the Turtle dump groups them
            self._nt.write(b"\n".join(fresh) + b"\n")
        for node in nodes:
            self._js.write(("" if self._first_node else ",\n") + node)
            self._first_node = False

    def abort(self) -> None:
        for f in (self._nt, self._js):
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self, *, report: Graph, extra_files: dict[str, bytes], meta: dict,
               void_extra=None, guard=None) -> ReleaseInfo:
        """Write the rest of the release and publish it. `guard(counts)` may refuse it: a
        message it returns (e.g. the release would shrink) raises Refused, and nothing is
        published."""
        tmp, base = self.tmp, self.base
        self._nt.close()
        self._js.write("\n]}\n")
        self._js.close()
        self._seen.clear()
        nt = tmp / "kg.nt"
        (tmp / "context.jsonld").write_text(json.dumps(self.ctx, indent=2) + "\n", encoding="utf-8")
        created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        created_s = created.isoformat().replace("+00:00", "Z")

        def turtle() -> dict[str, dict]:
            # from the N-Triples as written (the store would give numbers in canonical form),
            # each part's lines sorted, so a subject's triples come together (kg.turtle)
            pre = prefixes_for(base)
            # a subject whose triples come in several parts (a place and its county link, made
            # once the whole release is read) is written once, whole, at the end
            seen, split, run = set(), set(), None
            for t in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES):
                if t.subject != run:
                    run = t.subject
                    (split if run in seen else seen).add(run)
            del seen
            late = []
            with (tmp / "kg.ttl").open("wb") as f:
                f.write(header(pre))
                w = Writer(f, pre)

                def early():
                    for t in ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES):
                        if t.subject in split:
                            late.append(t)
                        else:
                            yield t

                if w.write(early()) and late:
                    f.write(b"\n")
                late.sort(key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))
                w.write(late)
            return _gzip_and_sum(tmp / "kg.ttl")

        # The Turtle dump, the gzips and checksums run in threads beside the store's bulk load
        # and the VoID statistics (zlib and pyoxigraph work outside the GIL): on a 2-core
        # machine this stage takes about half the time it takes one step after another.
        with ThreadPoolExecutor(max_workers=2) as ex:
            jobs = [ex.submit(turtle), ex.submit(_gzip_and_sum, nt), ex.submit(_gzip_and_sum, tmp / "kg.jsonld")]
            try:
                store = ox.Store(str(tmp / "store"))
                store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
                self.step("dumps")
                void = void_stats(store, base, created_s)
                stats = counts(store)
                refused = guard(stats) if guard is not None else None
                shape_ = shape(store) if refused is None else {}
                triples = len(store)
                table_files = tables.write(store, base, site_root(base))
            finally:
                files: dict[str, dict] = {}
                for job in jobs:  # wait for them even when the above failed: they write into tmp
                    files.update(job.result())
        if refused is not None:
            del store
            self.abort()
            raise Refused(refused)
        self.step("gzip")
        report.serialize(destination=str(tmp / "validation-report.ttl"), format="turtle")
        for name, data in {**extra_files, **table_files}.items():
            (tmp / name).write_bytes(data)
            files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        rid = stem = created.strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"
        n = 1
        while (self.rel_dir / rid).exists():  # a second build by this process within the same second
            n += 1
            rid = f"{stem}-{n}"
        add_void_dumps(void, base, files, void_extra)
        void.serialize(destination=str(tmp / "void.ttl"), format="turtle")
        info = ReleaseInfo(id=rid, created=created_s, base=base, triples=triples,
                           counts=stats, files=files, meta=meta, shape=shape_)
        store.flush()
        del store  # close the store before it is published read-only
        self.step("void")
        (tmp / "release.json").write_text(json.dumps(info.__dict__, indent=2) + "\n", encoding="utf-8")
        final = self.rel_dir / rid
        os.rename(tmp, final)
        self.step("before-swap")
        served = current_release(self.out)  # a running server may still answer from it
        publish(self.out, final)
        _prune(self.rel_dir, keep={final.name} | ({served} if served else set()))
        return info


class Refused(KgError):
    """A release that was built but not published (its guard said no)."""


def publish(out: Path, target: Path) -> None:
    """Point `out` at target in one atomic rename of a symlink."""
    link_tmp = out.parent / f".{out.name}.swap-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(target, out.parent), link_tmp)
    if out.exists() and not out.is_symlink():
        # An old real folder (not made by us): move it aside once, then swap.
        aside = releases_dir(out) / f"legacy-{int(time.time())}"
        os.rename(out, aside)
    os.replace(link_tmp, out)


def read_release(dist: Path) -> ReleaseInfo:
    data = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    return ReleaseInfo(**data)


# ---------------------------------------------------------------- kept releases

def kept_releases(out: Path) -> list[ReleaseInfo]:
    """The finished releases kept beside `out`, oldest first."""
    rel_dir = releases_dir(out)
    if not rel_dir.is_dir():
        return []
    found = []
    for d in rel_dir.iterdir():
        if d.is_dir() and not d.name.startswith("tmp-") and (d / "release.json").is_file():
            try:
                info = read_release(d)
            except (OSError, ValueError, TypeError):
                continue
            if info.id == d.name:
                found.append(info)
    return sorted(found, key=lambda i: (i.created, i.id))


def current_release(out: Path) -> str | None:
    """The id of the release `out` points at, if any."""
    try:
        target = out.resolve(strict=True)
    except OSError:
        return None
    return target.name if (target / "release.json").is_file() else None


def rollback(out: Path, rid: str | None = None) -> tuple[str | None, str]:
    """Point `out` at a kept release: `rid`, or the one published before the current one.
    Returns (the id it pointed at, the id it points at now)."""
    kept = kept_releases(out)
    now = current_release(out)
    ids = [i.id for i in kept]
    if rid is None:
        if now not in ids:
            raise KgError(f"{out} does not point at a kept release; name one: {', '.join(ids) or 'none kept'}")
        pos = ids.index(now)
        if pos == 0:
            raise KgError(f"{now} is the oldest kept release: there is none before it")
        rid = ids[pos - 1]
    elif rid not in ids:
        raise KgError(f"no kept release {rid!r} beside {out}; kept: {', '.join(ids) or 'none'} (`kg releases` lists them)")
    publish(out, releases_dir(out) / rid)
    return now, rid
