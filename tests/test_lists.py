"""The lists for people and for pandas/R: /jurisdictions, /operations and /tactics as HTML,
CSV and JSON with the same filters; facets that combine (all of several tactics, any of
several states), misspelled values reported, sortable columns, counts that say what they
count. Against a live server, read with pandas as a user would."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
import requests

from test_app_support import BASE, live_server

DKG = "https://w3id.org/demand-kg/ontology#"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def url() -> str:
    return live_server()


def rows_of(page: str) -> list[str]:
    return re.findall(r'<td><a href="/page/jurisdiction/([^"]+)"', page)


def test_pandas_csv_with_two_facets_equals_the_sparql_answer(url):
    got = pd.read_csv(f"{url}/jurisdictions.csv?state=tx&tactic=web-stings&tactic=reverse-stings")
    q = f"""PREFIX dkg: <{DKG}> PREFIX state: <{BASE}state/> PREFIX tactic: <{BASE}tactic/>
SELECT ?place WHERE {{ ?place dkg:state state:tx ; dkg:usesTactic tactic:web-stings, tactic:reverse-stings }}"""
    from urllib.parse import quote

    want = pd.read_csv(f"{url}/sparql?query={quote(q)}&format=csv")
    assert sorted(got["place"]) == sorted(want["place"]) == [BASE + "jurisdiction/austin-tx"]
    assert list(got.columns[:6]) == ["place", "label", "state", "kind", "population", "tactics"]
    one = pd.read_csv(f"{url}/jurisdictions.csv?state=TX")
    assert len(one) == 3 and one["population"].dtype.kind in "if"  # numbers load as numbers
    assert set(one["label"]) == {"Austin, TX", "Harris County, TX", 'Evil <script>alert("x")</script> Town, TX'}


def test_csv_json_and_page_show_the_same_rows(url):
    for qs in ("", "?state=TX", "?tactic=web-stings&tactic=identity-disclosure", "?year=2016&year=2017",
               "?kind=county&state=tx", "?q=nor", "?sort=-population"):
        csv_ids = list(pd.read_csv(f"{url}/jurisdictions.csv{qs}")["place"])
        js = requests.get(f"{url}/jurisdictions.json{qs}", timeout=30).json()
        page = requests.get(f"{url}/jurisdictions{qs}", headers=BROWSER, timeout=30).text
        fmt = requests.get(f"{url}/jurisdictions{qs}{'&' if qs else '?'}format=csv", timeout=30).text
        assert [r["place"] for r in js["rows"]] == csv_ids, qs
        assert [BASE + "jurisdiction/" + s for s in rows_of(page)] == csv_ids, qs
        assert list(pd.read_csv(io.StringIO(fmt))["place"]) == csv_ids, qs
        assert js["count"] == len(csv_ids) and js["total"] == 4


def test_facets_combine(url):
    def ids(qs):
        return sorted(s.rsplit("/", 1)[-1] for s in pd.read_csv(f"{url}/jurisdictions.csv?{qs}")["place"])

    # several tactics: places with evidence of all of them, whatever the order
    assert ids("tactic=web-stings&tactic=reverse-stings") == ["austin-tx", "norwich-ct"]
    assert ids("tactic=reverse-stings&tactic=web-stings") == ["austin-tx", "norwich-ct"]
    assert ids("tactic=web-stings,john-school") == ["harris-county-tx"]
    assert ids("tactic=john-school&tactic=identity-disclosure") == []
    # several states: any of them
    assert ids("state=ct&state=tx") == ["austin-tx", "evil-tx", "harris-county-tx", "norwich-ct"]
    assert ids("state=CT&state=TX&tactic=identity-disclosure") == ["norwich-ct"]
    # spelled as people write them
    assert ids("state=Texas&tactic=John%20School") == ["harris-county-tx"]


def test_misspelled_values_are_reported(url):
    r = requests.get(f"{url}/jurisdictions.csv?tactic=web-sting", timeout=30)
    assert r.status_code == 400 and "tactic='web-sting': there is no such tactic" in r.text
    assert "did you mean web-stings" in r.text
    r = requests.get(f"{url}/jurisdictions.json?state=TXX", timeout=30)
    assert r.status_code == 400 and "state='TXX'" in r.json()["error"]
    r = requests.get(f"{url}/jurisdictions?tactic=web-sting&state=TX", headers=BROWSER, timeout=30)
    assert r.status_code == 400 and 'id="facet-error"' in r.text
    link = re.search(r'Did you mean <a href="([^"]+)">web-stings</a>', r.text)
    assert link, r.text[:2000]
    fixed = requests.get(url + link.group(1).replace("&amp;", "&"), headers=BROWSER, timeout=30)
    assert fixed.status_code == 200 and sorted(rows_of(fixed.text)) == ["austin-tx", "evil-tx", "harris-county-tx"]
    assert requests.get(f"{url}/jurisdictions.csv?year=20l6", timeout=30).status_code == 400
    assert requests.get(f"{url}/jurisdictions.csv?sort=popu", timeout=30).status_code == 400


def test_sorting(url):
    df = pd.read_csv(f"{url}/jurisdictions.csv?sort=-population")
    assert list(df["label"])[:2] == ["Harris County, TX", "Austin, TX"]
    df = pd.read_csv(f"{url}/jurisdictions.csv?sort=operations")
    assert list(df["operations"]) == sorted(df["operations"])
    page = requests.get(f"{url}/jurisdictions?sort=-population", headers=BROWSER, timeout=30).text
    assert rows_of(page)[0] == "harris-county-tx"
    assert 'aria-sort="descending"' in page
    # each header links to its sort, keeping the filters
    page = requests.get(f"{url}/jurisdictions?state=TX", headers=BROWSER, timeout=30).text
    assert 'href="/jurisdictions?state=TX&amp;sort=population"' in page


def test_counts_say_what_they_count(url):
    page = requests.get(f"{url}/jurisdictions", headers=BROWSER, timeout=30).text
    # years: places (operations); Norwich and Austin each started one operation in their years
    m = re.search(r'data-value="2017">2017</a>\s*<span class="n" title="1 places, 1 operations">1 \(1\)</span>', page)
    assert m, re.findall(r'data-value="2017".{0,160}', page)
    assert "Year an operation started" in page and "any of · places (operations)" in page
    assert "all of · places" in page  # tactics combine as all of
    assert "buyers arrested (where reported)" in page


def test_operations_and_tactics_lists(url):
    ops = pd.read_csv(f"{url}/operations.csv?state=tx&tactic=web-stings")
    assert sorted(ops["arrests"].dropna().astype(int)) == [3, 7, 28]
    assert set(ops["place"]) == {BASE + "jurisdiction/" + s for s in ("austin-tx", "harris-county-tx", "evil-tx")}
    both = pd.read_csv(f"{url}/operations.csv?tactic=reverse-stings&tactic=identity-disclosure")
    assert list(both["start"]) == ["2017-09"]
    page = requests.get(f"{url}/operations?year=2016", headers=BROWSER, timeout=30).text
    assert "Harris County, TX" in page and ">28<" in page
    tac = pd.read_csv(f"{url}/tactics.csv")
    assert len(tac) == 15 and int(tac.loc[tac["slug"] == "web-stings", "places_with_evidence"].iloc[0]) == 4
    assert requests.get(f"{url}/tactics.json", timeout=30).json()["count"] == 15
