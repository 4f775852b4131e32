"""Every DQDL rule type plugin: documented, its examples parse, its golden cases give the documented outcome.

The golden cases live with each plugin (``cases = (Case(...),)``); their expected
outcomes were worked out by hand from the Glue documentation, not taken from a run.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from auditor.data.quality import parse_ruleset, run_ruleset
from auditor.data.quality.model import Composite, Rule
from auditor.data.quality.plugin import Case, RuleType
from auditor.data.quality.registry import all_rule_types, get_rule_type

PLUGINS = all_rule_types()
CASES = [(p.name, c) for p in PLUGINS for c in p.cases]
# File rules need files on disk and DetectAnomalies a history: their cases are in their own test modules.
WITHOUT_CASES = {"AllStatistics", "DetectAnomalies", "FileFreshness", "FileMatch", "FileSize", "FileUniqueness"}


def test_every_documented_rule_type_is_registered() -> None:
    documented = {"AggregateMatch", "ColumnCorrelation", "ColumnCount", "ColumnDataType", "ColumnExists",
                  "ColumnLength", "ColumnNamesMatchPattern", "ColumnValues", "Completeness", "CustomSql",
                  "DataFreshness", "DatasetMatch", "DistinctValuesCount", "Entropy", "IsComplete", "IsPrimaryKey",
                  "IsUnique", "Mean", "ReferentialIntegrity", "RowCount", "RowCountMatch", "StandardDeviation",
                  "Sum", "SchemaMatch", "Uniqueness", "UniqueValueRatio", "DetectAnomalies", "FileFreshness",
                  "FileMatch", "FileSize", "FileUniqueness"}
    assert len(documented) == 31
    assert documented <= {p.name for p in PLUGINS}


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugin_is_documented_and_complete(plugin: RuleType) -> None:
    assert (type(plugin).__doc__ or "").strip(), f"{plugin.name} needs a docstring (user documentation)"
    assert plugin.name in (type(plugin).__doc__ or "") or plugin.name == "AllStatistics"
    if plugin.name not in ("AllStatistics",):
        assert plugin.examples, f"{plugin.name} lists no documented example"
    if plugin.name not in WITHOUT_CASES:
        assert plugin.cases, f"{plugin.name} has no golden case"
    assert get_rule_type(plugin.name) is plugin


EXAMPLES = [(p.name, e) for p in PLUGINS for e in p.examples]


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[f"{n}:{e[:40]}" for n, e in EXAMPLES])
def test_documented_examples_parse(name: str, example: str) -> None:
    (node,) = parse_ruleset(f"Rules = [ {example} ]").rules
    types = {node.type} if isinstance(node, Rule) else _types(node)
    assert name in types


def _types(node: Composite) -> set[str]:
    out: set[str] = set()
    for p in node.parts:
        out |= {p.type} if isinstance(p, Rule) else _types(p)
    return out


def _data(case: Case, tmp_path: Path) -> Any:
    if case.csv:
        assert isinstance(case.data, str)
        path = tmp_path / "data.csv"
        path.write_text(case.data, encoding="utf-8")
        return path
    assert not isinstance(case.data, str)
    return pd.DataFrame({k: list(v) for k, v in case.data.items()})


@pytest.mark.parametrize(("name", "case"), CASES, ids=[f"{n}:{c.rule[:50]}" for n, c in CASES])
def test_golden_case(name: str, case: Case, tmp_path: Path) -> None:
    options: dict[str, Any] = {"composite": case.options.get("composite", "dataset")}
    if "now" in case.options:
        options["now"] = datetime.fromisoformat(case.options["now"])
    refs = {alias: pd.DataFrame({k: list(v) for k, v in cols.items()}) for alias, cols in case.refs.items()}
    report = run_ruleset(f"Rules = [ {case.rule} ]", _data(case, tmp_path), refs=refs, **options)
    (result,) = report.results
    assert result.outcome == case.outcome, (case.why, result)
    if case.rows is not None:
        assert result.failing_rows == list(case.rows), (case.why, result)
    if case.metric is not None:
        assert result.metric == pytest.approx(case.metric, abs=1e-6), (case.why, result)
