"""Concurrent publication into one store: one winner per race, nothing lost, nothing hung.

The defect these tests reproduce: two runs into one store; the second's commit
garbage-collected the first's staged version, the first then published a
pointer naming deleted files, and both said "succeeded".
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pipeline_helpers import write
from race_workers import GC_ROOTS, PARTS, POINTER, outputs, publish_rounds, race_once

from auditor.core.errors import DataError
from auditor.pipelines import leases
from auditor.pipelines.inquiries311 import sample
from auditor.pipelines.inquiries311.pipeline import Inquiries311
from auditor.pipelines.promote import LostRace, Output, collect_garbage, commit, current, publish, stage
from auditor.pipelines.store import LOCK_FILE, LocalStore, S3Store, Store, StoreBusy, StoreConflict

ROUNDS = 20


@pytest.fixture
def s3_store() -> Iterator[S3Store]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="lake")
        yield S3Store("s3://lake/prefix", client)


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 applies a conditional write atomically; moto checks the condition, then stores, in two
    steps. Serialise moto's write handlers so threads see S3's semantics (not a stand-in: every
    request still goes through moto)."""
    from moto.s3.responses import S3Response

    lock = threading.Lock()
    for name in ("put_object", "delete_object"):
        real = getattr(S3Response, name)

        def serialised(self: Any, _real: Any = real) -> Any:
            with lock:
                return _real(self)

        monkeypatch.setattr(S3Response, name, serialised)


def _stores(tmp_path: Path, s3_store: S3Store) -> dict[str, Store]:
    return {"local": LocalStore(tmp_path / "lake"), "s3": s3_store}


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_put_if_is_a_compare_and_swap(tmp_path: Path, s3_store: S3Store, kind: str) -> None:
    store = _stores(tmp_path, s3_store)[kind]
    first = store.put_if("p.json", b"1", None)
    with pytest.raises(StoreConflict, match=r"p\.json: changed by another process"):
        store.put_if("p.json", b"2", None)  # If-None-Match: it exists now
    second = store.put_if("p.json", b"2", first)
    with pytest.raises(StoreConflict):
        store.put_if("p.json", b"3", first)  # a stale tag: someone wrote in between
    assert store.read_tagged("p.json") == (b"2", second)
    store.delete("p.json")
    with pytest.raises(StoreConflict):
        store.put_if("p.json", b"4", second)  # If-Match on an object removed meanwhile
    assert store.read_tagged("p.json") is None


def _version_files(store: Store, version: str) -> list[str]:
    return [o.key for o in store.list("z/Curated") if f"/{version}/" in o.key]


def _check_round(store: Store, outcomes: list[tuple[str, str, str]], published: list[str], lost: list[str]) -> None:
    """One race: exactly one winner, the pointer names it and files that exist, nothing lost."""
    assert sorted(o[1] for o in outcomes) == ["lost", "won"], outcomes
    winner = next(o[0] for o in outcomes if o[1] == "won")
    loser, message = next((o[0], o[2]) for o in outcomes if o[1] == "lost")
    pointer = current(store, POINTER)
    assert pointer is not None and pointer["run_id"] == winner
    assert pointer["previous"] == (published[-1] if published else None)
    assert all(store.exists(f["key"]) for f in pointer["files"]), pointer
    assert len(pointer["files"]) == PARTS
    if published:  # the version it replaced is still whole
        assert len(_version_files(store, published[-1])) == PARTS
    # The loser: one line naming the store and the winner; its staged files are kept.
    assert "\n" not in message
    assert message.startswith(store.uri(POINTER)) and f"run {winner} published v-{winner}" in message
    assert len(_version_files(store, f"v-{loser}")) == PARTS
    published.append(pointer["version"])
    lost.append(f"v-{loser}")
    # Older winners were collected, every lost version is kept: exactly these versions remain.
    remaining = {o.key.split("/")[2] for o in store.list("z/Curated")}
    assert remaining == set(published[-2:]) | set(lost)


@pytest.mark.slow
def test_two_processes_race_to_publish_into_a_local_store(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(3, timeout=120)  # two publishers and this test; a stuck peer fails, never hangs
    results = ctx.Queue()
    procs = [ctx.Process(target=publish_rounds, args=(str(root), name, ROUNDS, barrier, results))
             for name in ("a", "b")]
    for p in procs:
        p.start()
    store = LocalStore(root)
    published: list[str] = []
    lost: list[str] = []
    try:
        for _ in range(ROUNDS):
            barrier.wait()  # both staged
            barrier.wait()  # both tried to publish
            outcomes = [results.get(timeout=60) for _ in procs]
            _check_round(store, outcomes, published, lost)
            barrier.wait()
    except BaseException:
        barrier.abort()  # release the publishers (only on failure: aborting a passed barrier breaks it)
        raise
    finally:
        for p in procs:
            p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(published) == ROUNDS and len(set(published) | set(lost)) == 2 * ROUNDS


@pytest.mark.slow
def test_two_threads_race_to_publish_into_an_s3_store(s3_store: S3Store, atomic_moto: None) -> None:
    clients = [boto3.client("s3", region_name="us-east-1") for _ in range(2)]  # one client per thread
    stores = [S3Store("s3://lake/prefix", c) for c in clients]
    published: list[str] = []
    lost: list[str] = []
    for i in range(ROUNDS):
        base = current(s3_store, POINTER)
        expected = base["version"] if base else None
        barrier = threading.Barrier(2, timeout=60)
        outcomes: list[tuple[str, str, str]] = []

        def run(store: Store, run_id: str, expected: str | None = expected, barrier: Any = barrier,
                outcomes: list[tuple[str, str, str]] = outcomes) -> None:
            try:
                outcomes.append(race_once(store, run_id, expected, barrier.wait))
            except BaseException:
                barrier.abort()  # the other thread stops waiting; the missing outcome fails the round
                raise

        threads = [threading.Thread(target=run, args=(store, f"{name}{i:02d}"))
                   for store, name in zip(stores, ("a", "b"), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        _check_round(s3_store, outcomes, published, lost)


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_commit_leaves_the_staged_version_of_another_run_alone(tmp_path: Path, s3_store: S3Store,
                                                                 kind: str) -> None:
    """The measured defect, step by step: A stages, B publishes (and collects), A commits."""
    store = _stores(tmp_path, s3_store)[kind]
    publish(store, POINTER, "base", outputs("base"), gc_roots=GC_ROOTS)
    a_files = stage(store, "a", outputs("a"))  # A built on v-base
    publish(store, POINTER, "b", outputs("b"), gc_roots=GC_ROOTS)
    assert all(store.exists(f["key"]) for f in a_files)  # B's collection left A's staged files alone
    with pytest.raises(LostRace, match=r"run b published v-b.*staged version v-a is kept until") as info:
        commit(store, POINTER, "a", a_files, expected="v-base", gc_roots=GC_ROOTS)
    assert info.value.exit_code == 3 and info.value.winner == "b"
    pointer = current(store, POINTER)
    assert pointer is not None and pointer["version"] == "v-b"
    assert all(store.exists(f["key"]) for f in pointer["files"] + a_files)
    # Later publications keep the lost version for inspection, then collect it once its retention ends.
    publish(store, POINTER, "c", outputs("c"), gc_roots=GC_ROOTS)
    assert all(store.exists(f["key"]) for f in a_files)
    later = leases.LOST_RETENTION + 60
    assert collect_garbage(store, GC_ROOTS, keep={"v-c", "v-b"}, clock=lambda: time.time() + later) == PARTS
    assert not any(store.exists(f["key"]) for f in a_files)
    assert store.read_tagged(leases.lease_key("v-a")) is None


def test_first_publication_races_too(tmp_path: Path) -> None:
    """Nothing published yet: the second run to publish finds the pointer created and loses."""
    store = LocalStore(tmp_path)
    a_files = stage(store, "a", outputs("a"))
    publish(store, POINTER, "b", outputs("b"), gc_roots=GC_ROOTS)
    with pytest.raises(LostRace, match="run b published v-b"):
        commit(store, POINTER, "a", a_files, expected=None, gc_roots=GC_ROOTS)


def test_a_lease_renewed_on_another_host_protects_until_its_ttl(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("z/Curated/v-remote/part-0.parquet", b"x")
    now = time.time()
    record = {"state": "staged", "version": "v-remote", "run_id": "remote", "pid": 1, "host": "another-host",
              "renewed_at": now, "started_at": now}
    store.put_if(leases.lease_key("v-remote"), json.dumps(record).encode(), None)
    assert collect_garbage(store, GC_ROOTS, keep=set(), clock=lambda: now + 60) == 0
    assert collect_garbage(store, GC_ROOTS, keep=set(), clock=lambda: now + leases.TTL + 1) == 1


def test_a_slow_run_whose_lease_was_broken_publishes_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    publish(store, POINTER, "base", outputs("base"), gc_roots=GC_ROOTS)
    a_files = stage(store, "a", outputs("a"))
    # A stalled past the TTL: a collector takes its lease over and removes its files.
    assert collect_garbage(store, GC_ROOTS, keep=set(), pointer_key=POINTER,
                           clock=lambda: time.time() + leases.TTL + 1) == PARTS
    with pytest.raises(leases.LeaseLost, match=r"\.leases/v-a\.json: the staged version v-a .* nothing was published"):
        commit(store, POINTER, "a", a_files, expected="v-base", gc_roots=GC_ROOTS)
    pointer = current(store, POINTER)
    assert pointer is not None and pointer["version"] == "v-base"
    assert all(store.exists(f["key"]) for f in pointer["files"])


def test_an_orphan_of_a_dead_process_is_collected(tmp_path: Path) -> None:
    """A run killed after staging: its lease names a process that is gone, so it is stale at once."""
    script = ("import sys; from race_workers import outputs; from auditor.pipelines.promote import stage;"
              "from auditor.pipelines.store import LocalStore; stage(LocalStore(sys.argv[1]), 'dead', outputs('dead'))")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          cwd=Path(__file__).parent)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    store = LocalStore(tmp_path)
    assert len(_version_files(store, "v-dead")) == PARTS
    publish(store, POINTER, "next", outputs("next"), gc_roots=GC_ROOTS)
    assert _version_files(store, "v-dead") == []
    assert store.read_tagged(leases.lease_key("v-dead")) is None


def test_a_landing_file_named_like_a_version_is_never_collected(tmp_path: Path) -> None:
    """GC used to treat any ``v-*`` path part as a version: ``--input v-2023.csv`` was deleted."""
    store = LocalStore(tmp_path)
    pipe = Inquiries311()
    landed = "govtfinance/311inqvol/calls/2023/Landing/v-2023.csv"
    store.put(landed, b"Year,Month\n")
    key = "govtfinance/311inqvol/calls/2023/Curated/v-r1/inquiries.parquet"
    publish(store, pipe.pointer_key, "r1", [Output(key, b"x", 1)], gc_roots=pipe.gc_roots)
    assert store.get(landed) == b"Year,Month\n"


def test_a_corrupt_pointer_is_one_line_naming_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(POINTER, b"\xff{not json")
    with pytest.raises(DataError, match=r"_CURRENT\.json: corrupt curated pointer \(not JSON\)$"):
        current(store, POINTER)
    store.put(POINTER, b"[]")
    with pytest.raises(DataError, match="corrupt curated pointer"):
        publish(store, POINTER, "a", outputs("a"), gc_roots=GC_ROOTS)


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from filelock import FileLock
    lock = FileLock(sys.argv[1])
    lock.acquire()
    print("locked", flush=True)
    time.sleep(600)
""")


def test_a_killed_lock_holder_never_blocks_and_a_stuck_one_is_one_line(tmp_path: Path) -> None:
    store = LocalStore(tmp_path, lock_timeout=0.5)
    tmp_path.mkdir(exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / LOCK_FILE)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(StoreBusy, match=r"\.store\.lock: still locked by another process after 0\.5s") as info:
            store.put_if(POINTER, b"{}", None)
        assert info.value.exit_code == 3
        assert store.read_tagged(POINTER) is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    store.put_if(POINTER, b"{}", None)  # the kernel released the dead holder's lock
    assert store.get(POINTER) == b"{}"


RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import auditor.pipelines.pipeline_run as R
    from auditor.cli import main
    sync, me = Path(sys.argv[1]), sys.argv[2]
    real_commit = R.commit

    def commit(*args, **kwargs):
        # Both runs have staged on the same published version: publish together.
        (sync / me).touch()
        deadline = time.monotonic() + 300
        while len(list(sync.iterdir())) < 2:
            if time.monotonic() > deadline:
                raise SystemExit("the other run never got to publish")
            time.sleep(0.01)
        return real_commit(*args, **kwargs)

    R.commit = commit
    main(sys.argv[3:])
""")


@pytest.mark.slow
def test_two_pipeline_runs_racing_one_succeeds_one_fails_clearly(tmp_path: Path) -> None:
    lake, sync = tmp_path / "lake", tmp_path / "sync"
    sync.mkdir()
    inputs = [write(tmp_path / f"in-{n}.csv", sample.to_portal_csv(sample.generate(seed=n, years=(2023,))))
              for n in (1, 2)]
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(sync), f"run{n}", "pipeline", "run",
                               "inquiries-311", "--store", str(lake), "--input", str(f),
                               "--output-dir", str(tmp_path / f"out{n}")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
             for n, f in enumerate(inputs)]
    outs = [(p.wait(timeout=600), *(s.decode() for s in p.communicate())) for p in procs]
    assert sorted(code for code, _, _ in outs) == [0, 3], outs
    winner = next(o for o in outs if o[0] == 0)
    loser = next(o for o in outs if o[0] == 3)
    assert ": succeeded" in winner[1] and ": failed" in loser[1] and "succeeded" not in loser[1]
    errors = [line for line in loser[2].splitlines() if line.startswith("error:")]
    pointer = current(LocalStore(lake), Inquiries311.pointer_key)
    assert pointer is not None
    assert len(errors) == 1 and f"run {pointer['run_id']} published {pointer['version']}" in errors[0]
    assert str(lake / Inquiries311.pointer_key) in errors[0]
    assert all((lake / f["key"]).is_file() for f in pointer["files"])
    lost = errors[0].split("staged version ")[1].split(" ")[0]
    assert lost != pointer["version"] and any(p.is_dir() for p in lake.rglob(lost))


def test_a_staged_file_removed_by_hand_is_never_published(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    files = stage(store, "a", outputs("a"))
    store.delete(files[1]["key"])
    with pytest.raises(leases.LeaseLost, match=r"part-1\.parquet: staged file of this run is missing"):
        commit(store, POINTER, "a", files, expected=None, gc_roots=GC_ROOTS)
    assert current(store, POINTER) is None


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_publication_between_the_read_and_the_write_of_the_pointer_wins(
        tmp_path: Path, s3_store: S3Store, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The narrowest race: B publishes after A read the pointer; A's conditional write must fail."""
    store = _stores(tmp_path, s3_store)[kind]
    other = LocalStore(store.root) if kind == "local" else S3Store(store.root, s3_store.client)
    publish(store, POINTER, "base", outputs("base"), gc_roots=GC_ROOTS)
    a_files = stage(store, "a", outputs("a"))
    real_read = store.read_tagged
    interleaved: list[str] = []

    def read_then_let_b_publish(key: str) -> tuple[bytes, str] | None:
        found = real_read(key)
        if key == POINTER and not interleaved:
            interleaved.append(publish(other, POINTER, "b", outputs("b"), gc_roots=GC_ROOTS)["version"])
        return found

    monkeypatch.setattr(store, "read_tagged", read_then_let_b_publish)
    with pytest.raises(LostRace, match="run b published v-b"):
        commit(store, POINTER, "a", a_files, expected="v-base", gc_roots=GC_ROOTS)
    assert interleaved == ["v-b"]
    pointer = current(other, POINTER)
    assert pointer is not None and pointer["version"] == "v-b" and pointer["previous"] == "v-base"
    assert all(other.exists(f["key"]) for f in pointer["files"] + a_files)
