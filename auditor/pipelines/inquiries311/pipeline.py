"""The 3-1-1 pipeline: portal exports -> raw -> curated -> yearly metrics.

Zones (``govtfinance/311inqvol``)::

    calls/<year>/Landing/<export>.csv|xlsx      as downloaded, never modified
    calls/<year>/Raw/inquiries.csv              normalised rows of that year
    calls/<year>/Curated/v-<run>/inquiries.parquet
    Curated/metrics/v-<run>/<metric>.parquet    yearly metrics (all years)
    Quarantine/<run>/<file> + <file>.reason.json
    _CURRENT.json                               the published curated version

An export covering several years lands under ``calls/<first>-<last>/Landing``.
When two landing files hold the same (department, type, month, channel) row,
the file that sorts last (the newer extract) supersedes the other.

Metrics (per year): inquiries and % share per department, per channel and per
department x channel (against the year's real total: the shares of a year sum to
100); year-over-year change over the months both years cover (2024 is a partial
extract); departments with unusually high or low volume, flagged when the
robust z-score of log(volume), ``0.6745 * (x - median) / MAD``, exceeds
``outlier_threshold`` in absolute value (Iglewicz and Hoaglin's 3.5 by default).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from auditor.pipelines.base import LandingFile, RunState, csv_bytes, parquet_bytes
from auditor.pipelines.contract import PipelinePackage
from auditor.pipelines.errors import BadInput
from auditor.pipelines.exports import Chart
from auditor.pipelines.inquiries311 import sample
from auditor.pipelines.inquiries311.read import read_export
from auditor.pipelines.promote import Output, version_of
from auditor.pipelines.promotion_checks import QualityCheck, quality_history
from auditor.pipelines.routing import apply_quality_gate
from auditor.pipelines.store import ObjectInfo, Store

ROOT = "govtfinance/311inqvol"  # the zones as the original AWS project named them
CALLS = f"{ROOT}/calls"
KEY = ["department", "type", "year_month", "channel"]
METRICS = ("year_totals", "department_share", "channel_share", "department_channel_share", "department_yoy")

class Inquiries311(PipelinePackage):
    """The 3-1-1 inquiry-volume pipeline."""

    name = "inquiries-311"
    root = ROOT
    pointer_key = f"{ROOT}/_CURRENT.json"
    gc_roots = (CALLS, f"{ROOT}/Curated")
    description = "3-1-1 inquiry volume (OpenData Vancouver export) -> yearly shares, YoY change, outliers"

    def sample_files(self, seed: int = 311) -> dict[str, bytes]:
        return {f"{CALLS}/{path.split('/')[0]}/Landing/{path.split('/')[1]}": data
                for path, data in sample.sample_files(seed).items()}

    def landing_key(self, filename: str, data: bytes) -> str:
        """Where an input file lands: the year (or span of years) its rows cover."""
        try:
            years = sorted(set(read_export(filename, data)["year"].tolist()))
            folder = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        except BadInput:
            folder = "unsorted"  # still landed as received; the run quarantines it with the reason
        return f"{CALLS}/{folder}/Landing/{PurePosixPath(filename).name}"

    def landing_objects(self, store: Store) -> list[ObjectInfo]:
        return [o for o in store.iter_files(CALLS, (".csv", ".xlsx", ".xlsm")) if "/Landing/" in o.key]

    def empty_message(self, store: Store) -> str:
        return f"empty landing zone: no .csv or .xlsx export under {store.uri(CALLS)}/<year>/Landing"

    # -- the run -------------------------------------------------------------------------------

    def process(self, state: RunState, files: list[LandingFile]) -> list[Output]:
        frames, bad = [], []
        with state.lineage.timed("read"):
            for order, f in enumerate(sorted(files, key=lambda f: f.key)):
                try:
                    frame = read_export(f.name, f.data, now=state.now())
                except BadInput as exc:
                    key = state.quarantine(self.root, f, exc.reason)
                    bad.append(BadInput(f.key, f"{exc.reason} (quarantined to {state.store.uri(key)})"))
                    continue
                frame["_order"] = order
                frames.append(frame)
                state.lineage.inputs.append({"key": f.key, "uri": state.store.uri(f.key), "sha256": f.sha256,
                                             "rows": len(frame)})
        if bad:
            raise bad[0]
        combined = pd.concat(frames, ignore_index=True)
        raw = state.step("raw")
        raw.input_rows = len(combined)
        # Newer extracts supersede older ones row by row (same key).
        combined = combined.sort_values("_order", kind="stable")
        dup = combined.duplicated(KEY, keep="last")
        raw.duplicate_rows = int(dup.sum())
        combined = combined[~dup].drop(columns="_order").reset_index(drop=True)
        raw.output_rows = len(combined)

        with state.lineage.timed("write"):
            for year, part in combined.groupby("year", sort=True):
                key = f"{CALLS}/{year}/Raw/inquiries.csv"
                digest = state.store.put(key, csv_bytes(part))
                state.lineage.outputs.append({"key": key, "uri": state.store.uri(key), "zone": "Raw",
                                              "sha256": digest, "rows": len(part)})
            raw.promoted = True

        curated = state.step("curated")
        curated.input_rows = len(combined)
        with state.lineage.timed("gates"):
            gate = QualityCheck(self.name, state.settings["quality_ruleset"],
                               history=quality_history(state.store, self.name)).check(combined, step="curated")
            state.record_gate(gate)
            combined = self._apply_quality(state, gate, combined)
        curated.output_rows = len(combined)

        version = version_of(state.run_id)
        outputs = [Output(f"{CALLS}/{year}/Curated/{version}/inquiries.parquet", parquet_bytes(part), len(part))
                   for year, part in combined.groupby("year", sort=True)]
        return outputs + self._metrics(state, combined, outputs)

    def _apply_quality(self, state: RunState, gate: Any, frame: pd.DataFrame) -> pd.DataFrame:
        return apply_quality_gate(state, gate, frame, root=self.root, pipeline=self.name, rejected_name="inquiries.rejected.csv")

    def _metrics(self, state: RunState, curated: pd.DataFrame, outputs: list[Output]) -> list[Output]:
        with state.lineage.timed("metrics"):
            state.engine.register("inquiries", curated,
                                  locations={o.key.split("/")[3]: o.key.rsplit("/", 1)[0] for o in outputs},
                                  partition="year")
            for name in METRICS:
                state.metrics[name] = state.engine.query(self.sql(name))
            state.metrics["department_outliers"] = outliers(state.metrics["department_share"],
                                                            float(state.settings["outlier_threshold"]))
        version = version_of(state.run_id)
        return [Output(f"{ROOT}/Curated/metrics/{version}/{name}.parquet", parquet_bytes(frame), len(frame))
                for name, frame in state.metrics.items()]

    def charts(self, metrics: dict[str, pd.DataFrame]) -> list[Chart]:
        out = []
        if "year_totals" in metrics:
            out.append(Chart("Inquiries per year", metrics["year_totals"][["year", "inquiries"]].astype({"year": str}),
                             "inquiries", "year"))
        if "channel_share" in metrics:
            pivot = metrics["channel_share"].pivot_table(index="channel", columns="year", values="share_pct",
                                                         aggfunc="sum", fill_value=0.0)
            pivot = pivot.sort_values(pivot.columns[-1], ascending=False)
            pivot.columns = [str(c) for c in pivot.columns]
            out.append(Chart("Channel share by year", pivot.reset_index(), "% of the year's inquiries", "channel"))
        if "department_share" in metrics:
            ds = metrics["department_share"]
            latest = ds["year"].max()
            top = ds[ds["year"] == latest].nlargest(15, "inquiries")["department"]
            pivot = ds[ds["department"].isin(top)].pivot_table(index="department", columns="year",
                                                                 values="share_pct", aggfunc="sum", fill_value=0.0)
            pivot = pivot.sort_values(pivot.columns[-1], ascending=False)
            pivot.columns = [str(c) for c in pivot.columns]
            out.append(Chart("Top departments share", pivot.reset_index(), "% of the year's inquiries", "department"))
        return out

def outliers(department_share: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Robust z-score of log(volume) per department within each year; ``flag`` is high/low/empty."""
    rows = []
    for year, part in department_share.groupby("year", sort=True):
        x = np.log(part["inquiries"].astype(float).clip(lower=1.0)).to_numpy()
        med = float(np.median(x))
        mad = float(np.median(np.abs(x - med)))
        z = 0.6745 * (x - med) / mad if mad > 0 else np.zeros_like(x)
        for dept, n, lx, zi in zip(part["department"], part["inquiries"], x, z, strict=True):
            flag = "high" if zi > threshold else "low" if zi < -threshold else ""
            rows.append({"year": int(year), "department": dept, "inquiries": int(n),
                         "log_inquiries": round(float(lx), 6), "robust_z": round(float(zi), 4),
                         "threshold": threshold, "flag": flag})
    frame = pd.DataFrame(rows, columns=["year", "department", "inquiries", "log_inquiries", "robust_z",
                                        "threshold", "flag"])
    if frame.empty:
        return frame
    return frame.sort_values(["year", "robust_z"], ascending=[True, False]).reset_index(drop=True)
