"""Masking: policy validation, operators, invariants (hypothesis), frames, keys (env and KMS)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import ConfigError, DataError
from auditor.data.classify import classify_frame, looks_masked
from auditor.data.masking import (
    Keys,
    Masker,
    MaskPolicy,
    Operator,
    load_policy,
    mask_frame,
    partial_mask,
    resolve_keys,
    unmask_frame,
)
from auditor.data.pii import PiiAnalyzer

KEY = "0123456789abcdef0123456789abcdef"
KEYS = Keys.from_secret(bytes.fromhex(KEY))


def _policy(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mask.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_policy_errors_have_file_line_col(tmp_path: Path) -> None:
    p = _policy(tmp_path, "version: 1\nentities:\n  EMAIL_ADDRESS: {operator: hsh}\n  PHONE_NUMBER: {operator: partial, "
                          "keep_lst: 4}\n  bad_name: {operator: redact}\n")
    with pytest.raises(ConfigError) as err:
        load_policy(p)
    lines = sorted(str(x) for x in err.value.problems)
    assert any(f"{p}:3:29: entities.EMAIL_ADDRESS.operator: 'hsh' is not one of" in x and "did you mean 'hash'" in x
               for x in lines), lines
    assert any(f"{p}:4:37: entities.PHONE_NUMBER.keep_lst: unknown operator option 'keep_lst'" in x for x in lines), lines
    assert any("bad_name" in x for x in lines), lines


def test_policy_hash_needs_a_key(tmp_path: Path) -> None:
    p = _policy(tmp_path, "version: 1\nentities:\n  EMAIL_ADDRESS: {operator: hash}\n")
    with pytest.raises(ConfigError, match="need a 'key'"):
        load_policy(p)


def test_missing_env_key_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_KEY", raising=False)
    p = _policy(tmp_path, "version: 1\nkey: {env: NOPE_KEY}\ndefault: {operator: hash}\n")
    with pytest.raises(DataError, match="NOPE_KEY is not set"):
        resolve_keys(load_policy(p))


@given(st.text(min_size=0, max_size=40), st.integers(0, 4), st.integers(0, 4))
@settings(max_examples=200, deadline=None)
def test_partial_mask_invariants(value: str, keep_first: int, keep_last: int) -> None:
    out = partial_mask(value, keep_first, keep_last)
    assert len(out) == len(value)
    alnum = [c for c in value if c.isalnum()]
    kept = sum(1 for a, b in zip(value, out, strict=True) if a.isalnum() and a == b and b != "*")
    assert kept <= keep_first + keep_last
    if len(alnum) > 2:
        assert out != value or all(c == "*" for c in value)  # something is always hidden
    for a, b in zip(value, out, strict=True):
        if not a.isalnum():
            assert a == b  # separators stay


@given(st.text(min_size=1, max_size=60))
@settings(max_examples=100, deadline=None)
def test_hash_is_deterministic_keyed_and_hides_the_value(value: str) -> None:
    m = Masker(MaskPolicy(), KEYS)
    other = Masker(MaskPolicy(), Keys.from_secret(b"another secret of 32 bytes......"))
    t = m.token(value)
    assert t == m.token(value)
    assert t != other.token(value)
    assert t.startswith("tok_") and len(t) == 36
    assert looks_masked(t)


@given(st.text(min_size=0, max_size=80))
@settings(max_examples=100, deadline=None)
def test_encrypt_round_trips_and_is_randomised(value: str) -> None:
    m = Masker(MaskPolicy(), KEYS)
    a, b = m.encrypt(value), m.encrypt(value)
    assert a != b
    assert m.decrypt(a) == value
    assert looks_masked(a)


def test_decrypt_with_the_wrong_key_fails_cleanly() -> None:
    token = Masker(MaskPolicy(), KEYS).encrypt("130 692 544")
    wrong = Masker(MaskPolicy(), Keys.from_secret(b"x" * 32))
    with pytest.raises(DataError, match="wrong key") as err:
        wrong.decrypt(token)
    assert "130" not in str(err.value)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "email": ["ann@example.com", "bob@example.org", None, "ann@example.com"],
        "sin": [130692544, 130692544, 130692544, 130692544],   # int64: becomes text when masked
        "phone": ["416-555-0199", "416-555-0123", "416-555-0142", "416-555-0100"],
        "notes": ["Spoke with Maria Lopez", "call 416-555-0177", None, "nothing"],
        "city": ["Ottawa", "Laval", "Ottawa", "Hull"],
    })


def test_mask_frame_operators_types_and_no_raw_values(analyzer: PiiAnalyzer, tmp_path: Path) -> None:
    df = _frame()
    before = df.copy()
    policy = load_policy(_policy(tmp_path, """version: 1
key: {env: TEST_MASK_KEY}
entities:
  EMAIL_ADDRESS: {operator: hash}
  PHONE_NUMBER: {operator: partial, keep_last: 4}
  PERSON: {operator: replace, value: "<NAME>"}
columns:
  sin: {operator: encrypt}
"""))
    cls = classify_frame(df, analyzer)
    cls["sin"].pii, cls["sin"].entity = True, "CA_SIN"  # 4 values: force, classification is tested elsewhere
    out = mask_frame(df, cls, policy, Masker(policy, KEYS))
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert out["email"].iloc[0] == out["email"].iloc[3] and out["email"].iloc[0].startswith("tok_")
    assert pd.isna(out["email"].iloc[2])  # empty stays empty
    assert str(out["sin"].dtype) in ("str", "string")
    assert Masker(policy, KEYS).decrypt(out["sin"].iloc[0]) == "130692544"
    assert out["phone"].iloc[0] == "***-***-0199"
    assert out["notes"].tolist()[:2] == ["Spoke with <NAME>", "call ***-***-0177"]
    assert out["city"].tolist() == df["city"].tolist()
    text = out.to_csv()
    for raw in ("ann@example.com", "bob@example.org", "130692544", "416-555-0199", "Maria", "Lopez"):
        assert raw not in text


def test_unmask_frame(analyzer: PiiAnalyzer) -> None:
    policy = MaskPolicy(entities={"EMAIL_ADDRESS": Operator("encrypt")})
    m = Masker(policy, KEYS)
    df = pd.DataFrame({"email": ["ann@example.com", None], "notes": ["write to bob@example.org", "x"]})
    out = mask_frame(df, classify_frame(df, analyzer), policy, m)
    assert "ann@example.com" not in out.to_csv()
    back, n = unmask_frame(out, m)
    assert n == 2
    assert back["email"].iloc[0] == "ann@example.com"
    assert back["notes"].iloc[0] == "write to bob@example.org"


def test_strict_free_text_redacts_whole_cells(analyzer: PiiAnalyzer) -> None:
    df = pd.DataFrame({"notes": ["met someone called zed yesterday at the office", None, " "]})
    out = mask_frame(df, classify_frame(df, analyzer), MaskPolicy(strict_free_text=True))
    assert out["notes"].iloc[0] == "[REDACTED]"
    assert pd.isna(out["notes"].iloc[1])


def test_kms_data_key_with_moto(tmp_path: Path) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")["CiphertextBlob"]
        (tmp_path / "key.bin").write_bytes(blob)
        p = _policy(tmp_path, f"version: 1\nkey: {{kms_ciphertext_file: {tmp_path / 'key.bin'}}}\n"
                              "default: {operator: hash}\n")
        policy = load_policy(p)
        t1 = Masker(policy).token("ann@example.com")
        t2 = Masker(load_policy(p)).token("ann@example.com")  # a second run: same token
        assert t1 == t2 and t1.startswith("tok_")
        (tmp_path / "bad.bin").write_bytes(b"not a kms blob")
        bad = _policy(tmp_path, f"version: 1\nkey: {{kms_ciphertext_file: {tmp_path / 'bad.bin'}}}\n"
                                "default: {operator: hash}\n")
        with pytest.raises(DataError, match="KMS Decrypt of the masking data key failed"):
            Masker(load_policy(bad))


@given(values=st.lists(st.sampled_from(["ann@example.com", "416-555-0199", "Spoke with Maria Lopez", "ok", None]),
                       min_size=1, max_size=12))
@settings(max_examples=25, deadline=None)
def test_masked_free_text_never_contains_detected_values(analyzer: PiiAnalyzer, values: list[Any]) -> None:
    df = pd.DataFrame({"notes": [f"note: {v} and more words here" if v else None for v in values]})
    spans = analyzer.analyze_many(df["notes"])
    out = mask_frame(df, classify_frame(df, analyzer), MaskPolicy())
    for value, found, masked in zip(df["notes"], spans, out["notes"], strict=True):
        for s in found:
            assert value[s.start:s.end] not in masked


@pytest.fixture(autouse=True)
def _mask_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_MASK_KEY", KEY)


def test_base64_and_text_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = MaskPolicy(default=Operator("hash"), key={"env": "B64_KEY"})
    monkeypatch.setenv("B64_KEY", base64.b64encode(b"k" * 32).decode())
    assert resolve_keys(policy) == Keys.from_secret(b"k" * 32)
    monkeypatch.setenv("B64_KEY", "short")
    with pytest.raises(DataError, match="at least 16 bytes"):
        resolve_keys(policy)
