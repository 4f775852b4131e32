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

from auditor.core.context import RunContext
from auditor.core.errors import ConfigError, NotAvailableError, UsageError
from auditor.core.registry import did_you_mean
from auditor.core.run_config import RunConfig

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


def load_schedule(config_path: Path) -> dict[str, Any]:
    """Validate the whole config file (every registered section) and return ``schedule``."""
    return load_run_config(config_path).section("schedule")


def load_run_config(config_path: Path) -> RunConfig:
    """The whole config file, validated (every registered section), with a valid ``schedule:``."""
    from auditor import report_config  # noqa: F401  (registers the report: section)
    from auditor.core.run_config import load_config
    from auditor.plugins import load_plugins
    from auditor.scheduler import schedule_section as schedule_config  # also registers the section

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
    from auditor.scheduler.sources import sources

    for name in wanted:
        if name not in sources:
            hint = did_you_mean(name, sources.names())
            raise UsageError(f"unknown run source '{name}'" + (f" ({hint})" if hint else "")
                             + f"; available: {', '.join(sources.names())}")
        missing = sources.get(name).missing()
        if missing:
            raise NotAvailableError(f"run source '{name}' needs {sources.get(name).capability}, which is not "
                                    f"available in this installation (missing module {missing[0]})")


def run_scheduled(config_path: Path, *, context: RunContext | None = None, output_dir: Path | None = None,
                  progress: Callable[[str], None] | None = None) -> RunOutcome:
    """Run everything ``config_path`` schedules; see ``auditor.scheduler.schedule_section`` for the file."""
    from auditor import __version__
    from auditor.compliance.mapping import control_index, load_frameworks
    from auditor.core.findings import RunInfo, merge
    from auditor.core.outdir import check_output_folder
    from auditor.exit_gate import decide
    from auditor.report_config import report_settings
    from auditor.reporting.assess import assess
    from auditor.reporting.diff import diff_documents
    from auditor.reporting.model import prepare_document
    from auditor.reporting.writers import write_format
    from auditor.reporting.writers.html_writer import render
    from auditor.scheduler import history as hist
    from auditor.scheduler.sources import SourceRequest, sources

    say = progress or (lambda _line: None)
    context = context or RunContext()
    run_config = load_run_config(config_path)
    sched = run_config.section("schedule")
    settings = report_settings(run_config)  # the ownership file is checked before any source runs
    wanted: dict[str, Any] = sched["sources"]
    check_sources(wanted)
    out = Path(output_dir or sched.get("output_dir", "reports/runs"))
    # A file in the way or a read-only disk: said before any source runs, naming the setting.
    check_output_folder(out, "--output-dir" if output_dir else f"{config_path}: schedule.output_dir")
    out.mkdir(parents=True, exist_ok=True)
    title = sched.get("title", DEFAULT_TITLE)
    if sched.get("publish"):
        from auditor.scheduler.remote import pull_state

        for line in pull_state(sched["publish"], out):
            say(line)
    history = hist.load_history(out)
    previous = hist.previous_findings(out, history)

    started = _iso(context)
    folder = out / hist.folder_name(context.now(), out, context.run_id)
    work = folder / "work"
    docs: list[dict[str, Any]] = []
    for name, options in wanted.items():
        req = SourceRequest(dict(options or {}), config_path, context, work)
        got = sources.get(name).run(req)
        for d in got:
            by = d["summary"]["by_status"]
            say(f"{name}: {d['summary']['total']} findings ({by['FAIL']} FAIL, {by['ERROR']} ERROR)")
        docs += got
    if not docs:
        raise UsageError("the configured sources produced no findings document")
    run = RunInfo(id=context.run_id, started_at=started, finished_at=_iso(context), tool_version=__version__,
                  kind="all" if len({d["run"]["kind"] for d in docs}) > 1 else docs[0]["run"]["kind"], command="run")
    doc = merge(docs, run, control_index(load_frameworks()))
    # Since when each failure is open comes from the previous kept run (which carried it from its own).
    doc = prepare_document(doc, previous, settings)

    diff = diff_documents(doc, previous) if previous is not None else None
    new = diff.new if diff else [f for f in doc["findings"] if f["status"] == "FAIL"]
    formats = list(sched.get("formats") or DEFAULT_FORMATS)
    written: list[Path] = []
    for fmt in ["json", *[f for f in formats if f not in ("json", "html")]]:
        written += write_format(fmt, doc, folder)
    if "html" in formats:
        from auditor.reporting.atomic import write_atomic

        written.append(write_atomic(folder / "index.html", render(
            [doc], baseline=previous, generated_at=started, title=title, settings=settings,
            history=hist.trend_points(history), prepared=True)))
    if work.exists():
        import shutil

        shutil.rmtree(work)  # pipeline exports etc.: the findings carry what the report needs

    fail_on = sched.get("fail_on", "none")
    gate = decide(doc, fail_on=None if fail_on == "none" else fail_on, allow_errors=bool(sched.get("allow_errors")))
    outcome = RunOutcome(gate.exit_code, folder, context.run_id, len(new))
    outcome.lines += [f"gate: {r}" for r in gate.reasons]

    notify_cfg = sched.get("notify") or {}
    if notify_cfg.get("sns_topic_arn") or notify_cfg.get("webhook"):
        from auditor.scheduler.notify import alert_for, notify

        report_ref = f"{sched['publish'].rstrip('/')}/{folder.name}/index.html" if sched.get("publish") \
            else str(folder / "index.html")
        alert = alert_for(doc, new, threshold=notify_cfg.get("min_severity", "high"), report=report_ref,
                          first_run=previous is None)
        if alert is not None:
            done, problems = notify(alert, notify_cfg)
            outcome.notified += done
            outcome.problems += problems
    if outcome.problems and outcome.exit_code == 0:
        outcome.exit_code = 3

    entry = hist.record(doc, folder.name, sources=list(wanted), new=len(diff.new) if diff else None,
                        resolved=len(diff.resolved) if diff else None,
                        unchanged=len(diff.unchanged) if diff else None, exit_code=outcome.exit_code,
                        notified=outcome.notified, problems=outcome.problems,
                        verdicts=assess(doc).verdicts)
    history, deleted = hist.prune(out, [*history, entry], int(sched.get("keep", 30)))
    hist.write_history(out, history)
    hist.write_index(out, history, title=title, generated_at=_iso(context))
    if sched.get("publish"):
        from auditor.scheduler.remote import push_state

        outcome.published = push_state(sched["publish"], out, folder, written, deleted)
    outcome.lines = [
        f"run {context.run_id}: {doc['summary']['total']} findings, "
        + (f"{len(diff.new)} new, {len(diff.resolved)} resolved since {diff.baseline_run['id']}" if diff
           else "first recorded run (no previous run to compare with)"),
        *[f"wrote {p}" for p in written],
        f"history: {len(history)} run(s) kept in {out}" + (f", removed {', '.join(deleted)}" if deleted else ""),
        *[f"notified: {c}" for c in outcome.notified],
        *[f"problem: {p}" for p in outcome.problems],
        *outcome.lines,
        *[f"published {u}" for u in outcome.published],
    ]
    return outcome


def summary_json(outcome: RunOutcome) -> str:
    """A one-line JSON summary (for log collectors and the Lambda handler)."""
    return json.dumps({"run_id": outcome.run_id, "exit_code": outcome.exit_code, "folder": str(outcome.folder),
                       "new": outcome.new, "notified": outcome.notified, "problems": outcome.problems})
