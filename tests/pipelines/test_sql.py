"""Every transform parses in both the DuckDB and the Athena (Trino) dialects."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.errors import ParseError

from auditor.pipelines.sql import load_sql, sql_names

QUERIES = [(p, n) for p in ("inquiries311", "registrar") for n in sql_names(p)]


def test_queries_are_shipped() -> None:
    assert {n for p, n in QUERIES if p == "registrar"} == {"acr", "enrollment_withdrawal", "curated_view"}
    assert len([n for p, n in QUERIES if p == "inquiries311"]) == 5


@pytest.mark.parametrize(("pipeline", "name"), QUERIES)
@pytest.mark.parametrize("dialect", ["duckdb", "trino", "athena"])
def test_query_parses_in_dialect(pipeline: str, name: str, dialect: str) -> None:
    tree = sqlglot.parse_one(load_sql(pipeline, name), read=dialect)
    assert tree.find(sqlglot.exp.Select) is not None
    # And what DuckDB reads, Trino can be handed unchanged: the Trino rendering re-parses.
    sqlglot.parse_one(tree.sql(dialect="trino"), read="trino")


def test_the_parser_is_not_lenient() -> None:
    with pytest.raises(ParseError):
        sqlglot.parse_one("SELECT FROM WHERE", read="trino")
