"""The registrar pipeline: .xlsx exports -> raw CSV -> curated Parquet -> ACR and withdrawal rate.

Zones (``registraroffice/enrollwithdraw``)::

    Landing/historic-enrollment-data/*.xlsx     applications (never modified)
    Landing/Total-enrollments/*.xlsx            enrollments
    Landing/withdrawal_request/*.xlsx           withdrawals
    Raw/<kind>.csv                              normalised, typed, de-duplicated, PII masked
    Curated/v-<run>/applications/received_year=<y>/part-0.parquet
    Curated/v-<run>/{enrollments,withdrawals}/part-0.parquet, Curated/v-<run>/metrics/<metric>.parquet
    Quarantine/<run>/<file> + .reason.json      bad files, and <kind>.rejected.csv (records + reasons)
    _CURRENT.json                               the published curated version

Gates: PII is classified and masked per policy before anything reaches Raw and
checked again before Curated (``on_pii: block`` refuses instead of masking);
the applications pass the DQDL ruleset of ``pipeline.yml`` before Curated
(failing rows are quarantined or the promotion blocked, per
``on_quality_failure``).

Metrics: ACR per received year (100 x completed / valid applications),
enrollments and withdrawals per year with the withdrawal rate, and the curated
view ``studentid, firstname, lastname, received_year, acr`` (names masked).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from auditor.pipelines.base import LandingFile, RunState, csv_bytes, parquet_bytes
from auditor.pipelines.contract import PipelinePackage
from auditor.pipelines.errors import BadInput, CheckUnavailable, PromotionBlocked
from auditor.pipelines.exports import Chart
from auditor.pipelines.promote import Output, version_of
from auditor.pipelines.promotion_checks import CheckResult, PiiCheck, QualityCheck, quality_history
from auditor.pipelines.quarantine import quarantine_records
from auditor.pipelines.registrar import sample
from auditor.pipelines.registrar.clean import SPECS, Cleaned, clean, read_workbook
from auditor.pipelines.routing import apply_quality_gate
from auditor.pipelines.store import ObjectInfo, Store

ROOT = "registraroffice/enrollwithdraw"  # the zones as the original AWS project named them
LANDING = f"{ROOT}/Landing"
METRICS = ("acr", "enrollment_withdrawal", "curated_view")


class Registrar(PipelinePackage):
    """The registrar applications / enrollments / withdrawals pipeline."""

    name = "registrar"
    root = ROOT
    pointer_key = f"{ROOT}/_CURRENT.json"
    gc_roots = (f"{ROOT}/Curated",)
    description = "registrar applications, enrollments, withdrawals (.xlsx) -> ACR per year, withdrawal rate"
    # One row per student: stays in the store and the exports, never in report attachments.
    row_level_metrics = frozenset({"curated_view"})

    def sample_files(self, seed: int = 2022) -> dict[str, bytes]:
        return {f"{LANDING}/{path}": data for path, data in sample.sample_files(seed).items()}

    def landing_key(self, filename: str, data: bytes) -> str:
        """Where an input file lands: the folder of its kind (recognised by its header)."""
        try:
            spec, _ = read_workbook(filename, data)
            folder = sample.LANDING_FOLDERS[spec.kind]
        except BadInput:
            folder = "unsorted"  # landed as received; the run quarantines it with the reason
        return f"{LANDING}/{folder}/{PurePosixPath(filename).name}"

    def landing_objects(self, store: Store) -> list[ObjectInfo]:
        return list(store.iter_files(LANDING, (".xlsx", ".xlsm", ".xls", ".csv")))

    def empty_message(self, store: Store) -> str:
        return f"empty landing zone: no .xlsx export under {store.uri(LANDING)}"

    # -- the run -------------------------------------------------------------------------------

    def process(self, state: RunState, files: list[LandingFile]) -> list[Output]:
        with state.lineage.timed("read"):
            cleaned = self._read(state, files)
        masked = self._promote_raw(state, cleaned)
        masked = self._check_curated(state, masked)
        base = f"{ROOT}/Curated/{version_of(state.run_id)}"
        with state.lineage.timed("write"):
            outputs = _curated_outputs(base, masked)
        with state.lineage.timed("metrics"):
            self._compute_metrics(state, masked, outputs)
        outputs += [Output(f"{base}/metrics/{name}.parquet", parquet_bytes(frame), len(frame))
                    for name, frame in state.metrics.items()]
        return outputs

    def _read(self, state: RunState, files: list[LandingFile]) -> dict[str, Cleaned]:
        """Each kind's workbooks read and cleaned; a bad file is quarantined and stops the run."""
        bodies: dict[str, list[pd.DataFrame]] = {}
        bad = []
        for f in sorted(files, key=lambda f: f.key):
            try:
                spec, body = read_workbook(f.name, f.data)
            except BadInput as exc:
                key = state.quarantine(self.root, f, exc.reason)
                bad.append(BadInput(f.key, f"{exc.reason} (quarantined to {state.store.uri(key)})"))
                continue
            bodies.setdefault(spec.kind, []).append(body)
            state.lineage.inputs.append({"key": f.key, "uri": state.store.uri(f.key), "sha256": f.sha256,
                                         "rows": len(body), "kind": spec.kind})
        if bad:
            raise bad[0]
        if "applications" not in bodies:
            raise BadInput(LANDING, "no applications export in the landing zone (historic-enrollment-data/)")
        return {kind: clean(SPECS[kind], pd.concat(parts, ignore_index=True), now=state.now())
                for kind, parts in bodies.items()}

    def _promote_raw(self, state: RunState, cleaned: dict[str, Cleaned]) -> dict[str, pd.DataFrame]:
        """Set rejected records aside, mask PII and write Raw; the masked frames by kind."""
        raw = state.step("raw")
        for c in cleaned.values():
            raw.input_rows += c.rows_read
            raw.duplicate_rows += c.duplicates
            raw.rejected_rows += len(c.rejected)
            raw.output_rows += len(c.valid)
            if len(c.rejected):
                self._set_aside(state, c)
        with state.lineage.timed("gates"):
            masked = {kind: self._pii(state, c.valid, "raw", f"{ROOT}/Raw/{kind}.csv")
                      for kind, c in cleaned.items()}
        with state.lineage.timed("write"):
            for kind, frame in masked.items():
                key = f"{ROOT}/Raw/{kind}.csv"
                digest = state.store.put(key, csv_bytes(frame))
                state.lineage.outputs.append({"key": key, "uri": state.store.uri(key), "zone": "Raw",
                                              "sha256": digest, "rows": len(frame)})
        raw.promoted = True
        return masked

    def _check_curated(self, state: RunState, masked: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """The curated step's gates: the applications' DQDL ruleset, then PII again."""
        curated = state.step("curated")
        curated.input_rows = sum(len(f) for f in masked.values())
        with state.lineage.timed("gates"):
            gate = QualityCheck(self.name, state.settings["quality_ruleset"],
                               history=quality_history(state.store, self.name)).check(masked["applications"],
                                                                                      step="curated")
            state.record_gate(gate)
            masked["applications"] = self._apply_quality(state, gate, masked["applications"])
            for kind, frame in masked.items():
                masked[kind] = self._pii(state, frame, "curated", f"{ROOT}/Curated/{version_of(state.run_id)}/{kind}")
        curated.output_rows = sum(len(f) for f in masked.values())
        return masked

    def _compute_metrics(self, state: RunState, masked: dict[str, pd.DataFrame], outputs: list[Output]) -> None:
        """Register the curated tables (an empty one for a kind not landed) and run the metric SQL."""
        frames = {k: masked.get(k, _empty(k)) for k in ("applications", "enrollments", "withdrawals")}
        for kind, frame in frames.items():
            state.engine.register(kind, frame, locations=_locations(outputs, kind),
                                  partition="received_year" if kind == "applications" else None)
        for name in METRICS:
            state.metrics[name] = state.engine.query(self.sql(name))

    def _set_aside(self, state: RunState, c: Cleaned) -> None:
        # Rejected records keep their PII: Quarantine is a restricted zone like Landing.
        quarantine_records(state.store, self.root, state.run_id, f"{c.kind}.rejected.csv", csv_bytes(c.rejected, for_people=True),
                           len(c.rejected), c.reasons, self.name, state.now())
        state.lineage.quarantined["records"] += len(c.rejected)

    def _pii(self, state: RunState, frame: pd.DataFrame, step: str, key: str) -> pd.DataFrame:
        mask = state.settings.get("on_pii", "mask") == "mask"
        result: CheckResult = PiiCheck(state.settings.get("masking_policy"), mask=mask, services=state.context.services,
                                     table_id=state.store.uri(key),
                                     declared=state.settings.get("declared_pii")).check(frame, step=step)
        state.record_gate(result)
        if not result.available:
            raise CheckUnavailable(f"PII gate could not be evaluated at {step}: {result.error}; "
                                  "nothing was promoted")
        if result.unmasked_pii_columns:
            raise PromotionBlocked(f"PII gate: unmasked PII in column(s) {', '.join(result.unmasked_pii_columns)} "
                              f"at {step}; nothing was promoted")
        return result.frame if result.frame is not None else frame

    def _apply_quality(self, state: RunState, gate: Any, frame: pd.DataFrame) -> pd.DataFrame:
        return apply_quality_gate(state, gate, frame, root=self.root, pipeline=self.name,
                                  rejected_name="applications.quality-rejected.csv")

    def charts(self, metrics: dict[str, pd.DataFrame]) -> list[Chart]:
        out = []
        if "acr" in metrics:
            acr = metrics["acr"][["received_year", "acr"]].astype({"received_year": str})
            out.append(Chart("ACR per received year", acr.rename(columns={"acr": "ACR %"}), "%", "received year"))
        if "enrollment_withdrawal" in metrics:
            ew = metrics["enrollment_withdrawal"][["year", "enrollments", "withdrawals"]].astype({"year": str})
            out.append(Chart("Enrollments and withdrawals", ew, "students", "year"))
            wr = metrics["enrollment_withdrawal"][["year", "withdrawal_rate"]].astype({"year": str})
            out.append(Chart("Withdrawal rate", wr.rename(columns={"withdrawal_rate": "withdrawal rate %"}),
                             "%", "year"))
        return out


def _curated_outputs(base: str, masked: dict[str, pd.DataFrame]) -> list[Output]:
    """The curated Parquet files: applications partitioned by received year, the others whole."""
    outputs = []
    for year, part in masked["applications"].groupby("received_year", sort=True):
        outputs.append(Output(f"{base}/applications/received_year={int(year)}/part-0.parquet",
                              parquet_bytes(part.drop(columns="received_year")), len(part)))
    for kind in ("enrollments", "withdrawals"):
        if kind in masked:
            outputs.append(Output(f"{base}/{kind}/part-0.parquet", parquet_bytes(masked[kind]), len(masked[kind])))
    return outputs


def _locations(outputs: list[Output], kind: str) -> dict[str, str]:
    out = {}
    for o in outputs:
        parts = o.key.split("/")
        if kind in parts:
            part = next((p.split("=", 1)[1] for p in parts if p.startswith("received_year=")), "")
            out[part] = o.key.rsplit("/", 1)[0]
    return out


def _empty(kind: str) -> pd.DataFrame:
    spec = SPECS[kind]
    cols: dict[str, Any] = {c.lower(): pd.Series(dtype="string") for c in spec.columns}
    cols = {spec.rename.get(k, k): v for k, v in cols.items()}
    cols[spec.year_column] = pd.Series(dtype="Int64")
    return pd.DataFrame(cols)
