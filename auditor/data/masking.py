"""Masking: a policy maps each entity type to an operator; ``mask_frame`` applies it.

Policy file (``auditor data mask IN OUT --policy mask.yml``)::

    version: 1
    key: {env: AUDITOR_MASK_KEY}          # secret for hash/encrypt: an env var ...
    # key: {kms_ciphertext_file: mask-key.bin}   # ... or a KMS data key (CiphertextBlob)
    default: {operator: replace}          # entities not listed below
    free_text: {strict: false}            # strict: every non-empty free-text cell -> [REDACTED]
    entities:
      EMAIL_ADDRESS: {operator: hash}     # HMAC-SHA256 token: same value -> same token, across files and runs
      PHONE_NUMBER: {operator: partial, keep_last: 4}
      CA_SIN: {operator: encrypt}         # AES-256-GCM; reversible with `auditor data unmask`
      PERSON: {operator: replace, value: "<NAME>"}
      DATE_OF_BIRTH: {operator: redact}   # empty cell (structured) / removed span (free text)
    columns:
      studentid: {operator: hash}         # per-column override

Operators: ``redact``, ``replace`` (``value``, default ``<ENTITY>``), ``partial``
(``keep_first``, ``keep_last``, ``char``; letters and digits are masked,
separators kept), ``hash`` (``tok_`` + 32 hex of HMAC-SHA256), ``encrypt``
(``enc:v1:`` + base64url(nonce + AES-GCM ciphertext)). Without ``--policy``
every entity is replaced by ``<ENTITY>`` (no key needed).

Keys: the secret (env var: hex, base64 or text of at least 16 bytes; or a KMS
data key decrypted with ``kms:Decrypt``) is never used directly: HKDF derives
one key for hashing and one for encryption. Generate a KMS data key with
``aws kms generate-data-key --key-id alias/pii --key-spec AES_256`` and keep its
``CiphertextBlob`` (base64-decoded) in the file.

Structured PII columns are masked vectorised (each distinct value once, then
mapped); values that are already masking output (tokens, ciphertexts,
placeholders, partial masks) are kept as they are, so tokens still join and
masking a masked file twice changes nothing. Free text and mixed columns (a
structured column only some values of which hold PII, see
``auditor.data.classify``) are masked span by span from the analyzer's spans; a
per-column operator of the policy applies to a mixed column's spans. A masked
non-text column becomes a text column explicitly; empty cells stay empty.
The input frame is never modified.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.core.aws_clients import default_client
from auditor.core.errors import ConfigError, DataError, Problem
from auditor.core.validation import validate
from auditor.core.yamlio import Document, read_yaml
from auditor.data.classify import ColumnClassification, FrameClassification, classify_frame
from auditor.data.sampling import as_text, masked_flags

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MaskPolicy", "Masker", "UnmaskCounts", "classify_frame", "load_policy", "mask_frame", "unmask_frame"]

OPERATORS = ("redact", "replace", "partial", "hash", "encrypt")
TOKEN_RE = re.compile(r"enc:v1:[A-Za-z0-9_-]+")
# A well-formed ciphertext token, as ``Masker.encrypt`` writes it: base64url (no padding) of a 12-byte
# nonce, the ciphertext and a 16-byte tag (at least 28 bytes: 38 characters), standing alone in the text.
# Anything else that merely contains "enc:v1:" (free text quoting the prefix) is not a token.
ENC_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_-])enc:v1:[A-Za-z0-9_-]{38,}(?![A-Za-z0-9_=-])")
REDACTED_CELL = "[REDACTED]"

_OPERATOR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["operator"],
    "additionalProperties": False,
    "x-unknown": "operator option",
    "properties": {
        "operator": {"enum": list(OPERATORS)},
        "value": {"type": "string"},
        "keep_first": {"type": "integer", "minimum": 0, "maximum": 8},
        "keep_last": {"type": "integer", "minimum": 0, "maximum": 8},
        "char": {"type": "string", "minLength": 1, "maxLength": 1},
    },
}
POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "auditor masking policy",
    "type": "object",
    "required": ["version"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "key": {
            "type": "object", "additionalProperties": False, "x-unknown": "key source",
            "properties": {"env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                           "kms_ciphertext_file": {"type": "string", "minLength": 1},
                           "kms_ciphertext_env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}},
            "minProperties": 1, "maxProperties": 1,
        },
        "default": _OPERATOR_SCHEMA,
        "free_text": {"type": "object", "additionalProperties": False,
                      "properties": {"strict": {"type": "boolean"}}},
        "entities": {"type": "object", "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
                     "additionalProperties": _OPERATOR_SCHEMA},
        "columns": {"type": "object", "additionalProperties": _OPERATOR_SCHEMA},
    },
}


@dataclass(frozen=True)
class Operator:
    """One masking operator with its options."""

    name: str = "replace"
    value: str | None = None
    keep_first: int = 0
    keep_last: int = 4
    char: str = "*"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Operator:
        return cls(d["operator"], d.get("value"), int(d.get("keep_first", 0)), int(d.get("keep_last", 4)),
                   d.get("char", "*"))


@dataclass
class MaskPolicy:
    """A validated masking policy."""

    default: Operator = field(default_factory=Operator)
    entities: dict[str, Operator] = field(default_factory=dict)
    columns: dict[str, Operator] = field(default_factory=dict)
    strict_free_text: bool = False
    key: dict[str, str] = field(default_factory=dict)
    source: str = "<default policy>"

    def operator_for(self, entity: str | None, column: str | None = None) -> Operator:
        if column is not None and column in self.columns:
            return self.columns[column]
        if entity and entity in self.entities:
            return self.entities[entity]
        return self.default

    def needs_key(self) -> bool:
        ops = [self.default, *self.entities.values(), *self.columns.values()]
        return any(o.name in ("hash", "encrypt") for o in ops)


def load_policy(path: str | Path | None) -> MaskPolicy:
    """Read and validate a policy file; all problems are raised at once with file:line:col."""
    if path is None:
        return MaskPolicy()
    doc, problems = read_yaml(path)
    if doc.data is not None and not problems:
        problems += validate(doc, POLICY_SCHEMA)
    if not problems:
        problems += _semantic(doc)
    if problems:
        raise ConfigError(problems)
    d = doc.data
    policy = MaskPolicy(
        default=Operator.from_dict(d["default"]) if "default" in d else Operator(),
        entities={k: Operator.from_dict(v) for k, v in (d.get("entities") or {}).items()},
        columns={k: Operator.from_dict(v) for k, v in (d.get("columns") or {}).items()},
        strict_free_text=bool((d.get("free_text") or {}).get("strict", False)),
        key=dict(d.get("key") or {}), source=str(path))
    return policy


def _semantic(doc: Document) -> list[Problem]:
    d = doc.data
    out: list[Problem] = []
    uses_key = False
    for section in ("entities", "columns"):
        for op in (d.get(section) or {}).values():
            uses_key = uses_key or op["operator"] in ("hash", "encrypt")
    if "default" in d and d["default"]["operator"] in ("hash", "encrypt"):
        uses_key = True
    if uses_key and not d.get("key"):
        out.append(doc.problem((), "operators 'hash' and 'encrypt' need a 'key' (env or kms_ciphertext_file)"))
    return out


# --------------------------------------------------------------------------- keys

@dataclass(frozen=True)
class Keys:
    """Derived keys: one for HMAC tokens, one for AES-GCM."""

    hmac_key: bytes
    aes_key: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> Keys:
        if len(secret) < 16:
            raise DataError("masking key: the secret must be at least 16 bytes")
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        def derive(info: bytes) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"auditor-mask-v1", info=info).derive(secret)

        return cls(derive(b"hmac-sha256 tokens"), derive(b"aes-256-gcm"))


def _decode_secret(text: str) -> bytes:
    t = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{32,}", t) and len(t) % 2 == 0:
        return bytes.fromhex(t)
    try:
        raw = base64.b64decode(t, validate=True)
        if len(raw) >= 16:
            return raw
    except (binascii.Error, ValueError):
        pass
    return t.encode("utf-8")


def resolve_keys(policy: MaskPolicy, kms_client: Any = None) -> Keys | None:
    """The policy's keys (env var or KMS data key); None when no operator needs one."""
    if not policy.needs_key():
        return None
    src = policy.key
    if "env" in src:
        value = os.environ.get(src["env"])
        if not value:
            raise DataError(f"{policy.source}: masking key env var {src['env']} is not set")
        return Keys.from_secret(_decode_secret(value))
    blob: bytes
    if "kms_ciphertext_file" in src:
        try:
            blob = Path(src["kms_ciphertext_file"]).read_bytes()
        except OSError as exc:
            raise DataError(f"{policy.source}: cannot read {src['kms_ciphertext_file']} ({exc.strerror})") from None
    elif "kms_ciphertext_env" in src:
        value = os.environ.get(src["kms_ciphertext_env"], "")
        try:
            blob = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise DataError(f"{policy.source}: {src['kms_ciphertext_env']} is not base64") from None
        if not blob:
            raise DataError(f"{policy.source}: masking key env var {src['kms_ciphertext_env']} is not set")
    else:
        raise DataError(f"{policy.source}: no masking key configured")
    return Keys.from_secret(_kms_decrypt(blob, kms_client, policy.source))


def _kms_decrypt(blob: bytes, client: Any, source: str) -> bytes:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        out = (client or default_client("kms")).decrypt(CiphertextBlob=blob)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise DataError(f"{source}: KMS Decrypt of the masking data key failed ({code})") from None
    except BotoCoreError as exc:
        raise DataError(f"{source}: cannot reach KMS ({type(exc).__name__})") from None
    return bytes(out["Plaintext"])


# --------------------------------------------------------------------------- operators

class Masker:
    """Applies operators to values; holds the derived keys."""

    def __init__(self, policy: MaskPolicy, keys: Keys | None = None) -> None:
        self.policy = policy
        self.keys = keys if keys is not None else resolve_keys(policy)

    def token(self, value: str) -> str:
        assert self.keys is not None
        # hmac.digest: the one-shot C path, same bytes as hmac.new(...).digest() at a third of the cost.
        return "tok_" + hmac.digest(self.keys.hmac_key, value.encode("utf-8"), "sha256").hex()[:32]

    def encrypt(self, value: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        assert self.keys is not None
        nonce = os.urandom(12)
        ct = AESGCM(self.keys.aes_key).encrypt(nonce, value.encode("utf-8"), b"auditor-mask-v1")
        return "enc:v1:" + base64.urlsafe_b64encode(nonce + ct).decode("ascii").rstrip("=")

    def decrypt(self, token: str) -> str:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        assert self.keys is not None
        body = token[len("enc:v1:"):]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return AESGCM(self.keys.aes_key).decrypt(raw[:12], raw[12:], b"auditor-mask-v1").decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error):
            raise DataError("cannot decrypt a masked value: wrong key or corrupted token") from None

    def try_decrypt(self, token: str) -> str | None:
        """The plaintext of a well-formed token, or None when it does not decrypt with this key."""
        try:
            return self.decrypt(token)
        except (DataError, UnicodeDecodeError):
            return None

    def apply(self, op: Operator, value: str, entity: str | None, free_text: bool = False) -> str | None:
        """The masked form of one value."""
        if op.name == "redact":
            return "" if free_text else None
        if op.name == "replace":
            return op.value if op.value is not None else f"<{entity or 'PII'}>"
        if op.name == "partial":
            return partial_mask(value, op.keep_first, op.keep_last, op.char)
        if op.name == "hash":
            return self.token(value)
        return self.encrypt(value)


def partial_mask(value: str, keep_first: int = 0, keep_last: int = 4, char: str = "*") -> str:
    """Mask letters and digits except the first/last few; separators stay. Short values are fully masked."""
    alnum = [c.isalnum() for c in value]
    total = sum(alnum)
    if total <= keep_first + keep_last + 2:
        first, last = 0, total  # too short to keep anything without revealing most of it
    else:
        first, last = keep_first, total - keep_last  # the k-th letter or digit is kept unless first <= k < last
    out, k = [], 0
    for c, is_alnum in zip(value, alnum, strict=True):
        if is_alnum:
            out.append(char if first <= k < last else c)
            k += 1
        else:
            out.append(c)
    return "".join(out)


def _mask_structured(series: pd.Series, op: Operator, entity: str | None, masker: Masker) -> pd.Series:
    """Every value that is not masking output yet, through ``op`` (each distinct value once)."""
    import pandas as pd

    codes, uniques = pd.factorize(as_text(series), use_na_sentinel=True)
    blank, masked, _ = masked_flags(pd.Series(uniques, dtype="str"))
    kept = (blank | masked).tolist()
    if op.name == "encrypt":  # a fresh nonce per cell: equal values must not give equal ciphertexts
        out = [None if c < 0 else uniques[c] if kept[c] else masker.encrypt(str(uniques[c])) for c in codes]
        return pd.Series(out, index=series.index, dtype="str")
    masked = [u if k else masker.apply(op, str(u), entity) for u, k in zip(uniques, kept, strict=True)]
    values = [masked[c] if c >= 0 else None for c in codes]
    return pd.Series(values, index=series.index, dtype="str")


def mask_text(text: str, spans: Sequence[Any], policy: MaskPolicy, masker: Masker, column: str | None = None) -> str:
    """Replace each span (right to left, so offsets stay valid) by its operator's output."""
    out = text
    for s in sorted(spans, key=lambda s: s.start, reverse=True):
        op = policy.operator_for(s.entity, column)
        out = out[:s.start] + (masker.apply(op, text[s.start:s.end], s.entity, free_text=True) or "") + out[s.end:]
    return out


def mask_frame(df: pd.DataFrame, classification: FrameClassification | dict[str, ColumnClassification],
               policy: MaskPolicy | None = None, masker: Masker | None = None) -> pd.DataFrame:
    """A masked copy of ``df``: PII columns by operator, free-text and mixed columns span by span.

    ``classification`` comes from ``classify_frame`` (or the scan). In a PII column
    the values that are already masked are kept; every other value is masked.
    """
    import pandas as pd

    policy = policy or MaskPolicy()
    masker = masker or Masker(policy)
    cols = classification.columns if isinstance(classification, FrameClassification) else classification
    analyzer = classification.analyzer if isinstance(classification, FrameClassification) else None
    out = df.copy()
    for name, c in cols.items():
        if name not in out.columns:
            continue
        if c.free_text and policy.strict_free_text:
            out[name] = _redact_cells(out[name])
        elif c.mask_scope == "spans":
            column = name if c.kind == "mixed" else None
            out[name] = _mask_spans(out[name], policy, masker, analyzer, column)
        elif c.mask_scope == "column":
            out[name] = _mask_structured(out[name], policy.operator_for(c.entity, name), c.entity, masker)
    return pd.DataFrame(out)


def _redact_cells(series: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series([REDACTED_CELL if isinstance(v, str) and v.strip() else v for v in series.tolist()],
                     index=series.index, dtype="str")


def _mask_spans(series: pd.Series, policy: MaskPolicy, masker: Masker, analyzer: Any,
                column: str | None) -> pd.Series:
    """Every value analysed (de-duplicated, cached); detected spans masked, the rest kept."""
    import pandas as pd

    if analyzer is None:
        raise DataError("masking free text needs the analyzer: pass the FrameClassification from classify_frame")
    values = as_text(series).tolist()
    spans = analyzer.analyze_many(values)
    masked = [mask_text(v, s, policy, masker, column) if (s and isinstance(v, str)) else v
              for v, s in zip(values, spans, strict=True)]
    return pd.Series(masked, index=series.index, dtype="str")


@dataclass
class UnmaskCounts:
    """What unmasking found: cells decrypted, and well-formed tokens this key does not open."""

    decrypted: int = 0
    undecryptable: int = 0


def unmask_frame(df: pd.DataFrame, masker: Masker, counts: UnmaskCounts | None = None) -> tuple[pd.DataFrame, int]:
    """Decrypt the ``enc:v1:`` tokens in text columns; returns (frame, number of cells decrypted).

    Only well-formed tokens (``ENC_TOKEN_RE``) are decrypted; text that merely
    contains ``enc:v1:`` and tokens that do not decrypt with this key (forged,
    corrupted, another key's) are left exactly as they are and counted in
    ``counts.undecryptable``: one odd cell never fails a whole file.
    """
    counts = counts if counts is not None else UnmaskCounts()
    out = df.copy()
    total = 0
    for name in out.columns:
        s = out[name]
        if str(s.dtype) not in ("str", "string", "object"):
            continue
        has = s.astype("str").str.contains("enc:v1:", regex=False, na=False)
        if not has.any():
            continue
        values = s[has].tolist()
        changed = [_unmask_text(v, masker, counts) if isinstance(v, str) else v for v in values]
        hit = [new != old for new, old in zip(changed, values, strict=True)]
        total += sum(hit)
        out.loc[has, name] = changed
    counts.decrypted += total
    return out, total


def _unmask_text(text: str, masker: Masker, counts: UnmaskCounts) -> str:
    def repl(m: re.Match[str]) -> str:
        plain = masker.try_decrypt(m.group(0))
        if plain is None:
            counts.undecryptable += 1
            return m.group(0)
        return plain

    return ENC_TOKEN_RE.sub(repl, text)
