"""``auditor pipeline ...``: the governed registrar and 3-1-1 workloads."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import FORCE_HELP, REWRITTEN_HELP, claim_output_dir, parse_formats, print_summary


class PipelineName(click.Choice[str]):
    """The names of the installed pipelines, read when a command line is parsed or its help shown.

    Only the entry points' names are read (package metadata, no import): ``auditor --help``
    and the import of the CLI load no pipeline.
    """

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self) -> tuple[str, ...]:
        from auditor.pipelines.pipeline_registry import pipeline_names  # deferred: pulls in yaml

        return tuple(pipeline_names())

    @choices.setter
    def choices(self, value: object) -> None:
        """Ignored: the choices are the installed pipelines."""


def register(cli: click.Group) -> None:
    cli.add_command(pipeline)


@click.group()
def pipeline() -> None:
    """Governed pipelines: landing -> raw -> curated, every promotion gated.

    \b
    Examples:
      auditor pipeline run inquiries-311 --sample          # seeded sample into ./lake
      auditor pipeline run inquiries-311 --input 3-1-1-inquiry-volume.csv
      auditor pipeline run registrar --sample --store s3://my-bucket/lake --engine athena
      auditor pipeline runs --store ./lake
    """


@pipeline.command("run")
@click.argument("name", type=PipelineName())
@click.option("--store", help="Zone store: a directory (default ./lake) or s3://bucket/prefix.")
@click.option("--input", "input_file", type=click.Path(path_type=Path), help="Land this file first.")
@click.option("--sample", is_flag=True, help="Land the bundled seeded sample data first.")
@click.option("--engine", type=click.Choice(["duckdb", "athena"]), default="duckdb", show_default=True)
@click.option("--output-dir", type=click.Path(path_type=Path),
              help="Where findings.json, the metrics (CSV, xlsx) and the lineage manifest are written "
                   "(default: reports/pipeline-NAME); " + REWRITTEN_HELP)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option("--format", "formats", default="json", show_default=True, help="Findings formats (json, html, ...).")
@click.option("--config", type=click.Path(path_type=Path), help="Run config file (pipelines: section...).")
def run(name: str, store: str | None, input_file: Path | None, sample: bool, engine: str, output_dir: Path | None,
        force: bool, formats: str, config: Path | None) -> None:
    """Run one pipeline end to end (exit 0 ok, 1 gate blocked, 2 bad input or no AWS access to an
    s3:// store, 3 gate not evaluated or another run published into the store first)."""
    from auditor.pipelines.pipeline_run import run_pipeline  # deferred: pulls in pandas
    from auditor.reporting.outputs import write_outputs  # deferred: pulls in importlib.metadata

    fmts = parse_formats(formats)
    command = f"pipeline run {name}"
    output_dir = claim_output_dir(output_dir or Path(f"reports/pipeline-{name}"), command, force=force)
    result = run_pipeline(name, store, sample=sample, input_file=input_file, engine=engine,
                          output_dir=output_dir, config=config)
    click.echo(f"{name} run {result.run_id}: {result.status}")
    lin = result.lineage
    if result.exit_code == 0:
        click.echo(result.message)
    for w in lin.get("warnings", []):
        click.echo(f"warning: {w}", err=True)
    if lin.get("timings"):
        click.echo("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in lin["timings"].items()))
    for metric, rows in sorted(lin.get("metrics", {}).items()):
        click.echo(f"  {metric}: {rows} rows")
    q = lin.get("quarantined", {})
    if q.get("files") or q.get("records"):
        click.echo(f"quarantined: {len(q.get('files', []))} file(s), {q.get('records', 0)} record(s)")
    for p in result.exports:
        click.echo(f"wrote {p}")
    if result.findings is not None:
        print_summary(result.findings, write_outputs(result.findings, output_dir, fmts, command=command))
    if result.exit_code != 0:
        click.echo(f"error: {result.message}", err=True)
        raise SystemExit(result.exit_code)


@pipeline.command("list")
def list_() -> None:
    """List the available pipelines and their zones."""
    from auditor.pipelines.pipeline_registry import all_pipelines  # deferred: pulls in yaml

    for pipe in all_pipelines():
        click.echo(f"{pipe.name:<14} {pipe.description}")
        click.echo(f"{'':<14} zones under {pipe.root}/")


@pipeline.command("runs")
@click.option("--store", help="Zone store: a directory (default ./lake) or s3://bucket/prefix.")
@click.option("--pipeline", "name", type=PipelineName(), help="Only this pipeline.")
@click.option("--limit", type=int, default=20, show_default=True, help="Most recent runs to show.")
def runs(store: str | None, name: str | None, limit: int) -> None:
    """Show the history of pipeline runs (from the lineage manifests in the store)."""
    from auditor.pipelines.lineage import history  # deferred: pulls in tempfile
    from auditor.pipelines.store import open_store  # deferred: pulls in tempfile

    st = open_store(store)
    st.check_access()
    recorded = history(st, name)[-limit:] if limit > 0 else []
    if not recorded:
        click.echo(f"no pipeline runs recorded in {st.root}")
        return
    click.echo(f"{'started':<21} {'pipeline':<14} {'run':<13} {'status':<11} {'in':>4} {'out':>4} {'quar':>5}  message")
    for r in recorded:
        q = r.get("quarantined", {})
        quar = len(q.get("files", [])) + int(q.get("records", 0))
        click.echo(f"{r.get('started_at', ''):<21} {r.get('pipeline', ''):<14} {r.get('run_id', ''):<13} "
                   f"{r.get('status', ''):<11} {len(r.get('inputs', [])):>4} {len(r.get('outputs', [])):>4} "
                   f"{quar:>5}  {r.get('message', '')}")
