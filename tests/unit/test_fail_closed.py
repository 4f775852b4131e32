"""Configuration is validated before any AWS call, and the CLI never shows a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _no_aws_env(**extra: str) -> dict[str, str]:
    """No credentials anywhere boto3 looks, and no metadata service to probe (no network in tests)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                        "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL")}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1"})
    env.update(extra)
    return env


_KEYS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
_UNREACHABLE = {**_KEYS, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # nothing listens on the discard port
_SETUP_CASES = {
    "no credentials": ({}, "error: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY, or run in an environment with a role); "),
    "partial credentials": ({"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"},
                            "error: incomplete AWS credentials: AWS_SECRET_ACCESS_KEY is missing from the env "
                            "credentials (set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use AWS_PROFILE); "),
    "unknown profile": ({"AWS_PROFILE": "nope"}, "error: AWS profile 'nope' not found in the AWS config or "
                                                 "credentials file (check --profile / AWS_PROFILE, "),
    "unreachable endpoint": (_UNREACHABLE, "error: cannot reach AWS at http://127.0.0.1:9/"),
}
_AWS_COMMANDS = {
    "aws scan": (["aws", "scan", "--region", "us-east-1"], "nothing was evaluated"),
    "baseline plan": (["baseline", "plan"], "nothing was read or changed"),
    "data scan": (["data", "scan", "s3://bucket/raw/"], "nothing was evaluated"),
    "pipeline run": (["pipeline", "run", "inquiries-311", "--store", "s3://bucket/lake", "--sample"],
                     "nothing was read or written"),
}


def _auditor(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("case", list(_SETUP_CASES))
def test_aws_scan_that_cannot_use_aws_is_a_configuration_error(case: str, tmp_path: Path) -> None:
    extra, message = _SETUP_CASES[case]
    out = _auditor(_AWS_COMMANDS["aws scan"][0], tmp_path, _no_aws_env(**extra))
    assert out.returncode == 2, out.stderr
    [line] = out.stderr.splitlines()  # one line, never a traceback
    assert line.startswith(message) and line.endswith("; nothing was evaluated"), line
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in _AWS_COMMANDS if c != "aws scan"])
@pytest.mark.parametrize("case", ["no credentials", "unreachable endpoint"])
def test_every_aws_command_stops_at_its_first_call(command: str, case: str, tmp_path: Path) -> None:
    args, outcome = _AWS_COMMANDS[command]
    extra, message = _SETUP_CASES[case]
    out = _auditor(args, tmp_path, _no_aws_env(**extra))
    assert out.returncode == 2, out.stderr
    [line] = out.stderr.splitlines()
    assert line.startswith(message) and line.endswith(f"; {outcome}"), line
    assert not (tmp_path / "reports").exists() and not (tmp_path / "lake").exists()
