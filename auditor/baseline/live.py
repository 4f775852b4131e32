"""The live account side of plan/apply: clients, token resolution, item builders.

``LiveContext`` holds the boto3 session (injected, never created at import
time), caches clients per (service, region) and resolves the KMS key
placeholders of the spec to real ARNs through their aliases. Before a key
exists, a placeholder reads ``(known after apply: alias/...)`` in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from typing import Any

from auditor.baseline.model import ABSENT, Item
from auditor.baseline.spec import Desired, Spec
from auditor.baseline.templates import KEY_TOKENS
from auditor.core.aws_clients import client_config, make_client
from auditor.core.entry_points import PluginError, describe, register_group
from auditor.core.registry import Registry


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


Builder = Callable[[LiveContext, Desired], list[Item]]
BUILDERS_GROUP = "auditor.baseline_builders"
item_builders: Registry[Builder] = Registry("baseline resource kind")


def load_builders() -> Registry[Builder]:
    """The item builders: one function per resource kind of the spec, ``builder(ctx, desired) -> list[Item]``.

    Builders are entry points of the ``auditor.baseline_builders`` group, named by the resource
    kind they build (loaded once; one that fails to load is a ``PluginError``). auditor's own
    (``items_*.py``) are declared in its ``pyproject.toml`` exactly as a package adds one::

        [project.entry-points."auditor.baseline_builders"]
        sqs-queue = "my_package.baseline:queue"
    """
    return register_group(BUILDERS_GROUP, item_builders, _builder)


def _builder(ep: EntryPoint, obj: Any) -> Builder:
    if not callable(obj):
        raise PluginError(f"{describe(ep)}: a baseline builder is a function (ctx, desired) -> list[Item], "
                          f"not {type(obj).__name__}")
    builder: Builder = obj
    return builder


def build_items(ctx: LiveContext) -> list[Item]:
    """Every item of the spec, in apply order (each kind's builder from :func:`load_builders`)."""
    builders = load_builders()
    items: list[Item] = []
    for desired in ctx.spec.resources:
        items += builders.get(desired.kind)(ctx, desired)
    return items
