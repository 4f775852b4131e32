"""``auditor iac scan`` beside Checkov: wall time, peak memory and verdicts on the same templates.

    python benchmarks/iac_scan.py [--templates 200] [--plan-resources 1000] [--checkov PATH] [--keep DIR]

1. Writes a folder of ``--templates`` CloudFormation YAML templates (seeded: the same folder
   every run): data-zone buckets with and without versioning, encryption, public access
   blocks, logging and a TLS-only policy; KMS keys with and without rotation; trails with
   and without validation, encryption and multi-region; IAM roles, groups and policies, some
   allowing ``*`` on ``*``.
2. Runs ``auditor iac scan`` and Checkov (``--framework cloudformation``) on that folder, one
   after the other, each as its own process (start-up included), and prints wall time and
   peak resident memory of each, and the speed-up.
3. For the checks both have, prints the verdicts side by side per resource (agree /
   differ) and, for each pair that differs, the documented reason (docs/iac.md).
4. Writes a Terraform plan of ``--plan-resources`` resources (buckets and the resources that
   configure them, ``terraform show -json`` format) and times ``auditor iac scan`` on it.

Checkov is never a dependency: install it apart (``python3 -m venv /tmp/checkov &&
/tmp/checkov/bin/pip install checkov``); found through ``--checkov``, ``$CHECKOV``, ``PATH``
or ``/tmp/checkov/bin/checkov``. Without it the script says so and measures auditor alone.
Prints the machine's core count: the figures depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (Checkov check, auditor rule, why verdicts may differ): the checks both have.
PAIRS = [
    ("CKV_AWS_21", "s3-bucket-versioning-enabled", "auditor judges data-zone buckets only (scope)"),
    ("CKV_AWS_19", "s3-bucket-sse-kms-bucket-key", "auditor requires SSE-KMS with a bucket key; Checkov any SSE "
                                                   "(and S3 encrypts unconfigured buckets with SSE-S3)"),
    ("CKV_AWS_53", "s3-bucket-public-access-blocked", "unconfigured buckets: S3 blocks public access by default "
                                                      "(auditor PASS); a setting off: the account's block may still "
                                                      "cover it (auditor ERROR, not in this change)"),
    ("CKV_AWS_54", "s3-bucket-public-access-blocked", "as CKV_AWS_53"),
    ("CKV_AWS_55", "s3-bucket-public-access-blocked", "as CKV_AWS_53"),
    ("CKV_AWS_56", "s3-bucket-public-access-blocked", "as CKV_AWS_53"),
    ("CKV_AWS_18", "s3-cloudtrail-bucket-access-logging", "auditor requires logging on the CloudTrail bucket only "
                                                          "(scope)"),
    ("CKV_AWS_7", "kms-cmk-rotation-enabled", "same intent"),
    ("CKV_AWS_36", "cloudtrail-log-file-validation-enabled", "same intent"),
    ("CKV_AWS_35", "cloudtrail-kms-encrypted", "same intent"),
    ("CKV_AWS_67", "cloudtrail-multi-region-trail-logging", "auditor judges the account (any logging multi-region "
                                                            "trail with all management events)"),
    ("CKV_AWS_62", "iam-policy-no-full-admin", "auditor judges attached policies allowing '*' on '*' "
                                               "(an unattached managed policy is out of scope)"),
]


# --------------------------------------------------------------------------- the templates


def template(i: int, rnd: random.Random) -> str:
    """One template: a data-zone bucket, a key, sometimes a trail, IAM."""
    zone = ("landing", "raw", "curated")[i % 3]
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", f"Description: benchmark stack {i}",
             "Parameters:", "  Env: {Type: String, Default: prod}", "Resources:",
             "  DataBucket:", "    Type: AWS::S3::Bucket", "    Properties:",
             f"      BucketName: !Sub 'bench-{i:03d}-${{Env}}-{zone}'"]
    versioning = rnd.choice(["Enabled", "Suspended", None])
    if versioning:
        lines += ["      VersioningConfiguration:", f"        Status: {versioning}"]
    encryption = rnd.choice(["kms", "aes", None])
    if encryption == "kms":
        lines += ["      BucketEncryption:", "        ServerSideEncryptionConfiguration:",
                  "          - ServerSideEncryptionByDefault:", "              SSEAlgorithm: aws:kms",
                  "              KMSMasterKeyID: !GetAtt DataKey.Arn", "            BucketKeyEnabled: true"]
    elif encryption == "aes":
        lines += ["      BucketEncryption:", "        ServerSideEncryptionConfiguration:",
                  "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}"]
    block = rnd.choice(["all", "partial", None])
    if block:
        lines += ["      PublicAccessBlockConfiguration:", "        BlockPublicAcls: true",
                  f"        BlockPublicPolicy: {'true' if block == 'all' else 'false'}",
                  "        IgnorePublicAcls: true", "        RestrictPublicBuckets: true"]
    if rnd.random() < 0.5:
        lines += ["      LoggingConfiguration:", "        DestinationBucketName: !Ref LogBucket",
                  "        LogFilePrefix: data/"]
    lines += ["  LogBucket:", "    Type: AWS::S3::Bucket", "    Properties:",
              "      VersioningConfiguration: {Status: Enabled}"]
    if rnd.random() < 0.5:
        lines += ["  DataBucketPolicy:", "    Type: AWS::S3::BucketPolicy", "    Properties:",
                  "      Bucket: !Ref DataBucket", "      PolicyDocument:", "        Statement:",
                  "          - Effect: Deny", "            Principal: '*'", "            Action: 's3:*'",
                  "            Resource: [!GetAtt DataBucket.Arn, !Sub '${DataBucket.Arn}/*']",
                  "            Condition: {Bool: {'aws:SecureTransport': false}}"]
    lines += ["  DataKey:", "    Type: AWS::KMS::Key", "    Properties:",
              f"      EnableKeyRotation: {'true' if rnd.random() < 0.6 else 'false'}",
              "      KeyPolicy:", "        Statement:", "          - Effect: Allow",
              "            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
              "            Action: 'kms:*'", "            Resource: '*'"]
    if i % 4 == 0:
        lines += ["  Trail:", "    Type: AWS::CloudTrail::Trail", "    Properties:", "      IsLogging: true",
                  "      S3BucketName: !Ref LogBucket",
                  f"      IsMultiRegionTrail: {'true' if rnd.random() < 0.5 else 'false'}",
                  f"      EnableLogFileValidation: {'true' if rnd.random() < 0.5 else 'false'}"]
        if rnd.random() < 0.5:
            lines += ["      KMSKeyId: !GetAtt DataKey.Arn"]
    admin = rnd.random() < 0.3
    action, resource = ("'*'", "'*'") if admin else ("['s3:GetObject']", "!Sub '${DataBucket.Arn}/*'")
    lines += ["  Reader:", "    Type: AWS::IAM::Role", "    Properties:",
              "      AssumeRolePolicyDocument:", "        Statement:",
              "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}",
              "      Policies:", "        - PolicyName: read", "          PolicyDocument:", "            Statement:",
              f"              - {{Effect: Allow, Action: {action}, Resource: {resource}}}"]
    if i % 5 == 0:
        lines += ["  Admins:", "    Type: AWS::IAM::Group", "  AdminPolicy:", "    Type: AWS::IAM::Policy",
                  "    Properties:", "      PolicyName: admin", "      Groups: [!Ref Admins]",
                  "      PolicyDocument:", "        Statement:", "          - {Effect: Allow, Action: '*', Resource: '*'}"]
    return "\n".join(lines) + "\n"


def write_templates(folder: Path, n: int) -> int:
    rnd = random.Random(20260601)
    count = 0
    for i in range(n):
        text = template(i, rnd)
        (folder / f"stack-{i:03d}.yaml").write_text(text, encoding="utf-8")
        count += text.count("    Type: ")
    return count


def write_plan(path: Path, resources: int) -> None:
    """A plan of ``resources`` resources: buckets with versioning, encryption and a public access block."""
    changes, config = [], []
    for i in range(resources // 4):
        b = f"aws_s3_bucket.zone_{i}"
        changes.append(_change(b, "aws_s3_bucket", f"zone_{i}", {"bucket": f"bench-{i:04d}-raw", "tags": {"DataZone": "raw"}},
                               {"id": True, "arn": True}))
        config.append(_config(b, {"bucket": {"constant_value": f"bench-{i:04d}-raw"}}))
        ref = {"references": [f"{b}.id", b]}
        for rtype, after, expr in (
                ("aws_s3_bucket_versioning", {"versioning_configuration": [{"status": "Enabled" if i % 3 else "Suspended"}]},
                 {"versioning_configuration": [{"status": {"constant_value": "Enabled"}}]}),
                ("aws_s3_bucket_server_side_encryption_configuration",
                 {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}],
                            "bucket_key_enabled": bool(i % 2)}]}, {"rule": [{}]}),
                ("aws_s3_bucket_public_access_block", {"block_public_acls": True, "ignore_public_acls": True,
                                                       "block_public_policy": True, "restrict_public_buckets": True}, {})):
            address = f"{rtype}.zone_{i}"
            changes.append(_change(address, rtype, f"zone_{i}", after, {"bucket": True, "id": True}))
            config.append(_config(address, {"bucket": ref, **expr}))
    plan = {"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {"root_module": {}},
            "resource_changes": changes, "configuration": {"root_module": {"resources": config}}}
    path.write_text(json.dumps(plan), encoding="utf-8")


def _change(address: str, rtype: str, name: str, after: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": rtype, "name": name,
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}}


def _config(address: str, expressions: dict[str, Any]) -> dict[str, Any]:
    rtype, name = address.split(".")
    return {"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": expressions}


# --------------------------------------------------------------------------- running


def measured(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """(wall seconds, peak RSS in MB of the largest process, result) of ``cmd`` run in a fresh child."""
    probe = ("import resource, subprocess, sys, json\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "sys.stdout.write(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:],"
             " 'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    info = json.loads(proc.stdout)
    return wall, info["rss"] / 1024, subprocess.CompletedProcess(cmd, info["rc"], info["out"], info["err"])


def find_checkov(explicit: str | None) -> str | None:
    for candidate in (explicit, os.environ.get("CHECKOV"), shutil.which("checkov"), "/tmp/checkov/bin/checkov"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def auditor_verdicts(doc: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    """(rule, file name, logical id) -> worst status among the rule's findings located there."""
    rank = {"FAIL": 3, "ERROR": 2, "PASS": 1, "MUTED": 1}
    out: dict[tuple[str, str, str], str] = {}
    for f in doc["findings"]:
        loc = f.get("location") or {}
        if "address" not in loc or f["status"] not in rank:
            continue
        key = (f["rule_id"], Path(loc["file"]).name, loc["address"])
        if rank[f["status"]] > rank.get(out.get(key, ""), 0):
            out[key] = f["status"]
    return out


def checkov_verdicts(report: Any) -> dict[tuple[str, str, str], str]:
    """(check id, file name, logical id) -> PASS / FAIL."""
    out: dict[tuple[str, str, str], str] = {}
    for block in report if isinstance(report, list) else [report]:
        results = block.get("results", {}) if isinstance(block, dict) else {}
        for status, key in (("PASS", "passed_checks"), ("FAIL", "failed_checks")):
            for r in results.get(key, []):
                logical = str(r.get("resource", "")).rsplit(".", 1)[-1]
                out[(r["check_id"], Path(r["file_path"]).name, logical)] = status
    return out


def compare(auditor: dict[tuple[str, str, str], str], checkov: dict[tuple[str, str, str], str]) -> None:
    print("\nverdicts on the checks both have (per resource: checkov / auditor):")
    print(f"  {'checkov':<11} {'auditor rule':<40} {'agree':>6} {'differ':>7}  differences")
    for check, rule, why in PAIRS:
        combos: Counter[tuple[str, str]] = Counter()
        for (cid, file, logical), c in checkov.items():
            if cid == check:
                combos[(c, auditor.get((rule, file, logical), "none"))] += 1
        agree = sum(n for (c, a), n in combos.items() if c == a)
        differ = {f"{c}/{a}": n for (c, a), n in sorted(combos.items()) if c != a}
        print(f"  {check:<11} {rule:<40} {agree:>6} {sum(differ.values()):>7}  "
              + (", ".join(f"{k} {v}" for k, v in differ.items()) + f"  ({why})" if differ else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--plan-resources", type=int, default=1000)
    parser.add_argument("--checkov", help="path of the checkov executable (installed apart)")
    parser.add_argument("--keep", type=Path, help="write the templates and outputs here instead of a temporary folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="auditor-iac-bench-"))
    folder = work / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    resources = write_templates(folder, args.templates)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"folder: {args.templates} CloudFormation templates, {resources} resources")

    out = work / "auditor-out"
    wall_a, rss_a, res = measured([sys.executable, "-m", "auditor", "iac", "scan", str(folder), "--output-dir", str(out),
                                   "--force", "--fail-on", "none", "--no-fail-on-error"], ROOT)
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        return 1
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    print(f"auditor iac scan: {wall_a:6.2f} s wall, {rss_a:6.0f} MB peak, {len(doc['findings'])} findings")

    checkov = find_checkov(args.checkov)
    if checkov is None:
        print("checkov: not installed (python3 -m venv /tmp/checkov && /tmp/checkov/bin/pip install checkov); "
              "comparison skipped")
    else:
        version = subprocess.run([checkov, "--version"], capture_output=True, text=True).stdout.strip()
        wall_c, rss_c, cres = measured([checkov, "-d", str(folder), "--framework", "cloudformation", "-o", "json",
                                        "--compact", "--skip-download"], ROOT)
        report = json.loads(cres.stdout or "[]")
        print(f"checkov {version}:  {wall_c:6.2f} s wall, {rss_c:6.0f} MB peak")
        print(f"auditor is {wall_c / wall_a:.1f}x faster (wall time, both started from cold, one after the other)")
        compare(auditor_verdicts(doc), checkov_verdicts(report))

    plan = work / "plan.json"
    write_plan(plan, args.plan_resources)
    wall_p, rss_p, pres = measured([sys.executable, "-m", "auditor", "iac", "scan", str(plan), "--output-dir",
                                    str(work / "plan-out"), "--force", "--fail-on", "none", "--no-fail-on-error"], ROOT)
    if pres.returncode != 0:
        print(pres.stdout, pres.stderr)
        return 1
    print(f"\nTerraform plan of {args.plan_resources} resources: auditor iac scan {wall_p:.2f} s wall, "
          f"{rss_p:.0f} MB peak (target <= 3 s)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
