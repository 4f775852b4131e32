"""`data unmask` decrypts well-formed tokens only: free text that mentions `enc:v1:` is left as it is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from auditor.cli import cli
from auditor.data.masking import Keys, Masker, MaskPolicy, UnmaskCounts, unmask_frame

KEY = "b" * 64
MASKER = Masker(MaskPolicy(), Keys.from_secret(bytes.fromhex(KEY)))
FORGED = "enc:v1:" + "A" * 40  # shaped like a token, authenticates with no key


def _texts(token: str) -> list[str]:
    return [
        "tokens look like enc:v1: followed by base64",   # the bare prefix
        "see enc:v1:abc in the runbook",                  # too short to be a token
        f"pasted {FORGED} from a ticket",                  # well-formed, not ours
        f"SIN {token}, called back",                       # a real token inside text
        "xenc:v1:" + "A" * 40,                             # not standing alone
    ]


def test_only_well_formed_tokens_are_decrypted() -> None:
    token = MASKER.encrypt("130 692 544")
    frame = pd.DataFrame({"notes": _texts(token), "n": range(5)})
    counts = UnmaskCounts()
    out, n = unmask_frame(frame, MASKER, counts)
    expected = _texts(token)
    expected[3] = "SIN 130 692 544, called back"
    assert out["notes"].tolist() == expected
    assert n == 1 and counts.decrypted == 1 and counts.undecryptable == 1
    assert frame["notes"].tolist() == _texts(token)  # the input frame is not modified


def _policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str) -> Path:
    monkeypatch.setenv("UNMASK_KEY", secret)
    policy = tmp_path / "p.yml"
    policy.write_text("version: 1\nkey: {env: UNMASK_KEY}\nentities:\n  CA_SIN: {operator: encrypt}\n",
                      encoding="utf-8")
    return policy


def test_cli_unmask_keeps_free_text_and_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = MASKER.encrypt("130 692 544")
    src = tmp_path / "masked.csv"
    pd.DataFrame({"id": [1, 2, 3, 4, 5], "notes": _texts(token)}).to_csv(src, index=False)
    res = CliRunner().invoke(cli, ["data", "unmask", str(src), str(tmp_path / "plain.csv"),
                                   "--policy", str(_policy(tmp_path, monkeypatch, KEY))])
    assert res.exit_code == 0, res.output
    assert "decrypted 1 values" in res.output
    assert f"warning: {src}: 1 value(s) look like encrypted tokens but do not decrypt with this key" in res.output
    notes = pd.read_csv(tmp_path / "plain.csv")["notes"].tolist()
    assert notes[3] == "SIN 130 692 544, called back" and notes[2] == f"pasted {FORGED} from a ticket"
    assert notes[0] == "tokens look like enc:v1: followed by base64"


def test_cli_unmask_with_the_wrong_key_is_one_line_and_writes_nothing(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "masked.csv"
    pd.DataFrame({"sin": [MASKER.encrypt("130 692 544"), MASKER.encrypt("046 454 286")]}).to_csv(src, index=False)
    res = CliRunner().invoke(cli, ["data", "unmask", str(src), str(tmp_path / "plain.csv"),
                                   "--policy", str(_policy(tmp_path, monkeypatch, "c" * 64))])
    assert res.exit_code == 2, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {src}: none of the 2 encrypted value(s) decrypts with this policy's key "
                      "(wrong key or corrupted file); nothing written"]
    assert "130" not in res.output
    assert not (tmp_path / "plain.csv").exists()
