"""Memory mode: query workers forked from one process that holds the release in memory answer
exactly what the on-disk store answers, never repeat each other's random values, survive the
loss of the loader, and report a release they cannot load."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.app import memory_source
from kg.engine import EmbeddedEngine, EndpointError, QueryTimeout
from kg.examples import EXAMPLES
from kg.release import read_release
from test_app_support import small_release


@pytest.fixture(scope="module")
def engines():
    dist = small_release()
    disk = EmbeddedEngine(dist / "store", workers=2)
    mem = EmbeddedEngine(dist / "store", workers=2, memory_source=dist / "kg.nt")
    yield disk, mem
    disk.close()
    mem.close()


def rows(engine: EmbeddedEngine, query: str) -> list:
    data = json.loads(engine.execute(query).body)
    return data.get("boolean", data.get("results", {}).get("bindings"))


def test_memory_and_disk_give_the_same_answers(engines):
    disk, mem = engines
    for ex in EXAMPLES:
        assert rows(mem, ex.sparql) == rows(disk, ex.sparql), ex.slug
    place = "https://w3id.org/demand-kg/id/jurisdiction/norwich-ct"
    for q in (f"DESCRIBE <{place}>", f"CONSTRUCT {{ ?op ?p ?o }} WHERE {{ ?op ?x <{place}> ; ?p ?o }}"):
        a = set(ox.parse(disk.execute(q, graph_format="application/n-triples").body, ox.RdfFormat.N_TRIPLES))
        b = set(ox.parse(mem.execute(q, graph_format="application/n-triples").body, ox.RdfFormat.N_TRIPLES))
        assert a == b and len(a) > 10


def test_forked_workers_do_not_repeat_random_values(engines):
    _, mem = engines
    q = "SELECT (STRUUID() AS ?u) (RAND() AS ?r) (BNODE() AS ?b) WHERE {}"
    seen = [mem.execute(q, results_format="text/csv").body.split(b"\r\n")[1] for _ in range(8)]
    assert len(set(seen)) == 8, seen


def test_a_lost_loader_is_replaced():
    """The workers outlive their loader; the next worker needed comes from a new one."""
    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=1, memory_source=dist / "kg.nt", timeout=20.0)
    count = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {}"
    triples = str(read_release(dist).triples)
    try:
        assert rows(eng, count.format(0))[0]["n"]["value"] == triples
        zygote = eng.pool.zygote
        os.kill(zygote.proc.pid, signal.SIGKILL)
        zygote.proc.wait(5)
        time.sleep(1.5)
        assert rows(eng, count.format(1))[0]["n"]["value"] == triples  # the worker still answers
        eng.timeout = 1.0
        with pytest.raises(QueryTimeout):  # its worker is killed: a new one must be forked
            eng.execute("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        eng.timeout = 20.0
        assert rows(eng, count.format(2))[0]["n"]["value"] == triples
        assert eng.pool.zygote is not zygote and eng.pool.zygote.proc.poll() is None
    finally:
        eng.close()


def test_an_unloadable_dump_falls_back_to_the_store(tmp_path: Path, capfd):
    """A dump that cannot be loaded in memory is reported once; queries go to the on-disk store."""
    bad = tmp_path / "kg.nt"
    bad.write_text("<http://a> <http://b> this is not N-Triples .\n")
    dist = small_release()
    eng = EmbeddedEngine(dist / "store", workers=2, memory_source=bad, timeout=10)
    try:
        n = rows(eng, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"]
        assert n == str(read_release(dist).triples)
        deadline = time.monotonic() + 10  # the zygote's failure is reported in the background
        while eng.pool.in_memory and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not eng.pool.in_memory and "kg.nt" in capfd.readouterr().err
        assert eng.pool.memory_error
    finally:
        eng.close()


def test_memory_setting():
    dist = small_release()
    rel = read_release(dist)
    assert memory_source(dist, rel, {"MEMORY": "auto"}) == dist / "kg.nt"
    assert memory_source(dist, rel, {"MEMORY": "auto", "MEMORY_MAX_TRIPLES": rel.triples - 1}) is None
    assert memory_source(dist, rel, {"MEMORY": "on", "MEMORY_MAX_TRIPLES": 1}) == dist / "kg.nt"
    assert memory_source(dist, rel, {"MEMORY": "off"}) is None
    with pytest.raises(ValueError, match="MEMORY must be"):
        memory_source(dist, rel, {"MEMORY": "yes"})


def test_queries_answer_while_the_release_loads(tmp_path: Path):
    """A restarted server answers at once from the on-disk store; once the release is in
    memory, the forked workers take over and the stand-ins are retired."""
    from kg.engine import _Forked, _Worker

    dist = small_release()
    fifo = tmp_path / "kg.nt"
    os.mkfifo(fifo)  # the loader blocks reading it until the test writes the dump
    eng = EmbeddedEngine(dist / "store", workers=2, memory_source=fifo, timeout=10)
    count = "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {}"
    triples = str(read_release(dist).triples)
    try:
        for i in range(3):
            assert rows(eng, count.format(i))[0]["n"]["value"] == triples
        assert not eng.pool.zygote.loaded.is_set()
        assert all(isinstance(w, _Worker) for w in list(eng.pool.idle.queue))
        with open(fifo, "wb") as f:
            f.write((dist / "kg.nt").read_bytes())
        assert eng.pool.zygote.loaded.wait(20)
        for i in range(3, 9):
            assert rows(eng, count.format(i))[0]["n"]["value"] == triples
        kinds = {type(w) for w in list(eng.pool.idle.queue)}
        assert kinds == {_Forked}, kinds
    finally:
        eng.close()
