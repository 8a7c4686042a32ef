"""`kg build` on bad input: exit 1, `file: record: field: message`, previous release untouched."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import GOOD_RECORD
from kg.cli import main


def snapshot(dist: Path) -> dict[str, str]:
    """Every file of a release with its checksum (store files included)."""
    real = dist.resolve()
    return {str(p.relative_to(real)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(real.rglob("*")) if p.is_file()}


@pytest.fixture
def released(data_dir, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", "--data", str(data_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    return out, snapshot(out), json.loads((out / "release.json").read_text())["id"]


def rebuild_fails(data_dir, released, capsys) -> str:
    out, before, rid = released
    code = main(["build", "--data", str(data_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert json.loads((out / "release.json").read_text())["id"] == rid
    assert snapshot(out) == before, "the previous release changed"
    assert "left as it was" in err
    return err


def test_build_then_serveable_release(released):
    out, files, _ = released
    for name in ("kg.ttl", "kg.nt", "kg.jsonld", "kg.ttl.gz", "kg.nt.gz", "kg.jsonld.gz",
                 "context.jsonld", "void.ttl", "validation-report.ttl", "release.json"):
        assert name in files, name
    assert any(f.startswith("store/") for f in files)
    assert out.is_symlink()


def write(data_dir: Path, name: str, text: str | bytes) -> Path:
    p = data_dir / "places" / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def test_negative_arrests(data_dir, released, capsys):
    p = write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("arrests: 6", "arrests: -6"))
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: operations[1].arrests: must be a non-negative whole number" in err


def test_unknown_tactic_name(data_dir, released, capsys):
    p = write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("- tactic: Web Stings", "- tactic: Web Sting"))
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: tactics[1].tactic: unknown tactic 'Web Sting' (did you mean 'Web Stings'?)" in err


def test_unreadable_yaml(data_dir, released, capsys):
    p = write(data_dir, "broken.yaml", "slug: [unclosed\n  name: : :\n")
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: -: -: not valid YAML" in err


def test_binary_file(data_dir, released, capsys):
    p = write(data_dir, "junk.yaml", bytes(range(256)) * 4)
    err = rebuild_fails(data_dir, released, capsys)
    assert str(p) in err and "UTF-8" in err


def test_duplicate_slug(data_dir, released, capsys):
    p = write(data_dir, "zz-copy.yaml", GOOD_RECORD)
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: slug: duplicate slug 'testville-tx': already defined in" in err


def test_missing_required_field(data_dir, released, capsys):
    p = write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("name: Testville\n", ""))
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: name: is required" in err


def test_shacl_violation_fails_the_build(data_dir, released, capsys):
    # passes the record reader, caught by the shapes: a date in the future
    p = write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("start: 2016-05", "start: 2999-05"))
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: operations[1].start: start date is in the future" in err


def test_unknown_state_fails_the_build(data_dir, released, capsys):
    p = write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("state: TX", "state: XT"))
    err = rebuild_fails(data_dir, released, capsys)
    assert f"{p}: testville-tx: state: unknown state 'XT'; use the two-letter USPS code" in err


def test_missing_data_folder(tmp_path, capsys):
    assert main(["build", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "dist")]) == 1
    assert "data folder not found" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()


KILLER = """
import os, signal, sys
from pathlib import Path
from kg.build import build
stage = sys.argv[3]
def hook(s):
    if s == stage:
        os.kill(os.getpid(), signal.SIGKILL)
build(Path(sys.argv[1]), Path(sys.argv[2]), hook=hook)
"""


@pytest.mark.parametrize("stage", ["dumps", "gzip", "void", "before-swap"])
def test_build_killed_midway_leaves_release(stage, data_dir, released, tmp_path):
    out, before, rid = released
    write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("Testville", "Newville"))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(data_dir), str(out), stage])
    assert proc.returncode == -signal.SIGKILL
    assert json.loads((out / "release.json").read_text())["id"] == rid
    assert snapshot(out) == before
    # the next build publishes and cleans up what the killed one left
    assert main(["build", "--data", str(data_dir), "--out", str(out)]) == 0
    assert "Newville" in (out / "kg.nt").read_text()
    leftovers = [d.name for d in (tmp_path / ".dist-releases").iterdir() if d.name.startswith("tmp-")]
    assert leftovers == []


def test_build_killed_at_random_moments(data_dir, released):
    """kill -9 of the real command at several points in time never damages the release."""
    out, before, rid = released
    write(data_dir, "testville-tx.yaml", GOOD_RECORD.replace("Testville", "Newville"))
    env = dict(os.environ)
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "--data", str(data_dir),
                                 "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rel = json.loads((out / "release.json").read_text())
        if rel["id"] == rid:
            assert snapshot(out) == before
        else:  # the build finished before the kill: the new release is whole
            from kg.release import read_release
            info = read_release(out)
            for name, meta in info.files.items():
                assert hashlib.sha256((out / name).read_bytes()).hexdigest() == meta["sha256"]
            rid, before = rel["id"], snapshot(out)


def test_base_uri_rebases_everything(data_dir, tmp_path, capsys):
    out = tmp_path / "dist2"
    assert main(["build", "--data", str(data_dir), "--out", str(out), "--base-uri", "http://example.org/kg/"]) == 0
    nt = (out / "kg.nt").read_text()
    assert "<http://example.org/kg/jurisdiction/testville-tx>" in nt
    assert "<http://example.org/kg/tactic/web-stings>" in nt
    assert "w3id.org/demand-kg/id/" not in nt


def test_parallel_chunks_give_the_same_release(seed_data_dir, tmp_path, monkeypatch):
    """Chunks mapped and validated in worker processes make the same graph as one chunk."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    import kg.build as b

    one = b.build(seed_data_dir, tmp_path / "one", workers=1)
    monkeypatch.setattr(b, "CHUNK", 1)  # one profile per chunk: two chunks, two workers
    many = b.build(seed_data_dir, tmp_path / "many", workers=2)
    assert one.ok and many.ok
    g1 = Graph().parse(tmp_path / "one" / "kg.nt", format="nt")
    g2 = Graph().parse(tmp_path / "many" / "kg.nt", format="nt")
    assert isomorphic(g1, g2)
    assert isomorphic(g2, Graph().parse(tmp_path / "many" / "kg.jsonld", format="json-ld"))
    lines = (tmp_path / "many" / "kg.nt").read_text().splitlines()
    assert len(lines) == len(set(lines)) == len(g2)  # shared resources written once


def test_violation_in_one_chunk_fails_whole_build(seed_data_dir, tmp_path, monkeypatch):
    import kg.build as b

    write(seed_data_dir, "testville-tx.yaml", GOOD_RECORD.replace("start: 2016-05", "start: 2999-05"))
    monkeypatch.setattr(b, "CHUNK", 1)
    res = b.build(seed_data_dir, tmp_path / "dist", workers=2)
    assert not res.ok
    assert any(p.field == "operations[1].start" for p in res.problems)
    assert not (tmp_path / "dist").exists()


def test_two_builds_in_one_second_by_one_process_are_two_releases(tmp_path, monkeypatch):
    """The release id is the build's second and process id; a second build by the same process
    within that second gets its own id instead of failing to publish."""
    import datetime as dt

    import kg.release
    from kg.build import build
    from test_app_support import RECORDS

    class Frozen(dt.datetime):  # every build "now" falls in the same second
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=tz)

    monkeypatch.setattr(kg.release._dt, "datetime", Frozen)
    data = tmp_path / "data" / "places"
    data.mkdir(parents=True)
    for slug, text in RECORDS.items():
        (data / f"{slug}.yaml").write_text(text.lstrip(), encoding="utf-8")
    out = tmp_path / "dist"
    ids = []
    for _ in range(3):
        assert build(data.parent, out).ok
        ids.append(json.loads((out / "release.json").read_text())["id"])
    assert len(set(ids)) == 3 and all(i.startswith("20261129T120000Z-") for i in ids), ids
