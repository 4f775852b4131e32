"""Published JSON Schemas (findings document) and helpers to validate against them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@cache
def findings_schema() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((HERE / "findings.schema.json").read_text(encoding="utf-8"))
    return result


def findings_errors(doc: Any) -> list[str]:
    """Every schema violation of a findings document (empty when valid)."""
    from jsonschema import Draft202012Validator, FormatChecker

    v = Draft202012Validator(findings_schema(), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in v.iter_errors(doc)]
