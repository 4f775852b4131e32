"""Atomic promotion into the Curated zones: versioned files + one pointer write.

A promotion writes every output under ``.../Curated/v-<run_id>/...``, re-reads
each one to check its SHA-256, and only then publishes the version by writing
the pipeline's ``_CURRENT.json`` (one atomic rename locally, one ``PutObject``
on S3); one pointer covers all the zones of a run (every year of 3-1-1).
Readers follow the pointer. A run killed at any point before that write leaves
the previous pointer - and so curated - exactly as it was; the orphaned
``v-<run_id>`` directory is removed by the next successful promotion.

Example ``_CURRENT.json``::

    {"version": "v-3f2a9c1b7d10", "run_id": "3f2a9c1b7d10", "signature": "...",
     "previous": "v-...", "files": [{"key": "registraroffice/enrollwithdraw/Curated/v-3f2a9c1b7d10/
     applications/received_year=2022/part-0.parquet", "sha256": "...", "rows": 1234, "zone": "Curated"}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from auditor.core.errors import DataError
from auditor.pipelines.store import Store, sha256_bytes

POINTER = "_CURRENT.json"


@dataclass
class Output:
    """One file to publish: its full store key (containing ``v-<run_id>``), bytes and rows."""

    key: str
    data: bytes
    rows: int
    zone: str = "Curated"


def version_of(run_id: str) -> str:
    return f"v-{run_id}"


def current(store: Store, pointer_key: str) -> dict[str, Any] | None:
    """The published pointer, or ``None`` if nothing was published yet."""
    if not store.exists(pointer_key):
        return None
    try:
        value: dict[str, Any] = json.loads(store.get(pointer_key))
    except json.JSONDecodeError as exc:
        raise DataError(f"{store.uri(pointer_key)}: corrupt curated pointer ({exc.msg})") from exc
    return value


def stage(store: Store, run_id: str, outputs: list[Output]) -> list[dict[str, Any]]:
    """Write and verify the files of a new version (not yet visible); returns their records."""
    version = version_of(run_id)
    files: list[dict[str, Any]] = []
    for out in outputs:
        if f"/{version}/" not in f"/{out.key}":
            raise ValueError(f"output key {out.key!r} is not inside version {version}")
        digest = store.put(out.key, out.data)
        files.append({"key": out.key, "uri": store.uri(out.key), "sha256": digest, "rows": out.rows, "zone": out.zone})
    for f in files:  # validate what is stored before anyone can see it
        if sha256_bytes(store.get(f["key"])) != f["sha256"]:
            raise DataError(f"{f['uri']}: stored bytes differ from what was written; promotion aborted")
    return files


def commit(store: Store, pointer_key: str, run_id: str, files: list[dict[str, Any]], *,
           signature: str = "", gc_roots: tuple[str, ...] = ()) -> dict[str, Any]:
    """Publish staged files as the current version with one atomic pointer write.

    ``gc_roots``: prefixes under which versions other than the new and the
    previous one (including orphans of killed runs) are removed afterwards.
    """
    version = version_of(run_id)
    previous = current(store, pointer_key)
    previous_version: str | None = previous["version"] if previous else None
    pointer = {"version": version, "run_id": run_id, "signature": signature, "files": files,
               "previous": previous_version}
    store.put(pointer_key, json.dumps(pointer, indent=2, sort_keys=True).encode())
    collect_garbage(store, gc_roots, keep={version, previous_version})
    return pointer


def publish(store: Store, pointer_key: str, run_id: str, outputs: list[Output], *,
            signature: str = "", gc_roots: tuple[str, ...] = ()) -> dict[str, Any]:
    """:func:`stage` then :func:`commit`."""
    files = stage(store, run_id, outputs)
    return commit(store, pointer_key, run_id, files, signature=signature, gc_roots=gc_roots)


def collect_garbage(store: Store, roots: tuple[str, ...], keep: set[str | None]) -> int:
    """Remove files of versions not in ``keep``; returns how many were removed."""
    removed = 0
    for root in roots:
        for obj in store.list(root):
            versions = [part for part in obj.key.split("/") if part.startswith("v-")]
            if versions and versions[0] not in keep:
                store.delete(obj.key)
                removed += 1
    return removed
