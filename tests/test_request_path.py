"""The lean request path reads a `?query=` exactly as parse_qs would, only faster."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, quote_plus

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.bounded import bounds
from kg.engine import strip_comments
from kg.sparql_protocol import COMMENT, MAX_QUERY, read_operation
from kg.views.sparql import query_arg, volatile


def _reference(qs: str) -> dict:
    return parse_qs(qs, keep_blank_values=True, errors="replace")


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=400), st.booleans())
def test_an_encoded_query_reads_as_parse_qs_reads_it(text, plus):
    qs = "query=" + (quote_plus(text) if plus else quote(text, safe=""))
    got = query_arg(qs)
    assert got is not None
    assert got == _reference(qs)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("%+=&;#?:/<>{}abcAF09 \t\n\x80é"), max_size=60))
def test_any_query_string_reads_as_parse_qs_reads_it_or_is_left_to_it(tail):
    """Malformed escapes, raw '=', '+', '&', spaces, non-ASCII: the same answer, or None."""
    qs = "query=" + tail
    got = query_arg(qs)
    assert got is None or got == _reference(qs)


def test_only_a_lone_query_parameter_takes_the_short_way():
    assert query_arg("format=json&query=ASK%7B%7D") is None
    assert query_arg("query=ASK%7B%7D&format=json") is None
    assert query_arg("query=ASK%7B%7D") == {"query": ["ASK{}"]}
    assert query_arg("query=a%2Bb+c%3Dd") == {"query": ["a+b c=d"]}


def test_volatile_functions_are_seen_in_any_case():
    assert volatile("SELECT (now() AS ?t) {}") and volatile("SELECT (RAND () AS ?r) {}")
    assert volatile("SELECT (STRUUID() AS ?u) {}") and volatile("SELECT (bnode() AS ?b) {}")
    assert not volatile("SELECT ?known WHERE { ?s <http://x/random> ?known }")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("#<>\"' \n\rab"), max_size=80))
def test_comments_are_stripped_as_the_expression_says(text):
    assert strip_comments(text) == COMMENT.sub("", text)


def test_long_runs_of_hashes_cost_linear_time():
    """Regression: the comment expression (and the bounded reader's prologue expression) went
    quadratic, or exponential, on runs of '#': a query of 20,000 of them held a web thread 3 s,
    and 30 of them before a PREFIX about a minute. Each now takes a fraction of a second at the
    largest query size accepted."""
    big = "#" * (MAX_QUERY - 1) + "<"
    t = time.perf_counter()
    assert strip_comments(big) == big
    read_operation("GET", {"query": ["#" * 60_000 + "<\nASK {}"]}, None, b"")  # was ~30 s
    assert bounds("#" * 3000 + "x", None) is None  # the store is never reached
    assert bounds("#" * 27 + "\nPREFIX", None) is None  # was ~10 s, doubling with each '#'
    assert time.perf_counter() - t < 5.0
