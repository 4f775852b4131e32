"""The zone store: a local directory (default ``./lake``) or ``s3://bucket/prefix``.

Keys are ``/``-separated paths relative to the store root, laid out as the
original AWS projects did::

    registraroffice/enrollwithdraw/{Landing,Raw,Curated,Quarantine}/...
    govtfinance/311inqvol/calls/<year>/{Landing,Raw,Curated}/...
    govtfinance/311inqvol/Quarantine/...

Guarantees every pipeline relies on:

- ``put`` is atomic: a local write goes to a temporary name in the same
  directory, is fsync'ed and renamed; an S3 write is a single ``PutObject``.
  A reader (or a ``kill -9``) never sees half a file.
- Landing files are written once (``land``) and never modified or deleted.
- Curated data is versioned and published by one atomic pointer write (see
  :mod:`auditor.pipelines.promote`), so an interrupted run leaves curated as it was.
- ``put_if`` is a compare-and-swap: it writes only when the object is still the
  one its caller read (``read_tagged``), or still absent. Locally a file lock
  (``.store.lock`` at the store root, ``filelock``) makes read-compare-rename one
  step; the kernel drops it when its holder dies, even by ``kill -9``. On S3 it is
  a conditional ``PutObject`` (``If-Match: <etag>`` / ``If-None-Match: *``).
  Publication and its garbage collection are built on it, so concurrent runs
  never publish files another run removed.

Example::

    store = open_store("./lake")              # or open_store("s3://my-bucket/lake")
    store.put("govtfinance/311inqvol/calls/2023/Raw/inquiries.csv", data)
    store.get("govtfinance/311inqvol/calls/2023/Raw/inquiries.csv")
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from auditor.aws.access import first_call, probe_s3
from auditor.core.aws_clients import default_client
from auditor.core.errors import AuditorError, DataError, UsageError

LINEAGE_ROOT = "_lineage"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ObjectInfo:
    """One stored object: its key and size in bytes."""

    key: str
    size: int


class StoreConflict(AuditorError):
    """A conditional write (:meth:`Store.put_if`) found the object changed since it was read.

    Callers that race on purpose (publication, leases) catch it; one that escapes
    is reported as one line naming the object (exit 3: nothing was overwritten).
    """

    exit_code = 3

    def __init__(self, uri: str) -> None:
        self.uri = uri
        super().__init__(f"{uri}: changed by another process since this run read it; not overwritten")


class StoreBusy(AuditorError):
    """The local store's lock was not released in time (a process holding it is stuck; exit 3)."""

    exit_code = 3


def _check_key(key: str) -> str:
    parts = PurePosixPath(key).parts
    if not key or key.startswith("/") or ".." in parts:
        raise UsageError(f"invalid store key {key!r}")
    return key


class Store:
    """Base class of the zone stores (local directory or S3 prefix)."""

    root: str

    def put(self, key: str, data: bytes) -> str:
        """Write ``data`` atomically under ``key``; returns its SHA-256."""
        raise NotImplementedError

    def get(self, key: str) -> bytes:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def list(self, prefix: str) -> list[ObjectInfo]:
        """Objects under ``prefix`` (recursive), sorted by key; hidden names (``.x``) skipped."""
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def uri(self, key: str) -> str:
        """A location readers understand (a local path or an ``s3://`` URI)."""
        raise NotImplementedError

    def check_access(self) -> None:
        """Stop a run before its first write when the store cannot be used at all (exit 2)."""

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and a tag identifying this version of it, or ``None`` if absent."""
        raise NotImplementedError

    def put_if(self, key: str, data: bytes, tag: str | None) -> str:
        """Write ``data`` only if ``key`` is still at ``tag`` (``None``: still absent); returns the new tag.

        Raises :class:`StoreConflict` when another process wrote or removed it in between.
        """
        raise NotImplementedError

    def sha256(self, key: str) -> str:
        return sha256_bytes(self.get(key))

    def land(self, key: str, data: bytes) -> tuple[str, bool]:
        """Put a file into a landing zone, never overwriting a different file.

        Returns ``(key, created)``. Landing the same bytes again is a no-op
        (idempotent); a different file under an existing name gets a suffixed
        name, so landing files are never modified.
        """
        digest = sha256_bytes(data)
        candidate = key
        n = 1
        while self.exists(candidate):
            if self.sha256(candidate) == digest:
                return candidate, False
            stem, dot, ext = key.rpartition(".")
            candidate = f"{stem}.{n}.{ext}" if dot else f"{key}.{n}"
            n += 1
        self.put(candidate, data)
        return candidate, True

    def iter_files(self, prefix: str, suffixes: tuple[str, ...] = ()) -> Iterator[ObjectInfo]:
        for obj in self.list(prefix):
            if not suffixes or obj.key.lower().endswith(suffixes):
                yield obj


LOCK_FILE = ".store.lock"


class LocalStore(Store):
    """Zones under a local directory.

    ``lock_timeout``: seconds :meth:`put_if` waits for the store lock. The lock is
    held for one read and one rename, so waiting that long means its holder is
    stuck (stopped, not dead: the kernel releases a dead holder's lock).
    """

    def __init__(self, root: str | Path, *, lock_timeout: float = 60.0) -> None:
        self.path = Path(root).expanduser().resolve()
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(f"--store {root}: exists and is not a directory")
        self.root = str(self.path)
        self.lock_timeout = lock_timeout

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.path.mkdir(parents=True, exist_ok=True)
        lock_path = self.path / LOCK_FILE
        # flock(2) (not a marker file) so a holder killed with -9 never blocks the next run;
        # one instance per call, so threads of one process exclude each other too.
        lock = FileLock(str(lock_path), timeout=self.lock_timeout, thread_local=False)
        try:
            lock.acquire()
        except Timeout as exc:
            raise StoreBusy(f"{lock_path}: still locked by another process after {self.lock_timeout:g}s "
                            "(a stopped run? nothing was written)") from exc
        try:
            yield
        finally:
            lock.release()

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        try:
            data = self._p(key).read_bytes()
        except FileNotFoundError:
            return None
        # Every write of a pointer or lease differs in content (run id, time), so its hash names it.
        return data, sha256_bytes(data)

    def put_if(self, key: str, data: bytes, tag: str | None) -> str:
        with self._locked():
            found = self.read_tagged(key)
            if (found[1] if found else None) != tag:
                raise StoreConflict(self.uri(key))
            return self.put(key, data)

    def _p(self, key: str) -> Path:
        return self.path / _check_key(key)

    def put(self, key: str, data: bytes) -> str:
        path = self._p(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256_bytes(data)

    def get(self, key: str) -> bytes:
        try:
            return self._p(key).read_bytes()
        except FileNotFoundError as exc:
            raise DataError(f"{self.uri(key)}: no such file in the store") from exc

    def exists(self, key: str) -> bool:
        return self._p(key).is_file()

    def list(self, prefix: str) -> list[ObjectInfo]:
        base = self.path / prefix if prefix else self.path
        if not base.is_dir():
            return []
        out = []
        for p in base.rglob("*"):
            rel = p.relative_to(self.path)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                out.append(ObjectInfo(rel.as_posix(), p.stat().st_size))
        return sorted(out, key=lambda o: o.key)

    def delete(self, key: str) -> None:
        path = self._p(key)
        path.unlink(missing_ok=True)
        # Prune directories left empty (S3 has none), so removed versions leave no trace.
        parent = path.parent
        while parent != self.path and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def uri(self, key: str) -> str:
        return str(self.path / key)


_NOTHING_DONE = "nothing was read or written"
_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "409")


class S3Store(Store):
    """Zones under ``s3://bucket/prefix``; one ``PutObject`` per write (atomic)."""

    def __init__(self, url: str, client: Any = None) -> None:
        rest = url[len("s3://"):]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise UsageError(f"--store {url}: expected s3://bucket[/prefix]")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.root = url.rstrip("/")
        if client is None:
            with first_call(_NOTHING_DONE):  # an unknown profile or half-set credentials fail here
                client = default_client("s3")
        self.client = client

    def check_access(self) -> None:
        """One HeadBucket: no credentials or an unreachable endpoint stop the run here (exit 2)."""
        probe_s3(self.bucket, self.client, _NOTHING_DONE)

    def _k(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes) -> str:
        import base64

        digest = hashlib.sha256(data)
        # ChecksumSHA256 makes S3 verify the bytes it stores: validate, then publish.
        self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data,
                               ChecksumSHA256=base64.b64encode(digest.digest()).decode())
        return digest.hexdigest()

    def read_tagged(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise DataError(f"{self.uri(key)}: GetObject failed: {code}") from exc
        return response["Body"].read(), str(response["ETag"])

    def put_if(self, key: str, data: bytes, tag: str | None) -> str:
        """A conditional ``PutObject``: ``If-None-Match: *`` to create, ``If-Match: <etag>`` to replace."""
        import base64

        from botocore.exceptions import ClientError

        condition = {"IfNoneMatch": "*"} if tag is None else {"IfMatch": tag}
        checksum = base64.b64encode(hashlib.sha256(data).digest()).decode()
        try:
            response = self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data,
                                              ChecksumSHA256=checksum, **condition)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            # 412: the condition failed; 409: a concurrent conditional write to the key won;
            # NoSuchKey: If-Match on an object removed meanwhile.
            if code in _CONFLICT_CODES:
                raise StoreConflict(self.uri(key)) from exc
            raise DataError(f"{self.uri(key)}: conditional PutObject failed: {code}") from exc
        return str(response["ETag"])

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=self._k(key))["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise DataError(f"{self.uri(key)}: no such object in the store") from exc
            raise DataError(f"{self.uri(key)}: GetObject failed: {code}") from exc
        return body

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def list(self, prefix: str) -> list[ObjectInfo]:
        full = self._k(prefix) if prefix else (self.prefix + "/" if self.prefix else "")
        if prefix and not full.endswith("/"):
            full += "/"
        strip = len(self.prefix) + 1 if self.prefix else 0
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            for obj in page.get("Contents", []):
                rel = obj["Key"][strip:]
                if not any(part.startswith(".") for part in rel.split("/")):
                    out.append(ObjectInfo(rel, int(obj["Size"])))
        return sorted(out, key=lambda o: o.key)

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError as exc:
            raise DataError(f"{self.uri(key)}: DeleteObject failed: {exc.response.get('Error', {}).get('Code', '')}") from exc
        except BotoCoreError as exc:
            raise DataError(f"{self.uri(key)}: DeleteObject failed: {type(exc).__name__}") from exc

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._k(key)}"


def open_store(location: str | Path | None = None, *, s3_client: Any = None) -> Store:
    """Open a store: ``None`` means ``./lake``; ``s3://...`` an S3 prefix; anything else a directory."""
    loc = str(location) if location is not None else "lake"
    if loc.startswith("s3://"):
        return S3Store(loc, s3_client)
    if "://" in loc:
        raise UsageError(f"--store {loc}: only a directory or s3://bucket/prefix is supported")
    return LocalStore(loc)
