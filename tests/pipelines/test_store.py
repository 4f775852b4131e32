"""The zone store: atomic writes, landing never overwritten, S3 through moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from auditor.core.errors import DataError, UsageError
from auditor.pipelines.store import LocalStore, S3Store, open_store, sha256_bytes


def test_local_put_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    digest = store.put("a/b/c.csv", b"x,y\n1,2\n")
    assert digest == sha256_bytes(b"x,y\n1,2\n")
    assert (tmp_path / "a/b/c.csv").read_bytes() == b"x,y\n1,2\n"
    assert sorted(p.name for p in (tmp_path / "a/b").iterdir()) == ["c.csv"]
    assert [o.key for o in store.list("a")] == ["a/b/c.csv"]


def test_land_is_idempotent_and_never_overwrites(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    assert store.land("z/Landing/f.csv", b"one") == ("z/Landing/f.csv", True)
    assert store.land("z/Landing/f.csv", b"one") == ("z/Landing/f.csv", False)
    key, created = store.land("z/Landing/f.csv", b"two")
    assert (key, created) == ("z/Landing/f.1.csv", True)
    assert store.get("z/Landing/f.csv") == b"one"


@pytest.mark.parametrize("key", ["", "/abs", "a/../b"])
def test_invalid_keys_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(UsageError):
        LocalStore(tmp_path).put(key, b"")


def test_missing_object_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        LocalStore(tmp_path).get("nope.csv")


def test_open_store_rejects_other_schemes() -> None:
    with pytest.raises(UsageError, match="only a directory or s3://"):
        open_store("gs://bucket/x")


@mock_aws
def test_s3_store_round_trip() -> None:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="lake")
    store = open_store("s3://lake/prefix", s3_client=client)
    assert isinstance(store, S3Store)
    store.put("govtfinance/311inqvol/calls/2023/Raw/x.csv", b"abc")
    assert store.exists("govtfinance/311inqvol/calls/2023/Raw/x.csv")
    assert not store.exists("govtfinance/none.csv")
    assert store.get("govtfinance/311inqvol/calls/2023/Raw/x.csv") == b"abc"
    assert [o.key for o in store.list("govtfinance")] == ["govtfinance/311inqvol/calls/2023/Raw/x.csv"]
    assert store.uri("k") == "s3://lake/prefix/k"
    assert store.land("govtfinance/311inqvol/calls/2023/Raw/x.csv", b"abc")[1] is False
    with pytest.raises(DataError, match="no such object"):
        store.get("missing")
