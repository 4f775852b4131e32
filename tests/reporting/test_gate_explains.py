"""``auditor gate`` names the findings that made it fail (log lines and GitHub annotations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import cli
from auditor.exit_gate import decide, escape_data, escape_property, listing, one_line
from auditor.reporting.finding_files import finding_file


def finding(rule: str, res: str, status: str = "FAIL", severity: str = "high", message: str = "m",
            rtype: str = "aws.s3-bucket") -> dict[str, Any]:
    return {"rule_id": rule, "title": f"title of {rule}", "status": status, "severity": severity,
            "resource_type": rtype, "resource_id": res, "region": "us-east-1", "message": message,
            "evidence": {}, "compliance": {}, "remediation": ""}


def doc(*findings: dict[str, Any], run_id: str = "r") -> dict[str, Any]:
    from auditor.core.findings import Finding, RunInfo, document

    run = RunInfo(run_id, "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0", "aws")
    return document(run, [Finding.from_dict(f) for f in findings], {})


def gate(tmp_path: Path, d: dict[str, Any], *args: str, baseline: dict[str, Any] | None = None,
         env: dict[str, str] | None = None) -> Result:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    extra: list[str] = []
    if baseline is not None:
        prev = tmp_path / "prev.json"
        prev.write_text(json.dumps(baseline), encoding="utf-8")
        extra = ["--baseline", str(prev)]
    return CliRunner().invoke(cli, ["gate", str(path), *extra, *args], env=env, catch_exceptions=False)


def listed(output: str) -> list[list[str]]:
    """The listing lines as [tag, severity, rule id, resource id]."""
    return [line.split()[:4] for line in output.splitlines() if line.startswith(("  FAIL ", "  NEW ", "  ERROR "))]


def commands(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("::")]


MIXED = (
    finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b2", severity="high"),
    finding("s3-bucket-public-access-blocked", "arn:aws:s3:::b9", severity="critical"),
    finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1", severity="high"),
    finding("iam-root-mfa-enabled", "arn:aws:iam::123456789012:root", severity="critical"),
    finding("s3-bucket-tls-only", "arn:aws:s3:::b3", severity="medium"),           # below --fail-on high
    finding("kms-cmk-rotation-enabled", "arn:aws:kms:us-east-1:123456789012:key/k", status="PASS"),
    finding("kms-cmk-rotation-enabled", "arn:aws:kms:us-east-1:123456789012:key/m", status="MUTED"),
)


def test_failing_gate_names_each_blocking_finding_worst_first(tmp_path: Path) -> None:
    res = gate(tmp_path, doc(*MIXED), "--fail-on", "high")
    assert res.exit_code == 1, res.output
    assert listed(res.output) == [
        ["FAIL", "critical", "iam-root-mfa-enabled", "arn:aws:iam::123456789012:root"],
        ["FAIL", "critical", "s3-bucket-public-access-blocked", "arn:aws:s3:::b9"],
        ["FAIL", "high", "s3-bucket-versioning-enabled", "arn:aws:s3:::b1"],
        ["FAIL", "high", "s3-bucket-versioning-enabled", "arn:aws:s3:::b2"],
    ]
    # the existing table and verdict stay, the verdict is the last line
    assert "critical        2" in res.output
    assert res.output.rstrip().splitlines()[-1] == "gate: FAILED"
    assert "gate: 4 FAIL finding(s) at or above 'high'" in res.output
    assert "b3" not in res.output and "key/k" not in res.output


def test_gate_result_carries_sorted_blocking_and_errors() -> None:
    d = doc(*MIXED, finding("s3-bucket-tls-only", "arn:aws:s3:::z", status="ERROR", severity="low"),
            finding("s3-bucket-tls-only", "arn:aws:s3:::a", status="ERROR", severity="critical"))
    result = decide(d, fail_on="high")
    assert [f["resource_id"] for f in result.blocking] == [
        "arn:aws:iam::123456789012:root", "arn:aws:s3:::b9", "arn:aws:s3:::b1", "arn:aws:s3:::b2"]
    assert [f["resource_id"] for f in result.errors] == ["arn:aws:s3:::a", "arn:aws:s3:::z"]
    assert decide(d, fail_on="high", allow_errors=True).errors == []
    assert decide(d, fail_on=None).blocking == []


def test_ties_break_on_rule_id_before_resource_id() -> None:
    d = doc(finding("b-rule", "arn:aws:s3:::a"), finding("a-rule", "arn:aws:s3:::z"),
            finding("a-rule", "arn:aws:s3:::y", severity="low"), finding("c-rule", "arn:aws:s3:::b", severity="critical"))
    got = [(f["rule_id"], f["resource_id"]) for f in decide(d, fail_on="low").blocking]
    assert got == [("c-rule", "arn:aws:s3:::b"), ("a-rule", "arn:aws:s3:::z"), ("b-rule", "arn:aws:s3:::a"),
                   ("a-rule", "arn:aws:s3:::y")]


def test_passing_gate_lists_nothing(tmp_path: Path) -> None:
    res = gate(tmp_path, doc(*MIXED), "--fail-on", "critical", "--annotations", "github")
    assert res.exit_code == 1  # sanity: critical findings exist ...
    res = gate(tmp_path, doc(*MIXED[4:]), "--fail-on", "high", "--annotations", "github")
    assert res.exit_code == 0, res.output
    assert listed(res.output) == [] and commands(res.output) == []
    assert "Findings that failed the gate" not in res.output
    assert res.output.rstrip().endswith("gate: passed")


def _many(n: int) -> dict[str, Any]:
    return doc(*(finding("s3-bucket-versioning-enabled", f"arn:aws:s3:::bucket-{i:03d}") for i in range(n)))


@pytest.mark.parametrize(("args", "shown", "more"), [
    ([], 20, "... and 17 more FAIL"),
    (["--max-list", "5"], 5, "... and 32 more FAIL"),
    (["--max-list", "37"], 37, None),
    (["--max-list", "0"], 0, None),
])
def test_listing_is_capped_with_a_count_of_the_rest(tmp_path: Path, args: list[str], shown: int,
                                                    more: str | None) -> None:
    res = gate(tmp_path, _many(37), "--fail-on", "high", *args)
    assert res.exit_code == 1
    rows = listed(res.output)
    assert len(rows) == shown
    assert [r[3] for r in rows] == [f"arn:aws:s3:::bucket-{i:03d}" for i in range(shown)]
    if more:
        assert more in res.output
    else:
        assert "more" not in res.output
    assert "gate: 37 FAIL finding(s) at or above 'high'" in res.output


def test_negative_max_list_is_a_usage_error(tmp_path: Path) -> None:
    assert gate(tmp_path, _many(1), "--max-list", "-1").exit_code == 2


def test_violation_wins_over_errors_and_both_are_listed(tmp_path: Path) -> None:
    d = doc(finding("s3-bucket-tls-only", "arn:aws:s3:::locked", status="ERROR", severity="critical",
                    message="could not evaluate: GetBucketPolicy: AccessDenied"),
            finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1", severity="medium"))
    res = gate(tmp_path, d, "--fail-on", "medium")
    assert res.exit_code == 1, res.output
    # the actionable FAIL first, even though the ERROR's rule is more severe
    assert listed(res.output) == [["FAIL", "medium", "s3-bucket-versioning-enabled", "arn:aws:s3:::b1"],
                                  ["ERROR", "critical", "s3-bucket-tls-only", "arn:aws:s3:::locked"]]
    assert "could not evaluate: GetBucketPolicy: AccessDenied" in res.output


def test_errors_alone_exit_3_and_are_listed_unless_allowed(tmp_path: Path) -> None:
    d = doc(finding("s3-bucket-tls-only", "arn:aws:s3:::locked", status="ERROR", severity="medium"),
            finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1", severity="low"))
    res = gate(tmp_path, d, "--fail-on", "high")
    assert res.exit_code == 3, res.output
    assert listed(res.output) == [["ERROR", "medium", "s3-bucket-tls-only", "arn:aws:s3:::locked"]]
    res = gate(tmp_path, d, "--fail-on", "high", "--allow-errors")
    assert res.exit_code == 0 and listed(res.output) == []


def test_baseline_lists_only_the_new_blocking_findings(tmp_path: Path) -> None:
    old = finding("s3-bucket-versioning-enabled", "arn:aws:s3:::old", severity="critical")
    before = doc(old, run_id="prev")
    now = doc(old, finding("s3-bucket-versioning-enabled", "arn:aws:s3:::fresh"),
              finding("s3-bucket-tls-only", "arn:aws:s3:::minor", severity="low"), run_id="cur")
    res = gate(tmp_path, now, "--fail-on", "high", baseline=before)
    assert res.exit_code == 1, res.output
    assert listed(res.output) == [["NEW", "high", "s3-bucket-versioning-enabled", "arn:aws:s3:::fresh"]]
    assert "arn:aws:s3:::old" not in res.output and "arn:aws:s3:::minor" not in res.output
    assert "new FAIL findings since baseline: 2" in res.output
    assert "gate: 1 new FAIL finding(s) at or above 'high'" in res.output
    res = gate(tmp_path, before, "--fail-on", "high", baseline=before)
    assert res.exit_code == 0 and listed(res.output) == []


def test_messages_are_one_line_and_truncated(tmp_path: Path) -> None:
    long = "word " * 200
    d = doc(finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1", message="first line\n\n  second\tline\r\n"),
            finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b2", message=long),
            finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b3", message="esc \x1b[2J bell \x07 end"))
    res = gate(tmp_path, d, "--fail-on", "high")
    lines = [line for line in res.output.splitlines() if line.startswith("  FAIL ")]
    assert len(lines) == 3
    assert lines[0].endswith("arn:aws:s3:::b1  first line second line")
    assert lines[1].endswith("…") and len(lines[1]) < 260 and "word word" in lines[1]
    assert "\x1b" not in res.output and "\x07" not in res.output and lines[2].endswith("esc ?[2J bell ? end")


def test_one_line_and_truncate() -> None:
    assert one_line("a\nb\r\n\u2028c\x85d", 80) == "a b c d"
    cut = one_line("alpha beta gamma delta epsilon", 20)
    assert cut == "alpha beta gamma…" and len(cut) <= 20
    assert one_line("x" * 50, 10) == "x" * 9 + "…"


def test_hostile_text_cannot_start_a_command_in_the_plain_listing(tmp_path: Path) -> None:
    d = doc(finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1\n::error::forged-by-resource",
                    message="bad\n::error::forged\r::set-env name=X::y"))
    res = gate(tmp_path, d, "--fail-on", "high")
    assert res.exit_code == 1
    assert commands(res.output) == []
    assert "forged" in res.output  # still shown, on the finding's own line


# GitHub annotations ---------------------------------------------------------------------------

def test_github_annotations_for_failures_and_errors(tmp_path: Path) -> None:
    d = doc(finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1", message="versioning is Suspended"),
            finding("s3-bucket-tls-only", "arn:aws:s3:::locked", status="ERROR", severity="medium",
                    message="could not evaluate: AccessDenied"))
    res = gate(tmp_path, d, "--fail-on", "high", "--annotations", "github")
    assert res.exit_code == 1, res.output
    assert commands(res.output) == [
        "::error title=s3-bucket-versioning-enabled (high)::arn:aws:s3:::b1: versioning is Suspended",
        "::warning title=s3-bucket-tls-only (medium%2C not evaluated)::arn:aws:s3:::locked: could not evaluate: AccessDenied",
    ]
    res = gate(tmp_path, d, "--fail-on", "high", "--annotations", "github", "--allow-errors")
    assert [c.split(" ")[0] for c in commands(res.output)] == ["::error"]


def test_annotations_are_capped_with_a_notice(tmp_path: Path) -> None:
    res = gate(tmp_path, _many(13), "--fail-on", "high", "--annotations", "github", "--max-list", "10")
    cmds = commands(res.output)
    assert len(cmds) == 11 and all(c.startswith("::error ") for c in cmds[:10])
    assert cmds[10].startswith("::notice title=auditor gate::3 more FAIL failed the gate")
    res = gate(tmp_path, _many(13), "--fail-on", "high", "--annotations", "github", "--max-list", "0")
    assert commands(res.output) == []


def test_annotations_are_off_by_default_even_on_github_actions(tmp_path: Path) -> None:
    res = gate(tmp_path, _many(2), "--fail-on", "high", env={"GITHUB_ACTIONS": "true"})
    assert res.exit_code == 1 and commands(res.output) == []
    res = gate(tmp_path, _many(2), "--fail-on", "high", "--annotations", "none")
    assert commands(res.output) == []


def test_a_hostile_message_cannot_forge_a_command(tmp_path: Path) -> None:
    d = doc(finding("s3-bucket-versioning-enabled", "arn:aws:s3:::b1",
                    message="100% bad\n::error::forged\r\n::add-mask::secret"))
    res = gate(tmp_path, d, "--fail-on", "high", "--annotations", "github")
    cmds = commands(res.output)
    assert cmds == ["::error title=s3-bucket-versioning-enabled (high)::arn:aws:s3:::b1: "
                    "100%25 bad%0A::error::forged%0D%0A::add-mask::secret"]
    assert not any(line.startswith(("::error::", "::add-mask")) for line in res.output.splitlines())


def test_escaping_matches_the_github_toolkit() -> None:
    assert escape_data("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e"
    assert escape_property("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce"
    # % first, so an escape sequence in the input is not mistaken for one the toolkit produced
    assert escape_data("%0A") == "%250A"


@pytest.mark.parametrize(("rtype", "res", "expected"), [
    ("dataset.column", "data/raw/enroll.csv#email", "data/raw/enroll.csv"),
    ("dataset.column", "./data/enroll.xlsx!Fall#email", "data/enroll.xlsx"),
    ("dataset.file", "data/raw/enroll.csv", "data/raw/enroll.csv"),
    ("dataset.column", "s3://bucket/raw/enroll.csv#email", None),
    ("dataset.column", "/srv/data/enroll.csv#email", None),
    ("dataset.column", "../elsewhere/enroll.csv#email", None),
    ("aws.s3-bucket", "arn:aws:s3:::b1", None),
    ("pipeline.run", "registrar/2026-11-27T10-00-00Z/raw_to_curated", None),
])
def test_finding_file(rtype: str, res: str, expected: str | None) -> None:
    assert finding_file(finding("dataset-column-pii-masked", res, rtype=rtype)) == expected


def test_dataset_annotations_carry_an_escaped_file_property(tmp_path: Path) -> None:
    d = doc(finding("dataset-column-pii-masked", "data/a,b:c.csv#email", rtype="dataset.column",
                    message="email: EMAIL_ADDRESS found in 12 of 20 values, not masked"),
            finding("dataset-column-pii-masked", "s3://bucket/raw.csv#email", rtype="dataset.column"))
    res = gate(tmp_path, d, "--fail-on", "high", "--annotations", "github")
    assert commands(res.output) == [
        "::error title=dataset-column-pii-masked (high),file=data/a%2Cb%3Ac.csv::data/a,b:c.csv#email: "
        "email: EMAIL_ADDRESS found in 12 of 20 values, not masked",
        "::error title=dataset-column-pii-masked (high)::s3://bucket/raw.csv#email: m",
    ]


def test_listing_function_matches_the_cli(tmp_path: Path) -> None:
    d = doc(*MIXED)
    lines = listing(decide(d, fail_on="high"), 2)
    assert lines[0] == "Findings that failed the gate (worst first):"
    assert len(lines) == 4 and lines[-1] == "  ... and 2 more FAIL"
    assert all(line in gate(tmp_path, d, "--fail-on", "high", "--max-list", "2").output for line in lines)


def test_help_documents_the_listing(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["gate", "--help"])
    assert "--max-list" in res.output and "--annotations" in res.output and "Examples:" in res.output
