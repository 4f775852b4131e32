"""IaC readers: one class per kind of input (CloudFormation, Terraform plan, Terraform JSON), in a ``Registry``.

A reader says which files are its kind (:meth:`IacReader.claims`, a cheap look at the
name and text) and reads them into the scan's :class:`~auditor.iac.model.Change` as
source resources, which the mappers turn into the resource types the rules judge. One
reader object is made per scan (``reader(change, params)``), so it may keep state across
files (CloudFormation resolves nested stacks); ``used`` is the set of ``--param`` names it
read (the others are reported as unused).

Readers are entry points of the ``auditor.iac_readers`` group, named by their kind;
auditor's own are declared in its ``pyproject.toml`` exactly as a package adds one::

    [project.entry-points."auditor.iac_readers"]
    pulumi-preview = "my_package.pulumi:PulumiPreviewReader"

    class PulumiPreviewReader(IacReader):
        '''``pulumi preview --json`` output.'''
        kind = "pulumi-preview"

        @classmethod
        def claims(cls, path: Path, text: str) -> bool:
            return path.name.endswith(".json") and '"steps"' in text

        def read(self, item: Input) -> None:
            self.change.resources.append(...)

A file is read by the first reader that claims it (auditor's own first, then other
distributions' by name; the built-ins never claim the same file). Walking a folder considers ``.json``, ``.yaml``,
``.yml`` and ``.template`` files only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.core.entry_points import PluginError, describe, entry_point_names, register_group
from auditor.core.registry import Registry

if TYPE_CHECKING:
    from auditor.iac.model import Change

READERS_GROUP = "auditor.iac_readers"


@dataclass
class Input:
    """One file to read, what it is (the kind of the reader that claimed it), and its text (read once)."""

    path: Path
    kind: str
    text: str
    parsed: Any = None  # a template already parsed while looking at it (never parsed twice)


class IacReader(ABC):
    """One kind of IaC input (see the module docstring)."""

    kind: ClassVar[str] = ""  # the entry point's name; ``change.files`` records it

    def __init__(self, change: Change, params: Mapping[str, str]) -> None:
        self.change = change
        self.params = params
        self.used: set[str] = set()

    @classmethod
    @abstractmethod
    def claims(cls, path: Path, text: str) -> bool:
        """Whether ``path`` (with this ``text``) is this kind of input: a cheap look, no full parse."""

    @abstractmethod
    def read(self, item: Input) -> None:
        """Read one input into ``self.change``; a problem is a ``ConfigError`` at its file:line:col."""


iac_readers: Registry[type[IacReader]] = Registry("IaC reader")


def load_readers() -> Registry[type[IacReader]]:
    """Every reader of the ``auditor.iac_readers`` entry points (loaded once; fails closed)."""
    return register_group(READERS_GROUP, iac_readers, _reader)


def claiming_kind(path: Path, text: str) -> str | None:
    """The kind of the first reader that claims ``path``, or ``None``."""
    registry = load_readers()
    return next((kind for kind in entry_point_names(READERS_GROUP) if registry.get(kind).claims(path, text)), None)


def json_like(path: Path, text: str) -> bool:
    """A JSON file by its name, or text that starts like a JSON object."""
    return path.name.lower().endswith(".json") or text.lstrip()[:1] == "{"


def plan_like(text: str) -> bool:
    """Text of ``terraform show -json PLANFILE`` (a cheap look for its top-level keys)."""
    return '"format_version"' in text and ('"planned_values"' in text or '"resource_changes"' in text)


def _reader(ep: EntryPoint, obj: Any) -> type[IacReader]:
    if not (isinstance(obj, type) and issubclass(obj, IacReader)):
        raise PluginError(f"{describe(ep)}: an IaC reader is a subclass of auditor.iac.readers.IacReader")
    if obj.kind != ep.name:
        raise PluginError(f"{describe(ep)}: the reader's kind is '{obj.kind}'; the entry point must be named as it")
    return obj
