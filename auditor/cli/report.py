"""``auditor report`` and ``auditor gate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from auditor.cli.common import claim_output_dir, parse_formats
from auditor.core import jsonio
from auditor.core.documents import FindingsDocument
from auditor.core.errors import UsageError
from auditor.reporting.diff import diff_documents
from auditor.reporting.publish import parse_s3_url, publish
from auditor.schemas import findings_errors

if TYPE_CHECKING:
    from auditor.report_config import ReportSettings


def register(cli: click.Group) -> None:
    cli.add_command(report)
    cli.add_command(gate)
    cli.add_command(run)


def read_findings(path: Path) -> FindingsDocument:
    """Read and validate a findings document; one clear line on any problem."""
    try:
        doc = jsonio.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a findings JSON document ({exc})") from None
    errors = findings_errors(doc)
    if errors:
        raise UsageError(f"{path}: not a valid findings document: {errors[0]}"
                         + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""))
    valid: FindingsDocument = doc  # it passed the findings schema: the typed document
    return valid


@click.command()
@click.argument("findings", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The HTML report (default: index.html beside the first FINDINGS, e.g. "
                   "reports/aws-scan/index.html); other formats are written beside it.")
@click.option("--baseline", type=click.Path(path_type=Path),
              help="Previous findings.json: what changed, and since when each failure is open.")
@click.option("--format", "formats", default="html", show_default=True,
              help="Comma-separated formats to write (html, json, sarif, junit, csv, ocsf, gitlab).")
@click.option("--title", help="Report title (default: 'Governance and compliance audit').")
@click.option("--config", "config", type=click.Path(path_type=Path),
              help="Run config whose 'report:' section sets the SLA days, owner tag, ownership file "
                   "and expiry warning.")
@click.option("--owners", type=click.Path(path_type=Path),
              help="Ownership file (resource, rule and control globs -> owner); overrides report.owners.")
@click.option("--evidence", type=click.Path(path_type=Path),
              help="Also write an evidence pack into this new directory: findings, reports, rules, config, "
                   "mutelist and a SHA-256 manifest.")
@click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
              help="With --evidence: the rule files or folders used (default: those the findings name).")
@click.option("--mutelist", type=click.Path(path_type=Path), help="With --evidence: the mutelist used.")
@click.option("--publish", "publish_url", help="Also upload the written files to s3://bucket/prefix.")
@click.option("--public", is_flag=True, help="With --publish: grant public-read (off by default).")
@click.option("--force", is_flag=True, help="With --format json: overwrite a findings.json another command wrote; "
              "with --baseline: diff against a baseline from another AWS account.")
def report(findings: tuple[Path, ...], output: Path | None, baseline: Path | None, formats: str, title: str | None,
           config: Path | None, owners: Path | None, evidence: Path | None, rule_paths: tuple[Path, ...],
           mutelist: Path | None, publish_url: str | None, public: bool, force: bool) -> None:
    """Build the report from one or more findings.json files (AWS, data, pipeline runs).

    The report opens with the verdict per framework (COMPLIANT, NOT COMPLIANT,
    INCOMPLETE), the failing controls with owner and age, the exceptions
    register and the data and pipeline summary. With --baseline, each failure
    carries since when it is open (first seen, days open, SLA due, overdue), in
    the HTML, findings.json and findings.csv alike.

    \b
    Examples:
      auditor report reports/aws-scan/findings.json     # -> reports/aws-scan/index.html
      auditor report aws.json data.json --baseline last-week.json --format html,sarif,csv
      auditor report findings.json --config audit.yml --owners owners.yml --format html,json,csv
      auditor report findings.json --format html,json,csv --evidence evidence/2026-12-07
      auditor report findings.json --publish s3://audit-reports/2026-11-27
    """
    from auditor.reporting.merge import merge_documents  # deferred: pulls in yaml
    from auditor.reporting.model import prepare_document  # deferred: pulls in yaml
    from auditor.reporting.writers.html_writer import now_iso  # deferred: pulls in yaml

    wanted = parse_formats(formats)
    docs = [read_findings(p) for p in findings]
    base = read_findings(baseline) if baseline else None
    settings = _settings(config, owners)
    merged = merge_documents(docs)
    _check_before_writing(merged, base, baseline, force=force, publish_url=publish_url, evidence=evidence)
    output = output or findings[0].parent / "index.html"
    outdir = output.parent
    # Time and owners are filled in once, so the JSON, the CSV and the HTML say the same.
    merged = prepare_document(merged, base, settings)
    if "json" in wanted:
        _claim_for_json(merged, findings, outdir, force)
    generated_at = now_iso()
    written = _write_reports(wanted, merged, base, output, title=title, settings=settings, generated_at=generated_at)
    for p in written:
        click.echo(f"wrote {p}")
    if base is not None:
        _echo_changes(merged, base)
    if evidence is not None:
        from auditor.reporting.evidence import sha256_file, write_evidence  # deferred: pulls in yaml

        manifest = write_evidence(evidence, doc=merged, inputs=list(findings), reports=written, baseline=baseline,
                                  rule_paths=list(rule_paths), config=config, owners=owners, mutelist=mutelist,
                                  created_at=generated_at)
        click.echo(f"evidence pack {evidence}: manifest SHA-256 {sha256_file(manifest)} "
                   f"(check with: cd {evidence} && sha256sum -c SHA256SUMS)")
    if publish_url:
        for url in publish(written, publish_url, public=public):
            click.echo(f"published {url}")


def _settings(config: Path | None, owners: Path | None) -> ReportSettings:
    """The report settings from ``--config`` (every section validated) and ``--owners``."""
    from auditor.core.run_config import load_config  # deferred: pulls in yaml
    from auditor.plugins import load_plugins  # deferred: pulls in importlib.metadata
    from auditor.report_config import report_settings  # deferred: pulls in yaml

    if config is not None:
        load_plugins()  # the config's other sections (aws, data, schedule...) are validated too
    return report_settings(load_config(config), owners_file=str(owners) if owners else None)


def _check_before_writing(merged: FindingsDocument, base: FindingsDocument | None, baseline: Path | None, *,
                          force: bool, publish_url: str | None, evidence: Path | None) -> None:
    """Usage errors said before anything is written: a baseline of another account, a bad
    publish URL, an evidence directory that is not new."""
    from auditor.exit_gate import check_baseline_account  # deferred: pulls in regex

    if base is not None and baseline is not None:
        check_baseline_account(merged, base, baseline_path=str(baseline), force=force)
    if publish_url:
        parse_s3_url(publish_url)
    if evidence is not None and evidence.exists() and (not evidence.is_dir() or any(evidence.iterdir())):
        raise UsageError(f"--evidence {evidence}: exists and is not an empty directory; an evidence pack is "
                         "never updated in place, name a new directory")


def _write_reports(wanted: list[str], merged: FindingsDocument, base: FindingsDocument | None, output: Path, *,
                   title: str | None, settings: ReportSettings, generated_at: str) -> list[Path]:
    """The HTML report at ``output`` (when wanted), then every other format beside it."""
    from auditor.reporting.atomic import write_atomic  # deferred: pulls in tempfile
    from auditor.reporting.writers import write_format  # deferred: pulls in importlib.metadata
    from auditor.reporting.writers.html_writer import render  # deferred: pulls in yaml

    written: list[Path] = []
    if "html" in wanted:
        written.append(write_atomic(output, render([merged], baseline=base, title=title, settings=settings,
                                                   generated_at=generated_at, prepared=True)))
    for fmt in wanted:
        if fmt != "html":
            written += write_format(fmt, merged, output.parent)
    return written


def _echo_changes(merged: FindingsDocument, base: FindingsDocument) -> None:
    """One line: failures new, resolved and unchanged since the baseline run."""
    d = diff_documents(merged, base)
    click.echo(f"since {base['run']['id']}: {len(d.new)} new, {len(d.resolved)} resolved, "
               f"{len(d.unchanged)} unchanged failures")


def _claim_for_json(merged: FindingsDocument, findings: tuple[Path, ...], outdir: Path, force: bool) -> None:
    """``--format json`` writes OUTDIR/findings.json: never over another command's without --force."""
    if len(findings) > 1:
        merged["run"]["command"] = "report"  # a new document; each part's command stays in its own file
    elif (outdir / "findings.json").resolve() == findings[0].resolve():
        return  # the one input, rewritten as it is
    claim_output_dir(outdir, merged["run"].get("command") or "report", force=force)


@click.command()
@click.argument("findings", type=click.Path(path_type=Path))
@click.option("--fail-on", type=click.Choice(["info", "low", "medium", "high", "critical"]), default="high",
              show_default=True, help="Fail on FAIL findings at or above this severity.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Only findings new since this findings.json count.")
@click.option("--allow-errors", is_flag=True, help="Do not fail (exit 3) on ERROR findings.")
@click.option("--max-list", type=click.IntRange(min=0), default=20, show_default=True,
              help="List at most N of the findings that failed the gate (0: no list, no annotations).")
@click.option("--annotations", type=click.Choice(["none", "github"]), default="none", show_default=True,
              help="Also print the findings that failed the gate as GitHub Actions annotations.")
@click.option("--force", is_flag=True, help="With --baseline: accept a baseline from another AWS account.")
def gate(findings: Path, fail_on: str, baseline: Path | None, allow_errors: bool, max_list: int,
         annotations: str, force: bool) -> None:
    """Exit 1 if the findings break the gate, 3 on ERROR findings, 0 otherwise.

    Prints a table of findings by severity and status and, when the gate
    fails, the findings that made it fail, worst first, one line each: FAIL
    findings at or above --fail-on (with --baseline only the NEW ones), then
    the ERROR findings that failed it closed. At most --max-list lines, then
    "... and N more". A violation (1) wins over "could not evaluate" (3).

    --annotations github also prints each of them as a GitHub Actions workflow
    command (::error for a FAIL, ::warning for an ERROR, one ::notice for the
    rest) so they show on the pull request. GitHub shows at most 10 errors and
    10 warnings per step: pair it with --max-list 10. Never enabled implicitly
    (GITHUB_ACTIONS is not looked at).

    A --baseline from another AWS account than FINDINGS is refused (exit 2):
    every finding would look new. --force compares them anyway.

    \b
    Examples:
      auditor gate reports/aws-scan/findings.json --fail-on high
      auditor gate findings.json --baseline main-findings.json --annotations github --max-list 10

    \b
    Output of a failing gate (auditor gate findings.json --max-list 2):
      severity     FAIL  ERROR  MUTED   PASS
      critical        1      0      0      3
      high            5      0      1      9
      medium          2      1      0      4
      low             0      0      0      2
      info            0      0      0      0
      Findings that failed the gate (worst first):
        FAIL  critical iam-root-mfa-enabled          arn:aws:iam::123456789012:root  root user has no MFA device
        FAIL  high     s3-bucket-versioning-enabled  arn:aws:s3:::landing  Bucket landing has versioning Suspended
        ... and 5 more (4 FAIL, 1 ERROR)
      gate: 6 FAIL finding(s) at or above 'high'
      gate: 1 finding(s) could not be evaluated (ERROR)
      gate: FAILED

    \b
    With --annotations github, before the gate: lines:
      ::error title=iam-root-mfa-enabled (critical)::arn:aws:iam::123456789012:root: root user has no MFA device
    """
    from auditor.exit_gate import (  # deferred: pulls in regex
        check_baseline_account,
        decide,
        github_annotations,
        listing,
        one_line,
    )

    doc = read_findings(findings)
    base = read_findings(baseline) if baseline else None
    if base is not None and baseline is not None:
        check_baseline_account(doc, base, baseline_path=str(baseline), force=force)
    result = decide(doc, fail_on=fail_on, allow_errors=allow_errors, baseline=base)
    click.echo(f"{'severity':<10} {'FAIL':>6} {'ERROR':>6} {'MUTED':>6} {'PASS':>6}")
    for sev, c in result.counts.items():
        click.echo(f"{sev:<10} {c['FAIL']:>6} {c['ERROR']:>6} {c['MUTED']:>6} {c['PASS']:>6}")
    if base is not None:
        d = diff_documents(doc, base)
        click.echo(f"new FAIL findings since baseline: {len(result.new)}")
        # the run id comes from a file: one line, so it cannot forge a CI command on a line of its own
        click.echo(f"since baseline {one_line(base['run']['id'], 200)}: {len(d.new)} new, {len(d.resolved)} resolved, "
                   f"{len(d.unchanged)} unchanged FAIL findings")
    for line in listing(result, max_list):
        click.echo(line)
    if annotations == "github":
        for line in github_annotations(result, max_list):
            click.echo(line)
    for reason in result.reasons:
        click.echo(f"gate: {reason}")
    click.echo("gate: " + ("passed" if result.exit_code == 0 else "FAILED"))
    raise SystemExit(result.exit_code)


@click.command()
@click.option("--config", "config", required=True, type=click.Path(path_type=Path),
              help="Audit config with a 'schedule:' section (what to run, where to write, whom to notify).")
@click.option("--output-dir", type=click.Path(path_type=Path), help="Override schedule.output_dir.")
def run(config: Path, output_dir: Path | None) -> None:
    """One unattended, scheduled audit run of everything configured.

    Writes a timestamped run folder (findings and every report, compared with
    the previous run), updates index.html and history.json (trend of past
    runs), keeps the last N runs, and notifies SNS/webhook of new critical or
    high failures. Exit codes as for 'gate' with schedule.fail_on; 3 also when
    a notification could not be delivered.

    \b
    Example audit.yml:
      version: 1
      schedule:
        output_dir: /var/lib/auditor/runs
        keep: 30
        sources: {aws: {regions: [us-east-1]}, data: {paths: ["s3://bucket/raw/"]}}
        notify: {min_severity: high, sns_topic_arn: "arn:aws:sns:us-east-1:123456789012:audit"}
    """
    from auditor.scheduler.scheduled_run import run_scheduled  # deferred: pulls in yaml

    outcome = run_scheduled(config, output_dir=output_dir, progress=click.echo)
    for line in outcome.lines:
        click.echo(line)
    raise SystemExit(outcome.exit_code)
