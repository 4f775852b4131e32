"""Shared CLI plumbing: error handling, exit codes, common options, output."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click

from auditor.core.errors import AuditorError, ConfigError, NotAvailableError

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


class AuditorGroup(click.Group):
    """A click group that turns every error into one clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv or bool((ctx.obj or {}).get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ConfigError as exc:
            if debug:
                traceback.print_exc()
            for problem in sorted(exc.problems):
                click.echo(str(problem), err=True)
            n = len(exc.problems)
            click.echo(f"{n} configuration error{'s' if n != 1 else ''}; nothing was evaluated.", err=True)
            ctx.exit(EXIT_USAGE)
        except AuditorError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `auditor ... | head`: the reader went away; nothing left to say.
            sys.stderr.close()
            ctx.exit(EXIT_OK)
        except Exception as exc:  # the CLI boundary: users never see a traceback
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
            ctx.exit(EXIT_ERROR)


def not_available(command: str, issue: str) -> NoReturn:
    """Say plainly that a capability is not built yet (exit 2); never pretend."""
    raise NotAvailableError(f"'auditor {command}' is not available yet: it arrives with {issue}.")


def output_options(f: F) -> F:
    """--output-dir and --format."""
    f = click.option("--format", "formats", default="json", show_default=True,
                     help="Comma-separated output formats (json, html, sarif, junit, csv, ocsf).")(f)
    f = click.option("--output-dir", type=click.Path(path_type=Path), default=Path("reports/out"),
                     show_default=True, help="Where findings.json and reports are written.")(f)
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
    from auditor.core.errors import UsageError
    from auditor.reporting.writers import load_writers

    available = load_writers().names()
    formats = [f.strip() for f in value.split(",") if f.strip()]
    for fmt in formats:
        if fmt not in available:
            raise UsageError(f"unknown output format '{fmt}'; available: {', '.join(available)}")
    return formats or ["json"]


def write_outputs(doc: dict[str, Any], outdir: Path, formats: Sequence[str]) -> list[Path]:
    from auditor.reporting.writers import load_writers

    registry = load_writers()
    if "json" not in formats:
        formats = ["json", *formats]
    return [registry.get(fmt)(doc, outdir) for fmt in formats]


def print_summary(doc: dict[str, Any], written: Sequence[Path]) -> None:
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


def scan_exit_code(doc: dict[str, Any], fail_on: str, fail_on_error: bool) -> int:
    from auditor.gate import decide

    return decide(doc, fail_on=None if fail_on == "none" else fail_on, allow_errors=not fail_on_error).exit_code
