"""Schema validation that speaks the user's language.

Turns ``jsonschema`` errors into ``Problem`` lines located in the YAML source::

    rules/aws/kms.yml:14:9: rules[0].assert[0].op: 'equals' is not one of eq, ne, ... (did you mean 'eq'?)

Every error is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """One ``jsonschema`` error as problems at their YAML line:col, in the user's words."""
    where: PathKey = tuple(error.absolute_path)
    translate = _TRANSLATORS.get(error.validator, _as_is)
    return translate(doc, error, where)


def _schema(error: Any) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _as_is(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    """jsonschema's own message, for the validators without a translation."""
    return [doc.problem(where, error.message)]


def _unknown_fields(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    """One problem per unknown key, on the key itself, with the closest allowed name."""
    inst = error.instance
    if not isinstance(inst, dict):
        return _as_is(doc, error, where)
    schema = _schema(error)
    allowed = list(schema.get("properties", {}))
    unknown_kind = schema.get("x-unknown", "field")
    return [doc.problem((*where, key), f"unknown {unknown_kind} '{key}'", did_you_mean(key, allowed), key=True)
            for key in inst if key not in allowed]


def _missing_fields(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    inst = error.instance
    missing = [r for r in error.validator_value if isinstance(inst, dict) and r not in inst]
    return [doc.problem(where, f"missing required field '{m}'") for m in missing]


def _not_a_choice(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    """An unknown name (the schema says of what), or a value not among the choices, listed when few."""
    inst = error.instance
    choices = [str(c) for c in error.validator_value]
    what = _schema(error).get("x-unknown")
    if what:
        msg = f"unknown {what} '{inst}'"
    elif len(choices) <= 16:
        msg = f"{_short(inst)} is not one of {', '.join(choices)}"
    else:
        msg = f"{_short(inst)} is not an allowed value"
    return [doc.problem(where, msg, did_you_mean(str(inst), choices))]


def _wrong_type(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    """Expected and actual type; a number where a string is expected is told to quote it."""
    inst = error.instance
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    names = [_TYPE_NAMES.get(str(t), str(t)) for t in expected]
    hint = f"quote it: '{inst}'" if "string" in expected and isinstance(inst, (int, float)) else ""
    return [doc.problem(where, f"expected {' or '.join(names)}, got {_describe_instance(inst)}", hint)]


def _not_const(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    return [doc.problem(where, f"must be {error.validator_value!r}, got {_short(error.instance)}")]


def _no_pattern_match(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    field = str(where[-1]) if where else "value"
    hint = "use kebab-case, e.g. s3-bucket-versioning-enabled" if field == "id" else ""
    return [doc.problem(where, f"{_short(error.instance)} does not match {error.validator_value}", hint)]


def _bad_format(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    return [doc.problem(where, f"{_short(error.instance)} is not a valid {error.validator_value}")]


def _too_few_items(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    return [doc.problem(where, f"needs at least {error.validator_value} item(s)")]


def _too_short(doc: Document, error: Any, where: PathKey) -> list[Problem]:
    return [doc.problem(where, "must not be empty" if error.validator_value == 1
                        else f"must be at least {error.validator_value} characters")]


#: jsonschema validator -> how its error reads in the user's words.
_TRANSLATORS: dict[str, Callable[[Document, Any, PathKey], list[Problem]]] = {
    "additionalProperties": _unknown_fields,
    "required": _missing_fields,
    "enum": _not_a_choice,
    "type": _wrong_type,
    "const": _not_const,
    "pattern": _no_pattern_match,
    "format": _bad_format,
    "minItems": _too_few_items,
    "minLength": _too_short,
}


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
