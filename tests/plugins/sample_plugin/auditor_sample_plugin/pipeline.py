"""The colour-counts pipeline: CSV files of colours -> curated Parquet -> rows per colour."""

from __future__ import annotations

import io

import pandas as pd

from auditor.pipelines.base import LandingFile, RunState, parquet_bytes
from auditor.pipelines.contract import PipelinePackage
from auditor.pipelines.promote import Output, version_of
from auditor.pipelines.promotion_checks import QualityCheck
from auditor.pipelines.routing import apply_quality_gate
from auditor.pipelines.store import ObjectInfo, Store

ROOT = "plugins/colours"
LANDING = f"{ROOT}/Landing"


class ColourCounts(PipelinePackage):
    """Counts colours; gated by the DQDL ruleset of its ``pipeline.yml``."""

    name = "colour-counts"
    root = ROOT
    pointer_key = f"{ROOT}/_CURRENT.json"
    gc_roots = (f"{ROOT}/Curated",)
    description = "colours (.csv) -> rows per colour"

    def sample_files(self) -> dict[str, bytes]:
        return {f"{LANDING}/colours.csv": b"colour\nred\nblue\nred\n"}

    def landing_key(self, filename: str, data: bytes) -> str:
        return f"{LANDING}/{filename}"

    def landing_objects(self, store: Store) -> list[ObjectInfo]:
        return list(store.iter_files(LANDING, (".csv",)))

    def empty_message(self, store: Store) -> str:
        return f"empty landing zone: no .csv under {store.uri(LANDING)}"

    def process(self, state: RunState, files: list[LandingFile]) -> list[Output]:
        frame = pd.concat([pd.read_csv(io.BytesIO(f.data)) for f in files], ignore_index=True)
        raw = state.step("raw")
        raw.input_rows = raw.output_rows = len(frame)
        raw.promoted = True
        curated = state.step("curated")
        curated.input_rows = len(frame)
        gate = QualityCheck(self.name, state.settings["quality_ruleset"]).check(frame, step="curated")
        state.record_gate(gate)
        frame = apply_quality_gate(state, gate, frame, root=self.root, pipeline=self.name,
                                   rejected_name="colours.rejected.csv")
        curated.output_rows = len(frame)
        state.engine.register("colours", frame)
        state.metrics["colour_counts"] = state.engine.query(self.sql("colour_counts"))
        version = version_of(state.run_id)
        return [Output(f"{ROOT}/Curated/{version}/colours.parquet", parquet_bytes(frame), len(frame)),
                *(Output(f"{ROOT}/Curated/{version}/metrics/{name}.parquet", parquet_bytes(m), len(m))
                  for name, m in state.metrics.items())]
