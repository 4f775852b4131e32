"""Debian's Chromium, headless, for the report's browser and print tests.

Skipped locally when Chromium is missing; in CI (``CI`` set) a missing browser fails the
test instead, so it is never mistaken for a passing one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-default-apps", "--disable-extensions", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000"]
SKIP_WITHOUT_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install -y chromium); this test is required in CI")


def chromium(tmp_path: Path, url: str, *extra: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``url`` with its own profile directory under ``tmp_path``."""
    assert CHROMIUM is not None, "chromium is required in CI: apt-get install -y chromium"
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                          capture_output=True, text=True, timeout=timeout, check=False)
