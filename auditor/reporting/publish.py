"""Publish a report folder to S3 as a static site (``--publish s3://bucket/prefix``).

Every file is uploaded with its content type (so a browser renders
``index.html`` instead of downloading it) and ``Cache-Control: no-cache`` on
HTML/JSON (a re-published report is seen at once). No ACL is sent unless
``public=True``: buckets with Object Ownership "bucket owner enforced" reject
ACLs anyway, and a compliance report is not public by default. Serve it via
CloudFront with origin access control, or an S3 website endpoint if you chose
``--public``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditor.core.aws_clients import default_client
from auditor.core.aws_codes import callers_problem, code_in
from auditor.core.errors import CollectionError, DataError, UsageError

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".json": "application/json", ".sarif": "application/sarif+json",
    ".xml": "application/xml", ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml", ".css": "text/css",
    ".js": "text/javascript", ".png": "image/png", ".txt": "text/plain; charset=utf-8",
}
NO_CACHE = (".html", ".json")


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix without slashes at the ends)."""
    if not url.startswith("s3://") or len(url) <= 5:
        raise UsageError(f"--publish needs s3://bucket/prefix, got '{url}'")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise UsageError(f"--publish needs s3://bucket/prefix, got '{url}'")
    return bucket, prefix.strip("/")


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _publish_error(where: str, code: str) -> Exception:
    """Exit 2 when the destination or the credentials are wrong (``core/aws_codes``), else 3."""
    if callers_problem(code):
        return DataError(f"{where}: {code} (check the bucket, its region and the credentials)")
    return CollectionError(f"{where}: {code}")


def publish(files: Iterable[Path], url: str, *, public: bool = False, client: Any = None) -> list[str]:
    """Upload ``files`` (flat, by name) under ``url``; returns the object URLs."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = parse_s3_url(url)
    s3 = client or default_client("s3")
    out = []
    for path in files:
        key = f"{prefix}/{path.name}" if prefix else path.name
        extra: dict[str, Any] = {"ContentType": content_type(path)}
        if path.suffix.lower() in NO_CACHE:
            extra["CacheControl"] = "no-cache"
        if public:
            extra["ACL"] = "public-read"
        where = f"could not publish {path.name} to s3://{bucket}/{key}"
        try:
            s3.upload_file(str(path), bucket, key, ExtraArgs=extra)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "ClientError")
            raise _publish_error(where, code) from None
        except (BotoCoreError, S3UploadFailedError) as exc:
            # upload_file wraps the service's answer in its message ("... NoSuchBucket ...").
            text = " ".join(str(exc).split())
            code = code_in(text) or type(exc).__name__
            raise _publish_error(where, code if callers_problem(code) else text) from None
        out.append(f"s3://{bucket}/{key}")
    return out
