"""Parse AWS Glue DQDL into :mod:`auditor.data.quality.model` objects.

Example::

    # checks of the enrolment extract
    allowed = ["enrolled", "withdrawn", "deferred"]
    Rules = [
        IsPrimaryKey "studentid",
        ColumnValues "status" in $allowed,
        ColumnValues "email" matches "[^@]+@[^@]+" with threshold > 0.9,
        ColumnValues "received" > (now() - 30 days),
        Completeness of email > 0.95 where "status = 'enrolled'",
        RowCount between avg(last(5)) * 0.8 and avg(last(5)) * 1.2,
        (IsComplete "program") and ((ColumnLength "program" <= 60) or (ColumnValues "program" = NULL)),
        FileSize < 50 MB labels=["team"="registrar"]
    ]
    Analyzers = [ AllStatistics "gpa" ]

What a rule type accepts (parameters, the kind of condition, ``with threshold``,
``where``) is declared by its plugin (:mod:`auditor.data.quality.plugin`); the parser
enforces it. Errors name the line and column: ``enroll.dqdl:3:17: expected a number
after 'between'``; the first error stops the parse (``ConfigError``, exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError, Problem
from auditor.core.registry import UnknownNameError
from auditor.data.quality.lexer import DqdlSyntaxError, Token, tokenize
from auditor.data.quality.model import (
    DURATION_UNITS,
    KEYWORDS,
    SIZE_UNITS,
    BinOp,
    Call,
    Composite,
    Condition,
    Duration,
    Keyword,
    Node,
    Num,
    Operand,
    Param,
    Rule,
    Ruleset,
    Size,
    Str,
)
from auditor.data.quality.plugin import RuleType
from auditor.data.quality.registry import get_rule_type, rule_type_names

__all__ = ["Composite", "Condition", "DqdlSyntaxError", "Rule", "Ruleset", "load_ruleset", "parse_ruleset"]

COMPARATORS = ("=", "!=", ">", ">=", "<", "<=")
FUNCTIONS = {"now": (0, 0), "last": (0, 1), "avg": (1, 1), "average": (1, 1), "mean": (1, 1),
             "median": (1, 1), "max": (1, 1), "min": (1, 1), "sum": (1, 1), "std": (1, 1),
             "stdev": (1, 1), "abs": (1, 1), "index": (2, 2), "percentile": (1, 2)}
AGGREGATES = {"avg", "average", "mean", "median", "max", "min", "sum", "std", "stdev", "index", "percentile"}
_CONDITION_WORDS = ("between", "not", "in", "matches")
_CLAUSE_WORDS = ("where", "with", "labels")
MAX_LABELS, MAX_LABEL_KEY, MAX_LABEL_VALUE = 10, 128, 256


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.constants: dict[str, str | list[str]] = {}

    # ------------------------------------------------------------------ helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, n: int = 1) -> Token:
        return self.toks[min(self.i + n, len(self.toks) - 1)]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token | None = None, found: bool = True) -> DqdlSyntaxError:
        t = tok or self.tok
        if found:
            shown = "end of input" if t.kind == "end" else repr(t.value)
            message = f"{message} (found {shown})"
        return DqdlSyntaxError(t.line, t.col, message)

    def expect_punct(self, value: str, what: str) -> Token:
        if not self.tok.is_punct(value):
            raise self.error(f"expected {what}")
        return self.next()

    def span(self, start: Token) -> str:
        return " ".join(self.text[start.start:self.toks[self.i - 1].stop].split())

    # ------------------------------------------------------------------ document
    def document(self) -> Ruleset:
        rules: list[Node] | None = None
        analyzers: list[Rule] | None = None
        metadata: dict[str, Any] = {}
        first = self.tok
        while self.tok.kind != "end":
            name = self.tok
            if name.kind != "ident" or not self.peek().is_op("="):
                if rules is not None or analyzers is not None:
                    raise self.error("unexpected text after the closing ']'", found=False)
                raise self.error("a ruleset starts with 'Rules = ['", first, found=False)
            self.next()
            self.next()  # '='
            if name.value == "Rules":
                if rules is not None:
                    raise self.error("'Rules' is defined twice", name, found=False)
                rules = self.rule_list()
            elif name.value == "Analyzers":
                if analyzers is not None:
                    raise self.error("'Analyzers' is defined twice", name, found=False)
                analyzers = self.analyzer_list()
            elif name.value in ("Metadata", "DataSources", "Sources"):
                metadata[name.value] = self.dictionary()
            elif name.value.lower() in ("rules", "rule", "analyzers"):
                raise self.error("a ruleset starts with 'Rules = ['", name, found=False)
            else:
                if rules is not None or analyzers is not None:
                    raise self.error(f"constant '{name.value}' must be defined before the rules", name, found=False)
                self.constants[name.value] = self.constant_value()
        if rules is None and analyzers is None:
            raise self.error("a ruleset starts with 'Rules = ['", first, found=False)
        return Ruleset(rules or [], analyzers=analyzers or [], constants=dict(self.constants), metadata=metadata)

    def constant_value(self) -> str | list[str]:
        t = self.tok
        if t.kind == "string":
            self.next()
            return t.value
        if t.is_punct("["):
            self.next()
            items = [self.expect_string("a quoted string in the constant's list")]
            while self.tok.is_punct(","):
                self.next()
                items.append(self.expect_string("a quoted string in the constant's list"))
            self.expect_punct("]", "',' or ']' in the list")
            return items
        raise self.error("a constant is a quoted string or a list of quoted strings")

    def expect_string(self, what: str) -> str:
        t = self.tok
        if t.kind != "string":
            raise self.error(f"expected {what}")
        self.next()
        return t.value

    def dictionary(self) -> dict[str, Any]:
        self.expect_punct("{", "'{'")
        out: dict[str, Any] = {}
        while not self.tok.is_punct("}"):
            key = self.expect_string("a quoted key")
            self.expect_punct(":", "':' after the key")
            out[key] = self.constant_value()
            if self.tok.is_punct(","):
                self.next()
            elif not self.tok.is_punct("}"):
                raise self.error("expected ',' or '}'")
        self.next()
        return out

    def rule_list(self) -> list[Node]:
        open_ = self.expect_punct("[", "'[' after 'Rules ='")
        nodes: list[Node] = []
        if self.tok.is_punct("]"):
            raise self.error("the ruleset is empty", found=False)
        while True:
            nodes.append(self.expression())
            if self.tok.is_punct(","):
                self.next()
                if self.tok.is_punct("]"):
                    break  # trailing comma
                continue
            if self.tok.is_punct("]"):
                break
            if self.tok.is_word("and", "or"):
                raise self.error(f"composite rules need parentheses around each rule: (A) {self.tok.value} (B)",
                                 found=False)
            if self.tok.kind == "end":
                raise self.error(f"expected ',' or ']' after a rule ('[' at {open_.line}:{open_.col} is not closed)")
            raise self.error("expected ',' or ']' after a rule")
        self.next()
        return nodes

    def analyzer_list(self) -> list[Rule]:
        self.expect_punct("[", "'[' after 'Analyzers ='")
        out: list[Rule] = []
        while not self.tok.is_punct("]"):
            out.append(self.rule(analyzer=True))
            if self.tok.is_punct(","):
                self.next()
            elif not self.tok.is_punct("]"):
                raise self.error("expected ',' or ']' after an analyzer")
        self.next()
        return out

    # ------------------------------------------------------------------ composites
    def expression(self) -> Node:
        start = self.tok
        if not start.is_punct("("):
            return self.rule()
        parts = [self.group()]
        op: str | None = None
        while self.tok.is_word("and", "or"):
            word_tok = self.next()
            word = word_tok.value.lower()
            if op is not None and word != op:
                raise self.error("mixing 'and' and 'or' needs parentheses", word_tok, found=False)
            op = word
            if not self.tok.is_punct("("):
                raise self.error(f"expected '(' after '{word}' (composite rules are parenthesised)")
            parts.append(self.group())
        if op is None:
            return parts[0]
        return Composite(op, parts, self.span(start), start.line, start.col)

    def group(self) -> Node:
        self.expect_punct("(", "'('")
        node = self.expression()
        if self.tok.is_word("and", "or") and isinstance(node, Rule):
            raise self.error(f"composite rules need parentheses around each rule: (A) {self.tok.value} (B)",
                             found=False)
        self.expect_punct(")", "')'")
        return node

    # ------------------------------------------------------------------ rules
    def rule(self, analyzer: bool = False) -> Rule:
        start = self.tok
        if start.kind != "ident":
            raise self.error("expected a rule type such as IsComplete or ColumnValues")
        try:
            plugin = get_rule_type(start.value)
        except UnknownNameError as exc:
            raise DqdlSyntaxError(start.line, start.col, str(exc)) from None
        if getattr(plugin, "analyzer_only", False) and not analyzer:
            raise DqdlSyntaxError(start.line, start.col,
                                  f"{plugin.name} is an analyzer: list it under 'Analyzers = [...]'")
        self.next()
        rule = Rule(plugin.name, line=start.line, col=start.col)
        rule.params = self.params(plugin)
        if self.starts_condition():
            if plugin.condition == "none" or analyzer:
                what = "an analyzer" if analyzer else plugin.name
                raise self.error(f"{what} takes no condition", found=False)
            cond_start = self.tok
            rule.condition = self.condition()
            self.check_kind(plugin, rule.condition, plugin.condition, cond_start)
        elif plugin.condition != "none" and not plugin.condition_optional and not analyzer:
            raise self.error(self.condition_help(plugin))
        self.clauses(plugin, rule, analyzer)
        rule.text = self.span(start)
        problem = plugin.validate(rule)
        if problem:
            raise DqdlSyntaxError(start.line, start.col, problem)
        return rule

    def condition_help(self, plugin: RuleType) -> str:
        kind = plugin.condition
        if kind == "values":
            return "expected a comparison (= != > >= < <=), 'between', 'in' or 'matches'"
        if kind == "string":
            return "expected '=', '!=' or 'in'"
        extra = {"duration": " with a unit (24 hours, 3 days)", "date": " against a date or now()",
                 "size": " with a size (5 MB)"}.get(kind, "")
        return f"expected a comparison (= != > >= < <=), 'between'{extra}"

    def starts_condition(self) -> bool:
        t = self.tok
        return t.is_op(*COMPARATORS) or t.is_word(*_CONDITION_WORDS)

    def params(self, plugin: RuleType) -> tuple[Param, ...]:
        high = plugin.params[1]
        out: list[Param] = []
        while True:
            room = high is None or len(out) < high
            if self._connector(bool(out) and room):
                self.next()
                continue
            param = self._param(plugin, room, len(out))
            if param is None:
                break
            out.append(param)
        self._check_param_count(plugin, len(out))
        return tuple(out)

    def _connector(self, may_join: bool) -> bool:
        """A connector word between parameters: "Completeness of col_1", "ColumnCorrelation
        of a and b" (``and`` joins only when another parameter is wanted and follows)."""
        t = self.tok
        if t.is_word("of") and not self.peek().is_op(*COMPARATORS):
            return True
        return t.is_word("and") and may_join and self._param_token(self.peek())

    def _param(self, plugin: RuleType, room: bool, position: int) -> Param | None:
        """The parameter at the current token (consumed), or None where the parameters end."""
        t = self.tok
        if t.kind == "string" and room:
            self.next()
            return Param(t.value, True, t.line, t.col)
        if t.kind == "var" and room:
            self.next()
            return Param(self.string_constant(t), True, t.line, t.col)
        # A number is a parameter only while a required one is still missing (else it is an operand).
        if ((self._param_token(t) and room and not self._rule_name(plugin, t, position))
                or (t.kind == "number" and position < plugin.params[0])):
            self.next()
            return Param(t.value, False, t.line, t.col)
        return None

    def _check_param_count(self, plugin: RuleType, count: int) -> None:
        low, high = plugin.params
        if count < low:
            raise self.error(f"{plugin.name} takes {plugin.param_label}", found=False)
        if high is not None and count >= high and self.tok.kind == "string":
            raise self.error(f"{plugin.name} takes {high} parameter{'s' if high != 1 else ''}")

    @staticmethod
    def _rule_name(plugin: RuleType, t: Token, position: int) -> bool:
        """A rule type name where a parameter could be: the start of the next rule (a comma is
        missing), unless the rule type takes a rule type name there (DetectAnomalies of RowCount)."""
        return t.value in rule_type_names() and not (position == 0 and plugin.rule_name_param)

    @staticmethod
    def _param_token(t: Token) -> bool:
        """An unquoted parameter: a word that is not DQDL syntax."""
        return (t.kind in ("string", "var") or (t.kind == "ident" and not t.is_word(
            *_CONDITION_WORDS, *_CLAUSE_WORDS, "and", "or", "of")))

    def string_constant(self, t: Token) -> str:
        value = self.constants.get(t.value)
        if value is None:
            raise self.error(f"unknown constant '${t.value}'", t, found=False)
        if not isinstance(value, str):
            raise self.error(f"'${t.value}' is a list; a string is needed here", t, found=False)
        return value

    def clauses(self, plugin: RuleType, rule: Rule, analyzer: bool) -> None:
        while self.tok.is_word(*_CLAUSE_WORDS):
            word = self.next()
            if word.is_word("where"):
                if plugin.where == "no":
                    raise self.error(f"'where' does not apply to {plugin.name}", word, found=False)
                sql = self.tok
                if sql.kind != "string":
                    raise self.error("expected a SQL condition in double quotes after 'where'")
                if not sql.value.strip():
                    raise self.error("the 'where' condition is empty", sql, found=False)
                self.next()
                rule.where = sql.value
            elif word.is_word("with"):
                if self.tok.is_word("threshold"):
                    th = self.next()
                    if not plugin.threshold or analyzer:
                        raise self.error(f"'with threshold' does not apply to {plugin.name}", th, found=False)
                    start = self.tok
                    rule.threshold = self.condition()
                    if rule.threshold.op == "matches":
                        raise self.error("a threshold is a number comparison", start, found=False)
                    self.check_kind(plugin, rule.threshold, "number", start)
                    continue
                name = self.tok
                if name.kind != "ident":
                    raise self.error("expected 'threshold' or a tag name after 'with'")
                self.next()
                if not self.tok.is_op("="):
                    raise self.error(f"expected '=' after '{name.value}'")
                self.next()
                value = self.tok
                if value.kind not in ("string", "number"):
                    raise self.error(f"expected a quoted value for '{name.value}'")
                self.next()
                rule.tags[name.value] = value.value if value.kind == "string" else float(value.value)
            else:
                rule.labels = self.labels(word)

    def labels(self, word: Token) -> dict[str, str]:
        if not self.tok.is_op("="):
            raise self.error("expected '=' after 'labels'")
        self.next()
        self.expect_punct("[", "'[' after 'labels='")
        out: dict[str, str] = {}
        if self.tok.is_punct("]"):
            raise self.error("labels must have at least one label", word, found=False)
        while True:
            key_tok = self.tok
            key = self.expect_string('a label "key"="value"')
            if not self.tok.is_op("="):
                raise self.error("expected '=' between the label key and value")
            self.next()
            value = self.expect_string("a quoted label value")
            if not key or not value:
                raise self.error("label key or value cannot be empty", key_tok, found=False)
            if len(key) > MAX_LABEL_KEY:
                raise self.error(f"label key has length {len(key)}, above the maximum of {MAX_LABEL_KEY}",
                                 key_tok, found=False)
            if len(value) > MAX_LABEL_VALUE:
                raise self.error(f"label value has length {len(value)}, above the maximum of {MAX_LABEL_VALUE}",
                                 key_tok, found=False)
            if key in out:
                raise self.error(f"duplicate label key '{key}'", key_tok, found=False)
            out[key] = value
            if not self.tok.is_punct(","):
                break
            self.next()
        self.expect_punct("]", "',' or ']' in the labels")
        if len(out) > MAX_LABELS:
            raise self.error(f"{len(out)} labels, above the maximum of {MAX_LABELS}", word, found=False)
        return out

    # ------------------------------------------------------------------ conditions
    def condition(self) -> Condition:
        start = self.tok
        negated = False
        if self.tok.is_word("not"):
            self.next()
            negated = True
            if not self.tok.is_word("between", "in", "matches"):
                raise self.error("expected 'between', 'in' or 'matches' after 'not'")
        t = self.tok
        if t.is_op(*COMPARATORS) and not negated:
            self.next()
            if t.value == "!=":
                return self._cond("=", (self.operand(),), True, start)
            return self._cond(t.value, (self.operand(),), False, start)
        if t.is_word("between"):
            self.next()
            low = self.operand("after 'between'")
            if not self.tok.is_word("and"):
                raise self.error("expected 'and' in 'between A and B'")
            self.next()
            return self._cond("between", (low, self.operand("after 'and'")), negated, start)
        if t.is_word("in"):
            self.next()
            return self._cond("in", self.value_set(), negated, start)
        if t.is_word("matches"):
            self.next()
            pattern = self.tok
            if pattern.kind == "var":
                self.next()
                value = self.string_constant(pattern)
            elif pattern.kind == "string":
                self.next()
                value = pattern.value
            else:
                raise self.error("expected a regular expression in double quotes after 'matches'")
            try:
                re.compile(value)
            except re.error as exc:
                raise DqdlSyntaxError(pattern.line, pattern.col, f"invalid regular expression ({exc})") from None
            return self._cond("matches", (Str(value),), negated, start)
        raise self.error("expected a comparison (= != > >= < <=), 'between', 'in' or 'matches'")

    def _cond(self, op: str, operands: tuple[Operand, ...], negated: bool, start: Token) -> Condition:
        return Condition(op, operands, negated, self.span(start))

    def value_set(self) -> tuple[Operand, ...]:
        if self.tok.kind == "var":
            t = self.next()
            value = self.constants.get(t.value)
            if value is None:
                raise self.error(f"unknown constant '${t.value}'", t, found=False)
            return tuple(Str(v) for v in ([value] if isinstance(value, str) else value))
        self.expect_punct("[", "'[' after 'in'")
        if self.tok.is_punct("]"):
            raise self.error("the list is empty", found=False)
        items = [self.operand("in the list")]
        while self.tok.is_punct(","):
            self.next()
            items.append(self.operand("in the list"))
        self.expect_punct("]", "',' or ']' in the list")
        return tuple(items)

    # ------------------------------------------------------------------ operands
    def operand(self, where: str = "") -> Operand:
        return self.additive(where)

    def additive(self, where: str) -> Operand:
        left = self.term(where)
        while self.tok.is_op("+", "-"):
            op = self.next().value
            left = BinOp(op, left, self.term(f"after '{op}'"))
        return left

    def term(self, where: str) -> Operand:
        left = self.factor(where)
        while self.tok.is_op("*", "/"):
            op = self.next().value
            left = BinOp(op, left, self.factor(f"after '{op}'"))
        return left

    def factor(self, where: str) -> Operand:
        if self.tok.is_op("-"):
            self.next()
            inner = self.factor(where)
            if isinstance(inner, Num):
                return Num(-inner.value, "-" + inner.text)
            if isinstance(inner, (Duration, Size)):
                return type(inner)(-inner.amount, inner.unit)
            return BinOp("-", Num(0.0, "0"), inner)
        return self.primary(where)

    def primary(self, where: str) -> Operand:
        t = self.tok
        if t.kind == "number":
            self.next()
            unit = self.tok
            if unit.kind == "ident" and unit.value in DURATION_UNITS:
                self.next()
                return Duration(float(t.value), unit.value)
            if unit.kind == "ident" and unit.value in SIZE_UNITS:
                self.next()
                return Size(float(t.value), unit.value)
            return Num(float(t.value), t.value)
        if t.kind == "string":
            self.next()
            return Str(t.value)
        if t.kind == "var":
            self.next()
            return Str(self.string_constant(t))
        if t.kind == "ident" and t.value.upper() in KEYWORDS and t.value in (t.value.upper(), t.value.lower()):
            self.next()
            return Keyword(t.value.upper())
        if t.kind == "ident" and self.peek().is_punct("("):
            return self.call()
        if t.is_punct("("):
            self.next()
            inner = self.operand(where)
            self.expect_punct(")", "')'")
            return inner
        what = f"a number, a quoted value or an expression {where}".rstrip()
        raise self.error(f"expected {what}")

    def call(self) -> Call:
        name_tok = self.next()
        name = name_tok.value.lower()
        if name not in FUNCTIONS:
            raise DqdlSyntaxError(name_tok.line, name_tok.col, f"unknown function '{name_tok.value}'")
        self.next()  # '('
        args: list[Operand] = []
        if not self.tok.is_punct(")"):
            args.append(self.operand(f"in {name}()"))
            while self.tok.is_punct(","):
                self.next()
                args.append(self.operand(f"in {name}()"))
        self.expect_punct(")", f"')' to close {name}(")
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise DqdlSyntaxError(name_tok.line, name_tok.col, f"{name}() takes {low}" +
                                  (f" to {high}" if high != low else "") + " argument(s)")
        if name == "last" and args and not (isinstance(args[0], Num) and args[0].value >= 1
                                             and args[0].value == int(args[0].value)):
            raise DqdlSyntaxError(name_tok.line, name_tok.col, "last(k) takes a whole number k >= 1")
        return Call(name, tuple(args))

    # ------------------------------------------------------------------ checks
    def check_kind(self, plugin: RuleType, cond: Condition, kind: str, at: Token) -> None:
        problem = _kind_problem(cond, kind)
        if problem:
            raise DqdlSyntaxError(at.line, at.col, f"{plugin.name}: {problem}")
        lists = _bare_lists(cond)
        if lists:
            raise DqdlSyntaxError(at.line, at.col, f"{lists} returns several values: aggregate it, "
                                  f"e.g. avg({lists})")


def _kind_problem(cond: Condition, kind: str) -> str | None:
    """What is wrong with a condition for a rule type whose condition is of ``kind``, if anything."""
    check = _KIND_CHECKS.get(kind)
    return check(cond) if check else None


def _number_problem(cond: Condition) -> str | None:
    if cond.op == "matches":
        return "'matches' applies to column values, not to a number"
    if not all(_numeric(o) for o in cond.operands):
        return "expected a number or a numeric expression"
    return None


def _values_problem(cond: Condition) -> str | None:
    if any(isinstance(o, (Duration, Size)) for o in cond.operands):
        return "a duration or size does not compare with column values"
    if any(isinstance(o, Keyword) for o in cond.operands) and cond.op not in ("=", "in"):
        return "NULL, EMPTY and WHITESPACES_ONLY work with =, !=, in and not in"
    return None


def _string_problem(cond: Condition) -> str | None:
    if cond.op not in ("=", "in", "matches") or not all(isinstance(o, Str) for o in cond.operands):
        return "expected = \"value\", != \"value\" or in [\"a\", \"b\"]"
    return None


def _duration_problem(cond: Condition) -> str | None:
    if cond.op == "matches" or not all(_has(o, Duration) for o in cond.operands):
        return "expected a duration with a unit, e.g. <= 24 hours or between 2 days and 5 days"
    return None


def _date_problem(cond: Condition) -> str | None:
    if cond.op == "matches" or not all(_date_like(o) for o in cond.operands):
        return "expected a date (\"2024-01-31\"), a time (\"9:30 AM\") or now() - 3 days"
    return None


def _size_problem(cond: Condition) -> str | None:
    if cond.op == "matches" or not all(isinstance(o, (Size, Num)) for o in cond.operands):
        return "expected a size, e.g. < 5 MB"
    return None


# The condition kind a rule type declares (``RuleType.condition``) -> its check.
_KIND_CHECKS: dict[str, Callable[[Condition], str | None]] = {
    "number": _number_problem, "values": _values_problem, "string": _string_problem,
    "duration": _duration_problem, "date": _date_problem, "size": _size_problem,
}


def _numeric(o: Operand) -> bool:
    if isinstance(o, Num):
        return True
    if isinstance(o, Call):
        return o.name != "now"
    if isinstance(o, BinOp):
        return _numeric(o.left) and _numeric(o.right)
    return False


def _has(o: Operand, cls: type) -> bool:
    if isinstance(o, cls):
        return True
    if isinstance(o, BinOp):
        return _has(o.left, cls) or _has(o.right, cls)
    return False


def _date_like(o: Operand) -> bool:
    if isinstance(o, Str):
        return True
    if isinstance(o, Call):
        return o.name == "now"
    if isinstance(o, BinOp):
        return _date_like(o.left) and isinstance(o.right, Duration)
    return False


def _bare_lists(cond: Condition) -> str:
    """``last(k)`` (k > 1) used as a value rather than inside an aggregate: it is a list."""
    def walk(o: Operand, aggregated: bool) -> str:
        if isinstance(o, Call):
            if o.name == "last" and o.args and isinstance(o.args[0], Num) and o.args[0].value > 1 and not aggregated:
                return str(o)
            return next((w for a in o.args if (w := walk(a, o.name in AGGREGATES))), "")
        if isinstance(o, BinOp):
            return walk(o.left, False) or walk(o.right, False)
        return ""
    return next((w for o in cond.operands if (w := walk(o, False))), "")


def parse_ruleset(text: str, source: str = "<ruleset>") -> Ruleset:
    """Parse DQDL text; raises ``ConfigError`` with ``source:line:col`` on a syntax error."""
    try:
        ruleset = _Parser(text).document()
    except DqdlSyntaxError as exc:
        raise ConfigError([Problem(source, exc.line, exc.col, "", exc.message)]) from None
    ruleset.source = source
    return ruleset


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
