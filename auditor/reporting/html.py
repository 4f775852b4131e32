"""Render the report model to one self-contained HTML file.

Jinja2 with autoescape and ``StrictUndefined``: every value from a findings
document is escaped, and a template that names a missing field fails loudly
instead of rendering an empty cell. CSS and JavaScript are inlined; the page
loads nothing from anywhere (its Content-Security-Policy forbids it), so it
works offline and as a mail attachment.

Templates are looked up first in the organisation override directories, then
in the package (``auditor/reporting/templates``). To restyle or rebrand, copy a
template (e.g. ``report.css`` or ``_header.html.j2``) into ``reports/templates/``
and edit it; ``AUDITOR_TEMPLATES=dir1:dir2`` names other directories.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.reporting.model import Report

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_OVERRIDE_DIR = Path("reports/templates")


def override_dirs() -> list[Path]:
    """Organisation template directories that exist, most specific first."""
    env = os.environ.get("AUDITOR_TEMPLATES")
    dirs = [Path(p) for p in env.split(os.pathsep) if p] if env else [DEFAULT_OVERRIDE_DIR]
    return [d for d in dirs if d.is_dir()]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def environment(extra_dirs: Sequence[Path] = ()) -> Any:
    import jinja2

    loader = jinja2.FileSystemLoader([*map(str, extra_dirs), *map(str, override_dirs()), str(PACKAGE_TEMPLATES)])
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["pct"] = _pct
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":"), "ensure_ascii": False}
    return env


def render_html(report: Report, *, template_dirs: Sequence[Path] = ()) -> str:
    """The report as one HTML string."""
    env = environment(template_dirs)
    return str(env.get_template("report.html.j2").render(r=report))
