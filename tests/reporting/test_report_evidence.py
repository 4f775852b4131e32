"""The evidence pack: findings, reports, rules, config and mutelist, with a SHA-256 manifest a reader can check."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from reporting_synth import make_doc

from auditor.cli import cli
from auditor.reporting.evidence import verify
from auditor.shipped import rules_dir


def _pack(tmp_path: Path) -> tuple[Path, str]:
    src = tmp_path / "scan" / "findings.json"
    src.parent.mkdir()
    src.write_text(json.dumps(make_doc()), encoding="utf-8")
    base = tmp_path / "base.json"
    base.write_text(json.dumps(make_doc(seed=2, run_id="prev", started_at="2026-11-20T10:00:00Z",
                                       finished_at="2026-11-20T10:06:00Z")), encoding="utf-8")
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\nreport:\n  sla_days: {critical: 3}\n", encoding="utf-8")
    mutes = tmp_path / "mutelist.yml"
    mutes.write_text("version: 1\nmutes: []\n", encoding="utf-8")
    pack = tmp_path / "evidence"
    res = CliRunner().invoke(cli, ["report", str(src), "--baseline", str(base), "--format", "html,json,csv,sarif",
                                   "--config", str(cfg), "--mutelist", str(mutes),
                                   "--rules", str(rules_dir() / "aws" / "kms.yml"), "--evidence", str(pack)])
    assert res.exit_code == 0, res.output
    return pack, res.output


def test_the_pack_holds_everything_and_verifies(tmp_path: Path) -> None:
    pack, output = _pack(tmp_path)
    files = sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*") if p.is_file())
    assert files == ["SHA256SUMS", "config/audit.yml", "findings/baseline-base.json", "findings/findings.json",
                     "manifest.json", "mutelist/mutelist.yml", "mutelist/mutes-recorded.json",
                     "reports/controls.csv", "reports/findings.csv", "reports/findings.json", "reports/findings.sarif",
                     "reports/index.html", "rules-used.json", "rules/aws/kms.yml"]
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"] == ["run-2026-11-27T10-00-00Z"] and len(manifest["files"]) == len(files) - 2
    assert "manifest SHA-256 " in output and f"cd {pack} && sha256sum -c SHA256SUMS" in output
    assert verify(pack) == []
    recorded = json.loads((pack / "mutelist" / "mutes-recorded.json").read_text(encoding="utf-8"))
    assert {m["rule"] for m in recorded} >= {"kms-cmk-rotation-enabled"}
    if shutil.which("sha256sum"):  # the reader's own tool agrees
        ok = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=pack, capture_output=True, text=True)
        assert ok.returncode == 0, ok.stdout + ok.stderr


def test_a_changed_added_or_removed_file_is_found(tmp_path: Path) -> None:
    pack, _ = _pack(tmp_path)
    report = pack / "reports" / "findings.json"
    doc = json.loads(report.read_text(encoding="utf-8"))
    doc["summary"]["by_status"]["FAIL"] = 0  # the classic: a prettier number
    report.write_text(json.dumps(doc), encoding="utf-8")
    (pack / "reports" / "extra.txt").write_text("added later", encoding="utf-8")
    (pack / "rules" / "aws" / "kms.yml").unlink()
    assert verify(pack) == ["reports/findings.json: changed (SHA-256 differs from the manifest)",
                            "rules/aws/kms.yml: missing", "reports/extra.txt: not in the manifest"]
    if shutil.which("sha256sum"):
        bad = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=pack, capture_output=True, text=True)
        assert bad.returncode != 0


def test_a_pack_is_never_written_over(tmp_path: Path) -> None:
    pack, _ = _pack(tmp_path)
    src = tmp_path / "scan" / "findings.json"
    before = (pack / "manifest.json").read_bytes()
    res = CliRunner().invoke(cli, ["report", str(src), "--evidence", str(pack)])
    assert res.exit_code == 2 and "is not an empty directory" in res.output
    assert (pack / "manifest.json").read_bytes() == before


def test_rules_default_to_the_files_the_findings_name(tmp_path: Path) -> None:
    from auditor.catalogue import catalogue
    from auditor.core.loader import load_rules
    from auditor.plugins import load_plugins

    load_plugins()
    doc = make_doc()
    doc["attachments"]["rules"] = catalogue(load_rules([rules_dir() / "aws" / "kms.yml"]))
    src = tmp_path / "findings.json"
    src.write_text(json.dumps(doc), encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(src), "--evidence", str(tmp_path / "pack")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pack" / "rules" / "aws" / "kms.yml").read_bytes() == (rules_dir() / "aws" / "kms.yml").read_bytes()
    assert verify(tmp_path / "pack") == []
