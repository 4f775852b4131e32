"""Governed workloads: the registrar and 3-1-1 pipelines.

Each pipeline moves data through zones (``Landing -> Raw -> Curated``, plus
``Quarantine``) of a :class:`~auditor.pipelines.store.Store` (a local directory
or ``s3://bucket/prefix``), runs its SQL transforms with DuckDB (or Athena),
gates every promotion, and writes a lineage manifest per run.

Entry point: :func:`auditor.pipelines.pipeline_run.run_pipeline`. Each pipeline is a
self-contained package (``registrar/``, ``inquiries311/``: code, ``pipeline.yml``, ``sql/``,
``sample.py``) behind :class:`~auditor.pipelines.contract.Pipeline`, found by name in
:mod:`auditor.pipelines.pipeline_registry` (the ``auditor.pipelines`` entry points).
"""
