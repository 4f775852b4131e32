"""One unattended run: sources -> merged findings -> run folder, history, index, alerts.

Everything is validated before any source runs (config, sources available,
output directory usable); the previous run's findings are the baseline of the
report and of the alert; files are written atomically, the history last, so a
crash never leaves a history entry without its folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.compliance.mapping import control_index, load_frameworks
from auditor.core.context import RunContext
from auditor.core.documents import FindingDict, FindingsDocument
from auditor.core.errors import ConfigError, NotAvailableError, UsageError
from auditor.core.findings import RunInfo, merge
from auditor.core.outdir import check_output_folder
from auditor.core.registry import did_you_mean
from auditor.core.run_config import RunConfig, load_config
from auditor.exit_gate import decide
from auditor.plugins import load_plugins
from auditor.report_config import ReportSettings, report_settings  # registers the report: section
from auditor.reporting.assess import assess
from auditor.reporting.atomic import write_atomic
from auditor.reporting.diff import Diff, diff_documents
from auditor.reporting.model import prepare_document
from auditor.reporting.writers import write_format
from auditor.reporting.writers.html_writer import render
from auditor.scheduler import history as hist
from auditor.scheduler import schedule_section as schedule_config  # also registers the section
from auditor.scheduler.notify import alert_for, notify
from auditor.scheduler.remote import pull_state, push_state
from auditor.scheduler.schedule_section import NotifySection, ScheduleSection
from auditor.scheduler.sources import SourceRequest, sources

DEFAULT_FORMATS = ["json", "html", "sarif", "junit", "csv", "ocsf"]
DEFAULT_TITLE = "Governance and compliance audit"


@dataclass
class RunOutcome:
    """What a scheduled run did (the CLI prints ``lines`` and exits with ``exit_code``)."""

    exit_code: int
    folder: Path
    run_id: str
    new: int
    notified: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)


def _iso(context: RunContext) -> str:
    return context.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")


def load_schedule(config_path: Path) -> ScheduleSection:
    """Validate the whole config file (every registered section) and return ``schedule``."""
    return load_run_config(config_path).section("schedule", ScheduleSection)


def load_run_config(config_path: Path) -> RunConfig:
    """The whole config file, validated (every registered section), with a valid ``schedule:``."""
    load_plugins()
    if not config_path.exists():
        raise UsageError(f"{config_path}: config file not found")
    cfg = load_config(config_path)
    if "schedule" not in cfg.data:
        raise UsageError(f"{config_path}: no 'schedule:' section (what to run, where to write); "
                         "see 'auditor run --help'")
    problems = schedule_config.schedule_problems(cfg)
    if problems:
        raise ConfigError(problems)
    return cfg


def check_sources(wanted: dict[str, Any]) -> None:
    """Every configured source must exist and be available here; say plainly which is not."""
    for name in wanted:
        if name not in sources:
            hint = did_you_mean(name, sources.names())
            raise UsageError(f"unknown run source '{name}'" + (f" ({hint})" if hint else "")
                             + f"; available: {', '.join(sources.names())}")
        missing = sources.get(name).missing()
        if missing:
            raise NotAvailableError(f"run source '{name}' needs {sources.get(name).capability}, which is not "
                                    f"available in this installation (missing module {missing[0]})")


@dataclass
class _Schedule:
    """A validated ``schedule:`` section with everything settled before any source runs."""

    config_path: Path
    section: ScheduleSection
    settings: ReportSettings
    out: Path
    context: RunContext
    say: Callable[[str], None]

    @property
    def title(self) -> str:
        return str(self.section.get("title", DEFAULT_TITLE))

    @property
    def publish(self) -> str | None:
        return self.section.get("publish") or None


def run_scheduled(config_path: Path, *, context: RunContext | None = None, output_dir: Path | None = None,
                  progress: Callable[[str], None] | None = None) -> RunOutcome:
    """Run everything ``config_path`` schedules; see ``auditor.scheduler.schedule_section`` for the file."""
    context = context or RunContext()
    plan = _prepare(config_path, context, output_dir, progress or (lambda _line: None))
    history = hist.load_history(plan.out)
    previous = hist.previous_findings(plan.out, history)
    started = _iso(context)
    folder = plan.out / hist.folder_name(context.now(), plan.out, context.run_id)
    doc = _merged_document(plan, _collect(plan, folder / "work"), started, previous)
    diff = diff_documents(doc, previous) if previous is not None else None
    new = diff.new if diff else [f for f in doc["findings"] if f["status"] == "FAIL"]
    written = _write_reports(plan, doc, folder, previous, started, history)
    _remove_work(folder / "work")
    outcome = _gate(plan.section, doc, folder, context.run_id, len(new))
    _notify(plan, outcome, doc, new, folder, first_run=previous is None)
    if outcome.problems and outcome.exit_code == 0:
        outcome.exit_code = 3
    history, deleted = _record_history(plan, doc, folder, diff, outcome, history)
    if plan.publish:
        outcome.published = push_state(plan.publish, plan.out, folder, written, deleted)
    outcome.lines = _summary_lines(plan, doc, diff, written, history, deleted, outcome)
    return outcome


def _prepare(config_path: Path, context: RunContext, output_dir: Path | None,
             say: Callable[[str], None]) -> _Schedule:
    """Validate the config, the sources and the output folder; pull the published state if any."""
    run_config = load_run_config(config_path)
    sched = run_config.section("schedule", ScheduleSection)
    settings = report_settings(run_config)  # the ownership file is checked before any source runs
    check_sources(sched["sources"])
    out = Path(output_dir or sched.get("output_dir", "reports/runs"))
    # A file in the way or a read-only disk: said before any source runs, naming the setting.
    check_output_folder(out, "--output-dir" if output_dir else f"{config_path}: schedule.output_dir")
    out.mkdir(parents=True, exist_ok=True)
    plan = _Schedule(config_path, sched, settings, out, context, say)
    if plan.publish:
        for line in pull_state(plan.publish, out):
            say(line)
    return plan


def _collect(plan: _Schedule, work: Path) -> list[FindingsDocument]:
    """Run every configured source in order; each says how many findings it produced."""
    docs: list[FindingsDocument] = []
    for name, options in plan.section["sources"].items():
        req = SourceRequest(dict(options or {}), plan.config_path, plan.context, work)
        got = sources.get(name).run(req)
        for d in got:
            by = d["summary"]["by_status"]
            plan.say(f"{name}: {d['summary']['total']} findings ({by['FAIL']} FAIL, {by['ERROR']} ERROR)")
        docs += got
    if not docs:
        raise UsageError("the configured sources produced no findings document")
    return docs


def _merged_document(plan: _Schedule, docs: list[FindingsDocument], started: str,
                     previous: FindingsDocument | None) -> FindingsDocument:
    """One findings document for the run, prepared against the previous kept run."""
    kinds = {d["run"]["kind"] for d in docs}
    run = RunInfo(id=plan.context.run_id, started_at=started, finished_at=_iso(plan.context),
                  tool_version=__version__, kind="all" if len(kinds) > 1 else docs[0]["run"]["kind"],
                  command="run")
    doc = merge(docs, run, control_index(load_frameworks()))
    # Since when each failure is open comes from the previous kept run (which carried it from its own).
    return prepare_document(doc, previous, plan.settings)


def _write_reports(plan: _Schedule, doc: FindingsDocument, folder: Path, previous: FindingsDocument | None,
                   started: str, history: list[dict[str, Any]]) -> list[Path]:
    """Write the run folder: findings.json first, the other formats, then the HTML report."""
    formats = list(plan.section.get("formats") or DEFAULT_FORMATS)
    written: list[Path] = []
    for fmt in ["json", *[f for f in formats if f not in ("json", "html")]]:
        written += write_format(fmt, doc, folder)
    if "html" in formats:
        written.append(write_atomic(folder / "index.html", render(
            [doc], baseline=previous, generated_at=started, title=plan.title, settings=plan.settings,
            history=hist.trend_points(history), prepared=True)))
    return written


def _remove_work(work: Path) -> None:
    """Drop the sources' scratch folder: the findings carry what the report needs."""
    if work.exists():
        import shutil

        shutil.rmtree(work)  # pipeline exports etc.: the findings carry what the report needs


def _gate(sched: ScheduleSection, doc: FindingsDocument, folder: Path, run_id: str, new: int) -> RunOutcome:
    """The CI exit-code gate over the merged findings, as the run's first outcome."""
    fail_on = sched.get("fail_on", "none")
    gate = decide(doc, fail_on=None if fail_on == "none" else fail_on, allow_errors=bool(sched.get("allow_errors")))
    outcome = RunOutcome(gate.exit_code, folder, run_id, new)
    outcome.lines += [f"gate: {r}" for r in gate.reasons]
    return outcome


def _notify(plan: _Schedule, outcome: RunOutcome, doc: FindingsDocument, new: list[FindingDict],
            folder: Path, *, first_run: bool) -> None:
    """Send the alert for new findings to the configured channels (if any), noting who was told."""
    notify_cfg = plan.section.get("notify") or NotifySection()
    if not (notify_cfg.get("sns_topic_arn") or notify_cfg.get("webhook")):
        return

    report_ref = f"{plan.publish.rstrip('/')}/{folder.name}/index.html" if plan.publish \
        else str(folder / "index.html")
    alert = alert_for(doc, new, threshold=notify_cfg.get("min_severity", "high"), report=report_ref,
                      first_run=first_run)
    if alert is not None:
        done, problems = notify(alert, notify_cfg)
        outcome.notified += done
        outcome.problems += problems


def _record_history(plan: _Schedule, doc: FindingsDocument, folder: Path, diff: Diff | None, outcome: RunOutcome,
                    history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Append this run to the history, prune old runs, and rewrite the history and index (last)."""
    entry = hist.record(doc, folder.name, sources=list(plan.section["sources"]),
                        new=len(diff.new) if diff else None,
                        resolved=len(diff.resolved) if diff else None,
                        unchanged=len(diff.unchanged) if diff else None, exit_code=outcome.exit_code,
                        notified=outcome.notified, problems=outcome.problems,
                        verdicts=assess(doc).verdicts)
    kept, deleted = hist.prune(plan.out, [*history, entry], int(plan.section.get("keep", 30)))
    hist.write_history(plan.out, kept)
    hist.write_index(plan.out, kept, title=plan.title, generated_at=_iso(plan.context))
    return kept, deleted


def _summary_lines(plan: _Schedule, doc: FindingsDocument, diff: Diff | None, written: list[Path],
                   history: list[dict[str, Any]], deleted: list[str], outcome: RunOutcome) -> list[str]:
    """What the CLI prints after the run, in order."""
    since = (f"{len(diff.new)} new, {len(diff.resolved)} resolved since {diff.baseline_run['id']}" if diff
             else "first recorded run (no previous run to compare with)")
    return [
        f"run {plan.context.run_id}: {doc['summary']['total']} findings, " + since,
        *[f"wrote {p}" for p in written],
        f"history: {len(history)} run(s) kept in {plan.out}" + (f", removed {', '.join(deleted)}" if deleted else ""),
        *[f"notified: {c}" for c in outcome.notified],
        *[f"problem: {p}" for p in outcome.problems],
        *outcome.lines,
        *[f"published {u}" for u in outcome.published],
    ]


def summary_json(outcome: RunOutcome) -> str:
    """A one-line JSON summary (for log collectors and the Lambda handler)."""
    return json.dumps({"run_id": outcome.run_id, "exit_code": outcome.exit_code, "folder": str(outcome.folder),
                       "new": outcome.new, "notified": outcome.notified, "problems": outcome.problems})
