"""Atomic promotion into the Curated zones: versioned files + one compare-and-swap of a pointer.

A promotion takes the lease of its version (:mod:`auditor.pipelines.leases`),
writes every output under ``.../Curated/v-<run_id>/...``, re-reads each one to
check its SHA-256, and only then publishes the version by replacing the
pipeline's ``_CURRENT.json`` with a compare-and-swap (:meth:`Store.put_if`: a
locked read-compare-rename locally, a conditional ``PutObject`` on S3). One
pointer covers all the zones of a run (every year of 3-1-1). Readers follow
the pointer.

Concurrent runs: each run names the version it built on (``expected``, the
pointer it read before reading its inputs). The first to publish wins; a run
that finds the pointer moved publishes nothing and fails with :class:`LostRace`
(exit 3), naming the store and the winner, and its staged files are kept for
:data:`~auditor.pipelines.leases.LOST_RETENTION` for inspection. A run killed at
any point before the pointer write leaves curated exactly as it was.

Garbage collection (after each publication) removes a version only when it is
neither the current nor the previous one and nobody holds its lease: orphans of
killed runs go at the next publication, a version another run is still staging
or publishing is never touched.

Example ``_CURRENT.json``::

    {"version": "v-3f2a9c1b7d10", "run_id": "3f2a9c1b7d10", "signature": "...",
     "previous": "v-...", "files": [{"key": "registraroffice/enrollwithdraw/Curated/v-3f2a9c1b7d10/
     applications/received_year=2022/part-0.parquet", "sha256": "...", "rows": 1234, "zone": "Curated"}]}
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import AuditorError, DataError
from auditor.pipelines import leases
from auditor.pipelines.leases import Clock, Lease
from auditor.pipelines.store import Store, StoreConflict, sha256_bytes

POINTER = "_CURRENT.json"


class LostRace(AuditorError):
    """Another run published first: this run published nothing (exit 3); its staged files are kept."""

    exit_code = 3

    def __init__(self, message: str, winner: str | None) -> None:
        self.winner = winner
        super().__init__(message)


@dataclass
class Output:
    """One file to publish: its full store key (containing ``v-<run_id>``), bytes and rows."""

    key: str
    data: bytes
    rows: int
    zone: str = "Curated"


def version_of(run_id: str) -> str:
    return f"v-{run_id}"


def version_in(key: str) -> str | None:
    """The version a stored key belongs to: a ``v-...`` folder below a ``Curated`` folder, else ``None``.

    Only such folders are versions: a landing file named ``v-2023.csv`` is not one.
    """
    parts = key.split("/")[:-1]  # folders only
    if "Curated" not in parts:
        return None
    return next((p for p in parts[parts.index("Curated") + 1:] if p.startswith("v-")), None)


def current(store: Store, pointer_key: str) -> dict[str, Any] | None:
    """The published pointer, or ``None`` if nothing was published yet."""
    found = store.read_tagged(pointer_key)
    return None if found is None else _parse(store, pointer_key, found[0])


def _parse(store: Store, pointer_key: str, data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{store.uri(pointer_key)}: corrupt curated pointer (not JSON)") from exc
    if not isinstance(value, dict) or not isinstance(value.get("version"), str):
        raise DataError(f"{store.uri(pointer_key)}: corrupt curated pointer (no version)")
    return value


def stage(store: Store, run_id: str, outputs: list[Output], *, clock: Clock = time.time) -> list[dict[str, Any]]:
    """Take the version's lease, write and verify its files (not yet visible); returns their records."""
    version = version_of(run_id)
    for out in outputs:
        if version_in(out.key) != version:
            raise ValueError(f"output key {out.key!r} is not inside version {version} of a Curated zone")
    lease = leases.acquire(store, version, run_id, clock)  # before the first file: collectors see it first
    try:
        files: list[dict[str, Any]] = []
        for out in outputs:
            digest = store.put(out.key, out.data)
            files.append({"key": out.key, "uri": store.uri(out.key), "sha256": digest, "rows": out.rows,
                          "zone": out.zone})
            lease = leases.keep_alive(lease, clock)
        for f in files:  # validate what is stored before anyone can see it
            if sha256_bytes(store.get(f["key"])) != f["sha256"]:
                raise DataError(f"{f['uri']}: stored bytes differ from what was written; promotion aborted")
    except leases.LeaseLost:
        raise  # the lease is a collector's now: not ours to drop
    except BaseException:
        # A failed staging will never be published: let the next collection remove it.
        _release_quietly(lease)
        raise
    return files


def commit(store: Store, pointer_key: str, run_id: str, files: list[dict[str, Any]], *, expected: str | None,
           signature: str = "", gc_roots: tuple[str, ...] = (), clock: Clock = time.time) -> dict[str, Any]:
    """Publish staged files as the current version with one compare-and-swap of the pointer.

    ``expected``: the version this run built on (``None``: nothing was published
    when it started). If the pointer names another version now, or changes
    between the read and the write, nothing is published and :class:`LostRace`
    is raised. ``gc_roots``: prefixes under which unprotected versions other
    than the new and the previous one (e.g. orphans of killed runs) are removed
    afterwards.
    """
    version = version_of(run_id)
    # Renewing by compare-and-swap proves no collector took the version: its files are all there.
    lease = leases.renew(leases.held(store, version, run_id), clock)
    missing = [f["key"] for f in files if not store.exists(f["key"])]
    if missing:  # removed behind the lease's back (by hand): never publish a pointer to it
        raise leases.LeaseLost(f"{store.uri(missing[0])}: staged file of this run is missing; "
                               "nothing was published, re-run")
    found = store.read_tagged(pointer_key)
    before = _parse(store, pointer_key, found[0]) if found else None
    before_version: str | None = before["version"] if before else None
    if before_version != expected:
        raise _lose(store, pointer_key, lease, before, clock)
    pointer = {"version": version, "run_id": run_id, "signature": signature, "files": files,
               "previous": before_version}
    try:
        store.put_if(pointer_key, json.dumps(pointer, indent=2, sort_keys=True).encode(),
                     found[1] if found else None)
    except StoreConflict:
        raise _lose(store, pointer_key, lease, current(store, pointer_key), clock) from None
    leases.release(lease)  # the pointer protects the version from now on
    collect_garbage(store, gc_roots, keep={version, before_version}, pointer_key=pointer_key, clock=clock)
    return pointer


def publish(store: Store, pointer_key: str, run_id: str, outputs: list[Output], *,
            signature: str = "", gc_roots: tuple[str, ...] = (), clock: Clock = time.time) -> dict[str, Any]:
    """:func:`stage` then :func:`commit`, on top of the version current when it starts."""
    base = current(store, pointer_key)
    files = stage(store, run_id, outputs, clock=clock)
    return commit(store, pointer_key, run_id, files, expected=base["version"] if base else None,
                  signature=signature, gc_roots=gc_roots, clock=clock)


def collect_garbage(store: Store, roots: tuple[str, ...], keep: set[str | None], *,
                    pointer_key: str | None = None, clock: Clock = time.time) -> int:
    """Remove files of versions not in ``keep`` nobody holds a lease on; returns how many were removed.

    With ``pointer_key``, the pointer's current and previous versions are kept
    too, read again after each version is claimed, so a publication racing the
    collection is never undone.
    """
    candidates: dict[str, list[str]] = {}
    for root in roots:
        for obj in store.list(root):
            version = version_in(obj.key)
            if version is not None and version not in keep:
                candidates.setdefault(version, []).append(obj.key)
    removed = 0
    for version, keys in sorted(candidates.items()):
        if pointer_key is not None and version in _published(store, pointer_key):
            continue
        claimed = leases.claim(store, version, clock)
        if claimed is None:
            continue  # staged by a live run, kept after a lost race, or being collected by another
        if pointer_key is not None and version in _published(store, pointer_key):
            leases.release(claimed)  # published meanwhile: the pointer protects it
            continue
        for key in keys:
            store.delete(key)
            removed += 1
        leases.release(claimed)
    return removed


def _published(store: Store, pointer_key: str) -> set[str]:
    pointer = current(store, pointer_key)
    if pointer is None:
        return set()
    return {v for v in (pointer.get("version"), pointer.get("previous")) if isinstance(v, str)}


def _lose(store: Store, pointer_key: str, lease: Lease, winner: dict[str, Any] | None, clock: Clock) -> LostRace:
    """Mark this run's version as lost (kept for inspection) and build the one-line error."""
    keep_until = clock() + leases.LOST_RETENTION
    winner_run = winner.get("run_id") if winner else None
    kept = f"kept until {datetime.fromtimestamp(keep_until, UTC):%Y-%m-%d} for inspection"
    try:
        leases.renew(lease, clock, state="lost", keep_until=keep_until, winner=winner_run)
    except leases.LeaseLost:
        kept = "not kept (a collector took its lease)"
    who = f"run {winner_run} published {winner.get('version')}" if winner else "the pointer was removed"
    return LostRace(f"{store.uri(pointer_key)}: another run published first ({who}); this run published "
                    f"nothing, its staged version {lease.version} is {kept}; re-run to publish on top",
                    winner_run)


def _release_quietly(lease: Lease) -> None:
    try:
        leases.release(lease)
    except (AuditorError, OSError):  # the original error matters more; a leftover lease expires on its own
        pass
