"""Fixtures for the reporting tests: synthetic documents built by ``reporting_synth``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reporting_synth import hostile_finding, make_doc


@pytest.fixture
def doc() -> dict[str, Any]:
    return make_doc()


@pytest.fixture
def hostile_doc() -> dict[str, Any]:
    return make_doc(extra=[hostile_finding()])
