"""The web application: `create_app(config)` -> a Flask app serving one release or endpoint.

    gunicorn -w 2 -b 127.0.0.1:5000 'kg.app:create_app()'

Config keys (a dict passed in; for gunicorn, `KG_*` environment variables fill the gaps):

| key | default | meaning |
| --- | --- | --- |
| DIST | "dist" | the release folder (its `store/` is opened read-only) |
| ENDPOINT | None | serve from this remote SPARQL 1.1 endpoint instead of the store |
| GRAPH | {site}releases | with ENDPOINT: the catalogue graph `kg publish` keeps there, naming the release graph to serve (kg.stores); followed like DIST |
| QUERY_TIMEOUT | 10 | seconds a user query may run before it is stopped (503) |
| RESULT_LIMIT | 50_000_000 | bytes a query result may take (413 beyond) |
| QUERY_WORKERS | 3 | query processes per server process (embedded store) |
| MEMORY | "auto" | "on": query workers answer from the release held in memory (forked from one loader process per server process, 2-4x faster joins, sorts and aggregates than the on-disk store); "off": they open the on-disk store; "auto": in memory up to MEMORY_MAX_TRIPLES |
| INLINE_CAP | 2000 | a query whose work is provably at most this many rows (kg.bounded) runs in the server process, without the hop to a query process; 0: never |
| INLINE_MAX | 100_000 | the same up to this many rows, one such query at a time per server process, when the process holds the release in memory |
| INLINE_MEMORY_MAX_TRIPLES | 500_000 | the largest release each server process also holds in memory (with its statistics, for tighter bounds) for such queries |
| MEMORY_MAX_TRIPLES | 10_000_000 | the largest release "auto" holds in memory (about 400 bytes a triple) |
| LONG_QUERY_AFTER | 0.5 | seconds after which a running query counts as long |
| LONG_QUERIES | 1 | long queries one server process runs at once (more are stopped: 503) |
| SERVICE_ALLOWLIST | () | endpoint IRIs a query may call with SERVICE |
| WRITE_TOKEN | None | there is no write route; without a token none can be enabled |
| BASE | from release.json | the base of instance IRIs |
| CACHE_SIZE | 2048 | pages and query results kept per process (per release id) |
| CACHE_BYTES | 64_000_000 | bytes of finished responses the WSGI fast path keeps per process |
| FOLLOW | 1.0 | seconds between checks whether DIST (the symlink `kg build` moves) points at a new release, which each server process then swaps to (`Follower`); 0: never |

Requests go through `FastPath` (a plain WSGI layer in front of Flask): a GET/HEAD whose answer
was already produced for this release (same host, path, query string and Accept) is answered
from memory, with its ETag and 304 on revalidation, without entering Flask. Only responses a
view marked deterministic for the release (`kg.cacheable`, set by `views.common.finish`) go in.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

from flask import Flask
from werkzeug.wsgi import FileWrapper

from .bounded import Stats
from .engine import EmbeddedEngine, Engine, QueryError, RemoteEngine
from .release import ReleaseInfo, read_release, site_root
from .stores import catalogue_for
from .vocab import DEFAULT_BASE, PREFIXES, Iris

DEFAULTS = {
    "DIST": "dist",
    "ENDPOINT": None,
    "GRAPH": None,
    "QUERY_TIMEOUT": 10.0,
    "RESULT_LIMIT": 50_000_000,
    "QUERY_WORKERS": 3,
    "MEMORY": "auto",
    "MEMORY_MAX_TRIPLES": 10_000_000,
    "INLINE_CAP": 2000,
    "INLINE_MAX": 100_000,
    "INLINE_MEMORY_MAX_TRIPLES": 500_000,
    "LONG_QUERY_AFTER": 0.5,
    "LONG_QUERIES": 1,
    "SERVICE_ALLOWLIST": (),
    "WRITE_TOKEN": None,
    "BASE": None,
    "CACHE_SIZE": 2048,
    "CACHE_BYTES": 64_000_000,
    "FOLLOW": 1.0,
}


class LRU:
    """A small thread-safe LRU cache of finished responses."""

    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            v = self.data.get(key)
            if v is not None:
                self.data.move_to_end(key)
            return v

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


class ResponseCache:
    """Finished responses (status, headers, body, etag, 304 headers), bounded in bytes."""

    ENTRY_MAX = 1_000_000

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        return self.data.get(key)  # a dict read is atomic; recency is refreshed on put only

    def put(self, key, value, size: int) -> None:
        if size > self.ENTRY_MAX or size > self.max_bytes:
            return
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.bytes -= old[-1]
            self.data[key] = value + (size,)
            self.bytes += size
            while self.bytes > self.max_bytes and self.data:
                _, ev = self.data.popitem(last=False)
                self.bytes -= ev[-1]


# headers a 304 may not carry (RFC 9110 15.4.5); the rest of the 200's headers go with it
_NOT_IN_304 = frozenset(("content-type", "content-length", "content-encoding", "content-language"))
# conditional/partial requests the fast path leaves to Flask
_BYPASS = ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_RANGE", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    for t in header.split(","):
        t = t.strip()
        if t.startswith("W/"):
            t = t[2:]
        if t == etag:
            return True
    return False


class FastPath:
    """WSGI middleware: answer repeat GET/HEAD requests from a per-release response cache.

    The store is immutable for the server's life, so an answer a view marked cacheable
    (deterministic per release, `environ["kg.cacheable"] = True`) can be replayed byte for byte
    for the same host, path, query string and Accept header. A hit costs a dict lookup and
    never enters Flask; everything else goes to the Flask app unchanged.
    """

    def __init__(self, app, site: "Site", max_bytes: int):
        self.app = app
        self.state = (site, ResponseCache(max_bytes))  # swapped as one when a new release is served
        self.hits = 0
        self.follower: "Follower | None" = None

    @property
    def site(self) -> "Site":
        return self.state[0]

    @property
    def cache(self) -> "ResponseCache":
        return self.state[1]

    def swap(self, site: "Site") -> None:
        self.state = (site, ResponseCache(self.state[1].max_bytes))

    def __call__(self, environ, start_response):
        if self.follower is not None:
            self.follower.ensure_running()
        site, cache = self.state  # one release for the whole request, even across a swap
        environ["kg.site"] = site
        environ.setdefault("wsgi.file_wrapper", _BigBlocks)  # gunicorn's own (sendfile) stays
        site.enter()  # counted until the response is done, so its release is not closed under it
        try:
            out = self._serve(environ, start_response, site, cache)
        except BaseException:
            site.leave()
            raise
        if isinstance(out, list):
            site.leave()
            return out
        return _Tracked(out, site.leave)

    def _serve(self, environ, start_response, site: "Site", cache: "ResponseCache"):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or not site.cache_key or cache.max_bytes <= 0:
            return self.app(environ, start_response)
        for h in _BYPASS:
            if h in environ:
                return self.app(environ, start_response)
        key = (environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME"),
               environ.get("PATH_INFO"), environ.get("QUERY_STRING"), environ.get("HTTP_ACCEPT"))
        hit = cache.get(key)
        if hit is not None:
            status, headers, body, etag, headers304, _ = hit
            self.hits += 1
            inm = environ.get("HTTP_IF_NONE_MATCH")
            if inm and _etag_matches(inm, etag):
                start_response("304 Not Modified", headers304)
                return []
            start_response(status, headers)
            return [] if method == "HEAD" else [body]
        if method == "HEAD" or "HTTP_IF_NONE_MATCH" in environ:
            return self.app(environ, start_response)  # cache only from plain GETs
        if environ.get("PATH_INFO") == "/sparql" and environ.get("QUERY_STRING"):
            from .views.sparql import lean_query

            done = lean_query(site, environ)  # a program's query: no Flask needed
            if done is not None:
                status, headers, body, cacheable = done
                if cacheable:
                    etag = next(v for k, v in headers if k == "ETag")
                    h304 = [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]
                    cache.put(key, (status, headers, body, etag, h304), len(body) + 512)
                start_response(status, headers)
                return [body] if isinstance(body, bytes) else body
        seen: list = []

        def capture(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        it = self.app(environ, capture)
        if not environ.get("kg.cacheable") or not seen or not seen[0].startswith("200"):
            return it
        try:
            body = b"".join(it)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()
        status, headers = seen
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        if etag:
            h304 = [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]
            cache.put(key, (status, list(headers), body, etag, h304), len(body) + 512)
        return [body]


class _BigBlocks(FileWrapper):
    """wsgi.file_wrapper for servers that have none (granian): werkzeug's own fallback reads
    8 KB at a time, which held a 440 MB dump to about 0.7-1.2 GB/s; 1 MB blocks here."""

    def __init__(self, file, buffer_size: int = 8192):
        super().__init__(file, max(buffer_size, 1 << 20))


class _Tracked:
    """A response body that calls `done` once when the server closes it (PEP 3333)."""

    def __init__(self, body, done):
        self.body = body
        self.done = done

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            done, self.done = self.done, None
            if done is not None:
                done()


class BodyLimit:
    """WSGI middleware: a request body declared larger than `limit` gets 413 without entering
    the app. The body is read and dropped first (up to `drain_max` bytes): a client that sends
    the whole body before reading the answer (Python's http.client, many scripts) would
    otherwise find the connection closed under it by the server and never see the 413."""

    def __init__(self, app, limit: int, drain_max: int = 64_000_000):
        self.app = app
        self.limit = limit
        self.drain_max = drain_max

    def __call__(self, environ, start_response):
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            n = 0  # Flask answers a malformed Content-Length itself
        if n <= self.limit:
            return self.app(environ, start_response)
        if n <= self.drain_max:
            stream = environ["wsgi.input"]
            left = n
            while left > 0:
                chunk = stream.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        body = f"the request body is {n:,} bytes; at most {self.limit:,} are accepted\n".encode()
        start_response("413 Request Entity Too Large",
                       [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                        ("Connection", "close")])
        return [body]


class Follower:
    """Keeps a running server on the release `kg build` last published: every `every` seconds
    it checks where DIST (the symlink the build moves in one rename) points; when that is a new
    release, each server process opens it and swaps to it, and the old release's query
    processes are stopped once no request is being answered from it. No process restarts, so
    no request is dropped, under any HTTP server. A release that cannot be opened leaves the
    current one served (and is tried again when DIST moves)."""

    def __init__(self, app: Flask, fast: FastPath, config: dict, every: float):
        self.app = app
        self.fast = fast
        self.config = config
        self.every = every
        self.pid = 0
        self.failed: Path | None = None
        self.lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the watching thread in this process (threads do not survive a fork)."""
        if self.pid != os.getpid():
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    threading.Thread(target=self._watch, daemon=True, name="kg-follow").start()

    def _watch(self) -> None:
        while True:  # at once, then every `every` s: a process idle since dist moved catches up
            try:
                self.check()
            except Exception as e:  # noqa: BLE001 - keep watching
                print(f"kg serve: checking for a new release failed: {e}", file=sys.stderr, flush=True)
            time.sleep(self.every)

    def check(self) -> bool:
        """Swap to the release DIST points at (or, serving a store, the one its catalogue names)
        if it is new; True if it did."""
        old = self.fast.site
        if isinstance(old.engine, RemoteEngine):
            return self._check_store(old)
        if old.dist is None or not isinstance(old.engine, EmbeddedEngine):
            return False
        try:
            now = Path(self.config["DIST"]).resolve(strict=True)
        except OSError:
            return False
        if now == old.dist or now == self.failed or not (now / "release.json").is_file():
            return False
        new = None
        try:
            new = Site(self.config)
            if not new.engine.ask("ASK { ?s ?p ?o }"):  # opens its store here, before any request does
                raise ValueError("the release is empty")
        except Exception as e:  # noqa: BLE001 - a release we cannot open: keep the current one
            if new is not None:
                new.engine.close()
            self.failed = now
            print(f"kg serve: not switching to {now}: {e}", file=sys.stderr, flush=True)
            return False
        self.app.extensions["kg"] = new
        self.fast.swap(new)
        threading.Thread(target=self._retire, args=(old,), daemon=True, name="kg-retire").start()
        rid = new.release.id if new.release else now.name
        print(f"kg serve: now serving release {rid} ({now})", file=sys.stderr, flush=True)
        return True

    def _check_store(self, old: "Site") -> bool:
        """The store's catalogue names another release graph than `old` serves: swap to it.
        A catalogue that cannot be read, or names none (being replaced), changes nothing."""
        engine = old.engine
        assert isinstance(engine, RemoteEngine)
        if not engine.catalogue:
            return False
        try:
            engine.resolve()
            pub = engine.read_catalogue()
        except QueryError:
            return False  # the store is down: keep serving (its queries answer 502 meanwhile)
        if pub is None or pub.graph == old.published_graph:
            return False
        new = Site(self.config)
        if new.published_graph != pub.graph:
            return False  # it moved again meanwhile: the next check takes it
        self.app.extensions["kg"] = new
        self.fast.swap(new)
        print(f"kg serve: now serving release {pub.id} (graph <{pub.graph}> at {engine.endpoint})",
              file=sys.stderr, flush=True)
        return True

    def _retire(self, old: "Site", settle: float = 1.0, poll: float = 0.2, longest: float = 600.0) -> None:
        """Close the old release's engine once no request is being answered from it (requests
        that began before the swap finish there, streamed answers included), or after
        `longest` seconds whatever a stuck client does."""
        time.sleep(settle)  # a request that read the old state has counted itself by now
        end = time.monotonic() + longest
        while old.inflight > 0 and time.monotonic() < end:
            time.sleep(poll)
        old.engine.close()


class Site:
    """Everything a request needs that is fixed for the server's life: engine, release, caches."""

    def __init__(self, config: dict):
        self.config = config
        dist = config.get("DIST")
        self.dist: Path | None = Path(dist).resolve() if dist else None  # pin this release
        self.release: ReleaseInfo | None = None
        if self.dist is not None and (self.dist / "release.json").exists():
            self.release = read_release(self.dist)
        base = config.get("BASE") or (self.release.base if self.release else DEFAULT_BASE)
        self.iris = Iris(base)
        self.base = self.iris.base
        self.site_root = site_root(self.base)
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        self.prefixes["id"] = self.base
        self.timeout = float(config["QUERY_TIMEOUT"])
        self.allow = tuple(config.get("SERVICE_ALLOWLIST") or ())
        self.engine: Engine
        self.published_graph: str | None = None  # serving a store: the release graph its catalogue named
        if config.get("ENDPOINT"):
            self.engine = RemoteEngine(config["ENDPOINT"], timeout=self.timeout,
                                       result_limit=int(config["RESULT_LIMIT"]),
                                       catalogue=config.get("GRAPH") or catalogue_for(base))
            self._use_published(config)
        else:
            if self.release is None or self.dist is None:
                raise FileNotFoundError(f"no release in {dist!r}: run `kg build` first")
            self.engine = EmbeddedEngine(self.dist / "store", timeout=self.timeout,
                                         result_limit=int(config["RESULT_LIMIT"]),
                                         workers=int(config["QUERY_WORKERS"]),
                                         release_id=self.release.id,
                                         long_after=float(config["LONG_QUERY_AFTER"]),
                                         long_max=int(config["LONG_QUERIES"]),
                                         memory_source=memory_source(self.dist, self.release, config),
                                         inline_cap=int(config.get("INLINE_CAP", 2000)),
                                         inline_max=int(config.get("INLINE_MAX", 100_000)),
                                         inline_memory=self.release.triples <= int(
                                             config.get("INLINE_MEMORY_MAX_TRIPLES", 500_000)),
                                         disk_stats=disk_stats(self.release))
        # answers can be cached only while they cannot change: one release, embedded
        self.cache_key = self.engine.release_id
        self.cache = LRU(int(config["CACHE_SIZE"]))
        self._memo: dict = {}
        self._memo_lock = threading.Lock()
        self.inflight = 0  # requests being answered from this release (see Follower)
        self._inflight_lock = threading.Lock()

    def _use_published(self, config: dict) -> None:
        """Serving a store: the release its catalogue names, if it can be read now (else the
        first query tries again, and the Follower swaps in a Site for it when it can)."""
        engine = self.engine
        assert isinstance(engine, RemoteEngine)
        try:
            pub = engine.resolve()
        except QueryError:
            return
        if pub is None:
            return
        self.published_graph = pub.graph
        if self.release is None or self.release.id != pub.id:
            # the local release folder is another release: serve none of its files
            self.release = ReleaseInfo(pub.id, pub.created, pub.base or self.base, pub.triples, dict(pub.counts))
            self.dist = None
        if not config.get("BASE") and pub.base and pub.base != self.base:
            self.iris = Iris(pub.base)
            self.base = self.iris.base
            self.site_root = site_root(self.base)
            self.prefixes["id"] = self.base

    def enter(self) -> None:
        with self._inflight_lock:
            self.inflight += 1

    def leave(self) -> None:
        with self._inflight_lock:
            self.inflight -= 1

    def memo(self, name: str, make):
        """A value computed once per process (per release), e.g. the jurisdiction table."""
        with self._memo_lock:
            hit = self._memo.get(name)
        if hit is not None and (self.cache_key or time.monotonic() - hit[1] < 60):
            return hit[0]
        value = make()
        with self._memo_lock:
            self._memo[name] = (value, time.monotonic())
        return value

    def file(self, name: str) -> Path | None:
        if self.dist is None:
            return None
        p = self.dist / name
        return p if p.is_file() else None


def disk_stats(release: ReleaseInfo) -> Stats | None:
    """What kg.bounded needs to bound DESCRIBE on the on-disk store (older releases: None)."""
    sh = release.shape
    if "max_triples_per_subject" not in sh or "blank_node_triples" not in sh:
        return None
    return Stats(max_s=int(sh["max_triples_per_subject"]), bnode_triples=int(sh["blank_node_triples"]))


def memory_source(dist: Path, release: ReleaseInfo, config: dict) -> Path | None:
    """The N-Triples dump the query workers load into memory, or None to use the on-disk store."""
    mode = str(config.get("MEMORY", "auto")).strip().lower()
    if mode not in ("auto", "on", "off"):
        raise ValueError(f"MEMORY must be auto, on or off, not {mode!r}")
    nt = dist / "kg.nt"
    if mode == "off" or not nt.is_file():
        return None
    if mode == "auto" and release.triples > int(config.get("MEMORY_MAX_TRIPLES", 10_000_000)):
        return None
    return nt


def _env_config() -> dict:
    """KG_DIST, KG_ENDPOINT, KG_QUERY_TIMEOUT, ... (for `gunicorn 'kg.app:create_app()'`)."""
    out: dict = {}
    for key, default in DEFAULTS.items():
        v = os.environ.get("KG_" + key)
        if v is None:
            continue
        if key == "SERVICE_ALLOWLIST":
            out[key] = tuple(x for x in v.split() if x)
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            out[key] = type(default)(v)
        else:
            out[key] = v
    return out


MAX_BODY = 2_000_000  # bytes of a POSTed query or form


def create_app(config: dict | None = None) -> Flask:
    cfg = dict(DEFAULTS)
    cfg.update(_env_config() if config is None else {})
    cfg.update(config or {})
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update({"KG": cfg, "JSON_SORT_KEYS": False, "TEMPLATES_AUTO_RELOAD": False,
                       "MAX_CONTENT_LENGTH": MAX_BODY})  # a POSTed query or form: 413 beyond
    site = Site(cfg)
    app.extensions["kg"] = site
    app.jinja_env.autoescape = True  # every template, whatever its name
    from .views import register

    register(app, site)
    fast = FastPath(BodyLimit(app.wsgi_app, MAX_BODY), site, int(cfg["CACHE_BYTES"]))
    if float(cfg.get("FOLLOW") or 0) > 0 and (site.dist is not None or cfg.get("ENDPOINT")):
        fast.follower = Follower(app, fast, cfg, float(cfg["FOLLOW"]))
    app.wsgi_app = fast  # type: ignore[method-assign]
    return app


def site_of(app: Flask) -> Site:
    return app.extensions["kg"]
