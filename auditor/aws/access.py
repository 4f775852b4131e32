"""Can AWS be used at all? A run's first AWS call decides.

Missing, incomplete or rejected credentials, an unknown profile and an endpoint that does
not answer the first call are configuration problems: one line, exit 2, nothing evaluated
(:class:`AwsSetupError`). The same failures later in a run are one service's problem and
become ERROR findings (exit 3); this module is only used around the first call.

    with first_call():
        identity = sts.get_caller_identity()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from auditor.core.errors import AwsSetupError

#: Client-side failures that mean "the endpoint is not there" rather than "this call failed".
CONNECT_ERRORS = ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError")

#: botocore failures to *load* credentials (credential_process, SSO, assume-role chains).
_CREDENTIAL_LOAD_ERRORS = ("CredentialRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError",
                           "TokenRetrievalError", "SSOError", "InvalidConfigError")

#: Error codes of a request AWS refused for its credentials alone (not for a missing permission).
_REJECTED_CODES = ("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
                   "InvalidAccessKeyId", "UnrecognizedClientException", "AuthFailure")

NOTHING_EVALUATED = "nothing was evaluated"


def credentials_problem(exc: BaseException) -> str | None:
    """What is wrong with the credentials when ``exc`` says there are none usable, else None.

    True wherever it is raised: no retry or later call can fix missing credentials.
    """
    name = type(exc).__name__
    kwargs: dict[str, Any] = getattr(exc, "kwargs", None) or {}
    if name == "NoCredentialsError":
        return ("no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                "or run in an environment with a role)")
    if name == "PartialCredentialsError":
        return (f"incomplete AWS credentials: {kwargs.get('cred_var', 'a value')} is missing from the "
                f"{kwargs.get('provider', 'configured')} credentials (set both AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or use AWS_PROFILE)")
    if name == "ProfileNotFound":
        return (f"AWS profile '{kwargs.get('profile', '?')}' not found in the AWS config or credentials file "
                "(check --profile / AWS_PROFILE, or create it with 'aws configure --profile NAME')")
    if name in _CREDENTIAL_LOAD_ERRORS:
        return f"cannot load AWS credentials: {exc} (refresh them, e.g. 'aws sso login', or check AWS_PROFILE)"
    return None


def setup_problem(exc: BaseException) -> str | None:
    """What is wrong when ``exc``, raised by a run's *first* AWS call, means AWS cannot be used.

    Besides :func:`credentials_problem`: credentials AWS rejects and an endpoint that does
    not answer. Only at the first call: later, an endpoint that stops answering is one
    service's failure (ERROR findings), not a configuration problem.
    """
    problem = credentials_problem(exc)
    if problem is not None:
        return problem
    name = type(exc).__name__
    if name in CONNECT_ERRORS:
        kwargs: dict[str, Any] = getattr(exc, "kwargs", None) or {}
        where = kwargs.get("endpoint_url") or "its endpoint"
        return (f"cannot reach AWS at {where} ({name}; check AWS_ENDPOINT_URL, the region, "
                "and network or proxy access)")
    response = getattr(exc, "response", None)
    code = str((response or {}).get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
    if code in _REJECTED_CODES:
        operation = getattr(exc, "operation_name", "") or "the first call"
        return (f"AWS rejected the credentials: {operation}: {code} (check the access key, "
                "or refresh expired session credentials)")
    return None


def setup_error(exc: BaseException, outcome: str = NOTHING_EVALUATED) -> AwsSetupError | None:
    """The :class:`AwsSetupError` (exit 2) that ``exc`` at a run's first AWS call stands for, if any."""
    problem = setup_problem(exc)
    return None if problem is None else AwsSetupError(f"{problem}; {outcome}")


@contextmanager
def first_call(outcome: str = NOTHING_EVALUATED) -> Iterator[None]:
    """Around a run's first AWS call (and the session or client creation before it).

    Missing, incomplete or rejected credentials, an unknown profile and an unreachable
    endpoint become one :class:`AwsSetupError` line (exit 2) ending with ``outcome``;
    anything else goes through unchanged.
    """
    try:
        yield
    except AwsSetupError:
        raise
    except Exception as exc:
        error = setup_error(exc, outcome)
        if error is None:
            raise
        raise error from None


def probe_s3(bucket: str, client: Any = None, outcome: str = NOTHING_EVALUATED) -> None:
    """One HeadBucket before a run's first S3 read or write, so that missing credentials or
    an unreachable endpoint stop the run there with one line (exit 2).

    Any answer from S3 (even 403 or 404) means S3 is reachable with these credentials: the
    calls that follow report such problems where they occur.
    """
    from botocore.exceptions import ClientError

    with first_call(outcome):
        if client is None:
            from auditor.core.aws_clients import default_client  # deferred: pulls in boto3

            # A quick probe: one retry and a short connect timeout, so a dead endpoint costs seconds.
            client = default_client("s3", max_attempts=2, connect_timeout=3)
        try:
            client.head_bucket(Bucket=bucket)
        except ClientError:
            pass


__all__ = ["credentials_problem", "first_call", "probe_s3", "setup_error", "setup_problem"]
