"""Resource types of the data layer and the ``data`` section of the run config.

Datasets are resources like any other, judged by ``rules/data/*.yml``:

- ``dataset.file``: one table (a CSV or Parquet file, or one sheet of an XLSX
  workbook). Resource id: the path (``s3://bucket/key`` or a local path), with
  ``!Sheet`` appended for a workbook sheet when the workbook has several.
- ``dataset.column``: one column of a table. Resource id: ``<file id>#<column>``.

Example rule::

    - id: dataset-column-pii-masked
      title: PII columns are masked
      resource: dataset.column
      severity: high
      where: [{key: pii, op: eq, value: true}]
      assert: [{key: masked, op: eq, value: true}]

The ``data`` config section (``--config``)::

    version: 1
    data:
      sample_size: 500           # values sampled per structured column
      support: 0.6               # share of sampled cells that must agree to classify a column
      thresholds: {PHONE_NUMBER: 0.5, DATE_TIME: 0.6}   # per-entity minimum scores
      student_id_pattern: '\\b[A-Z]\\d{8}\\b'
      ner:                       # opt-in; sha256: the output of `auditor data model-hash en_core_web_sm`
        model: en_core_web_sm
        sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
      locations: true            # also find and mask cities and countries (LOCATION; a gazetteer, plus NER if on)
      nlp_configuration: nlp.yml    # Presidio's own NLP engine YAML (optional)
      encoding: utf-8            # CSV encoding when not UTF-8
      workers: 2                 # processes for free-text analysis
      limits: {xlsx_max_bytes: 268435456, max_cell_chars: 1000000}   # see auditor.data.limits

No heavy import here: this module only declares.
"""

from __future__ import annotations

from typing import Any, TypedDict

from auditor.core.resources import ResourceType, resource_types
from auditor.core.run_config import config_sections
from auditor.data.limits import LIMITS_SCHEMA, LimitsSection


@resource_types.register("dataset.file")
class DatasetFile(ResourceType):
    """A table read from a file: ``{key: rows, op: gt, value: 0}``."""

    attributes = {
        "path": "where the data lives (local path or s3://bucket/key)",
        "format": "csv, xlsx or parquet",
        "sheet": "workbook sheet name (xlsx only, else empty)",
        "size_bytes": "file size in bytes",
        "rows": "number of data rows",
        "columns": "number of columns",
        "column_names": "list of column names",
        "delimiter": "CSV delimiter that was detected",
        "encoding": "text encoding used to read a CSV",
        "pii_columns": "names of the columns classified as PII",
        "pii_entities": "entity types found anywhere in the table",
        "masked_columns": "PII columns whose values are already masked or tokenised",
        "unmasked_pii_columns": "PII columns that still hold raw values",
        "free_text_columns": "columns analysed value by value as free text",
        "ambiguous_columns": "columns whose classification could not be decided",
        "header_looks_like_data": "positions (1-based) of header cells that hold data, e.g. a CSV without a "
                                  "header row; those columns are named column_N in every output",
        "quality_evaluated": "true when a DQDL ruleset was evaluated on the table (data scan --ruleset)",
        "quality_failed_rules": "DQDL rules that failed (their text)",
        "quality_rules": "number of DQDL rules evaluated",
    }
    permissions = ("s3:GetObject", "s3:HeadObject")


@resource_types.register("dataset.column")
class DatasetColumn(ResourceType):
    """One column of a table: ``{key: pii, op: eq, value: true}``."""

    attributes = {
        "path": "the table's resource id",
        "column": "column name (column_N when the header cell holds data)",
        "dtype": "storage type (string, int64, float64, datetime, bool...)",
        "rows": "number of rows",
        "nulls": "number of empty cells",
        "null_ratio": "share of empty cells (0..1)",
        "kind": "structured, mixed (only some values hold PII: checked and masked value by value) or free-text",
        "entity": "entity type the column holds (EMAIL_ADDRESS, PERSON...) or null",
        "pii": "true when the column holds personal data",
        "classification": "pii, not-pii or ambiguous",
        "confidence": "confidence of the classification (0..1)",
        "support": "share of sampled cells that support the entity (0..1)",
        "name_hint": "entity suggested by the column name, or null",
        "masked": "true when no raw PII value is left anywhere in the column (every cell counted, not a sample)",
        "free_text": "true for free-text columns (analysed value by value)",
        "entity_counts": "free text and mixed columns: entity type -> number of spans found",
        "uncovered": "what the detection could not cover for this column (e.g. names without NER)",
        "sample_size": "number of values sampled",
        "masked_samples": "a few masked example values (never raw)",
        "evidence": "how the decision was made: hint, per-entity support, ignored noisy labels",
    }
    permissions = ("s3:GetObject",)


DATA_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Data governance settings (PII detection, reading).",
    "additionalProperties": False,
    "x-unknown": "data setting",
    # Cities and countries are found by a language model only.
    "properties": {
        "sample_size": {"type": "integer", "minimum": 10, "maximum": 100000},
        "support": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "ambiguous_support": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "thresholds": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1}},
        "student_id_pattern": {"type": "string", "minLength": 1},
        "free_text_min_words": {"type": "integer", "minimum": 2},
        "encoding": {"type": "string", "minLength": 1},
        "sheet": {"type": "string", "minLength": 1},
        "chunk_rows": {"type": "integer", "minimum": 100},
        "workers": {"type": "integer", "minimum": 1, "maximum": 64},
        "nlp_configuration": {"type": "string", "minLength": 1},
        "locations": {"type": "boolean"},
        "limits": LIMITS_SCHEMA,
        "ner": {
            "type": "object",
            "additionalProperties": False,
            "required": ["model", "sha256"],
            "properties": {
                "model": {"type": "string", "minLength": 1},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "min_score": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
    },
}

config_sections.add("data", DATA_CONFIG_SCHEMA)


class NerSection(TypedDict, total=False):
    """``data.ner``: opt-in named-entity recognition with a spaCy model (``model`` and ``sha256`` required)."""

    model: str
    """A spaCy model: package name (``en_core_web_sm``) or path."""
    sha256: str
    """The model's expected SHA-256 (the output of ``auditor data model-hash MODEL``); a mismatch stops the run."""
    min_score: float
    """Entities the model scores below this are ignored (default 0.6)."""


class DataSection(TypedDict, total=False):
    """The ``data:`` section: PII detection and reading settings (every key optional)."""

    sample_size: int
    """Values sampled per structured column (default 500)."""
    support: float
    """Share of sampled cells that must agree to classify a column (default 0.6)."""
    ambiguous_support: float
    """The weaker support that a column-name hint (``email``, ``dob``...) confirms (default 0.2)."""
    thresholds: dict[str, float]
    """Per-entity minimum scores, e.g. ``{PHONE_NUMBER: 0.5}`` (unset entities keep the defaults)."""
    student_id_pattern: str
    """The regex of a student id (STUDENT_ID); a bare ``id`` column is PII only when its values match it."""
    free_text_min_words: int
    """A column where most sampled values have at least this many words is free text (default 4)."""
    encoding: str
    """CSV text encoding when it is not UTF-8 (``--encoding`` wins)."""
    sheet: str
    """XLSX: read only this sheet (``--sheet`` wins)."""
    chunk_rows: int
    """Rows read per chunk (default 50,000)."""
    workers: int
    """Processes for free-text analysis (default: the CPUs available)."""
    nlp_configuration: str
    """Presidio's own NLP engine YAML."""
    locations: bool
    """Also find and mask cities and countries (LOCATION: a gazetteer, plus NER when on)."""
    limits: LimitsSection
    """Limits on what a data file may hold (see :mod:`auditor.data.limits`)."""
    ner: NerSection
    """Opt-in NER (see :class:`NerSection`)."""
