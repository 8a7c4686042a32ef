"""A release built WITHOUT SHACL validation, only to benchmark serving at scale when `kg build`
itself is too slow or too large to finish (see bench/RESULTS.md). Never publish its output.

    git archive 9520e4a src ontology shapes | tar -x -C /tmp/kg-head     # pin the package the steps below use
    PYTHONPATH=/tmp/kg-head/src python bench/release_noshacl.py --data /tmp/synth35k --out /tmp/bench-dist-35k-noshacl

Runs kg build's own steps (read, map, link, write) with the build module's functions of commit
9520e4a (`load_profiles`, `graph_for_profiles`, `reference_graph`, `link_profiles`,
`write_release`) and an empty validation report; prints the stage times and peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    from rdflib import Graph

    import kg
    from kg.build import graph_for_profiles, link_profiles, reference_graph
    from kg.load import load_profiles
    from kg.release import write_release
    from kg.validate import load_dir, ontology_dir, shapes_dir
    from kg.vocab import DEFAULT_BASE, Iris

    import kg.build as _b
    print(f"kg package: {list(kg.__path__)}; build from {_b.__file__}", flush=True)
    base = Iris(DEFAULT_BASE).base
    t = {}
    t0 = time.perf_counter()
    profiles = load_profiles(a.data)
    t["read"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    graph = graph_for_profiles(profiles, where={}, base=base)
    graph += reference_graph(base)
    t["map"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    void_extra = link_profiles(graph, profiles, Iris(base))
    t["link"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    extra = {"ontology.ttl": load_dir(ontology_dir()).serialize(format="turtle").encode(),
             "shapes.ttl": load_dir(shapes_dir()).serialize(format="turtle").encode()}
    meta = {"profiles": len(profiles), "data": str(a.data), "timings": t, "warnings": [],
            "note": "bench/release_noshacl.py: NOT validated, for serving benchmarks only"}
    info = write_release(graph, a.out, base=base, report=Graph(), extra_files=extra, meta=meta,
                         void_extra=void_extra)
    t["write"] = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"release {info.id} in {a.out}: {info.triples:,} triples; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in t.items()) + f"; total {time.perf_counter() - t0:.1f} s; "
          f"peak RSS {peak:.2f} GB")


if __name__ == "__main__":
    main()
