"""Fixtures for the baseline: a moto account with AWS managed policies loaded.

``AWSSupportAccess`` (the CIS support role) is an AWS managed policy; moto only
knows those when ``MOTO_IAM_LOAD_MANAGED_POLICIES`` is set before its IAM
backend is created, so the variable is set before ``mock_aws`` starts. Loading
all ~1,300 of them costs about 2 s per account, so the fixture gives moto only
the ones the baseline attaches (same data, same behaviour, a fraction of the time).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest


@functools.cache
def _baseline_managed_policies() -> str:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    from auditor.baseline.spec import ROLES

    wanted = {name for _, _, _, managed in ROLES.values() for name in managed}
    every = json.loads(aws_managed_policies_data)
    assert wanted <= set(every), wanted - set(every)
    return json.dumps({name: every[name] for name in wanted})


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 session on a fresh moto account (123456789012, us-east-1)."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    monkeypatch.setattr("moto.iam.models.aws_managed_policies_data", _baseline_managed_policies())
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def cfg() -> Any:
    from auditor.baseline.baseline_section import BaselineConfig

    return BaselineConfig(alert_email="governance-alerts@example.com")
