"""The JSON documents auditor reads and writes, as types: the canonical findings document.

These ``TypedDict`` types are the findings document of ``auditor/schemas/findings.schema.json``
(schema_version 1), field by field, for the code that passes documents between layers (scans,
merge, the report model, the gate, the writers). At run time they are plain ``dict``s: a
document loaded with ``json.load`` *is* a ``FindingsDocument`` once it passed the schema.

A document looks like::

    {
      "schema_version": "1",
      "run": {"id": "...", "started_at": "2026-01-05T09:00:00Z", "finished_at": "...",
              "tool_version": "0.9.0", "kind": "aws", "account": "123456789012",
              "regions": ["eu-west-1"], "warnings": [], "command": "aws scan"},
      "summary": {"total": 2, "by_status": {"PASS": 1, "FAIL": 1, ...},
                  "by_severity": {"critical": 0, "high": 1, ...},
                  "frameworks": {"cis-aws-v6": {"controls": 60, "evaluated": 1, ...}}},
      "findings": [{"rule_id": "iam-user-mfa-enabled", "status": "FAIL", ...}],
      "attachments": {"aws": {...}}
    }

Optional keys (``NotRequired``) are left out of the JSON when unknown, never written as
``null`` or ``""``.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

Attachments = dict[str, Any]
"""Optional context for reports, never raw PII (``attachments``): ``datasets`` (a list: the PII
inventory and data-quality results per dataset, masked samples and counts only), ``pipelines``
(a list: lineage manifests, quarantine counts, metric tables for charts), ``aws`` (a mapping:
scan statistics). Other keys may hold any list or mapping; merging documents concatenates
lists and merges mappings."""


class MuteDict(TypedDict):
    """``finding.mute``: the mutelist entry that muted a finding (status ``MUTED``)."""

    reason: str
    """Why the risk is accepted (the mutelist entry's ``reason``)."""
    expires: str
    """The last day the mute applies (ISO date, ``YYYY-MM-DD``)."""
    owner: NotRequired[str]
    """Who accepted the risk (empty when the entry names nobody)."""
    source: NotRequired[str]
    """The mutelist file and entry the mute came from."""


class LocationDict(TypedDict):
    """``finding.location``: where an IaC resource is declared (``auditor iac scan`` only)."""

    file: str
    """The template or plan file, as given on the command line."""
    line: NotRequired[int]
    """1-based line of the resource's declaration, when known."""
    column: NotRequired[int]
    """1-based column (1 when only the line is known)."""
    address: NotRequired[str]
    """The CloudFormation logical id (``Parent/Child`` in nested stacks) or Terraform resource address."""


class FindingDict(TypedDict):
    """One finding (``findings[]``): one rule's verdict on one resource; the JSON form of
    :class:`auditor.core.findings.Finding`. Every rule x in-scope resource yields exactly one."""

    rule_id: str
    """The rule's kebab-case id, e.g. ``iam-user-mfa-enabled``."""
    title: str
    """The rule's title (its ``{param}`` placeholders filled in)."""
    status: str
    """``PASS``, ``FAIL``, ``ERROR`` (could not be evaluated), ``SKIPPED`` (rule disabled or not
    applicable) or ``MUTED`` (a FAIL accepted by the mutelist until ``mute.expires``)."""
    severity: str
    """``info``, ``low``, ``medium``, ``high`` or ``critical`` (after config overrides)."""
    resource_type: str
    """The kind of resource, e.g. ``aws.s3.bucket``, ``dataset.column``, ``pipeline.run``."""
    resource_id: str
    """The resource: an ARN, a bucket name, ``path#column`` for a dataset column..."""
    region: str
    """The AWS region (``global`` for account-wide resources; empty outside AWS)."""
    message: str
    """What was found, in one sentence."""
    evidence: dict[str, Any]
    """The values the verdict rests on (rule-specific; never raw PII)."""
    compliance: dict[str, list[str]]
    """Framework id -> the control ids the rule maps to, e.g. ``{"cis-aws-v6": ["2.1.1"]}``."""
    remediation: str
    """How to fix it (may be empty)."""
    mute: NotRequired[MuteDict]
    """Only on ``MUTED`` findings: the accepted risk."""
    account: NotRequired[str]
    """AWS findings: the 12-digit account the finding is about (an organization scan covers many)."""
    owner: NotRequired[str]
    """Who answers for the finding: a resource tag (``report.owner_tag``) or the ownership file."""
    first_seen: NotRequired[str]
    """Start (ISO date-time) of the first run of the current streak with this status (FAIL and
    MUTED are one streak), from the previous findings or the run history."""
    last_seen: NotRequired[str]
    """Start (ISO date-time) of the run that wrote this finding."""
    days_open: NotRequired[int]
    """Whole days from ``first_seen`` to ``last_seen``."""
    due: NotRequired[str]
    """FAIL only: ``first_seen`` plus the severity's SLA (``report.sla_days``), an ISO date."""
    overdue: NotRequired[bool]
    """FAIL only: ``last_seen`` is after ``due``."""
    location: NotRequired[LocationDict]
    """IaC findings: where the resource is declared."""


class RunDict(TypedDict):
    """``run``: what ran, when, where, with which tool version; the JSON form of
    :class:`auditor.core.findings.RunInfo`."""

    id: str
    """The run's id."""
    started_at: str
    """When the run started (ISO date-time, UTC, ``Z`` suffix)."""
    finished_at: str
    """When it finished (ISO date-time, UTC)."""
    tool_version: str
    """The auditor version that wrote the document."""
    kind: str
    """``aws``, ``data``, ``iac``, ``pipeline``, or ``all`` for a merged document."""
    account: str
    """The AWS account id (comma-separated when documents of several accounts were merged;
    empty outside AWS)."""
    regions: list[str]
    """The AWS regions scanned (empty outside AWS)."""
    warnings: NotRequired[list[str]]
    """Problems that did not stop the run (always written by auditor; optional when reading)."""
    command: NotRequired[str]
    """The command that wrote the document, e.g. ``aws scan``, ``pipeline run inquiries-311``,
    ``demo``: the output folder's owner."""


class FrameworkSummary(TypedDict):
    """``summary.frameworks[id]``: the control results of one compliance framework."""

    controls: int
    """Controls the framework has (its control index for this run)."""
    passed: int
    """Evaluated controls whose findings are all PASS, MUTED or SKIPPED."""
    evaluated: NotRequired[int]
    """Controls with at least one finding that is not SKIPPED."""
    failed: NotRequired[int]
    """Evaluated controls with a FAIL finding."""
    error: NotRequired[int]
    """Evaluated controls with no FAIL but an ERROR finding."""
    # What ``findings.json`` adds for people and other tools (``auditor.reporting.assess.summary_extras``,
    # see :class:`FrameworkCompliance`); never trusted on the way back in.
    verdict: NotRequired[str]
    """See :attr:`FrameworkCompliance.verdict`."""
    statuses: NotRequired[dict[str, int]]
    """See :attr:`FrameworkCompliance.statuses`."""
    failing_controls: NotRequired[list[str]]
    """See :attr:`FrameworkCompliance.failing_controls`."""
    not_evaluated_controls: NotRequired[list[str]]
    """See :attr:`FrameworkCompliance.not_evaluated_controls`."""
    manual_controls: NotRequired[list[str]]
    """See :attr:`FrameworkCompliance.manual_controls`."""
    control_status: NotRequired[dict[str, str]]
    """See :attr:`FrameworkCompliance.control_status`."""


class FrameworkCompliance(TypedDict):
    """The compliance answer the HTML report shows for one framework, which ``findings.json``
    also writes into ``summary.frameworks[id]``. Readers recompute the summary from the
    findings; these are for people and other tools, never trusted on the way back in."""

    verdict: str
    """``COMPLIANT``, ``NOT COMPLIANT`` or ``INCOMPLETE``."""
    statuses: dict[str, int]
    """Controls per status: ``fail``, ``error``, ``not-evaluated``, ``manual``, ``pass``, ``no-resources``."""
    failing_controls: list[str]
    """Ids of the controls that fail, worst severity first."""
    not_evaluated_controls: list[str]
    """Ids of the automated controls that were not evaluated (an error, no rule or no finding)."""
    manual_controls: list[str]
    """Ids of the manual controls, left to the attester."""
    control_status: dict[str, str]
    """Control id -> its label, e.g. ``"2.18": "pass (no resources in scope)"``."""


class SummaryDict(TypedDict):
    """``summary``: counts recomputed from ``findings`` (never edited by hand)."""

    total: int
    """Number of findings."""
    by_status: dict[str, int]
    """Findings per status: every one of PASS, FAIL, ERROR, SKIPPED, MUTED (0 when none)."""
    by_severity: dict[str, int]
    """FAIL findings per severity, critical first."""
    frameworks: dict[str, FrameworkSummary]
    """Framework id -> its control results."""


class FindingsDocument(TypedDict):
    """The canonical output of every auditor run (``findings.json``): findings sorted by
    ``rule_id``, then ``resource_id``, so two runs diff cleanly."""

    schema_version: str
    """Always ``"1"`` for this format."""
    run: RunDict
    """What ran."""
    summary: SummaryDict
    """Counts over ``findings``."""
    findings: list[FindingDict]
    """Every finding, passes included (auditors need the evidence of what was checked)."""
    attachments: NotRequired[Attachments]
    """Optional context for reports (see :data:`Attachments`)."""
