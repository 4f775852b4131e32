"""Install a distribution into a temporary ``site`` folder, as pip would, and give each test fresh registries.

``install`` writes ``<name>-0.1.dist-info/`` (``METADATA`` and ``entry_points.txt``) next
to the distribution's modules and puts the folder on ``sys.path``: ``importlib.metadata``
then finds its entry points exactly as those of an installed package. Nothing under
``auditor/`` is touched; the registries and the loaded groups are put back after each test.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor.core import entry_points
from auditor.data.quality import registry as dqdl
from auditor.iac.readers import iac_readers
from auditor.pipelines.pipeline_registry import pipelines
from auditor.reporting.writers import writers

SAMPLE_PLUGIN = Path(__file__).parent / "sample_plugin"
Install = Callable[..., Path]


@pytest.fixture
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing loaded yet: every group is read again from the entry points (restored afterwards)."""
    dqdl.load_rule_types()  # the built-in rule types register once, when first imported: keep them
    monkeypatch.setattr(entry_points, "_loaded", {})
    monkeypatch.setattr(entry_points, "_origins", {})
    monkeypatch.setattr(pipelines, "_items", {})
    monkeypatch.setattr(writers, "_items", {})
    monkeypatch.setattr(iac_readers, "_items", {})
    # The test's own rule types go into copies, dropped afterwards.
    monkeypatch.setattr(dqdl.RULE_TYPES, "_items", dict(dqdl.RULE_TYPES._items))
    monkeypatch.setattr(dqdl, "_BY_NAME", dict(dqdl._BY_NAME))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("auditor_"):
            del sys.modules[name]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: None) -> Install:
    """``install(name, {group: {entry point: value}}, modules={file: source}, package=folder)``."""
    site = tmp_path / "site"

    def _install(name: str, groups: dict[str, dict[str, str]], *, modules: dict[str, str] | None = None,
                 package: Path | None = None) -> Path:
        # The folder name as pip writes it (name normalised with "_"): the name ends at the first "-".
        info = site / f"{name.replace('-', '_')}-0.1.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(
            "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
                    for group, eps in groups.items()), encoding="utf-8")
        for file, source in (modules or {}).items():
            (site / file).write_text(source, encoding="utf-8")
        if package is not None:
            shutil.copytree(package, site / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        monkeypatch.syspath_prepend(str(site))
        return site

    return _install


@pytest.fixture
def sample_plugin(install: Install) -> Path:
    """The sample plugin distribution: a pipeline and a writer, declared as entry points."""
    return install("auditor-sample-plugin",
                   {"auditor.pipelines": {"colour-counts": "auditor_sample_plugin.pipeline:ColourCounts"},
                    "auditor.writers": {"markdown": "auditor_sample_plugin.writer:write_markdown"}},
                   package=SAMPLE_PLUGIN / "auditor_sample_plugin")
