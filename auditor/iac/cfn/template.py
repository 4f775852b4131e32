"""Reading a CloudFormation template (JSON or YAML) with the position of every value.

YAML goes through the project's bounded loader (:mod:`auditor.core.yamlio`) with the
short-form intrinsics (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``...) turned into their
long form; JSON through :func:`auditor.core.jsonio.loads` (bounded depth and numbers),
positions from :class:`~auditor.iac.jsonpos.JsonPositions`. Both refuse files over 5 MB
(CloudFormation's own limit is 1 MB). A template that does not parse, or whose structure
CloudFormation would reject (no ``Resources``, a resource without ``Type``...), is a
:class:`~auditor.core.errors.ConfigError` with one ``file:line:col: message``.

Example::

    template = read_template("infra/lake.yaml")
    template.resources()["DataBucket"]["Type"]    # 'AWS::S3::Bucket'
    template.locate(("Resources", "DataBucket"))  # (12, 3)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.core import jsonio
from auditor.core.errors import ConfigError, Problem
from auditor.core.yamlio import MAX_BYTES, format_path, parse_yaml
from auditor.iac.jsonpos import JsonPositions

PathKey = tuple[str | int, ...]

#: Short-form tags -> the long form CloudFormation documents.
SHORT_FORMS = {
    "!Ref": "Ref", "!Condition": "Condition", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap", "!GetAtt": "Fn::GetAtt", "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue", "!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split",
    "!Sub": "Fn::Sub", "!Transform": "Fn::Transform", "!And": "Fn::And", "!Equals": "Fn::Equals",
    "!If": "Fn::If", "!Not": "Fn::Not", "!Or": "Fn::Or", "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString", "!ForEach": "Fn::ForEach",
}

# "Globals" is the AWS::Serverless (SAM) transform's section.
TOP_LEVEL = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
             "Conditions", "Transform", "Resources", "Outputs", "Hooks", "Globals")


@dataclass
class Template:
    """A parsed template: its data and a way to place any path of it."""

    path: str
    data: Any
    _locate: Callable[[PathKey, bool], tuple[int, int]] = field(repr=False)

    def locate(self, where: PathKey, key: bool = True) -> tuple[int, int]:
        """1-based (line, col) of ``where`` (its key when ``key``), or of its closest ancestor."""
        return self._locate(where, key)

    def problem(self, where: PathKey, message: str) -> Problem:
        line, col = self.locate(where)
        return Problem(self.path, line, col, format_path(where), message)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name) if isinstance(self.data, dict) else None
        return value if isinstance(value, dict) else {}

    def resources(self) -> dict[str, Any]:
        return self.section("Resources")


def looks_like_template(data: Any) -> bool:
    """A mapping with ``Resources`` whose entries have a ``Type`` (or a format version)."""
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    return any(isinstance(r, dict) and isinstance(r.get("Type"), str) for r in data["Resources"].values())


def parse_template(text: str, path: str) -> Template:
    """Parse template text (JSON when it starts with ``{``, else YAML); raise ConfigError if it cannot be read."""
    if len(text) > MAX_BYTES:
        raise ConfigError([Problem(path, 0, 0, "", f"file larger than {MAX_BYTES // (1024 * 1024)} MB")])
    if text.lstrip().startswith("{"):
        return _json_template(text, path)
    doc, problems = parse_yaml(text, path, tags=SHORT_FORMS)
    if problems:
        raise ConfigError(sorted(problems)[:1])
    return Template(path, doc.data, lambda where, key: doc.locate(where, key=key))


def _json_template(text: str, path: str) -> Template:
    try:
        data = jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([Problem(path, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise ConfigError([Problem(path, 1, 1, "", f"invalid JSON: {exc}")]) from None
    shallow = JsonPositions(text)
    deep: list[JsonPositions] = []

    def locate(where: PathKey, key: bool) -> tuple[int, int]:
        if len(where) <= shallow.max_depth:
            return shallow.locate(where, key)
        if not deep:  # only errors point this deep: scan the whole text once, then
            deep.append(JsonPositions(text, max_depth=10_000))
        return deep[0].locate(where, key)

    return Template(path, data, locate)


def read_template(path: str | Path, text: str | None = None) -> Template:
    """Read, parse and check the structure of the template at ``path``."""
    if text is None:
        text = read_text(path)
    template = parse_template(text, str(path))
    check_structure(template)
    return template


def read_text(path: str | Path) -> str:
    """A UTF-8 file of at most 5 MB (never reads more), or a ConfigError naming it."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(str(path), 0, 0, "", "is a directory, not a template")]) from None
    except OSError as exc:
        raise ConfigError([Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise ConfigError([Problem(str(path), 0, 0, "", f"file larger than {MAX_BYTES // (1024 * 1024)} MB")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(str(path), 1, 1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None


def check_structure(t: Template) -> None:
    """What CloudFormation rejects before it evaluates anything; raise ConfigError on the first problem."""
    if not isinstance(t.data, dict):
        raise ConfigError([t.problem((), "a template must be a mapping")])
    for name in t.data:
        if name not in TOP_LEVEL:
            raise ConfigError([t.problem((name,), f"unknown top-level section '{name}'")])
    for name in ("Parameters", "Mappings", "Conditions", "Outputs"):
        if name in t.data and not isinstance(t.data[name], dict):
            raise ConfigError([t.problem((name,), f"{name} must be a mapping")])
    resources = t.data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise ConfigError([t.problem(("Resources",) if "Resources" in t.data else (),
                                     "a template needs a Resources mapping with at least one resource")])
    for logical, body in resources.items():
        where: PathKey = ("Resources", logical)
        if logical.startswith("Fn::ForEach::"):
            continue  # a loop of the LanguageExtensions transform, expanded at deploy
        if not isinstance(body, dict):
            raise ConfigError([t.problem(where, "a resource must be a mapping")])
        rtype = body.get("Type")
        if not isinstance(rtype, str) or not rtype:
            raise ConfigError([t.problem(where, "a resource needs a Type (e.g. AWS::S3::Bucket)")])
        if "Properties" in body and body["Properties"] is not None and not isinstance(body["Properties"], dict):
            raise ConfigError([t.problem((*where, "Properties"), "Properties must be a mapping")])
