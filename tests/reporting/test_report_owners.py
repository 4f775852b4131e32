"""Owners: from the resource's owner tag (recorded by the scan) or an ownership file; shown and filterable."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reporting_synth import ACCOUNT, make_doc

from auditor.cli import cli
from auditor.core.context import RunContext
from auditor.core.errors import ConfigError
from auditor.core.resources import Inventory, Resource
from auditor.ownership import load_owners
from auditor.reporting.writers.csv_writer import COLUMNS

OWNERS = """version: 1
owners:
  - resource: "arn:aws:iam::*:user/*"
    owner: identity-team@example.org
  - rule: "kms-*"
    owner: crypto@example.org
  - framework: cis-aws-6.0
    control: "2.*"
    owner: ciso-office@example.org
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ownership_file_first_match_and_controls(tmp_path: Path) -> None:
    owners = load_owners(_write(tmp_path / "owners.yml", OWNERS))
    assert owners.for_finding("iam-user-mfa-enabled", f"arn:aws:iam::{ACCOUNT}:user/a") == "identity-team@example.org"
    assert owners.for_finding("kms-cmk-rotation-enabled", "arn:aws:kms:x") == "crypto@example.org"
    assert owners.for_finding("s3-bucket-tls-only", "arn:aws:s3:::b") == ""
    assert owners.for_control("cis-aws-6.0", "2.4") == "ciso-office@example.org"
    assert owners.for_control("cis-aws-5.0", "2.4") == ""


def test_an_invalid_ownership_file_stops_with_its_line(tmp_path: Path) -> None:
    bad = _write(tmp_path / "owners.yml", "version: 1\nowners:\n  - resource: '*'\n    owner: a\n  - ownr: b\n")
    try:
        load_owners(bad)
    except ConfigError as exc:
        text = str(exc)
        assert "owners.yml:5" in text
    else:
        raise AssertionError("an invalid ownership file must not load")
    doc = tmp_path / "f.json"
    doc.write_text(json.dumps(make_doc()), encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", str(doc), "--owners", str(bad)])
    assert res.exit_code == 2 and "owners.yml:5" in res.output
    assert not (tmp_path / "index.html").exists()


def test_owners_in_html_json_and_csv(tmp_path: Path) -> None:
    src = tmp_path / "in" / "findings.json"
    src.parent.mkdir()
    src.write_text(json.dumps(make_doc()), encoding="utf-8")
    owners = _write(tmp_path / "owners.yml", OWNERS)
    res = CliRunner().invoke(cli, ["report", str(src), "--owners", str(owners), "-o", str(tmp_path / "out" / "index.html"),
                                   "--format", "html,json,csv"])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    by_type = {f["resource_type"]: f.get("owner", "") for f in doc["findings"]}
    assert by_type["aws.s3-bucket"] == "data-platform"  # the bucket's own tag wins over the file
    assert by_type["aws.iam-user"] == "identity-team@example.org" and by_type["aws.kms-key"] == "crypto@example.org"
    assert by_type["aws.cloudtrail-trail"] == ""
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == list(COLUMNS) and all(len(r) == len(COLUMNS) for r in rows)
    assert {r[COLUMNS.index("owner")] for r in rows[1:] if r[COLUMNS.index("resource_type")] == "aws.iam-user"} \
        == {"identity-team@example.org"}
    controls = list(csv.DictReader(io.StringIO((tmp_path / "out" / "controls.csv").read_text(encoding="utf-8-sig"))))
    owner_24 = next(r["owner"] for r in controls if r["framework"] == "cis-aws-6.0" and r["control"] == "2.4")
    assert owner_24 == "ciso-office@example.org"
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<option value="identity-team@example.org">' in html and '<option value="-">unassigned</option>' in html
    data = json.loads(html.split('id="findings-data">', 1)[1].split("</script>", 1)[0])
    assert "crypto@example.org" in data["owners"]
    assert {data["owners"][r[7]] for r in data["rows"] if data["rules"][r[0]][0] == "kms-cmk-rotation-enabled"} == \
        {"crypto@example.org"}


def test_the_scan_records_the_owner_tag_and_the_ownership_file(tmp_path: Path) -> None:
    """``runner.evaluate``: a collected ``Owner`` tag (any case of the key), else the file, else nothing."""
    from auditor.audit_run import evaluate, prepare

    rules = _write(tmp_path / "rules.yml", "version: 1\nrules:\n"
                   "  - id: s3-bucket-versioning-enabled\n    title: S3 buckets keep object versions\n"
                   "    resource: aws.s3-bucket\n    severity: high\n"
                   "    assert:\n      - {key: Versioning.Status, op: eq, value: Enabled}\n")
    cfg = _write(tmp_path / "audit.yml", f"version: 1\nreport:\n  owner_tag: owner\n  owners: {tmp_path / 'owners.yml'}\n")
    _write(tmp_path / "owners.yml", "version: 1\nowners:\n  - resource: 'arn:aws:s3:::fin-*'\n    owner: finance\n")
    prepared = prepare([rules], config=cfg)
    inv = Inventory()
    inv.extend([Resource("aws.s3-bucket", "arn:aws:s3:::raw", {"Versioning": {"Status": "Suspended"},
                                                               "Tags": {"OWNER": "data-platform"}}, "us-east-1", "raw"),
                Resource("aws.s3-bucket", "arn:aws:s3:::fin-1", {"Versioning": {"Status": "Enabled"}}, "us-east-1"),
                Resource("aws.s3-bucket", "arn:aws:s3:::tmp", {"Versioning": {"Status": "Enabled"}, "Tags": {}})])
    ctx = RunContext()
    doc: dict[str, Any] = evaluate(prepared, inv, ctx, kind="aws", started_at=datetime(2026, 12, 7, tzinfo=UTC))
    owners = {f["resource_id"]: f.get("owner", "") for f in doc["findings"]}
    assert owners == {"arn:aws:s3:::raw": "data-platform", "arn:aws:s3:::fin-1": "finance", "arn:aws:s3:::tmp": ""}
    assert [r["id"] for r in doc["attachments"]["rules"]] == ["s3-bucket-versioning-enabled"]
    from auditor.schemas import findings_errors

    assert findings_errors(doc) == []
