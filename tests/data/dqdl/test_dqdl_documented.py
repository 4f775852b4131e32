"""Every documented DQDL form parses; malformed rulesets stop at the right line:col.

The forms come from the AWS Glue DQDL reference pages (dqdl.html and each
dqdl-rule-types-*.html) and from the round-trip list of Glue's own parser
(awslabs/dqdl, DQRuleTest.provideRawRules), which covers the rarer syntax.
"""

from __future__ import annotations

import pytest

from auditor.core.errors import ConfigError
from auditor.data.quality import parse_ruleset
from auditor.data.quality.model import Composite, Rule

DOCS = [
    'IsComplete "order-id"', 'IsUnique "order-id"',
    '(IsComplete "id") and (IsUnique "id")', '(RowCount "id" > 100) or (IsPrimaryKey "id")',
    '(Mean "Star_Rating" > 3) and (Mean "Order_Total" > 500) and (IsComplete "Order_Id")',
    '(Mean "Star_Rating" > 3) and ((Mean "Order_Total" > 500) or (IsComplete "Order_Id"))',
    '(RowCount > 0) or ((IsComplete "colA") and (IsUnique "colA"))',
    '(ColumnValues "myCol1" > 1) OR (ColumnValues "myCol2" > 2)',
    'Mean "colA" between 80 and 100', 'ColumnValues "colA" != "a"', 'ColumnValues "colA" != "2022-06-30"',
    'ColumnValues "colA" > 10', 'ColumnValues "colA" < 1000', 'ColumnValues "colA" < "2022-06-30"',
    'ColumnValues "colA" >= 10', 'ColumnValues "colA" <= 1000', 'Mean "colA" between 8 and 100',
    'ColumnValues "colA" between "2022-05-31" and "2022-06-30"',
    'ColumnValues "colA" not between "2022-05-31" and "2022-06-30"',
    'ColumnValues "colA" in [ 1, 2, 3 ]', 'ColumnValues "colA" in [ "a", "b", "c" ]',
    'ColumnValues "colA" not in [ 1, 2, 3 ]', 'ColumnValues "colA" not in [ "a", "b", "c" ]',
    'ColumnValues "colA" matches "[a-zA-Z]*"', 'ColumnValues "colA" not matches "[a-zA-Z]*"',
    'ColumnValues "load_date" > (now() - 3 days)', 'ColumnValues "colA" in ["A", "B"] with threshold > 0.8',
    'ColumnValues "colA" matches "[a-zA-Z]*" with threshold between 0.2 and 0.9',
    'ColumnDataType "colA" = "Timestamp" with threshold > 0.9',
    'ColumnValues "colA" != NULL with threshold > 0.5', '(ColumnValues "colA" = NULL) or (ColumnLength "colA" > 5)',
    '(ColumnValues "colA" = EMPTY) or (ColumnValues "colA" in ["a", "b"])',
    'ColumnValues "colA" not in ["a", "b", WHITESPACES_ONLY]',
    'Completeness "colA" > 0.5 where "colB = 10"',
    'ColumnValues "colB" in ["A", "B"] where "colC is not null" with threshold > 0.9',
    'ColumnLength "colC" > 10 where "colD != Concat(colE, colF)"',
    'RowCount > last()', 'RowCount > avg(last(5))', 'ColumnCorrelation "colA" "colB" < avg(last(10))',
    'DistinctValuesCount "colA" between min(last(10))-1 and max(last(10))+1',
    'RowCount > index(last(3), 0)',
]

GLUE_PARSER = [
    'IsPrimaryKey "colA" "colB"', 'IsPrimaryKey colA "col B"', 'IsPrimaryKey "colA" where "colA > 100"',
    'RowCount != 100', 'RowCount = -100', 'RowCount = 100 where "colA > 100"',
    'RowCount between (0.9 * average(last(10))) and 1.1 * average(last(10))',
    'RowCount not between (0.9 * average(last(10))) and 1.1 * average(last(10))',
    'RowCountMatch "reference" between 0.8 and 0.98', 'Completeness of col_1 between 0.5 and 0.8',
    'Completeness of col_1 not between 0.5 and 0.8', 'Completeness "col_1" between -0.5 and -0.4',
    'Completeness "col_1" between (0.9 * avg(last(10))) and (1.1 * avg(last(10)))',
    'ColumnDataType "col_1" != "String"', 'ColumnDataType "col_1" = "String" with threshold between 0.4 and 0.8',
    'ColumnDataType "col_1" in ["Date","String"] with threshold > 0.9',
    'ColumnDataType "col_1" = "String" where "col-A > 100"', 'ColumnNamesMatchPattern "aws_.*_[a-zA-Z0-9]+"',
    'ColumnCount = avg(std(last(10)))', 'ColumnCount > -100.123456',
    'ColumnCorrelation of col_1 col_2 between 0.4 and 0.8', 'ColumnCorrelation of col_1 and "col abc" between 0.4 and 0.8',
    'Uniqueness "col_1" between -0.00000001 and 0.00000000000002', 'Uniqueness "col_1" "col_2" "col_3" > 0.5',
    'IsUnique "col_1" "col_2" "col_3"', 'ColumnValues "load_dt" > (now() - 1 days)',
    'ColumnValues "order-id" in [1,2,3,4,NULL]', 'ColumnValues "col-A" < (now() + 4 minutes)',
    'ColumnValues "col-A" > "9:30 AM"', 'ColumnValues "col-A" > "19:30"',
    'ColumnValues "col-A" between "9:00 AM" and "21:50"', 'Sum "col_A-B.C" > -100.0 where "col-A > 100"',
    'ColumnValues "col-A" >= now()', 'ColumnValues "col-A" between (now() - 3 hours) and now()',
    'ColumnValues "col-A" = (now() - 3 hours)', 'ColumnValues "col-A" != (now() - 3 hours)',
    'ColumnValues "col-A" in [now(),(now() - 3 hours),now(),(now() + 4 days)]',
    'ColumnValues "col-A" not in [now(),(now() - 3 hours),now(),(now() + 4 days)]',
    'ColumnValues "col-A" not matches "[a-z]*" with threshold <= 0.4', 'ColumnValues "col-A" = "A" with threshold > 0.98',
    'ColumnValues "col-A" = EMPTY', 'ColumnValues "col-A" != WHITESPACES_ONLY', 'ColumnValues "col-A" in [NULL]',
    'ColumnValues "col-A" in ["a",NULL,EMPTY,WHITESPACES_ONLY]',
    '(ColumnValues "col-A" not in [NULL,EMPTY,WHITESPACES_ONLY]) OR (ColumnValues "col-B" != WHITESPACES_ONLY)',
    'ColumnValues "col-A" <= 0.4 with threshold not between 0.4 and 0.8',
    'ColumnValues "col-A" not in ["2022-01-01",NULL] with threshold > 0.98',
    'DataFreshness "col-A" > 3 minutes', 'DataFreshness "col-A" between 2 minutes and 4 minutes',
    'DataFreshness "col-A" <= 3 days where "col-A > 100"',
    'ReferentialIntegrity "col-A" "reference.col-A1" between 0.4 and 0.6',
    'ReferentialIntegrity "col-A,col-B" "reference.{col-A1,col-A2}" = 0.99',
    'ReferentialIntegrity of "primary.colA" and "ref.colA" = 0.9',
    'DatasetMatch "reference" "ID1,ID2" "colA,colB,colC" = 0.99', 'SchemaMatch "ref-1" >= 1.0',
    'AggregateMatch "sum(col-A)" "sum(reference.colA)" > 0.1', 'CustomSql "select col-A from primary" with threshold > 0.5',
    'DetectAnomalies of RowCount', 'DetectAnomalies of Completeness of "colA"',
    'DetectAnomalies of ColumnCorrelation of "colA" and "colB"', 'FileMatch "S3://PATH" in ["hashList","hashList"]',
    'FileMatch in ["hashList","hashList"]', 'FileMatch "S3://PATH1" "S3://PATH2" with randomTagThing = "@sampom"',
    'FileMatch "S3://PATH1" in ["a"] with tag1 = "sampom" with tag2 = "pomsam"',
    'FileUniqueness "S3://PATH1" >= 0.9', 'FileFreshness "S3://PATH" between "2023-02-07" and "2024-07-15"',
    'FileUniqueness > 0.5', 'FileSize between 1 B and 1 GB', 'FileSize not between 50 GB and 1 TB', 'FileSize > 5 B',
    'FileSize != 5 B', 'FileSize in [5 B]', 'FileSize not in [500 KB,150 GB]', 'FileSize > 2', 'FileSize in [3,4,5,6]',
    '(RowCount > 0) OR (IsComplete "colA") OR (IsUnique "colA")',
    '((RowCount > 0) AND (IsComplete "colB")) OR ((IsComplete "colA") AND (IsUnique "colA"))',
    'FileFreshness "S3://PATH" > (now() + 45 minutes)', 'FileFreshness "S3://PATH" > "21:45" with timeZone = "America/New_York"',
    'FileFreshness "S3://PATH" between (now() - 2 hours) and "21:45"', 'FileFreshness > "9:30 AM" with recentFiles = 1',
    'FileFreshness > "9:30 AM" with matchFileName = "True"', 'FileSize < 5 B labels=["key"="value"]',
    'FileSize < 5 B labels=["key1"="value1", "key2"="value2"]', 'IsPrimaryKey "colZ" labels=["key"="value", "Key"="value2"]',
    'ColumnValues "colA" in [10,20] where "colB is NOT NULL" with threshold > 0.5',
    'IsComplete "colA" where "colB is NOT NULL"', 'Variance "col_A-B.CD" <= -10000.0 where "col-A > 100"',
    'ColumnValues "samCol" in ["B", "a", "C", NULL, EMPTY, WHITESPACES_ONLY ] with ignoreCase = "true"',
    'ColumnValues "col-A" in [ "ColumnValues in [ \\"col-A\\" ]" ]',
]


@pytest.mark.parametrize("rule", DOCS + GLUE_PARSER)
def test_documented_form_parses(rule: str) -> None:
    (node,) = parse_ruleset(f"Rules = [ {rule} ]").rules
    assert isinstance(node, (Rule, Composite))
    assert node.text == " ".join(rule.split())


def test_constants_labels_analyzers_and_comments() -> None:
    rs = parse_ruleset('# header\nsql = "select count(*) from primary"\nallowed = ["a", "b"]\n'
                       'Rules = [\n  CustomSql $sql > 0, # a comment\n  ColumnValues "c" in $allowed labels=["team"="x"]\n]\n'
                       'Analyzers = [ RowCount, Completeness "c", AllStatistics "c" ]\n')
    first, second = rs.rules
    assert isinstance(first, Rule) and first.columns == ["select count(*) from primary"]
    assert isinstance(second, Rule) and second.labels == {"team": "x"}
    assert [str(o) for o in second.condition.operands] == ['"a"', '"b"']  # type: ignore[union-attr]
    assert [a.type for a in rs.analyzers] == ["RowCount", "Completeness", "AllStatistics"]
    assert rs.constants == {"sql": "select count(*) from primary", "allowed": ["a", "b"]}


def test_regex_keeps_backslashes() -> None:
    (rule,) = parse_ruleset(r'Rules = [ ColumnValues "zip" matches "\d{5}" ]').rules
    assert isinstance(rule, Rule) and rule.condition is not None
    assert str(rule.condition.operands[0]) == r'"\\d{5}"' and rule.condition.operands[0].value == r"\d{5}"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "where"), [
    ('Rules = [ IsComplete "a" and IsUnique "b" ]', "1:26: composite rules need parentheses around each rule"),
    ('Rules = [ (IsComplete "a" and IsUnique "b") ]', "1:27: composite rules need parentheses"),
    ('Rules = [ ColumnValues "a" in $nope ]', "1:31: unknown constant '$nope'"),
    ('Rules = [ Completeness "a" > "x" ]', "1:28: Completeness: expected a number"),
    ('Rules = [ DataFreshness "a" > 3 ]', "1:29: DataFreshness: expected a duration"),
    ('Rules = [ FileSize > "big" ]', "1:20: FileSize: expected a size"),
    ('Rules = [ RowCount > last(5) ]', "1:20: last(5) returns several values"),
    ('Rules = [ RowCount > avg(last(0)) ]', "1:26: last(k) takes a whole number k >= 1"),
    ('Rules = [ RowCount > foo(1) ]', "1:22: unknown function 'foo'"),
    ('Rules = [ IsComplete "a" where "" ]', "1:32: the 'where' condition is empty"),
    ('Rules = [ IsComplete "a" labels=[] ]', "1:26: labels must have at least one label"),
    ('Rules = [ IsComplete "a" labels=["k"="v", "k"="w"] ]', "1:43: duplicate label key 'k'"),
    ('Rules = [ FileSize < 5 B where "x > 1" ]', "1:26: 'where' does not apply to FileSize"),
    ('Rules = [ AllStatistics "a" ]', "1:11: AllStatistics is an analyzer"),
    ('Rules = [ IsComplete "a" > 1 ]', "1:26: IsComplete takes no condition"),
    ('Rules = [ ColumnDataType "a" = "Integr" ]', "1:11: unknown data type 'Integr'"),
    ('Rules = [ DetectAnomalies "RowCont" ]', "1:11: DetectAnomalies supports"),
    ('Rules = [ ColumnValues "a" = NULL with threshold > "x" ]', "1:50: ColumnValues: expected a number"),
    ('Rules = [ ColumnValues "a" > NULL ]', "NULL, EMPTY and WHITESPACES_ONLY work with =, !=, in and not in"),
    ('Rules = [\n  IsComplete "a",\n  IsUnique "a"\n  RowCount > 0\n]', "4:3: expected ',' or ']' after a rule"),
    ('Rules = [ IsComplete "a"', "1:25: expected ',' or ']' after a rule ('[' at 1:9 is not closed)"),
    ('Rules = [ IsComplete "a" ] Rules = [ IsUnique "a" ]', "1:28: 'Rules' is defined twice"),
    ('Rules = [ ReferentialIntegrity "a,b" "ref.c" = 1.0 ]', "1:11: ReferentialIntegrity needs as many"),
])
def test_malformed_rulesets_name_line_and_col(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_ruleset(text, "r.dqdl")
    assert f"r.dqdl:{where}" in str(err.value) or where in str(err.value), str(err.value)
    assert str(err.value).startswith("r.dqdl:")
