"""Fixtures for the data-governance tests: one analyzer per session, a seeded sample table."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.data.pii import PiiAnalyzer, PiiSettings, build_analyzer


@pytest.fixture(scope="session")
def analyzer() -> PiiAnalyzer:
    """The offline analyzer, built once (building imports Presidio and spaCy: seconds)."""
    return build_analyzer(PiiSettings(workers=1))


@pytest.fixture(scope="session")
def registrar() -> tuple[Any, Any]:
    """(DataFrame, GroundTruth) of 400 seeded registrar rows."""
    from auditor.data.samples import generate_registrar

    return generate_registrar(rows=400, seed=7)
