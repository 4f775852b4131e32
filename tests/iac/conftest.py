"""Fixtures for the IaC scan tests (helpers are in iac_helpers.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from auditor.cli import cli


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., tuple[Result, dict[str, Any] | None]]:
    """Run ``auditor iac scan ARGS --output-dir tmp`` and return (result, findings document or None)."""

    def run(*args: str) -> tuple[Result, dict[str, Any] | None]:
        out = tmp_path / "out"
        result = CliRunner().invoke(cli, ["iac", "scan", *args, "--output-dir", str(out)])
        path = out / "findings.json"
        return result, json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    return run
