"""Configuration is validated before any AWS call, and the CLI never shows a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

FIX = Path(__file__).parent.parent / "fixtures"


def test_aws_scan_with_broken_mutelist_stops_before_any_aws_call(tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "auditor", "aws", "scan", "--mutelist", str(FIX / "mutelists" / "invalid.yml"),
                          "--output-dir", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "invalid.yml:3:5: mutes[0]: missing required field 'reason'" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists()
    assert time.monotonic() - t0 < 30
