"""Where queries run: the embedded read-only store or a remote SPARQL 1.1 endpoint.

Both engines offer the same narrow interface:

* `execute(query, *, results_format, graph_format, default_graphs, named_graphs)` runs a
  user's query under the time limit and returns `Answer(body, media_type, form)`, the result
  already serialised (pyoxigraph does the serialising for both engines, so the embedded
  store and a remote one give byte-identical answers); with `stream=True` the embedded engine
  returns an answer larger than STREAM_AFTER bytes as `Streamed(chunks, media_type, form)`,
  whose chunks arrive while the engine is still writing the rest;
* `select(query)` / `ask(query)` / `construct(query, fmt)` run our own bounded queries (pages,
  lists, charts) and return plain Python values.

A pyoxigraph query cannot be interrupted from another thread, so the embedded engine runs
user queries in a small pool of worker processes and kills and replaces a worker that overruns
the limit. The workers either open the release's store read-only, or (memory mode, the default
for releases up to a few million triples) are forked from one "zygote" process that holds the
release in an in-memory pyoxigraph store: Oxigraph evaluates joins, sorts and aggregates 2-4x
faster in memory than through RocksDB, and forked workers share the zygote's pages, so the
release is in memory once per server process however many workers are started or replaced.
Our own page queries are bounded lookups and run in-process on a read-only store of their own.
A user query whose work kg.bounded proves small runs in-process too, without the hop: on a
small release, on an in-memory copy the web process holds with its statistics.
"""
from __future__ import annotations

import io
import itertools
import os
import queue
import re
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterator, NamedTuple

import pyoxigraph as ox

from .bounded import MAX_TEXT, Stats, work_bound
from .sparql_text import explain_syntax_error, ordered, star_order, with_projection
from .stores import Dialect, PartialAnswer, Published, catalogue_query, detect, published_from, query_form

_UNSEEN = object()
INLINE_SLOW = 0.25  # seconds: an inline query slower than this goes to the workers next time

# ----------------------------------------------------------------------------- formats

RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


class QueryError(Exception):
    """The query is not acceptable (syntax, unsupported) -> 400."""

    status = 400


class QueryTimeout(QueryError):
    status = 503


class ResultTooLarge(QueryError):
    status = 413


class EndpointError(QueryError):
    """The remote endpoint failed or is unreachable -> 502."""

    status = 502


class Answer(NamedTuple):
    body: bytes
    media_type: str
    form: str  # "select", "ask" or "graph"


class Streamed(NamedTuple):
    """An answer sent on while it is written: `chunks` yields its bytes and raises QueryError
    (time or size limit) if the engine has to stop half-way."""

    chunks: Iterator[bytes]
    media_type: str
    form: str


# an answer up to this size is sent whole (with Content-Length, ETag, cached); a larger one is
# streamed in chunks of STREAM_CHUNK bytes, so its first bytes leave before the engine is done
STREAM_AFTER = 1_000_000
STREAM_CHUNK = 256 * 1024


class Term(NamedTuple):
    """An RDF term as our pages need it."""

    kind: str  # "uri", "bnode", "literal"
    value: str
    datatype: str | None = None
    lang: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term_of(t: Any) -> Term | None:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return Term("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else None
        if dt in (XSD_STRING, RDF_LANGSTRING):
            dt = None
        return Term("literal", t.value, dt, t.language)
    return Term("literal", str(t))


def term_of_json(b: dict | None) -> Term | None:
    if b is None:
        return None
    kind = b["type"]
    if kind == "typed-literal":
        kind = "literal"
    dt = b.get("datatype")
    if dt in (XSD_STRING, RDF_LANGSTRING):
        dt = None
    return Term(kind, b["value"], dt, b.get("xml:lang"))


class _Capped(io.RawIOBase):
    """A write target that stops serialisation once `limit` bytes are exceeded. With `emit`, once
    more than `after` bytes are written it hands them on, `emit(chunk)`, in STREAM_CHUNK pieces."""

    def __init__(self, limit: int, after: int = 0, emit: Callable[[bytes], None] | None = None):
        self.buf = bytearray()
        self.total = 0
        self.limit = limit
        self.after = after if emit else 0
        self.emit = emit
        self.started = False

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.buf += b
        self.total += len(b)
        if self.limit and self.total > self.limit:
            raise ResultTooLarge(f"the result is larger than {self.limit:,} bytes; "
                                 "add a LIMIT or ask for fewer variables")
        if self.after and len(self.buf) > (STREAM_CHUNK if self.started else self.after):
            self.emit(bytes(self.buf))  # type: ignore[misc]
            self.started = True
            self.buf.clear()
        return len(b)


def serialize_result(result: Any, results_format: str, graph_format: str, limit: int,
                     prefixes: dict[str, str] | None = None, *, stream_after: int = 0,
                     emit: Callable[[tuple], None] | None = None) -> Answer | None:
    """Serialise a pyoxigraph result (solutions, boolean or triples) in the chosen format.

    With `emit` and `stream_after`, an answer longer than `stream_after` bytes is handed on as it
    is written: emit(("head", (media_type, form))), then emit(("data", chunk)) for each chunk,
    and None is returned once the last chunk went out. A shorter one is returned whole."""
    if isinstance(result, ox.QueryTriples):
        media_type, form = graph_format, "graph"
    else:
        form = "ask" if isinstance(result, ox.QueryBoolean) else "select"
        media_type = results_format
        if form == "ask" and results_format in ("text/csv", "text/tab-separated-values"):
            media_type = "application/sparql-results+json"  # CSV/TSV have no boolean form

    def chunk(b: bytes) -> None:
        if not out.started:
            emit(("head", (media_type, form)))  # type: ignore[misc]
        emit(("data", b))  # type: ignore[misc]

    out = _Capped(limit, stream_after, chunk if emit else None)
    if form == "graph":
        write_graph(result, out, graph_format, prefixes)
    else:
        result.serialize(out, RESULTS_FORMATS[media_type])
    if out.started:
        if out.buf:
            emit(("data", bytes(out.buf)))  # type: ignore[misc]
        return None
    return Answer(bytes(out.buf), media_type, form)


def write_graph(triples, out: "_Capped", graph_format: str, prefixes: dict[str, str] | None = None) -> None:
    """Triples in a graph format: Turtle that reads well (kg.turtle), JSON-LD compact with the
    release's context (kg.jsonld), the others as Oxigraph writes them."""
    if graph_format == "text/turtle":
        from . import turtle  # here, not at the top: it brings rdflib, which a query worker rarely needs
        from .vocab import PREFIXES

        pre = prefixes or {p: str(ns) for p, ns in PREFIXES.items()}
        out.write(turtle.header(pre))
        turtle.Writer(out, pre).write(triples)
    elif graph_format == "application/ld+json":
        from . import jsonld

        most = max(1000, out.limit // 40) if out.limit else None  # a triple takes 40+ bytes of JSON-LD
        got = []
        for t in triples:
            got.append(t)
            if most is not None and len(got) > most:
                raise ResultTooLarge(f"the result is larger than {out.limit:,} bytes; "
                                     "add a LIMIT or ask for fewer triples")
        out.write(jsonld.dumps(jsonld.graph_document(got)).encode())
    else:
        fmt = GRAPH_FORMATS[graph_format]
        if prefixes and fmt == ox.RdfFormat.TRIG:
            ox.serialize(triples, out, fmt, prefixes=prefixes)
        else:
            ox.serialize(triples, out, fmt)


def _graphs(names: list[str] | None):
    return [ox.NamedNode(g) for g in names] if names else None


def run_on_store(store: ox.Store, query: str, results_format: str, graph_format: str,
                 default_graphs: list[str] | None, named_graphs: list[str] | None,
                 limit: int, base_iri: str | None = None, prefixes: dict[str, str] | None = None, *,
                 stream_after: int = 0, emit: Callable[[tuple], None] | None = None) -> Answer | None:
    """Run and serialise a query; see serialize_result for `stream_after` and `emit`."""
    try:
        result = store.query(query, default_graph=_graphs(default_graphs),
                             named_graphs=_graphs(named_graphs), base_iri=base_iri)
        if "*" in query and isinstance(result, ox.QuerySolutions):
            # SELECT * in the order the query names its variables (Oxigraph has its own):
            # asked again with that projection (evaluation is lazy: nothing ran yet)
            text = strip_comments(query)
            star = star_order(text)
            if star is not None:
                have = [v.value for v in result.variables]
                want = ordered(have, star[0])
                if want != have:
                    result = store.query(with_projection(text, star[1], want), default_graph=_graphs(default_graphs),
                                         named_graphs=_graphs(named_graphs), base_iri=base_iri)
    except SyntaxError as e:
        raise QueryError(explain_syntax_error(query, str(e))) from None
    except (OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"query failed: {e}") from None
    try:
        return serialize_result(result, results_format, graph_format, limit, prefixes,
                                stream_after=stream_after, emit=emit)
    except ResultTooLarge:
        raise
    except (OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"query failed: {e}") from None


# ----------------------------------------------------------------------------- worker pool

def _watch_parent(parent_pid: int, direct: bool = True) -> None:  # pragma: no cover - child
    """Leave when the server process is gone, even in the middle of a query. A worker forked by
    the zygote watches the server (its grandparent) by pid, not its own parent: it may go on
    answering if the zygote is lost."""

    def gone() -> bool:
        if direct:
            return os.getppid() != parent_pid
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def watchdog() -> None:
        while True:
            time.sleep(1.0)
            if gone():
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()


def _worker_main(store_path: str, conn, parent_pid: int) -> None:  # pragma: no cover - child
    """A query worker: open the store read-only, answer requests until the pipe closes."""
    _watch_parent(parent_pid)
    store = ox.Store.read_only(store_path)
    conn.send(("ready", os.getpid()))
    _serve_queries(store, conn)


def _serve_queries(store: ox.Store, conn) -> None:  # pragma: no cover - child
    """Answer requests `(query, ..., base_iri, stream_after)`: ("ok", answer), or ("head", ...),
    ("data", chunk)..., ("end",) for a streamed one; ("error", kind, message) at any point."""
    while True:
        try:
            *req, stream_after = conn.recv()
        except (EOFError, OSError):
            return
        try:
            ans = run_on_store(store, *req, stream_after=stream_after, emit=conn.send)
            conn.send(("end",) if ans is None else ("ok", tuple(ans)))
        except QueryError as e:
            conn.send(("error", type(e).__name__, str(e)))
        except Exception as e:  # noqa: BLE001 - report, keep serving
            conn.send(("error", "QueryError", f"query failed: {e}"))


def _trim() -> None:
    """Give freed heap memory back to the system (glibc), where that is possible."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def load_in_memory(nt_path: str) -> ox.Store:
    """The release's triples in an in-memory store (`load`, not `bulk_load`: a little slower,
    about 15 % less memory, and no loader threads left behind in a process that will fork)."""
    store = ox.Store()
    store.load(path=nt_path, format=ox.RdfFormat.N_TRIPLES)
    return store


def _zygote_main(nt_path: str, ctl_fd: int, parent_pid: int) -> None:  # pragma: no cover - child
    """Load the release in memory once, then fork one query worker per request on `ctl`.

    The zygote itself never runs a query and stays single-threaded, so forking it is safe.
    Each request is one byte; the answer carries the worker's pid and, as ancillary data,
    its end of a fresh socket pair. The zygote leaves when the server closes `ctl`.
    """
    import signal
    import socket

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    ctl = socket.socket(fileno=ctl_fd)
    try:
        store = load_in_memory(nt_path)
    except (OSError, ValueError, SyntaxError) as e:
        ctl.sendall(b"E" + str(e).encode("utf-8", "replace")[:1000])
        return
    while True:
        try:
            req = ctl.recv(1)
        except OSError:
            return
        if not req:
            return  # the server is gone
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            ctl.close()
            ours.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                from multiprocessing.connection import Connection

                _watch_parent(parent_pid, direct=False)
                # on a new thread: its random generator (RAND, UUID, BNODE) is seeded afresh,
                # while this thread's was copied from the zygote and would repeat across workers
                t = threading.Thread(target=_serve_queries, args=(store, Connection(theirs.detach())))
                t.start()
                t.join()
            finally:
                os._exit(0)
        theirs.close()
        try:
            socket.send_fds(ctl, [b"W%d" % pid], [ours.fileno()])
        except OSError:
            return
        finally:
            ours.close()


def _zygote_entry() -> None:  # pragma: no cover - runs in the child
    """`python -c '...; _zygote_entry()' KG_NT FD PARENT_PID`"""
    import sys

    _zygote_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))


def _worker_entry() -> None:  # pragma: no cover - runs in the child
    """`python -c 'from kg.engine import _worker_entry; _worker_entry()' STORE FD PARENT_PID`"""
    import sys
    from multiprocessing.connection import Connection

    store_path, fd, parent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    _worker_main(store_path, Connection(fd), parent)


def _spawn(entry: str, arg: str):
    """A fresh interpreter running `kg.engine.<entry>()` with argv ARG FD PARENT_PID, niced (the
    server's own request handling comes before any query's work); returns (process, our end
    of the socket pair whose other end is FD)."""
    import socket
    import subprocess
    import sys

    ours, theirs = socket.socketpair()
    cfd = theirs.fileno()
    code = f"import os; os.nice(5); from kg.engine import {entry}; {entry}()"
    proc = subprocess.Popen([sys.executable, "-c", code, arg, str(cfd), str(os.getpid())],
                            pass_fds=(cfd,), stdin=subprocess.DEVNULL, close_fds=True)
    theirs.close()
    return proc, ours


class _Worker:
    """One query process: a fresh interpreter (never a fork of a process holding a store),
    talking over a socket pair."""

    def __init__(self, store_path: str):
        from multiprocessing.connection import Connection

        self.proc, sock = _spawn("_worker_entry", store_path)
        self.conn = Connection(sock.detach())
        self.ready = False

    def wait_ready(self, timeout: float = 30.0) -> None:
        if not self.ready:
            try:
                if not self.conn.poll(timeout):
                    raise EndpointError("a query worker did not start in time")
                self.conn.recv()
            except (EOFError, OSError):
                raise EndpointError("a query worker failed to start (is the store readable?)") from None
            self.ready = True

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(5)
        except Exception:  # noqa: BLE001
            pass
        finally:
            self.conn.close()


class _Forked:
    """A query process forked by the zygote: ready at once (the store is already loaded)."""

    ready = True

    def __init__(self, pid: int, fd: int):
        from multiprocessing.connection import Connection

        self.pid = pid
        self.conn = Connection(fd)

    def wait_ready(self, timeout: float = 30.0) -> None:
        return None

    def kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)  # the zygote reaps it
        except OSError:
            pass
        finally:
            self.conn.close()


class Zygote:
    """The process holding the release in memory; forks query workers on request."""

    def __init__(self, nt_path: str):
        self.nt_path = nt_path
        self.proc, self.ctl = _spawn("_zygote_entry", nt_path)
        self.lock = threading.Lock()
        self.error: str | None = None
        self.loaded = threading.Event()  # set after the first worker arrived

    def fork(self, timeout: float | None = None) -> _Forked:
        """A new worker; waits while the zygote is still loading the release."""
        import socket

        with self.lock:
            if self.error:
                raise EndpointError(f"the query engine could not load the release: {self.error}")
            try:
                self.ctl.settimeout(timeout)
                self.ctl.sendall(b"f")
                msg, fds, _flags, _addr = socket.recv_fds(self.ctl, 1100, 1)
            except (OSError, socket.timeout) as e:
                raise EndpointError(f"the query engine did not start a worker: {e}") from None
            if not msg or msg[:1] != b"W" or not fds:
                for fd in fds:
                    os.close(fd)
                self.error = msg[1:].decode("utf-8", "replace") if msg[:1] == b"E" else "the loader stopped"
                raise EndpointError(f"the query engine could not load the release: {self.error}")
            self.loaded.set()
            return _Forked(int(msg[1:]), fds[0])

    def close(self) -> None:
        try:
            self.ctl.close()
        finally:
            try:
                self.proc.kill()
                self.proc.wait(5)
            except Exception:  # noqa: BLE001
                pass


_SPACE = re.compile(r"\s+")


def strip_comments(text: str) -> str:
    """What `sparql_protocol.COMMENT.sub("", text)` gives: on each line, drop from the first '#'
    after which the line has no '<', '>', '"' or "'" (not inside an IRI or a string, as a
    heuristic). The expression itself restarts at every '#' and scans to the end of the line:
    quadratic on a long run of them (20,000 characters took 3 s; a query may have 1,000,000)."""
    if "#" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        j = line.find("#")
        if j < 0:
            continue
        last = max(line.rfind("<"), line.rfind(">"), line.rfind('"'), line.rfind("'"))
        j = line.find("#", last + 1)
        if j >= 0:
            lines[i] = line[:j]
    return "\n".join(lines)


def fingerprint(query: str) -> str:
    """A query's text without comments and with spacing collapsed (the same query re-sent)."""
    return _SPACE.sub(" ", strip_comments(query)).strip()


def _error_of(msg: tuple) -> QueryError:
    cls = {"ResultTooLarge": ResultTooLarge, "QueryTimeout": QueryTimeout}.get(msg[1], QueryError)
    return cls(msg[2])


def _chunks_of(q: queue.Queue, deadline: float) -> Iterator[bytes]:
    """A streamed answer's chunks, as the drain thread hands them over (it ends every stream
    before the time limit; `deadline`, later than that, only guards against a lost thread)."""
    while True:
        try:
            item = q.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryError("the answer stopped coming from the query engine") from None
        if item is None:
            return
        if isinstance(item, Exception):
            raise item
        yield item


class WorkerPool:
    """Pre-started query processes; an overrunning one is killed and replaced."""

    def __init__(self, store_path: str, size: int = 3, long_after: float = 0.5, long_max: int = 1,
                 memory_source: str | None = None):
        self.store_path = store_path
        # memory mode: workers are forked from a zygote holding `memory_source` (kg.nt) in memory
        self.memory_source = memory_source
        self.memory_error: str | None = None  # why memory mode was given up, if it was
        self.zygote: Zygote | None = None
        self.size = max(1, size)
        # a query still running after `long_after` s is "long"; at most `long_max` long ones run
        # at once per server process, so a flood of slow queries holds at most that many
        # workers and the rest keep answering cheap queries; an extra long one is stopped (503)
        self.long_after = long_after
        self.long_max = max(1, min(long_max, self.size - 1)) if self.size > 1 else 1
        self.long_slots = threading.BoundedSemaphore(self.long_max)
        self.refused = 0
        # fingerprints (text without comments and spacing) of queries that were stopped: sent
        # again, they need a free long slot from the start and never take a worker otherwise
        self.heavy: OrderedDict[str, float] = OrderedDict()
        # last in, first out: the worker that answered last has the store's pages and its own
        # heap in the CPU caches; rotating through all of them costs ~0.2 ms a query
        self.idle: queue.LifoQueue = queue.LifoQueue()
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.started = False
        self.closed = False  # for good: a server that moved on to a newer release
        self.killed = 0

    def start(self) -> None:
        with self.lock:
            if self.closed or (self.started and self.pid == os.getpid()):
                return
            self.pid = os.getpid()
            self.idle = queue.LifoQueue()
            if self.memory_source:
                self.zygote = Zygote(self.memory_source)
                # on-disk workers answer while the release loads (seconds for a large one: a
                # restarted server must not refuse queries meanwhile); they are retired as soon
                # as the memory workers forked in the background are there
                for _ in range(self.size):
                    self.idle.put(_Worker(self.store_path))
                for _ in range(self.size):
                    self._replace()
            else:
                for _ in range(self.size):
                    self.idle.put(_Worker(self.store_path))
            self.started = True

    def _new_worker(self) -> "_Worker | _Forked":
        if not self.memory_source:
            w = _Worker(self.store_path)
            try:
                w.wait_ready()
            except QueryError:
                w.kill()
                raise
            return w
        with self.lock:
            if self.closed:
                raise EndpointError("the query engine was closed")
            z = self.zygote
            if z is None or (z.proc.poll() is not None and z.error is None):
                if z is not None:
                    z.close()
                z = self.zygote = Zygote(self.memory_source)  # it died: load again
        return z.fork(timeout=600)

    def _replace(self) -> None:
        def spawn() -> None:
            try:
                w = self._new_worker()
            except QueryError:
                if self.closed:
                    return
                z = self.zygote
                if not (self.memory_source and z is not None and z.error):
                    return
                # the release could not be loaded in memory (unreadable dump, out of memory):
                # keep answering from the on-disk store, which holds the same triples
                if self.memory_error is None:
                    import sys

                    print(f"kg: query workers use the on-disk store: loading {self.memory_source} in "
                          f"memory failed: {z.error}", file=sys.stderr, flush=True)
                self.memory_error = z.error
                self.memory_source = None
                try:
                    w = self._new_worker()
                except QueryError:
                    return
            with self.lock:
                closed = self.closed
                if not closed:
                    self.idle.put(w)
            if closed:
                w.kill()
                return
            if isinstance(w, _Forked):  # the release is in memory: retire idle on-disk stand-ins
                with self.idle.mutex:
                    stale = [x for x in self.idle.queue if isinstance(x, _Worker)]
                    for x in stale:
                        self.idle.queue.remove(x)
                for x in stale:
                    x.kill()

        threading.Thread(target=spawn, daemon=True).start()

    def _stand_in(self, w) -> bool:
        """An on-disk worker kept only until the release was loaded in memory."""
        return isinstance(w, _Worker) and bool(self.memory_source) and self.zygote is not None \
            and self.zygote.loaded.is_set()

    @property
    def in_memory(self) -> bool:
        return bool(self.memory_source)

    def run(self, request: tuple, timeout: float) -> Answer | Streamed:
        """Run `request` (run_on_store's arguments after the store, then stream_after) on a
        worker; a streamed answer keeps the worker until its last chunk is read from it."""
        ans = self._run_limited(request, timeout)
        if isinstance(ans, Streamed):
            # wait for the first chunk here, so that a query stopped before it still gets a
            # proper error answer (503, 413) rather than an empty, cut-off 200
            first = next(ans.chunks, b"")
            return ans._replace(chunks=itertools.chain((first,), ans.chunks))
        return ans

    def _run_limited(self, request: tuple, timeout: float) -> Answer | Streamed:
        fp = fingerprint(request[0])
        if fp in self.heavy:
            if not self.long_slots.acquire(blocking=False):
                self.refused += 1
                raise QueryTimeout("the server is busy with other long queries and this query was stopped "
                                   "before; try again shortly, or narrow it down")
            try:
                ans = self._run(request, timeout, fp, holding=True)
            except BaseException:
                self.long_slots.release()
                raise
            if not isinstance(ans, Streamed):  # else the drain thread releases it at the end
                self.long_slots.release()
            return ans
        return self._run(request, timeout, fp, holding=False)

    def _mark_heavy(self, fp: str) -> None:
        self.heavy[fp] = time.monotonic()
        while len(self.heavy) > 1024:
            self.heavy.popitem(last=False)

    def _run(self, request: tuple, timeout: float, fp: str, holding: bool) -> Answer:
        if self.closed:  # this release is no longer served (a newer one is)
            raise EndpointError("this release is no longer served; send the query again")
        self.start()
        t0 = time.monotonic()
        try:
            w = self.idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"the server is busy: no query worker was free within {timeout:g} s; "
                               "try again shortly") from None
        if not holding and fp in self.heavy:  # stopped while this one waited for a worker
            self.idle.put(w)
            return self._run_limited(request, max(0.0, timeout - (time.monotonic() - t0)))
        if w.ready and w.conn.poll(0):  # an idle worker with something to say has died: replace it
            w.kill()
            self._replace()
            return self._run(request, max(0.0, timeout - (time.monotonic() - t0)), fp, holding)
        if self._stand_in(w):  # an on-disk stand-in, no longer needed
            w.kill()
            return self._run(request, max(0.0, timeout - (time.monotonic() - t0)), fp, holding)
        slot = False
        try:
            try:
                w.wait_ready()
            except EndpointError:
                w.kill()
                self._replace()
                w = None
                raise
            w.conn.send(request)
            left = max(0.0, timeout - (time.monotonic() - t0))
            first = left if holding else min(left, self.long_after)
            done = w.conn.poll(first)
            if not done and left > first:
                if not self.long_slots.acquire(blocking=False):
                    w.kill()
                    self.killed += 1
                    self.refused += 1
                    self._replace()
                    w = None
                    self._mark_heavy(fp)
                    raise QueryTimeout(f"the server is busy with other long queries; this one was stopped "
                                       f"after {self.long_after:g} s; try again shortly, or narrow it down")
                slot = True  # released below, or handed on with a streamed answer
                done = w.conn.poll(max(0.0, timeout - (time.monotonic() - t0)))
            if not done:
                w.kill()
                self.killed += 1
                self._replace()
                w = None
                self._mark_heavy(fp)
                raise QueryTimeout(f"the query ran longer than the time limit of {timeout:g} s "
                                   "and was stopped; narrow it down or add a LIMIT")
            msg = w.conn.recv()
            if msg[0] == "head":  # a large answer: its chunks are coming
                chunks: queue.Queue = queue.Queue()
                # the drain thread gives back the worker, and the long-query slot held for this query
                threading.Thread(target=self._drain, args=(w, chunks, t0, timeout, fp, holding or slot),
                                 daemon=True).start()
                w = None
                slot = False
                self.heavy.pop(fp, None)
                return Streamed(_chunks_of(chunks, t0 + timeout + 30.0), *msg[1])
        except (EOFError, OSError, BrokenPipeError):
            if w is not None:
                w.kill()
                self._replace()
                w = None
            hint = ""
            if re.search(r"\bORDER\s+BY\b", request[0], re.I):
                # Oxigraph 0.5.13 aborts when ORDER BY meets values of different kinds
                hint = ("; ORDER BY over values of different kinds (numbers, dates, strings, IRIs) "
                        "can stop the engine: sort by STR(?x), or keep one kind of value with FILTER")
            raise QueryError("the query worker died while answering this query" + hint) from None
        finally:
            if slot:
                self.long_slots.release()
            if w is not None:
                self._give_back(w)
        if msg[0] == "ok":
            self.heavy.pop(fp, None)
            return Answer(*msg[1])
        raise _error_of(msg)

    def _give_back(self, w) -> None:
        with self.lock:  # not into a pool close() has already emptied
            keep = not (self._stand_in(w) or self.closed)
            if keep:
                self.idle.put(w)
        if not keep:
            w.kill()

    def _drain(self, w, chunks: queue.Queue, t0: float, timeout: float, fp: str, holding: bool) -> None:
        """Move a streamed answer's chunks from worker w to `chunks` as fast as the worker writes
        them (a slow client never holds a worker), then give w back. The limits of any query
        apply: past `long_after` it needs a long-query slot (or is stopped), past the time
        limit it is stopped. Ends with None (done) or the QueryError the reader is to raise."""
        deadline = t0 + timeout
        try:
            while True:
                now = time.monotonic()
                stop = None
                if now >= deadline:
                    stop = "the query ran longer than the time limit and was stopped while its answer was " \
                           "being sent; narrow it down or add a LIMIT"
                elif not holding and now >= t0 + self.long_after:
                    holding = self.long_slots.acquire(blocking=False)
                    if not holding:
                        self.refused += 1
                        stop = f"the server is busy with other long queries; this one was stopped after " \
                               f"{self.long_after:g} s while its answer was being sent; try again shortly"
                if stop:
                    w.kill()
                    self.killed += 1
                    self._replace()
                    self._mark_heavy(fp)
                    chunks.put(QueryTimeout(stop))
                    return
                until = deadline if holding else min(deadline, t0 + self.long_after)
                if not w.conn.poll(max(0.0, until - time.monotonic())):
                    continue
                msg = w.conn.recv()
                if msg[0] == "data":
                    chunks.put(msg[1])
                    continue
                self._give_back(w)
                chunks.put(None if msg[0] == "end" else _error_of(msg))
                return
        except BaseException as e:  # noqa: BLE001 - the reader must hear of it, whatever it is
            w.kill()
            chunks.put(QueryError("the query worker died while sending this answer"))
            if isinstance(e, (EOFError, OSError)):
                self._replace()
        finally:
            if holding:
                self.long_slots.release()

    def close(self) -> None:
        with self.lock:  # after start() if it is running: nothing it starts is left behind
            self.closed = True
            idle = []
            while True:
                try:
                    idle.append(self.idle.get_nowait())
                except queue.Empty:
                    break
        for w in idle:
            w.kill()
        if self.zygote is not None:
            self.zygote.close()


# ----------------------------------------------------------------------------- engines

@dataclass
class EngineInfo:
    kind: str  # "embedded" or "remote"
    location: str


class Engine:
    info: EngineInfo
    release_id: str | None = None  # set when answers are fixed for the engine's lifetime

    def execute(self, query: str, *, results_format: str = "application/sparql-results+json",
                graph_format: str = "text/turtle", default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, base_iri: str | None = None,
                stream: bool = False) -> Answer | Streamed:
        raise NotImplementedError

    def select(self, query: str) -> list[dict[str, Term]]:
        raise NotImplementedError

    def ask(self, query: str) -> bool:
        raise NotImplementedError

    def construct(self, query: str, media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmbeddedEngine(Engine):
    """The release's pyoxigraph store, opened read-only (several processes may share it)."""

    def __init__(self, store_path: str, *, timeout: float = 10.0, result_limit: int = 50_000_000,
                 workers: int = 3, release_id: str | None = None, long_after: float = 0.5, long_max: int = 1,
                 memory_source: str | None = None, inline_cap: int = 2000, inline_max: int = 100_000,
                 inline_memory: bool = False, disk_stats: Stats | None = None):
        self.store_path = str(store_path)
        # a query whose work is provably small (kg.bounded) runs here, without the process hop:
        # up to inline_cap rows always; up to inline_max rows, one at a time, when this process
        # holds the release in memory (inline_memory: small releases) with its statistics
        self.inline_cap = inline_cap
        self.inline_max = max(inline_max, inline_cap)
        self.inline_slot = threading.Semaphore(1)
        self.inlined = 0
        self.slow_inline: OrderedDict = OrderedDict()  # fingerprints of inline runs that were slow
        self.verdicts: dict[tuple, int | None] = {}  # (id of the store, query text) -> work bound
        self.disk_stats = disk_stats
        self.timeout = timeout
        self.result_limit = result_limit
        self.memory_source = str(memory_source) if memory_source else None
        self.pool = WorkerPool(self.store_path, workers, long_after=long_after, long_max=long_max,
                               memory_source=self.memory_source)
        # start the query processes now, in the background, so the first query need not wait
        threading.Thread(target=self.pool.start, daemon=True).start()
        self.memory: tuple[ox.Store, Stats] | None = None
        self.memory_ready = threading.Event()
        if inline_memory and self.memory_source and inline_cap:
            threading.Thread(target=self._load_memory, daemon=True).start()
        else:
            self.memory_ready.set()
        self.release_id = release_id
        self.info = EngineInfo("embedded", self.store_path)
        self._store: ox.Store | None = None
        self._pid = 0

    def _load_memory(self) -> None:
        try:
            mem = load_in_memory(self.memory_source)  # type: ignore[arg-type]
            stats = Stats.of(mem)
            _trim()  # the statistics' GROUP BYs left ~0.7x the copy's size in malloc's free lists
            self.memory = (mem, stats)
        except Exception as e:  # noqa: BLE001 - the on-disk store keeps serving
            print(f"kg: could not hold the release in memory for small queries: {e}", file=sys.stderr, flush=True)
        finally:
            self.memory_ready.set()

    @property
    def store(self) -> ox.Store:
        if self._store is None or self._pid != os.getpid():  # one handle per (forked) process
            self._store = ox.Store.read_only(self.store_path)
            self._pid = os.getpid()
        return self._store

    def execute(self, query, *, results_format="application/sparql-results+json",
                graph_format="text/turtle", default_graphs=None, named_graphs=None, base_iri=None,
                stream=False) -> Answer | Streamed:
        req = (query, results_format, graph_format, default_graphs, named_graphs, self.result_limit, base_iri)
        if self.inline_cap and not default_graphs and not named_graphs \
                and (not self.slow_inline or fingerprint(query) not in self.slow_inline):
            memory = self.memory  # the in-memory copy and its statistics, else the on-disk store
            store, stats, cap = (*memory, self.inline_max) if memory else (self.store, self.disk_stats, self.inline_cap)
            cost = self._cost(query, store, stats, cap)
            if cost is not None:
                if cost <= self.inline_cap:
                    return self._inline(store, req, cost)
                if self.inline_slot.acquire(blocking=False):  # larger ones: one at a time
                    try:
                        return self._inline(store, req, cost)
                    finally:
                        self.inline_slot.release()
        return self.pool.run(req + (STREAM_AFTER if stream else 0,), self.timeout)

    def _cost(self, query: str, store: ox.Store, stats: Stats | None, cap: int) -> int | None:
        """work_bound, remembered per query text (exactly: the bench's "fresh" requests, which
        differ by a comment, pay for the analysis as any new query does) for this release and
        store (the in-memory copy may be loaded later)."""
        if len(query) > MAX_TEXT:
            return None  # never bounded; and a long text is not worth keeping as a key
        key = (id(store), query)
        cost = self.verdicts.get(key, _UNSEEN)
        if cost is _UNSEEN:
            cost = work_bound(query, store, stats, cap)
            if len(self.verdicts) >= 4096:
                self.verdicts.clear()
            self.verdicts[key] = cost
        return cost  # type: ignore[return-value]

    def _inline(self, store: ox.Store, req: tuple, cost: int) -> Answer:
        self.inlined += 1
        t0 = time.monotonic()
        try:
            return run_on_store(store, *req)  # type: ignore[return-value]  # whole: no emit
        finally:
            dt = time.monotonic() - t0
            if dt > INLINE_SLOW:  # the bound held but the time did not: send it to the workers from now on
                self.slow_inline[fingerprint(req[0])] = dt
                while len(self.slow_inline) > 1024:
                    self.slow_inline.popitem(last=False)
                print(f"kg: a query bounded at {cost:,} rows took {dt:.2f} s in the server process; "
                      "it goes to the query workers from now on", file=sys.stderr, flush=True)

    def select(self, query: str) -> list[dict[str, Term]]:
        res = self.store.query(query)
        names = [v.value for v in res.variables]
        return [{n: term_of(sol[n]) for n in names if sol[n] is not None} for sol in res]

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query))

    def construct(self, query, media_type, prefixes=None) -> bytes:
        ans = serialize_result(self.store.query(query), "application/sparql-results+json", media_type, 0, prefixes)
        assert ans is not None  # whole: no emit
        return ans.body

    def close(self) -> None:
        self.pool.close()


class RemoteEngine(Engine):
    """Any SPARQL 1.1 endpoint, through SPARQLWrapper. Answers are re-serialised locally, in
    the embedded engine's forms (kg.stores: each store's differences and what is done about them).

    With `catalogue` (the graph `kg publish` keeps in the store), the engine reads which
    release graph is published there (`resolve`) and asks every query against that graph; the
    answers are then fixed for the engine's life (`release_id`), and the server swaps in a new
    engine when the catalogue names another release. Without a catalogue, or where the store
    has none, it queries the store's own default graph."""

    def __init__(self, endpoint: str, *, timeout: float = 10.0, result_limit: int = 50_000_000,
                 catalogue: str | None = None):
        from SPARQLWrapper import SPARQLWrapper  # noqa: F401 - fail early if missing

        self.endpoint = endpoint
        self.timeout = timeout
        self.result_limit = result_limit
        self.catalogue = catalogue
        self.info = EngineInfo("remote", endpoint)
        self.dialect: Dialect | None = None
        self.published: Published | None = None
        self.graph: str | None = None
        self._resolved = False
        self._lock = threading.Lock()

    # --- which store, which release

    def resolve(self) -> Published | None:
        """Learn the store's kind and read its catalogue, once (EndpointError if unreachable)."""
        if self._resolved:
            return self.published
        with self._lock:
            if not self._resolved:
                dialect = self._probe()
                pub = self.read_catalogue(dialect) if self.catalogue else None
                self.dialect, self.published = dialect, pub
                self.graph = pub.graph if pub else None
                self.release_id = pub.graph if pub else None  # answers are fixed while it is served
                self._resolved = True
        return self.published

    def _probe(self) -> Dialect:
        _, _, headers = self._request("ASK {}", [], "application/sparql-results+json")
        return detect(headers.get("Server"))

    def read_catalogue(self, dialect: Dialect | None = None) -> Published | None:
        """The release the store's catalogue names now (None: none, or none readable)."""
        import json

        if not self.catalogue:
            return None
        body, _, _ = self._request(catalogue_query(self.catalogue), [], "application/sparql-results+json")
        try:
            data = (dialect or self.dialect or Dialect("other")).fix_results(json.loads(body), "SELECT")
            return published_from(data["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            return None

    # --- one request

    def _request(self, query: str, params: list[tuple[str, str]], accept: str) -> tuple[bytes, str, Any]:
        import socket
        import urllib.error

        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)
        # Virtuoso stops at the timeout= sent and says so, a second or two late: let its answer come
        slack = self.timeout * 0.5 + 2 if self.dialect is not None and self.dialect.name == "virtuoso" else 1
        sw.setTimeout(int(round(self.timeout + slack)))
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", accept)
        for k, v in params:
            if k == "default-graph-uri":
                sw.addDefaultGraph(v)
            elif k == "named-graph-uri":
                sw.addNamedGraph(v)
            else:
                sw.addParameter(k, v)
        sw.setQuery(query)
        try:
            resp = sw.query().response
            body = resp.read()
            headers = resp.headers
            ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        except SPARQLWrapperException as e:
            msg = str(e)
            if "estimated execution time" in msg:  # Virtuoso's refusal by its cost estimate
                raise QueryTimeout(f"the store refused the query: {msg[:500]}") from None
            if "S1TAT" in msg:  # Virtuoso reached its time limit after it had begun sending
                raise QueryTimeout("the store stopped the query at its time limit") from None
            if "QueryBadFormed" in type(e).__name__ or "400" in msg:
                raise QueryError(f"the endpoint refused the query: {msg[:500]}") from None
            raise EndpointError(f"the endpoint failed: {msg[:500]}") from None
        except (socket.timeout, TimeoutError) as e:
            raise QueryTimeout(f"the endpoint did not answer within {self.timeout:g} s") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, (socket.timeout, TimeoutError)):
                raise QueryTimeout(f"the endpoint did not answer within {self.timeout:g} s") from e
            raise EndpointError(f"cannot reach the endpoint {self.endpoint}: {e.reason}") from e
        if self.result_limit and len(body) > self.result_limit:
            raise ResultTooLarge(f"the result is larger than {self.result_limit:,} bytes; "
                                 "add a LIMIT or ask for fewer variables")
        return body, ctype, headers

    def _fetch(self, query: str, default_graphs=None, named_graphs=None,
               accept: str = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
               raw_ok: bool = False):
        """(parsed answer, kind) with the store's differences mended: kind "results" gives the
        SPARQL JSON as a dict, "graph" a list of triples; with `raw_ok`, "raw" gives a store's
        SPARQL JSON bytes as they came when there is nothing to mend (Oxigraph server)."""
        import json

        self.resolve()
        d = self.dialect
        assert d is not None
        body, ctype, headers = self._request(d.prepare(query), d.params(self.graph, default_graphs, named_graphs,
                                                                         self.timeout), accept)
        try:
            d.check(headers)
        except PartialAnswer as e:
            raise (ResultTooLarge if e.cut else QueryTimeout)(str(e)) from None
        try:
            if ctype in ("application/sparql-results+json", "application/json"):
                if raw_ok and d.canonical:
                    return body, "raw"
                data = d.fix_results(json.loads(body), query)
            elif ctype in ("application/sparql-results+xml", "application/xml"):
                parsed = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
                data = d.fix_results(json.loads(_results_json(parsed)), query)
            else:
                fmt = ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.N_TRIPLES
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, fmt)]
                return d.fix_triples(triples), "graph"
        except (SyntaxError, ValueError) as e:
            raise EndpointError(f"the endpoint sent an unreadable answer ({ctype}): {e}") from None
        return data, "results"

    # --- the Engine interface

    def execute(self, query, *, results_format="application/sparql-results+json",
                graph_format="text/turtle", default_graphs=None, named_graphs=None, base_iri=None,
                stream=False) -> Answer:
        import json

        graph_form = query_form(query) in ("construct", "describe")
        accept = ("application/n-triples, text/turtle;q=0.9" if graph_form  # (Virtuoso would send a graph as
                  else "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8")  # rows)
        parsed, kind = self._fetch(query, default_graphs, named_graphs, accept, raw_ok=True)  # whole: the store's limits apply
        if kind == "graph":
            out = _Capped(self.result_limit)
            write_graph(list(parsed), out, graph_format)
            return Answer(bytes(out.buf), graph_format, "graph")
        try:
            results = ox.parse_query_results(parsed if kind == "raw" else json.dumps(parsed).encode(),
                                             ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as e:
            raise EndpointError(f"the endpoint sent an unreadable answer: {e}") from None
        ans = serialize_result(results, results_format, graph_format, self.result_limit)
        assert ans is not None  # whole: no emit
        return ans

    def select(self, query: str) -> list[dict[str, Term]]:
        data, kind = self._fetch(query, accept="application/sparql-results+json")
        if kind != "results" or "results" not in data:
            raise EndpointError("the endpoint did not answer the SELECT with results")
        return [{k: term_of_json(v) for k, v in row.items()} for row in data["results"]["bindings"]]

    def ask(self, query: str) -> bool:
        data, kind = self._fetch(query, accept="application/sparql-results+json")
        if kind != "results" or "boolean" not in data:
            raise EndpointError("the endpoint did not answer the ASK with a boolean")
        return bool(data["boolean"])

    def construct(self, query, media_type, prefixes=None) -> bytes:
        triples, kind = self._fetch(query, accept="application/n-triples, text/turtle;q=0.9")
        if kind != "graph":
            raise EndpointError("the endpoint did not answer the CONSTRUCT with a graph")
        fmt = GRAPH_FORMATS[media_type]
        if prefixes and fmt == ox.RdfFormat.TURTLE:
            return ox.serialize(triples, None, fmt, prefixes=prefixes)
        return ox.serialize(triples, None, fmt)


def _results_json(parsed) -> bytes:
    out = io.BytesIO()
    parsed.serialize(out, ox.QueryResultsFormat.JSON)
    return out.getvalue()
