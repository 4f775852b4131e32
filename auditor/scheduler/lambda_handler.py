"""AWS Lambda (or any container) entry point for scheduled runs.

EventBridge Scheduler invokes ``auditor.scheduler.lambda_handler.handler``
with an event like::

    {"config": "s3://audit-config/audit.yml"}      # or a path inside the image

(or set ``AUDITOR_CONFIG``). The run writes to ``/tmp/auditor-runs`` (the
only writable disk in Lambda; ``AUDITOR_OUTPUT_DIR`` overrides it), so the
config should set ``schedule.publish: s3://bucket/prefix``: the history is
then fetched from and kept in S3 between invocations.

The handler returns a summary and never hides a failure: a run that could not
evaluate, or whose gate failed, raises ``RunFailed`` when
``event["raise_on_failure"]`` is true (so the Lambda error metric / a DLQ
sees it); by default the summary carries the exit code.

Container: ``python -m auditor run --config /config/audit.yml`` is the same run
(see ``examples/scheduling/``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from auditor.core.aws_clients import default_client
from auditor.core.errors import AuditorError, UsageError
from auditor.reporting.publish import parse_s3_url
from auditor.scheduler.scheduled_run import run_scheduled


class RunFailed(RuntimeError):
    """The scheduled run finished with a non-zero exit code."""


def _config_path(ref: str) -> Path:
    if not ref.startswith("s3://"):
        return Path(ref)
    from botocore.exceptions import ClientError

    bucket, key = parse_s3_url(ref)
    fd, name = tempfile.mkstemp(prefix="auditor-config-", suffix=".yml")
    os.close(fd)
    try:
        default_client("s3").download_file(bucket, key, name)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise UsageError(f"could not read the config {ref}: {code}") from None
    return Path(name)


def handler(event: dict[str, Any] | None, context: Any = None) -> dict[str, Any]:
    """Run one scheduled audit; returns ``{run_id, exit_code, folder, new, notified, problems}``."""
    event = event or {}
    ref = event.get("config") or os.environ.get("AUDITOR_CONFIG")
    if not ref:
        raise UsageError("no config: pass {\"config\": \"s3://bucket/audit.yml\"} or set AUDITOR_CONFIG")
    out = Path(event.get("output_dir") or os.environ.get("AUDITOR_OUTPUT_DIR") or "/tmp/auditor-runs")
    lines: list[str] = []
    config: Path | None = None
    try:
        config = _config_path(str(ref))
        outcome = run_scheduled(config, output_dir=out, progress=lines.append)
    except AuditorError as exc:
        if event.get("raise_on_failure"):
            raise RunFailed(str(exc)) from None
        return {"run_id": None, "exit_code": exc.exit_code, "error": str(exc)}
    finally:
        if config is not None and str(ref).startswith("s3://"):
            config.unlink(missing_ok=True)  # the downloaded copy; Lambda reuses /tmp across invocations
    result: dict[str, Any] = {"run_id": outcome.run_id, "exit_code": outcome.exit_code, "folder": str(outcome.folder),
              "new": outcome.new, "notified": outcome.notified, "problems": outcome.problems,
              "published": outcome.published, "log": [*lines, *outcome.lines]}
    if outcome.exit_code and event.get("raise_on_failure"):
        raise RunFailed(f"run {outcome.run_id} exited {outcome.exit_code}: {'; '.join(outcome.problems) or 'gate'}")
    return result
