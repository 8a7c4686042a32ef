"""`kg validate`: exit 0 conforms, 1 violations (with file: record: field), 2 unreadable."""
from __future__ import annotations

from kg.cli import main


def test_validate_release_dump_conforms(shipped_release, capsys):
    assert main(["validate", str(shipped_release / "kg.ttl")]) == 0
    assert "conforms" in capsys.readouterr().out


def test_validate_profiles_and_broken_graph(data_dir, tmp_path, capsys):
    assert main(["validate", str(data_dir)]) == 0
    capsys.readouterr()
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
        @prefix dkg: <https://w3id.org/demand-kg/ontology#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/demand-kg/id/jurisdiction/x> a dkg:Jurisdiction ;
            rdfs:label "X" ; dkg:population -3 .
    """)
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: https://w3id.org/demand-kg/id/jurisdiction/x: population: population must be one non-negative integer" in out
    assert f"{bad}: https://w3id.org/demand-kg/id/jurisdiction/x: state: must lie in exactly one state" in out


def test_validate_unreadable(tmp_path, capsys):
    junk = tmp_path / "junk.ttl"
    junk.write_text("this is not turtle <<<")
    assert main(["validate", str(junk)]) == 2
    out = capsys.readouterr()
    assert f"Unreadable: {junk}: -: -: unreadable graph" in out.out
    assert "could not be read" in out.err
