"""Property tests: any mutation of a page gives a Profile with warnings or one UnreadableError."""
from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import UnreadableError
from kg.model import Profile
from kg.parse import parse_bytes

HERE = Path(__file__).parent
PAGES = sorted((HERE / "pages" / "gold").iterdir())
SAMPLES = [(p.name, p.read_bytes()) for p in PAGES]
SETTINGS = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, filename: str) -> None:
    t = time.perf_counter()
    try:
        p = parse_bytes(data, filename=filename)
    except UnreadableError as e:
        assert e.file == filename and e.message
    else:
        assert isinstance(p, Profile)
        assert isinstance(p.slug, str) and p.slug
        for o in p.operations:
            assert o.start is None or len(o.start) in (4, 7, 10)
            assert o.arrests is None or o.arrests >= 0
        p.to_json()
    assert time.perf_counter() - t < 2.0


@SETTINGS
@given(st.sampled_from(SAMPLES), st.floats(0, 1))
def test_truncated_anywhere(sample, frac):
    name, data = sample
    check(data[: int(len(data) * frac)], name)


@SETTINGS
@given(st.sampled_from(SAMPLES), st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=40)), max_size=6))
def test_junk_bytes_inserted(sample, junk):
    name, data = sample
    for frac, j in junk:
        i = int(len(data) * frac)
        data = data[:i] + j + data[i:]
    check(data, name)


@SETTINGS
@given(st.sampled_from(SAMPLES), st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1",
                                                  "utf-8-sig", "mac_roman", "cp437"]))
def test_other_encodings(sample, enc):
    name, data = sample
    check(data.decode("utf-8").encode(enc, errors="replace"), name)


TAGS = ["<div>", "</div>", "<p>", "</p>", "<li>", "<ul>", "</table>", "<tr><td>", "<br>", "<a href='x'>",
        "</a>", "<!--", "-->", "<script>", "</script>", "&amp;", "&#8220;", "&bogus;", "<", ">", "<<p>>"]


@SETTINGS
@given(st.sampled_from([s for s in SAMPLES if s[0].endswith(".html")]),
       st.lists(st.tuples(st.floats(0, 1), st.sampled_from(TAGS)), max_size=12))
def test_html_soup(sample, edits):
    name, data = sample
    text = data.decode("utf-8")
    for frac, tag in edits:
        i = int(len(text) * frac)
        text = text[:i] + tag + text[i:]
    check(text.encode(), name)


@settings(max_examples=60, deadline=2000)
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.html", "norwich-ct.htm", "a b.txt"]))
def test_arbitrary_bytes(data, name):
    check(data, name)


@settings(max_examples=60, deadline=2000)
@given(st.text(max_size=3000))
def test_arbitrary_text(text):
    check(text.encode("utf-8", errors="replace"), "page.txt")


def test_huge_and_pathological_inputs_finish_quickly():
    seed = SAMPLES[0][1]
    cases = [
        seed * 400,                                     # ~1 MB of repeated pages
        b"a" * 3_000_000,                               # one giant word
        b"<div>" * 100_000,                             # deeply nested soup
        ("In 2008 police arrested " * 20000).encode(),  # one endless sentence
        b"Norwich, CT\n\nTactics Used\n\n" + b"Reverse Stings\n" * 50000,
    ]
    for i, data in enumerate(cases):
        t = time.perf_counter()
        try:
            parse_bytes(data, filename=f"case{i}.html" if b"<div>" in data[:10] else f"case{i}.txt")
        except UnreadableError:
            pass
        assert time.perf_counter() - t < 10, i
