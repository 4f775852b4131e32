"""Fixtures for the AWS layer: moto accounts, a scan helper, and the operation recorder.

Every AWS operation a scan session sends during a test is recorded (botocore
``before-call`` through ``AwsSession.observers``) and checked against
``policy_templates/iam/auditor-readonly.json`` when that test ends: each test checks its
own requests, so the check holds whatever order (or subset) of tests runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_helpers import missing_from_policy


@pytest.fixture(autouse=True)
def recorded_operations(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[tuple[str, str]]]:
    """The (service, operation) of every request this test's scan sessions sent; all must be in the policy."""
    from auditor.aws.session import AwsSession

    seen: set[tuple[str, str]] = set()

    def observer(service: str, region: str, operation: str) -> None:
        seen.add((service, operation))

    # A fresh observer list per test: the class-level list is process-wide, and an observer
    # a test leaves behind (or one from a previous test) must not hear this test's requests.
    monkeypatch.setattr(AwsSession, "observers", [observer])
    yield seen
    missing = missing_from_policy(seen)
    assert not missing, "operations missing from the read-only policy:\n" + "\n".join(missing)


@pytest.fixture
def aws() -> Iterator[None]:
    """An in-process moto account (account id 123456789012)."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture(scope="session")
def aws_rules() -> Any:
    from auditor.audit_run import default_rule_paths, prepare

    return prepare(default_rule_paths("aws"))


