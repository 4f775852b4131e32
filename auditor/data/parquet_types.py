"""Parquet columns the scanner cannot take as they are, read column by column.

Glue and Spark write decimals, structs, lists, maps and binary columns as a matter of
course. pandas would hand them over as ``Decimal`` objects, dicts, NumPy arrays and raw
bytes, which the PII scanner and the masking cannot read (raw bytes were even decoded
as text and failed the whole scan). Each column gets a plan from its Arrow type:

=====================================  =================================================
Arrow type                             read as
=====================================  =================================================
decimal, precision <= 15               float64 (exact to the digits it has)
decimal, precision > 15                text ("12345678901234567890.12", nothing lost)
struct, list, map, union               JSON text (``{"city": "Vancouver"}``): the PII
                                       inside a nested value is found and masked as text
dictionary (categorical)               its values, decoded
binary whose every value is UTF-8      text (Spark without the string annotation)
text without control characters
other binary                           not read: the column is left out and reported
                                       (``ColumnPlan.reason``); never decoded as garbage
uuid (extension)                       text ("0f8fad5b-d9cb-469f-a165-70867728950e")
anything else                          as pyarrow converts it (numbers, dates, text...)
=====================================  =================================================

Usage (what ``auditor.data.readers`` does)::

    plans = plan_columns(parquet_file)          # one ColumnPlan per top-level column
    for batch in parquet_file.iter_batches(columns=read_columns(plans)):
        frame = convert_batch(batch, plans)     # pandas DataFrame of the readable columns
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

Kind = Literal["keep", "float", "text", "json", "decode", "skip"]
_EXACT_FLOAT_DIGITS = 15  # a float64 holds 15 significant decimal digits exactly
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # tab, LF and CR are text; the rest of C0 is not


@dataclass(frozen=True)
class ColumnPlan:
    """How one top-level column is read: ``kind`` and, for a skipped column, why."""

    name: str
    kind: Kind
    reason: str = ""

    @property
    def readable(self) -> bool:
        return self.kind != "skip"


def plan_columns(pf: pq.ParquetFile) -> list[ColumnPlan]:
    """A plan per column of ``pf``'s schema; binary columns are read once to decide text or not."""
    schema = pf.schema_arrow
    plans = [_plan(f.name, f.type) for f in schema]
    binary = [p.name for p in plans if p.kind == "decode"]
    if binary:
        not_text = _binary_not_text(pf, binary)
        plans = [ColumnPlan(p.name, "skip", f"binary data ({_type_name(schema.field(p.name).type)}), not text")
                 if p.name in not_text else p for p in plans]
    return plans


def read_columns(plans: Iterable[ColumnPlan]) -> list[str]:
    """Names of the columns to read (skipped ones are never decompressed)."""
    return [p.name for p in plans if p.readable]


def convert_batch(batch: pa.RecordBatch, plans: list[ColumnPlan]) -> pd.DataFrame:
    """The readable columns of ``batch`` as a DataFrame, each converted per its plan."""
    import pyarrow as pa

    arrays, names = [], []
    for plan in plans:
        if not plan.readable:
            continue
        arrays.append(_convert(batch.column(batch.schema.get_field_index(plan.name)), plan.kind))
        names.append(plan.name)
    return pa.RecordBatch.from_arrays(arrays, names=names).to_pandas()


def _plan(name: str, t: pa.DataType) -> ColumnPlan:
    import pyarrow as pa
    import pyarrow.types as pt

    if isinstance(t, pa.BaseExtensionType):
        return ColumnPlan(name, "json" if _is_nested(t.storage_type) else "text")
    if pt.is_dictionary(t):  # decoded first (see _convert), then read as its values are
        return _plan(name, t.value_type)
    if pt.is_decimal(t):
        return ColumnPlan(name, "float" if t.precision <= _EXACT_FLOAT_DIGITS else "text")
    if _is_nested(t):
        return ColumnPlan(name, "json")
    if _is_binary(t):
        return ColumnPlan(name, "decode")
    return ColumnPlan(name, "keep")


def _is_nested(t: pa.DataType) -> bool:
    import pyarrow.types as pt

    checks = ("is_struct", "is_list", "is_large_list", "is_fixed_size_list", "is_list_view",
              "is_large_list_view", "is_map", "is_union")
    return any(getattr(pt, c, lambda _t: False)(t) for c in checks)


def _is_binary(t: pa.DataType) -> bool:
    import pyarrow.types as pt

    checks = ("is_binary", "is_large_binary", "is_fixed_size_binary", "is_binary_view")
    return any(getattr(pt, c, lambda _t: False)(t) for c in checks)


def _type_name(t: pa.DataType) -> str:
    return str(t).split("[", 1)[0].split("<", 1)[0]


def _binary_not_text(pf: pq.ParquetFile, names: list[str]) -> set[str]:
    """The binary columns holding at least one value that is not clean UTF-8 text."""
    import pyarrow as pa

    bad: set[str] = set()
    for batch in pf.iter_batches(columns=names, batch_size=65_536):
        for name in names:
            if name in bad:
                continue
            try:
                text = _as_text(batch.column(batch.schema.get_field_index(name)))
            except pa.ArrowInvalid:  # not UTF-8
                bad.add(name)
                continue
            if _has_control(text):
                bad.add(name)
        if len(bad) == len(names):
            break
    return bad


def _as_text(arr: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    if pt.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pt.is_fixed_size_binary(arr.type):
        arr = pc.cast(arr, pa.binary())
    return pc.cast(arr, pa.large_string())  # validates UTF-8 (ArrowInvalid otherwise)


def _has_control(text: Any) -> bool:
    import pyarrow.compute as pc

    hits = pc.match_substring_regex(text, _CONTROL)
    return bool(pc.any(hits).as_py())


def _convert(arr: Any, kind: Kind) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.types as pt

    if isinstance(arr.type, pa.BaseExtensionType):
        return pa.array([_json_default(v) if v is not None else None for v in arr.to_pylist()], type=pa.string()) \
            if kind == "text" else _to_json(arr)
    if pt.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if kind == "float":
        return pc.cast(arr, pa.float64(), safe=False)
    if kind == "text":
        return pc.cast(arr, pa.string())
    if kind == "decode":
        return _as_text(arr)
    if kind == "json":
        return _to_json(arr)
    return arr


def _to_json(arr: Any) -> Any:
    import pyarrow as pa

    values = arr.to_pylist(maps_as_pydicts="lossy") if hasattr(arr, "to_pylist") else list(arr)
    return pa.array([None if v is None else _dumps(v) for v in values], type=pa.string())


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):  # e.g. a map keyed by something JSON cannot key by
        return str(value)


def _json_default(o: Any) -> Any:
    """Scalars JSON cannot hold, as text the scanner can read (bytes: only when they are text)."""
    if isinstance(o, decimal.Decimal):
        return str(o)
    if isinstance(o, (dt.datetime, dt.date, dt.time)):
        return o.isoformat()
    if isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, (bytes, bytearray, memoryview)):
        raw = bytes(o)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(raw)} bytes>"
        return text if text.isprintable() else f"<{len(raw)} bytes>"
    return str(o)
