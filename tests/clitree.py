"""The real click command tree, for the tests that check command lines written in the README
and the examples: every option named exists, and literal choice values and formats are real."""

from __future__ import annotations

import re

import click

_OPTION = re.compile(r"(--?[A-Za-z][\w-]*)(?:=(.*))?")


def writer_names() -> list[str]:
    from auditor.reporting.writers import load_writers

    return list(load_writers().names())


def is_placeholder(value: str) -> bool:
    """A value that is not literal: a shell or CI variable, or a synopsis placeholder (FILE, ...)."""
    return ("$" in value or "{" in value or value == "..."
            or bool(re.fullmatch(r"[A-Z][A-Z0-9_.-]*(\.\.\.)?", value)))


def option_problems(cmd: click.Command, label: str, tokens: list[str], where: str) -> list[str]:
    """Problems with the options among ``tokens`` (the arguments of ``auditor <label>``)."""
    opts = {o: p for p in cmd.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
    problems = []
    for i, tok in enumerate(tokens):
        m = _OPTION.fullmatch(tok)
        if not m or tok in ("--help", "-h") or is_placeholder(tok):
            continue
        option, value = m.group(1), m.group(2)
        param = opts.get(option)
        if param is None:
            problems.append(f"{where}: 'auditor {label}' has no option {option} "
                            f"(it has {', '.join(sorted(o for o in opts if o.startswith('--')))})")
            continue
        assert isinstance(param, click.Option)
        if value is None and not param.is_flag and i + 1 < len(tokens):
            value = tokens[i + 1]
        if not value or is_placeholder(value) or value.startswith("-"):
            continue
        if isinstance(param.type, click.Choice):
            bad = [v for v in value.split("|") if v not in param.type.choices]
            if bad:
                problems.append(f"{where}: 'auditor {label}' {option} {value}: {', '.join(bad)} is not one of "
                                f"{', '.join(param.type.choices)}")
        elif option == "--format":
            bad = [v.strip() for v in value.split(",") if v.strip() and v.strip() not in writer_names()]
            if bad:
                problems.append(f"{where}: 'auditor {label}' --format {value}: unknown format {', '.join(bad)} "
                                f"(available: {', '.join(writer_names())})")
    return problems
