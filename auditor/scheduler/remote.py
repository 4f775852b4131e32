"""Keep the run history in S3 (``schedule.publish: s3://bucket/prefix``).

A Lambda function or a container has no disk that survives the run, so the
state lives next to the published reports:

- before the run, ``history.json`` and the previous run's ``findings.json``
  are fetched (when the local output directory lacks them);
- after the run, the new run folder, ``index.html`` and ``history.json`` are
  uploaded, and the objects of pruned runs deleted.

Layout: ``s3://bucket/prefix/index.html``, ``.../history.json``,
``.../<run folder>/index.html`` (same as the local output directory).
"""

from __future__ import annotations

import json
from pathlib import Path

from auditor.core.aws_clients import default_client
from auditor.core.errors import CollectionError
from auditor.reporting.publish import parse_s3_url, publish
from auditor.scheduler.history import HISTORY, INDEX


def pull_state(url: str, out: Path) -> list[str]:
    """Fetch the history (and the latest findings) from S3 into ``out`` if missing locally."""
    from botocore.exceptions import ClientError

    if (out / HISTORY).exists():
        return []
    bucket, prefix = parse_s3_url(url)
    s3 = default_client("s3")
    base = f"{prefix}/" if prefix else ""
    try:
        body = s3.get_object(Bucket=bucket, Key=base + HISTORY)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404"):
            return [f"publish: no history at {url} yet (first run)"]
        raise CollectionError(f"could not read s3://{bucket}/{base}{HISTORY}: {code}") from None
    (out / HISTORY).write_bytes(body)
    runs = json.loads(body).get("runs") or []
    if not runs:
        return [f"publish: fetched an empty history from {url}"]
    folder = runs[-1]["folder"]
    target = out / folder / "findings.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        s3.download_file(bucket, f"{base}{folder}/findings.json", str(target))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        return [f"publish: previous findings of {folder} not found ({code}); no comparison this time"]
    return [f"publish: fetched history ({len(runs)} runs) and the findings of {folder} from {url}"]


def push_state(url: str, out: Path, folder: Path, written: list[Path], deleted: list[str]) -> list[str]:
    """Upload the run folder, index and history; delete the objects of pruned runs."""
    from botocore.exceptions import ClientError

    bucket, prefix = parse_s3_url(url)
    base = f"{prefix}/" if prefix else ""
    s3 = default_client("s3")
    urls = publish(written, f"s3://{bucket}/{base}{folder.name}", client=s3)
    urls += publish([out / INDEX, out / HISTORY], f"s3://{bucket}/{prefix}", client=s3)
    try:
        for name in deleted:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{base}{name}/")
            keys = [{"Key": o["Key"]} for page in pages for o in page.get("Contents", [])]
            for i in range(0, len(keys), 1000):
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[i:i + 1000], "Quiet": True})
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        raise CollectionError(f"could not delete pruned runs under {url}: {code}") from None
    return urls
