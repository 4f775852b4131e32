"""The one place where an environment failure becomes a user's one-line error.

Code below the CLI lets file-system, AWS and network errors it cannot handle
better travel up; :func:`translate` turns them into a line that names the path,
bucket or endpoint, and an exit code. An exception it does not recognise is a bug:
the CLI says ``internal error`` (exit 3) and ``--debug`` shows the trace.

What is translated (exit 2 unless said otherwise):

- ``OSError`` about the user's files or machine (ENOENT, EISDIR, ENOTDIR, EEXIST,
  EACCES, EROFS, ENOSPC...): ``out/x.csv: no space left on the device``;
- no, incomplete or unloadable AWS credentials, an unknown profile, keys AWS
  rejects, an endpoint that does not answer: ``cannot reach AWS at http://...``;
- a request AWS refuses (NoSuchBucket, AccessDenied, any other 4xx):
  ``S3 bucket 'lake' does not exist (NoSuchBucket in PutObject)``;
- AWS failing on its side (throttling past retries, 5xx): exit 3, could not evaluate;
- ``URLError`` and an invalid URL (never echoed: a webhook URL is a secret);
- DuckDB out of disk or memory.

Usage (``AuditorGroup.invoke`` does this)::

    problem = translate(exc)
    if problem is not None:
        echo(f"error: {problem.message}"); exit(problem.exit_code)
"""

from __future__ import annotations

import http.client
import urllib.error
from dataclasses import dataclass
from typing import Any

from auditor.aws.access import setup_problem
from auditor.core.aws_codes import DENIED, FAILING, MISSING
from auditor.core.oserrors import ENVIRONMENT_ERRNOS, describe_os_error, one_line

EXIT_USAGE, EXIT_ERROR = 2, 3


@dataclass(frozen=True)
class Translated:
    """A one-line message (without the ``error:`` prefix) and the exit code."""

    message: str
    exit_code: int = EXIT_USAGE


def translate(exc: BaseException) -> Translated | None:
    """The one-line error for an environment failure, or None for an exception that is a bug."""
    module = type(exc).__module__
    if module.startswith(("botocore", "boto3", "s3transfer")):
        return _aws(exc)
    if module.startswith("duckdb"):
        return _duckdb(exc)
    if isinstance(exc, http.client.InvalidURL):
        # Never echo the URL: a webhook URL is a secret.
        return Translated("invalid URL: it contains a space or a control character (a line break?)")
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason if not isinstance(exc.reason, OSError) else (exc.reason.strerror or exc.reason)
        return Translated(one_line(f"cannot reach the URL: {reason}"))
    if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
        return Translated(describe_os_error(exc))
    if isinstance(exc, TimeoutError | ConnectionError):
        return Translated(one_line(f"network: {exc.strerror or type(exc).__name__}"))
    return None


def _aws(exc: BaseException) -> Translated | None:
    problem = setup_problem(exc)  # credentials, an unknown profile, rejected keys, an endpoint that does not answer
    if problem is not None:
        return Translated(one_line(problem))
    name = type(exc).__name__
    if name in ("S3UploadFailedError", "S3TransferFailedError", "RetriesExceededError"):
        cause = exc.__cause__ or exc.__context__
        if cause is not None and cause is not exc:
            inner = translate(cause)
            if inner is not None:
                return inner
        return Translated(one_line(f"S3 transfer failed ({name})"))
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return _client_error(exc, response)
    if name in ("ReadTimeoutError", "ConnectionClosedError", "EndpointConnectionError", "ConnectTimeoutError",
                "ProxyConnectionError", "SSLError", "HTTPClientError"):
        kwargs: dict[str, Any] = getattr(exc, "kwargs", None) or {}
        where = kwargs.get("endpoint_url") or "its endpoint"
        return Translated(one_line(f"cannot reach AWS at {where} ({name}; check AWS_ENDPOINT_URL, the region, "
                                   "and network or proxy access)"))
    if name in ("NoRegionError", "InvalidRegionError", "UnknownServiceError", "ParamValidationError"):
        return Translated(one_line(f"AWS configuration: {exc}"))
    return None


def _client_error(exc: BaseException, response: dict[str, Any]) -> Translated:
    error = response.get("Error") or {}
    code = str(error.get("Code") or "ClientError")
    operation = getattr(exc, "operation_name", "") or "the call"
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
    bucket = error.get("BucketName")
    about = f" on bucket '{bucket}'" if bucket else ""
    if code in MISSING:
        what = f"S3 bucket '{bucket}' {MISSING[code]}" if bucket else f"AWS: {operation}: the target {MISSING[code]}"
        return Translated(one_line(f"{what} ({code} in {operation})"))
    if code in DENIED:
        return Translated(one_line(f"AWS refused {operation}{about}: {code} (check the permissions of these "
                                   "credentials and the bucket policy)"))
    if code in FAILING or int(status) >= 500:
        return Translated(one_line(f"AWS failed to answer {operation}{about}: {code} (a temporary failure; "
                                   "try again later)"), EXIT_ERROR)
    return Translated(one_line(f"AWS refused {operation}{about}: {code}"))


def _duckdb(exc: BaseException) -> Translated | None:
    name = type(exc).__name__
    if name in ("IOException", "OutOfMemoryException"):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else name
        return Translated(one_line(f"DuckDB: {first}"))
    return None
