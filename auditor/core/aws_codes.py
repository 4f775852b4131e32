"""AWS error codes sorted by whose problem they are: one table for every layer that reports them.

- ``MISSING`` / ``DENIED``: the request, its target or its credentials are wrong: the user's to
  fix (exit 2).
- ``FAILING``: AWS failed on its side or asked to slow down: the run could not finish (exit 3).
"""

from __future__ import annotations

MISSING = {"NoSuchBucket": "does not exist", "NoSuchKey": "has no such object", "NotFound": "was not found",
           "404": "was not found"}
DENIED = ("AccessDenied", "Forbidden", "403", "AllAccessDisabled", "AccountProblem", "InvalidObjectState",
          "AuthorizationHeaderMalformed", "PermanentRedirect", "InvalidBucketName", "InvalidAccessKeyId",
          "SignatureDoesNotMatch", "AccessControlListNotSupported")
FAILING = ("Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded", "TooManyRequestsException",
           "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
           "RequestTimeout", "RequestTimeoutException")
# Exceptions botocore raises before any answer: no credentials, no endpoint: the user's to fix.
SETUP_EXCEPTIONS = ("NoCredentialsError", "PartialCredentialsError", "EndpointConnectionError", "ConnectTimeoutError",
                    "ProxyConnectionError", "NoRegionError", "InvalidRegionError")


def callers_problem(code: str) -> bool:
    """True when ``code`` (an AWS error code or a botocore exception name) says the request, its
    target or its credentials are wrong; False when AWS failed or the code is unknown."""
    return code in MISSING or code in DENIED or code in SETUP_EXCEPTIONS


def code_in(text: str) -> str:
    """The first known code named in an error message ("... An error occurred (NoSuchBucket) ..."), or ""."""
    return next((c for c in (*MISSING, *DENIED, *FAILING, *SETUP_EXCEPTIONS) if c in text), "")
