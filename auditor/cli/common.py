"""Shared CLI plumbing: error handling, exit codes, common options, output."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from auditor.core import jsonio
from auditor.core.documents import FindingsDocument
from auditor.core.errors import AuditorError, ConfigError, UsageError, crash_summary
from auditor.core.oserrors import one_line
from auditor.core.outdir import check_output_folder

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


class AuditorGroup(click.Group):
    """A click group that turns every error into one clear line and an exit code.

    ``AuditorError`` carries its own message and code; environment failures (files,
    disks, AWS, network) go through :func:`auditor.cli.errors.translate`; anything
    else is a bug: ``internal error`` (exit 3), with the trace under ``--debug``.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ConfigError as exc:
            if _debug(ctx):
                traceback.print_exc()
            for problem in sorted(exc.problems):
                click.echo(one_line(str(problem)), err=True)
            n = len(exc.problems)
            click.echo(f"{n} configuration error{'s' if n != 1 else ''}; nothing was evaluated.", err=True)
            ctx.exit(EXIT_USAGE)
        except AuditorError as exc:
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"error: {one_line(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `auditor ... | head`: the reader went away; nothing left to say.
            sys.stderr.close()
            ctx.exit(EXIT_OK)
        except Exception as exc:  # the CLI boundary: users never see a traceback
            from auditor.cli.errors import translate  # deferred: pulls in http.client

            translated = translate(exc)
            if translated is None:
                if _debug(ctx):
                    raise
                text = crash_summary(exc)
                click.echo(f"internal error: {text} (run with --debug for details)", err=True)
                ctx.exit(EXIT_ERROR)
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"error: {translated.message}", err=True)
            ctx.exit(translated.exit_code)


def _debug(ctx: click.Context) -> bool:
    # Read when an error is handled: ``--debug`` is stored by the group's callback, which
    # runs inside ``invoke`` (sys.argv covers an error raised before it).
    return "--debug" in sys.argv or bool((ctx.obj or {}).get("debug"))


def command_name(ctx: click.Context) -> str:
    """``"aws scan"`` for ``auditor aws scan``: the command path without the program name."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def default_output_dir(command: str) -> Path:
    """Each command's own folder, so that one never overwrites another's reports:
    ``reports/aws-scan`` for ``aws scan``, ``reports/data-scan`` for ``data scan``."""
    return Path("reports", command.replace(" ", "-"))


class _OutputDirOption(click.Option):
    """``--output-dir`` whose default is the command's own folder (shown in its help)."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        return default_output_dir(command_name(ctx))


REWRITTEN_HELP = "reports already there are rewritten, a findings.json written by another command only with --force."
FORCE_HELP = "Overwrite OUTDIR/findings.json even when another command wrote it."


def output_options(f: F) -> F:
    """--output-dir (default reports/<command>, e.g. reports/aws-scan), --force and --format."""
    f = click.option("--format", "formats", default="json", show_default=True,
                     help="Comma-separated output formats (json, html, sarif, junit, csv, ocsf, gitlab).")(f)
    f = click.option("--force", is_flag=True, help=FORCE_HELP)(f)
    f = click.option("--output-dir", cls=_OutputDirOption, type=click.Path(path_type=Path), show_default=True,
                     help="Where findings.json and the reports are written; " + REWRITTEN_HELP)(f)
    return f


def rule_options(f: F) -> F:
    """--rules, --framework, --mutelist, --config, --frameworks-dir."""
    f = click.option("--frameworks-dir", "framework_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Extra compliance framework files or directories.")(f)
    f = click.option("--config", "config", type=click.Path(path_type=Path), help="Run config file (param overrides...).")(f)
    f = click.option("--mutelist", type=click.Path(path_type=Path), help="Mutelist of accepted risks (YAML).")(f)
    f = click.option("--framework", help="Only rules mapped to this framework (e.g. cis-aws-6.0).")(f)
    f = click.option("--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
                     help="Rule files or directories (default: the shipped packs).")(f)
    return f


def gate_options(f: F) -> F:
    """--fail-on, --fail-on-error[=true|false] and its spelling --no-fail-on-error.

    The two error flags are separate click options folded into one ``fail_on_error``
    argument here, after parsing, so the result never depends on the order in which a click
    release happens to process parameters (click 8.4 changed it).
    """

    @functools.wraps(f)
    def command(*args: Any, no_fail_on_error: bool, **kwargs: Any) -> Any:
        if no_fail_on_error:
            kwargs["fail_on_error"] = False
        return f(*args, **kwargs)

    wrapped = cast(F, command)
    wrapped = click.option("--no-fail-on-error", is_flag=True, help="Same as --fail-on-error=false.")(wrapped)
    wrapped = click.option("--fail-on-error", "fail_on_error", type=click.BOOL, default=True, is_flag=False,
                           flag_value=True, show_default=True, metavar="[=true|false]",
                           help="Exit 3 when a finding could not be evaluated (fail closed).")(wrapped)
    wrapped = click.option("--fail-on", type=click.Choice(["info", "low", "medium", "high", "critical", "none"]),
                           default="none", show_default=True,
                           help="Exit 1 when a FAIL finding is at or above this severity.")(wrapped)
    return wrapped


def parse_formats(value: str) -> list[str]:
    from auditor.reporting.writers import load_writers  # deferred: pulls in importlib.metadata

    available = load_writers().names()
    formats = [f.strip() for f in value.split(",") if f.strip()]
    for fmt in formats:
        if fmt not in available:
            raise UsageError(f"unknown output format '{fmt}'; available: {', '.join(available)}")
    return formats or ["json"]


def findings_command(path: Path) -> str | None:
    """``run.command`` of the findings document at ``path``: None when there is no file,
    ``""`` when it cannot be read or does not say which command wrote it."""
    try:
        doc = jsonio.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    run = doc.get("run") if isinstance(doc, dict) else None
    command = run.get("command") if isinstance(run, dict) else None
    return command if isinstance(command, str) else ""


def claim_output_dir(output_dir: Path, command: str, *, force: bool = False) -> Path:
    """Check, before any work, that ``auditor COMMAND`` may write its findings into ``output_dir``.

    Re-running a command over its own folder overwrites it. A findings.json written by
    another command, or one that cannot be read, is kept (exit 2) unless ``force``:
    reports of two different runs must not end up side by side, disagreeing.
    """
    from auditor.audit_run import check_output_dir  # deferred: pulls in yaml

    check_output_folder(Path(output_dir), "--output-dir")  # a file in the way, a read-only disk: before any work
    path = check_output_dir(output_dir)
    findings = path / "findings.json"
    owner = findings_command(findings)
    if owner is None or owner == command or force:
        return path
    who = f"'auditor {owner}'" if owner else "another command (it is unreadable or does not record which)"
    raise UsageError(f"{findings} was written by {who}; pass --force to overwrite it, or choose another --output-dir")


def print_summary(doc: FindingsDocument, written: Sequence[Path]) -> None:
    s = doc["summary"]
    by = s["by_status"]
    click.echo(f"{s['total']} findings: " + ", ".join(f"{by[k]} {k}" for k in ("PASS", "FAIL", "ERROR", "MUTED", "SKIPPED")))
    failing = [f"{n} {sev}" for sev, n in s["by_severity"].items() if n]
    if failing:
        click.echo("failing by severity: " + ", ".join(failing))
    for fw, v in s["frameworks"].items():
        if v.get("evaluated"):
            click.echo(f"{fw}: {v['passed']}/{v['evaluated']} evaluated controls pass "
                       f"({v['failed']} fail, {v['error']} error; {v['controls']} in framework)")
    for w in doc["run"].get("warnings", []):
        click.echo(f"warning: {w}", err=True)
    for p in written:
        click.echo(f"wrote {p}")


def scan_exit_code(doc: FindingsDocument, fail_on: str, fail_on_error: bool) -> int:
    from auditor.exit_gate import decide  # deferred: pulls in regex

    return decide(doc, fail_on=None if fail_on == "none" else fail_on, allow_errors=not fail_on_error).exit_code
