"""A release never silently shrinks: a build that would lose more than a set share of the
current release's places, operations or claims (or has no place) is refused with the numbers
unless --allow-shrink; `kg releases` lists the kept releases and `kg rollback [ID]` points
dist back, and a running `kg serve` follows it."""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

from conftest import DATA
from kg.cli import main
from test_app_support import free_port, http, start
from test_build import snapshot

COUNT = "SELECT (COUNT(?j) AS ?n) WHERE { ?j a <https://w3id.org/demand-kg/ontology#Jurisdiction> }"


def half_of_data(tmp_path: Path) -> Path:
    """A copy of data/ with every other place record removed."""
    half = tmp_path / "half"
    shutil.copytree(DATA, half)
    for i, f in enumerate(sorted((half / "places").glob("*.yaml"))):
        if i % 2:
            f.unlink()
    return half


def release_id(out: Path) -> str:
    return json.loads((out / "release.json").read_text())["id"]


def build_cmd(*args: str) -> int:
    return main(["build", *args])


def test_empty_and_halved_data_are_refused_with_the_numbers(tmp_path, capsys):
    out = tmp_path / "dist"
    assert build_cmd("--data", str(DATA), "--out", str(out)) == 0
    capsys.readouterr()
    before, rid = snapshot(out), release_id(out)
    places = json.loads((out / "release.json").read_text())["counts"]["jurisdictions"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_cmd("--data", str(empty), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert f"kg build: refused: the new release has no place (the current release {rid} has {places:,})" in err
    assert f"places {places:,} -> 0 (-100%)" in err and "--allow-shrink" in err
    assert snapshot(out) == before

    half = half_of_data(tmp_path)
    assert build_cmd("--data", str(half), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert f"the new release would lose more than 10% of the current release {rid}" in err
    kept = len(list((half / "places").glob("*.yaml"))) + 1  # + Norwich, from its page
    assert f"places {places:,} -> {kept:,} (-" in err
    assert "operations " in err and "tactic claims " in err
    assert snapshot(out) == before and release_id(out) == rid
    leftovers = [d.name for d in (tmp_path / ".dist-releases").iterdir() if d.name.startswith("tmp-")]
    assert leftovers == []

    assert build_cmd("--data", str(half), "--out", str(out), "--allow-shrink") == 0
    capsys.readouterr()
    assert release_id(out) != rid
    assert json.loads((out / "release.json").read_text())["counts"]["jurisdictions"] == kept


def test_a_release_with_no_place_goes_through_only_when_allowed(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "dist"
    assert build_cmd("--data", str(empty), "--out", str(out)) == 1
    assert "the new release has no place" in capsys.readouterr().err
    assert not out.exists()
    assert build_cmd("--data", str(empty), "--out", str(out), "--allow-shrink") == 0
    assert json.loads((out / "release.json").read_text())["counts"]["jurisdictions"] == 0


def served_places(url: str) -> int:
    st, _, body = http("GET", f"{url}/sparql?query={quote(COUNT)}", headers={"Accept": "text/csv"})
    assert st == 200, body
    return int(body.decode().split()[1])


def wait_for(url: str, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served_places(url) == n:
            return
        time.sleep(0.2)
    raise AssertionError(f"the server never served {n} places (it serves {served_places(url)})")


def test_rollback_under_a_running_server(tmp_path, capsys):
    out = tmp_path / "dist"
    assert build_cmd("--data", str(DATA), "--out", str(out)) == 0
    full_id = release_id(out)
    full = json.loads((out / "release.json").read_text())["counts"]["jurisdictions"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--dist", str(out),
                  "--follow", "0.5"], url + "/sparql?query=ASK%7B%7D")
    try:
        assert served_places(url) == full
        half = half_of_data(tmp_path)
        assert build_cmd("--data", str(half), "--out", str(out), "--allow-shrink") == 0
        half_id = release_id(out)
        n_half = json.loads((out / "release.json").read_text())["counts"]["jurisdictions"]
        wait_for(url, n_half)  # the server follows the new build

        capsys.readouterr()
        assert main(["releases", "--out", str(out)]) == 0
        listing = capsys.readouterr().out
        assert f"  {full_id} " in listing and f"* {half_id} " in listing
        assert main(["rollback", "--out", str(out)]) == 0
        assert f"now points at release {full_id} (was {half_id})" in capsys.readouterr().out
        assert release_id(out) == full_id
        wait_for(url, full)  # ... and the rollback
        st, _, body = http("GET", url + "/")
        assert st == 200 and f"<b>{full}</b> places".encode() in body

        assert main(["rollback", half_id, "--out", str(out)]) == 0  # forward again, by id
        wait_for(url, n_half)
        assert main(["rollback", "no-such-release", "--out", str(out)]) == 1
        assert "no kept release 'no-such-release'" in capsys.readouterr().err
        assert release_id(out) == half_id
    finally:
        proc.stop()


def test_the_release_dist_points_at_is_never_pruned(tmp_path, capsys):
    """After a rollback to the oldest kept release, the next build keeps it: dist pointed at it,
    so a running server may still be answering from it."""
    from test_app_support import RECORDS

    data = tmp_path / "data" / "places"
    data.mkdir(parents=True)
    for slug, text in RECORDS.items():
        (data / f"{slug}.yaml").write_text(text.lstrip(), encoding="utf-8")
    out = tmp_path / "dist"
    ids = []
    for i in range(3):
        (data / "norwich-ct.yaml").write_text(RECORDS["norwich-ct"].lstrip().replace(
            "population_footer: 40014", f"population_footer: {40014 + i}"))
        assert build_cmd("--data", str(data.parent), "--out", str(out)) == 0
        ids.append(release_id(out))
    assert main(["rollback", ids[0], "--out", str(out)]) == 0
    for i in range(3, 6):
        (data / "norwich-ct.yaml").write_text(RECORDS["norwich-ct"].lstrip().replace(
            "population_footer: 40014", f"population_footer: {40014 + i}"))
        assert build_cmd("--data", str(data.parent), "--out", str(out)) == 0
        assert main(["rollback", ids[0], "--out", str(out)]) == 0  # still kept: dist pointed at it
    assert release_id(out) == ids[0]
    assert (out / "kg.nt").is_file()
