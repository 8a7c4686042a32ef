"""kg harvest against pages served by a local HTTP server (127.0.0.1 only)."""
from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from kg.harvest import Fetcher, harvest, profile_links
from kg.parse import parse_file

PAGES = Path(__file__).parent / "pages" / "gold"


class Site:
    def __init__(self):
        self.hits: list[tuple[float, str]] = []
        self.fail_first: dict[str, int] = {}
        self.pages = {
            "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
            "/sites/": (b'<html><body><a href="/site/dover-de/">Dover</a> <a href="/site/yorkton-sc/">Y</a>'
                        b' <a href="https://elsewhere.test/x">x</a> <a href="/site/dover-de/#c">again</a>'
                        b' <a href="/private/site/secret-ca/">secret</a> <a href="/site/flaky-ga/">f</a></body></html>'),
            "/site/dover-de/": (PAGES / "dover-de.html").read_bytes(),
            "/site/yorkton-sc/": (PAGES / "yorkton-sc.html").read_bytes(),
            "/site/flaky-ga/": (PAGES / "yorkton-sc.html").read_bytes().replace(b"yorkton-sc", b"flaky-ga"),
            "/private/site/secret-ca/": b"<html>secret</html>",
        }


@pytest.fixture()
def site():
    s = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            s.hits.append((time.monotonic(), self.path))
            left = s.fail_first.get(self.path, 0)
            if left:
                s.fail_first[self.path] = left - 1
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.end_headers()
                return
            body = s.pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    server.shutdown()
    server.server_close()


def fetcher(tmp_path, rate=0.0, retries=2):
    return Fetcher(cache=tmp_path / "cache", rate=rate, retries=retries, timeout=5, backoff=0.01)


def test_index_page_harvest_saves_profiles_ready_to_parse(site, tmp_path):
    out = tmp_path / "out"
    res = harvest([site.base + "/sites/"], out, fetcher=fetcher(tmp_path), progress=False, log=lambda *a, **k: None)
    assert res["saved"] == 3 and res["failed"] == 0
    assert sorted(p.name for p in out.glob("*.html")) == ["dover-de.html", "flaky-ga.html", "yorkton-sc.html"]
    [p] = parse_file(out / "dover-de.html")
    assert (p.name, p.population) == ("Dover", 38079)
    paths = [h for _, h in site.hits]
    assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1
    assert "/private/site/secret-ca/" not in paths  # not a profile link of this site's form


def test_robots_txt_is_obeyed(site, tmp_path):
    site.pages["/robots.txt"] = b"User-agent: *\nDisallow: /site/yorkton-sc/\n"
    out = tmp_path / "out"
    res = harvest([site.base + "/site/yorkton-sc/", site.base + "/site/dover-de/"], out,
                  fetcher=fetcher(tmp_path), progress=False, log=lambda *a, **k: None)
    assert res["saved"] == 1 and res["failed"] == 1
    assert "/site/yorkton-sc/" not in [h for _, h in site.hits]


def test_rate_limit_spaces_requests(site, tmp_path):
    harvest([site.base + "/site/dover-de/", site.base + "/site/yorkton-sc/"], tmp_path / "out",
            fetcher=fetcher(tmp_path, rate=0.3), progress=False)
    times = [t for t, _ in site.hits]
    assert len(times) == 3
    assert all(b - a >= 0.28 for a, b in zip(times, times[1:]))


def test_retries_on_503_then_succeeds(site, tmp_path):
    site.fail_first["/site/flaky-ga/"] = 2
    res = harvest([site.base + "/site/flaky-ga/"], tmp_path / "out", fetcher=fetcher(tmp_path, retries=3),
                  progress=False)
    assert res["saved"] == 1
    assert [h for _, h in site.hits].count("/site/flaky-ga/") == 3


def test_gives_up_after_retries(site, tmp_path):
    site.fail_first["/site/flaky-ga/"] = 10
    res = harvest([site.base + "/site/flaky-ga/"], tmp_path / "out", fetcher=fetcher(tmp_path, retries=2),
                  progress=False, log=lambda *a, **k: None)
    assert res["saved"] == 0 and res["failed"] == 1
    assert [h for _, h in site.hits].count("/site/flaky-ga/") == 3
    assert not (tmp_path / "out" / "flaky-ga.html").exists()


def test_cache_and_resume(site, tmp_path):
    out = tmp_path / "out"
    urls = [site.base + "/sites/"]
    first = harvest(urls, out, fetcher=fetcher(tmp_path), max_pages=1, progress=False)
    assert first["saved"] == 1
    n = len(site.hits)
    second = harvest(urls, out, fetcher=fetcher(tmp_path), progress=False)
    assert second["skipped"] == 1 and second["saved"] == 2
    new_paths = [h for _, h in site.hits[n:]]
    assert "/sites/" not in new_paths  # the index came from the cache
    n = len(site.hits)
    (out / "dover-de.html").unlink()  # a lost page is fetched again... from the cache
    third = harvest(urls, out, fetcher=fetcher(tmp_path), progress=False)
    assert third["saved"] == 1 and third["skipped"] == 2
    assert [h for _, h in site.hits[n:] if h != "/robots.txt"] == []


def test_profile_links_are_site_slug_links_only():
    html = ('<a href="/site/a-tx/">a</a><a href="https://demand-forum.org/site/b-ca/?x=1">b</a>'
            '<a href="/tactics/">t</a><a href="/site/">s</a><a href="mailto:x@y">m</a><a href="/site/a-tx/">again</a>')
    assert profile_links(html, "https://demand-forum.org/sites/") == [
        "https://demand-forum.org/site/a-tx/", "https://demand-forum.org/site/b-ca/"]


def test_cli_harvest(site, tmp_path):
    from kg.cli import main

    rc = main(["harvest", site.base + "/site/dover-de/", "--out", str(tmp_path / "o"), "--rate", "0",
               "--quiet"])
    assert rc == 0 and (tmp_path / "o" / "dover-de.html").exists()
