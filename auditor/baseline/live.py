"""The live account side of plan/apply: clients, token resolution, item builders.

``LiveContext`` holds the boto3 session (injected, never created at import
time), caches clients per (service, region) and resolves the KMS key
placeholders of the spec to real ARNs through their aliases. Before a key
exists, a placeholder reads ``(known after apply: alias/...)`` in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditor.baseline.model import ABSENT, Item
from auditor.baseline.spec import Desired, Spec
from auditor.baseline.templates import KEY_TOKENS


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def absent_on(*codes: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Decorate a reader: these botocore error codes mean "does not exist" (-> ABSENT)."""
    from botocore.exceptions import ClientError

    def wrap(fn: Callable[[], Any]) -> Callable[[], Any]:
        def read() -> Any:
            try:
                return fn()
            except ClientError as exc:
                if error_code(exc) in codes:
                    return ABSENT
                raise
        return read
    return wrap


@dataclass
class LiveContext:
    """A session, its clients, and the resolution of spec placeholders."""

    session: Any
    spec: Spec
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _keys: dict[str, str] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        """The client for ``service`` in ``region``, built by the AWS call layer (:func:`auditor.aws.session.make_client`).

        Same retry mode, timeouts and endpoint handling as the scan; more attempts, because
        apply makes bursts of writes that IAM and S3 throttle. Writes are never cached.
        """
        from auditor.aws.session import client_config, make_client

        region = region or self.spec.target.region
        if (service, region) not in self._clients:
            config = client_config(max_attempts=8, connect_timeout=5, read_timeout=30)
            self._clients[service, region] = make_client(self.session, service, region, config)
        return self._clients[service, region]

    def key_arn(self, alias: str) -> str | None:
        """The ARN behind a KMS alias, or None when it does not exist yet (cached once found)."""
        from botocore.exceptions import ClientError

        if alias not in self._keys:
            try:
                self._keys[alias] = self.client("kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
            except ClientError as exc:
                if error_code(exc) != "NotFoundException":
                    raise
                return None
        return self._keys[alias]

    def forget_key(self, alias: str) -> None:
        self._keys.pop(alias, None)

    def resolve(self, value: Any) -> Any:
        """``value`` with every key placeholder replaced by the live ARN (or a readable placeholder)."""
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and "__KMS_KEY_ARN_" in value:
            for purpose, token in KEY_TOKENS.items():
                if token in value:
                    alias = self.spec.cfg.alias(purpose)
                    value = value.replace(token, self.key_arn(alias) or f"(known after apply: {alias})")
        return value


def build_items(ctx: LiveContext) -> list[Item]:
    """Every item of the spec, in apply order."""
    from auditor.baseline import items_iam, items_kms, items_monitoring, items_s3, items_trail

    builders: dict[str, Callable[[LiveContext, Desired], list[Item]]] = {
        "iam-password-policy": items_iam.password_policy,
        "iam-role": items_iam.role,
        "iam-group": items_iam.group,
        "iam-role-policy": items_iam.role_policy,
        "kms-key": items_kms.key,
        "s3-account-public-access-block": items_s3.account_public_access_block,
        "s3-bucket": items_s3.bucket,
        "logs-log-group": items_trail.log_group,
        "cloudtrail-trail": items_trail.trail,
        "sns-topic": items_monitoring.topic,
        "logs-metric-filter": items_monitoring.metric_filter,
        "cloudwatch-alarm": items_monitoring.alarm,
        "cloudwatch-dashboard": items_monitoring.dashboard,
    }
    items: list[Item] = []
    for desired in ctx.spec.resources:
        items += builders[desired.kind](ctx, desired)
    return items
