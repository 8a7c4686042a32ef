"""The parser over the 40 blind pages of tests/pages/heldout2/: no crash, name and state right.

Only name/state are asserted: the full readings (gold.yaml there) are an evaluation set scored by
bench/eval_parse.py --subset heldout2-tune/heldout2-final, not a spec to fit.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.parse import parse_file

HELDOUT2 = Path(__file__).parent / "pages" / "heldout2"
GOLD = yaml.safe_load((HELDOUT2 / "gold.yaml").read_text(encoding="utf-8"))


def test_every_page_has_a_reading():
    files = sorted(str(p.relative_to(HELDOUT2)) for p in HELDOUT2.glob("*/*") if p.is_file())
    assert files == sorted(g["file"] for g in GOLD)
    assert len(files) == 40


@pytest.mark.parametrize("g", GOLD, ids=[g["file"] for g in GOLD])
def test_heldout2_page_parses_with_name_and_state(g):
    [p] = parse_file(HELDOUT2 / g["file"])
    assert (p.name, p.state) == (g["name"], g["state"])
    assert p.to_json()["slug"]
