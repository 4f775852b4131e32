"""Which files of ``auditor iac scan PATH...`` are templates, plans or Terraform JSON configuration.

A file named on the command line must be one of them, else it is an error (exit 2):

- a CloudFormation template, JSON or YAML (``Resources`` whose entries have a ``Type``);
- a Terraform plan as ``terraform show -json PLANFILE`` writes it (``format_version`` with
  ``planned_values`` / ``resource_changes``);
- Terraform JSON configuration, ``*.tf.json``.

A directory is walked (sorted, hidden folders, ``node_modules`` and ``.terraform`` left
out) and only the files that are one of those are read; the others are counted as
skipped. A CDK cloud assembly (a folder with ``manifest.json`` and ``*.template.json``,
usually ``cdk.out``) is read as its stack templates, listed by the manifest; nested stack
templates (``*.nested.template.json``) are read through their parent stack. HCL ``*.tf``
files are not read (no maintained HCL parser is a dependency of auditor): scan the plan
(``terraform show -json plan.out > plan.json``) or ``*.tf.json``; a directory holding
them says so in a warning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from auditor.core import jsonio
from auditor.core.errors import ConfigError, Problem, UsageError
from auditor.iac.cfn.template import looks_like_template, parse_template, read_text
from auditor.iac.readers import Input, claiming_kind

MAX_FILES = 10_000
_SKIP_DIRS = {"node_modules", ".terraform", "__pycache__"}
_YAML = (".yaml", ".yml", ".template")
_JSON = (".json",)

# The built-in readers' kinds (auditor.iac.cfn.reader, auditor.iac.tf.reader).
CFN, PLAN, TF_JSON = "cloudformation", "terraform-plan", "terraform-json"


@dataclass
class Found:
    inputs: list[Input] = field(default_factory=list)
    skipped: int = 0
    hcl_files: int = 0


def discover(paths: list[Path]) -> Found:
    """The inputs under ``paths`` (see the module doc); raise on an unreadable or unknown named file."""
    found = Found()
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
        if path.is_dir():
            _walk(path, found)
            continue
        if path.name.endswith(".tf"):
            raise UsageError(f"{path}: HCL (.tf) is not read; scan the plan (terraform show -json plan.out > plan.json) "
                             "or Terraform JSON configuration (*.tf.json)")
        text = read_text(path)
        kind = classify(path, text)
        if kind is None:
            raise ConfigError([Problem(str(path), 1, 1, "", "not a CloudFormation template, a Terraform plan "
                                       "(terraform show -json) or Terraform JSON configuration (*.tf.json)")])
        found.inputs.append(Input(path, kind, text))
        _check_count(found)
    return found


def classify(path: Path, text: str) -> str | None:
    """The kind of a file from its name and a cheap look at its text (the readers parse it properly).

    The kind is that of the first IaC reader that claims the file (:mod:`auditor.iac.readers`).
    """
    return claiming_kind(path, text)


def _walk(root: Path, found: Found) -> None:
    if _is_cloud_assembly(root):
        _cloud_assembly(root, found)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        if here != root and _is_cloud_assembly(here):
            dirnames[:] = []
            _cloud_assembly(here, found)
            continue
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if name.endswith(".tf"):
                found.hcl_files += 1
                continue
            if not name.lower().endswith(_YAML + _JSON):
                continue
            _maybe(path, found)


def _maybe(path: Path, found: Found) -> None:
    """Read ``path`` when it is an input; in a walked folder anything else is skipped, not an error."""
    text = read_text(path)
    kind = classify(path, text)
    parsed = None
    if kind == CFN:
        try:
            parsed = parse_template(text, str(path))
            looks = looks_like_template(parsed.data)
        except ConfigError:
            # It claims to be a template (a template's extension and a Resources section) but
            # does not parse: that is an error, not a file to skip.
            if path.suffix.lower() in (".template",) or "AWSTemplateFormatVersion" in text:
                raise
            looks = False
        if not looks:
            found.skipped += 1
            return
    if kind is None:
        found.skipped += 1
        return
    found.inputs.append(Input(path, kind, text, parsed))
    _check_count(found)


def _check_count(found: Found) -> None:
    if len(found.inputs) > MAX_FILES:
        raise UsageError(f"more than {MAX_FILES} templates and plans in one scan; scan fewer folders at a time")


# ---------------------------------------------------------------------- CDK


def _is_cloud_assembly(folder: Path) -> bool:
    return (folder / "manifest.json").is_file() and any(folder.glob("*.template.json"))


def _cloud_assembly(folder: Path, found: Found, depth: int = 0) -> None:
    """The stack templates a CDK manifest lists (nested assemblies too), else every top-level template."""
    templates: list[Path] = []
    try:
        manifest = jsonio.loads(read_text(folder / "manifest.json"))
    except (ValueError, ConfigError):
        manifest = None
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if isinstance(artifacts, dict):
        for artifact in artifacts.values():
            if not isinstance(artifact, dict):
                continue
            props = artifact.get("properties") or {}
            if artifact.get("type") == "aws:cloudformation:stack" and isinstance(props.get("templateFile"), str):
                templates.append(folder / props["templateFile"])
            elif artifact.get("type") == "cdk:cloud-assembly" and isinstance(props.get("directoryName"), str) \
                    and depth < 4:
                _cloud_assembly(folder / props["directoryName"], found, depth + 1)
    else:
        templates = sorted(p for p in folder.glob("*.template.json") if not p.name.endswith(".nested.template.json"))
    for path in templates:
        if path.is_file():
            found.inputs.append(Input(path, CFN, read_text(path)))
            _check_count(found)
