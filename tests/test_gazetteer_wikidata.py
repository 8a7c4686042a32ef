"""Wikidata online path against a real SPARQL server (`oxigraph serve` on loopback), and retries."""
from __future__ import annotations

import argparse
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.gazetteer import add_link_triples, cli, link_profile, wikidata
from kg.model import Profile
from kg.vocab import SCHEMA, Iris

ROOT = Path(__file__).resolve().parents[1]

# A small Wikidata-shaped graph written for the test (QIDs in a test-only range, not real items).
WIKIDATA_TTL = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
wd:Q900000001 wdt:P1566 "4781708" ; wdt:P882 "51760" ; rdfs:label "Richmond"@en, "Richmond (Virginie)"@fr .
wd:Q900000002 wdt:P1566 "5856194" ; wdt:P882 "15003" ; rdfs:label "Honolulu County"@en .
wd:Q900000003 wdt:P1566 "5856195" ; rdfs:label "Honolulu"@en .
wd:Q900000004 wdt:P1566 "6254928" ; rdfs:label "Virginia"@en .
wd:Q900000005 wdt:P1566 "4955149" ; rdfs:label "Westborough"@en .
wd:Q900000006 wdt:P1566 "4955149" ; rdfs:label "Westborough (duplicate)"@en .
wd:Q900000007 wdt:P1566 "4250542" ; rdfs:label "Springfield, Illinois"@en .
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    # the test extra installs the oxigraph server next to this Python; fail rather than skip
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    assert Path(exe).exists(), "oxigraph CLI not installed (pip install -e '.[test]')"
    d = tmp_path_factory.mktemp("oxi")
    (d / "wd.ttl").write_text(WIKIDATA_TTL)
    subprocess.run([exe, "load", "--location", str(d / "store"), "--file", str(d / "wd.ttl")],
                   check=True, capture_output=True, timeout=60)
    port = free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(d / "store"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"oxigraph did not start: {proc.stderr.read().decode()[:500]}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_resolve_batches_against_real_sparql_server(oxigraph, monkeypatch):
    monkeypatch.setattr(wikidata, "BATCH", 2)        # force several batches
    answers = wikidata.resolve({"geonames": {"4781708", "5856194", "5856195", "4955149", "1"},
                                "county_fips": {"51760", "15003"}}, oxigraph, pause=0)
    assert answers[("geonames", "4781708")] == ("Q900000001", "Richmond")
    assert answers[("county_fips", "15003")][0] == "Q900000002"
    assert ("geonames", "4955149") not in answers      # two items carry it: ambiguous, never guessed
    assert ("geonames", "1") not in answers


def test_kg_link_online_writes_cache_and_links_use_it(oxigraph, tmp_path, capsys):
    data = tmp_path / "data"
    (data / "places").mkdir(parents=True)
    for slug in ("richmond-va", "honolulu-hi", "westborough-ma"):
        (data / "places" / f"{slug}.yaml").write_text((ROOT / "data" / "places" / f"{slug}.yaml").read_text())
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    try:
        rc = cli.run(parser.parse_args(["--data", str(data), "--online", "--endpoint", oxigraph, "--format", "json"]))
        assert rc == 0
        out = json.loads(capsys.readouterr().out)
        by = {r["slug"]: r for r in out["links"]}
        assert by["richmond-va"]["wikidata"] == "Q900000001"
        assert by["honolulu-hi"]["wikidata"] == "Q900000003"   # its own point, not the county's item
        assert by["westborough-ma"]["wikidata"] is None
        cache = data / "wikidata" / "qids.tsv"
        lines = [l.split("\t") for l in cache.read_text().splitlines() if not l.startswith("#")]
        assert ["geonames", "4781708", "Q900000001", "Richmond"] in lines
        assert ["geonames", "6254928", "Q900000004", "Virginia"] in lines    # the state, for add_state_triples
        # offline afterwards: the cache is read, no endpoint involved
        link = link_profile(Profile("richmond-va", "Richmond", "VA", "City", 230000))
        assert link.wikidata == "Q900000001"
        g = Graph()
        s = Iris().jurisdiction("richmond-va")
        add_link_triples(g, s, link)
        wd = URIRef("http://www.wikidata.org/entity/Q900000001")
        assert (s, SKOS.exactMatch, wd) in g and (s, SCHEMA.sameAs, wd) in g
        hon = link_profile(Profile("honolulu-hi", "Honolulu", "HI", "City", 330000))
        g2 = Graph()
        add_link_triples(g2, s, hon)
        assert (s, SKOS.closeMatch, URIRef("http://www.wikidata.org/entity/Q900000003")) in g2
        assert (s, SKOS.exactMatch, None) not in g2
    finally:
        wikidata.set_cache_path(None)


class _Flaky(http.server.BaseHTTPRequestHandler):
    calls: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).calls.append(self.headers.get("User-Agent"))
        if len(type(self).calls) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "3")
            self.end_headers()
            return
        if len(type(self).calls) == 2:
            self.send_response(503)
            self.end_headers()
            return
        body = json.dumps({"head": {"vars": ["key", "item"]}, "results": {"bindings": [
            {"key": {"type": "literal", "value": "4781708"},
             "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q900000001"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_retries_on_429_and_5xx_with_user_agent():
    _Flaky.calls = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Flaky)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    slept = []
    try:
        ans = wikidata.resolve({"geonames": {"4781708"}}, f"http://127.0.0.1:{srv.server_port}/sparql",
                               pause=0, sleep=slept.append)
    finally:
        srv.shutdown()
    assert ans == {("geonames", "4781708"): ("Q900000001", "")}
    assert len(_Flaky.calls) == 3 and slept == [3.0, 2.0]     # Retry-After honoured, then exponential back-off
    assert all(ua and ua.startswith("DemandKG/0.1 (https://w3id.org/demand-kg; kg link)") for ua in _Flaky.calls)
