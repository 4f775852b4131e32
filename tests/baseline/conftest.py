"""Fixtures for the baseline: a moto account with AWS managed policies loaded.

``AWSSupportAccess`` (the CIS support role) is an AWS managed policy; moto only
knows those when ``MOTO_IAM_LOAD_MANAGED_POLICIES`` is set before its IAM
backend is created, so the variable is set before ``mock_aws`` starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 session on a fresh moto account (123456789012, us-east-1)."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def cfg() -> Any:
    from auditor.baseline.config import BaselineConfig

    return BaselineConfig(alert_email="governance-alerts@example.com")
