"""Reports do not take a findings file's word: the summary is recomputed, a baseline of another account refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import make_doc

from auditor.cli import cli
from auditor.reporting.model import build_report
from auditor.reporting.summary import recompute_summary


def _doctored(doc: dict[str, Any]) -> dict[str, Any]:
    """The document claiming every check passed, above its own failures."""
    bad = copy.deepcopy(doc)
    total = len(bad["findings"])
    bad["summary"]["by_status"] = {"PASS": total, "FAIL": 0, "ERROR": 0, "SKIPPED": 0, "MUTED": 0}
    bad["summary"]["by_severity"] = {s: 0 for s in bad["summary"]["by_severity"]}
    for fw in bad["summary"]["frameworks"].values():
        fw.update(passed=fw["controls"], failed=0, error=0, evaluated=fw["controls"])
    return bad


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    out = {s: 0 for s in ("PASS", "FAIL", "ERROR", "SKIPPED", "MUTED")}
    for f in doc["findings"]:
        out[f["status"]] += 1
    return out


def test_summary_is_recomputed_from_the_findings(doc: dict[str, Any]) -> None:
    assert recompute_summary(_doctored(doc)) == doc["summary"]
    model = build_report([_doctored(doc)], generated_at="2026-11-27T10:10:00Z")
    assert model.by_status == _counts(doc)
    assert model.by_status["FAIL"] > 0 and model.pass_rate is not None and model.pass_rate < 1


def test_report_cli_shows_the_real_counts(tmp_path: Path, doc: dict[str, Any]) -> None:
    f = tmp_path / "findings.json"
    f.write_text(json.dumps(_doctored(doc)), encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(f), "--format", "html,json"])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    n = _counts(doc)
    verdicts = html.split('id="verdict"', 1)[1].split("</section>", 1)[0]
    # The doctored summary says every control passed; the findings say otherwise.
    assert 'v-NOT-COMPLIANT">NOT COMPLIANT<' in verdicts and 'v-COMPLIANT">' not in verdicts
    card = verdicts.split("Failing findings", 1)[1].split("</div></div>", 1)[0]
    assert f'<div class="big">{n["FAIL"]}</div>' in card and n["FAIL"] > 0
    rewritten = json.loads(f.read_text(encoding="utf-8"))
    core = ("total", "by_status", "by_severity")
    assert {k: rewritten["summary"][k] for k in core} == {k: doc["summary"][k] for k in core}
    for fw, view in doc["summary"]["frameworks"].items():
        written = rewritten["summary"]["frameworks"][fw]
        assert {k: written[k] for k in view} == view
    assert rewritten["summary"]["frameworks"]["cis-aws-6.0"]["verdict"] == "NOT COMPLIANT"


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _other_account(doc: dict[str, Any]) -> dict[str, Any]:
    other = copy.deepcopy(doc)
    other["run"]["account"] = "210987654321"
    return other


def test_gate_refuses_a_baseline_from_another_account(tmp_path: Path, doc: dict[str, Any]) -> None:
    f = _write(tmp_path / "findings.json", doc)
    base = _write(tmp_path / "base.json", _other_account(doc))
    res = CliRunner().invoke(cli, ["gate", str(f), "--baseline", str(base)])
    assert res.exit_code == 2, res.output
    assert res.output.strip().splitlines() == [
        f"error: {base}: the baseline is from AWS account 210987654321 but the findings are from 123456789012; "
        "compare with a baseline of the same account, or pass --force to diff them anyway"]
    forced = CliRunner().invoke(cli, ["gate", str(f), "--baseline", str(base), "--force"])
    assert forced.exit_code in (0, 1, 3) and "since baseline" in forced.output
    same = CliRunner().invoke(cli, ["gate", str(f), "--baseline", str(_write(tmp_path / "same.json", doc))])
    assert "since baseline" in same.output


def test_report_refuses_a_baseline_from_another_account(tmp_path: Path, doc: dict[str, Any]) -> None:
    f = _write(tmp_path / "findings.json", doc)
    base = _write(tmp_path / "base.json", _other_account(doc))
    res = CliRunner().invoke(cli, ["report", str(f), "--baseline", str(base)])
    assert res.exit_code == 2 and "the baseline is from AWS account 210987654321" in res.output
    assert not (tmp_path / "index.html").exists()  # refused before anything is written
    forced = CliRunner().invoke(cli, ["report", str(f), "--baseline", str(base), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "index.html").exists()


def test_documents_without_an_account_are_compared_as_before(tmp_path: Path) -> None:
    data = make_doc(kind="data")
    data["run"]["account"] = ""
    f = _write(tmp_path / "findings.json", data)
    base = _write(tmp_path / "base.json", make_doc(kind="data"))
    res = CliRunner().invoke(cli, ["gate", str(f), "--baseline", str(base)])
    assert res.exit_code != 2 and "since baseline" in res.output
