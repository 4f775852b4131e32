"""``auditor templates lint``: rendering, JSON validity, parliament and our own IAM checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.lint import lint_templates, own_checks
from auditor.baseline.templates import TEMPLATE_DIR


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A private copy of policy_templates/ to break."""
    return Path(shutil.copytree(TEMPLATE_DIR, tmp_path / "policy_templates"))


def test_shipped_templates_are_clean() -> None:
    report = lint_templates()
    assert report.problems == []
    assert report.policies >= 20 and report.rendered >= 30


def test_invalid_json_names_the_template_and_line(templates: Path) -> None:
    path = templates / "iam" / "curated-reader.json.j2"
    path.write_text(path.read_text().replace('"Sid": "ListCurated",', '"Sid": "ListCurated"'))
    (problem,) = lint_templates(template_dir=templates).problems
    assert problem.template == "iam/curated-reader.json.j2"
    assert "invalid JSON" in problem.message and problem.message.startswith("6:")


def test_missing_parameter_is_an_error_not_an_empty_string(templates: Path) -> None:
    path = templates / "iam" / "landing-writer.json.j2"
    path.write_text(path.read_text().replace("cfg.zone_buckets.landing", "cfg.zone_buckets.lnding"))
    (problem,) = lint_templates(template_dir=templates).problems
    assert problem.template == "iam/landing-writer.json.j2" and "lnding" in problem.message


def test_admin_statement_outside_break_glass_is_reported(templates: Path) -> None:
    path = templates / "iam" / "curated-reader.json.j2"
    path.write_text(path.read_text().replace('"Action": ["s3:ListBucket", "s3:GetBucketLocation"],\n      "Resource": '
                                             '{{ ("arn:" ~ partition ~ ":s3:::" ~ cfg.zone_buckets.curated) | tojson }}',
                                             '"Action": "*",\n      "Resource": "*"'))
    messages = [p.message for p in lint_templates(template_dir=templates).problems]
    assert "statement ListCurated: allows '*' on '*' (only the break-glass template may)" in messages


def test_unknown_action_is_reported_by_parliament(templates: Path) -> None:
    path = templates / "iam" / "raw-processor.json.j2"
    path.write_text(path.read_text().replace('"s3:PutObject", "s3:AbortMultipartUpload"',
                                             '"s3:PutObjekt", "s3:AbortMultipartUpload"'))
    problems = lint_templates(template_dir=templates).problems
    assert [p.message for p in problems] == ["parliament UNKNOWN_ACTION: Unknown action s3:PutObjekt"]


def test_unused_template_is_reported(templates: Path) -> None:
    (templates / "s3" / "extra.json.j2").write_text('{"a": 1}')
    (problem,) = lint_templates(template_dir=templates).problems
    assert problem.template == "s3/extra.json.j2" and "never linted" in problem.message


def test_plain_json_policy_is_linted(templates: Path) -> None:
    (templates / "iam" / "hand-written.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*",'
        ' "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}')
    messages = [p.message for p in lint_templates(template_dir=templates).problems]
    assert "statement Open: principal '*' without a condition" in messages


def test_own_checks() -> None:
    allow_all = {"Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["*"], "Resource": "*"}]}
    assert own_checks(allow_all) == ["statement A: allows '*' on '*' (only the break-glass template may)"]
    assert own_checks(allow_all, allow_admin=True) == []
    deny_all = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": {"AWS": "*"},
                               "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    assert own_checks(deny_all) == []
    open_principal = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject",
                                     "Resource": "arn:aws:s3:::b/*"}]}
    assert own_checks(open_principal) == ["statement #0: principal '*' without a condition"]


def test_lint_follows_the_config() -> None:
    cfg = BaselineConfig(zone_buckets={"landing": "acme-landing", "raw": "acme-raw", "curated": "acme-curated"})
    assert lint_templates(cfg).problems == []


def test_every_rule_remediation_template_exists() -> None:
    from auditor.audit_run import DEFAULT_RULES, prepare

    rules = prepare([DEFAULT_RULES]).rules
    named = {r.id: r.remediation.template for r in rules if r.remediation.template}
    assert named, "no shipped rule points at a policy template"
    missing = {rule: t for rule, t in named.items() if not (TEMPLATE_DIR / t).is_file()}
    assert missing == {}
