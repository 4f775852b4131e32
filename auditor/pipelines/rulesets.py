"""Parse every DQDL ruleset a pipeline will use before the run touches the store.

A pipeline's quality gate runs late (after Raw is written); a typo in its
ruleset must not wait until then. :func:`check_rulesets` parses each ruleset
setting up front and reports a syntax error where it is written:

- a ruleset file named in the run config (``pipelines: {registrar:
  {quality_ruleset: rules/registrar.dqdl}}``) as ``rules/registrar.dqdl:3:17: ...``;
- the pipeline's shipped default (a ``quality_ruleset: |`` block of its
  ``pipeline.yml``) at its line and column in that ``pipeline.yml``.

Example::

    settings = _settings("registrar", config.section("pipelines"))
    check_rulesets("registrar", settings, config.section("pipelines"))   # ConfigError (exit 2)
"""

from __future__ import annotations

import re
from typing import Any

from auditor.core.errors import ConfigError, Problem
from auditor.data.quality import parse_ruleset
from auditor.pipelines.pipeline_registry import get_pipeline

# Settings of a pipeline that hold DQDL text.
RULESET_KEYS = ("quality_ruleset",)


def check_rulesets(pipeline: str, settings: dict[str, Any], section: dict[str, Any]) -> None:
    """Parse each ruleset of ``settings``; raise one ``ConfigError`` with every syntax error.

    ``section`` is the run config's ``pipelines`` section: a ruleset it names is
    reported against that file; any other ruleset is the shipped default.
    """
    overrides = section.get(pipeline) or {}
    problems: list[Problem] = []
    for key in RULESET_KEYS:
        text = settings.get(key)
        if not isinstance(text, str):
            continue
        try:
            parse_ruleset(text, str(overrides[key]) if key in overrides else "<ruleset>")
        except ConfigError as exc:
            if key in overrides:
                problems += exc.problems
            else:
                problems += [_in_pipeline_yml(pipeline, key, p) for p in exc.problems]
    if problems:
        raise ConfigError(problems)


def _in_pipeline_yml(pipeline: str, key: str, problem: Problem) -> Problem:
    """A DQDL problem of the shipped default, moved to its place in the pipeline's ``pipeline.yml``."""
    ref = get_pipeline(pipeline).settings_file()
    return in_yaml_block(problem, ref.read_text(encoding="utf-8"), key, str(ref))


def in_yaml_block(problem: Problem, text: str, key: str, path: str) -> Problem:
    """``problem`` (a position in DQDL text) moved to ``path``, the YAML whose ``key: |`` block holds that text."""
    line, indent = block_origin(text, key)
    return Problem(path, line + problem.line, indent + problem.col, "", problem.message)


def block_origin(text: str, key: str) -> tuple[int, int]:
    """(line of ``key: |``, indentation of its block) in YAML ``text``: DQDL line n is file line + n.

    ``(0, 0)`` when ``key`` is not a top-level literal block (the DQDL position is then kept as is).
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"{re.escape(key)}:\s*\|[-+]?\s*(#.*)?$", line):
            body = next((b for b in lines[i + 1:] if b.strip()), "")
            return i + 1, len(body) - len(body.lstrip(" "))
    return 0, 0
