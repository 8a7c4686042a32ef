"""The release's tidy tables: places, operations, tactic claims, gazetteer links as CSV with W3C
CSVW metadata. The `csvw` package validates them (datatypes, required keys, foreign keys); the
tables, turned into RDF by the CSVW rules (csvw's parsed cells; aboutUrl, propertyUrl, valueUrl
applied to each value of a list, datatype, language), give triples that are all in the release
graph and cover it for every property the tables describe. pandas loads each in one line, from
the release folder and from the server."""
from __future__ import annotations

import datetime
import json
from collections import defaultdict

import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from test_app_support import live_server, small_release

csvw = pytest.importorskip("csvw")
TABLES = ("places.csv", "operations.csv", "claims.csv", "links.csv")
KEYS = {"places.csv": "place", "operations.csv": "operation", "claims.csv": "claim", "links.csv": "link"}


def csv_to_rdf(metadata_path) -> tuple[Graph, dict[str, set[tuple[str, str]]]]:
    """The tables as RDF, by the CSVW rules over the cells csvw parsed; and, per table, the
    (class, property) pairs its columns give."""
    tg = csvw.TableGroup.from_file(metadata_path)
    g = Graph()
    described: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for t in tg.tables:
        schema = t.tableSchema
        cls = next(str(c.valueUrl) for c in schema.columns if c.virtual and str(c.propertyUrl) == "rdf:type")
        for n, row in enumerate(t.iterdicts(), start=1):
            about = URIRef(t.expand(schema.aboutUrl, row, _row=n))
            for col in schema.columns:
                if col.suppressOutput:
                    continue
                prop = RDF.type if str(col.propertyUrl) == "rdf:type" else URIRef(str(col.propertyUrl))
                described[t.url.string].add((cls, str(prop)))
                values = [None] if col.virtual else row[col.name]
                if not col.virtual:
                    if values is None or values == []:
                        continue
                    values = values if isinstance(values, list) else [values]
                for v in values:
                    if col.valueUrl is not None:
                        obj = URIRef(t.expand(col.valueUrl, {**row, (col.name or ""): v}, _row=n))
                    elif col.lang and col.lang != "und" and (col.datatype is None or col.datatype.base == "string"):
                        obj = Literal(str(v), lang=col.lang)
                    else:
                        dt = col.datatype
                        iri = dt.at_props.get("id") if dt is not None and dt.at_props.get("id") else \
                            XSD[dt.base if dt is not None else "string"]
                        lex = (("true" if v else "false") if isinstance(v, bool)
                               else v.date().isoformat() if isinstance(v, datetime.datetime)
                               else v.isoformat() if isinstance(v, datetime.date) else str(v))
                        obj = Literal(lex, datatype=URIRef(str(iri)))
                    g.add((about, prop, obj))
    return g, described


def norm(o):
    """A term by its value: '41.524' and '41.52400' are the same decimal; the store and the
    tables may write a number in another lexical form."""
    if isinstance(o, Literal):
        dt = o.datatype if o.datatype != XSD.string else None
        by_value = dt in (XSD.integer, XSD.nonNegativeInteger, XSD.decimal, XSD.boolean)
        return ("lit", str(dt or ""), o.language, o.toPython() if by_value else str(o))
    return ("iri", str(o))


@pytest.fixture(scope="module")
def release(shipped_release):
    return shipped_release


def test_csvw_validates_the_tables(release):
    md = release / "csv-metadata.json"
    c = csvw.CSVW(str(md), validate=True)
    assert c.is_valid, [str(w.message) for w in c.warnings]
    assert not c.warnings, [str(w.message) for w in c.warnings]
    tg = csvw.TableGroup.from_file(md)
    assert tg.check_referential_integrity()  # operations, claims, links point at places.csv rows
    meta = json.loads(md.read_text())
    assert [t["url"] for t in meta["tables"]] == list(TABLES)
    for t in meta["tables"]:
        cols = t["tableSchema"]["columns"]
        described = [c for c in cols if not c.get("suppressOutput") and not c.get("virtual")]
        assert all(c["propertyUrl"].startswith(("https://w3id.org/demand-kg/ontology#", "http://", "https://"))
                   for c in described)


def test_csvw_rdf_of_the_tables_matches_the_graph(release):
    tables, described = csv_to_rdf(release / "csv-metadata.json")
    graph = Graph().parse(release / "kg.nt", format="nt")
    have = {(s, p, norm(o)) for s, p, o in graph}
    got = {(s, p, norm(o)) for s, p, o in tables}
    extra = got - have
    assert not extra, sorted(extra)[:5]  # every fact the tables give is in the graph
    # and for every property a table describes, the graph has nothing the table lacks
    types = defaultdict(set)
    for s, _, o in graph.triples((None, RDF.type, None)):
        types[str(o)].add(s)
    for name, pairs in described.items():
        for cls, prop in pairs:
            if prop == str(RDF.type):  # a table states the one class of its rows (a county place is also a dkg:County)
                want = {(s, RDF.type, norm(URIRef(cls))) for s in types[cls]}
            else:
                want = {(s, p, norm(o)) for s in types[cls] for _, p, o in graph.triples((s, URIRef(prop), None))}
            missing = want - got
            assert not missing, (name, prop, sorted(missing)[:3])
    assert len(got) > 5000


def test_one_row_per_thing_and_pandas_loads_them(release):
    counts = json.loads((release / "release.json").read_text())["counts"]
    frames = {name: pd.read_csv(release / name) for name in TABLES}
    for name, df in frames.items():
        assert df[KEYS[name]].is_unique and df[KEYS[name]].str.startswith("https://w3id.org/demand-kg/id/").all()
    assert len(frames["places.csv"]) == counts["jurisdictions"]
    assert len(frames["operations.csv"]) == counts["operations"]
    assert frames["places.csv"]["population"].dtype.kind in "if"
    assert set(frames["operations.csv"]["place"]) <= set(frames["places.csv"]["place"])
    norwich = frames["places.csv"].set_index("place").loc["https://w3id.org/demand-kg/id/jurisdiction/norwich-ct"]
    assert norwich["population"] == 40014 and norwich["state"] == "CT"
    assert int(frames["operations.csv"]["arrests"].sum()) == counts["arrests"]


def test_the_server_serves_the_tables(tmp_path):
    url = live_server()
    places = pd.read_csv(url + "/dumps/places.csv")
    assert len(places) == 4 and "Norwich, CT" in set(places["label"])
    ops = pd.read_csv(url + "/dumps/operations.csv")
    assert sorted(ops["arrests"].dropna().astype(int)) == [3, 4, 5, 7, 28]
    import requests

    r = requests.get(url + "/dumps/csv-metadata.json", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/csvm+json")
    assert "ETag" in r.headers
    # the metadata and the tables, fetched over HTTP, validate as well
    for name in TABLES + ("csv-metadata.json",):
        (tmp_path / name).write_bytes(requests.get(f"{url}/dumps/{name}", timeout=30).content)
    assert csvw.CSVW(str(tmp_path / "csv-metadata.json"), validate=True).is_valid
    assert (small_release() / "places.csv").read_bytes() == (tmp_path / "places.csv").read_bytes()
