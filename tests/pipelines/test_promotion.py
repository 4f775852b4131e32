"""Atomic promotion: a run killed with SIGKILL mid-way leaves curated exactly as it was."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pipeline_helpers import write

from auditor.core.context import RunContext
from auditor.pipelines.inquiries311 import sample
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.pipelines.promote import Output, collect_garbage, current, publish
from auditor.pipelines.store import LocalStore

ROOT = "govtfinance/311inqvol"

KILLER = textwrap.dedent("""
    import os, signal, sys
    import auditor.pipelines.pipeline_run as R
    from auditor.pipelines.store import LocalStore
    point = sys.argv[3]
    if point == "before-commit":
        R.commit = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    else:  # after the first curated file of the new version is on disk
        real_put = LocalStore.put
        def put(self, key, data):
            digest = real_put(self, key, data)
            if "/Curated/v-" in key:
                os.kill(os.getpid(), signal.SIGKILL)
            return digest
        LocalStore.put = put
    R.run_pipeline("inquiries-311", sys.argv[1], input_file=sys.argv[2])
""")


def _curated(root: Path) -> dict[str, bytes]:
    pointer_path = root / ROOT / "_CURRENT.json"
    pointer = json.loads(pointer_path.read_text())
    files = {f["key"]: (root / f["key"]).read_bytes() for f in pointer["files"]}
    return {"_CURRENT.json": pointer_path.read_bytes(), **files}


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before-commit", "mid-stage"])
def test_kill_9_mid_run_leaves_curated_as_before(tmp_path: Path, point: str) -> None:
    root = tmp_path / "lake"
    assert run_pipeline("inquiries-311", root, sample=True).status == "succeeded"
    before = _curated(root)
    newer = write(tmp_path / "2023-update.csv", sample.to_portal_csv(sample.generate(seed=99, years=(2023,))))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), str(newer), point], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert _curated(root) == before
    # The next run publishes, and removes the orphaned version of the killed run.
    result = run_pipeline("inquiries-311", root, context=RunContext(run_id="after"))
    assert result.status == "succeeded", result.message
    versions = {p.name for p in root.rglob("v-*") if p.is_dir()}
    pointer = current(LocalStore(root), f"{ROOT}/_CURRENT.json")
    assert pointer is not None
    assert versions == {"v-after", pointer["previous"]}


def test_publish_verifies_and_keeps_one_previous_version(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    for run in ("a", "b", "c"):
        publish(store, "z/_CURRENT.json", run, [Output(f"z/Curated/v-{run}/t.parquet", run.encode(), 1)],
                gc_roots=("z/Curated",))
    pointer = current(store, "z/_CURRENT.json")
    assert pointer is not None and pointer["version"] == "v-c" and pointer["previous"] == "v-b"
    assert sorted(p.name for p in (tmp_path / "z/Curated").iterdir()) == ["v-b", "v-c"]
    assert collect_garbage(store, ("z/Curated",), keep={"v-c"}) == 1


def test_outputs_outside_the_version_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not inside version"):
        publish(LocalStore(tmp_path), "z/_CURRENT.json", "a", [Output("z/Curated/t.parquet", b"x", 1)])
