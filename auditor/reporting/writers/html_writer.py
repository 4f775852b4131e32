"""``index.html``: the self-contained report for people (see ``auditor.reporting.html``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingsDocument
from auditor.report_config import ReportSettings
from auditor.reporting.atomic import write_atomic
from auditor.reporting.html import render_html
from auditor.reporting.model import build_report

FILENAME = "index.html"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def render(docs: list[FindingsDocument], *, baseline: FindingsDocument | None = None,
           generated_at: str | None = None, title: str | None = None,
           frameworks: dict[str, Any] | None = None, settings: ReportSettings | None = None,
           history: Sequence[dict[str, Any]] | None = None, prepared: bool = False) -> str:
    """The HTML report for ``docs`` (merged), optionally compared with ``baseline``.

    ``settings`` (SLA, owners, expiry warning), ``history`` (trend points) and
    ``prepared`` as for :func:`auditor.reporting.model.build_report`.
    """
    kwargs = {"title": title} if title else {}
    model = build_report(docs, baseline=baseline, generated_at=generated_at or now_iso(), frameworks=frameworks,
                         settings=settings, history=history, prepared=prepared, **kwargs)
    return render_html(model)


def write_html(doc: FindingsDocument, outdir: Path, *, baseline: FindingsDocument | None = None,
               generated_at: str | None = None, filename: str = FILENAME) -> Path:
    """Write ``OUTDIR/index.html``."""
    return write_atomic(outdir / filename, render([doc], baseline=baseline, generated_at=generated_at))

