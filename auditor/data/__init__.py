"""Data governance: read datasets, find and mask PII, check data quality.

Entry points (imported lazily, heavy libraries load on first use):

- ``auditor.data.readers``: ``open_dataset(path)`` -> tables read in chunks (CSV, XLSX, Parquet; local or s3://).
- ``auditor.data.pii``: ``build_analyzer(settings)`` (one Presidio engine per run);
  ``auditor.data.classify``: ``classify_frame``.
- ``auditor.data.profile``: ``classify_table(table, analyzer)`` (a first pass over a whole file) and
  ``check_header`` (header cells holding data become ``column_N``); ``auditor.data.sampling`` holds the counts.
- ``auditor.data.mask_verify``: ``mask_and_verify(frame, MaskRequest(policy, declared=...), services)``: mask a
  frame per policy and verify nothing detected remains (what the pipelines' PII gate calls).
- ``auditor.data.masking``: ``load_policy(path)`` and ``mask_frame(df, classification, policy)``;
  ``auditor.data.maskfile.mask_dataset(src, dst, policy, analyzer)`` for a whole file.
- ``auditor.data.quality``: ``parse_ruleset(text)`` and ``evaluate_ruleset(ruleset, df)`` (Glue DQDL on DuckDB).
- ``auditor.data.scan``: ``run_data_scan(prepared, paths, options)`` -> findings document (kind "data").
- ``auditor.data.samples``: ``write_sample_dataset(path, rows, seed)`` for tests and the demo.
"""
