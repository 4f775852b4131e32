"""The verdict per framework and the control statuses: one meaning in HTML, JSON and CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import ACCOUNT, make_doc

from auditor.cli import cli
from auditor.compliance.families import families
from auditor.compliance.mapping import Control, Framework
from auditor.core.findings import Finding, Status
from auditor.reporting.assess import assess
from auditor.reporting.controls import error_label
from auditor.reporting.model import build_report
from auditor.reporting.writers.html_writer import render

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def _fw(*controls: Control, fw_id: str = "cis-aws-6.0", version: str = "6.0.0") -> dict[str, Framework]:
    return {fw_id: Framework(fw_id, "CIS Amazon Web Services Foundations Benchmark", version, controls=list(controls))}


def _doc(findings: list[Finding], rules: list[dict[str, Any]], fws: dict[str, Framework]) -> dict[str, Any]:
    from auditor.core.findings import RunInfo, document

    run = RunInfo("r1", "2026-12-07T10:00:00Z", "2026-12-07T10:05:00Z", "0.1.0", "aws", ACCOUNT, ["us-east-1"])
    doc = document(run, findings, {k: v.control_ids() for k, v in fws.items()})
    doc["attachments"] = {"rules": rules}
    return doc


def _rule(rule_id: str, controls: dict[str, list[str]], enabled: bool = True) -> dict[str, Any]:
    return {"id": rule_id, "title": rule_id, "severity": "high", "resource": "aws.account", "compliance": controls,
            "risk": "", "references": [], "enabled": enabled, "source": ""}


def _finding(rule_id: str, status: Status, controls: dict[str, list[str]], message: str = "",
             severity: str = "high") -> Finding:
    return Finding(rule_id, rule_id, status, severity, "aws.account", ROOT, "global", message or rule_id, {}, controls)


def test_each_control_status_says_what_happened() -> None:
    fws = _fw(Control("1", "fails"), Control("2", "errors"), Control("3", "passes"),
              Control("4", "no resource in scope"), Control("5", "attest by hand", automated=False),
              Control("6", "no rule checks it"), Control("7", "rule not in this run"), Control("8", "rule disabled"))
    findings = [_finding("r-fail", Status.FAIL, {"cis-aws-6.0": ["1"]}),
                _finding("r-error", Status.ERROR, {"cis-aws-6.0": ["2"]},
                         "s3 bucket x: could not evaluate: GetBucketPolicy: AccessDenied"),
                _finding("r-pass", Status.PASS, {"cis-aws-6.0": ["3"]}),
                _finding("r-off", Status.SKIPPED, {"cis-aws-6.0": ["8"]})]
    rules = [_rule("r-fail", {"cis-aws-6.0": ["1"]}), _rule("r-error", {"cis-aws-6.0": ["2"]}),
             _rule("r-pass", {"cis-aws-6.0": ["3"]}), _rule("r-none", {"cis-aws-6.0": ["4"]}),
             _rule("r-off", {"cis-aws-6.0": ["8"]}, enabled=False)]
    doc = _doc(findings, rules, fws)
    # a rule that exists but did not run here: known only from the shipped rules of an older document
    a = assess(doc, fws)
    labels = {s.id: s.label for s in a.statuses["cis-aws-6.0"]}
    assert labels == {"1": "fail", "2": "error: GetBucketPolicy (AccessDenied)", "3": "pass",
                      "4": "pass (no resources in scope)", "5": "manual", "6": "not evaluated: no rule",
                      "7": "not evaluated: no rule", "8": "not evaluated: rule disabled"}
    v = a.verdicts["cis-aws-6.0"]
    assert v.verdict == "NOT COMPLIANT" and [c.id for c in v.failing] == ["1"]
    assert [c.id for c in v.unevaluated] == ["2", "6", "7", "8"] and [c.id for c in v.manual] == ["5"]
    # A rule listed by the run that found nothing in scope passes the control it maps:
    doc["attachments"]["rules"].append(_rule("r-other", {"cis-aws-6.0": ["7"]}))
    assert {s.id: s.label for s in assess(doc, fws).statuses["cis-aws-6.0"]}["7"] == "pass (no resources in scope)"


def test_a_shipped_rule_the_run_did_not_load_is_not_in_this_run() -> None:
    """A data scan's report: the AWS rule for CIS 2.4 exists, it just was not part of this run."""
    fws = _fw(Control("2.4", "The root user has MFA enabled"))
    doc = _doc([], [_rule("dataset-column-pii-masked", {"governance-baseline": ["GB-DATA-1"]})], fws)
    by_id = {s.id: s.label for s in assess(doc, fws).statuses["cis-aws-6.0"]}
    assert by_id["2.4"] == "not evaluated: not in this run"


def test_a_document_without_its_rule_list_never_claims_a_pass() -> None:
    fws = _fw(Control("2.18", "No expired server certificates"))
    doc = _doc([], [], fws)
    del doc["attachments"]
    # The shipped rule iam-server-certificate-not-expired maps 2.18, but nothing shows it ran.
    label = assess(doc).statuses["cis-aws-6.0"]
    by_id = {s.id: s.label for s in label}
    assert by_id["2.18"] == "not evaluated: no finding"
    with_list = _doc([], [_rule("iam-server-certificate-not-expired", {"cis-aws-6.0": ["2.18"]})], fws)
    assert {s.id: s.label for s in assess(with_list).statuses["cis-aws-6.0"]}["2.18"] == \
        "pass (no resources in scope)"


def test_verdicts_compliant_incomplete_not_compliant() -> None:
    fws = _fw(Control("1", "a"), Control("2", "b"), Control("3", "manual", automated=False))
    rules = [_rule("r1", {"cis-aws-6.0": ["1"]}), _rule("r2", {"cis-aws-6.0": ["2"]})]
    ok = _doc([_finding("r1", Status.PASS, {"cis-aws-6.0": ["1"]}),
               _finding("r2", Status.MUTED, {"cis-aws-6.0": ["2"]})], rules, fws)
    v = assess(ok, fws).verdicts["cis-aws-6.0"]
    assert v.verdict == "COMPLIANT" and v.reason == "all 2 automated controls pass; 1 manual control to attest"
    errored = _doc([_finding("r1", Status.PASS, {"cis-aws-6.0": ["1"]}),
                    _finding("r2", Status.ERROR, {"cis-aws-6.0": ["2"]}, "x: could not evaluate: ListKeys: Throttling")],
                   rules, fws)
    v = assess(errored, fws).verdicts["cis-aws-6.0"]
    assert v.verdict == "INCOMPLETE" and v.reason == "1 automated control could not be evaluated"
    failed = _doc([_finding("r1", Status.FAIL, {"cis-aws-6.0": ["1"]}, severity="critical"),
                   _finding("r2", Status.ERROR, {"cis-aws-6.0": ["2"]})], rules, fws)
    v = assess(failed, fws).verdicts["cis-aws-6.0"]
    assert v.verdict == "NOT COMPLIANT" and v.reason == "1 control fails (1 critical)"  # a violation wins


def test_one_row_per_control_with_a_column_per_version() -> None:
    doc = make_doc()
    a = assess(doc)
    fam = next(f for f in a.families if f.family.id == "cis-aws")
    assert fam.family.members == ["cis-aws-6.0", "cis-aws-5.0"] and fam.family.versions == ["6.0", "5.0"]
    assert len(fam.rows) == len(a.statuses["cis-aws-6.0"])  # every v5.0 control sits beside its v6.0 one
    root_mfa = next(r for r in fam.rows if r.ids[0] == ["2.4"])
    assert root_mfa.ids[1] == ["1.4"]
    # Only one family row in the verdict table for CIS, whatever the number of versions.
    report = build_report([doc])
    assert [f.family.id for f in report.families] == ["cis-aws", "governance-baseline"]
    html = render([doc], generated_at="x")
    verdict_table = html.split('id="verdict"', 1)[1].split("</table>", 1)[0]
    assert verdict_table.count('href="#fam-') == 2
    assert families(["cis-aws-5.0", "cis-aws-6.0", "x-1"], {"cis-aws-5.0": "CIS", "cis-aws-6.0": "CIS"})[0].members \
        == ["cis-aws-6.0", "cis-aws-5.0"]


def test_html_json_and_csv_say_the_same(tmp_path: Path) -> None:
    doc = make_doc()
    src = tmp_path / "in" / "findings.json"
    src.parent.mkdir()
    src.write_text(json.dumps(doc), encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(src), "-o", str(tmp_path / "out" / "index.html"),
                                   "--format", "html,json,csv"])
    assert res.exit_code == 0, res.output
    written = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "controls.csv").read_text(encoding="utf-8-sig"))))
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for fw, summary in written["summary"]["frameworks"].items():
        csv_labels = {r["control"]: r["status"] for r in rows if r["framework"] == fw}
        assert summary["control_status"] == csv_labels, fw
        assert {r["verdict"] for r in rows if r["framework"] == fw} == {summary["verdict"]}
        assert f"{summary['verdict']}</span>" in html
    labels = set(written["summary"]["frameworks"]["cis-aws-6.0"]["control_status"].values())
    assert {"fail", "manual", "pass (no resources in scope)", "not evaluated: not in this run"} <= labels
    for label in labels:  # every label the JSON has is shown as such in the HTML's control tables
        assert f">{label}</span>" in html, label


def test_error_label_names_the_failed_calls() -> None:
    msgs = ["a: could not evaluate: GetBucketPolicy: AccessDenied",
            "b: could not list aws.region: ListAnalyzers: NotImplemented",
            "c: could not evaluate: GetBucketPolicy: AccessDenied",
            "d: could not evaluate: DescribeKey: NotFoundException"]
    assert error_label(msgs) == "error: GetBucketPolicy (AccessDenied), ListAnalyzers (NotImplemented) and 1 more"


def test_rule_titles_are_interpolated_and_carry_risk_and_references(tmp_path: Path) -> None:
    from auditor.catalogue import catalogue
    from auditor.core.loader import load_rules

    rules_file = tmp_path / "r.yml"
    rules_file.write_text(
        "version: 1\nrules:\n"
        "  - id: iam-root-not-used-recently\n"
        "    title: The root user was not used in the last {params.recent_days} days\n"
        "    resource: aws.account\n    severity: high\n    params: {recent_days: 7}\n"
        "    risk: The root user cannot be restricted by any policy; its use must be rare and explained.\n"
        "    references: [\"https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html\"]\n"
        "    assert:\n      - {key: RootUsage.LastUsed, op: absent}\n", encoding="utf-8")
    from auditor.plugins import load_plugins

    load_plugins()
    (entry,) = catalogue(load_rules([rules_file]))
    assert entry["title"] == "The root user was not used in the last 7 days"
    assert entry["references"] == ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"]
    bad = tmp_path / "bad.yml"
    bad.write_text(rules_file.read_text(encoding="utf-8").replace("{params.recent_days}", "{params.recent_dys}"),
                   encoding="utf-8")
    from auditor.core.errors import ConfigError

    try:
        load_rules([bad])
    except ConfigError as exc:
        assert "unknown param 'recent_dys' in title" in str(exc)
    else:
        raise AssertionError("a title naming an unknown param must not load")
    # An older document whose title was never filled in shows the run's rendered title.
    doc = make_doc()
    for f in doc["findings"]:
        if f["rule_id"] == "iam-root-mfa-enabled":
            f["title"] = "The root user has MFA {params.x}"
    doc["attachments"]["rules"] = [e if e["id"] != "iam-root-mfa-enabled" else {**e, "title": "Root MFA on"}
                                   for e in doc["attachments"]["rules"]]
    html = render([doc], generated_at="x")
    group = html.split('id="rule-iam-root-mfa-enabled"', 1)[1].split("</details>", 1)[0]
    assert "Root MFA on" in group and "{params" not in group
    assert "Whoever has the root password controls the account" in group
    assert 'href="https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html"' in group


def test_a_reference_that_is_not_https_is_never_a_link() -> None:
    doc = make_doc()
    entry = next(e for e in doc["attachments"]["rules"] if e["id"] == "iam-root-mfa-enabled")
    entry["references"] = ["javascript:alert(1)", "https://docs.aws.amazon.com/x\" onclick=\"alert(1)"]
    html = render([copy.deepcopy(doc)], generated_at="x")
    assert "javascript:alert" not in html and 'onclick="alert' not in html
    assert not re.search(r'href="[^"]*onclick', html)
