"""The ``auditor`` command line: the only module tree that prints or exits.

Exit codes: 0 ok; 1 gate failed (a finding at or above ``--fail-on``, or a new
one with ``--baseline``); 2 usage or configuration error; 3 could not evaluate
(ERROR findings, when failing closed, the default).

Heavy libraries are imported inside commands, so ``auditor --help`` is fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor import __version__
from auditor.cli import aws, baseline, data, demo, iac, meta, pipeline, report
from auditor.cli.common import AuditorGroup


@click.group(cls=AuditorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="auditor")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Governance and compliance auditing for AWS data platforms.

    \b
    Quick start:
      auditor demo                      # everything, on an embedded moto account
      auditor aws scan --fail-on high   # audit the account of your AWS profile
      auditor rules validate rules/     # check rule files
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    for module in (aws, iac, data, pipeline, report, baseline, meta, demo):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="auditor")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
