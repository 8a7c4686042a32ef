"""The W3C SPARQL 1.1 Protocol tests, read from their manifest and run against a live `kg serve`.

Every query and bad-request test that needs no preloaded data must pass as written; every
update test must be refused (403: the endpoint is read-only); the six tests that need the
manifest's data loaded into named graphs are skipped, with that reason.

Each test runs three times: with exactly the manifest's headers (http.client), with `requests`
(its default headers: `Accept: */*`, gzip, its User-Agent) and with the `curl` program (its
defaults: `Accept: */*`, its User-Agent): plain HTTP clients must get answers, not pages.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from test_app_support import http, live_server


# shared/ sits beside the checkout (CI copies it there); no other place is looked at
MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "sparql11-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"}


def load_tests() -> list[dict]:
    if not MANIFEST.exists():
        return []
    g = Graph()
    g.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    out = []
    for t in Collection(g, g.value(manifest, MF.entries)):
        name = str(t).rsplit("#", 1)[-1]
        action = g.value(t, MF.action)
        reqs = []
        for r in Collection(g, g.value(action, HT.requests)):
            headers = {}
            hl = g.value(r, HT.headers)
            if hl is not None:
                for h in Collection(g, hl):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = g.value(r, HT.body)
            chars = enc = None
            if body is not None:
                chars = str(g.value(body, CNT.chars))
                enc = str(g.value(body, CNT.characterEncoding) or "UTF-8")
            resp = g.value(r, HT.resp)
            reqs.append({
                "path": str(g.value(r, HT.absolutePath)), "method": str(g.value(r, HT.methodName)),
                "headers": headers, "body": chars.encode(enc.lower().replace("utf-16", "utf-16")) if chars is not None else None,
                "status": sorted(str(s)[len(HTS):] for s in g.objects(resp, MF.expectedStatus)),
                "format": str(g.value(resp, MF.expectedFormat)) if g.value(resp, MF.expectedFormat) else None,
                "boolean": g.value(resp, MF.expectedBoolean).toPython() if g.value(resp, MF.expectedBoolean) is not None else None,
            })
        out.append({"name": name, "needs_data": g.value(t, UT.graphData) is not None,
                    "update": name.startswith("update_"), "requests": reqs})
    return out


TESTS = load_tests()
CLIENTS = ("http.client", "requests", "curl")
RESULTS: dict[tuple[str, str], str] = {}
CURL = shutil.which("curl")


@pytest.fixture(scope="module")
def server() -> str:
    return live_server()


def check_request(server: str, req: dict, client: str = "http.client") -> tuple[int, dict, bytes]:
    path = req["path"].replace("/sparql/", "/sparql", 1)
    if client == "requests":
        return requests_request(req["method"], server + path, req["body"], req["headers"])
    if client == "curl":
        return curl_request(req["method"], server + path, req["body"], req["headers"])
    return http(req["method"], server + path, req["body"], req["headers"])


def requests_request(method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, dict, bytes]:
    """As a script with `requests` sends it: its default headers, plus the test's own."""
    import requests

    r = requests.request(method, url, data=body, headers=headers, allow_redirects=False, timeout=30)
    return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content


def curl_request(method: str, url: str, body: bytes | None, headers: dict) -> tuple[int, dict, bytes]:
    """As `curl` sends it from a shell: its default headers, plus the test's own. (curl would add
    a form Content-Type to a body that has none; `-H 'Content-Type:'` is how a user leaves it out.)"""
    with tempfile.TemporaryDirectory() as d:
        cmd = [CURL, "-sS", "--max-time", "30", "-X", method, "-D", f"{d}/h", "-o", f"{d}/b",
               "-w", "%{http_code}"]
        for k, v in headers.items():
            cmd += ["-H", f"{k}: {v}"]
        if body is not None:
            if not any(k.lower() == "content-type" for k in headers):
                cmd += ["-H", "Content-Type:"]
            cmd += ["--data-binary", "@-"]
        out = subprocess.run(cmd + [url], input=body or b"", capture_output=True, timeout=60, check=True)
        head = Path(f"{d}/h").read_bytes().decode("latin-1").splitlines()
        got = {}
        for line in head[1:]:
            k, sep, v = line.partition(":")
            if sep:
                got[k.strip().lower()] = v.strip()
        return int(out.stdout), got, Path(f"{d}/b").read_bytes()


def check_format(req: dict, headers: dict, body: bytes) -> None:
    ctype = headers.get("content-type", "").split(";")[0].strip()
    fmt = req["format"]
    if fmt == "boolean":
        assert ctype in ("application/sparql-results+json", "application/sparql-results+xml"), ctype
        if ctype.endswith("json"):
            value = json.loads(body)["boolean"]
        else:
            value = b"<boolean>true</boolean>" in body
        if req["boolean"] is not None:
            assert value == req["boolean"]
    elif fmt == "tabular":
        assert ctype in RESULT_TYPES, ctype
    elif fmt == "RDF":
        assert ctype in RDF_TYPES, ctype
        import pyoxigraph as ox

        list(ox.parse(body, ox.RdfFormat.from_media_type(ctype)))  # parses


def run_test(server: str, test: dict, client: str) -> None:
    if client == "curl" and CURL is None:
        pytest.skip("curl is not installed")
    key = (client, test["name"])
    if test["needs_data"]:
        RESULTS[key] = "skipped"
        pytest.skip("needs the manifest's data preloaded into named graphs; this endpoint serves the release")
    if test["update"]:
        status, headers, body = check_request(server, test["requests"][0], client)
        assert status == 403, (status, body)
        assert b"read-only" in body
        assert headers.get("content-type", "").startswith("text/plain"), headers.get("content-type")
        RESULTS[key] = "refused"
        return
    for req in test["requests"]:
        status, headers, body = check_request(server, req, client)
        classes = {c[0] for c in req["status"]}  # "2xx" -> "2"
        assert str(status)[0] in classes, (test["name"], client, status, body[:300])
        if str(status)[0] == "2":
            check_format(req, headers, body)
        else:
            assert body.strip(), "an error answer carries a readable message"
            # a program gets the message as text, not a page (the manifest sends no browser Accept)
            assert headers.get("content-type", "").startswith("text/plain"), (test["name"], headers)
    RESULTS[key] = "passed"


@pytest.mark.skipif(not TESTS, reason=f"W3C manifest not found at {MANIFEST} (shared/ beside the checkout)")
@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("test", TESTS, ids=[t["name"] for t in TESTS])
def test_w3c_protocol(server, test, client):
    run_test(server, test, client)


@pytest.mark.skipif(not TESTS, reason="W3C manifest not found (shared/ beside the checkout)")
@pytest.mark.parametrize("client", CLIENTS)
def test_w3c_protocol_totals(server, client):
    """28 of 34 with each client: 21 query/bad-request tests pass, 7 updates are refused, 6 need data."""
    for t in TESTS:  # run again here so this test stands alone (e.g. with -k)
        if (client, t["name"]) not in RESULTS:
            try:
                run_test(server, t, client)
            except pytest.skip.Exception:
                pass
    mine = [v for (c, _), v in RESULTS.items() if c == client]
    counts = {k: mine.count(k) for k in ("passed", "refused", "skipped")}
    assert len(TESTS) == 34
    assert counts == {"passed": 21, "refused": 7, "skipped": 6}, counts
