"""No function of ``auditor/`` above cyclomatic complexity 20, as radon measures it.

The same figure as ``radon cc -s auditor``: a function over the limit holds more than one
decision and is split into helpers that each say one thing. The failure lists every offender
with its place, so one run shows all the work left.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

MAX_COMPLEXITY = 20
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "auditor"


def _too_complex(path: Path) -> list[str]:
    """``file:line name (complexity)`` of each function or method of ``path`` above the limit."""
    rel = path.relative_to(ROOT).as_posix()
    return [f"{rel}:{block.lineno} {block.fullname} ({block.complexity})"
            for block in cc_visit(path.read_text(encoding="utf-8"))
            if isinstance(block, Function) and block.complexity > MAX_COMPLEXITY]


def test_modules_found() -> None:
    assert len(list(PACKAGE.rglob("*.py"))) > 50, "the package moved: point PACKAGE at it"


def test_no_function_above_complexity_limit() -> None:
    offenders = [line for path in sorted(PACKAGE.rglob("*.py")) for line in _too_complex(path)]
    assert not offenders, (f"{len(offenders)} function(s) above cyclomatic complexity {MAX_COMPLEXITY} "
                           "(radon cc): split each into helpers that express one decision\n  "
                           + "\n  ".join(offenders))
