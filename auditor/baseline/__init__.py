"""The governed AWS baseline: render ``policy_templates/``, plan, apply, export.

``auditor baseline plan`` compares the live account with the baseline resource
by resource (read-only; exit 1 when something would change), ``auditor baseline
apply --yes`` converges it (create or update only: it never deletes buckets or
objects, never disables logging or replication, never schedules key deletion),
``auditor baseline export --format cloudformation|terraform`` writes the same
baseline as infrastructure as code, and ``auditor templates lint`` checks every
template.

Parameters come from the ``baseline`` section of the run config (see
:mod:`auditor.baseline.baseline_section`).
"""
