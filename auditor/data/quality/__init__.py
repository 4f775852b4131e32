"""Data quality: AWS Glue DQDL rulesets parsed and evaluated with DuckDB.

    from auditor.data.quality import evaluate_ruleset, parse_ruleset
    results = evaluate_ruleset("rules.dqdl", df)   # [RuleResult(rule, passed, metric, failing_rows, ...)]

Modules: ``lexer`` and ``parser`` (DQDL -> ``model``), ``registry`` and ``plugin`` (one
plugin per rule type, in ``rules/``), ``evaluation`` (running rules, composites, row-level
results), ``operands`` and ``sqlgen`` (conditions), ``history`` (dynamic rules),
``recommend`` (starter rulesets). The language and its semantics: ``docs/dqdl.md``.
"""

from __future__ import annotations

from auditor.data.quality.evaluation import Report, evaluate_ruleset, run_ruleset
from auditor.data.quality.history import MetricHistory
from auditor.data.quality.model import Composite, Condition, Rule, Ruleset
from auditor.data.quality.parser import load_ruleset, parse_ruleset
from auditor.data.quality.results import RowSet, RuleResult

Constraint = Condition  # the earlier name

__all__ = ["Composite", "Condition", "Constraint", "MetricHistory", "Report", "RowSet", "Rule", "RuleResult",
           "Ruleset", "evaluate_ruleset", "load_ruleset", "parse_ruleset", "run_ruleset"]
