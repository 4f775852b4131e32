"""``auditor demo``: the main job on an embedded default, no AWS account, no network.

1. an in-process moto account is seeded with a small data platform (zone
   buckets, a backup bucket, KMS keys, IAM users and roles, a trail, alarms),
   with deliberate gaps, and audited with the shipped AWS rule packs;
2. a seeded sample dataset with planted PII is scanned with the data rules;
3. the registrar and 3-1-1 pipelines run on their seeded sample data into a
   local lake, every promotion gated;
4. the governed baseline is planned and applied to the moto account, and the
   account is scanned again to show the gaps closed;
5. everything lands in one ``findings.json`` (plus the reports) in OUTDIR
   (``reports/demo`` from the command line).

Each stage says what it did, one progress line per step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.audit_run import default_rule_paths, prepare
from auditor.aws.scan import ScanOptions, run_scan
from auditor.aws.seed_demo import seed_demo_account
from auditor.baseline.demo_cycle import baseline_loop, break_glass_mute
from auditor.compliance.mapping import control_index
from auditor.core.context import RunContext, utc_now
from auditor.core.documents import FindingsDocument
from auditor.core.findings import RunInfo, merge
from auditor.data.samples import write_sample_dataset
from auditor.data.scan import DataScanOptions, run_data_scan
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.reporting.outputs import write_outputs
from auditor.reporting.writers import load_writers
from auditor.reporting.writers.html_writer import write_html

DEMO_REGIONS = ["us-east-1", "us-west-2"]
DEMO_COMMAND = "demo"  # run.command of the documents the demo writes
_FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto knows AWS-managed policies (AWSSupportAccess for the CIS support role) only with this set.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


@contextmanager
def _isolated_aws() -> Iterator[None]:
    """Fake credentials and no profile/endpoint from the user's environment, restored afterwards."""
    saved = {k: os.environ.get(k) for k in [*_FAKE_ENV, "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"]}
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(k, None)
    os.environ.update(_FAKE_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _count(doc: FindingsDocument) -> str:
    by = doc["summary"]["by_status"]
    return f"{doc['summary']['total']} findings ({by['PASS']} PASS, {by['FAIL']} FAIL, {by['ERROR']} ERROR)"


def run_demo(output_dir: Path, *, context: RunContext | None = None) -> Iterator[str]:
    """Run every demo stage, yielding one progress line per step."""
    from moto import mock_aws

    context = context or RunContext()
    started: datetime = context.now()
    output_dir = Path(output_dir)
    work = output_dir / "demo-work"
    docs: list[FindingsDocument] = []
    shared: dict[str, Any] = context.services

    prepared = prepare(default_rule_paths("aws"), resource_prefix="aws.")
    frameworks = control_index(prepared.frameworks)
    with _isolated_aws(), mock_aws():
        seed_demo_account()
        yield "aws: seeded a moto account with a small data platform (with deliberate gaps)"
        before = run_scan(prepared, ScanOptions(regions=DEMO_REGIONS), context)
        yield f"aws: scanned {len(prepared.rules)} rules: {_count(before)}"
        for line in baseline_loop():
            yield f"baseline: {line}"
        # The break-glass admin group grants *:* behind MFA on purpose: an accepted,
        # expiring risk in a real mutelist, reviewed when it expires.
        mutelist = _write_mutelist(work / "accepted-risks.yml", [break_glass_mute(today=started.date())])
        yield f"baseline: accepted risks recorded in {mutelist}"
        prepared_after = prepare(default_rule_paths("aws"), resource_prefix="aws.", mutelist=mutelist)
        after = run_scan(prepared_after, ScanOptions(regions=DEMO_REGIONS), RunContext(clock=context.clock))
        yield f"aws: re-scanned after baseline apply: {_count(after)}"
        docs.append(after)

    # An extract as it lands, before masking: in the registrar's Landing zone layout, so reports
    # show its raw PII where it belongs (and whether the pipeline gate kept it from Raw and Curated).
    landing = work / "landing-sample" / "registraroffice" / "enrollwithdraw" / "Landing"
    sample = write_sample_dataset(landing / "registrar-applicants.csv", rows=200, seed=7)
    prepared = prepare(default_rule_paths("data"), resource_prefix="dataset.")
    # One Presidio engine for the whole demo: the pipelines reuse it from the shared services.
    doc = run_data_scan(prepared, [str(sample)],
                        DataScanOptions(context=RunContext(clock=context.clock, services=shared)))
    docs.append(doc)
    yield f"data: scanned {sample.name}: {_count(doc)}"

    for name in ("registrar", "inquiries-311"):
        result = run_pipeline(name, str(work / "lake"), sample=True, output_dir=output_dir / f"pipeline-{name}",
                              context=RunContext(clock=context.clock, services=shared))
        yield f"pipeline {name}: {result.status}: {result.message}"
        if result.findings is not None:
            docs.append(result.findings)
            yield f"pipeline {name}: {_count(result.findings)}"

    run = RunInfo(id=context.run_id, started_at=_iso(started), finished_at=_iso(utc_now()), tool_version=__version__,
                  kind="all", command=DEMO_COMMAND)
    combined = merge(docs, run, frameworks)
    formats = [f for f in ("json", "html", "sarif", "junit", "csv", "ocsf") if f in load_writers()]
    for path in write_outputs(combined, output_dir, formats):
        yield f"wrote {path}"
    if "html" in formats:
        # The report's "what changed" shows the baseline's effect: the same run with the
        # account as it was before `baseline apply`.

        previous = merge([before, *docs[1:]],
                         RunInfo(id=f"{context.run_id}-before", started_at=run.started_at, finished_at=run.started_at,
                                 tool_version=__version__, kind="all"), frameworks)
        # The baseline the report compares with is kept as a file, so `auditor gate --baseline` on the
        # same pair of documents counts the same new failures.
        write_outputs(previous, output_dir / "aws-before-baseline", ["json"], command=DEMO_COMMAND)
        write_html(combined, output_dir, baseline=previous)
        yield "report: 'what changed' compares with the account before the baseline was applied"
    yield f"demo: {_count(combined)}"


def _write_mutelist(path: Path, entries: list[dict[str, str]]) -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"version": 1, "mutes": entries}, sort_keys=False), encoding="utf-8")
    return path


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")
