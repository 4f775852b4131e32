"""``auditor data check`` on a large CSV: wall time, throughput and peak memory.

    .venv/bin/python benchmarks/dqdl_check.py                  # 1,000,000 rows (about 70 MB), 30 rules
    .venv/bin/python benchmarks/dqdl_check.py --rows 200000 --keep /tmp/dq

Generates a seeded CSV (orders: ids, codes with leading zeros, amounts, dates, free
text, a few NULLs and bad values), writes a 30-rule ruleset using most rule types
(row-level, aggregates, where clauses, thresholds, a composite, CustomSql), then runs
``auditor data check`` in a child process and reports its wall time, rows/s, MB/s and
peak resident memory (the child's ``ru_maxrss``). Target: <= 10 s and <= 500 MB for
1M rows on 2 cores. Never run by the unit tests.

There is no pandas-based checker in auditor to compare with: the evaluator reads CSV
straight into DuckDB (typed reading) and runs every rule there.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = """Rules = [
    RowCount > 0,
    ColumnCount = 10,
    IsPrimaryKey "order_id",
    IsUnique "order_id",
    IsComplete "customer_id",
    Completeness "email" > 0.95,
    ColumnValues "status" in ["new", "paid", "shipped", "returned"],
    ColumnValues "amount" between 0 and 10000,
    ColumnValues "amount" > 0 where "status = 'paid'" with threshold > 0.99,
    ColumnValues "email" matches "[^@]+@[^@]+\\\\.[a-z]+" with threshold > 0.9,
    ColumnValues "country" in ["CA", "US", "MX", "FR"],
    ColumnValues "order_date" > "2020-01-01",
    ColumnValues "code" matches "[0-9]{5}",
    ColumnValues "qty" != 0,
    ColumnLength "code" = 5,
    ColumnLength "note" <= 40,
    ColumnDataType "qty" = "INTEGER",
    Uniqueness "customer_id" < 0.9,
    DistinctValuesCount "country" = 4,
    Mean "amount" between 100 and 1500,
    Sum "qty" > 0,
    StandardDeviation "amount" < 1000,
    Entropy "status" > 1,
    UniqueValueRatio "customer_id" < 1,
    ColumnCorrelation "amount" "qty" between -1 and 1,
    CustomSql "select count(*) from primary where amount < 0" = 0,
    CustomSql "select order_id from primary where qty > 0",
    DataFreshness "order_date" <= 3650 days,
    RowCount between 1 and 2000000 where "country = 'CA'",
    (IsComplete "status") and (ColumnValues "qty" >= 0)
]
"""


def write_csv(path: Path, rows: int, seed: int) -> None:
    rnd = random.Random(seed)
    statuses = ["new", "paid", "shipped", "returned"]
    countries = ["CA", "US", "MX", "FR"]
    words = ["blue", "parcel", "fragile", "gift", "rush", "left at door", "call first", "signed"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("order_id,customer_id,email,status,amount,qty,country,order_date,code,note\n")
        for i in range(rows):
            cust = rnd.randrange(rows // 3 + 1)
            email = "" if rnd.random() < 0.01 else f"u{cust}@ex.org"
            amount = f"{rnd.uniform(1, 2000):.2f}"
            qty = str(rnd.randrange(1, 20))
            day = f"202{rnd.randrange(0, 6)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
            note = rnd.choice(words)
            fh.write(f"{i},{cust},{email},{rnd.choice(statuses)},{amount},{qty},{rnd.choice(countries)},"
                     f"{day},{rnd.randrange(100000):05d},{note}\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--keep", type=Path, help="Write the CSV and ruleset here (default: a temporary folder).")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dqdl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    data, rules = folder / "orders.csv", folder / "orders.dqdl"
    if not data.exists():
        t0 = time.perf_counter()
        write_csv(data, args.rows, args.seed)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s")
    rules.write_text(RULES, encoding="utf-8")
    size_mb = data.stat().st_size / 1e6
    n_rules = RULES.count("\n    ")
    auditor = Path(sys.executable).with_name("auditor")
    cmd = [str(auditor), "data", "check", str(data), "--ruleset", str(rules), "--show-rows", "3"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(proc.stdout.strip())
    if proc.returncode not in (0, 1):
        print(proc.stderr.strip(), file=sys.stderr)
        return proc.returncode
    print(f"\ncores: {os.cpu_count()}  file: {size_mb:.1f} MB, {args.rows:,} rows, {n_rules} rules")
    print(f"wall time: {wall:.2f} s   throughput: {args.rows / wall:,.0f} rows/s, {size_mb / wall:.1f} MB/s   "
          f"peak RSS: {peak_mb:.0f} MB   (target <= 10 s, <= 500 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
