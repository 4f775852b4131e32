"""Leases on staged curated versions: which versions a run may still publish.

A run takes the lease of its version (``.leases/v-<run_id>.json`` in the store)
*before* writing the version's first file, renews it while staging and just
before publishing, and drops it once the pointer names the version (from then
on the pointer protects it). Garbage collection leaves a version alone while
its lease is held, so one run's commit never deletes another run's staged files.

A lease records its holder (pid, host, times)::

    {"version": "v-3f2a9c1b7d10", "run_id": "3f2a9c1b7d10", "state": "staged",
     "pid": 4242, "host": "etl-1", "started_at": 1765000000.0, "renewed_at": 1765000030.0}

``state`` is ``staged`` (being written or published), ``lost`` (another run
published first; kept ``keep_until`` for inspection) or ``collecting`` (a
garbage collector is removing the version). A lease is *stale* when its holder
is a process of this host that is gone (``kill -9``), or when it was not
renewed for :data:`TTL` seconds (a holder on another host). Breaking a stale
lease is safe because every write of a lease is a compare-and-swap
(:meth:`Store.put_if`): a collector takes a stale lease over with one
conditional write, and a holder that was merely slow then fails to renew it and
stops before publishing (:class:`LeaseLost`) instead of naming deleted files.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.core.errors import AuditorError
from auditor.pipelines.store import Store, StoreConflict

LEASES = ".leases"
#: Seconds a lease stays valid without renewal (holders renew at least every TTL/4 while staging).
TTL = 3600.0
#: Seconds the staged files of a run that lost the race are kept for inspection.
LOST_RETENTION = 7 * 86400.0

Clock = Callable[[], float]


class LeaseLost(AuditorError):
    """This run's staged version was collected as abandoned before it could be published (exit 3)."""

    exit_code = 3


class LeaseHeld(AuditorError):
    """Another live run holds the lease of this version (the same run id twice; exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Lease:
    """A lease as read or last written: its record and the store tag of that write."""

    store: Store
    version: str
    record: dict[str, Any]
    tag: str

    @property
    def key(self) -> str:
        return lease_key(self.version)


def lease_key(version: str) -> str:
    return f"{LEASES}/{version}.json"


def _holder(state: str, clock: Clock, **extra: Any) -> dict[str, Any]:
    return {"state": state, "pid": os.getpid(), "host": socket.gethostname(), "renewed_at": clock(), **extra}


def _encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, indent=2, sort_keys=True).encode()


def read(store: Store, version: str) -> Lease | None:
    """The lease of ``version``, or ``None``. An unreadable record counts as stale (``{}``)."""
    found = store.read_tagged(lease_key(version))
    if found is None:
        return None
    try:
        record = json.loads(found[0])
    except ValueError:
        record = {}
    return Lease(store, version, record if isinstance(record, dict) else {}, found[1])


def pid_alive(pid: object) -> bool:
    """Whether ``pid`` is a live (not zombie) process of this host."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False  # never os.kill(0 or -n): those signal process groups
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    except OverflowError:
        return False
    try:  # a killed child its parent has not reaped yet is a zombie: dead for us
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] not in (["Z"], ["X"])


def protects(record: dict[str, Any], now: float) -> bool:
    """Whether a lease record still keeps its version from garbage collection."""
    if record.get("state") == "lost":
        keep_until = record.get("keep_until")
        return isinstance(keep_until, (int, float)) and now < keep_until
    if record.get("state") not in ("staged", "collecting"):
        return False
    renewed = record.get("renewed_at")
    if not isinstance(renewed, (int, float)) or now - renewed > TTL:
        return False
    if record.get("host") == socket.gethostname():
        return pid_alive(record.get("pid"))
    return True  # another host: only time tells


def acquire(store: Store, version: str, run_id: str, clock: Clock) -> Lease:
    """Take the lease of a version about to be staged (before its first file is written)."""
    found = read(store, version)
    if found is not None and protects(found.record, clock()):
        rec = found.record
        raise LeaseHeld(f"{store.uri(lease_key(version))}: version {version} is already held by pid "
                        f"{rec.get('pid')} on {rec.get('host')} ({rec.get('state')}); use another run id")
    now = clock()
    record = _holder("staged", clock, version=version, run_id=run_id, started_at=now)
    try:
        tag = store.put_if(lease_key(version), _encode(record), found.tag if found else None)
    except StoreConflict as exc:
        raise LeaseHeld(f"{store.uri(lease_key(version))}: another process took the lease of {version} "
                        "at the same time; use another run id") from exc
    return Lease(store, version, record, tag)


def held(store: Store, version: str, run_id: str) -> Lease:
    """This run's own lease, as last written; :class:`LeaseLost` if a collector took it."""
    found = read(store, version)
    if found is None or found.record.get("state") != "staged" or found.record.get("run_id") != run_id:
        raise _lost(store, version)
    return found


def renew(lease: Lease, clock: Clock, state: str = "staged", **extra: Any) -> Lease:
    """Rewrite the lease (fresh time, optionally a new state) if it is still ours."""
    record = {**lease.record, **_holder(state, clock, **extra)}
    try:
        tag = lease.store.put_if(lease.key, _encode(record), lease.tag)
    except StoreConflict as exc:
        raise _lost(lease.store, lease.version) from exc
    return Lease(lease.store, lease.version, record, tag)


def keep_alive(lease: Lease, clock: Clock) -> Lease:
    """Renew when a quarter of the TTL has passed (cheap to call after every file)."""
    if clock() - float(lease.record.get("renewed_at", 0.0)) < TTL / 4:
        return lease
    return renew(lease, clock)


def claim(store: Store, version: str, clock: Clock) -> Lease | None:
    """Take over the lease of a version to collect it; ``None`` while it is protected or contested."""
    found = read(store, version)
    if found is not None and protects(found.record, clock()):
        return None
    record = _holder("collecting", clock, version=version)
    try:
        tag = store.put_if(lease_key(version), _encode(record), found.tag if found else None)
    except StoreConflict:
        return None  # its holder renewed it, or another collector claimed it first
    return Lease(store, version, record, tag)


def release(lease: Lease) -> None:
    """Drop a lease that no longer protects anything (published, or its files removed)."""
    lease.store.delete(lease.key)


def _lost(store: Store, version: str) -> LeaseLost:
    return LeaseLost(f"{store.uri(lease_key(version))}: the staged version {version} of this run was collected "
                     f"as abandoned (its lease was not renewed for {TTL:g}s); nothing was published, re-run")
