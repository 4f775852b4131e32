"""Benchmark the governed pipelines end to end (prints figures; never run by the unit tests).

    .venv/bin/python benchmarks/pipelines.py              # both
    .venv/bin/python benchmarks/pipelines.py 311          # 3-1-1 only
    .venv/bin/python benchmarks/pipelines.py registrar --applications 100000

Targets (issue 5): 3-1-1 at the real size (about 60,000 rows) <= 5 s wall end to end;
registrar with 100,000 applications in .xlsx <= 60 s wall and <= 1.5 GB peak RSS.
Each pipeline run happens in a fresh child process (so its start-up, imports and the
Presidio build are counted, and its peak RSS is its own); input generation is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, sys, time
t0 = time.perf_counter()
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.core.context import RunContext
r = run_pipeline(sys.argv[1], sys.argv[2], input_file=None, output_dir=sys.argv[3])
print(json.dumps({"status": r.status, "message": r.message, "timings": r.lineage["timings"],
                  "wall_in_process": time.perf_counter() - t0,
                  "rows": {i["key"].rsplit("/", 1)[-1]: i.get("rows") for i in r.lineage["inputs"]}}))
"""


def _child(pipeline: str, store: Path, out: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", CHILD, pipeline, str(store), str(out)],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{pipeline} run failed:\n{proc.stderr[-3000:]}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (user + sys, incl. forked Presidio workers that were waited for): less sensitive
    # than wall time to other load on a shared machine.
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["load"] = os.getloadavg()[0]
    # ru_maxrss of the children is the largest of them: each benchmark runs one child at a time.
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def bench_311(work: Path, years: range) -> None:
    from auditor.pipelines.inquiries311 import sample
    from auditor.pipelines.store import LocalStore

    frame = sample.generate(seed=311, years=tuple(years))
    store = LocalStore(work / "lake311")
    store.land(f"govtfinance/311inqvol/calls/{years[0]}-{years[-1]}/Landing/3-1-1-inquiry-volume.csv",
               sample.to_portal_csv(frame))
    r = _child("inquiries-311", work / "lake311", work / "out311")
    print(f"3-1-1: {len(frame):,} rows ({years[0]}-{years[-1]}), status {r['status']}")
    print(f"  end to end (child process, incl. start-up and imports): {r['wall']:.2f} s  [target <= 5 s]"
          f"; cpu {r['cpu']:.2f} s; load average {r['load']:.1f}")
    print(f"  inside run_pipeline: {r['timings']}")
    print(f"  peak RSS: {r['peak_rss_mb']:.0f} MB")


def bench_registrar(work: Path, applications: int, cache: Path | None) -> None:
    from auditor.pipelines.registrar import sample
    from auditor.pipelines.store import LocalStore

    t0 = time.perf_counter()
    cached = cache / f"registrar-{applications}" if cache else None
    if cached is not None and cached.is_dir():
        files = {p.name.replace("__", "/"): p.read_bytes() for p in sorted(cached.iterdir())}
    else:
        files = sample.sample_files(seed=2022, applications_per_year=applications // 2)
        if cached is not None:
            cached.mkdir(parents=True)
            for path, data in files.items():
                (cached / path.replace("/", "__")).write_bytes(data)
    store = LocalStore(work / "lakereg")
    for path, data in files.items():
        store.land(f"registraroffice/enrollwithdraw/Landing/{path}", data)
    sizes = {k.rsplit("/", 1)[-1]: f"{len(v) / 1e6:.1f} MB" for k, v in files.items()}
    print(f"registrar: generated {applications:,} applications in {time.perf_counter() - t0:.1f} s (not timed): {sizes}")
    r = _child("registrar", work / "lakereg", work / "outreg")
    print(f"  status {r['status']}: {r['message']}")
    print(f"  rows read: {r['rows']}")
    print(f"  end to end (child process, incl. start-up, imports, Presidio build): {r['wall']:.1f} s  [target <= 60 s]"
          f"; cpu {r['cpu']:.1f} s; load average {r['load']:.1f}")
    t = r["timings"]
    assert isinstance(t, dict)
    print("  where the time goes: " + ", ".join(f"{k} {v:.1f} s" for k, v in t.items()))
    print(f"  peak RSS: {r['peak_rss_mb']:.0f} MB  [target <= 1536 MB]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("which", nargs="*", default=["311", "registrar"], choices=["311", "registrar"])
    ap.add_argument("--applications", type=int, default=100_000)
    ap.add_argument("--cache", type=Path, help="keep/reuse the generated registrar workbooks in this directory")
    ap.add_argument("--first-year", type=int, default=2011, help="3-1-1: first year (2011-2024 is about 62,000 rows)")
    args = ap.parse_args()
    print(f"nproc {os.cpu_count()}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        if "311" in args.which:
            bench_311(Path(tmp), range(args.first_year, 2025))
        if "registrar" in args.which:
            bench_registrar(Path(tmp), args.applications, args.cache)


if __name__ == "__main__":
    main()
