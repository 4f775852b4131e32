"""YAML reading that remembers where every value came from.

Rule, mutelist and config files are read into plain Python data plus a map of
source positions, so every later validation stage can point at
``file:line:col``. Stricter than ``yaml.safe_load`` where it matters:

- duplicate keys are errors (PyYAML silently keeps the last one);
- timestamps stay strings (``expires: 2027-01-31`` is validated as a date by the
  schema, not turned into a ``datetime`` the schema cannot see);
- an empty file is an empty document, not ``None`` surprises later.

Rule files arrive through pull requests, so hostile input is refused early and
cheaply, as ``file:line:col: path: message`` problems (exit 2) like any other
config error:

- a file larger than 5 MB is not read;
- values nested more than 100 levels deep (counted while composing, so a
  5,000-deep ``[[[[...]]]]`` never reaches Python's recursion limit);
- more than 10,000 values produced through aliases ("billion laughs":
  ``b: &b [*a, *a, ...]`` nine times over), counted before anything is built;
- mapping keys that are not plain values, and numbers longer than 100 characters
  (Python refuses to convert ints of over 4,300 digits, and sexagesimal ones such as
  ``1:2:3:...`` take quadratic time).

Local tags (CloudFormation's short-form intrinsics) are read only when the caller names
them: ``parse_yaml(text, path, tags={"!Ref": "Ref", "!Sub": "Fn::Sub", ...})`` turns
``!Ref Bucket`` into ``{"Ref": "Bucket"}`` and ``!GetAtt [Key, Arn]`` into
``{"Fn::GetAtt": ["Key", "Arn"]}`` (a tagged scalar is its text), with the same marks and
limits as any other value; a local tag not in ``tags`` is a problem at its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.core.errors import Problem

PathKey = tuple[str | int, ...]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 100
MAX_ALIAS_NODES = 10_000
MAX_NUMBER_LENGTH = 100


class _Refused(Exception):
    """A limit was hit: the document is not built any further."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type, with a nesting limit."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self.source = path
        self.trail: list[str | int] = []
        # (id(parent node), item index or id(key node)) -> where the alias is written
        self.alias_marks: dict[tuple[int, int], tuple[int, int]] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # PyYAML composes recursively: bound the depth here, before Python's own limit.
        part = index.value if isinstance(index, yaml.ScalarNode) else index
        self.trail.append(part if isinstance(part, (str, int)) else "?")
        if len(self.trail) > MAX_DEPTH + 1:  # + 1: the document's root node
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise _Refused(Problem(self.source, mark.line + 1, mark.column + 1, _short_path(self.trail[1:]),
                                   f"nested more than {MAX_DEPTH} levels deep"))
        if parent is not None and index is not None and self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            slot = index if isinstance(index, int) else id(index)
            self.alias_marks[(id(parent), slot)] = (mark.line + 1, mark.column + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self.trail.pop()


def _bounded_number(kind: str) -> Any:
    base = yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{kind}"]

    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        if len(node.value) > MAX_NUMBER_LENGTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"number of {len(node.value)} characters (the limit is {MAX_NUMBER_LENGTH})",
                node.start_mark)
        return base(loader, node)

    return construct


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor("tag:yaml.org,2002:int", _bounded_number("int"))
_Loader.add_constructor("tag:yaml.org,2002:float", _bounded_number("float"))


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


def _short_path(where: PathKey | list[str | int]) -> str:
    """``format_path`` cut to its first 6 parts: a 100-level path is no use in a message."""
    parts = tuple(where)
    return format_path(parts[:6]) + ("..." if len(parts) > 6 else "")


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def parse_yaml(text: str, path: str, tags: Mapping[str, str] | None = None) -> tuple[Document, list[Problem]]:
    """Parse ``text``; return the document and any syntax, duplicate-key or limit problems.

    When a limit is hit the document's data stays ``None``, like after a syntax error.
    ``tags`` maps local tags to the key that wraps the tagged value (see the module doc).
    """
    doc = Document(path=path, data=None)
    problems: list[Problem] = []
    if len(text) > MAX_BYTES:
        return doc, [Problem(path, 0, 0, "", f"file larger than {MAX_BYTES // (1024 * 1024)} MB")]
    loader = _Loader(text, path)
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        return doc, [exc.problem]
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

    seen: set[int] = set()  # nodes built once already: meeting one again is an alias
    aliased = 0

    def refuse(n: yaml.Node, where: PathKey, at: tuple[int, int] | None, message: str) -> _Refused:
        line, col = at or doc.key_marks.get(where) or _mark(n)
        return _Refused(Problem(path, line, col, _short_path(where), message))

    def build(n: yaml.Node, where: PathKey, alias_at: tuple[int, int] | None, slot: tuple[int, int]) -> Any:
        """``alias_at``: where the alias being expanded is written (None outside aliases);
        ``slot``: (id(parent), index or id(key node)) to find that place."""
        nonlocal aliased
        if alias_at is None and id(n) in seen:
            alias_at = loader.alias_marks.get(slot, _mark(n))
        if len(where) > MAX_DEPTH:  # only aliases get here (composing is bounded): a cycle
            raise refuse(n, where, alias_at, f"nested more than {MAX_DEPTH} levels deep (through aliases)")
        if alias_at is not None:
            aliased += 1
            if aliased > MAX_ALIAS_NODES:
                raise refuse(n, where, alias_at, f"aliases expand to more than {MAX_ALIAS_NODES} values")
        else:
            seen.add(id(n))
        doc.marks[where] = _mark(n)
        if tags is not None and n.tag.startswith("!") and not n.tag.startswith("!!"):
            return tagged(n, where, alias_at)
        return content(n, where, alias_at)

    def content(n: yaml.Node, where: PathKey, alias_at: tuple[int, int] | None) -> Any:
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    # A list or mapping as a key could hide an alias expansion in str(key).
                    problems.append(Problem(path, *_mark(key_node), format_path(where),
                                            "a mapping key must be a plain value, not a list or mapping"))
                    continue
                skey = str(scalar(key_node, where))
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
                out[skey] = build(value_node, (*where, skey), alias_at, (id(n), id(key_node)))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, (*where, i), alias_at, (id(n), i)) for i, item in enumerate(n.value)]
        return scalar(n, where)

    def tagged(n: yaml.Node, where: PathKey, alias_at: tuple[int, int] | None) -> Any:
        """``!Tag value`` -> ``{key: value}``, the value built like any other (bounded the same way)."""
        assert tags is not None
        key = tags.get(n.tag)
        if key is None:
            problems.append(Problem(path, *_mark(n), format_path(where), f"unknown tag '{n.tag}'"))
            return None
        inner = (*where, key)
        doc.marks[inner] = _mark(n)
        if isinstance(n, yaml.ScalarNode):
            return {key: str(n.value)}
        return {key: content(n, inner, alias_at)}

    def scalar(n: yaml.Node, where: PathKey) -> Any:
        try:
            return loader.construct_object(n, deep=True)
        except ValueError as exc:  # a constructor refusing a value, e.g. an explicit !!timestamp
            raise refuse(n, where, None, f"invalid YAML: {exc}") from None

    try:
        doc.data = build(node, (), None, (0, 0))
    except _Refused as exc:
        problems.append(exc.problem)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.append(Problem(path, line, col, "", f"invalid YAML: {exc.problem}"))
    return doc, problems


def read_yaml(path: str | Path, tags: Mapping[str, str] | None = None) -> tuple[Document, list[Problem]]:
    """Read and parse a YAML file; unreadable or non-UTF-8 files are problems too."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # never more: /dev/zero or a 10 GB file is refused, not read
        if len(raw) > MAX_BYTES:
            return Document(str(path), None), [
                Problem(str(path), 0, 0, "", f"file larger than {MAX_BYTES // (1024 * 1024)} MB")]
        text = raw.decode("utf-8")
    except FileNotFoundError:
        return Document(str(path), None), [Problem(str(path), 0, 0, "", "file not found")]
    except UnicodeDecodeError as exc:
        return Document(str(path), None), [Problem(str(path), 1, 1, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return Document(str(path), None), [Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]
    return parse_yaml(text, str(path), tags)
