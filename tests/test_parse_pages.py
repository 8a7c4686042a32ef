"""The page parser on the seed and on pages we wrote in every form of profile-format.md."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kg.errors import UnreadableError
from kg.parse import parse_bytes, parse_file

HERE = Path(__file__).parent
PAGES = HERE / "pages" / "gold"
GOLD = yaml.safe_load((HERE / "pages" / "gold.yaml").read_text(encoding="utf-8"))
sys.path.insert(0, str(HERE / "pages"))
from render import render  # noqa: E402

ROOT = HERE.parent
SEED = next(p for p in (ROOT / "data" / "profiles" / "norwich-ct.txt",
                        ROOT.parent / "shared" / "seeds" / "norwich-ct.txt") if p.exists())
MENU_13 = ["Auto Seizure", "Buyer Arrests", "Community Service", "Employment Loss",
           "Identity Disclosure", "IT Based Tactics", "John School", "License Suspension",
           "Neighborhood Action", "Public Education", "Reverse Stings", "SOAP Orders", "Web Stings"]


def ops_summary(p):
    return [(o.tactics, o.start, o.since, o.arrests) for o in p.operations]


# --- the seed -----------------------------------------------------------------------------

def test_seed_reading():
    [p] = parse_file(SEED)
    assert (p.slug, p.name, p.state, p.kind, p.population) == ("norwich-ct", "Norwich", "CT", "City", 40014)
    assert p.population_narrative == 40000
    assert p.listed_tactics == MENU_13 and p.list_version == "new-13"
    ev = {c.tactic: c.evidence for c in p.tactics}
    assert ev == {"Reverse Stings": ["narrative", "key-sources"], "Web Stings": ["narrative", "key-sources"],
                  "Identity Disclosure": ["narrative", "key-sources"], "Cameras": ["narrative"]}
    heads = {c.tactic: c.headings for c in p.tactics}
    assert heads["Reverse Stings"] == ["Reverse Stings, Identity Disclosure"]
    assert heads["Web Stings"] == ["Web Stings"]
    assert ops_summary(p) == [
        (["Reverse Stings"], "1978", True, None),
        (["Web Stings", "Identity Disclosure"], "2008", False, 4),
        (["Cameras"], "2012-06", False, None),
        (["Reverse Stings", "Identity Disclosure"], "2017-09", False, 5),
    ]
    assert {o.agency for o in p.operations} == {"Norwich Police Department"}
    assert all(o.text_is_quote and o.text for o in p.operations)
    assert "over 20 phone calls" not in " ".join(o.text for o in p.operations)
    assert not any(o.start == "2002" for o in p.operations)  # the homicide is not an operation
    assert p.sources == []  # bare headings make no Source objects
    assert p.input_form == "text" and p.file == str(SEED)
    assert p.url == "https://demand-forum.org/site/norwich-ct/"
    assert any("url inferred from file name" in w for w in p.warnings)


def test_seed_operation_texts_are_page_sentences():
    [p] = parse_file(SEED)
    page = " ".join(SEED.read_text(encoding="utf-8").split())
    for o in p.operations:
        for sentence in o.text.split(". "):
            assert sentence.strip(". ") in page


# --- the gold pages -----------------------------------------------------------------------

def _gold_file(g):
    return SEED if g.get("path") else PAGES / g["file"]


@pytest.mark.parametrize("g", GOLD, ids=[g["file"] for g in GOLD])
def test_gold_page(g):
    [p] = parse_file(_gold_file(g))
    if g.get("name") is not None:
        assert (p.name, p.state) == (g["name"], g["state"])
    assert p.population == g.get("population")
    if "kind" in g:
        assert p.kind == g["kind"]
    assert p.list_version == g["list_version"]
    assert set(p.tactic_names()) == set(g["tactics"])
    assert set(p.negated_tactics) == set(g.get("negated") or [])
    got = [(set(o.tactics), o.start, o.arrests) for o in p.operations]
    for want in g.get("operations") or []:
        key = (set(want["tactics"]), None if want["start"] is None else str(want["start"]), want.get("arrests"))
        assert key in got, (want, got)
        if want.get("since"):
            assert any(o.since for o in p.operations if o.start == key[1])
    if "partners" in g:
        assert p.partners == g["partners"]
    if "sources" in g:
        assert len(p.sources) == g["sources"]
    if g.get("html_marked"):
        marked = {c.tactic for c in p.tactics if "html-mark" in c.evidence}
        assert marked == set(g["html_marked"])
    assert any("disagrees with the title" in w for w in p.warnings) == bool(g.get("warn_slug"))


def test_springdale_example_of_the_format():
    [p] = parse_file(PAGES / "springdale-ar.txt")
    assert ops_summary(p) == [(["Web Stings", "Identity Disclosure"], "2015-10", False, 7),
                              (["Auto Seizure"], "2016", False, None)]
    assert set(p.negated_tactics) == {"Reverse Stings", "John School"}
    assert "Reverse Stings" not in p.tactic_names() and "John School" not in p.tactic_names()
    assert p.list_version == "old-9" and len(p.listed_tactics) == 9
    assert any("cut off" in w for w in p.warnings)
    assert p.agency if False else p.operations[0].agency == "Springdale Police Department"


TEXT_GOLD = [g for g in GOLD if g["file"].endswith(".txt")]


@pytest.mark.parametrize("g", TEXT_GOLD, ids=[g["file"] for g in TEXT_GOLD])
def test_text_and_html_read_the_same(g):
    path = _gold_file(g)
    slug = path.stem
    t = parse_file(path)[0]
    h = parse_bytes(render(path.read_text(encoding="utf-8"), slug).encode(), filename=f"{slug}.html")
    assert h.input_form == "html" and t.input_form == "text"
    keys = ("slug", "name", "state", "kind", "population", "population_narrative", "listed_tactics",
            "list_version", "tactics", "negated_tactics", "operations", "partners")
    tj, hj = t.to_json(), h.to_json()
    for k in keys:
        assert tj[k] == hj[k], k
    assert [(s["heading"], s["year"], s["date"], s["title"]) for s in tj["sources"]] == \
           [(s["heading"], s["year"], s["date"], s["title"]) for s in hj["sources"]]
    assert h.url == f"https://demand-forum.org/site/{slug}/"
    assert not any("url inferred" in w for w in h.warnings)


# --- particular rules ---------------------------------------------------------------------

def test_html_citations_keep_links_and_parts():
    [p] = parse_file(PAGES / "dover-de.html")
    s = p.sources[0]
    assert s.heading == "Reverse Stings, Identity Disclosure"
    assert s.url == "https://example-news.test/dover-sting-2013"
    assert (s.publication, s.title, s.date, s.year) == (
        "Delaware Courier", "10 men charged in Route 13 sting", "2013-08-23", 2013)
    bare = p.sources[1]
    assert (bare.title, bare.year, bare.url) == ("Dover installs crime cameras on Route 13", 2016,
                                                 "https://example-news.test/dover-cameras")
    assert p.url == "https://demand-forum.org/site/dover-de/"
    assert "Tactics" not in p.partners  # the site navigation is not content


def test_text_citation_with_url_and_year():
    [p] = parse_file(PAGES / "mesa-verde-co.txt")
    by_heading = {s.heading: s for s in p.sources}
    bg = by_heading["Background on Local Prostitution"]
    assert bg.url == "https://example-news.test/mesa-verde-prostitution-complaints" and bg.year == 2014
    rs = by_heading["Reverse Stings"]
    assert rs.publication == "Montezuma Valley Journal" and rs.date == "2015-05-09"


def test_menu_marks_that_do_not_distinguish_are_not_evidence():
    page = (PAGES / "carver-city-tx.txt").read_text(encoding="utf-8")
    h = parse_bytes(render(page, "carver-city-tx").encode(), filename="carver-city-tx.html")
    assert not any("html-mark" in c.evidence for c in h.tactics)
    assert "Cameras" not in h.tactic_names()


def test_slug_title_disagreement_keeps_title():
    [p] = parse_file(PAGES / "ashby-md.txt")
    assert (p.slug, p.name, p.state) == ("ashby-md", "Ashby", "MA")
    assert any("'ashby-md'" in w and "disagrees" in w for w in p.warnings)


def test_fragment_without_title():
    p = parse_bytes((PAGES / "fragment-story.txt").read_bytes(), filename="tulsa-ok.txt")
    assert (p.name, p.state, p.slug) == ("Tulsa", "OK", "tulsa-ok")
    assert any("no title" in w for w in p.warnings)
    assert p.list_version == "none" and p.listed_tactics == []
    assert p.operations[0].agency == "Tulsa Police Department"


@pytest.mark.parametrize("cut", [30, 120, 400, 700, 1100, 1500])
def test_cut_off_seed_still_reads(cut):
    data = SEED.read_bytes()[:cut]
    p = parse_bytes(data, filename="norwich-ct.txt")
    assert (p.name, p.state) == ("Norwich", "CT")
    assert p.population is None
    assert any("cut off" in w or "before the footer" in w for w in p.warnings)
    assert set(p.tactic_names()) <= {"Reverse Stings", "Web Stings", "Identity Disclosure", "Cameras"}


def test_negations_and_plans_are_not_claims():
    text = ("Ridgeton, KS\n\nRidgeton is a town of about 4,000 residents. The police department has not "
            "conducted a reverse sting since the 1990s. A john school was proposed in 2015 but never "
            "funded. Sheriff Kay said deputies plan to install surveillance cameras next year. Names of "
            "arrested men are withheld.\n").encode()
    p = parse_bytes(text, filename="ridgeton-ks.txt")
    assert p.tactics == [] and p.operations == []
    assert set(p.negated_tactics) >= {"Reverse Stings", "John School", "Cameras", "Identity Disclosure"}


def test_counts_words_and_approximations():
    from kg.parse.operations import find_count
    assert find_count("Officers arrested twenty-seven men at a motel.").value == 27
    assert find_count("A total of 4 johns were arrested.").value == 4
    assert find_count("The sting let to arrest of five sex buyers.").value == 5
    assert find_count("27 buyers and 12 sellers were charged.").value == 27
    assert find_count("At least three men were arrested.").value is None
    assert find_count("An officer fielded over 20 phone calls from johns.") is None


def test_dates_at_the_precision_given():
    from kg.parse.operations import find_date
    assert find_date("On May 3, 2016, deputies arrested men.", None).start == "2016-05-03"
    assert find_date("In early April 2014, officers ran a sting.", None).start == "2014-04"
    assert find_date("In the summer of 2019 a sting was run.", None).start == "2019"
    d = find_date("Officers have run stings since 1978.", None)
    assert (d.start, d.since) == ("1978", True)
    assert find_date("Eighteen months later, police ran another sting.", "2015-10").start == "2017-04"
    assert find_date("A 16-year-old was recovered; $150,000 was awarded.", None) is None


def test_unusable_inputs_raise_a_clear_error(tmp_path):
    for name, data in [("empty.txt", b""), ("blank.txt", b"  \n\n "), ("bin.html", bytes(range(256)) * 40)]:
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(UnreadableError) as e:
            parse_file(f)
        assert e.value.file == str(f)


def test_windows_1252_and_utf16_pages_decode():
    text = SEED.read_text(encoding="utf-8")
    p = parse_bytes(text.encode("cp1252", errors="replace"), filename="norwich-ct.txt")
    assert p.population == 40014 and any("Windows-1252" in w for w in p.warnings)
    p = parse_bytes(text.encode("utf-16"), filename="norwich-ct.txt")
    assert p.population == 40014 and len(p.operations) == 4


def test_records_go_through_the_record_reader(tmp_path):
    f = tmp_path / "x-ct.yaml"
    f.write_text("slug: x-ct\nname: X\nstate: CT\n", encoding="utf-8")
    [p] = parse_file(f)
    assert p.input_form == "record" and p.slug == "x-ct"


def test_cli_json_and_exit_codes(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "parse", str(SEED), str(bad),
                        str(PAGES / "dover-de.html"), "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert [o["slug"] for o in out] == ["norwich-ct", "dover-de"]
    assert out[0]["tactics"][0]["evidence"] and out[0]["operations"][1]["arrests"] == 4
    assert r.stderr.strip().startswith(f"{bad}: -: -: ")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "parse", str(PAGES)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "Harlow, OH" in r.stdout and "uses Web Stings" in r.stdout
