"""Every file under examples/, the GitHub Action (action.yml) and the pre-commit hook work
as they are: checked with the project's own loaders and its real command tree, not by eye.

- Run configs (examples/scheduling/audit*.yml) load and validate as ``auditor run --config``
  validates them, including the rule overrides against the shipped rules, and as each
  configured source prepares them when the run reaches it.
- Every ``auditor ...`` command line found anywhere (workflow scripts, the action, GitLab CI,
  cron, systemd, the Dockerfile, the ECS target, Markdown and comments) names an existing
  command, and each of its options exists on that command (choice values and output formats
  are checked too), walking the click tree of ``auditor.cli``.
- The action's scripts run, in bash, against a stand-in ``auditor`` that records its command
  lines (which are then parsed by the real click commands) and answers ``--help`` with the
  real CLI.
- cfn-lint passes on the CloudFormation template; the ECS target validates against botocore's
  EventBridge Scheduler model; the Dockerfile's COPY sources exist and a wheel built from
  exactly what it copies carries the rule packs; ``docker build`` itself runs where a docker
  engine answers.

No network: subprocesses run the local CLI, cfn-lint and the build backend offline.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from clitree import is_placeholder, option_problems

import auditor
from auditor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITHUB_WORKFLOW = EXAMPLES / "ci" / "github-actions.yml"
GITLAB_CI = EXAMPLES / "ci" / "gitlab-ci.yml"
SCHEDULING = EXAMPLES / "scheduling"
DOCKERFILE = SCHEDULING / "Dockerfile"
CRON = SCHEDULING / "cron" / "auditor.cron"
SYSTEMD = SCHEDULING / "systemd"
TEMPLATE = SCHEDULING / "eventbridge" / "template.yml"
ECS_TARGET = SCHEDULING / "eventbridge" / "ecs-target.json"
HANDLER = "auditor.scheduler.lambda_handler.handler"


# ---------------------------------------------------------------------------------------------
# The real command tree
# ---------------------------------------------------------------------------------------------


def resolve(tokens: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """Walk the click tree: (leaf command, its path, the remaining arguments); KeyError if unknown."""
    cmd: click.Command = cli
    path: list[str] = []
    rest = list(tokens)
    while isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1] if path else "auditor")
        while rest and rest[0].startswith("-"):  # group options such as --debug
            rest.pop(0)
        if not rest:
            raise KeyError(f"'auditor {' '.join(path)}' needs a subcommand: {', '.join(cmd.list_commands(ctx))}")
        name = rest.pop(0)
        sub = cmd.get_command(ctx, name)
        if sub is None:
            raise KeyError(f"'auditor {' '.join([*path, name])}': no command '{name}' "
                           f"(available: {', '.join(cmd.list_commands(ctx))})")
        cmd = sub
        path.append(name)
    return cmd, path, rest


def command_problems(tokens: list[str], where: str) -> list[str]:
    """Problems with one ``auditor`` command line (the tokens after ``auditor``)."""
    top = [t for t in tokens[:1] if t.startswith("-")]
    if top and all(t in ("--version", "--help", "-h") for t in top):
        return []
    try:
        cmd, _path, rest = resolve(tokens)
    except KeyError as exc:
        return [f"{where}: {exc.args[0]}"]
    return option_problems(cmd, " ".join(_path), rest, where)


# ---------------------------------------------------------------------------------------------
# Finding command lines
# ---------------------------------------------------------------------------------------------

COMMAND_START = {";", "&&", "||", "|", "(", "$(", "then", "else", "do", "if", "while", "until", "!", "{", "time", "exec"}
SEPARATORS = {";", "&&", "||", "|", "&", ">", ">>", "<", ">&", "<<<", "<<", "(", ")", "2>", "2>>"}


@dataclass
class Found:
    where: str
    tokens: list[str]  # after "auditor"

    @property
    def dynamic(self) -> bool:
        """The subcommand comes from a variable (checked by running the script instead)."""
        return bool(self.tokens) and is_placeholder(self.tokens[0])


def _tokens(line: str) -> list[str]:
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    return list(lex)


def auditor_commands(script: str, where: str, arrays: dict[str, list[str]] | None = None) -> list[Found]:
    """Every ``auditor ...`` (or ``python -m auditor ...``) command in a shell script.

    ``"${name[@]}"`` expands to the options the script assigns to the bash array ``name``
    (all of its assignments), so options built up in arrays are checked too.
    """
    text = re.sub(r"\\\n", " ", script)
    arrays = dict(arrays or {})
    for m in re.finditer(r"\b(\w+)\+?=\(([^()\n]*)\)", text):
        arrays.setdefault(m.group(1), []).extend(_tokens(m.group(2)))
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        try:
            toks = _tokens(line)
        except ValueError as exc:
            raise AssertionError(f"{where}:{n}: cannot parse shell line {line!r}: {exc}") from None
        i = 0
        while i < len(toks):
            tok = toks[i]
            at_start = i == 0 or toks[i - 1] in COMMAND_START
            start = None
            if at_start and (tok == "auditor" or tok.endswith("/auditor")):
                start = i + 1
            elif at_start and re.fullmatch(r"(.*/)?python[0-9.]*", tok) and toks[i + 1:i + 3] == ["-m", "auditor"]:
                start = i + 3
            if start is None:
                i += 1
                continue
            end = start
            while end < len(toks) and toks[end] not in SEPARATORS:
                end += 1
            args: list[str] = []
            for t in toks[start:end]:
                m = re.fullmatch(r"\$\{(\w+)\[@\]\}", t)
                args += arrays.get(m.group(1), []) if m and m.group(1) in arrays else [t]
            found.append(Found(f"{where}:{n}", args))
            i = end
    return found


def _check_all(found: list[Found]) -> list[str]:
    problems = []
    for f in found:
        if not f.dynamic:
            problems += command_problems(f.tokens, f.where)
    return problems


def _code_spans(text: str, where: str) -> list[Found]:
    """``auditor ...`` in Markdown code blocks and in `backticks` (prose, comments)."""
    found = []
    in_block = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            stripped = re.sub(r"^\s*\$\s+", "", line)
            found += auditor_commands(stripped, f"{where}:{n}")
        for m in re.finditer(r"`(auditor [^`]+)`", line):
            found += auditor_commands(m.group(1), f"{where}:{n}")
    return found


def _comment_commands(text: str, where: str) -> list[Found]:
    """``#   auditor ...`` lines and `auditor ...` spans in the comments of a YAML/shell file."""
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*#\s*(.*)$", line)
        if not m:
            continue
        comment = m.group(1)
        if re.match(r"\s*#\s{2,}auditor ", line):  # an indented example command, not prose
            found += auditor_commands(comment, f"{where}:{n}")
        for span in re.finditer(r"`(auditor [^`]+)`", comment):
            found += auditor_commands(span.group(1), f"{where}:{n}")
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# Paths inside the repository that scripts reach through a checkout prefix.
REPO_PATH = re.compile(r"(?:^|[\s\"'=/])((?:examples|requirements)/[\w./-]*\w)")


def _repo_reference_problems(script: str, where: str) -> list[str]:
    """Every examples/... or requirements/... path a script names exists in the repository."""
    return [f"{where}: {m.group(1)} does not exist in the repository"
            for m in REPO_PATH.finditer(script) if not (ROOT / m.group(1)).exists()]


def _pip_problems(script: str, where: str) -> list[str]:
    """Every pip install installs from the lock: --require-hashes -r FILE, or the project with --no-deps."""
    problems = []
    for line in re.sub(r"\\\n", " ", script).splitlines():
        for m in re.finditer(r"pip install ([^;&|]*)", line):
            args = m.group(1)
            if "--require-hashes" in args and " -r " in f" {args}":
                continue
            if "--no-deps" in args:
                continue
            problems.append(f"{where}: unpinned install: pip install {args.strip()}")
    return problems


# ---------------------------------------------------------------------------------------------
# Every file under examples/ is checked by something here
# ---------------------------------------------------------------------------------------------

CHECKED = {
    "ci/github-actions.yml": "GitHub workflow",
    "ci/gitlab-ci.yml": "GitLab CI",
    "scheduling/audit*.yml": "run config",
    "scheduling/Dockerfile": "Dockerfile",
    "scheduling/cron/*.cron": "cron",
    "scheduling/systemd/*.service": "systemd unit",
    "scheduling/systemd/*.timer": "systemd unit",
    "scheduling/eventbridge/template.yml": "CloudFormation",
    "scheduling/eventbridge/ecs-target.json": "EventBridge Scheduler target",
    "*.md": "Markdown",
}


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_every_example_file_is_checked() -> None:
    unchecked = [_rel(p) for p in _example_files()
                 if not any(fnmatch.fnmatch(p.relative_to(EXAMPLES).as_posix(), pat) for pat in CHECKED)]
    assert not unchecked, f"no test checks {unchecked}: add a check to tests/test_examples.py"


CONFIGS = sorted(SCHEDULING.glob("audit*.yml"))


def test_configs_are_found() -> None:
    assert {p.name for p in CONFIGS} >= {"audit.yml", "audit-demo.yml"}


# ---------------------------------------------------------------------------------------------
# Run configs
# ---------------------------------------------------------------------------------------------


def _config_error(exc: Exception) -> str:
    problems = getattr(exc, "problems", None)
    return "\n".join(str(p) for p in problems) if problems else f"{type(exc).__name__}: {exc}"


# The shipped packs each scheduled source loads (auditor/scheduler/sources.py and the pipeline runner).
SOURCE_PACKS = {"aws": ("aws",), "data": ("data",), "pipelines": ("pipeline", "data")}


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_run_config_validates(config: Path) -> None:
    """As ``auditor run --config`` validates before anything runs: every section against its
    schema, every configured source available, and the rule overrides against the shipped
    rules of the configured sources (unknown rule ids and params are errors)."""
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.core.errors import AuditorError
    from auditor.scheduler.scheduled_run import check_sources, load_schedule

    error = None
    try:
        schedule = load_schedule(config)
        check_sources(schedule["sources"])
        # (a run of findings files only loads no rules: its overrides must still name shipped ones)
        packs = sorted({p for name in schedule["sources"] for p in SOURCE_PACKS.get(name, ())}) \
            or sorted({p for ps in SOURCE_PACKS.values() for p in ps})
        prepare([p for p in default_rule_paths(*packs) if any(p.rglob("*.yml"))], config=config)
    except AuditorError as exc:
        error = f"{_rel(config)} does not validate:\n{_config_error(exc)}"
    if error:
        pytest.fail(error)


def _config_sources() -> Iterator[tuple[Path, str]]:
    for config in CONFIGS:
        sources = ((_load_yaml(config) or {}).get("schedule") or {}).get("sources") or {}
        for name in sources:
            if name in SOURCE_PACKS:
                yield config, name


@pytest.mark.parametrize(("config", "source"), list(_config_sources()),
                         ids=[f"{c.name}-{s}" for c, s in _config_sources()])
def test_each_scheduled_source_accepts_the_config(config: Path, source: str, tmp_path: Path) -> None:
    """When ``auditor run`` reaches a source, the source prepares its rules with the whole
    config file: its rule overrides must hold there too, or the run stops (exit 2) after the
    sources before it have already run."""
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.core.context import RunContext
    from auditor.core.errors import AuditorError
    from auditor.scheduler import sources as sched_sources
    from auditor.scheduler.scheduled_run import load_schedule

    options = dict(load_schedule(config)["sources"][source] or {})
    error = None
    try:
        if source == "pipelines":  # auditor.pipelines.pipeline_run.run_pipeline: the packs that hold rules
            paths = [p for p in default_rule_paths(*SOURCE_PACKS[source]) if any(p.rglob("*.yml"))]
            prepare(paths, config=config)
        else:  # auditor.scheduler.sources: exactly what the source calls
            req = sched_sources.SourceRequest(options, config, RunContext(), tmp_path)
            sched_sources._prepare(req, source, {"aws": "aws.", "data": "dataset."}[source])
    except AuditorError as exc:
        error = f"auditor run --config {_rel(config)}: the {source} source rejects the config:\n{_config_error(exc)}"
    if error:
        pytest.fail(error)


def test_demo_schedule_reads_what_auditor_demo_writes() -> None:
    demo = cli.get_command(click.Context(cli), "demo")
    assert demo is not None
    ctx = click.Context(demo, info_name="demo", parent=click.Context(cli, info_name="auditor"))
    (param,) = [p for p in demo.params if p.name == "output_dir"]
    default = Path(str(param.get_default(ctx)))
    paths = _load_yaml(SCHEDULING / "audit-demo.yml")["schedule"]["sources"]["findings"]["paths"]
    assert paths == [(default / "findings.json").as_posix()], \
        f"audit-demo.yml reads {paths}; `auditor demo` writes {default / 'findings.json'}"
    text = (SCHEDULING / "audit-demo.yml").read_text(encoding="utf-8")
    assert f"writes {(default / 'findings.json').as_posix()}" in text


def test_config_comments_name_real_commands() -> None:
    found = [f for c in CONFIGS for f in _comment_commands(c.read_text(encoding="utf-8"), _rel(c))]
    assert found
    assert not _check_all(found)
    problems = [p for c in CONFIGS for p in _repo_reference_problems(c.read_text(encoding="utf-8"), _rel(c))]
    assert not problems


# ---------------------------------------------------------------------------------------------
# The GitHub Action
# ---------------------------------------------------------------------------------------------


def _action() -> dict[str, Any]:
    data = _load_yaml(ACTION)
    assert isinstance(data, dict)
    return data


def _repo_slug_and_rev() -> tuple[str, str]:
    """The repository and tag users pin, as the pre-commit hook documents them."""
    text = HOOKS.read_text(encoding="utf-8")
    repo = re.search(r"repo:\s*https://github\.com/([\w.-]+/[\w.-]+)", text)
    rev = re.search(r"rev:\s*(\S+)", text)
    assert repo and rev, ".pre-commit-hooks.yaml no longer documents repo: and rev:"
    return repo.group(1), rev.group(1)


def test_release_tag_is_the_package_version() -> None:
    _slug, rev = _repo_slug_and_rev()
    assert rev == f"v{auditor.__version__}"


def test_action_is_a_composite_action_with_declared_inputs_only() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"command", "fail-on", "baseline", "output-dir", "sarif", "annotations", "python-version",
            "max-list"} <= set(inputs)
    assert inputs["command"]["default"] == "demo"
    text = ACTION.read_text(encoding="utf-8")
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used, "the action uses none of its inputs"
    assert used <= set(inputs), f"undeclared inputs: {sorted(used - set(inputs))}"
    assert set(inputs) <= used, f"declared but unused inputs: {sorted(set(inputs) - used)}"

    steps = action["runs"]["steps"]
    ids = [s.get("id") for s in steps]
    for n, step in enumerate(steps):
        assert ("run" in step) != ("uses" in step), f"step {n} needs exactly one of run/uses"
        if "run" in step:
            assert step.get("shell"), f"step {step.get('name')}: composite run steps need a shell"
            # Script injection: inputs reach scripts only through env.
            assert "${{" not in step["run"], f"step {step.get('name')}: ${{{{ }}}} inside run:"
        for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs", json.dumps(step)):
            assert ref in ids[:n], f"step {step.get('name')} reads outputs of '{ref}', not an earlier step"
    for name, out in action["outputs"].items():
        (ref,) = re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs", out["value"])
        assert ref in ids, f"output {name} reads step '{ref}', which does not exist"
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    assert upload and "always()" in upload[0]["if"], "the SARIF upload must run when the gate fails"


def test_action_scripts_name_real_commands_and_files() -> None:
    problems = []
    found = []
    for step in _action()["runs"]["steps"]:
        if "run" in step:
            where = f"action.yml ({step.get('name')})"
            found += auditor_commands(step["run"], where)
            problems += _pip_problems(step["run"], where)
            for ref in re.findall(r"\$GITHUB_ACTION_PATH/([\w./-]+)", step["run"]):
                if not (ROOT / ref).exists():
                    problems.append(f"{where}: $GITHUB_ACTION_PATH/{ref} does not exist in the repository")
    assert any(f.tokens[:1] == ["gate"] for f in found), "the action never runs auditor gate"
    gate = next(f for f in found if f.tokens[:1] == ["gate"])
    assert {"--fail-on", "--max-list", "--baseline", "--annotations"} <= set(gate.tokens)
    problems += _check_all(found)
    assert not problems, "\n".join(problems)


STUB = r'''
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\n")
if "--help" in args:  # the real CLI answers: the action probes the command's options
    sys.exit(subprocess.call([sys.executable, "-m", "auditor", *args]))
if args[:1] == ["gate"]:
    sys.exit(int(os.environ["STUB_GATE_EXIT"]))
out = args[args.index("--output-dir") + 1]
os.makedirs(out, exist_ok=True)
for name in ("findings.json", "findings.sarif"):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write("{}")
'''


@dataclass
class ActionRun:
    calls: list[list[str]]
    outputs: dict[str, dict[str, str]]
    returncodes: dict[str, int]
    workspace: Path


def _expand(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def sub(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        if mm := re.fullmatch(r"inputs\.([\w-]+)", expr):
            return inputs[mm.group(1)]
        if mm := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr):
            return outputs.get(mm.group(1), {}).get(mm.group(2), "")
        raise AssertionError(f"the test cannot evaluate ${{{{ {expr} }}}}")

    return re.sub(r"\$\{\{(.*?)\}\}", sub, str(value))


def run_action(tmp_path: Path, gate_exit: int = 1, **overrides: str) -> ActionRun:
    """Run the action's own shell steps (not the setup/install/upload steps) with bash, as a
    runner would (``bash --noprofile --norc -eo pipefail``), against a stand-in auditor."""
    action = _action()
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    inputs.update(overrides)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (tmp_path / "stub.py").write_text(STUB, encoding="utf-8")
    stub = bindir / "auditor"
    stub.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{tmp_path / "stub.py"}" "$@"\n', encoding="utf-8")
    stub.chmod(0o755)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    log = tmp_path / "calls.jsonl"
    log.touch()
    outputs: dict[str, dict[str, str]] = {}
    codes: dict[str, int] = {}
    bash = shutil.which("bash")
    assert bash, "bash is needed to run the action's scripts"
    for n, step in enumerate(action["runs"]["steps"]):
        if "run" not in step or step.get("id") == "install":
            continue
        sid = step.get("id") or f"step{n}"
        condition = str(step.get("if", ""))
        if "always()" not in condition and any(c != 0 for c in codes.values()):
            continue  # an earlier step failed: the runner skips the rest but always() steps
        needed = re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+) != ''", condition)
        if any(not outputs.get(sid_, {}).get(name) for sid_, name in needed):
            continue
        out_file = tmp_path / f"{sid}.out"
        out_file.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update({k: _expand(v, inputs, outputs) for k, v in (step.get("env") or {}).items()})
        env.update({"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out_file),
                    "GITHUB_ACTION_PATH": str(ROOT), "STUB_LOG": str(log), "STUB_GATE_EXIT": str(gate_exit)})
        script = tmp_path / f"{sid}.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run([bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        codes[sid] = proc.returncode
        outputs[sid] = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return ActionRun(calls, outputs, codes, workspace)


def _click_accepts(args: list[str]) -> None:
    """The real command parses these arguments (unknown options, bad choices: UsageError)."""
    cmd, path, rest = resolve(args)
    try:
        cmd.make_context(" ".join(path), list(rest))
    except click.UsageError as exc:
        pytest.fail(f"auditor {' '.join(args)}: {exc.format_message()}")


def _non_help(calls: list[list[str]]) -> list[list[str]]:
    return [c for c in calls if "--help" not in c]


def test_action_default_run_gates_and_reraises_the_gate_exit_code(tmp_path: Path) -> None:
    run = run_action(tmp_path, gate_exit=1)
    scan, gate = _non_help(run.calls)
    assert scan[:1] == ["demo"] and scan[scan.index("--output-dir") + 1] == "reports/auditor"
    assert gate[:2] == ["gate", "reports/auditor/findings.json"]
    assert gate[gate.index("--fail-on") + 1] == "high"
    assert gate[gate.index("--max-list") + 1] == "20"
    assert gate[gate.index("--annotations") + 1] == "github"
    assert "--baseline" not in gate
    for call in (scan, gate):
        _click_accepts(call)
    assert run.outputs["audit"]["findings"] == "reports/auditor/findings.json"
    assert run.outputs["audit"]["sarif"] == "reports/auditor/findings.sarif"
    assert run.returncodes["audit"] == 0 and run.returncodes["gate"] == 0, "the gate step must not fail before SARIF"
    assert run.outputs["gate"]["exit-code"] == "1"
    final = [sid for sid in run.returncodes if sid not in ("audit", "gate")]
    assert final and run.returncodes[final[-1]] == 1, "the action must fail with the gate's exit code"


def test_action_passes_when_the_gate_passes(tmp_path: Path) -> None:
    run = run_action(tmp_path, gate_exit=0)
    assert run.outputs["gate"]["exit-code"] == "0"
    assert all(code == 0 for code in run.returncodes.values())


def test_action_scan_command_with_baseline_and_no_annotations(tmp_path: Path) -> None:
    run = run_action(tmp_path, gate_exit=0, command="aws scan --region us-east-1", baseline="base line/findings.json",
                     annotations="false", **{"fail-on": "critical", "max-list": "10", "output-dir": "out dir"})
    scan, gate = _non_help(run.calls)
    assert scan[:4] == ["aws", "scan", "--region", "us-east-1"]
    assert scan[scan.index("--output-dir") + 1] == "out dir"
    # The scan only writes findings; the gate decides.
    assert scan[scan.index("--format") + 1] == "json,sarif"
    assert scan[scan.index("--fail-on") + 1] == "none"
    assert "--no-fail-on-error" in scan
    assert gate[gate.index("--baseline") + 1] == "base line/findings.json"
    assert gate[gate.index("--fail-on") + 1] == "critical"
    assert "--annotations" not in gate
    for call in (scan, gate):
        _click_accepts(call)


def test_action_inputs_cannot_inject_shell(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    run = run_action(first, command="demo; touch pwned-1 $(touch pwned-2)",
                     **{"fail-on": "high; touch pwned-3", "output-dir": "$(touch pwned-4)"})
    assert run.returncodes["audit"] != 0  # "demo;" is not a command
    assert not list(run.workspace.glob("pwned-*"))
    run = run_action(second, **{"fail-on": "high`touch pwned-5`", "output-dir": "out`touch pwned-6`"})
    assert not list(run.workspace.glob("pwned-*"))
    gate = next(c for c in run.calls if c[:1] == ["gate"])
    assert gate[gate.index("--fail-on") + 1] == "high`touch pwned-5`"
    assert gate[1] == "out`touch pwned-6`/findings.json"


def test_action_rejects_a_multi_line_command(tmp_path: Path) -> None:
    run = run_action(tmp_path, command="demo\ngate x")
    assert run.returncodes["audit"] != 0
    assert not _non_help(run.calls)


# ---------------------------------------------------------------------------------------------
# CI examples
# ---------------------------------------------------------------------------------------------


def _workflow_steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for job_name, job in workflow["jobs"].items():
        for step in job["steps"]:
            yield job_name, job, step


def test_github_workflow_parses_and_runs_real_commands() -> None:
    workflow = _load_yaml(GITHUB_WORKFLOW)
    assert workflow.get("on", workflow.get(True)), "no triggers"  # YAML 1.1 reads `on` as True
    assert workflow["jobs"]
    problems: list[str] = []
    found: list[Found] = []
    for job_name, _job, step in _workflow_steps(workflow):
        assert ("run" in step) != ("uses" in step), f"{job_name}: a step needs exactly one of run/uses"
        if "run" in step:
            where = f"{_rel(GITHUB_WORKFLOW)} ({job_name}: {step.get('name', step['run'][:30])})"
            found += auditor_commands(step["run"], where)
            problems += _pip_problems(step["run"], where) + _repo_reference_problems(step["run"], where)
    found += _comment_commands(GITHUB_WORKFLOW.read_text(encoding="utf-8"), _rel(GITHUB_WORKFLOW))
    assert len([f for f in found if not f.dynamic]) >= 3
    problems += _check_all(found)
    assert not problems, "\n".join(problems)


def test_github_workflow_gates_with_the_action() -> None:
    workflow = _load_yaml(GITHUB_WORKFLOW)
    slug, rev = _repo_slug_and_rev()
    action_inputs = set(_action()["inputs"])
    uses = [(job_name, job, step) for job_name, job, step in _workflow_steps(workflow)
            if str(step.get("uses", "")).split("@")[0] == slug]
    assert uses, f"the workflow does not use the action {slug}"
    problems = []
    for job_name, job, step in uses:
        ref = step["uses"].split("@")[1]
        if ref != rev:
            problems.append(f"{job_name}: uses {slug}@{ref}, the release is {rev}")
        unknown = set(step.get("with") or {}) - action_inputs
        if unknown:
            problems.append(f"{job_name}: the action has no input {sorted(unknown)}")
        command = str((step.get("with") or {}).get("command", _action()["inputs"]["command"]["default"]))
        literals = [lit for lit in re.findall(r"'((?:[^']|'')*)'", command) if lit] if "${{" in command else [command]
        assert literals, f"{job_name}: no command to check in {command!r}"
        for literal in literals:
            problems += command_problems(_tokens(literal), f"{job_name}: command {literal!r}")
        if str((step.get("with") or {}).get("sarif", "true")) != "false" \
                and (job.get("permissions") or {}).get("security-events") != "write":
            problems.append(f"{job_name}: uploading SARIF needs permissions: security-events: write")
    # Other checkouts of auditor pin the same release.
    env = workflow.get("env") or {}
    for job_name, _job, step in _workflow_steps(workflow):
        with_ = step.get("with") or {}
        if str(step.get("uses", "")).startswith("actions/checkout@") and with_.get("repository") == slug:
            ref = re.sub(r"\$\{\{\s*env\.(\w+)\s*\}\}", lambda m: str(env.get(m.group(1))), str(with_.get("ref")))
            if ref != rev:
                problems.append(f"{job_name}: checks out {slug} at {ref}, the release is {rev}")
    assert not problems, "\n".join(problems)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """GitLab's extends: hashes merge deeply, everything else is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _gitlab_jobs() -> dict[str, dict[str, Any]]:
    data = _load_yaml(GITLAB_CI)
    jobs = {k: v for k, v in data.items() if isinstance(v, dict) and k not in ("variables", "default", "workflow")}

    def resolved(name: str) -> dict[str, Any]:
        job = jobs[name]
        parents = job.get("extends") or []
        merged: dict[str, Any] = {}
        for parent in [parents] if isinstance(parents, str) else parents:
            merged = _merge(merged, resolved(parent))
        return _merge(merged, {k: v for k, v in job.items() if k != "extends"})

    return {name: resolved(name) for name in jobs}


def test_gitlab_ci_parses_and_runs_real_commands() -> None:
    jobs = _gitlab_jobs()
    assert {"auditor-gate", "auditor-nightly"} <= set(jobs)
    problems: list[str] = []
    found: list[Found] = []
    for name, job in jobs.items():
        for key in ("before_script", "script", "after_script"):
            lines = job.get(key) or []
            for script in [lines] if isinstance(lines, str) else lines:
                where = f"{_rel(GITLAB_CI)} ({name}.{key})"
                found += auditor_commands(script, where)
                problems += _pip_problems(script, where) + _repo_reference_problems(script, where)
    found += _comment_commands(GITLAB_CI.read_text(encoding="utf-8"), _rel(GITLAB_CI))
    assert any(f.tokens[:1] == ["gate"] for f in found)
    problems += _check_all(found)
    assert not problems, "\n".join(problems)


def test_gitlab_code_quality_report_is_what_the_gitlab_format_writes(tmp_path: Path) -> None:
    from auditor.reporting.writers import load_writers

    written = load_writers().get("gitlab")({"findings": []}, tmp_path)
    job = _gitlab_jobs()["auditor-gate"]
    out = job["variables"]["AUDITOR_OUT"]
    reports = job["artifacts"]["reports"]
    assert reports["codequality"] == f"{out}/{written.name}"
    assert any(p.rstrip("/") == out for p in job["artifacts"]["paths"])
    scripts = "\n".join(job["script"])
    assert "gitlab" in re.findall(r"--format\s+(\S+)", scripts)[0].split(","), "the first audit does not write gitlab"
    assert all("gitlab" in v.split(",") for v in re.findall(r"--format\s+(\S+)", scripts)), \
        "every branch of the audit must write the Code Quality report"


# ---------------------------------------------------------------------------------------------
# cron, systemd
# ---------------------------------------------------------------------------------------------

CRON_FIELD = {0: (0, 59), 1: (0, 23), 2: (1, 31), 3: (1, 12), 4: (0, 7)}


def _cron_field_ok(field: str, lo: int, hi: int) -> bool:
    for part in field.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            return False
        for n in (m.group(2), m.group(3)):
            if n is not None and not lo <= int(n) <= hi:
                return False
    return True


def test_cron_lines_have_five_time_fields_and_run_real_commands() -> None:
    entries = []
    for n, line in enumerate(CRON.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        fields = line.split(None, 6)  # /etc/cron.d: five time fields, the user, the command
        assert len(fields) == 7, f"{_rel(CRON)}:{n}: expected 5 time fields, a user and a command"
        for i in range(5):
            assert _cron_field_ok(fields[i], *CRON_FIELD[i]), f"{_rel(CRON)}:{n}: bad time field {fields[i]!r}"
        assert re.fullmatch(r"[a-z_][a-z0-9_-]*", fields[5]), f"{_rel(CRON)}:{n}: bad user {fields[5]!r}"
        entries += auditor_commands(fields[6], f"{_rel(CRON)}:{n}")
    assert entries, "the cron file runs no auditor command"
    problems = _check_all(entries) + _check_all(_comment_commands(CRON.read_text(encoding="utf-8"), _rel(CRON)))
    assert not problems, "\n".join(problems)


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_systemd_units_parse_and_the_service_runs_a_real_command() -> None:
    service = _unit(SYSTEMD / "auditor-audit.service")
    timer = _unit(SYSTEMD / "auditor-audit.timer")
    assert {"Unit", "Service"} <= set(service.sections())
    assert {"Unit", "Timer", "Install"} <= set(timer.sections())
    # The timer starts the service of the same name unless it names another one.
    unit = timer["Timer"].get("Unit", "auditor-audit.service")
    assert (SYSTEMD / unit).is_file()
    assert timer["Timer"].get("OnCalendar")
    found = auditor_commands(service["Service"]["ExecStart"], f"{_rel(SYSTEMD)}/auditor-audit.service")
    assert found, "ExecStart runs no auditor command"
    assert not _check_all(found)


# ---------------------------------------------------------------------------------------------
# EventBridge (CloudFormation, ECS target), Dockerfile
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_eventbridge_template_passes_cfn_lint() -> None:
    from cfnlint.api import ManualArgs, lint, lint_file

    matches = lint_file(TEMPLATE, config=ManualArgs())
    assert not matches, "\n".join(str(m) for m in matches)
    # ...and cfn-lint does judge: the same template with a misspelt property fails.
    broken = TEMPLATE.read_text(encoding="utf-8").replace("MemorySize:", "MemorySise:")
    assert lint(broken, config=ManualArgs())


def test_eventbridge_template_invokes_the_handler_with_what_it_reads() -> None:
    import inspect

    from auditor.scheduler import lambda_handler

    template = TEMPLATE.read_text(encoding="utf-8")
    source = inspect.getsource(lambda_handler.handler)
    event = re.search(r"Input: !Sub '(.*)'", template)
    assert event, "the schedule passes no Input to the handler"
    keys = re.findall(r'"(\w+)":', event.group(1))
    assert "config" in keys
    for key in keys:
        assert f'"{key}"' in source, f"the schedule passes '{key}', which the handler does not read"
    variables = re.findall(r"Variables: \{(\w+):", template)
    assert variables
    for var in variables:
        assert f'"{var}"' in source, f"the function sets {var}, which the handler does not read"


def test_ecs_target_validates_and_runs_a_real_command() -> None:
    import botocore.session
    from botocore.validate import ParamValidator

    target = json.loads(ECS_TARGET.read_text(encoding="utf-8"))
    target.pop("_comment", None)
    shape = botocore.session.get_session().get_service_model("scheduler").operation_model("CreateSchedule") \
        .input_shape.members["Target"]
    report = ParamValidator().validate(target, shape)
    assert not report.has_errors(), report.generate_report()
    overrides = json.loads(target["Input"])["containerOverrides"]
    (container,) = overrides
    # The task definition's entryPoint is `python -m auditor` (see the Dockerfile): the command is the rest.
    assert not _check_all([Found(_rel(ECS_TARGET), container["command"])])
    assert container["command"][:1] == ["run"]


@dataclass
class DockerInstruction:
    line: int
    op: str
    args: str


def _dockerfile() -> list[DockerInstruction]:
    out = []
    buf, start = "", 0
    for n, raw in enumerate(DOCKERFILE.read_text(encoding="utf-8").splitlines(), 1):
        if not buf and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if not buf:
            start = n
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        buf += raw
        op, _, args = buf.strip().partition(" ")
        out.append(DockerInstruction(start, op.upper(), args.strip()))
        buf = ""
    return out


def _docker_layout() -> tuple[list[tuple[str, Path]], str]:
    """Where each COPY puts which repository path (Docker's rules: a directory's contents go
    to the destination; files go into a destination ending in / or given several sources),
    and the WORKDIR in which the project is installed."""
    copies: list[tuple[str, Path]] = []
    workdir = "/"
    install_dir = ""
    for ins in _dockerfile():
        if ins.op == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.args))
        elif ins.op == "COPY":
            *sources, dest = [p for p in shlex.split(ins.args) if not p.startswith("--")]
            dest_abs = posixpath.normpath(posixpath.join(workdir, dest))
            into = dest.endswith("/") or dest == "." or len(sources) > 1
            for src in sources:
                origin = ROOT / src
                target = posixpath.join(dest_abs, origin.name) if into and not origin.is_dir() else dest_abs
                copies.append((target, origin))
        elif ins.op == "RUN" and "--no-deps" in ins.args:
            install_dir = workdir
    return copies, install_dir


def _in_image(path: str, copies: list[tuple[str, Path]]) -> Path | None:
    """The repository file that ends up at ``path`` in the image, if any."""
    path = posixpath.normpath(path)
    for dest, src in sorted(copies, key=lambda kv: -len(kv[0])):
        candidate = src if path == dest else src / path[len(dest) + 1:] if path.startswith(dest + "/") else None
        if candidate is not None and candidate.exists():
            return candidate
    return None


def test_dockerfile_copies_what_exists_and_installs_from_the_lock() -> None:
    instructions = _dockerfile()
    assert instructions[0].op == "FROM"
    copies, install_dir = _docker_layout()
    missing = [f"{src.relative_to(ROOT)} (-> {dest})" for dest, src in copies if not src.exists()]
    assert not missing, f"COPY sources missing from the repository: {missing}"
    needed = {"pyproject.toml", "setup.py", "README.md", "auditor", "rules", "policy_templates", "requirements/auditor.txt"}
    copied = {src.relative_to(ROOT).as_posix() for _dest, src in copies}
    assert needed <= copied, f"the build needs {sorted(needed - copied)}"
    assert install_dir, "no RUN installs the project (pip install --no-deps ...)"
    runs = [i for i in instructions if i.op == "RUN"]
    assert any("--require-hashes" in r.args for r in runs), "the dependencies are not installed from the lock"
    problems = []
    workdir = "/"
    for ins in instructions:
        if ins.op == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, ins.args))
        if ins.op != "RUN":
            continue
        problems += _pip_problems(ins.args, f"Dockerfile:{ins.line}")
        for req in re.findall(r"-r\s+(\S+)", ins.args):
            src = _in_image(posixpath.join(workdir, req), copies)
            if src is None or not src.is_file():
                problems.append(f"Dockerfile:{ins.line}: -r {req} is not a file the image was given")
        for m in re.finditer(r"pip install [^&;]*--no-deps[^&;]*?(\S+)\s*(?:&&|;|$)", ins.args):
            src = _in_image(posixpath.join(workdir, m.group(1), "pyproject.toml"), copies)
            if src is None or not src.is_file():
                problems.append(f"Dockerfile:{ins.line}: {m.group(1)} is not the project (no pyproject.toml copied there)")
    found = [f for r in runs for f in auditor_commands(r.args, f"Dockerfile:{r.line}")]
    problems += _check_all(found)
    assert not problems, "\n".join(problems)


def test_dockerfile_cmd_is_an_importable_handler() -> None:
    import importlib

    (cmd,) = [i for i in _dockerfile() if i.op == "CMD"]
    assert json.loads(cmd.args) == [HANDLER]
    module, _, name = HANDLER.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))


@pytest.mark.slow
def test_wheel_built_from_what_the_dockerfile_copies_carries_the_rules(tmp_path: Path) -> None:
    """The image installs the wheel pip builds from the copied files alone (no egg-info or
    build/ left over from a checkout): it must carry every rule pack and policy template."""
    copies, install_dir = _docker_layout()
    src = tmp_path / "src"
    for dest, origin in copies:
        if not dest.startswith(install_dir + "/"):
            continue
        target = src / dest[len(install_dir) + 1:]
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target)
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path / "dist"),
                           str(src)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("auditor-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = []
    for folder, package in (("rules", "auditor/rules"), ("policy_templates", "auditor/policy_templates")):
        for f in (ROOT / folder).rglob("*"):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                rel = f.relative_to(ROOT / folder).as_posix()
                if f"{package}/{rel}" not in names:
                    missing.append(f"{package}/{rel}")
    assert not missing, f"the image's wheel lacks {len(missing)} shipped files, e.g. {sorted(missing)[:5]}"


def _docker_engine() -> str | None:
    """Why docker cannot build here, or None when an engine answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    try:
        proc = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker info failed: {exc}"
    if proc.returncode != 0:
        return "no docker engine answers (docker info: " + (proc.stderr.strip().splitlines() or ["?"])[-1] + ")"
    return None


@pytest.mark.slow
def test_docker_build() -> None:
    reason = _docker_engine()
    if reason:
        pytest.skip(reason)
    tag = "auditor-examples-test:latest"
    build = subprocess.run(["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)],
                           capture_output=True, text=True, timeout=3600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    check = subprocess.run(["docker", "run", "--rm", "--entrypoint", "python", tag, "-c",
                            f"import {HANDLER.rpartition('.')[0]} as m; assert callable(m.handler)"],
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stdout + check.stderr
    rules = subprocess.run(["docker", "run", "--rm", "--entrypoint", "python", tag, "-m", "auditor", "rules", "validate"],
                           capture_output=True, text=True, timeout=600)
    assert rules.returncode == 0, rules.stdout + rules.stderr


# ---------------------------------------------------------------------------------------------
# Markdown under examples/
# ---------------------------------------------------------------------------------------------


def test_markdown_commands_are_real() -> None:
    found = []
    problems = []
    for md in sorted(EXAMPLES.rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        found += _code_spans(text, _rel(md))
        problems += _repo_reference_problems(text, _rel(md)) + _pip_problems(text, _rel(md))
    assert found
    problems += _check_all(found)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The pre-commit hook
# ---------------------------------------------------------------------------------------------


def _hook() -> dict[str, Any]:
    hooks = _load_yaml(HOOKS)
    assert isinstance(hooks, list) and hooks
    (hook,) = [h for h in hooks if h["id"] == "auditor-validate-rules"]
    return hook


def _shipped_rule_files() -> list[Path]:
    return sorted((ROOT / "rules").rglob("*.yml"))


def test_precommit_hook_entry_is_a_real_command_and_matches_rule_files() -> None:
    import tomllib

    hook = _hook()
    entry = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert entry[0] in scripts, f"entry {entry[0]!r} is not a console script of the package ({sorted(scripts)})"
    assert not command_problems(entry[1:], ".pre-commit-hooks.yaml")
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    rule_files = [p.relative_to(ROOT).as_posix() for p in _shipped_rule_files()]
    assert any(f.startswith("rules/aws/") for f in rule_files)
    assert all(files.search(f) for f in rule_files), [f for f in rule_files if not files.search(f)]
    assert not files.search("rules/__init__.py")
    assert not files.search("auditor/compliance/frameworks/cis-aws-6.0.yml")


def _run_entry(*paths: str) -> subprocess.CompletedProcess[str]:
    entry = shlex.split(_hook()["entry"])
    script = Path(sys.executable).with_name(entry[0])
    argv = [str(script), *entry[1:]] if script.exists() else [sys.executable, "-m", "auditor", *entry[1:]]
    return subprocess.run([*argv, *paths], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_precommit_hook_passes_on_the_shipped_rule_files() -> None:
    pattern = re.compile(_hook()["files"])
    files = [f for f in (p.relative_to(ROOT).as_posix() for p in _shipped_rule_files()) if pattern.search(f)]
    assert files
    proc = _run_entry(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    single = _run_entry("rules/aws/s3.yml")
    assert single.returncode == 0, single.stdout + single.stderr


def test_precommit_hook_refuses_a_broken_rule_file() -> None:
    broken = "tests/fixtures/rules/broken/three-mistakes.yml"
    proc = _run_entry("rules/aws/s3.yml", broken)
    assert proc.returncode != 0
    assert re.search(rf"^{re.escape(broken)}:\d+:\d+: ", proc.stdout + proc.stderr, re.M), proc.stdout + proc.stderr
