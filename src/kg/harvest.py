"""`kg harvest URL ... --out DIR`: fetch Demand Forum profile pages politely.

Polite means: robots.txt is obeyed (per host, for our user agent), requests to a host are at
least `--rate` seconds apart, failures (connection errors, 429 and 5xx) are retried with
exponential back-off (honouring Retry-After), every response body is cached on disk, and a
state file records what is done so an interrupted harvest resumes where it stopped.

A URL is either a profile page (`/site/{slug}/`), saved as `{slug}.html`, or an index page,
whose `/site/{slug}/` links are harvested in turn (one level deep).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

DEFAULT_UA = "demand-kg-harvester/0.1 (+https://w3id.org/demand-kg/)"
PROFILE_RE = re.compile(r"^/site/([a-z0-9]+(?:-[a-z0-9]+)*)/?$")
HREF_RE = re.compile(r"""href\s*=\s*["']([^"'#]+)["']""", re.I)
STATE_FILE = ".harvest-state.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="+", metavar="URL", help="profile pages or index pages")
    parser.add_argument("--out", required=True, type=Path, help="folder for the saved pages ({slug}.html)")
    parser.add_argument("--rate", type=float, default=2.0, help="seconds between requests to one host (default 2)")
    parser.add_argument("--retries", type=int, default=3, help="retries per URL on errors, 429 and 5xx (default 3)")
    parser.add_argument("--cache", type=Path, default=None, help="response cache folder (default OUT/.cache)")
    parser.add_argument("--user-agent", default=DEFAULT_UA, help="User-Agent header and robots.txt agent")
    parser.add_argument("--max-pages", type=int, default=None, help="stop after saving this many pages")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


@dataclass
class Fetcher:
    """HTTP GET with robots.txt, a per-host rate limit, retries with back-off and a disk cache."""

    cache: Path
    user_agent: str = DEFAULT_UA
    rate: float = 2.0
    retries: int = 3
    timeout: float = 30.0
    backoff: float = 1.0
    sleep: object = time.sleep
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)
    requests_made: int = 0

    def __post_init__(self) -> None:
        import requests

        self.cache.mkdir(parents=True, exist_ok=True)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.user_agent

    # -- cache
    def _cache_path(self, url: str) -> Path:
        return self.cache / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".body")

    def cached(self, url: str) -> bytes | None:
        p = self._cache_path(url)
        return p.read_bytes() if p.exists() else None

    # -- politeness
    def _wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            delay = self.rate - (time.monotonic() - last)
            if delay > 0:
                self.sleep(delay)
        self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self._robots:
            robots_url = urlunsplit((parts.scheme, host, "/robots.txt", "", ""))
            rp: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser(robots_url)
            try:
                self._wait(host)
                self.requests_made += 1
                r = self.session.get(robots_url, timeout=self.timeout)
                if r.status_code in (401, 403):
                    rp.disallow_all = True
                elif r.status_code >= 400:
                    rp.allow_all = True
                else:
                    rp.parse(r.text.splitlines())
                    delay = rp.crawl_delay(self.user_agent)
                    if delay:
                        self.rate = max(self.rate, float(delay))
            except Exception:
                rp = None  # robots.txt unreachable: be conservative only about errors, allow
            self._robots[host] = rp
        rp = self._robots[host]
        return True if rp is None else rp.can_fetch(self.user_agent, url)

    def get(self, url: str) -> bytes:
        """The body of url (from the cache when present). Raises HarvestError."""
        body = self.cached(url)
        if body is not None:
            return body
        if not self.allowed(url):
            raise HarvestError(url, "disallowed by robots.txt")
        host = urlsplit(url).netloc
        last_error = ""
        for attempt in range(self.retries + 1):
            self._wait(host)
            self.requests_made += 1
            try:
                r = self.session.get(url, timeout=self.timeout)
            except Exception as e:  # connection refused, timeout, ...
                last_error = f"{type(e).__name__}: {e}"
                wait = self.backoff * (2 ** attempt)
            else:
                if r.status_code == 200:
                    self._cache_path(url).write_bytes(r.content)
                    return r.content
                last_error = f"HTTP {r.status_code}"
                if r.status_code not in (429, 500, 502, 503, 504):
                    raise HarvestError(url, last_error)
                wait = self.backoff * (2 ** attempt)
                ra = r.headers.get("Retry-After")
                if ra and ra.strip().isdigit():
                    wait = max(wait, min(float(ra), 300.0))
            if attempt < self.retries:
                self.sleep(wait)
        raise HarvestError(url, f"gave up after {self.retries + 1} attempts ({last_error})")


class HarvestError(Exception):
    def __init__(self, url: str, message: str):
        self.url, self.message = url, message
        super().__init__(f"{url}: {message}")


def profile_slug(url: str) -> str | None:
    m = PROFILE_RE.search(urlsplit(url).path)
    return m.group(1) if m else None


def profile_links(html: str, base: str) -> list[str]:
    """The /site/{slug}/ links of an index page, absolute, in page order, without repeats."""
    out: list[str] = []
    for href in HREF_RE.findall(html):
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            continue
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        if profile_slug(url) and url not in out:
            out.append(url)
    return out


def _load_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"done": {}, "failed": {}}


def _save_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def harvest(urls: list[str], out: Path, *, fetcher: Fetcher, max_pages: int | None = None,
            progress: bool = True, log=print) -> dict:
    """Save every profile page reachable from urls into out. Returns a summary dict."""
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE_FILE
    state = _load_state(state_path)
    state.setdefault("done", {})
    state.setdefault("failed", {})
    queue: list[str] = []
    for u in urls:
        if profile_slug(u):
            queue.append(u)
            continue
        try:
            body = fetcher.get(u)
        except HarvestError as e:
            state["failed"][u] = e.message
            log(f"kg harvest: {e}", file=sys.stderr)
            continue
        links = profile_links(body.decode("utf-8", errors="replace"), u)
        if not links:
            log(f"kg harvest: {u}: no /site/{{slug}}/ links found", file=sys.stderr)
        queue.extend(x for x in links if x not in queue)
    saved = skipped = failed = 0
    bar = tqdm(queue, unit="page", disable=not progress, desc="harvest")
    for url in bar:
        if max_pages is not None and saved >= max_pages:
            break
        slug = profile_slug(url)
        assert slug is not None
        target = out / f"{slug}.html"
        if target.exists() and state["done"].get(url) == slug:
            skipped += 1
            continue
        try:
            body = fetcher.get(url)
        except HarvestError as e:
            state["failed"][url] = e.message
            failed += 1
            log(f"kg harvest: {e}", file=sys.stderr)
            _save_state(state_path, state)
            continue
        tmp = target.with_suffix(".part")
        tmp.write_bytes(body)
        tmp.replace(target)
        state["done"][url] = slug
        state["failed"].pop(url, None)
        saved += 1
        _save_state(state_path, state)
    bar.close()
    _save_state(state_path, state)
    return {"saved": saved, "skipped": skipped, "failed": failed, "queued": len(queue),
            "requests": fetcher.requests_made}


def run(args: argparse.Namespace) -> int:
    for u in args.urls:
        if urlsplit(u).scheme not in ("http", "https"):
            print(f"kg harvest: {u}: not an http(s) URL", file=sys.stderr)
            return 2
    cache = args.cache or (args.out / ".cache")
    fetcher = Fetcher(cache=cache, user_agent=args.user_agent, rate=args.rate, retries=args.retries,
                      timeout=args.timeout)
    res = harvest(args.urls, args.out, fetcher=fetcher, max_pages=args.max_pages,
                  progress=not args.quiet and sys.stderr.isatty())
    print(f"saved {res['saved']}, already there {res['skipped']}, failed {res['failed']} "
          f"of {res['queued']} profile pages into {args.out} ({res['requests']} requests)")
    return 1 if res["failed"] else 0
