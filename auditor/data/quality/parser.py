"""A parser for the AWS Glue Data Quality Definition Language (DQDL) subset we evaluate.

Example ruleset::

    Rules = [
        IsComplete "studentid",
        IsPrimaryKey "studentid",
        Completeness "email" > 0.95,
        ColumnValues "status" in ["enrolled", "withdrawn", "deferred", "graduated"],
        ColumnValues "received_year" between 2000 and 2030,
        ColumnValues "email" matches "[^@]+@[^@]+" with threshold > 0.9,
        ColumnLength "program" <= 60,
        RowCount > 0,
        DistinctValuesCount "status" >= 2,
        Mean "received_year" between 2015 and 2030,
        StandardDeviation "received_year" < 10,
        Uniqueness "email" > 0.99 where "status = 'enrolled'",
        CustomSql "select count(*) from primary where status is null" = 0,
        (ColumnExists "notes") and (IsUnique "studentid")
    ]

Rule types: Completeness, IsComplete, IsUnique, Uniqueness, IsPrimaryKey,
ColumnExists, ColumnValues, ColumnLength, RowCount, DistinctValuesCount, Mean,
StandardDeviation, CustomSql. Constraints: ``= != > >= < <=``, ``between A and B``,
``in [..]``, ``matches "regex"``, each optionally preceded by ``not``. Clauses:
``with threshold <constraint>``, ``where "<SQL condition>"``. Composites:
``(A) and (B)``, ``(A) or (B)`` (parentheses required, as in Glue). ``#`` starts
a comment. Errors name the line and column: ``enroll.dqdl:3:17: expected a
number after 'between'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError, Problem

RULE_TYPES: dict[str, tuple[int, bool]] = {
    # name: (number of column arguments, -1 = one or more; constraint required?)
    "Completeness": (1, True),
    "IsComplete": (1, False),
    "IsUnique": (1, False),
    "Uniqueness": (1, True),
    "IsPrimaryKey": (-1, False),
    "ColumnExists": (1, False),
    "ColumnValues": (1, True),
    "ColumnLength": (1, True),
    "RowCount": (0, True),
    "DistinctValuesCount": (1, True),
    "Mean": (1, True),
    "StandardDeviation": (1, True),
    "CustomSql": (1, True),
}
COMPARATORS = ("=", "!=", ">=", "<=", ">", "<")


class DqdlSyntaxError(Exception):
    """A parse error at a position."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"{line}:{col}: {message}")
        self.line, self.col, self.message = line, col, message


@dataclass(frozen=True)
class Token:
    kind: str  # ident string number op punct end
    value: str
    line: int
    col: int
    start: int = 0
    stop: int = 0


@dataclass(frozen=True)
class Constraint:
    """``> 0.9``, ``between 1 and 5``, ``in ["a", "b"]``, ``matches "re"`` (optionally negated)."""

    op: str
    values: tuple[Any, ...]
    negated: bool = False

    def check(self, metric: Any) -> bool:
        """Whether a scalar metric satisfies the constraint."""
        try:
            ok = _compare(self.op, metric, self.values)
        except TypeError:  # e.g. a text metric against a number: the rule fails, it does not crash
            return False
        return not ok if self.negated else ok

    def __str__(self) -> str:
        neg = "not " if self.negated else ""
        if self.op == "between":
            return f"{neg}between {self.values[0]!r} and {self.values[1]!r}"
        if self.op == "in":
            return f"{neg}in [{', '.join(repr(v) for v in self.values)}]"
        if self.op == "matches":
            return f"{neg}matches {self.values[0]!r}"
        return f"{neg}{self.op} {self.values[0]!r}"


def _compare(op: str, metric: Any, values: tuple[Any, ...]) -> bool:
    if metric is None:
        return False
    if op == "between":
        return bool(values[0] <= metric <= values[1])
    if op == "in":
        return metric in values
    if op == "matches":
        return re.search(str(values[0]), str(metric)) is not None
    v = values[0]
    return bool({"=": metric == v, "!=": metric != v, ">": metric > v, ">=": metric >= v, "<": metric < v,
                 "<=": metric <= v}[op])


@dataclass
class Rule:
    """One DQDL rule."""

    type: str
    columns: list[str]
    constraint: Constraint | None = None
    threshold: Constraint | None = None
    where: str | None = None
    text: str = ""
    line: int = 0
    col: int = 0


@dataclass
class Composite:
    """``(A) and (B)`` / ``(A) or (B)``."""

    op: str
    parts: list[Rule | Composite] = field(default_factory=list)
    text: str = ""
    line: int = 0
    col: int = 0


Node = Rule | Composite


@dataclass
class Ruleset:
    """A parsed ruleset."""

    rules: list[Node]
    source: str = "<ruleset>"


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<op>>=|<=|!=|=|>|<)
  | (?P<punct>[\[\](),])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if not m:
            ch = text[pos]
            if ch == '"':
                raise DqdlSyntaxError(line, col, "unterminated string")
            raise DqdlSyntaxError(line, col, f"unexpected character {ch!r}")
        kind = m.lastgroup or ""
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind not in ("ws", "comment"):
            value = m.group(0)
            if kind == "string":
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            tokens.append(Token(kind, value, line, col, m.start(), m.end()))
        pos = m.end()
    tokens.append(Token("end", "", line, pos - line_start + 1, pos, pos))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token | None = None) -> DqdlSyntaxError:
        t = tok or self.tok
        found = "end of input" if t.kind == "end" else repr(t.value)
        return DqdlSyntaxError(t.line, t.col, f"{message} (found {found})")

    def expect(self, kind: str, value: str | None = None, what: str = "") -> Token:
        t = self.tok
        if t.kind != kind or (value is not None and t.value != value):
            raise self.error(f"expected {what or repr(value) or kind}")
        return self.next()

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "ident" and self.tok.value.lower() == word

    def ruleset(self) -> list[Node]:
        t = self.tok
        if not (t.kind == "ident" and t.value == "Rules"):
            raise self.error("a ruleset starts with 'Rules = ['")
        self.next()
        self.expect("op", "=", "'=' after 'Rules'")
        self.expect("punct", "[", "'[' after 'Rules ='")
        rules: list[Node] = []
        if self.tok.kind == "punct" and self.tok.value == "]":
            raise self.error("the ruleset is empty")
        while True:
            rules.append(self.expression())
            if self.tok.kind == "punct" and self.tok.value == ",":
                self.next()
                if self.tok.kind == "punct" and self.tok.value == "]":
                    break  # trailing comma
                continue
            if self.tok.kind == "punct" and self.tok.value == "]":
                break
            raise self.error("expected ',' or ']' after a rule")
        self.next()
        if self.tok.kind != "end":
            raise self.error("unexpected text after the closing ']'")
        return rules

    def expression(self) -> Node:
        start = self.tok
        if self.tok.kind == "punct" and self.tok.value == "(":
            parts = [self.group()]
            op = None
            while self.is_word("and") or self.is_word("or"):
                word = self.next().value.lower()
                if op is not None and word != op:
                    raise self.error("mixing 'and' and 'or' needs parentheses", self.toks[self.i - 1])
                op = word
                if not (self.tok.kind == "punct" and self.tok.value == "("):
                    raise self.error(f"expected '(' after '{word}' (composite rules are parenthesised)")
                parts.append(self.group())
            if op is None:
                return parts[0]
            return Composite(op, parts, self._span(start), start.line, start.col)
        return self.rule()

    def group(self) -> Node:
        self.expect("punct", "(")
        node = self.expression()
        self.expect("punct", ")", "')'")
        return node

    def _span(self, start: Token) -> str:
        return " ".join(self.text[start.start:self.toks[self.i - 1].stop].split())

    def rule(self) -> Rule:
        start = self.tok
        if start.kind != "ident":
            raise self.error("expected a rule type such as IsComplete or ColumnValues")
        name = start.value
        if name not in RULE_TYPES:
            from auditor.core.registry import did_you_mean

            hint = did_you_mean(name, list(RULE_TYPES))
            raise DqdlSyntaxError(start.line, start.col, f"unknown rule type '{name}'" + (f" ({hint})" if hint else ""))
        self.next()
        nargs, needs_constraint = RULE_TYPES[name]
        columns: list[str] = []
        while self.tok.kind == "string":
            columns.append(self.next().value)
        if nargs >= 0 and len(columns) != nargs:
            what = "no column" if nargs == 0 else ("a SQL statement" if name == "CustomSql" else "a column name")
            raise self.error(f"{name} takes {what}" + (" in double quotes" if nargs else ""))
        if nargs < 0 and not columns:
            raise self.error(f"{name} takes one or more column names in double quotes")
        rule = Rule(name, columns, line=start.line, col=start.col)
        if needs_constraint:
            rule.constraint = self.constraint(allow_matches=name == "ColumnValues",
                                              allow_in=name in ("ColumnValues", "ColumnLength"))
        while self.is_word("with") or self.is_word("where"):
            if self.is_word("with"):
                self.next()
                if not self.is_word("threshold"):
                    raise self.error("expected 'threshold' after 'with'")
                self.next()
                if name not in ("ColumnValues", "ColumnLength", "CustomSql"):
                    raise self.error(f"'with threshold' does not apply to {name}", self.toks[self.i - 1])
                rule.threshold = self.constraint(allow_matches=False, allow_in=False)
            else:
                self.next()
                rule.where = self.expect("string", what="a SQL condition in double quotes after 'where'").value
        rule.text = self._span(start)
        return rule

    def constraint(self, allow_matches: bool, allow_in: bool) -> Constraint:
        negated = False
        if self.is_word("not"):
            self.next()
            negated = True
        t = self.tok
        if t.kind == "op":
            self.next()
            return Constraint(t.value, (self.value(),), negated)
        if self.is_word("between"):
            self.next()
            low = self.value()
            if not self.is_word("and"):
                raise self.error("expected 'and' in 'between A and B'")
            self.next()
            return Constraint("between", (low, self.value()), negated)
        if self.is_word("in") and allow_in:
            self.next()
            self.expect("punct", "[", "'[' after 'in'")
            items = [self.value()]
            while self.tok.kind == "punct" and self.tok.value == ",":
                self.next()
                items.append(self.value())
            self.expect("punct", "]", "',' or ']' in the list")
            return Constraint("in", tuple(items), negated)
        if self.is_word("matches") and allow_matches:
            self.next()
            pattern = self.expect("string", what="a regular expression in double quotes after 'matches'")
            try:
                re.compile(pattern.value)
            except re.error as exc:
                raise DqdlSyntaxError(pattern.line, pattern.col, f"invalid regular expression ({exc})") from None
            return Constraint("matches", (pattern.value,), negated)
        raise self.error("expected a comparison (= != > >= < <=), 'between'"
                         + (", 'in'" if allow_in else "") + (" or 'matches'" if allow_matches else ""))

    def value(self) -> Any:
        t = self.tok
        if t.kind == "number":
            self.next()
            return float(t.value) if any(c in t.value for c in ".eE") else int(t.value)
        if t.kind == "string":
            self.next()
            return t.value
        raise self.error("expected a number or a quoted value")


def parse_ruleset(text: str, source: str = "<ruleset>") -> Ruleset:
    """Parse DQDL text; raises ``ConfigError`` with ``source:line:col`` on a syntax error."""
    try:
        return Ruleset(_Parser(text).ruleset(), source)
    except DqdlSyntaxError as exc:
        raise ConfigError([Problem(source, exc.line, exc.col, "", exc.message)]) from None


def load_ruleset(path: str | Path) -> Ruleset:
    """Read and parse a ``.dqdl`` file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError([Problem(str(path), 0, 0, "", f"cannot read ({type(exc).__name__})")]) from None
    return parse_ruleset(text, str(path))
