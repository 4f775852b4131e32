"""File rules: FileFreshness, FileSize, FileMatch, FileUniqueness over a file, a folder or an S3 prefix.

Without a path they check the file(s) of the dataset being checked. Each file is one
"row": the rule passes when every file passes, or, with ``with threshold``, when that
share of files does. Tags: ``recentFiles = N`` (only the N most recently modified
files), ``uriRegex = "..."`` (only paths matching it), ``hashAlgorithm = "MD5" |
"SHA-1" | "SHA-256"`` (FileMatch, default SHA-256), ``matchFileName = "true"``
(FileMatch between folders: the same names too), ``timeZone`` (times of day).
Folders are read recursively; hidden files (``.name``) are left out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from auditor.data.quality.context import EvalContext
from auditor.data.quality.model import Rule, Str
from auditor.data.quality.operands import check
from auditor.data.quality.plugin import EvaluationError, Measurement, RuleType, compliance_verdict
from auditor.data.quality.registry import rule_type

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256"}
_TRUE = ("true", "1", "yes")


@dataclass
class FileInfo:
    uri: str
    size: int
    modified: datetime  # naive UTC
    _open: Any = None  # callable returning an iterator of byte chunks

    @property
    def name(self) -> str:
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    def digest(self, algorithm: str) -> str:
        h = hashlib.new(algorithm)
        for chunk in self._open():
            h.update(chunk)
        return h.hexdigest()


def _local(path: Path) -> list[FileInfo]:
    def opener(p: Path) -> Any:
        def read() -> Any:
            with p.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    yield chunk
        return read

    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
    else:
        raise EvaluationError(f"{path}: no such file or folder")
    out = []
    for p in files:
        st = p.stat()
        out.append(FileInfo(str(p), st.st_size, datetime.fromtimestamp(st.st_mtime, UTC).replace(tzinfo=None),
                            opener(p)))
    return out


def _s3(url: str) -> list[FileInfo]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, prefix = url[len("s3://"):].partition("/")
    client = boto3.client("s3")

    def opener(key: str) -> Any:
        def read() -> Any:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
            yield from body.iter_chunks(1 << 20)
        return read

    out = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if key.endswith("/") or any(part.startswith(".") for part in key[len(prefix):].split("/")):
                    continue
                modified = obj["LastModified"].astimezone(UTC).replace(tzinfo=None)
                out.append(FileInfo(f"s3://{bucket}/{key}", int(obj["Size"]), modified, opener(key)))
    except ClientError as exc:
        raise EvaluationError(f"{url}: S3 error {exc.response.get('Error', {}).get('Code', 'ClientError')}") from None
    except BotoCoreError as exc:
        raise EvaluationError(f"{url}: cannot reach S3 ({type(exc).__name__})") from None
    return out


def list_files(location: str, rule: Rule) -> list[FileInfo]:
    """The files of a path or S3 prefix, after the ``uriRegex`` and ``recentFiles`` tags."""
    files = _s3(location) if location.startswith(("s3://", "S3://")) else _local(Path(location))
    pattern = rule.tags.get("uriRegex")
    if pattern:
        files = [f for f in files if re.search(str(pattern), f.uri)]
    recent = rule.tags.get("recentFiles")
    if recent:
        files = sorted(files, key=lambda f: f.modified, reverse=True)[: int(float(recent))]
    if not files:
        raise EvaluationError(f"{location}: no files")
    return files


def _location(rule: Rule, ctx: EvalContext, index: int = 0) -> str:
    if len(rule.params) > index:
        return rule.params[index].value
    if not ctx.data_path:
        raise EvaluationError(f"{rule.type} without a path needs the dataset's file (checking a path, not a frame)")
    return ctx.data_path


class _FileRule(RuleType):
    params = (0, 1)
    param_label = "a path"
    where = "no"
    threshold = True

    def columns(self, rule: Rule) -> list[str]:
        return []

    def metric_name(self, rule: Rule) -> str:
        return f"Dataset.*.{self.name}.Compliance"

    def compliance(self, rule: Rule, files: list[FileInfo], ok: list[bool]) -> Measurement:
        value = sum(ok) / len(ok)
        return Measurement(value, {self.metric_name(rule): value, "Dataset.*.FileCount": len(files)},
                           failing=len(ok) - sum(ok),
                           message=f"{len(ok) - sum(ok)} of {len(ok)} files fail" if not all(ok) else "")

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        return compliance_verdict(rule, m, ctx)


@rule_type
class FileFreshness(_FileRule):
    """``FileFreshness "s3://bucket/folder/" > (now() - 24 hours)``: files were modified in that window."""

    name = "FileFreshness"
    condition = "date"
    examples = ('FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/tickets.parquet" > (now() - 24 hours)',
                'FileFreshness "s3://bucket/" >= (now() -1 days)',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" >= (now() - 24 hours)',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" < (now() - 10 days) with threshold > 0.1',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" > "2020-01-01"',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" between "2023-01-01" and "2024-01-01"',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" between now() and (now() - 45 minutes)',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" between "9:30 AM" and "9:30 PM"',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" > (now() - 10 minutes)',
                'FileFreshness "s3://amzn-s3-demo-bucket/artifacts/file/tickets/" > now()')

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        files = list_files(_location(rule, ctx), rule)
        assert rule.condition is not None
        env = ctx.env_for(rule)
        return self.compliance(rule, files, [check(rule.condition, f.modified, env) for f in files])


@rule_type
class FileSize(_FileRule):
    """``FileSize < 5 GB``: each file's size (B, KB, MB, GB, TB; a bare number is bytes)."""

    name = "FileSize"
    condition = "size"
    examples = ('FileSize "s3://amzn-s3-demo-bucket/file.json" > 1 MB', 'FileSize "s3://bucket/" between 1 KB and 5 GB',
                'FileSize < 5 GB', 'FileSize "s3://bucket/folder/" <= 100 MB with threshold > 0.9')

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        files = list_files(_location(rule, ctx), rule)
        assert rule.condition is not None
        env = ctx.env_for(rule)
        return self.compliance(rule, files, [check(rule.condition, float(f.size), env) for f in files])


@rule_type
class FileMatch(_FileRule):
    """``FileMatch "s3://b/file.json" in ["<sha256>"]`` or ``FileMatch "s3://a/" "s3://b/"``: checksums match."""

    name = "FileMatch"
    params = (0, 2)
    param_label = "a path (or two)"
    condition = "string"
    condition_optional = True
    examples = ('FileMatch "s3://amzn-s3-demo-bucket/file.json" in ["3ee0d8617ac041793154713e5ef8f319"] '
                'with hashAlgorithm = "MD5"',
                'FileMatch "s3://amzn-s3-demo-bucket/file.json" in ["3ee0d8617ac041793154713e5ef8f319"]',
                'FileMatch "s3://amzn-s3-demo-bucket /" in ["3ee0d8617ac041793154713e5ef8f319", '
                '"7e8617ac041793154713e5ef8f319"] with hashAlgorithm = "MD5"',
                'FileMatch "s3://amzn-s3-demo-bucket/folder1/" "s3://amzn-s3-demo-bucket/folder2/"',
                'FileMatch in ["3ee0d8617ac041793154713e5ef8f319"]')

    def validate(self, rule: Rule) -> str | None:
        algo = rule.tags.get("hashAlgorithm", "SHA-256")
        if str(algo).upper() not in _HASHES:
            return f"hashAlgorithm must be one of {', '.join(_HASHES)}"
        if rule.condition is None and len(rule.params) != 2:
            return 'FileMatch takes two paths, or a path and in ["checksum", ...]'
        if rule.condition is not None and (rule.condition.op != "in" or len(rule.params) > 1):
            return 'FileMatch compares with in ["checksum", ...]'
        return None

    def metric_name(self, rule: Rule) -> str:
        return "Dataset.*.FileMatch.Compliance"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        algo = _HASHES[str(rule.tags.get("hashAlgorithm", "SHA-256")).upper()]
        files = list_files(_location(rule, ctx), rule)
        if rule.condition is not None:
            wanted = {str(o.value).lower() for o in rule.condition.operands if isinstance(o, Str)}
            ok = [(f.digest(algo) in wanted) != rule.condition.negated for f in files]
            return self.compliance(rule, files, ok)
        others = list_files(rule.params[1].value, rule)
        by_name = str(rule.tags.get("matchFileName", "")).lower() in _TRUE
        theirs = {(f.name if by_name else "", f.digest(algo)) for f in others}
        mine = [(f.name if by_name else "", f.digest(algo)) for f in files]
        ok = [k in theirs for k in mine]
        if len(files) == len(others) == 1 or set(mine) == theirs:
            return self.compliance(rule, files, ok)
        # Files only the second location has fail the match too.
        extra = len(theirs - set(mine))
        return self.compliance(rule, files + others[:extra], ok + [False] * extra)


@rule_type
class FileUniqueness(_FileRule):
    """``FileUniqueness "s3://bucket/" > 0.5``: distinct file contents / files (1.0: no duplicate files)."""

    name = "FileUniqueness"
    threshold: ClassVar[bool] = False
    examples = ('FileUniqueness "s3://bucket/" > 0.5', 'FileUniqueness "s3://bucket/folder/" = 1',
                'FileUniqueness > 0.5', 'FileUniqueness "s3://amzn-s3-demo-bucket/" > 0.5 with recentFiles = 1')

    def metric_name(self, rule: Rule) -> str:
        return "Dataset.*.FileUniquenessRatio"

    def measure(self, rule: Rule, ctx: EvalContext) -> Measurement:
        files = list_files(_location(rule, ctx), rule)
        digests = [f.digest("sha256") for f in files]
        value = len(set(digests)) / len(digests)
        return Measurement(value, {"Dataset.*.FileUniquenessRatio": value, "Dataset.*.FileCount": len(files)})

    def verdict(self, rule: Rule, m: Measurement, ctx: EvalContext) -> bool:
        assert rule.condition is not None
        return ctx.check(rule.condition, m.value, rule)

