"""The page reader on the language of real profile pages (pages in tests/pages/language/, written for
these tests in the site's style; each reproduces one phenomenon the real pages showed)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.parse import parse_file
from kg.parse.confidence import apply

HERE = Path(__file__).parent / "pages" / "language"
GOLD = yaml.safe_load((HERE / "gold.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("g", GOLD, ids=[g["file"] for g in GOLD])
def test_reading_of_real_language(g):
    # every reading the parser makes, whatever its confidence: none may be false
    [p] = parse_file(HERE / g["file"])
    apply(p, 0.0)
    assert set(p.tactic_names()) == set(g["tactics"]), g["phenomenon"]
    assert set(g.get("negated") or []) <= set(p.negated_tactics)
    # what the page does not know ("declined to say whether") is not published as not done
    assert not set(g.get("not_negated") or []) & set(p.negated_tactics), g["phenomenon"]
    got = sorted((sorted(o.tactics), o.start, o.arrests) for o in p.operations)
    want = sorted((sorted(t), None if s is None else str(s), a) for t, s, a in g["operations"])
    assert got == want, g["phenomenon"]


def test_menu_lines_are_never_narrative():
    for name in ("millbrook-county-tx.txt", "quarry-falls-mn.txt"):
        [p] = parse_file(HERE / name)
        assert len(p.listed_tactics) >= 13
        assert not any("|" in o.text or "\u2713" in o.text for o in p.operations)
        assert not any("|" in q for c in p.tactics for q in c.quotes)


def test_buyers_caught_by_investigation_are_published_at_the_default_threshold():
    # Buyer Arrests means buyers caught without a decoy: by investigations and complaints, which
    # pages tell among the local problems; being told there does not make them doubtful
    [p] = parse_file(HERE / "oakmont-ar.txt")
    apply(p, 0.5)
    assert sorted((o.start, o.arrests) for o in p.operations) == [("2016", 1), ("2018", 23)]
    assert p.tactic_names() == ["Buyer Arrests"]
    # likewise stings on buyers of children, told among the crimes against children
    [p] = parse_file(HERE / "pine-hollow-fl.txt")
    apply(p, 0.5)
    assert sorted((o.start, o.arrests) for o in p.operations) == [("2020-08", 1), ("2021-03", 1)]
    # and a sting told through the one buyer it caught, among the local problems
    [p] = parse_file(HERE / "rowan-ford-va.txt")
    apply(p, 0.5)
    assert [(o.start, o.arrests) for o in p.operations] == [("2013-04", 27)]


def test_an_agency_acts_only_once_the_page_has_named_it():
    # a county sheriff first named in 2018 did not run the city's stings of 2011 and 2013: those are
    # published with no agency rather than with a wrong one
    [p] = parse_file(HERE / "orchard-glen-ga.txt")
    assert [(o.start, o.agency) for o in p.operations] == [
        ("2011-05", None), ("2013", None),
        ("2018", "Pecan County Sheriff's Office"), ("2021", "Pecan County Sheriff's Office")]
