"""Schema validation that speaks the user's language.

Turns ``jsonschema`` errors into ``Problem`` lines located in the YAML source::

    rules/aws/kms.yml:14:9: rules[0].assert[0].op: 'equals' is not one of eq, ne, ... (did you mean 'eq'?)

Every error is reported, not just the first.
"""

from __future__ import annotations

from typing import Any

from auditor.core.errors import Problem
from auditor.core.registry import did_you_mean
from auditor.core.yamlio import Document, PathKey

_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def _describe_instance(v: Any) -> str:
    if isinstance(v, bool):
        return f"boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"number {v}"
    if isinstance(v, str):
        return f"string {v!r}"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return "null" if v is None else type(v).__name__


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _translate(doc: Document, error: Any) -> list[Problem]:
    where: PathKey = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    inst = error.instance
    if kind == "additionalProperties" and isinstance(inst, dict):
        allowed = list(schema.get("properties", {}))
        unknown_kind = schema.get("x-unknown", "field")
        out = []
        for key in inst:
            if key not in allowed:
                out.append(doc.problem((*where, key), f"unknown {unknown_kind} '{key}'",
                                       did_you_mean(key, allowed), key=True))
        return out
    if kind == "required":
        missing = [r for r in error.validator_value if isinstance(inst, dict) and r not in inst]
        return [doc.problem(where, f"missing required field '{m}'") for m in missing]
    if kind == "enum":
        choices = [str(c) for c in error.validator_value]
        what = schema.get("x-unknown")
        if what:
            msg = f"unknown {what} '{inst}'"
        elif len(choices) <= 16:
            msg = f"{_short(inst)} is not one of {', '.join(choices)}"
        else:
            msg = f"{_short(inst)} is not an allowed value"
        return [doc.problem(where, msg, did_you_mean(str(inst), choices))]
    if kind == "type":
        expected = error.validator_value
        names = [_TYPE_NAMES.get(str(t), str(t)) for t in (expected if isinstance(expected, list) else [expected])]
        hint = ""
        if "string" in (expected if isinstance(expected, list) else [expected]) and isinstance(inst, (int, float)):
            hint = f"quote it: '{inst}'"
        return [doc.problem(where, f"expected {' or '.join(names)}, got {_describe_instance(inst)}", hint)]
    if kind == "const":
        return [doc.problem(where, f"must be {error.validator_value!r}, got {_short(inst)}")]
    if kind == "pattern":
        field = str(where[-1]) if where else "value"
        hint = "use kebab-case, e.g. s3-bucket-versioning-enabled" if field == "id" else ""
        return [doc.problem(where, f"{_short(inst)} does not match {error.validator_value}", hint)]
    if kind == "format":
        return [doc.problem(where, f"{_short(inst)} is not a valid {error.validator_value}")]
    if kind == "minItems":
        return [doc.problem(where, f"needs at least {error.validator_value} item(s)")]
    if kind == "minLength":
        return [doc.problem(where, "must not be empty" if error.validator_value == 1
                            else f"must be at least {error.validator_value} characters")]
    return [doc.problem(where, error.message)]


def validate(doc: Document, schema: dict[str, Any]) -> list[Problem]:
    """All schema problems of ``doc`` (empty list when valid)."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems: list[Problem] = []
    seen: set[tuple[int, int, str, str]] = set()
    for error in validator.iter_errors(doc.data):
        for p in _translate(doc, error):
            ident = (p.line, p.col, p.field, p.message)
            if ident not in seen:
                seen.add(ident)
                problems.append(p)
    return problems
