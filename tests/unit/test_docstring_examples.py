"""Docstring examples are user documentation: every one of them must work.

Every YAML example in a docstring of the ``auditor`` package (a literal block after
``::``) is read the way a user's file would be and must load without a problem:

* a rule, a list of rules or a rule file -> the rule loader (schema, attribute names of
  the resource type, params, compliance control ids);
* a ``where:``/``assert:`` fragment or a list of filters -> a rule on the first resource
  type whose attributes it names (a filter example must make sense for one resource);
* an inline filter (````{key: ..., op: ...}````) in the docstring of a registered resource
  type -> a rule on that resource type; in the docstring of a filter type -> a rule on
  some resource type;
* a run config (``version: 1`` with sections), a mutelist, an ownership file, a masking
  policy, a compliance framework -> their own loaders.

A YAML block that is none of these is an illustration (the shape of an attribute or of an
output document) and must be listed in ``ILLUSTRATIONS``: a new example is never skipped
silently. Python ``>>>`` examples run as doctests.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor import report_config  # noqa: F401  (registers the report: config section, as every command does)
from auditor.compliance.mapping import FRAMEWORK_SCHEMA, control_index, load_frameworks
from auditor.core.errors import ConfigError
from auditor.core.filters import filter_types
from auditor.core.loader import load_rules
from auditor.core.mutes import load_mutelist
from auditor.core.resources import resource_types
from auditor.core.run_config import load_config
from auditor.core.validation import validate
from auditor.core.yamlio import read_yaml
from auditor.data.masking import load_policy
from auditor.ownership import load_owners
from auditor.plugins import load_plugins

PACKAGE = Path(__file__).resolve().parents[2] / "auditor"

#: (file relative to the package, first line of the block): YAML blocks that show a shape, not a file.
ILLUSTRATIONS = {
    ("aws/dashboard.py", "Name: registraroffice-landing"): "the attributes of one collected resource",
    ("aws/network.py", "{Protocol: tcp | udp | icmp | icmpv6 | all | <number>, FromPort: 0, ToPort: 65535,"):
        "the grammar of one normalised ingress rule",
    ("catalogue.py", "attachments:"): "a fragment of the findings document",
}


@dataclass(frozen=True)
class Example:
    """One literal block of a docstring."""

    file: str      # relative to the package
    owner: str     # the module, class or function whose docstring holds it
    text: str

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0]


def _literal_blocks(doc: str) -> Iterator[str]:
    """The reST literal blocks (after a line ending in ``::``) of a cleaned docstring."""
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].rstrip().endswith("::"):
            i += 1
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            j += 1
        block = textwrap.dedent("\n".join(lines[i + 1:j])).strip("\n")
        if block:
            yield block
        i = j


def _examples() -> Iterator[Example]:
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            doc = ast.get_docstring(node, clean=True)
            owner = getattr(node, "name", "<module>")
            for block in _literal_blocks(doc or ""):
                yield Example(path.relative_to(PACKAGE).as_posix(), owner, block)


def _is_yaml(text: str) -> bool:
    """YAML a user would write: parses as a mapping or list, is not Python, is not a JSON document."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict | list):
        return False
    if text.lstrip("{[ \n").startswith('"'):
        return False  # a JSON document auditor writes (manifests, findings), shown with "..." elisions
    try:
        ast.parse(text)
    except SyntaxError:
        return True
    return False


ALL = list(_examples())
YAML_EXAMPLES = [e for e in ALL if _is_yaml(e.text)]
DOCTEST_MODULES = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                         if ">>>" in p.read_text(encoding="utf-8"))

_FILTER_KEYS = {"key", "any", "all", "count", "type", "and", "or", "not"}


def _kind(data: Any) -> str:
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        if all("id" in i and "resource" in i for i in data):
            return "rules"
        if all(set(i) & _FILTER_KEYS for i in data):
            return "filters"
    if isinstance(data, dict):
        if data and set(data) <= {"where", "assert"}:
            return "filters"
        if "controls" in data and "id" in data:
            return "framework"
        if data.get("version") == 1:
            if isinstance(data.get("rules"), list):
                return "rule-file"
            if "mutes" in data:
                return "mutelist"
            if "owners" in data:
                return "owners"
            if {"default", "entities", "columns", "key", "free_text"} & set(data):
                return "masking-policy"
            return "config"
    return "unknown"


@pytest.fixture(scope="module")
def frameworks() -> dict[str, list[str]]:
    load_plugins()
    return control_index(load_frameworks())


def _params(node: Any) -> set[str]:
    """The rule params a filter fragment names (``param: name``)."""
    if isinstance(node, dict):
        own = {node["param"]} if isinstance(node.get("param"), str) else set()
        return own.union(*(_params(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_params(v) for v in node))
    return set()


def _load_rules(rules: list[dict[str, Any]], path: Path, frameworks: dict[str, list[str]]) -> None:
    path.write_text(yaml.safe_dump({"version": 1, "rules": rules}, sort_keys=False), encoding="utf-8")
    load_rules([path], frameworks)


def _filters_fit_some_resource(data: Any, path: Path, frameworks: dict[str, list[str]]) -> None:
    sections = data if isinstance(data, dict) else {"assert": data}
    failures: list[ConfigError] = []
    for name in resource_types.names():
        if name.startswith("test."):
            continue  # registered by the unit tests' conftest
        rule = {"id": "docstring-example", "title": "Docstring example", "severity": "medium", "resource": name,
                "params": dict.fromkeys(sorted(_params(sections)), 1), **sections}
        try:
            _load_rules([rule], path, frameworks)
            return
        except ConfigError as exc:
            failures.append(exc)
    best = min(failures, key=lambda e: len(e.problems))
    raise AssertionError(f"fits no resource type; closest:\n{best}")


@pytest.mark.parametrize("example", YAML_EXAMPLES, ids=[f"{e.file}:{e.owner}:{e.first_line[:40]}" for e in YAML_EXAMPLES])
def test_yaml_example_loads(example: Example, tmp_path: Path, frameworks: dict[str, list[str]]) -> None:
    if (example.file, example.first_line) in ILLUSTRATIONS:
        return
    data = yaml.safe_load(example.text)
    kind = _kind(data)
    path = tmp_path / "example.yml"
    path.write_text(example.text + "\n", encoding="utf-8")
    if kind == "rules":
        # Short examples show a rule's gist; the loader still checks everything they say.
        _load_rules([{"title": "Docstring example", "severity": "medium", **r} for r in data], path, frameworks)
    elif kind == "filters":
        _filters_fit_some_resource(data, path, frameworks)
    elif kind == "rule-file":
        load_rules([path], frameworks)
    elif kind == "config":
        load_config(path)
    elif kind == "mutelist":
        load_mutelist(path, today=date(2026, 12, 1))  # a fixed day: the example's expiry date stays ahead
    elif kind == "owners":
        load_owners(path)
    elif kind == "masking-policy":
        load_policy(path)
    elif kind == "framework":
        doc, problems = read_yaml(path)
        assert not problems and not validate(doc, FRAMEWORK_SCHEMA)
    else:
        pytest.fail(f"{example.file} ({example.owner}): a YAML block that is no auditor file; "
                    f"make it one or list it in ILLUSTRATIONS:\n{example.text}")


def test_the_examples_are_found() -> None:
    kinds = {_kind(yaml.safe_load(e.text)) for e in YAML_EXAMPLES}
    assert len(YAML_EXAMPLES) >= 30
    assert {"rules", "filters", "rule-file", "config", "mutelist", "owners", "masking-policy", "framework"} <= kinds
    assert set(ILLUSTRATIONS) <= {(e.file, e.first_line) for e in YAML_EXAMPLES}, "a stale ILLUSTRATIONS entry"


@pytest.mark.parametrize("file", DOCTEST_MODULES)
def test_doctests(file: str) -> None:
    module = importlib.import_module("auditor." + file.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


load_plugins()
_INLINE = re.compile(r"``([^`]+)``")


def _inline_filters(doc: str) -> list[Any]:
    """The inline literals of a docstring that are filters (``{key: ..., op: ...}``, ``not: [...]``)."""
    out = []
    for text in _INLINE.findall(doc):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and set(data) & _FILTER_KEYS:
            out.append(data)
    return out


INLINE = [("resource type", name, f) for name, rtype in resource_types.items() if not name.startswith("test.")
          for f in _inline_filters(rtype.__doc__ or "")]
INLINE += [("filter type", name, f) for name, ftype in filter_types.items() for f in _inline_filters(ftype.__doc__ or "")]


@pytest.mark.parametrize(("kind", "name", "example"), INLINE, ids=[f"{k}:{n}" for k, n, _ in INLINE])
def test_inline_filter_example_loads(kind: str, name: str, example: Any, tmp_path: Path,
                                     frameworks: dict[str, list[str]]) -> None:
    path = tmp_path / "example.yml"
    if kind == "resource type":
        _load_rules([{"id": "docstring-example", "title": "Docstring example", "severity": "medium",
                      "resource": name, "assert": [example]}], path, frameworks)
    else:
        _filters_fit_some_resource([example], path, frameworks)


def test_every_registered_resource_type_shows_a_filter() -> None:
    shown = {name for kind, name, _ in INLINE if kind == "resource type"}
    assert shown == {n for n in resource_types.names() if not n.startswith("test.")}
