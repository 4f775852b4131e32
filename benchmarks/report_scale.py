"""Report scale: 50,000 findings -> size and time of every writer, and browser load time.

Targets (issues #6 and #17): the HTML report at most 10 MB, written in at most
3 s, opened in a browser in under 3 s. The run is what ``auditor report
FINDINGS.json --baseline PREVIOUS.json --format ...`` does on a scan of that
size: owners on the findings, the run's rule list and mutelist recorded,
first-seen dates carried from the previous run, verdicts per framework.
Prints figures; asserts nothing (not part of the unit tests).

    .venv/bin/python benchmarks/report_scale.py [--findings 50000] [--fail-ratio 0.35] [--browser]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reporting"))

from reporting_synth import AWS_RULES, MUTES, catalogue  # noqa: E402

from auditor.compliance.mapping import control_index, load_frameworks  # noqa: E402
from auditor.core.findings import Finding, RunInfo, Status, document  # noqa: E402

HTML_MAX_MB, HTML_MAX_S = 10.0, 3.0


def synthetic(n: int, fail_ratio: float, seed: int = 1, started_at: str = "2026-11-27T02:00:00Z") -> dict[str, Any]:
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
            findings.append(Finding(rule_id, title, status, sev, rtype, rid, "ca-central-1", msg, ev, comp, rem,
                                    owner=f"team-{i % 40}" if i % 3 else ""))  # two in three resources tagged
    run = RunInfo("bench", started_at, started_at.replace("02:00", "02:10"), "0.1.0", "aws", "123456789012",
                  ["ca-central-1"])
    doc = document(run, findings, control_index(load_frameworks()))
    doc["attachments"] = {"rules": catalogue(findings), "mutes": [dict(m) for m in MUTES]}
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=50_000)
    ap.add_argument("--fail-ratio", type=float, default=0.35)
    ap.add_argument("--browser", action="store_true", help="also time headless Chromium loading the HTML")
    args = ap.parse_args()
    from auditor.reporting.atomic import write_atomic
    from auditor.reporting.merge import merge_documents
    from auditor.reporting.model import prepare_document
    from auditor.reporting.writers import write_format
    from auditor.reporting.writers.html_writer import render

    t0 = time.perf_counter()
    doc = synthetic(args.findings, args.fail_ratio)
    previous = synthetic(args.findings, args.fail_ratio, seed=2, started_at="2026-11-13T02:00:00Z")
    print(f"cpus: {os.cpu_count()}  findings: {len(doc['findings'])}  fail ratio: {args.fail_ratio}  "
          f"(synthesised in {time.perf_counter() - t0:.2f} s, and a previous run to compare with)")
    out = Path(tempfile.mkdtemp(prefix="report-scale-"))
    t = time.perf_counter()
    merged = prepare_document(merge_documents([doc]), previous)
    prepared_s = time.perf_counter() - t
    print(f"{'prepare':8} {prepared_s:6.2f} s  (summary recomputed, first seen / SLA carried from the previous run)")
    t = time.perf_counter()
    html = write_atomic(out / "index.html", render([merged], baseline=previous, prepared=True))
    html_s = time.perf_counter() - t
    size_mb = html.stat().st_size / 1e6
    print(f"{'html':8} {html_s:6.2f} s  {size_mb:7.2f} MB  index.html  (verdicts, trend, diff, explorer)")
    for fmt in ("json", "sarif", "junit", "csv", "ocsf"):
        t = time.perf_counter()
        paths = write_format(fmt, merged, out)
        dt = time.perf_counter() - t
        print(f"{fmt:8} {dt:6.2f} s  " + ", ".join(f"{p.stat().st_size / 1e6:.2f} MB {p.name}" for p in paths))
    total = prepared_s + html_s
    print(f"html report: {size_mb:.2f} MB (target <= {HTML_MAX_MB:.0f} MB), {total:.2f} s prepared and written "
          f"(target <= {HTML_MAX_S:.0f} s): {'met' if size_mb <= HTML_MAX_MB and total <= HTML_MAX_S else 'MISSED'}")
    chromium = shutil.which("chromium")
    if args.browser and chromium:
        profile = out / "profile"
        t = time.perf_counter()
        res = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                              "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120, check=False)
        ready = re.search(r'data-ready-ms="(\d+)"', res.stdout)
        print(f"chromium wall time {time.perf_counter() - t:.2f} s (start-up, load, script, DOM dump); "
              f"in page: interactive {int(ready.group(1)) / 1000 if ready else float('nan'):.2f} s after navigation")
    shutil.rmtree(out)


if __name__ == "__main__":
    main()
