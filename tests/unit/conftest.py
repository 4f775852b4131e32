"""Fixtures for core unit tests: a test resource type and a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.core.context import RunContext
from auditor.core.resources import ResourceType, resource_types

FROZEN = datetime(2026, 6, 1, tzinfo=UTC)

if "test.widget" not in resource_types:

    @resource_types.register("test.widget")
    class Widget(ResourceType):
        """A resource type used only by the unit tests."""

        attributes = {"Name": "name", "Size": "int", "Enabled": "bool", "Created": "timestamp",
                      "Tags": "dict", "Items": "list", "Policy": "dict", "Owner": "str"}


@pytest.fixture
def frozen_context() -> RunContext:
    return RunContext(clock=lambda: FROZEN, run_id="test-run")
