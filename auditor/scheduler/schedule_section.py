"""The ``schedule:`` section of the run config (``auditor run --config audit.yml``).

Example::

    version: 1
    rules:                               # rule overrides, as for every command
      iam-user-mfa-enabled: {severity: critical}
    schedule:
      output_dir: /var/lib/auditor/runs  # run folders, index.html, history.json
      keep: 30                           # keep the last 30 runs (older folders are deleted)
      formats: [json, html, sarif, junit, csv, ocsf]
      title: Registrar's Office nightly audit
      fail_on: high                      # exit 1 when a FAIL at/above this exists (default: none)
      allow_errors: false                # exit 3 on ERROR findings (fail closed) unless true
      sources:                           # what to run; each key optional
        aws: {regions: [us-east-1, ca-central-1], profile: audit}
        data: {paths: ["s3://registraroffice/enrollwithdraw/Raw/"]}
        pipelines: {names: [registrar, inquiries-311], store: "s3://lake/prefix"}
        findings: {paths: ["exports/*.json"]}   # findings documents written by other jobs
      notify:
        min_severity: high               # new FAIL findings at or above this severity
        sns_topic_arn: arn:aws:sns:ca-central-1:123456789012:audit-alerts
        webhook: https://hooks.example.org/services/T000/B000/XXXX
      publish: s3://audit-reports/nightly   # also keep the run folders and index in S3 (stateless runners)

A source that is configured but not available in this installation is an
error before anything runs, never a silent skip. So is a ``webhook`` that is not
one plain http(s) URL (a space, a line break or another control character in it,
which HTTP cannot send): reported with its line in the file, without echoing the
URL (it is a secret).
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

from auditor.core.errors import Problem
from auditor.core.run_config import RunConfig, config_sections

SEVERITY = {"enum": ["info", "low", "medium", "high", "critical"]}
FORMATS = ["json", "html", "sarif", "junit", "csv", "ocsf"]
PATHS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}

SCHEDULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "output_dir": {"type": "string", "minLength": 1},
        "keep": {"type": "integer", "minimum": 1},
        "formats": {"type": "array", "items": {"enum": FORMATS}, "uniqueItems": True},
        "title": {"type": "string"},
        "fail_on": {"enum": ["info", "low", "medium", "high", "critical", "none"]},
        "allow_errors": {"type": "boolean"},
        "sources": {
            "type": "object",
            "minProperties": 1,
            "properties": {
                "aws": {"type": "object", "additionalProperties": False, "properties": {
                    "regions": {"type": "array", "items": {"type": "string"}},
                    "profile": {"type": "string"}, "role_arn": {"type": "string"},
                    "external_id": {"type": "string"}, "rules": PATHS, "framework": {"type": "string"},
                    "mutelist": {"type": "string"}}},
                "data": {"type": "object", "additionalProperties": False, "required": ["paths"], "properties": {
                    "paths": PATHS, "rules": PATHS, "mutelist": {"type": "string"}}},
                "pipelines": {"type": "object", "additionalProperties": False, "required": ["names"], "properties": {
                    "names": PATHS, "store": {"type": "string"}, "sample": {"type": "boolean"}}},
                "findings": {"type": "object", "additionalProperties": False, "required": ["paths"],
                             "properties": {"paths": PATHS}},
            },
            "additionalProperties": {"type": "object"},
        },
        "notify": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "min_severity": SEVERITY,
                "sns_topic_arn": {"type": "string", "pattern": "^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$"},
                "webhook": {"type": "string", "pattern": "^https?://"},
                "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
            },
        },
        "publish": {"type": "string", "pattern": "^s3://[^/]+"},
    },
    "required": ["sources"],
}



class NotifySection(TypedDict, total=False):
    """``schedule.notify``: whom to tell about new failures (no channel: nobody is notified)."""

    min_severity: str
    """New FAIL findings at or above this severity are announced (default ``high``)."""
    sns_topic_arn: str
    """An SNS topic to publish the alert to."""
    webhook: str
    """An http(s) URL the alert is POSTed to as JSON (a secret: never echoed)."""
    timeout_s: float
    """Seconds to wait for the webhook (default 10)."""


class ScheduleSection(TypedDict, total=False):
    """The ``schedule:`` section: what ``auditor run`` runs, where it writes, whom it notifies."""

    output_dir: str
    """Run folders, ``index.html`` and ``history.json`` (default ``reports/runs``)."""
    keep: int
    """Keep the last N runs; older run folders are deleted (default 30)."""
    formats: list[str]
    """Formats written into each run folder (json, html, sarif, junit, csv, ocsf)."""
    title: str
    """The reports' title."""
    fail_on: str
    """Exit 1 when a FAIL at or above this severity exists (``none``, the default: never)."""
    allow_errors: bool
    """``true``: ERROR findings do not fail the run (exit 3) closed."""
    sources: dict[str, dict[str, Any]]
    """What to run (required): source name (``aws``, ``data``, ``pipelines``, ``findings`` or a
    registered one) -> its options."""
    notify: NotifySection
    """Whom to tell about new failures."""
    publish: str
    """An ``s3://`` URL: also keep the run folders and index there (stateless runners)."""


# A URL is printable ASCII without spaces; anything else cannot go into an HTTP request line.
_URL_CHARS = re.compile(r"[!-~]+")


def schedule_problems(cfg: RunConfig) -> list[Problem]:
    """What the schema cannot say about a valid ``schedule:`` section (located in the file)."""
    notify = cfg.section("schedule", ScheduleSection).get("notify") or NotifySection()
    webhook = notify.get("webhook")
    if not isinstance(webhook, str) or cfg.doc is None:
        return []
    if _URL_CHARS.fullmatch(webhook) and re.match(r"https?://[^/?#]+", webhook):
        return []
    where = ("schedule", "notify", "webhook")
    one_line = "write the webhook URL on one line, exactly as the service gave it"
    if re.search(r"[\x00-\x1f\x7f]", webhook):
        what, hint = "the URL contains a line break or another control character", one_line
    elif re.search(r"\s", webhook):
        what, hint = "the URL contains a space", one_line
    elif not webhook.isascii():
        what, hint = "the URL contains non-ASCII characters", "percent-encode them"
    else:
        what, hint = "not an http(s) URL with a host", ""
    return [cfg.doc.problem(where, what, hint)]


if "schedule" not in config_sections:
    config_sections.add("schedule", SCHEDULE_SCHEMA)
