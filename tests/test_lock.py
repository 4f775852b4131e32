"""The lock is the install: uv.lock matches pyproject.toml, and the hashed runtime set that
pip users, the Dockerfile and the GitHub Action install is exactly the lock's.

uv is the one ``make`` bootstraps into ``.tools/`` (or one on PATH); both checks run offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def uv() -> str:
    found = ROOT / ".tools" / "bin" / "uv" if (ROOT / ".tools" / "bin" / "uv").exists() else shutil.which("uv")
    assert found, "uv not found: run `make install` (it bootstraps uv into .tools/ from requirements/uv.txt)"
    return str(found)


def _uv(uv: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_OFFLINE": "1"}
    return subprocess.run([uv, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_uv_lock_matches_pyproject(uv: str) -> None:
    result = _uv(uv, "lock", "--check")
    assert result.returncode == 0, f"uv.lock is stale, run `make lock`: {result.stderr.strip()}"


def test_runtime_requirements_are_the_locked_set(uv: str) -> None:
    result = _uv(uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--format", "requirements-txt", "--no-header")
    assert result.returncode == 0, result.stderr
    committed = (ROOT / "requirements" / "auditor.txt").read_text()
    assert result.stdout == committed, "requirements/auditor.txt differs from uv.lock: run `make lock`"
    assert "--hash=sha256:" in committed and "moto==" in committed


def test_uv_bootstrap_is_pinned_by_hash() -> None:
    text = (ROOT / "requirements" / "uv.txt").read_text()
    assert text.startswith("uv==") and text.count("--hash=sha256:") >= 5
