"""docs/contributing.md and docs/architecture.md cannot drift from the tree they describe.

Every path they name exists, every ``make`` target they name is in the Makefile, every
entry-point group they name is one that auditor's own distribution declares, and both
are linked from the README.
"""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "contributing.md", ROOT / "docs" / "architecture.md"]
_CODE = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"^(?:auditor|tests|rules|docs|policy_templates|examples|benchmarks|\.ci)/[\w./-]*$")
_MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
_DOTTED = re.compile(r"^auditor(?:\.[a-z_0-9]+)+$")


def _spans(doc: Path) -> list[str]:
    return _CODE.findall(doc.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_paths_exist(doc: Path) -> None:
    # A path with a placeholder (<service>, <rule-id>...) or a glob names a kind of file, not one.
    named = [s for s in _spans(doc) if _PATH.match(s)]
    missing = [s for s in named if not (ROOT / s.rstrip("/")).exists()]
    assert named and not missing, f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_make_targets_exist(doc: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE))
    named = set(_MAKE.findall(doc.read_text(encoding="utf-8")))
    assert named <= targets, f"{doc.name} names make targets the Makefile lacks: {sorted(named - targets)}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_modules_and_entry_point_groups_exist(doc: Path) -> None:
    """A dotted ``auditor.x`` name is a module, or an entry-point group auditor's own distribution declares."""
    declared = {ep.group for ep in distribution("auditor").entry_points}
    named = {s for s in _spans(doc) if _DOTTED.match(s)}
    unknown = sorted(s for s in named if s not in declared and importlib.util.find_spec(s) is None)
    assert not unknown, f"{doc.name} names neither a module nor a declared entry-point group: {unknown}"


def test_the_readme_links_both() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in DOCS:
        assert f"docs/{doc.name}" in readme, f"README.md does not link docs/{doc.name}"
