"""Output writers, one module per format, registered in ``writers``.

Each writer is ``write(doc: dict, outdir: Path) -> Path`` over the canonical
findings document; writers never print. Writers are entry points of the
``auditor.writers`` group, the entry point's name being the format (``--format NAME``);
the built-ins are declared in auditor's ``pyproject.toml`` exactly as a package adds one::

    [project.entry-points."auditor.writers"]
    markdown = "auditor_markdown:write_markdown"
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingsDocument
from auditor.core.entry_points import PluginError, describe, register_group
from auditor.core.registry import Registry

Writer = Callable[[FindingsDocument, Path], Path]
writers: Registry[Writer] = Registry("output format")
WRITERS_GROUP = "auditor.writers"


# Files a format writes besides the one its writer returns: listed by the commands, published
# with the rest and put in evidence packs.
COMPANIONS: dict[str, tuple[str, ...]] = {"csv": ("controls.csv",)}


def write_format(fmt: str, doc: FindingsDocument, outdir: Path) -> list[Path]:
    """Write ``fmt`` for ``doc`` into ``outdir``; every file written (the writer's, then its companions)."""
    path = load_writers().get(fmt)(doc, outdir)
    return [path, *(outdir / name for name in COMPANIONS.get(fmt, ()) if (outdir / name).is_file())]


def load_writers() -> Registry[Writer]:
    """The writers of every ``auditor.writers`` entry point (loaded once; a broken one is a ``PluginError``)."""
    return register_group(WRITERS_GROUP, writers, _writer)


def _writer(ep: EntryPoint, obj: Any) -> Writer:
    if not callable(obj):
        raise PluginError(f"{describe(ep)}: a writer is a function write(doc, outdir) -> Path, not {type(obj).__name__}")
    writer: Writer = obj
    return writer
