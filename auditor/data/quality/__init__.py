"""Data quality: Glue DQDL rulesets parsed and evaluated with DuckDB.

    from auditor.data.quality import evaluate_ruleset, load_ruleset, parse_ruleset
    results = evaluate_ruleset("rules.dqdl", df)     # [RuleResult(rule, passed, metric, failing_rows)]

See ``parser`` for the supported DQDL and ``evaluator`` for the semantics.
"""

from __future__ import annotations

from auditor.data.quality.evaluator import RuleResult, evaluate_ruleset
from auditor.data.quality.parser import Constraint, Rule, Ruleset, load_ruleset, parse_ruleset

__all__ = ["Constraint", "Rule", "RuleResult", "Ruleset", "evaluate_ruleset", "load_ruleset", "parse_ruleset"]
