"""Build time and memory: `kg build` on the shipped data/ and on a synthetic set of N places,
then kg serve on the synthetic release (start time, memory, the query set's latency there).

    python bench/bench_build.py --places 35000
    python bench/bench_build.py --places 35000 --synth-dir /tmp/synth35k   # reuse generated records
    python bench/bench_build.py --skip-synth --runs 3                       # shipped data only

Each build runs `kg build --data D --out TMP` as a subprocess; wall time, peak RSS (psutil
sampling of the build process every 0.2 s, and the kernel's ru_maxrss of the child), the
per-stage timings kg build prints (read, map, link, validate = SHACL, write; or read,
map+link+validate, write since the chunked build) with the peak
RSS seen during each stage, and the dump sizes from release.json.
Targets: shipped < 30 s including SHACL; 35,000 places < 5 min and < 4 GB; every query < 500 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import save_result, VENV_BIN, start_kg, start_oxigraph  # noqa: E402


def run_build(data: Path, out: Path, timeout: float = 3600) -> dict:
    """One `kg build`; returns wall, peak RSS, stage timings and RSS per stage."""
    import resource

    cmd = [str(VENV_BIN / "kg"), "build", "--data", str(data), "--out", str(out)]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    ps = psutil.Process(proc.pid)
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            samples.append((time.monotonic() - t0, rss))
        except psutil.NoSuchProcess:
            pass
        if time.monotonic() - t0 > timeout:
            proc.kill()
            raise RuntimeError(f"kg build exceeded {timeout} s")
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)  # robust to other load
    maxrss_kernel = ru1.ru_maxrss * 1024  # max over all children waited so far
    if proc.returncode != 0:
        raise RuntimeError(f"kg build failed ({proc.returncode}):\n{stdout[-2000:]}\n{stderr[-3000:]}")
    stages: dict[str, float] = {}
    m = re.search(r"stages: (.*)", stdout)
    if m:
        for part in m.group(1).split(", "):
            k, v = part.rsplit(" ", 2)[0], part.rsplit(" ", 2)[1]
            stages[k] = float(v)
    rel = json.loads((out / "release.json").read_text())
    if not stages:
        stages = dict(rel.get("meta", {}).get("timings", {}))
    # RSS peak per stage: stages run back to back and end with the process (minus exit)
    total = stages.get("total") or sum(v for k, v in stages.items() if k != "total")
    start = max(0.0, wall - total - 0.3)  # interpreter start and imports before the first stage
    stage_peak: dict[str, int] = {"startup": max((r for t, r in samples if t < start), default=0)}
    at = start
    for k, v in stages.items():  # in the order the build ran them (read, map, link, validate or
        if k == "total":          # map+link+validate in chunks, write)
            continue
        stage_peak[k] = max((r for t, r in samples if at <= t < at + v), default=0)
        at += v
    return {"wall": wall, "cpu": cpu, "peak_rss": max((r for _, r in samples), default=0), "maxrss_kernel": maxrss_kernel,
            "stages": stages, "stage_peak_rss": stage_peak, "triples": rel["triples"], "counts": rel["counts"],
            "files": {k: v["bytes"] for k, v in rel["files"].items()}, "stdout": stdout.strip()[-400:]}


def show(label: str, r: dict) -> list[str]:
    st = ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items())
    pk = ", ".join(f"{k} {v / 1e9:.2f} GB" for k, v in r["stage_peak_rss"].items())
    files = ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in r["files"].items() if k.startswith("kg."))
    return [f"{label}: wall {r['wall']:.1f} s (CPU {r['cpu']:.1f} s), peak RSS {r['peak_rss'] / 1e9:.2f} GB (sampled), "
            f"{r['triples']:,} triples, {r['counts'].get('jurisdictions')} places, "
            f"{r['counts'].get('operations')} operations",
            f"  stages: {st}",
            f"  peak RSS per stage: {pk}",
            f"  dumps: {files}"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--places", type=int, default=35000)
    ap.add_argument("--synth-dir", type=Path, default=None, help="existing synthetic records (else generated)")
    ap.add_argument("--runs", type=int, default=3, help="builds of the shipped data (median)")
    ap.add_argument("--skip-shipped", action="store_true")
    ap.add_argument("--skip-synth", action="store_true")
    ap.add_argument("--reuse-dist", type=Path, default=None,
                    help="skip the synthetic build and serve this already built release")
    ap.add_argument("--keep", type=Path, default=Path("/tmp/bench-dist-synth"),
                    help="where the synthetic release is written and kept (for the other benchmarks)")
    ap.add_argument("--query-rounds", type=int, default=7)
    a = ap.parse_args()
    lines: list[str] = [f"# bench_build  {time.strftime('%Y-%m-%d %H:%M')}  {os.cpu_count()} cores, "
                        f"{psutil.virtual_memory().total / 2**30:.0f} GiB"]
    verdicts: list[str] = []
    raw: dict = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        if not a.skip_shipped:
            runs = []
            for i in range(a.runs):
                r = run_build(ROOT / "data", tmp / f"shipped-{i}")
                shutil.rmtree(tmp / f"shipped-{i}", ignore_errors=True)
                print(f"  shipped build {i + 1}: {r['wall']:.1f} s, {r['peak_rss'] / 1e9:.2f} GB", file=sys.stderr)
                runs.append(r)
            med = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
            lines += show(f"shipped data/ (median of {len(runs)}: "
                          + ", ".join(f"{r['wall']:.1f}" for r in runs) + " s)", med)
            ok = med["wall"] < 30
            verdicts.append(f"shipped build < 30 s incl. SHACL: {med['wall']:.1f} s {'PASS' if ok else 'FAIL'}")
            raw["shipped"] = runs
        dist = a.reuse_dist
        if not a.skip_synth and dist is None:
            data = a.synth_dir
            if data is None:
                data = tmp / "synth"
                t0 = time.monotonic()
                subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--places", str(a.places),
                                "--out", str(data)], check=True, stdout=subprocess.DEVNULL)
                print(f"  generated {a.places} places in {time.monotonic() - t0:.0f} s", file=sys.stderr)
            n = len(list((data / "places").glob("*.yaml")))
            if a.keep.exists():
                shutil.rmtree(a.keep)
            r = run_build(data, a.keep)
            lines += show(f"synthetic {n:,} places ({data})", r)
            ok_t, ok_m = r["wall"] < 300, r["peak_rss"] < 4e9
            verdicts.append(f"{n:,}-place build < 5 min: {r['wall']:.0f} s {'PASS' if ok_t else 'FAIL'}")
            verdicts.append(f"{n:,}-place build < 4 GB: {r['peak_rss'] / 1e9:.2f} GB {'PASS' if ok_m else 'FAIL'}")
            raw["synth"] = r
            dist = a.keep
        if dist is not None:
            from bench_queries import report, run
            from queries import pick_place

            rel = json.loads((dist / "release.json").read_text())
            lines.append(f"serving {dist} ({rel['triples']:,} triples, {rel['counts'].get('jurisdictions')} places):")
            kg = start_kg(dist)
            servers = [kg]
            try:
                lines.append(f"  kg serve (one web process): ready in {kg.start_seconds:.2f} s, RSS {kg.rss() / 1e6:.0f} MB")
                gu = start_kg(dist, workers=2)
                servers.append(gu)
                lines.append(f"  kg serve --workers 2: ready in {gu.start_seconds:.2f} s, RSS {gu.rss() / 1e6:.0f} MB")
                ox = start_oxigraph(dist / "kg.nt")
                servers.append(ox)
                lines.append(f"  oxigraph: load {ox.load_seconds:.1f} s, ready in {ox.start_seconds:.2f} s, "
                             f"RSS {ox.rss() / 1e6:.0f} MB")
                place = pick_place(ox.query_json)
                res = run(servers, a.query_rounds, 0, place, ["fresh"], 900)
                out, summary = report(res, servers, ["fresh"], scale_target=True)
                lines.append(f"  place: {place}")
                lines += out
                lines.append("  RSS after the queries: " + ", ".join(f"{s.name} {s.rss() / 1e6:.0f} MB" for s in servers))
                raw["serve"] = summary
                verdicts += [ln for ln in out if ln.startswith("verdicts")]
            finally:
                for s in servers:
                    s.stop()
        lines.append("verdicts: " + "; ".join(verdicts))
        print("\n".join(lines))
        save_result(raw, "build.json")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
