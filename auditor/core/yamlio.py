"""YAML reading that remembers where every value came from.

Rule, mutelist and config files are read into plain Python data plus a map of
source positions, so every later validation stage can point at
``file:line:col``. Stricter than ``yaml.safe_load`` where it matters:

- duplicate keys are errors (PyYAML silently keeps the last one);
- timestamps stay strings (``expires: 2027-01-31`` is validated as a date by the
  schema, not turned into a ``datetime`` the schema cannot see);
- an empty file is an empty document, not ``None`` surprises later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.core.errors import Problem

PathKey = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Document:
    """Parsed YAML data with the position of each value and key."""

    path: str
    data: Any
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, where: PathKey, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the value at ``where`` (or of its key).

        Falls back to the closest enclosing value that has a position.
        """
        if key and where in self.key_marks:
            return self.key_marks[where]
        probe = tuple(where)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, where: PathKey, message: str, hint: str = "", key: bool = False) -> Problem:
        """A ``Problem`` located at ``where`` in this document."""
        line, col = self.locate(where, key=key)
        return Problem(self.path, line, col, format_path(where), message, hint)


def format_path(where: PathKey) -> str:
    """``('rules', 0, 'assert', 1, 'op')`` -> ``rules[0].assert[1].op``."""
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def parse_yaml(text: str, path: str) -> tuple[Document, list[Problem]]:
    """Parse ``text``; return the document and any syntax or duplicate-key problems."""
    doc = Document(path=path, data=None)
    problems: list[Problem] = []
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or str(exc)
        problems.append(Problem(path, line, col, "", f"invalid YAML: {reason}"))
        return doc, problems
    except yaml.YAMLError as exc:
        problems.append(Problem(path, 1, 1, "", f"invalid YAML: {exc}"))
        return doc, problems
    finally:
        loader.dispose()
    if node is None:
        doc.data = {}
        doc.marks[()] = (1, 1)
        return doc, problems

    def build(n: yaml.Node, where: PathKey) -> Any:
        doc.marks[where] = _mark(n)
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in n.value:
                key = loader.construct_object(key_node, deep=True)
                skey = str(key)
                if skey == "<<":
                    problems.append(Problem(path, *_mark(key_node), format_path(where),
                                            "YAML merge keys ('<<') are not supported"))
                    continue
                if skey in first_seen:
                    problems.append(Problem(path, *_mark(key_node), format_path((*where, skey)),
                                            f"duplicate key '{skey}' (first defined on line {first_seen[skey]})"))
                    continue
                first_seen[skey] = key_node.start_mark.line + 1
                doc.key_marks[(*where, skey)] = _mark(key_node)
                out[skey] = build(value_node, (*where, skey))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, (*where, i)) for i, item in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    try:
        doc.data = build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(Problem(path, line, col, "", f"invalid YAML: {exc.problem}"))
    return doc, problems


def read_yaml(path: str | Path) -> tuple[Document, list[Problem]]:
    """Read and parse a YAML file; unreadable or non-UTF-8 files are problems too."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Document(str(path), None), [Problem(str(path), 0, 0, "", "file not found")]
    except UnicodeDecodeError as exc:
        return Document(str(path), None), [Problem(str(path), 1, 1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return Document(str(path), None), [Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]
    return parse_yaml(text, str(path))
