"""README.md cannot drift from the program it describes.

- Every code block that shows a command and its output (``$ auditor ...`` followed by
  output lines) is run from the repository root and its output compared with the real one
  (stdout and stderr as a terminal shows them; only trailing whitespace is normalised).
- The ``## Commands`` synopsis: each ``auditor <command>`` line names an existing command,
  each ``--option`` on it exists on that command, literal choice values and output formats
  are real, and every command of the CLI is listed. Every other ``auditor ...`` in the
  README (code blocks, `inline code`) names a real command with real options.
- The table of default output folders agrees with the commands' own defaults.
- The YAML examples validate with the project's loaders: the rule file, the mutelist, the
  run config (its rule overrides against the shipped rules) and the action snippet
  (declared inputs only).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from clitree import is_placeholder, option_problems

from auditor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


@dataclass
class Block:
    line: int  # line number of the first line inside the fence
    info: str
    lines: list[str]


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    current: Block | None = None
    fence = ""
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if current is None:
            m = re.match(r"(`{3,})(.*)$", stripped)
            if m:
                fence, current = m.group(1), Block(n + 1, m.group(2).strip(), [])
        elif stripped == fence:
            out.append(current)
            current = None
        else:
            current.lines.append(line)
    assert current is None, f"README.md: unclosed code block at line {current.line - 1}"
    return out


def _readme() -> str:
    return README.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Transcripts: "$ auditor ..." and what it prints
# ---------------------------------------------------------------------------------------------


@dataclass
class Transcript:
    line: int
    command: str
    expected: list[str]


def transcripts() -> list[Transcript]:
    out = []
    for block in blocks(_readme()):
        if not any(line.startswith("$ ") for line in block.lines):
            continue
        current: Transcript | None = None
        for i, line in enumerate(block.lines):
            if line.startswith("$ "):
                current = Transcript(block.line + i, line[2:].strip(), [])
                out.append(current)
            elif current is None:
                raise AssertionError(f"README.md:{block.line + i}: output before any '$ ' command")
            else:
                current.expected.append(line)
    return out


TRANSCRIPTS = transcripts()


def test_readme_shows_commands_with_their_output() -> None:
    assert TRANSCRIPTS, "README.md has no '$ auditor ...' block: this test would check nothing"


def _normalise(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[f"line{t.line}" for t in TRANSCRIPTS])
def test_transcript_output_is_the_real_output(transcript: Transcript) -> None:
    argv = shlex.split(transcript.command)
    assert argv[0] == "auditor", f"README.md:{transcript.line}: only auditor commands are run, not {argv[0]!r}"
    # A separate process: what a user sees, with no plugin a test registered in this one.
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "auditor", *argv[1:]], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    actual = _normalise(proc.stdout.splitlines())
    expected = _normalise(transcript.expected)
    assert actual == expected, (
        f"README.md:{transcript.line}: `{transcript.command}` prints (exit {proc.returncode}):\n"
        + "\n".join(actual) + "\n\nwhile the README shows:\n" + "\n".join(expected))


# ---------------------------------------------------------------------------------------------
# The command tree
# ---------------------------------------------------------------------------------------------


def _ctx(path: list[str]) -> tuple[click.Command, click.Context]:
    """The command at ``path`` and a context chain like the one ``auditor path...`` builds."""
    cmd: click.Command = cli
    ctx = click.Context(cli, info_name="auditor")
    for name in path:
        assert isinstance(cmd, click.Group)
        sub = cmd.get_command(ctx, name)
        if sub is None:
            raise KeyError(f"'auditor {' '.join(path)}': no command '{name}' "
                           f"(available: {', '.join(cmd.list_commands(ctx))})")
        cmd = sub
        ctx = click.Context(cmd, info_name=name, parent=ctx)
    return cmd, ctx


def leaf_commands() -> list[str]:
    out = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        if getattr(cmd, "hidden", False):
            return
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])
        else:
            out.append(" ".join(path))

    walk(cli, [])
    return out


def _synopsis_tokens(text: str) -> list[str]:
    """Words of a synopsis line, without [ ] and ... decorations."""
    out = []
    for word in text.split():
        word = word.strip("[]").removesuffix("...").strip("[]")
        if word and word != "|":
            out.append(word)
    return out


def check_line(text: str, where: str) -> tuple[list[str], list[str]]:
    """(commands named, problems) for one ``auditor ...`` synopsis or command line."""
    tokens = _synopsis_tokens(text)
    assert tokens[0] == "auditor"
    tokens = tokens[1:]
    group_opts = []
    while tokens and tokens[0].startswith("-"):
        group_opts.append(tokens.pop(0))
    problems = option_problems(cli, "", group_opts, where)
    if not tokens or is_placeholder(tokens[0]):
        return [], problems
    path: list[str] = []
    cmd: click.Command = cli
    ctx = click.Context(cli, info_name="auditor")
    while isinstance(cmd, click.Group):
        if not tokens:
            return [], [*problems, f"{where}: 'auditor {' '.join(path)}' needs a subcommand"]
        names = tokens.pop(0).split("|")
        subs = {n: cmd.get_command(ctx, n) for n in names}
        missing = [n for n, c in subs.items() if c is None]
        if missing:
            return [], [*problems, f"{where}: 'auditor {' '.join([*path, *missing])}': no such command "
                                   f"(available: {', '.join(cmd.list_commands(ctx))})"]
        if len(names) > 1:  # alternatives: each one takes every option listed
            named = []
            for n, sub in subs.items():
                assert sub is not None
                if isinstance(sub, click.Group):
                    return [], [*problems, f"{where}: alternatives must be commands, '{n}' is a group"]
                named.append(" ".join([*path, n]))
                problems += option_problems(sub, " ".join([*path, n]), tokens, where)
            return named, problems
        sub = subs[names[0]]
        assert sub is not None
        cmd = sub
        path.append(names[0])
        ctx = click.Context(cmd, info_name=names[0], parent=ctx)
    return [" ".join(path)], problems + option_problems(cmd, " ".join(path), tokens, where)


def synopsis() -> tuple[int, list[tuple[int, str]]]:
    """The ``## Commands`` block: (its line, [(line, one command with its continuation lines)])."""
    text = _readme()
    heading = text.index("\n## Commands\n")
    start_line = text[:heading].count("\n") + 2
    block = next(b for b in blocks(text) if b.line > start_line)
    entries: list[tuple[int, str]] = []
    for i, raw in enumerate(block.lines):
        line = re.split(r"\s{2,}#", raw, maxsplit=1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith("auditor "):
            entries.append((block.line + i, line))
        elif line.startswith(" ") and entries:
            n, previous = entries[-1]
            entries[-1] = (n, f"{previous} {line.strip()}")
        else:
            raise AssertionError(f"README.md:{block.line + i}: a synopsis line starts with 'auditor ' "
                                 f"(or continues one, indented): {raw!r}")
    return block.line, entries


def test_synopsis_names_real_commands_and_options() -> None:
    _line, entries = synopsis()
    assert len(entries) >= 10
    problems = []
    for n, entry in entries:
        _named, found = check_line(entry, f"README.md:{n}")
        problems += found
    assert not problems, "\n".join(problems)


def test_synopsis_lists_every_command() -> None:
    _line, entries = synopsis()
    named = {c for n, entry in entries for c in check_line(entry, f"README.md:{n}")[0]}
    missing = [c for c in leaf_commands() if c not in named]
    assert not missing, f"README.md's ## Commands does not list: {', '.join(missing)}"


def _other_command_lines() -> list[tuple[str, str]]:
    """``auditor ...`` outside the synopsis: code block lines and inline code."""
    text = _readme()
    syn_line, _entries = synopsis()
    out = []
    for block in blocks(text):
        if block.line == syn_line or block.info in ("yaml", "yml"):
            continue
        for i, line in enumerate(block.lines):
            line = re.sub(r"^\s*(\$|-)?\s*", "", line)
            if line.startswith("auditor "):
                out.append((f"README.md:{block.line + i}", re.split(r"\s{2,}#|\s#\s", line)[0]))
    in_block = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("```"):
            in_block = not in_block
            continue
        if not in_block:
            out += [(f"README.md:{n}", m.group(1)) for m in re.finditer(r"`(auditor [^`]+)`", line)]
    return out


def test_every_command_in_the_readme_is_real() -> None:
    lines = _other_command_lines()
    assert len(lines) >= 5
    problems = [p for where, line in lines for p in check_line(line, where)[1]]
    assert not problems, "\n".join(problems)


def _default_output_rows() -> list[tuple[str, str]]:
    rows = []
    for line in _readme().splitlines():
        m = re.match(r"\|\s*`(auditor [^`]+)`\s*\|\s*`(reports/[^`]+)`\s*\|", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


def test_default_output_folders_are_the_commands_defaults() -> None:
    rows = _default_output_rows()
    assert {c for c, _ in rows} >= {"auditor demo", "auditor aws scan", "auditor data scan"}
    problems = []
    for command, folder in rows:
        path = [w for w in command.split()[1:] if not is_placeholder(w)]
        cmd, ctx = _ctx(path)
        (param,) = [p for p in cmd.params if p.name == "output_dir"]
        default = param.get_default(ctx)
        if not isinstance(default, (str, Path)):  # computed when the command runs: its help says which
            if folder not in (param.help or ""):
                problems.append(f"'{command}': README says {folder}, its --output-dir help says {param.help!r}")
        elif Path(str(default)).as_posix() != folder:
            problems.append(f"'{command}': README says {folder}, the command's default is {default}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# YAML examples
# ---------------------------------------------------------------------------------------------


def _yaml_blocks() -> list[tuple[Block, Any]]:
    out = []
    for block in blocks(_readme()):
        if block.info in ("yaml", "yml"):
            text = "\n".join(block.lines)
            lines = [line for line in block.lines if line.strip()]
            if lines and all(line.startswith("  ") for line in lines):  # indented under a list item
                text = "\n".join(line[2:] for line in block.lines)
            out.append((block, text))
    return out


def test_yaml_examples_validate(tmp_path: Path) -> None:
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.core.errors import AuditorError
    from auditor.core.mutes import load_mutelist

    examples = _yaml_blocks()
    assert len(examples) >= 3
    kinds = []
    problems = []
    for n, (block, text) in enumerate(examples):
        data = yaml.safe_load(text)
        where = f"README.md:{block.line}"
        path = tmp_path / f"example-{n}.yml"
        path.write_text(text + "\n", encoding="utf-8")
        try:
            if isinstance(data, list) and data and isinstance(data[0], dict) and "uses" in data[0]:
                kinds.append("action")
                problems += _action_step_problems(data, where)
            elif isinstance(data, dict) and "mutes" in data:
                kinds.append("mutelist")
                load_mutelist(path)
            elif isinstance(data, dict) and isinstance(data.get("rules"), list):
                kinds.append("rules")
                prepare([path])
            elif isinstance(data, dict) and isinstance(data.get("rules"), dict):
                kinds.append("config")
                prepare([p for p in default_rule_paths("aws", "data", "pipeline") if any(p.rglob("*.yml"))],
                        config=path)
            else:
                problems.append(f"{where}: a YAML example this test does not know how to check")
        except AuditorError as exc:
            detail = "\n".join(str(p) for p in getattr(exc, "problems", [])) or str(exc)
            problems.append(f"{where}: does not validate:\n{detail}")
    assert not problems, "\n".join(problems)
    assert {"rules", "mutelist", "config"} <= set(kinds)


def _action_step_problems(steps: list[dict[str, Any]], where: str) -> list[str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    problems = []
    for step in steps:
        if not str(step["uses"]).startswith("auditor/auditor@"):
            continue
        unknown = set(step.get("with") or {}) - set(action["inputs"])
        if unknown:
            problems.append(f"{where}: the action has no input {sorted(unknown)}")
        command = (step.get("with") or {}).get("command")
        if command:
            problems += check_line(f"auditor {command}", where)[1]
    return problems


def test_pip_installs_in_the_readme_use_the_lock() -> None:
    text = _readme()
    installs = re.findall(r"^\s*pip install (.*?)(?:\s+#.*)?$", text, re.M)
    assert installs, "the README no longer says how to install with pip"
    for args in installs:
        assert ("--require-hashes" in args and "-r" in args.split()) or "--no-deps" in args, \
            f"unpinned: pip install {args}"
        for req in re.findall(r"-r\s+(\S+)", args):
            assert (ROOT / req).is_file(), f"pip install -r {req}: no such file in the repository"
