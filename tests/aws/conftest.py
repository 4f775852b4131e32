"""Fixtures for the AWS layer: moto accounts, a scan helper, and the operation recorder.

Every AWS operation a scan session sends during the suite is recorded (botocore
``before-call`` through ``AwsSession.observers``); ``test_aws_zz_permissions``
checks the recorded set against ``policy_templates/iam/auditor-readonly.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

RECORDED: set[tuple[str, str]] = set()


@pytest.fixture(autouse=True, scope="session")
def _record_operations() -> Iterator[set[tuple[str, str]]]:
    from auditor.aws.session import AwsSession

    def observer(service: str, region: str, operation: str) -> None:
        RECORDED.add((service, operation))

    AwsSession.observers.append(observer)
    yield RECORDED
    AwsSession.observers.remove(observer)


@pytest.fixture
def aws() -> Iterator[None]:
    """An in-process moto account (account id 123456789012)."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture(scope="session")
def aws_rules() -> Any:
    from auditor.runner import default_rule_paths, prepare

    return prepare(default_rule_paths("aws"))


def scan(prepared: Any, regions: list[str] | None = None, **services: Any) -> dict[str, Any]:
    """Run a scan with a fixed clock; ``services`` go into the RunContext."""
    from auditor.aws.scan import ScanOptions, run_scan
    from auditor.core.context import RunContext

    ctx = RunContext(clock=lambda: datetime.now(UTC), services=dict(services))
    return run_scan(prepared, ScanOptions(regions=regions or ["us-east-1"], max_attempts=2), ctx)


def by_rule(doc: dict[str, Any], rule_id: str) -> dict[str, dict[str, Any]]:
    """Findings of one rule, keyed by resource id."""
    return {f["resource_id"]: f for f in doc["findings"] if f["rule_id"] == rule_id}


def only_rules(prepared: Any, *ids: str) -> Any:
    """A copy of ``prepared`` restricted to some rules."""
    from dataclasses import replace

    chosen = [r for r in prepared.rules if r.id in ids]
    assert len(chosen) == len(ids), f"unknown rule among {ids}"
    return replace(prepared, rules=chosen)
