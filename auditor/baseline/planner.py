"""Plan and apply: compare the live account with the baseline, then converge it.

Example::

    from auditor.baseline.planner import plan, apply
    p = plan(boto3.Session(), BaselineConfig())      # read-only
    print("\\n".join(p.lines())); exit(p.exit_code)  # 0 nothing to do, 1 changes, 3 errors
    result = apply(boto3.Session(), BaselineConfig())  # converges, then re-plans

Apply works item by item in dependency order (roles before the key policies
that name them, keys before the buckets they encrypt, buckets before the
trail...), re-reading each item just before writing it, so a second apply
finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.aws.access import first_call
from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.live import LiveContext, build_items, error_code
from auditor.baseline.model import ABSENT, Change, Item
from auditor.baseline.spec import Spec, build_spec
from auditor.baseline.templates import Target
from auditor.core.aws_clients import client_config, make_client
from auditor.core.errors import CollectionError, UsageError


def target_of(session: Any, cfg: BaselineConfig) -> Target:
    """Account and partition of the session's credentials; region from the config.

    One quick call (one attempt, short connect timeout), so missing credentials
    or an unreachable endpoint fail in seconds with one clear error (exit 2).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    quick = client_config(max_attempts=1, connect_timeout=3, read_timeout=10)
    try:
        with first_call("nothing was read or changed"):
            arn = make_client(session, "sts", cfg.region, quick).get_caller_identity()["Arn"]
    except ClientError as exc:
        raise CollectionError(f"cannot identify the AWS account: GetCallerIdentity: {error_code(exc)}") from exc
    except BotoCoreError as exc:
        raise CollectionError(f"cannot identify the AWS account: {exc}") from exc
    parts = arn.split(":")
    if cfg.account_id and parts[4] != cfg.account_id:
        raise UsageError(f"the session's account is {parts[4]} but the baseline config names {cfg.account_id}: "
                         "refusing to plan or apply (check --profile / AWS_PROFILE)")
    return Target(account=parts[4], region=cfg.region, partition=parts[1])


@dataclass
class Plan:
    """The changes apply would make (and notes about what it cannot do)."""

    changes: list[Change]
    spec: Spec | None = None

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.changes]

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.action == "error"]

    @property
    def exit_code(self) -> int:
        """0 nothing would change, 1 something would, 3 something could not be read."""
        return 3 if self.errors else 1 if self.pending else 0

    def summary(self) -> str:
        n = {a: sum(1 for c in self.changes if c.action == a) for a in ("create", "update", "no-op", "error")}
        text = f"Plan: {n['create']} to create, {n['update']} to update, {n['no-op']} unchanged"
        return text + (f", {n['error']} could not be read" if n["error"] else "") + "."

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable plan (``auditor baseline plan --json``)."""
        return {"summary": self.summary(), "exit_code": self.exit_code,
                "changes": [{"address": c.address, "action": c.action, "diffs": c.diffs, "notes": c.notes}
                            for c in self.changes if c.action != "no-op" or c.notes]}

    def lines(self, verbose: bool = False) -> list[str]:
        out: list[str] = []
        for c in self.changes:
            if verbose or c.action != "no-op" or c.notes:
                out += c.lines()
        return [*out, self.summary()]


def _judge(ctx: LiveContext, item: Item) -> tuple[Change, Any, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        current = item.read()
        desired = ctx.resolve(item.desired)
        diffs = item.compare(current, desired)
        notes = item.notes(current) if item.notes else []
    except ClientError as exc:
        op = exc.operation_name if hasattr(exc, "operation_name") else "call"
        return Change(item.address, "error", [f"{op}: {error_code(exc)}"]), ABSENT, None
    except BotoCoreError as exc:
        return Change(item.address, "error", [type(exc).__name__]), ABSENT, None
    action = "no-op" if not diffs else "create" if current is ABSENT else "update"
    return Change(item.address, action, diffs, notes), current, desired


def plan(session: Any, cfg: BaselineConfig) -> Plan:
    """Read-only comparison of the account with the baseline."""
    spec = build_spec(cfg, target_of(session, cfg))
    ctx = LiveContext(session, spec)
    return Plan([_judge(ctx, item)[0] for item in build_items(ctx)], spec)


@dataclass
class ApplyResult:
    """What apply did, and the plan of the account afterwards."""

    applied: list[Change] = field(default_factory=list)
    failed: list[Change] = field(default_factory=list)
    after: Plan | None = None

    def summary(self) -> str:
        text = f"Apply: {sum(c.action == 'create' for c in self.applied)} created, " \
               f"{sum(c.action == 'update' for c in self.applied)} updated"
        return text + (f", {len(self.failed)} failed" if self.failed else "") + "."

    def lines(self) -> list[str]:
        out = [line for c in self.applied for line in c.lines()]
        out += [line for c in self.failed for line in c.lines()]
        return [*out, self.summary()]


def apply(session: Any, cfg: BaselineConfig) -> ApplyResult:
    """Converge the account: create or update every item that differs; never delete.

    An item whose write fails is reported and the items after it still run
    (they may not depend on it); the final plan shows what is left.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    spec = build_spec(cfg, target_of(session, cfg))
    ctx = LiveContext(session, spec)
    result = ApplyResult()
    for item in build_items(ctx):
        change, current, desired = _judge(ctx, item)
        if change.action == "error":
            result.failed.append(change)
            continue
        if not change.changes:
            continue
        try:
            item.write(current, desired)
        except ClientError as exc:
            result.failed.append(Change(item.address, "error", [f"{exc.operation_name}: {error_code(exc)}: "
                                                                 f"{exc.response.get('Error', {}).get('Message', '')}"]))
            continue
        except BotoCoreError as exc:
            result.failed.append(Change(item.address, "error", [f"{type(exc).__name__}: {exc}"]))
            continue
        result.applied.append(change)
    result.after = plan(session, cfg)
    return result
