"""Environment failures end as one line naming the path, bucket or endpoint, exit 2 (issue 13).

Before, each of these ended as ``internal error: <Exception>`` (exit 3): S3 store
errors, a directory or a file in the way of an output, a bogus input path.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import click
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from click.testing import CliRunner, Result
from moto import mock_aws

from auditor.cli import cli
from auditor.cli.common import AuditorGroup
from auditor.cli.errors import translate
from auditor.core.findings import RunInfo, document
from auditor.core.oserrors import describe_os_error, one_line


def _os_error(fn: object, *args: object) -> OSError:
    try:
        fn(*args)  # type: ignore[operator]
    except OSError as exc:
        return exc
    raise AssertionError("no OSError raised")


def _client_error(code: str, operation: str, status: int, **error: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m", **error},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


# ---------------------------------------------------------------- translate(), on real exceptions

def test_file_system_errors_name_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "somefile"
    blocker.write_text("x")
    folder = tmp_path / "adir"
    folder.mkdir()
    cases = {
        "no such file or directory": _os_error(open, tmp_path / "missing.csv"),
        "is a directory, not a file": _os_error(os.replace, blocker, folder),
        f"{blocker} is a file, not a directory": _os_error(open, blocker / "out.csv", "w"),
        "exists and is not a directory": _os_error(lambda: blocker.mkdir(parents=True, exist_ok=True)),
    }
    for wanted, exc in cases.items():
        t = translate(exc)
        assert t is not None and t.exit_code == 2 and wanted in t.message, (wanted, t)
    # os.replace reports (source, destination): the destination is the user's file.
    assert translate(cases["is a directory, not a file"]) is not None
    assert describe_os_error(cases["is a directory, not a file"]).startswith(str(folder))


def test_disk_full_and_read_only_name_the_file_not_its_temporary_name(tmp_path: Path) -> None:
    tmp = str(tmp_path / ".findings.json.k2j4x9_a.tmp")
    full = translate(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), tmp))
    assert full is not None and full.message == f"{tmp_path / 'findings.json'}: no space left on the device"
    ro = translate(OSError(errno.EROFS, os.strerror(errno.EROFS), "/mnt/ro/out.csv"))
    assert ro is not None and ro.message == "/mnt/ro/out.csv: read-only file system" and ro.exit_code == 2


def test_aws_errors() -> None:
    missing = translate(_client_error("NoSuchBucket", "PutObject", 404, BucketName="lake"))
    assert missing is not None and missing.exit_code == 2
    assert missing.message == "S3 bucket 'lake' does not exist (NoSuchBucket in PutObject)"
    denied = translate(_client_error("AccessDenied", "GetObject", 403))
    assert denied is not None and denied.exit_code == 2 and "AccessDenied" in denied.message
    slow = translate(_client_error("SlowDown", "PutObject", 503))
    assert slow is not None and slow.exit_code == 3  # AWS failing, not the user: could not evaluate
    creds = translate(NoCredentialsError())
    assert creds is not None and creds.exit_code == 2 and "no AWS credentials" in creds.message
    down = translate(EndpointConnectionError(endpoint_url="http://127.0.0.1:9/lake"))
    assert down is not None and down.exit_code == 2 and "http://127.0.0.1:9/lake" in down.message


def test_invalid_url_is_not_echoed() -> None:
    t = translate(http.client.InvalidURL("URL can't contain control characters. 'https://hooks/secret\r\n'"))
    assert t is not None and "secret" not in t.message and t.exit_code == 2


def test_a_bug_is_not_translated() -> None:
    for exc in (RuntimeError("kaboom"), KeyError("x"), ValueError("v"), OSError("no errno")):
        assert translate(exc) is None


def test_one_line_escapes_control_characters() -> None:
    assert one_line("a\nb\rc\x1bd") == "a\\nb\\rc\\x1bd"


# ---------------------------------------------------------------- the CLI boundary

def test_boundary_prints_one_line_and_debug_shows_the_trace(tmp_path: Path) -> None:
    @click.group(cls=AuditorGroup)
    @click.option("--debug", is_flag=True)
    @click.pass_context
    def app(ctx: click.Context, debug: bool) -> None:
        ctx.obj = {"debug": debug}

    @app.command()
    def write() -> None:
        (tmp_path / "somefile").write_text("x")
        (tmp_path / "somefile" / "out.csv").write_text("y")

    res = CliRunner().invoke(app, ["write"])
    assert res.exit_code == 2
    assert res.output == f"error: {tmp_path / 'somefile/out.csv'}: {tmp_path / 'somefile'} is a file, not a directory\n"
    res = CliRunner().invoke(app, ["--debug", "write"])
    assert res.exit_code == 2 and "Traceback" in res.output and res.output.endswith("not a directory\n")


def _findings(tmp_path: Path) -> Path:
    run = RunInfo("r1", "2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", "0.1.0", "aws")
    path = tmp_path / "in" / "findings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document(run, [], {})), encoding="utf-8")
    return path


def _one_line_error(res: Result, *wanted: str) -> None:
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "internal error" not in lines[0], res.output
    for w in wanted:
        assert w in lines[0], res.output


def test_report_output_that_is_a_directory_or_under_a_file(tmp_path: Path) -> None:
    findings = _findings(tmp_path)
    (tmp_path / "adir").mkdir()
    (tmp_path / "somefile").write_text("x")
    runner = CliRunner()
    _one_line_error(runner.invoke(cli, ["report", str(findings), "-o", str(tmp_path / "adir")]),
                    "adir: is a directory")
    _one_line_error(runner.invoke(cli, ["report", str(findings), "-o", str(tmp_path / "somefile" / "r.html")]),
                    "somefile")
    _one_line_error(runner.invoke(cli, ["report", str(tmp_path / "adir")]), "adir: is a directory")
    _one_line_error(runner.invoke(cli, ["gate", str(tmp_path / "adir")]), "adir: is a directory")


def test_output_dir_under_a_file_is_said_before_the_scan(tmp_path: Path) -> None:
    (tmp_path / "somefile").write_text("x")
    src = tmp_path / "f.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "scan", str(src), "--output-dir", str(tmp_path / "somefile" / "x")])
    _one_line_error(res, f"--output-dir {tmp_path / 'somefile' / 'x'}: {tmp_path / 'somefile'} is a file")


def test_data_mask_destination_problems(tmp_path: Path) -> None:
    (tmp_path / "somefile").write_text("x")
    (tmp_path / "adir").mkdir()
    src = tmp_path / "f.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    runner = CliRunner()
    _one_line_error(runner.invoke(cli, ["data", "mask", str(src), str(tmp_path / "somefile" / "out.csv")]),
                    "somefile: exists and is not a directory")
    _one_line_error(runner.invoke(cli, ["data", "mask", str(src), str(tmp_path / "adir")]), "is a directory")


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="exists")
        yield


@pytest.mark.usefixtures("moto")
def test_s3_store_that_does_not_exist(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["pipeline", "run", "inquiries-311", "--sample", "--store", "s3://nobucket/lake",
                              "--output-dir", str(tmp_path / "out")])
    _one_line_error(res, "nobucket", "NoSuchBucket")
    _one_line_error(runner.invoke(cli, ["pipeline", "runs", "--store", "s3://nobucket/lake"]), "nobucket")


@pytest.mark.usefixtures("moto")
def test_masked_output_to_a_missing_bucket(tmp_path: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["data", "mask", str(src), "s3://nobucket/out.csv"])
    _one_line_error(res, "s3://nobucket/out.csv", "NoSuchBucket")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()  # nothing listens there now: connections are refused
    return port


def test_unreachable_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    runner = CliRunner()
    _one_line_error(runner.invoke(cli, ["pipeline", "runs", "--store", "s3://lake/prefix"]), "cannot reach AWS")
    src = tmp_path / "f.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    _one_line_error(runner.invoke(cli, ["data", "mask", str(src), "s3://lake/out.csv"]), "s3://lake/out.csv")
