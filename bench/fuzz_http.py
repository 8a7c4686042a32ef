"""Fuzz run over the HTTP layer and the SPARQL protocol parser (by hand, not in CI).

    python bench/fuzz_http.py --examples 2000

Runs the Hypothesis strategies of tests/test_fuzz_http.py with many more examples against the
Flask app (test client, through the WSGI fast path), then raw junk against a live `kg serve --workers 2`
server; prints the number of inputs tried and any failures (a 5xx other than the documented
503, or a crash).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=2000, help="examples per property")
    ap.add_argument("--live-examples", type=int, default=300)
    a = ap.parse_args()
    import os

    os.environ["KG_FUZZ_EXAMPLES"] = str(a.examples)
    os.environ["KG_FUZZ_LIVE_EXAMPLES"] = str(a.live_examples)
    import test_fuzz_http as t
    from kg.app import create_app
    from test_app_support import small_release

    counted = {"n": 0}
    app = create_app({"DIST": str(small_release()), "QUERY_WORKERS": 2, "QUERY_TIMEOUT": 5})
    client = app.test_client()
    results = []
    props = [("any request", t.test_any_request_is_answered_without_a_server_error, {"client": client}),
             ("sparql queries", t.test_sparql_queries_of_any_shape, {"client": client}),
             ("binary bodies", t.test_binary_bodies_and_bad_encodings, {"client": client}),
             ("header junk", t.test_header_junk, {"client": client}),
             ("parser", t.test_protocol_parser_raises_only_protocol_errors, {})]
    from test_app_support import live_server

    server = live_server("--timeout", "5", "--workers", "2")
    props.append(("live raw junk (kg serve --workers 2, granian)", t.test_live_server_survives_raw_junk, {"server": server}))
    for name, prop, kw in props:
        inner = prop.hypothesis.inner_test
        n = {"n": 0}

        def counting(*args, _inner=inner, _n=n, **kws):
            _n["n"] += 1
            return _inner(*args, **kws)

        prop.hypothesis.inner_test = counting
        wrapped = prop
        t0 = time.monotonic()
        err = None
        try:
            wrapped(**kw)
        except Exception as e:  # noqa: BLE001 - report it
            err = f"{type(e).__name__}: {str(e)[:2000]}"
        results.append((name, n["n"], time.monotonic() - t0, err))
        counted["n"] += n["n"]
        print(f"{name:28s} {n['n']:7d} inputs  {time.monotonic() - t0:6.1f} s  {'FAIL ' + err if err else 'ok'}",
              flush=True)
    print(f"total inputs tried: {counted['n']:,}; failures: {sum(1 for r in results if r[3])}")
    return 1 if any(r[3] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
