"""Realistic, schema-valid synthetic findings documents for the reporting tests.

Built with the core's own ``Finding``/``RunInfo``/``document`` so the shape is
exactly what the engine produces: AWS findings mapped to CIS v6/v5 and the
governance baseline, ``dataset.column`` findings with masked evidence,
``pipeline.run`` findings, and the ``datasets`` / ``pipelines`` attachments
documented in ``auditor.reporting.model``.

``PLANTED_PII`` are raw values that a careless producer might leak; the
builder never puts them in a document, so tests can assert they never appear
in any output.
"""

from __future__ import annotations

import random
from typing import Any

from auditor.core.findings import Finding, RunInfo, Status, document

ACCOUNT = "123456789012"
XSS = "<script>alert(1)</script>"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"
# Raw values a data scan would see; only their masked forms may be written.
PLANTED_PII = ("jane.doe@example.com", "046 454 286", "K1A 0B1", "613-555-0199", "S1234567")
MASKED = {"jane.doe@example.com": "j***@***.com", "046 454 286": "*** *** 286", "K1A 0B1": "K1A ***",
          "613-555-0199": "***-***-0199", "S1234567": "S*****67"}

FRAMEWORKS = {"cis-aws-6.0": None, "cis-aws-5.0": None, "governance-baseline": None}

AWS_RULES = [
    # rule id, title, resource type, severity, cis6, cis5, gb, remediation
    ("s3-bucket-versioning-enabled", "S3 buckets keep object versions", "aws.s3-bucket", "high",
     [], [], ["GB-S3-1"], "aws s3api put-bucket-versioning --bucket <BUCKET> --versioning-configuration Status=Enabled"),
    ("s3-bucket-public-access-blocked", "S3 buckets block public access", "aws.s3-bucket", "critical",
     ["3.1.4"], ["2.1.4"], ["GB-S3-2"], "aws s3api put-public-access-block --bucket <BUCKET> ..."),
    ("s3-bucket-tls-only", "S3 buckets deny non-TLS requests", "aws.s3-bucket", "medium",
     ["3.1.1"], ["2.1.1"], ["GB-S3-3"], "Add a bucket policy statement denying aws:SecureTransport false."),
    ("kms-cmk-rotation-enabled", "Customer-managed KMS keys rotate automatically", "aws.kms-key", "high",
     ["4.6"], ["3.6"], ["GB-KMS-1"], "aws kms enable-key-rotation --key-id <KEY_ID>"),
    ("iam-user-mfa-enabled", "IAM users with a console password have MFA", "aws.iam-user", "high",
     ["2.9"], ["1.10"], ["GB-IAM-1"], "Enable a virtual or hardware MFA device for the user."),
    ("cloudtrail-multi-region-enabled", "A multi-region CloudTrail trail is logging", "aws.cloudtrail-trail",
     "critical", ["4.1"], ["3.1"], ["GB-CT-1"], "aws cloudtrail create-trail --is-multi-region-trail ..."),
    ("iam-root-mfa-enabled", "The root user has MFA enabled", "aws.account", "critical",
     ["2.4"], ["1.4"], [], "Enable MFA for the root user in the console."),
]


def _aws_findings(rng: random.Random, n_buckets: int, fail_ratio: float) -> list[Finding]:
    out = []
    buckets = [f"registraroffice-{z}-{i:05d}" for i in range(n_buckets) for z in ("landing",)][:n_buckets]
    for rule_id, title, rtype, sev, cis6, cis5, gb, rem in AWS_RULES:
        if rtype == "aws.s3-bucket":
            ids = [f"arn:aws:s3:::{b}" for b in buckets]
        elif rtype == "aws.kms-key":
            ids = [f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{i:08x}-aaaa-bbbb-cccc-000000000000" for i in range(3)]
        elif rtype == "aws.iam-user":
            ids = [f"arn:aws:iam::{ACCOUNT}:user/analyst{i}" for i in range(4)]
        else:
            ids = [f"arn:aws:iam::{ACCOUNT}:root"]
        compliance = {k: v for k, v in (("cis-aws-6.0", cis6), ("cis-aws-5.0", cis5), ("governance-baseline", gb))
                      if v}
        for rid in ids:
            status = Status.FAIL if rng.random() < fail_ratio else Status.PASS
            name = rid.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            msg = f"{name}: {title.lower()}" + (" — not satisfied" if status == Status.FAIL else "")
            evidence: dict[str, Any] = {"Versioning.Status": "Suspended"} if status == Status.FAIL else {}
            out.append(Finding(rule_id, title, status, sev, rtype, rid, "us-east-1" if rtype != "aws.iam-user" else "",
                               msg, evidence, compliance, rem,
                               owner="data-platform" if rtype == "aws.s3-bucket" else ""))  # an Owner tag
    # An attribute that could not be fetched, and an accepted risk.
    out.append(Finding("s3-bucket-tls-only", "S3 buckets deny non-TLS requests", Status.ERROR, "medium",
                       "aws.s3-bucket", "arn:aws:s3:::registraroffice-locked", "us-east-1",
                       "could not evaluate: GetBucketPolicy: AccessDenied", {"Policy": "GetBucketPolicy: AccessDenied"},
                       {"cis-aws-6.0": ["3.1.1"], "governance-baseline": ["GB-S3-3"]}, "Grant s3:GetBucketPolicy."))
    out.append(Finding("kms-cmk-rotation-enabled", "Customer-managed KMS keys rotate automatically", Status.MUTED,
                       "high", "aws.kms-key", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/legacy", "us-east-1",
                       "rotation disabled (muted)", {"RotationEnabled": False},
                       {"cis-aws-6.0": ["4.6"]}, "aws kms enable-key-rotation --key-id <KEY_ID>",
                       {"reason": "legacy key, retired in Q1", "owner": "platform", "expires": "2027-03-31"}))
    return out


def _data_findings() -> list[Finding]:
    path = "registraroffice/enrollwithdraw/Raw/enroll.csv"
    out = []
    for column, entity, raw in (("email", "EMAIL_ADDRESS", "jane.doe@example.com"), ("sin", "CA_SIN", "046 454 286"),
                                ("postal_code", "CA_POSTAL_CODE", "K1A 0B1")):
        out.append(Finding("dataset-column-pii-masked", "Columns with PII are masked before Raw", Status.FAIL,
                           "high", "dataset.column", f"{path}#{column}", "",
                           f"{column}: {entity} found in 1187 of 1200 values, not masked",
                           {"entity": entity, "count": 1187, "samples": [MASKED[raw]]},
                           {"governance-baseline": ["GB-DATA-1"]}, "Mask the column with the masking policy."))
    out.append(Finding("dataset-column-pii-masked", "Columns with PII are masked before Raw", Status.PASS, "high",
                       "dataset.column", f"{path}#term", "", "term: no PII", {},
                       {"governance-baseline": ["GB-DATA-1"]}, "Mask the column with the masking policy."))
    return out


def _pipeline_findings() -> list[Finding]:
    return [
        Finding("pipeline-run-quarantine-within-budget", "Pipeline runs quarantine at most 2% of records",
                Status.FAIL, "medium", "pipeline.run", "registrar/2026-11-27T10-00-00Z/raw_to_curated", "",
                "13 of 1200 records quarantined (1.1%) but 2 invalid student ids", {"quarantined": 13, "rows": 1200},
                {"governance-baseline": ["GB-DATA-3"]}, "Fix the source extract; see the quarantine reason file."),
        Finding("pipeline-run-curated-has-no-raw-pii", "Curated zone receives no unmasked PII", Status.PASS,
                "critical", "pipeline.run", "registrar/2026-11-27T10-00-00Z/raw_to_curated", "",
                "no unmasked PII in curated outputs", {}, {"governance-baseline": ["GB-DATA-2"]}, ""),
    ]


def attachments() -> dict[str, Any]:
    """The ``datasets`` and ``pipelines`` attachments (masked values and counts only)."""
    depts = ("Roads", "Water", "Parks", "Bylaw", "Transit")
    share_rows = [{"received_year": y, "department": d, "share": round(0.1 + 0.03 * i + 0.01 * (y - 2019), 3)}
                  for y in range(2019, 2025) for i, d in enumerate(depts)]
    channel_rows = [{"received_year": y, "channel": c, "share": s}
                    for y in range(2019, 2025) for c, s in (("Phone", 0.6 - 0.04 * (y - 2019)),
                                                             ("Online", 0.3 + 0.04 * (y - 2019)), ("Walk-in", 0.1))]
    return {
        "datasets": [{
            "dataset": "registraroffice/enrollwithdraw/Raw/enroll.csv", "rows": 1200, "columns": 14,
            "pii": [{"column": "email", "entity": "EMAIL_ADDRESS", "confidence": 0.97, "count": 1187,
                     "samples": [MASKED["jane.doe@example.com"]]},
                    {"column": "sin", "entity": "CA_SIN", "confidence": 0.85, "count": 1200,
                     "samples": [MASKED["046 454 286"]]},
                    {"column": "phone", "entity": "PHONE_NUMBER", "confidence": 0.75, "count": 900,
                     "samples": [MASKED["613-555-0199"]]},
                    {"column": "student_id", "entity": "STUDENT_ID", "confidence": 0.9, "count": 1200,
                     "samples": [MASKED["S1234567"]]}],
            "quality": {"ruleset": "enroll.dqdl", "rules": [
                {"rule": 'IsComplete "student_id"', "outcome": "PASS", "failed_rows": 0},
                {"rule": 'ColumnValues "term" in ["Fall", "Winter", "Summer"]', "outcome": "FAIL",
                 "failed_rows": 7, "message": "7 rows outside the allowed set"}]},
        }],
        "pipelines": [{
            "pipeline": "inquiries-311", "run_id": "2026-11-27T10-05-00Z", "status": "succeeded",
            "started_at": "2026-11-27T10:05:00Z", "finished_at": "2026-11-27T10:05:09Z",
            "inputs": [{"path": "govtfinance/311inqvol/calls/2024/Landing/calls.csv", "sha256": "ab" * 32,
                        "rows": 52000}],
            "outputs": [{"path": "govtfinance/311inqvol/calls/2024/Curated/calls.parquet", "sha256": "cd" * 32,
                         "rows": 51987}],
            "quarantined": {"count": 13, "reasons": {"missing received date": 13}},
            "timings": {"landing_to_raw": 0.8, "raw_to_curated": 2.4},
            "steps": [{"name": "raw_to_curated", "status": "passed", "rows_in": 52000, "rows_out": 51987,
                       "quarantined": 13, "duration_s": 2.4}],
            "metrics": {
                "acr_by_year": {"title": "Answered call rate (ACR) per year",
                                "rows": [{"received_year": y, "acr": round(0.82 + 0.02 * (y - 2019), 3)}
                                         for y in range(2019, 2025)]},
                "share_by_department": {"title": "3-1-1 share per department", "rows": share_rows},
                "share_by_channel": {"title": "3-1-1 share per channel", "rows": channel_rows},
            },
        }],
    }


# Rules the run evaluated that found nothing in scope (no server certificate in the account), and
# risk text and references as rule files carry them.
UNMATCHED_RULES = [{"id": "iam-server-certificate-not-expired", "title": "No expired server certificates are stored in IAM",
                    "severity": "medium", "resource": "aws.iam-server-certificate",
                    "compliance": {"cis-aws-5.0": ["1.18"], "cis-aws-6.0": ["2.18"]}, "risk": "", "references": [],
                    "enabled": True, "source": "rules/aws/iam.yml"}]
RISK = {"iam-root-mfa-enabled": ("Whoever has the root password controls the account; MFA is the only second factor.",
                                 ["https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html"])}
MUTES = [
    {"rule": "kms-cmk-rotation-enabled", "resource": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/legacy",
     "reason": "legacy key, retired in Q1", "owner": "platform", "expires": "2027-03-31", "source": "mutelist.yml"},
    {"rule": "s3-bucket-versioning-enabled", "resource": "arn:aws:s3:::registraroffice-landing-0000[0-9]",
     "reason": "landing buckets are rebuilt nightly", "owner": "data-platform", "expires": "2026-11-01",
     "source": "mutelist.yml"},
    {"rule": "iam-user-mfa-enabled", "resource": f"arn:aws:iam::{ACCOUNT}:user/service-*",
     "reason": "service users sign in with keys only (RISK-7)", "owner": "", "expires": "2026-12-15",
     "source": "mutelist.yml"},
]


def catalogue(findings: list[Finding]) -> list[dict[str, Any]]:
    """The run's rule list (``attachments.rules``) for ``findings``, as ``auditor.catalogue`` writes it."""
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        risk, refs = RISK.get(f.rule_id, ("", []))
        entry = out.setdefault(f.rule_id, {"id": f.rule_id, "title": f.title, "severity": f.severity,
                                           "resource": f.resource_type, "compliance": {}, "risk": risk,
                                           "references": refs, "enabled": True, "source": "rules/synthetic.yml"})
        for fw, ids in f.compliance.items():
            known = entry["compliance"].setdefault(fw, [])
            known.extend(i for i in ids if i not in known)
    return sorted([*out.values(), *UNMATCHED_RULES], key=lambda e: e["id"])


def make_doc(*, seed: int = 7, n_buckets: int = 6, fail_ratio: float = 0.4, kind: str = "all",
             run_id: str = "run-2026-11-27T10-00-00Z", started_at: str = "2026-11-27T10:00:00Z",
             finished_at: str = "2026-11-27T10:06:00Z", with_attachments: bool = True,
             extra: list[Finding] | None = None, frameworks: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A findings document like ``auditor demo`` would write (schema-valid).

    With attachments it carries what a scan writes: the rule list, the mutelist, datasets and pipelines.
    """
    from auditor.compliance.mapping import load_frameworks

    rng = random.Random(seed)
    findings = _aws_findings(rng, n_buckets, fail_ratio)
    if kind in ("all", "data"):
        findings += _data_findings()
    if kind in ("all", "pipeline"):
        findings += _pipeline_findings()
    findings += extra or []
    run = RunInfo(run_id, started_at, finished_at, "0.1.0", kind, ACCOUNT, ["us-east-1"])
    fws = frameworks if frameworks is not None else {fw.id: fw.control_ids() for fw in load_frameworks().values()}
    doc = document(run, findings, fws)
    if with_attachments:
        doc["attachments"] = {"rules": catalogue(findings), "mutes": [dict(m) for m in MUTES], **attachments()}
    return doc


def hostile_finding() -> Finding:
    """A finding whose every text field tries script or formula injection."""
    return Finding("s3-bucket-tagged", f"Buckets are tagged {XSS}", Status.FAIL, "low", "aws.s3-bucket",
                   f"arn:aws:s3:::evil-{XSS}", "us-east-1", f"tag owner is {XSS}",
                   {"Tags.owner": XSS, "Tags.cost": FORMULA, "Tags.neg": "-2+3", "Tags.at": "@SUM(A1)"},
                   {"governance-baseline": ["GB-S3-4"]}, FORMULA)
