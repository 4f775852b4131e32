"""What a pipeline does with a quality gate's verdict before curated.

Shared by every pipeline: pass the frame through, route the failing rows to
Quarantine with a reason (``on_quality_failure: quarantine``, only when the
failures are row-level), or block the promotion. A gate that could not be
evaluated always blocks (fail closed).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditor.pipelines.base import RunState, csv_bytes
from auditor.pipelines.errors import CheckUnavailable, PromotionBlocked
from auditor.pipelines.quarantine import quarantine_records


def apply_quality_gate(state: RunState, gate: Any, frame: pd.DataFrame, *, root: str, pipeline: str,
                       rejected_name: str) -> pd.DataFrame:
    """The rows that may go on to curated; raises ``PromotionBlocked`` / ``CheckUnavailable`` otherwise."""
    if not gate.available:
        raise CheckUnavailable(f"quality gate could not be evaluated: {gate.error}; curated left unchanged")
    if gate.passed:
        return frame
    failed = [r["rule"] for r in gate.rules if r["outcome"] != "PASS"]
    rows = gate.failed_rows
    routable = rows is not None and bool(rows.any()) and not gate.aggregate_failed
    if state.settings["on_quality_failure"] == "quarantine" and routable and rows is not None:
        bad = frame[rows.to_numpy()].assign(_reason="failed: " + "; ".join(failed))
        quarantine_records(state.store, root, state.run_id, rejected_name, csv_bytes(bad, for_people=True), len(bad),
                           {r: 1 for r in failed}, pipeline, state.now())
        state.step("curated").rejected_rows += len(bad)
        state.lineage.quarantined["records"] += len(bad)
        return frame[~rows.to_numpy()].reset_index(drop=True)
    raise PromotionBlocked(f"quality gate failed ({', '.join(failed)}); curated left unchanged")
