"""Quarantine: where files and records that cannot be promoted go, with a reason file.

``<pipeline root>/Quarantine/<run_id>/<file>`` holds a copy of the landing file
(the landing file itself is never touched) and ``<file>.reason.json`` says why::

    {"file": "Landing/.../export.csv", "sha256": "...", "reason": "wrong delimiter: ...",
     "pipeline": "inquiries-311", "run_id": "3f2a9c1b7d10", "at": "2026-11-27T20:00:00Z"}

A landing file whose SHA-256 is already quarantined is skipped by later runs
(with a warning), so one bad file does not block every run after it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import PurePosixPath

from auditor.pipelines.store import Store, sha256_bytes


def quarantine_file(store: Store, root: str, run_id: str, source_key: str, data: bytes, reason: str,
                    pipeline: str, at: datetime) -> str:
    """Copy a file to Quarantine with its reason file; returns the quarantine key."""
    name = PurePosixPath(source_key).name
    key = f"{root}/Quarantine/{run_id}/{name}"
    store.put(key, data)
    info = {"file": source_key, "sha256": sha256_bytes(data), "reason": reason, "pipeline": pipeline,
            "run_id": run_id, "at": at.isoformat(timespec="seconds").replace("+00:00", "Z")}
    store.put(f"{key}.reason.json", json.dumps(info, indent=2).encode())
    return key


def quarantine_records(store: Store, root: str, run_id: str, name: str, data: bytes, rows: int,
                       reasons: dict[str, int], pipeline: str, at: datetime) -> str:
    """Set aside invalid records (a CSV with a ``_reason`` column) with a reason summary."""
    key = f"{root}/Quarantine/{run_id}/{name}"
    store.put(key, data)
    info = {"records": rows, "reasons": reasons, "pipeline": pipeline, "run_id": run_id,
            "at": at.isoformat(timespec="seconds").replace("+00:00", "Z")}
    store.put(f"{key}.reason.json", json.dumps(info, indent=2, sort_keys=True).encode())
    return key


def quarantined_hashes(store: Store, root: str) -> dict[str, str]:
    """SHA-256 of every quarantined landing file -> its reason."""
    out = {}
    for obj in store.list(f"{root}/Quarantine"):
        if obj.key.endswith(".reason.json"):
            info = json.loads(store.get(obj.key))
            if "sha256" in info:
                out[info["sha256"]] = info["reason"]
    return out
