"""Report scale: 50,000 findings -> size and time of every writer, and browser load time.

Targets (issue #6): HTML under 10 MB, generation <= 5 s, opens in a browser in
under 3 s. Prints figures; asserts nothing (not part of the unit tests).

    .venv/bin/python benchmarks/report_scale.py [--findings 50000] [--fail-ratio 0.35] [--browser]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reporting"))

from reporting_synth import AWS_RULES  # noqa: E402

from auditor.compliance.mapping import control_index, load_frameworks  # noqa: E402
from auditor.core.findings import Finding, RunInfo, Status, document  # noqa: E402


def synthetic(n: int, fail_ratio: float, seed: int = 1) -> dict:
    rng = random.Random(seed)
    findings = []
    per_rule = n // len(AWS_RULES)
    for rule_id, title, rtype, sev, cis6, cis5, gb, rem in AWS_RULES:
        comp = {k: v for k, v in (("cis-aws-6.0", cis6), ("cis-aws-5.0", cis5), ("governance-baseline", gb)) if v}
        for i in range(per_rule):
            r = rng.random()
            status = Status.FAIL if r < fail_ratio else Status.ERROR if r < fail_ratio + 0.01 else Status.PASS
            rid = f"arn:aws:s3:::registraroffice-zone-{i:06d}"
            msg = f"registraroffice-zone-{i:06d}: {title.lower()}" + (" is not satisfied" if status != Status.PASS else "")
            ev = {"Versioning.Status": "Suspended", "Tags.owner": f"team-{i % 40}"} if status != Status.PASS else {}
            findings.append(Finding(rule_id, title, status, sev, rtype, rid, "ca-central-1", msg, ev, comp, rem))
    run = RunInfo("bench", "2026-11-27T02:00:00Z", "2026-11-27T02:10:00Z", "0.1.0", "aws", "123456789012",
                  ["ca-central-1"])
    return document(run, findings, control_index(load_frameworks()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=50_000)
    ap.add_argument("--fail-ratio", type=float, default=0.35)
    ap.add_argument("--browser", action="store_true", help="also time headless Chromium loading the HTML")
    args = ap.parse_args()
    from auditor.reporting.writers import load_writers

    t0 = time.perf_counter()
    doc = synthetic(args.findings, args.fail_ratio)
    print(f"cpus: {os.cpu_count()}  findings: {len(doc['findings'])}  fail ratio: {args.fail_ratio}  "
          f"(synthesised in {time.perf_counter() - t0:.2f} s)")
    out = Path(tempfile.mkdtemp(prefix="report-scale-"))
    registry = load_writers()
    for fmt in ("json", "html", "sarif", "junit", "csv", "ocsf"):
        t = time.perf_counter()
        path = registry.get(fmt)(doc, out)
        dt = time.perf_counter() - t
        print(f"{fmt:6} {dt:6.2f} s  {path.stat().st_size / 1e6:7.2f} MB  {path.name}")
    chromium = shutil.which("chromium")
    if args.browser and chromium:
        profile = out / "profile"
        t = time.perf_counter()
        res = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                              "--dump-dom", (out / "index.html").as_uri()], capture_output=True, text=True,
                             timeout=120, check=False)
        import re

        ready = re.search(r'data-ready-ms="(\d+)"', res.stdout)
        print(f"chromium wall time {time.perf_counter() - t:.2f} s (start-up, load, script, DOM dump); "
              f"in page: interactive {int(ready.group(1)) / 1000 if ready else float('nan'):.2f} s after navigation")
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
