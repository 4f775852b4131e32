"""Terraform JSON configuration (``*.tf.json``), what ``auditor baseline export --format terraform`` writes.

Each ``resource.<type>.<name>`` becomes a :class:`~auditor.iac.model.SourceResource`
addressed ``<type>.<name>``, located at its line. Strings are Terraform templates; their
``${...}`` interpolations are evaluated as far as configuration alone allows:

- ``var.NAME``: ``--param NAME=VALUE``, else the variable's ``default``, else unknown;
- ``local.NAME``: the local value, evaluated the same way;
- ``<type>.<name>.<attr>`` of a managed resource: a :class:`~auditor.iac.values.Symbol`
  pointing at it (a value that exists once applied); a template that references one
  resource (``"${aws_cloudwatch_log_group.trail.arn}:*"``) points at it too;
- ``data.<type>.<name>.<attr>``: a symbol (read by ``terraform plan``);
- a function call, a conditional, a splat or a ``%{`` directive: unknown, with the advice to
  scan the plan, which has the evaluated values.

A literal ``count`` is expanded (``aws_s3_bucket.zone[0]``...); any other ``count`` or a
``for_each`` is decided by ``terraform plan``: the resource is read once and its findings
are ERROR. Module calls are not followed (scan the plan).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.core import jsonio
from auditor.core.errors import ConfigError, Problem
from auditor.iac.jsonpos import JsonPositions
from auditor.iac.model import TERRAFORM, Change, Location, SourceResource
from auditor.iac.tf.refs import attribute_of, resource_address
from auditor.iac.values import Symbol, Unknown, first_unknown

MAX_COUNT = 1000
MAX_DEPTH = 200
_INTERP = re.compile(r"(?<!\$)\$\{([^{}]*)\}")
_SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*$")


def read_tf_json(path: Path, text: str, change: Change, params: Mapping[str, str]) -> set[str]:
    """Add the configuration's resources to ``change``; return the ``--param`` names it used."""
    file = str(path)
    try:
        data = jsonio.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError([Problem(file, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(file, 1, 1, "", "Terraform JSON configuration is a JSON object")])
    positions = JsonPositions(text, max_depth=3)
    ev = _Evaluator(file, data, params, change)
    region = ev.provider_region()
    change.files.append({"path": file, "kind": "terraform-json"})
    for module in _named(data.get("module")):
        line, col = positions.locate(("module", module))
        change.warnings.append(f"{file}:{line}: module {module} is not followed in *.tf.json; scan the plan")
    for rtype, name, body in _resources(data):
        line, col = positions.locate(("resource", rtype, name))
        base = f"{rtype}.{name}"
        count = body.get("count")
        errors: dict[str, str] = {}
        indices: list[str] = [""]
        if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_COUNT:
            indices = [f"[{i}]" for i in range(count)]
        elif count is not None or body.get("for_each") is not None:
            errors["*"] = (f"count / for_each (other than a literal count of at most {MAX_COUNT}) is decided by "
                           "terraform plan; scan the plan (terraform show -json)")
        for index in indices:
            address = base + index
            ev.count_index = int(index[1:-1]) if index else None
            props = ev.value({k: v for k, v in body.items() if k not in ("count", "for_each", "lifecycle", "depends_on",
                                                                        "provider", "provisioner", "connection")},
                             address, 0)
            change.resources.append(SourceResource(
                TERRAFORM, rtype, f"{file}#{address}", address, props, Location(file, line, col, address),
                errors=dict(errors), region=region, declared=frozenset(body)))
    return ev.used


def _listed(section: Any) -> list[Any]:
    """A top-level block: JSON syntax allows an object or a list of objects."""
    return section if isinstance(section, list) else [section] if section is not None else []


def _named(section: Any) -> list[str]:
    blocks = section if isinstance(section, list) else [section] if isinstance(section, dict) else []
    return [name for b in blocks if isinstance(b, dict) for name in b]


def _resources(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    section = data.get("resource")
    for by_type in section if isinstance(section, list) else [section] if isinstance(section, dict) else []:
        if not isinstance(by_type, dict):
            continue
        for rtype, by_name in by_type.items():
            for named in by_name if isinstance(by_name, list) else [by_name]:
                if not isinstance(named, dict):
                    continue
                for name, body in named.items():
                    for item in body if isinstance(body, list) else [body]:
                        if isinstance(item, dict):
                            out.append((str(rtype), str(name), item))
    return out


# What the AWS data sources every configuration reads return, as far as configuration tells.
_DATA = {"aws_partition": "partition", "aws_region": "name", "aws_caller_identity": "account_id"}


class _Evaluator:
    """Evaluate the strings of one configuration file (see the module doc)."""

    def __init__(self, file: str, data: dict[str, Any], params: Mapping[str, str], change: Change) -> None:
        self.file, self.change = file, change
        self.params = dict(params)
        self.used: set[str] = set()
        self.variables: dict[str, Any] = {}
        for block in _listed(data.get("variable")):
            if isinstance(block, dict):
                for name, decl in block.items():
                    self.variables[name] = decl if isinstance(decl, dict) else {}
        self.locals: dict[str, Any] = {}
        for block in _listed(data.get("locals")):
            if isinstance(block, dict):
                self.locals.update(block)
        self._evaluating: set[str] = set()
        self._data = data
        self.region = ""
        self.count_index: int | None = None  # the instance being read, under a literal count

    def provider_region(self) -> str:
        providers = self._data.get("provider")
        for block in providers if isinstance(providers, list) else [providers] if isinstance(providers, dict) else []:
            aws = block.get("aws") if isinstance(block, dict) else None
            for cfg in aws if isinstance(aws, list) else [aws] if isinstance(aws, dict) else []:
                if isinstance(cfg, dict) and "alias" not in cfg:
                    region = self.value(cfg.get("region"), "provider.aws", 0)
                    self.region = region if isinstance(region, str) and not isinstance(region, Symbol) else ""
                    return self.region
        return ""

    def data_source(self, expr: str) -> Any:
        """``data.aws_partition.x.partition`` -> ``aws``; the region and account from the provider or
        ``--param AWS::Region`` / ``AWS::AccountId``; any other data source: a symbol (read by plan)."""
        parts = expr.split(".")
        if len(parts) >= 4 and _DATA.get(parts[1]) == parts[3]:
            if parts[1] == "aws_partition":
                return "aws"
            pseudo = "AWS::Region" if parts[1] == "aws_region" else "AWS::AccountId"
            if pseudo in self.params:
                return self.params[pseudo]
            if parts[1] == "aws_region" and self.region:
                return self.region
            return Symbol(f"${{{pseudo}}}", pseudo)
        return Symbol(f"${{{expr}}}", expr)

    def value(self, node: Any, address: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Unknown("nested too deep")
        if isinstance(node, dict):
            return {k: self.value(v, address, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v, address, depth + 1) for v in node]
        if (isinstance(node, str) and "${" in node) or (isinstance(node, str) and "%{" in node):
            return self.template(node, address, depth)
        return node

    def template(self, text: str, address: str, depth: int) -> Any:
        if "%{" in text.replace("%%{", ""):
            return Unknown(f"a template directive in {address} is evaluated by terraform plan; scan the plan")
        if "${" in _INTERP.sub("", text).replace("$${", ""):  # an expression with braces: a function call, an object
            return Unknown(f"a Terraform expression in {address} is evaluated by terraform plan; "
                           "scan the plan (terraform show -json)")
        whole = _INTERP.fullmatch(text)
        if whole is not None:
            return self.expression(whole.group(1).strip(), address, depth)
        pieces: list[Any] = []
        targets: set[tuple[str, str]] = set()
        pos = 0
        for m in _INTERP.finditer(text):
            pieces.append(text[pos:m.start()])
            v = self.expression(m.group(1).strip(), address, depth)
            if isinstance(v, Symbol) and v.target.startswith(self.file + "#"):
                targets.add((v.target, v.attr))
            pieces.append(v)
            pos = m.end()
        pieces.append(text[pos:])
        unknown = first_unknown(pieces)
        if unknown is not None:
            return unknown
        if any(isinstance(p, (dict, list)) for p in pieces):
            return Unknown(f"a list or object interpolated into a string in {address}; scan the plan")
        out = "".join(p if isinstance(p, str) else json.dumps(p) for p in pieces).replace("$${", "${")
        if len(targets) == 1:  # one resource referenced: the value designates it (a log group ARN with ":*")
            (target, attr), = targets
            return Symbol(out, target, attr)
        return out

    def expression(self, expr: str, address: str, depth: int) -> Any:
        if not _SIMPLE.match(expr):
            return Unknown(f"the Terraform expression ${{{expr}}} in {address} is evaluated by terraform plan; "
                           "scan the plan (terraform show -json)")
        if expr.startswith("var."):
            name = expr.split(".")[1]
            if name in self.params:
                self.used.add(name)
                return self.params[name]
            decl = self.variables.get(name)
            if decl is None:
                raise ConfigError([Problem(self.file, 0, 0, address, f"reference to undeclared variable var.{name}")])
            if "default" in decl:
                return self.value(decl["default"], address, depth + 1)
            return Unknown(f"variable {name} has no default; pass --param {name}=VALUE")
        if expr.startswith("local."):
            name = expr.split(".")[1]
            if name not in self.locals:
                raise ConfigError([Problem(self.file, 0, 0, address, f"reference to undeclared local.{name}")])
            if name in self._evaluating:
                return Unknown(f"local.{name} refers to itself")
            self._evaluating.add(name)
            try:
                return self.value(self.locals[name], address, depth + 1)
            finally:
                self._evaluating.discard(name)
        if expr.startswith("data."):
            return self.data_source(expr)
        if expr == "count.index" and self.count_index is not None:
            return self.count_index
        target = resource_address(expr)
        if target is not None:
            return Symbol(f"${{{expr}}}", f"{self.file}#{target}", attribute_of(expr))
        return Unknown(f"${{{expr}}} in {address} is decided by terraform plan; scan the plan")
