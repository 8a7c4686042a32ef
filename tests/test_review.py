"""Confidence and the review loop, end to end: `kg build --min-confidence`, `kg review`, the next build.

The page is ours (tests/pages/language/, site style): one reading is sure (a street-level reverse
sting since 2010, named as such), one is not (a "sting" at a motel in which six men were arrested:
a reverse sting only through its context).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.cli import main
from kg.parse.confidence import DEFAULT_MIN_CONFIDENCE

DKG = "https://w3id.org/demand-kg/ontology#"
ID = "https://w3id.org/demand-kg/id/"
PAGE = """Ridgeton, KS

Tactics Used

Reverse Stings
Web Stings

Ridgeton is a town of about 4,000 residents. Prostitution along the old highway has drawn complaints \
for years. In May 2019, Ridgeton police ran a sting at a motel on the highway; officers arrested six men. \
The Ridgeton Police Department has run street-level reverse stings since 2010, using female \
officers as decoys.

State Kansas
Type City
Population 4012
Comments are closed.
"""
UNSURE = URIRef(ID + "operation/ridgeton-ks-2019-05-reverse-stings")
SURE = URIRef(ID + "operation/ridgeton-ks-2010-reverse-stings")
CLAIM = URIRef(ID + "jurisdiction/ridgeton-ks#uses-reverse-stings")


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "profiles").mkdir(parents=True)
    (d / "profiles" / "ridgeton-ks.txt").write_text(PAGE, encoding="utf-8")
    return d


def release_graph(out: Path) -> Graph:
    return Graph().parse(out / "kg.nt", format="nt")


def test_build_publishes_what_reaches_the_threshold(data, tmp_path, capsys):
    out = tmp_path / "dist"
    assert main(["build", "--data", str(data), "--out", str(out), "--min-confidence", "0.7"]) == 0
    g = release_graph(out)
    assert (SURE, None, None) in g and (UNSURE, None, None) not in g  # 0.65 < 0.7
    conf = g.value(CLAIM, URIRef(DKG + "confidence"))
    assert conf is not None and conf.datatype == XSD.decimal and float(conf) >= 0.7
    void = Graph().parse(out / "void.ttl")
    assert Literal("0.70", datatype=XSD.decimal) in set(void.objects(None, URIRef(DKG + "minConfidence")))
    # the default threshold publishes the uncertain reading too, with its confidence
    assert main(["build", "--data", str(data), "--out", str(out), "--allow-shrink"]) == 0
    g = release_graph(out)
    assert float(g.value(UNSURE, URIRef(DKG + "confidence"))) < 0.7
    void = Graph().parse(out / "void.ttl")
    assert Literal(f"{DEFAULT_MIN_CONFIDENCE:.2f}", datatype=XSD.decimal) in set(
        void.objects(None, URIRef(DKG + "minConfidence")))


def test_review_lists_then_accepts_and_rejects(data, tmp_path):
    page = str(data / "profiles" / "ridgeton-ks.txt")
    r = kg("review", page, "--data", str(data), "--min-confidence", "0.7")
    assert r.returncode == 0, r.stderr
    assert "1 reading(s) held below confidence 0.7" in r.stdout
    assert "[1] operation:2019-05:Reverse Stings  confidence 0.65  held" in r.stdout
    assert "| In May 2019, Ridgeton police ran a sting at a motel" in r.stdout  # the sentence, to judge by

    r = kg("review", page, "--data", str(data), "--min-confidence", "0.7", "--accept", "1",
           "--note", "six men arrested: a reverse sting")
    assert r.returncode == 0, r.stderr
    record = data / "places" / "ridgeton-ks.yaml"
    doc = yaml.safe_load(record.read_text(encoding="utf-8"))
    assert doc["review"] == [{"reading": "operation", "start": "2019-05", "tactics": ["Reverse Stings"],
                              "decision": "accept", "note": "six men arrested: a reverse sting"}]
    assert "Ridgeton police ran a sting" not in record.read_text(encoding="utf-8")  # no page text kept

    out = tmp_path / "dist"
    assert kg("build", "--data", str(data), "--out", str(out), "--min-confidence", "0.7").returncode == 0
    g = release_graph(out)
    assert (UNSURE, URIRef(DKG + "curatorAccepted"), Literal(True)) in g
    assert (UNSURE, URIRef(DKG + "arrests"), Literal(6, datatype=XSD.nonNegativeInteger)) in g

    # a published reading can be rejected: the next build leaves it out
    r = kg("review", page, "--data", str(data), "--reject", "operation:2010:Reverse Stings")
    assert r.returncode == 0, r.stderr
    assert kg("build", "--data", str(data), "--out", str(out), "--min-confidence", "0.7",
              "--allow-shrink").returncode == 0
    g = release_graph(out)
    assert (SURE, None, None) not in g and (UNSURE, None, None) in g
    listed = kg("review", page, "--data", str(data), "--min-confidence", "0.7").stdout
    assert "operation:2010:Reverse Stings  confidence 0.95  rejected" in listed


def test_a_bad_verdict_names_file_record_and_field(data, tmp_path, capsys):
    (data / "places").mkdir()
    (data / "places" / "ridgeton-ks.yaml").write_text(
        "slug: ridgeton-ks\nreview:\n- reading: claim\n  tactic: Web Sting\n  decision: accept\n", encoding="utf-8")
    assert main(["build", "--data", str(data), "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert "ridgeton-ks.yaml: ridgeton-ks: review[1].tactic: unknown tactic 'Web Sting'" in err
    assert not (tmp_path / "dist").exists()


def test_kg_parse_refuses_what_is_not_a_profile(tmp_path):
    readme = Path(__file__).resolve().parents[1] / "README.md"
    table = tmp_path / "places.csv"
    table.write_text("slug,name,state,kind\nx-tx,X,TX,City\n", encoding="utf-8")
    for f in (readme, table):
        r = kg("parse", str(f), "--json")
        assert r.returncode == 2
        assert r.stderr.strip().startswith(f"{f}: -: -: not a profile page")
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_kg_parse_into_a_closed_pipe_ends_quietly():
    pages = Path(__file__).parent / "pages" / "gold"
    p = subprocess.Popen(f"{sys.executable} -m kg.cli parse {pages} | head -1", shell=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=120)
    assert out.count("\n") == 1 and err == ""
