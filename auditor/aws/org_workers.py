"""Organization scans in worker processes (``--processes N``).

A scan spends most of its CPU in botocore (signing, HTTP, parsing): within one process
the interpreter lock holds an organization scan to one core however many accounts run at
once. With ``--processes N`` the accounts are dealt round-robin to N worker processes
(started with ``spawn``: no state of this process is inherited but the arguments); each
builds its own session from the same settings (profile, environment, ``--role-arn``),
assumes the member roles itself and scans its share with ``max_parallel / N`` threads.
The workers send back findings and per-account statistics; the document is the same as
with one process. A worker that dies (killed, out of memory) costs its accounts ERROR
findings naming the failure; the other workers' accounts are kept. Things that cannot
cross a process boundary (an injected session, botocore event hooks, instrumentation
observers) need ``--processes 1``.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

from auditor.audit_run import Prepared
from auditor.aws.collect import crash_reason
from auditor.aws.org_members import Member, account_errors, scan_members
from auditor.aws.scan_options import OrgOptions, ScanOptions, settings_for
from auditor.aws.session import AwsSession
from auditor.core.context import RunContext
from auditor.core.documents import FindingDict
from auditor.core.errors import AuditorError
from auditor.core.findings import Finding


@dataclass
class Batch:
    """One worker's share of the organization (picklable)."""

    prepared: Prepared
    opts: ScanOptions
    org: OrgOptions
    caller: str
    partition: str
    members: list[Member]
    threads: int


def run_batch(batch: Batch) -> tuple[list[tuple[list[FindingDict], dict[str, Any]]], dict[str, int]]:
    """In a worker: scan the batch's accounts; findings as dicts, and the worker's own calls (AssumeRole)."""
    context = RunContext()
    base = AwsSession(settings_for(batch.opts, context))
    results = scan_members(batch.prepared, base, batch.caller, batch.partition, batch.members, batch.opts,
                           batch.org, context, batch.threads)
    return [([f.to_dict() for f in found], entry) for found, entry in results], dict(base.calls)


def _failure(exc: BaseException) -> str:
    """Why a worker gave no answer: our own error's text, a death, or an internal error's type and line."""
    if isinstance(exc, AuditorError):  # our messages name settings and calls, never data
        return str(exc)
    if isinstance(exc, BrokenProcessPool):
        return "it died (killed, or out of memory)"
    return crash_reason(exc)


def scan_in_processes(prepared: Prepared, opts: ScanOptions, org: OrgOptions, caller: str, partition: str,
                      members: list[Member]) -> tuple[list[tuple[list[Finding], dict[str, Any]]], dict[str, int]]:
    """Scan ``members`` in ``org.processes`` worker processes; results in ``members`` order."""
    workers = min(org.processes, len(members))
    threads = max(1, -(-org.max_parallel // workers))  # ceil: the same accounts at once in total
    config = opts.config.copy()
    config.pop("organization", None)  # the workers scan single accounts
    plain = replace(opts, organization=None, config=config)
    batches = [Batch(prepared, plain, org, caller, partition, members[i::workers], threads) for i in range(workers)]
    ctx = multiprocessing.get_context("spawn")
    by_id: dict[str, tuple[list[Finding], dict[str, Any]]] = {}
    calls: dict[str, int] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [(batch, pool.submit(run_batch, batch)) for batch in batches]
        answers = []
        for batch, future in futures:
            try:
                answers.append(future.result())
            except Exception as exc:  # noqa: BLE001 - a worker that dies costs its accounts, not the document
                reason = f"worker process failed: {_failure(exc)}"
                for m in batch.members:
                    entry = {"id": m.id, "name": m.name, "state": m.state, "status": "error", "reason": reason}
                    by_id[m.id] = (account_errors(prepared, m.id, partition, reason), entry)
    for results, worker_calls in answers:
        for found, entry in results:
            by_id[entry["id"]] = ([Finding.from_dict(f) for f in found], entry)
        for op, n in worker_calls.items():
            calls[op] = calls.get(op, 0) + n
    return [by_id[m.id] for m in members], calls
