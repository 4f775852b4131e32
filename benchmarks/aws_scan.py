"""Benchmark: ``auditor aws scan`` against a moto server on 127.0.0.1.

For each N (default 100 and 1000) the script starts a fresh moto server, builds an
account of N data buckets (zone in the name, or for every tenth only in a DataZone
tag; half versioned, a third SSE-KMS), N/5 users
(half with a console password, each with an access key), N/10 KMS keys, a
multi-region trail with CloudWatch Logs, CIS metric filters with alarms, and a
billing alarm; then runs the full scan (every shipped AWS rule) in a subprocess
and prints wall time, peak RSS of the scan process, and API calls by operation.

    .venv/bin/python benchmarks/aws_scan.py            # N = 100 and 1000
    .venv/bin/python benchmarks/aws_scan.py --n 200    # one size
    .venv/bin/python benchmarks/aws_scan.py --n 100 --prowler /tmp/prowler-venv/bin/prowler
    .venv/bin/python benchmarks/aws_scan.py --n 100 --organization 20 --processes 2   # 20 accounts
    .venv/bin/python benchmarks/aws_scan.py --n 100 --latency-ms 30   # each response 30 ms late, as over a network

``--organization K`` builds an AWS Organization of K accounts on the server (the
management account and K-1 members, each seeded like the single account), then times
``auditor aws scan --organization`` beside the scan of the management account alone.

Only loopback traffic; the server and the scan stop by themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto(port: int, stock: bool = False) -> subprocess.Popen[bytes]:
    """moto's server on 127.0.0.1: ``python -m moto.server`` if ``stock``, else benchmarks/moto_server.py."""
    cmd = ([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)] if stock
           else [sys.executable, str(Path(__file__).with_name("moto_server.py")), str(port)])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto server did not start")


MANAGEMENT = "123456789012"  # moto's default account: the one the "bench" credentials sign in to


def member_credentials(endpoint: str, account: str) -> dict[str, str]:
    """Credentials of ``account`` (moto maps an assumed role's keys to the role's account)."""
    import boto3

    sts = boto3.client("sts", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="bench",
                       aws_secret_access_key="bench")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                            RoleSessionName="bench-seed")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def create_organization(endpoint: str, size: int) -> list[str]:
    """An organization of ``size`` accounts (management included); returns the member ids."""
    import boto3

    org = boto3.client("organizations", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="bench",
                       aws_secret_access_key="bench")
    org.create_organization(FeatureSet="ALL")
    return [org.create_account(Email=f"member-{i}@example.org", AccountName=f"member-{i}")["CreateAccountStatus"]
            ["AccountId"] for i in range(1, size)]


def seed(endpoint: str, n: int, account: str = MANAGEMENT, credentials: dict[str, str] | None = None,
         prefix: str = "bench") -> None:
    import boto3

    kw: dict[str, Any] = {"region_name": REGION, "endpoint_url": endpoint,
                          **(credentials or {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"})}
    s3, iam, kms = boto3.client("s3", **kw), boto3.client("iam", **kw), boto3.client("kms", **kw)
    key_arns = []
    for i in range(max(1, n // 10)):
        arn = kms.create_key(Description=f"key-{i}")["KeyMetadata"]["Arn"]
        if i % 2 == 0:
            kms.enable_key_rotation(KeyId=arn)
        key_arns.append(arn)

    def bucket(i: int) -> None:
        zone = ("landing", "raw", "curated")[i % 3]
        # Most data buckets say their zone in their name; every tenth says it only in a DataZone tag.
        name = f"{prefix}-{i:05d}-{zone}" if i % 10 else f"{prefix}-{i:05d}-store"
        s3.create_bucket(Bucket=name)
        if not i % 10:
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "DataZone", "Value": zone}]})
        if i % 2 == 0:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if i % 3 == 0:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arns[0]},
                "BucketKeyEnabled": True}]})

    def user(i: int) -> None:
        name = f"user-{i:05d}"
        iam.create_user(UserName=name)
        if i % 2 == 0:
            iam.create_login_profile(UserName=name, Password="Bench-Passw0rd-Not-Real!")
        iam.create_access_key(UserName=name)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(bucket, range(n)))
        list(pool.map(user, range(max(1, n // 5))))
    logs, ct = boto3.client("logs", **kw), boto3.client("cloudtrail", **kw)
    cw, sns = boto3.client("cloudwatch", **kw), boto3.client("sns", **kw)
    s3.create_bucket(Bucket=f"{prefix}-trail-logs")
    logs.create_log_group(logGroupName="trail")
    ct.create_trail(Name="main", S3BucketName=f"{prefix}-trail-logs", IsMultiRegionTrail=True,
                    EnableLogFileValidation=True, KmsKeyId=key_arns[0],
                    CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{account}:log-group:trail:*",
                    CloudWatchLogsRoleArn=f"arn:aws:iam::{account}:role/ct")
    ct.start_logging(Name="main")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="sec@example.org")
    patterns = {"root": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                        '$.eventType != "AwsServiceEvent" }',
                "auth": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'}
    for name, pattern in patterns.items():
        logs.put_metric_filter(logGroupName="trail", filterName=name, filterPattern=pattern,
                               metricTransformations=[{"metricName": name, "metricNamespace": "CIS", "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=name, MetricName=name, Namespace="CIS", Statistic="Sum", Period=300,
                            EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                            AlarmActions=[topic])
    cw.put_metric_alarm(AlarmName="billing", MetricName="EstimatedCharges", Namespace="AWS/Billing",
                        Statistic="Maximum", Period=21600, EvaluationPeriods=1, Threshold=40,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic])
    # moto builds a service's backend on its first request (EC2 alone spends about 1.5 s of CPU
    # loading its AMI catalogue and creating the default VPC, which a real account already has):
    # touch every service the scan reads so that one-time cost is not counted as scan time.
    boto3.client("ec2", **kw).describe_vpcs()
    for service, op in (("accessanalyzer", "list_analyzers"), ("config", "describe_configuration_recorders"),
                        ("securityhub", "describe_hub"), ("macie2", "get_macie_session"),
                        ("account", "get_alternate_contact")):
        try:
            getattr(boto3.client(service, **kw), op)(**({"AlternateContactType": "SECURITY"} if service == "account" else {}))
        except Exception:  # noqa: BLE001 - only warming the server; an unimplemented or empty answer is fine
            pass


def run_scan(endpoint: str, outdir: Path, extra: list[str] | None = None) -> dict[str, Any]:
    env = scan_env(endpoint)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "auditor", "aws", "scan", "--region", REGION, "--output-dir",
                                 str(outdir), "--no-fail-on-error", *(extra or [])], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        # wait4 gives the scan process's own peak RSS (not the moto server's, not earlier children's).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    peak_kb = usage.ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({proc.returncode}): {stderr.strip()[-500:]}")
    doc = json.loads((outdir / "findings.json").read_text(encoding="utf-8"))
    aws = doc["attachments"]["aws"]
    org = aws.get("organization")
    resources: dict[str, int] = dict(aws.get("resources", {}))
    for entry in (org or {}).get("accounts", []):
        for t, count in entry.get("resources", {}).items():
            resources[t] = resources.get(t, 0) + count
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "scan_cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "scan_sys_s": round(usage.ru_stime, 2),
            "findings": doc["summary"]["total"], "by_status": doc["summary"]["by_status"],
            "resources": resources, "api_calls": aws["api_calls"], "api_calls_total": aws["api_calls_total"],
            "api_calls_by_type": aws.get("api_calls_by_type", {}),
            "collection_s": aws["collection_seconds"],
            "accounts": {"scanned": org["scanned"], "failed": org["failed"]} if org else None,
            "by_account": Counter(f.get("account", "") for f in doc["findings"])}


def scan_env(endpoint: str) -> dict[str, str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.pop("AWS_PROFILE", None)
    return env


def run_prowler(prowler: str, endpoint: str, outdir: Path) -> dict[str, Any]:
    """Prowler (its own install, never a dependency of this project) on the same account and services."""
    t0 = time.perf_counter()
    proc = subprocess.run([prowler, "aws", "--services", "s3", "iam", "kms", "cloudtrail", "cloudwatch", "--region",
                           REGION, "--output-formats", "json-ocsf", "--output-directory", str(outdir), "--no-banner"],
                          env=scan_env(endpoint), capture_output=True, text=True, check=False, timeout=1800)
    wall = time.perf_counter() - t0
    results = list(outdir.rglob("*.ocsf.json"))
    findings = sum(len(json.loads(p.read_text(encoding="utf-8") or "[]")) for p in results)
    return {"wall_s": round(wall, 2), "exit": proc.returncode, "findings": findings,
            "stderr_tail": proc.stderr.strip()[-300:] if not results else ""}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def set_latency(endpoint: str, ms: float) -> None:
    """Hold every later response of benchmarks/moto_server.py back ``ms`` milliseconds (0: none)."""
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(f"{endpoint}/_bench/latency?ms={ms}", method="POST")):
        pass


def bench(n: int, prowler: str | None = None, stock: bool = False, latency_ms: float = 0) -> dict[str, Any]:
    port = free_port()
    server = start_moto(port, stock)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        seed(endpoint, n)
        seeded = time.perf_counter() - t0
        if latency_ms:
            set_latency(endpoint, latency_ms)
        server_cpu = cpu_seconds(server.pid)
        with tempfile.TemporaryDirectory() as tmp:
            out = run_scan(endpoint, Path(tmp))
        out["server_cpu_s"] = round(cpu_seconds(server.pid) - server_cpu, 2)
        out["seed_s"] = round(seeded, 1)
        if prowler:
            with tempfile.TemporaryDirectory() as tmp:
                out["prowler"] = run_prowler(prowler, endpoint, Path(tmp))
        return out
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def bench_organization(n: int, size: int, max_parallel: int, processes: int = 1,
                       stock: bool = False, latency_ms: float = 0) -> dict[str, Any]:
    """An organization of ``size`` accounts of shape ``n``: the organization scan beside one account's scan."""
    port = free_port()
    server = start_moto(port, stock)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        members = create_organization(endpoint, size)
        seed(endpoint, n)
        for i, account in enumerate(members, 1):
            seed(endpoint, n, account, member_credentials(endpoint, account), prefix=f"b{i:02d}")
        seeded = time.perf_counter() - t0
        if latency_ms:
            set_latency(endpoint, latency_ms)
        out: dict[str, Any] = {"seed_s": round(seeded, 1), "members": len(members)}
        org_args = ["--organization", "--max-parallel", str(max_parallel), "--processes", str(processes)]
        for label, extra in (("one", []), ("org", org_args)):
            server_cpu = cpu_seconds(server.pid)
            with tempfile.TemporaryDirectory() as tmp:
                out[label] = run_scan(endpoint, Path(tmp), extra)
            out[label]["server_cpu_s"] = round(cpu_seconds(server.pid) - server_cpu, 2)
        return out
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def print_calls(r: dict[str, Any]) -> None:
    """API calls by resource type (per resource of that type) and by operation."""
    print("  API calls by resource type (the type whose collection made them; per resource):")
    for t, count in sorted(r["api_calls_by_type"].items(), key=lambda kv: -kv[1]):
        per = f"{count / r['resources'][t]:.2f} per resource" if r["resources"].get(t) else ""
        print(f"    {t:<45} {count:>6}  {per}")
    print("  API calls by operation:")
    for op, count in sorted(r["api_calls"].items(), key=lambda kv: -kv[1]):
        print(f"    {op:<45} {count}")


def print_organization(n: int, size: int, r: dict[str, Any]) -> None:
    one, org = r["one"], r["org"]
    print(f"\nOrganization of {size} accounts, each N={n} (seeding took {r['seed_s']} s):")
    for label, x in (("one account", one), (f"{size} accounts", org)):
        print(f"  {label:<12}: wall {x['wall_s']} s, scan CPU {x['scan_cpu_s']} s, moto server CPU "
              f"{x['server_cpu_s']} s, peak RSS {x['peak_rss_mb']} MB, {x['api_calls_total']} API calls, "
              f"{x['findings']} findings {x['by_status']}")
    accounts = org["accounts"] or {}
    print(f"  accounts scanned {accounts.get('scanned')}, failed {accounts.get('failed')}; findings per account "
          f"{min(org['by_account'].values())}-{max(org['by_account'].values())}")
    print(f"  organization / one account wall-time ratio: {org['wall_s'] / one['wall_s']:.1f}x (target <= 3x)")
    print_calls(org)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, action="append", help="account size (repeat); default 100 and 1000")
    parser.add_argument("--prowler", help="path to a prowler executable (installed in its own venv) to compare with")
    parser.add_argument("--organization", type=int, metavar="K",
                        help="an organization of K accounts of shape --n (default N=100): org scan vs one account")
    parser.add_argument("--max-parallel", type=int, default=4, help="accounts scanned at once with --organization")
    parser.add_argument("--processes", type=int, default=1, help="worker processes with --organization")
    parser.add_argument("--stock-moto", action="store_true",
                        help="serve moto with `python -m moto.server` as shipped (see benchmarks/moto_server.py)")
    parser.add_argument("--latency-ms", type=float, default=0,
                        help="hold each response of the scans back this long, as a network round trip would "
                             "(benchmarks/moto_server.py only; the targets are measured without it)")
    args = parser.parse_args()
    if args.latency_ms and args.stock_moto:
        parser.error("--latency-ms needs benchmarks/moto_server.py (not --stock-moto)")
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  python: {sys.version.split()[0]}  "
          f"server: {'python -m moto.server' if args.stock_moto else 'benchmarks/moto_server.py'}"
          + (f"  latency: {args.latency_ms:g} ms per response" if args.latency_ms else ""))
    if args.organization:
        for n in args.n or [100]:
            print_organization(n, args.organization, bench_organization(n, args.organization, args.max_parallel,
                                                                        args.processes, args.stock_moto,
                                                                        args.latency_ms))
        return
    sizes = args.n or [100, 1000]
    results = {}
    for n in sorted(sizes):
        r = bench(n, args.prowler, args.stock_moto, args.latency_ms)
        results[n] = r
        print(f"\nN={n}: scan wall {r['wall_s']} s (collection {r['collection_s']} s, scan process CPU "
              f"{r['scan_cpu_s']} s of which system {r['scan_sys_s']} s, moto server CPU {r['server_cpu_s']} s), "
              f"peak RSS {r['peak_rss_mb']} MB, "
              f"{r['api_calls_total']} API calls, {r['findings']} findings {r['by_status']} (seeding took {r['seed_s']} s)")
        print("  resources: " + ", ".join(f"{k}={v}" for k, v in r["resources"].items()))
        if "prowler" in r:
            p = r["prowler"]
            print(f"  prowler (s3 iam kms cloudtrail cloudwatch): wall {p['wall_s']} s, exit {p['exit']}, "
                  f"{p['findings']} findings; auditor is {p['wall_s'] / r['wall_s']:.1f}x faster {p['stderr_tail']}")
        print_calls(r)
    if 100 in results and 1000 in results:
        ratio = results[1000]["wall_s"] / results[100]["wall_s"]
        print(f"\nN=1000 / N=100 wall-time ratio: {ratio:.1f}x (target <= 12x); "
              f"N=1000 wall {results[1000]['wall_s']} s (target <= 20 s), peak RSS {results[1000]['peak_rss_mb']} MB "
              "(target <= 300 MB)")


if __name__ == "__main__":
    main()
