"""Typed reading for DuckDB: give text columns the type their values have, as a Glue table would.

CSV (and XLSX, read as text) carries no types, so ``"10" < "9"`` and ``where "age < 10"``
would compare text. :func:`type_text_columns` looks at every value of each text column
and picks the narrowest type all non-blank values fit, in this order:

==========  =====================================================================
BOOLEAN     ``true`` / ``false`` (any case)
BIGINT      an integer without leading zeros (``007`` stays text: an identifier)
DOUBLE      a decimal number (``3.5``, ``-1e3``), again without leading zeros
DATE        ``YYYY-MM-DD``
TIMESTAMP   ``YYYY-MM-DD hh:mm[:ss[.f]]`` with ``T`` or a space, optional zone
VARCHAR     anything else
==========  =====================================================================

In a typed column a blank cell is NULL; in a text column it stays the empty string,
which is how Glue reads a CSV (its Completeness docs: a blank is an empty string in a
string column, NULL in an int column). Parquet keeps the types it carries. The choice
is made on a sample first and then confirmed on every row in one pass, so a text value
in row 900,000 still makes the column text.

Example::

    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv('x.csv', all_varchar=true, ...)")
    types = type_text_columns(con, "raw", "typed", row_column="__row")   # {"age": "BIGINT", ...}
    load_csv(con, "x.csv", "typed", delimiter=",", columns=[...])        # both steps
"""

from __future__ import annotations

from typing import Any

CANDIDATES: tuple[tuple[str, str], ...] = (
    ("BOOLEAN", r"(?i)true|false"),
    ("BIGINT", r"[+-]?(0|[1-9][0-9]{0,17})"),
    ("DOUBLE", r"[+-]?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?"),
    ("DATE", r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    ("TIMESTAMP", r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"),
)
SAMPLE_ROWS = 20_000


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fits(column: str, type_: str, pattern: str) -> str:
    """SQL that is TRUE when every non-blank value of ``column`` is of ``type_``."""
    c = _q(column)
    check = f"regexp_full_match({c}, '{pattern}')"
    if type_ in ("DATE", "TIMESTAMP"):  # the shape is right; is the calendar date real?
        check += f" AND TRY_CAST({c} AS {type_}) IS NOT NULL"
    return f"bool_and({c} IS NULL OR {c} = '' OR ({check}))"


def column_types(con: Any, table: str) -> dict[str, str]:
    """Column -> DuckDB type of ``table``, in table order."""
    rows = con.execute(f"DESCRIBE {table}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


# A type whose check failed on a later row is widened once: a number with a fraction, a date with a time.
_WIDER = {"BIGINT": "DOUBLE", "DATE": "TIMESTAMP"}


def infer_text_types(con: Any, table: str, columns: list[str]) -> dict[str, str]:
    """The inferred type of each text column of ``table`` (see the module docstring)."""
    if not columns:
        return {}
    sample = f"(SELECT * FROM {table} LIMIT {SAMPLE_ROWS})"
    guess = _sample_types(con, sample, columns)
    # A column of blanks fits every type: keep it text.
    for c in _blank_columns(con, sample, columns):
        guess[c] = "VARCHAR"
    _confirm_types(con, table, guess)
    return guess


def _sample_types(con: Any, sample: str, columns: list[str]) -> dict[str, str]:
    """Column -> the first of ``CANDIDATES`` that every value of the sample fits, else VARCHAR."""
    exprs = [_fits(c, t, p) for c in columns for t, p in CANDIDATES]
    flags = con.execute(f"SELECT {', '.join(exprs)} FROM {sample}").fetchone()
    guess: dict[str, str] = {}
    for i, c in enumerate(columns):
        fits = [t for j, (t, _) in enumerate(CANDIDATES) if flags[i * len(CANDIDATES) + j]]
        guess[c] = fits[0] if fits else "VARCHAR"
    return guess


def _blank_columns(con: Any, sample: str, columns: list[str]) -> list[str]:
    """The columns whose sampled values are all blank (or that have no rows)."""
    blanks = con.execute(f"SELECT {', '.join(f'bool_and({_q(c)} IS NULL OR {_q(c)} = {chr(39)}{chr(39)})' for c in columns)} "
                         f"FROM {sample}").fetchone()
    return [c for i, c in enumerate(columns) if blanks[i] is None or blanks[i]]


def _confirm_types(con: Any, table: str, guess: dict[str, str]) -> None:
    """Check each typed guess on every row of ``table``: a column some later value does not fit
    tries the next wider type, else becomes text (``guess`` is updated)."""
    patterns = dict(CANDIDATES)
    pending = [c for c in guess if guess[c] != "VARCHAR"]
    while pending:
        row = con.execute(f"SELECT {', '.join(_fits(c, guess[c], patterns[guess[c]]) for c in pending)} "
                          f"FROM {table}").fetchone()
        failed = [c for i, c in enumerate(pending) if row[i] is False]
        for c in failed:
            guess[c] = _WIDER.get(guess[c], "VARCHAR")
        pending = [c for c in failed if guess[c] != "VARCHAR"]


def type_text_columns(con: Any, raw: str, target: str, row_column: str | None = None,
                      row_expr: str | None = None) -> dict[str, str]:
    """Create ``target`` from ``raw`` with inferred types; returns column -> type.

    ``row_column``: a row id column of ``raw`` to keep as is; or ``row_expr`` (e.g.
    ``row_number() OVER () - 1``) to compute one under that name.
    """
    types = column_types(con, raw)
    data_cols = [c for c in types if c != row_column]
    text = [c for c in data_cols if types[c] == "VARCHAR"]
    inferred = infer_text_types(con, raw, text)
    select = []
    for c in data_cols:
        t = inferred.get(c)
        if t and t != "VARCHAR":
            select.append(f"CASE WHEN {_q(c)} = '' THEN NULL ELSE CAST({_q(c)} AS {t}) END AS {_q(c)}")
            types[c] = t
        else:
            select.append(_q(c))
    if row_column:
        select.append(f"{row_expr} AS {_q(row_column)}" if row_expr else _q(row_column))
    con.execute(f"CREATE TABLE {target} AS SELECT {', '.join(select)} FROM {raw}")
    return {c: types[c] for c in data_cols}


def load_csv(con: Any, path: str, target: str, *, delimiter: str, columns: list[str], row_column: str,
             encoding: str = "utf-8") -> dict[str, str]:
    """Read a CSV file into ``target`` with inferred types and a 0-based row id column.

    Every value is read as text first (blank cells as ``''``), then typed. Rows keep
    the file's order (DuckDB preserves insertion order), so row ids are file positions.
    """
    names = ", ".join(f"{_q_str(c)}: 'VARCHAR'" for c in columns)
    force = ", ".join(_q_str(c) for c in columns)
    enc = "" if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8") else f", encoding={_q_str(encoding)}"
    con.execute(f"CREATE TEMP TABLE __raw AS SELECT * FROM read_csv({_q_str(path)}, delim={_q_str(delimiter)}, "
                f"header=true, quote='\"', escape='\"', columns={{{names}}}, force_not_null=[{force}], "
                f"strict_mode=true, null_padding=false, auto_detect=false{enc})")
    try:
        return type_text_columns(con, "__raw", target, row_column, "row_number() OVER () - 1")
    finally:
        con.execute("DROP TABLE __raw")


def _q_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
