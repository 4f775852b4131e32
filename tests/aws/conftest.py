"""Fixtures for the AWS layer: moto accounts, a scan helper, and the operation recorder.

Every AWS operation a scan session sends during the suite is recorded (botocore
``before-call`` through ``AwsSession.observers``); ``test_aws_zz_permissions``
checks the recorded set against ``policy_templates/iam/auditor-readonly.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aws_helpers import RECORDED


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
    from auditor.audit_run import default_rule_paths, prepare

    return prepare(default_rule_paths("aws"))


