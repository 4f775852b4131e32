"""Line and column of values inside a JSON text, for findings and errors on JSON templates.

The data itself is read by :func:`auditor.core.jsonio.loads` (bounded depth and numbers);
this module only answers "where is ``Resources.DataBucket``?" by scanning the same text
once, iteratively (no recursion, so depth is no risk), recording the position of every
value down to ``max_depth`` path segments::

    >>> pos = JsonPositions('{"Resources": {\\n  "Logs": {"Type": "AWS::S3::Bucket"}}}')
    >>> pos.locate(("Resources", "Logs"))
    (2, 3)

A path deeper than ``max_depth`` falls back to its closest recorded ancestor.
"""

from __future__ import annotations

import bisect
import json
import re

PathKey = tuple[str | int, ...]

# A string (with escapes), one punctuation character, or a bare literal (number, true, null).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


class _Frame:
    __slots__ = ("is_object", "path", "slot")

    def __init__(self, path: PathKey, is_object: bool, slot: str | int) -> None:
        self.path, self.is_object, self.slot = path, is_object, slot


def _value_path(stack: list[_Frame]) -> PathKey:
    """The path of the value starting now (and, in an array, move to the next index)."""
    if not stack:
        return ()
    frame = stack[-1]
    if frame.is_object:
        return (*frame.path, frame.slot)
    index = int(frame.slot)
    frame.slot = index + 1
    return (*frame.path, index)


class JsonPositions:
    """Positions of the values of one JSON text, by path (keys and list indices)."""

    def __init__(self, text: str, max_depth: int = 4) -> None:
        self._text = text
        self._lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.max_depth = max_depth
        self.keys: dict[PathKey, int] = {}
        self.values: dict[PathKey, int] = {}
        self._scan()

    def _scan(self) -> None:
        # One frame per open container: its path, whether it is an object, and the pending
        # key (objects) or the next index (arrays).
        stack: list[_Frame] = []
        expect_key = False
        for m in _TOKEN.finditer(self._text):
            token = m.group()
            if token in ",:":
                if token == "," and stack and stack[-1].is_object:
                    expect_key = True
                continue
            if token in "}]":
                if stack:
                    stack.pop()
                expect_key = False
                continue
            if expect_key and stack:  # a key of the innermost object
                key = json.loads(token) if "\\" in token else token[1:-1]
                frame = stack[-1]
                frame.slot = key
                path: PathKey = (*frame.path, key)
                if len(path) <= self.max_depth:
                    self.keys[path] = m.start()
                expect_key = False
                continue
            path = _value_path(stack)
            if len(path) <= self.max_depth:
                self.values[path] = m.start()
            if token == "{":
                stack.append(_Frame(path, True, ""))
                expect_key = True
            elif token == "[":
                stack.append(_Frame(path, False, 0))

    def _line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def locate(self, where: PathKey, key: bool = True) -> tuple[int, int]:
        """1-based (line, col) of the key at ``where`` (or of its value), else of the closest ancestor."""
        probe = tuple(where)
        while probe:
            offset = (self.keys.get(probe) if key else None)
            if offset is None:
                offset = self.values.get(probe)
            if offset is not None:
                return self._line_col(offset)
            probe = probe[:-1]
        return 1, 1
