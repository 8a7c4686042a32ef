"""Shared fixtures: the shipped data's release (built once) and small test data folders."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def shared_dir() -> Path:
    """shared/ sits beside the checkout (CI clones into another folder and copies it there);
    no other place is looked at."""
    cand = ROOT.parent / "shared"
    if cand.is_dir():
        return cand
    pytest.skip(f"shared/ folder not found beside the checkout ({cand})")


@pytest.fixture(scope="session")
def shipped_release(tmp_path_factory):
    """`kg build` of the shipped data/, once per test session."""
    from kg.build import build

    out = tmp_path_factory.mktemp("shipped") / "dist"
    res = build(DATA, out)
    assert res.ok, "\n".join(p.line() for p in res.problems)
    return out


# A record written for the tests (not a real place's facts).
GOOD_RECORD = textwrap.dedent("""\
    slug: testville-tx
    url: https://demand-forum.org/site/testville-tx/
    name: Testville
    state: TX
    kind: City
    population_footer: 12345
    population_narrative: 12000
    list_version: new-15
    tactics:
    - tactic: Web Stings
      evidence: [narrative]
    - tactic: Identity Disclosure
      evidence: [narrative, key-sources]
    negated_tactics: [John School]
    operations:
    - tactics: [Web Stings, Identity Disclosure]
      start: 2016-05
      end: null
      since: false
      arrests: 6
      agency: Testville Police Department
      summary: decoy ad answered by six men, all arrested and named in the local paper
    partners: [Testville Police Department]
    sources:
    - heading: Web Stings, Identity Disclosure
      citation: 'Testville Courier: "Six held in online sting". May 20, 2016.'
      url: null
      year: 2016
    """)


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data folder with one good record."""
    d = tmp_path / "data"
    (d / "places").mkdir(parents=True)
    (d / "places" / "testville-tx.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    return d


@pytest.fixture
def seed_data_dir(tmp_path) -> Path:
    """A data folder with the seed page and one good record."""
    d = tmp_path / "data"
    (d / "places").mkdir(parents=True)
    (d / "profiles").mkdir()
    (d / "places" / "testville-tx.yaml").write_text(GOOD_RECORD, encoding="utf-8")
    shutil.copy(DATA / "profiles" / "norwich-ct.txt", d / "profiles" / "norwich-ct.txt")
    return d
