"""``data mask`` / ``data unmask`` outputs: no live formula, and never over the input (issue 13)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from auditor.cli import cli

PAYLOADS = ["=1+1", ' =HYPERLINK("http://x")', "\n=1+1", "\t=1", "+1", "-1+1", "@SUM(A1)"]
SINS = ["046 454 286", "130 692 544", "193 456 787", "046 454 286", "130 692 544", "193 456 787", "046 454 286"]
POLICY = "version: 1\nkey: {env: CELLSAFE_KEY}\nentities:\n  CA_SIN: {operator: encrypt}\n"


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sin", "department", "amount"])
        for sin, payload in zip(SINS, PAYLOADS, strict=True):
            w.writerow([sin, payload, "-12.50"])
    return src


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CELLSAFE_KEY", "c" * 64)
    path = tmp_path / "policy.yml"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_masked_csv_neutralises_and_unmask_round_trips(tmp_path: Path, policy: Path) -> None:
    src = _source(tmp_path)
    masked, restored = tmp_path / "masked.csv", tmp_path / "restored.csv"
    res = CliRunner().invoke(cli, ["data", "mask", str(src), str(masked), "--policy", str(policy)])
    assert res.exit_code == 0, res.output
    rows = _cells(masked)[1:]
    assert [r[1] for r in rows] == ["'" + p for p in PAYLOADS]
    assert all(r[0].startswith("enc:v1:") for r in rows)  # the tokens are written as they are
    assert {r[2] for r in rows} == {"-12.50"}  # a negative amount stays a number
    res = CliRunner().invoke(cli, ["data", "unmask", str(masked), str(restored), "--policy", str(policy)])
    assert res.exit_code == 0, res.output
    back = _cells(restored)[1:]
    assert [r[0] for r in back] == SINS  # every token decrypted: the round trip holds
    assert [r[1] for r in back] == ["'" + p for p in PAYLOADS]  # and the restored file is safe too


def test_masked_xlsx_has_no_formula_cell(tmp_path: Path, policy: Path) -> None:
    src = _source(tmp_path)
    masked = tmp_path / "masked.xlsx"
    res = CliRunner().invoke(cli, ["data", "mask", str(src), str(masked), "--policy", str(policy)])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(masked).active
    assert ws is not None
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    departments = [row[1] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in departments] == PAYLOADS  # the value is kept; Excel's quote prefix makes it text
    assert all(c.data_type == "s" and c.quotePrefix for c in departments)
    restored = tmp_path / "restored.csv"
    res = CliRunner().invoke(cli, ["data", "unmask", str(masked), str(restored), "--policy", str(policy)])
    assert res.exit_code == 0, res.output
    assert [r[0] for r in _cells(restored)[1:]] == SINS


def _same_file_spellings(src: Path) -> list[str]:
    link = src.with_name("link.csv")
    link.symlink_to(src.name)
    hard = src.with_name("hard.csv")
    os.link(src, hard)
    return [str(src), str(src.parent / "." / src.name), str(link), str(hard)]


@pytest.mark.parametrize("command", ["mask", "unmask"])
def test_output_that_is_the_input_is_refused(tmp_path: Path, policy: Path, command: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    src = _source(tmp_path)
    before = src.read_bytes()
    monkeypatch.chdir(tmp_path)
    spellings = [*_same_file_spellings(src), "./in.csv", "in.csv"]
    for dst in spellings:
        res = CliRunner().invoke(cli, ["data", command, "in.csv", dst, "--policy", str(policy)])
        assert res.exit_code == 2, (dst, res.output)
        assert "would overwrite the input" in res.output and len(res.output.strip().splitlines()) == 1
        assert src.read_bytes() == before
        assert (tmp_path / "link.csv").is_symlink()  # not replaced by a regular file either
