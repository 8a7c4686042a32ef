"""kg publish --to DIR: the static parts of a release, served by a real nginx on loopback with
the generated configuration, answer the same URLs with the same bytes and media types as
kg serve; a new release replaces them in one rename."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.static_site import write_static
from nginx_support import NGINX, NOT_INSTALLED, free_port, start_nginx
from test_app_support import http, live_server, small_release


def kg_publish(dist: Path, to: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "publish", "--to", str(to), "--dist", str(dist)],
                          capture_output=True, text=True, timeout=120)


def media(headers: dict) -> str:
    return headers.get("content-type", "").split(";")[0].strip()


@pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)
def test_nginx_serves_the_release_as_kg_serve_does(tmp_path, shipped_release):
    site = tmp_path / "www" / "kg"
    dist = small_release()
    r = kg_publish(dist, site)
    assert r.returncode == 0, r.stderr
    assert site.is_symlink() and (site / "nginx.conf").is_file()
    port = free_port()
    nginx = start_nginx(f"server {{ listen 127.0.0.1:{port}; include {site}/nginx.conf; }}", port)
    kg = live_server()
    try:
        for path, accept in (("/dumps/kg.ttl", "*/*"), ("/dumps/kg.nt", "*/*"), ("/dumps/kg.jsonld", "*/*"),
                             ("/dumps/kg.nt.gz", "*/*"), ("/context.jsonld", "*/*"),
                             ("/.well-known/void", "text/turtle")):
            a = http("GET", nginx.url + path, headers={"Accept": accept})
            b = http("GET", kg + path, headers={"Accept": accept})
            assert a[0] == b[0] == 200, (path, a[0], b[0])
            assert media(a[1]) == media(b[1]), (path, a[1], b[1])
            assert a[2] == b[2], path
            assert a[1].get("access-control-allow-origin") == "*", path
        # the precompressed dump for clients that take gzip, as kg serve does
        a = http("GET", nginx.url + "/dumps/kg.ttl", headers={"Accept-Encoding": "gzip"})
        assert a[0] == 200 and a[1].get("content-encoding") == "gzip" and media(a[1]) == "text/turtle"
        assert a[2] == (dist / "kg.ttl.gz").read_bytes()
        # revalidation
        tag = http("GET", nginx.url + "/dumps/kg.nt")[1]["etag"]
        assert http("GET", nginx.url + "/dumps/kg.nt", headers={"If-None-Match": tag})[0] == 304
        # the ontology and shapes as Turtle; the configuration itself is not served
        a = http("GET", nginx.url + "/ontology.ttl")
        assert a[0] == 200 and media(a[1]) == "text/turtle" and a[2] == (dist / "ontology.ttl").read_bytes()
        assert http("GET", nginx.url + "/nginx.conf")[0] == 404
        first = json.loads(http("GET", nginx.url + "/release.json")[2])["id"]
        assert first == json.loads((dist / "release.json").read_text())["id"]

        # a new release: served in place of the old one, whose folder is kept for downloads under way
        r = kg_publish(shipped_release, site)
        assert r.returncode == 0, r.stderr
        second = json.loads((shipped_release / "release.json").read_text())["id"]
        assert json.loads(http("GET", nginx.url + "/release.json")[2])["id"] == second
        assert http("GET", nginx.url + "/dumps/kg.nt")[2] == (shipped_release / "kg.nt").read_bytes()
        assert sorted(p.name for p in (tmp_path / "www" / "kg.releases").iterdir()) == sorted([first, second])
    finally:
        nginx.stop()


@pytest.mark.skipif(NGINX is None, reason=NOT_INSTALLED)
def test_tables_travel_with_their_metadata(tmp_path):
    """CSV tables and their CSVW metadata, where a release has them, go to /dumps/ with
    text/csv and application/csvm+json (test files written here, not a release's)."""
    dist = tmp_path / "dist"
    shutil.copytree(small_release(), dist, symlinks=True)
    (dist / "places.csv").write_text("place,name\nhttps://w3id.org/demand-kg/id/jurisdiction/x,X\n")
    (dist / "csv-metadata.json").write_text(json.dumps({"@context": "http://www.w3.org/ns/csvw",
                                                        "tables": [{"url": "places.csv"}]}))
    res = write_static(dist, tmp_path / "site")
    assert "dumps/places.csv" in res["paths"] and res["paths"]["dumps/csv-metadata.json"]["type"] == "application/csvm+json"
    port = free_port()
    nginx = start_nginx(f"server {{ listen 127.0.0.1:{port}; include {tmp_path / 'site'}/nginx.conf; }}", port)
    try:
        a = http("GET", nginx.url + "/dumps/places.csv")
        assert a[0] == 200 and media(a[1]) == "text/csv" and a[2].startswith(b"place,name")
        a = http("GET", nginx.url + "/dumps/csv-metadata.json")
        assert a[0] == 200 and media(a[1]) == "application/csvm+json"
    finally:
        nginx.stop()


def test_a_folder_kg_publish_did_not_make_is_left_alone(tmp_path):
    site = tmp_path / "www"
    site.mkdir()
    (site / "index.html").write_text("someone else's")
    r = kg_publish(small_release(), site)
    assert r.returncode == 1 and "is not a folder kg publish made" in r.stderr
    assert (site / "index.html").read_text() == "someone else's"
