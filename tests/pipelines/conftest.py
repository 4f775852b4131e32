"""Fixtures for the pipeline tests: one PII analyzer per session, small seeded inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from auditor.core.context import RunContext


@pytest.fixture(scope="session")
def pii_analyzer() -> Any:
    """Building Presidio takes seconds: share one (offline, pattern-based) across the tests."""
    from auditor.data.pii import PiiSettings, build_analyzer

    return build_analyzer(PiiSettings(sample_size=200, workers=1))


@pytest.fixture
def make_context(pii_analyzer: Any) -> Callable[..., RunContext]:
    counter = iter(range(1, 10_000))

    def make(**services: Any) -> RunContext:
        return RunContext(run_id=f"run{next(counter):04d}", services={"pii_analyzer": pii_analyzer, **services})

    return make

