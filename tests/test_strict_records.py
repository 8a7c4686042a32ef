"""Strict records, every problem at once: unknown and misspelled fields are errors with a
did-you-mean, and one run of `kg build` or `kg validate` reports every problem of every file
(sorted, counted) with file, record and field, then exits 1 (2 only for an unreadable file),
leaving the previous release untouched."""
from __future__ import annotations

import json
import re

import pytest

from conftest import GOOD_RECORD
from kg.cli import main
from test_build import snapshot

# Three records written for the test, with ten different mistakes between them.
ALPHA = (GOOD_RECORD.replace("slug: testville-tx", "slug: alpha-tx")
         .replace("name: Testville", "name: Alpha")
         .replace("list_version: new-15", "list_version: new-15\ncolour: blue")       # 1 unknown key
         .replace("  arrests: 6\n", "  arests: 6\n")                                  # 2 misspelled key
         .replace("population_footer: 12345", "population_footer: many")             # 3 wrong type
         .replace("start: 2016-05", "start: 2016-13"))                                # 4 bad date
BETA = (GOOD_RECORD.replace("slug: testville-tx", "slug: beta-xt")
        .replace("- tactic: Web Stings", "- tactic: Web Sting")                       # 5 unknown tactic
        .replace("state: TX", "state: XT")                                            # 6 unknown state
        .replace("arrests: 6", "arrests: -6"))                                        # 7 negative arrests
GAMMA = (GOOD_RECORD.replace("slug: testville-tx", "slug: alpha-tx")                  # 8 duplicate slug
         .replace("name: Testville\n", "")                                            # 9 missing name
         .replace("state: TX\n", ""))                                                 # 10 no state

EXPECTED = [
    ("alpha-tx.yaml", "alpha-tx", "colour", "unknown field; the fields are"),
    ("alpha-tx.yaml", "alpha-tx", "operations[1].arests", "unknown field; did you mean arrests?"),
    ("alpha-tx.yaml", "alpha-tx", "population_footer", "must be a non-negative whole number, not 'many'"),
    ("alpha-tx.yaml", "alpha-tx", "operations[1].start", "must be a date as YYYY, YYYY-MM or YYYY-MM-DD, not '2016-13'"),
    ("beta-xt.yaml", "beta-xt", "tactics[1].tactic",
     "unknown tactic 'Web Sting' (did you mean 'Web Stings'?); the 15 tactic names are in ontology/tactics.ttl (`kg tactics` lists them)"),
    ("beta-xt.yaml", "beta-xt", "state", "unknown state 'XT'"),
    ("beta-xt.yaml", "beta-xt", "operations[1].arrests", "must be a non-negative whole number, not -6"),
    ("gamma-dup.yaml", "alpha-tx", "slug", "duplicate slug 'alpha-tx': already defined in"),
    ("gamma-dup.yaml", "alpha-tx", "name", "is required"),
    ("gamma-dup.yaml", "alpha-tx", "state", "is required"),
]


def seed(data_dir):
    places = data_dir / "places"
    for name, text in (("alpha-tx.yaml", ALPHA), ("beta-xt.yaml", BETA), ("gamma-dup.yaml", GAMMA)):
        (places / name).write_text(text, encoding="utf-8")
    return places


def problem_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if re.match(r"^(\w+: )?/.*\.yaml: ", ln)]


def check_all_ten(lines: list[str], places) -> None:
    assert len(lines) == 10, "\n".join(lines)
    for file, record, field, message in EXPECTED:
        want = f"{places / file}: {record}: {field}: {message}"
        assert any(want in ln for ln in lines), f"missing: {want}\n" + "\n".join(lines)
    bare = [ln.split(": ", 1)[1] if ln.startswith(("Violation: ", "Unreadable: ")) else ln for ln in lines]
    assert bare == sorted(bare, key=lambda ln: ln.split(": ")[:3]), "problems are listed sorted"


def test_one_build_reports_all_ten_mistakes_and_keeps_the_release(data_dir, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", "--data", str(data_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    before = snapshot(out)
    rid = json.loads((out / "release.json").read_text())["id"]
    places = seed(data_dir)

    assert main(["build", "--data", str(data_dir), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    check_all_ten(problem_lines(err), places)
    assert "kg build: failed with 10 problems in 3 files;" in err
    assert snapshot(out) == before, "the previous release changed"
    assert json.loads((out / "release.json").read_text())["id"] == rid


def test_one_validate_reports_all_ten_and_exits_1(data_dir, capsys):
    places = seed(data_dir)
    assert main(["validate", str(data_dir)]) == 1  # readable files with bad values: 1, not 2
    out = capsys.readouterr().out
    check_all_ten(problem_lines(out), places)
    assert "does not conform" in out and "10 violations (0 unreadable) in 3 file(s)" in out


def test_validate_exits_2_only_for_an_unreadable_file_and_still_reports_the_rest(data_dir, capsys):
    places = seed(data_dir)
    (places / "broken.yaml").write_text("slug: [unclosed\n  name: : :\n", encoding="utf-8")
    assert main(["validate", str(data_dir)]) == 2
    out = capsys.readouterr().out
    assert f"Unreadable: {places / 'broken.yaml'}: -: -: not valid YAML" in out
    assert len(problem_lines(out)) == 11


@pytest.mark.parametrize("wrong,right,field", [
    ("agency", "agncy", "operations[1].agncy"),
    ("negated_tactics", "negated_tactic", "negated_tactic"),
    ("arrests", "arests", "operations[1].arests"),
])
def test_misspelled_fields_are_errors_with_did_you_mean(data_dir, tmp_path, capsys, wrong, right, field):
    p = data_dir / "places" / "testville-tx.yaml"
    p.write_text(GOOD_RECORD.replace(f"{wrong}:", f"{right}:", 1), encoding="utf-8")
    assert main(["build", "--data", str(data_dir), "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert f"{p}: testville-tx: {field}: unknown field" in err
    assert f"did you mean {wrong}?" in err
    assert not (tmp_path / "dist").exists()


def test_the_allowed_fields_are_one_constant():
    """The fields a record may have live in one place (a new field is a one-line change)."""
    import kg.records as r

    assert set(r.RECORD_FIELDS) == {"record", "tactics", "operations", "sources"}
    assert "arrests" in r.RECORD_FIELDS["operations"] and "slug" in r.RECORD_FIELDS["record"]


def test_kg_tactics_lists_the_names_the_messages_point_to(capsys):
    """The unknown-tactic message points to ontology/tactics.ttl and `kg tactics`: both exist."""
    from kg.tactics import TACTIC_NAMES
    from kg.vocab import ontology_dir

    assert (ontology_dir() / "tactics.ttl").is_file()
    assert main(["tactics"]) == 0
    out = capsys.readouterr().out
    for name in TACTIC_NAMES:
        assert f"  {name} " in out
    assert main(["tactics", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == list(TACTIC_NAMES)
    assert all(r["iri"].startswith("https://w3id.org/demand-kg/id/tactic/") for r in rows)
