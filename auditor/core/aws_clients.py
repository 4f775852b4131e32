"""How every AWS client auditor uses is made: one ``Config`` (adaptive retries, short connect
timeout, auditor's user agent) and one factory, for every layer that calls AWS.

The AWS audit builds its clients through :class:`auditor.aws.session.AwsSession` (profiles,
assumed roles, caching); the data, pipeline, report and scheduler layers, which make a handful
of S3, KMS, Glue, Athena or SNS calls with the default credentials, use :func:`default_client`::

    s3 = default_client("s3")                      # the environment's credentials and region
    sns = default_client("sns", region="eu-west-1")

boto3 is imported on first use, so importing this module costs nothing.
"""

from __future__ import annotations

import os
import re
from typing import Any


def client_config(*, max_attempts: int = 5, connect_timeout: float = 3.0, read_timeout: float = 30.0,
                  max_pool_connections: int = 10) -> Any:
    """The botocore ``Config`` of every client auditor makes: adaptive retries, short connect timeout.

    ``max_attempts`` counts the first try, like ``AWS_MAX_ATTEMPTS`` (botocore's
    ``retries.max_attempts`` does not).
    """
    from botocore.config import Config

    return Config(retries={"mode": "adaptive", "total_max_attempts": max_attempts},
                  connect_timeout=connect_timeout, read_timeout=read_timeout,
                  max_pool_connections=max_pool_connections, user_agent_extra="auditor")


def make_client(boto_session: Any, service: str, region: str | None, config: Any, **credentials: str) -> Any:
    """A client of ``boto_session`` for ``service`` in ``region``, as auditor needs it.

    ``credentials`` (``aws_access_key_id``, ``aws_secret_access_key``, ``aws_session_token``)
    override the session's own. An s3control client behind a custom endpoint (moto, a proxy)
    keeps the endpoint's host: S3 Control's endpoint rules prefix it with the account id, and
    ``<account>.127.0.0.1`` does not resolve.
    """
    client = boto_session.client(service, region_name=region, config=config, **credentials)
    if service == "s3control" and _custom_endpoint():
        client.meta.events.register("before-sign.s3-control", _strip_account_host)
    return client


def default_client(service: str, region: str | None = None, **config: Any) -> Any:
    """A client with the default credential chain (environment, profile, instance role), made
    like every other auditor client; ``config`` overrides :func:`client_config`'s arguments."""
    import boto3

    return make_client(boto3.session.Session(), service, region, client_config(**config))


def _strip_account_host(request: Any, **_: Any) -> None:
    request.url = re.sub(r"^(https?://)\d{12}\.", r"\1", request.url)


def _custom_endpoint() -> bool:
    return bool(os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL"))


__all__ = ["client_config", "default_client", "make_client"]
