"""PII scan + mask benchmark on the seeded synthetic registrar table.

    .venv/bin/python benchmarks/pii_scan.py --rows 100000 [--rows 1000000] [--workers 2] [--format csv]

For each size: generate the table (seeded), write it, then time

- scan: ``run_data_scan`` with the shipped data rules (classification + free-text analysis + findings);
- mask: ``mask_dataset`` with a policy using every operator (a new analyzer, so no span cache is shared);

and report rows/s, peak RSS (this process and its forked workers), and detection quality
against the ground truth: column classification, recall/precision of the PII planted in
``notes`` (pattern entities and names separately), and raw planted values left in the
masked output (must be 0). Never run by the unit tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICY = """version: 1
key: {env: BENCH_MASK_KEY}
entities:
  EMAIL_ADDRESS: {operator: hash}
  PHONE_NUMBER: {operator: partial, keep_last: 4}
  CA_SIN: {operator: encrypt}
  CREDIT_CARD: {operator: partial, keep_last: 4}
  PERSON: {operator: replace}
  STUDENT_ID: {operator: hash}
  DATE_OF_BIRTH: {operator: redact}
"""
PATTERN_ENTITIES = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CA_SIN", "CREDIT_CARD"}


def cpu_seconds() -> float:
    """User + system CPU of this process and its (finished) workers."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_mb() -> tuple[float, float]:
    """(this process, largest finished worker) peak RSS in MB.

    VmHWM, not ru_maxrss, for this process: a spawned child's ru_maxrss keeps the high-water
    mark of the forked parent it was exec'd from (here, the process holding the generated table).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            own = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        pass
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def note_quality(df: Any, truth: Any, analyzer: Any) -> dict[str, float]:
    """Recall/precision of planted note PII (span must contain the planted value)."""
    spans = analyzer.analyze_many(df["notes"].tolist())
    stats = {"pattern": [0, 0], "name": [0, 0]}  # found, total
    tp_spans = fp_spans = 0
    for text, planted, found in zip(df["notes"].tolist(), truth.notes, spans, strict=True):
        if not isinstance(text, str):
            continue
        hit = [False] * len(found)
        for entity, value in planted:
            start = text.find(value)
            kind = "name" if entity == "PERSON" else "pattern"
            stats[kind][1] += 1
            ok = False
            for i, s in enumerate(found):
                if s.start <= start and s.end >= start + len(value) and (s.entity == entity or kind == "pattern"):
                    ok = hit[i] = True
            stats[kind][0] += ok
        for i, s in enumerate(found):
            overlaps = any(text.find(v) < s.end and text.find(v) + len(v) > s.start for _, v in planted)
            if hit[i] or overlaps:
                tp_spans += 1
            else:
                fp_spans += 1
    return {"pattern_recall": stats["pattern"][0] / max(stats["pattern"][1], 1),
            "name_recall": stats["name"][0] / max(stats["name"][1], 1),
            "precision": tp_spans / max(tp_spans + fp_spans, 1)}


def scan_and_mask(src: str, dst: str, policy_path: str, workers: int, cold_mask: bool) -> dict[str, Any]:
    """Runs in a fresh (spawned) process so its peak RSS is the scan + mask cost alone."""
    from auditor.data.maskfile import mask_dataset
    from auditor.data.masking import load_policy
    from auditor.data.pii import PiiSettings, build_analyzer
    from auditor.data.scan import DataScanOptions, run_data_scan
    from auditor.runner import default_rule_paths, prepare

    out: dict[str, Any] = {}
    settings = PiiSettings(workers=workers)
    prepared = prepare(default_rule_paths("data"), resource_prefix="dataset.")
    t0 = time.perf_counter()
    analyzer = build_analyzer(settings)
    out["build"] = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), cpu_seconds()
    doc = run_data_scan(prepared, [src], DataScanOptions(settings=settings, analyzer=analyzer))
    out["scan"], out["scan_cpu"] = time.perf_counter() - t0, cpu_seconds() - c0
    out["columns"] = doc["attachments"]["datasets"][0]["columns"]
    policy = load_policy(policy_path)
    t0, c0 = time.perf_counter(), cpu_seconds()
    # Same run, same analyzer (as a pipeline gate does: scan, then mask): free-text spans are reused.
    mask_dataset(src, dst, policy, analyzer)
    out["mask"], out["mask_cpu"] = time.perf_counter() - t0, cpu_seconds() - c0
    out["load"] = os.getloadavg()[0]
    if cold_mask:
        t0 = time.perf_counter()
        mask_dataset(src, dst + ".cold." + dst.rsplit(".", 1)[-1], policy, build_analyzer(settings))
        out["cold"] = time.perf_counter() - t0
    out["rss"] = peak_rss_mb()
    return out


def _child(queue: Any, *args: Any) -> None:
    queue.put(scan_and_mask(*args))


def run(rows: int, workers: int, fmt: str, quality: bool, cold_mask: bool) -> None:
    import multiprocessing as mp

    from auditor.data.pii import PiiSettings, build_analyzer
    from auditor.data.readers import read_frame
    from auditor.data.samples import generate_registrar
    from auditor.data.writers import write_frame

    os.environ.setdefault("BENCH_MASK_KEY", "ab" * 32)
    tmp = Path(tempfile.mkdtemp(prefix="pii-bench-"))
    t0 = time.perf_counter()
    df, truth = generate_registrar(rows, seed=7, uncued_names=True)
    src = tmp / f"registrar.{fmt}"
    write_frame(df, str(src))
    gen = time.perf_counter() - t0
    dst = tmp / f"masked.{fmt}"
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue, str(src), str(dst), str(_write_policy(tmp)), workers, cold_mask))
    child.start()
    r = queue.get()
    child.join()
    scan, mask = r["scan"], r["mask"]
    print(f"rows={rows:,} format={fmt} nproc={os.cpu_count()} workers={workers or 'auto'}")
    print(f"  generate+write   {gen:7.1f} s")
    print(f"  analyzer build   {r['build']:7.1f} s (once per run)")
    print(f"  scan             {scan:7.1f} s  {rows / scan:10,.0f} rows/s  (CPU {r['scan_cpu']:.1f} s)")
    print(f"  mask             {mask:7.1f} s  {rows / mask:10,.0f} rows/s  (CPU {r['mask_cpu']:.1f} s)")
    print(f"  scan + mask      {scan + mask:7.1f} s  (CPU {r['scan_cpu'] + r['mask_cpu']:.1f} s)")
    print(f"  load average     {r['load']:7.1f} (other processes share the CPUs when this exceeds nproc)")
    if "cold" in r:
        print(f"  mask alone (cold analyzer, new run) {r['cold']:7.1f} s  {rows / r['cold']:10,.0f} rows/s")
    print(f"  peak RSS         {r['rss'][0]:7.0f} MB (scan+mask process) / {r['rss'][1]:.0f} MB (largest worker)")

    got = {c["name"]: (c["entity"] if c["pii"] and c["kind"] == "structured" else
                       ("FREE_TEXT" if c["kind"] == "free-text" else None)) for c in r["columns"]}
    wrong = {c: (got[c], e) for c, e in truth.columns.items() if got.get(c) != e}
    print(f"  columns correct  {len(truth.columns) - len(wrong)}/{len(truth.columns)}"
          + (f"  wrong: {wrong}" if wrong else ""))
    if quality:
        q = note_quality(df, truth, build_analyzer(PiiSettings(workers=workers)))
        print(f"  notes: pattern recall {q['pattern_recall']:.3f}, name recall {q['name_recall']:.3f}, "
              f"precision {q['precision']:.3f}")
    masked = read_frame(dst)
    left = total = 0
    for col in ("email", "phone", "sin", "studentid", "street_address", "firstname", "lastname", "date_of_birth"):
        raw, out = df[col].astype(str).tolist(), masked[col].fillna("").astype(str).tolist()
        total += len(raw)
        left += sum(v in o for v, o in zip(raw, out, strict=True))
    missed: list[tuple[str, str]] = []
    for note, planted, out in zip(df["notes"].tolist(), truth.notes, masked["notes"].fillna("").astype(str).tolist(),
                                  strict=True):
        total += len(planted)
        for _, v in planted:
            if v in out:
                left += 1
                missed.append((note, v))
    left_detected = 0
    if missed:
        checker = build_analyzer(PiiSettings(workers=1))
        for note, v in missed:
            start = note.find(v)
            left_detected += any(s.start <= start and s.end >= start + len(v) for s in checker.analyze_text(note))
    print(f"  raw planted values left in the masked output (row by row): {left} of {total:,}; "
          f"of those detected by the analyzer: {left_detected} (the rest are misses, counted in recall)")
    shutil.rmtree(tmp, ignore_errors=True)


def presidio_structured(rows: int, path: str) -> None:
    """presidio-structured 0.0.10 on the same table: every cell analysed, then whole columns anonymised.

    Not a project dependency: install it apart, e.g. ``pip install --no-deps --target DIR
    presidio-structured``, and pass ``--presidio-structured DIR``. It gets our offline engine
    (its default engine downloads a spaCy model). Columns are converted to text first: it
    crashes on int64 and date columns under pandas 3.
    """
    sys.path.insert(0, path)
    from presidio_anonymizer.entities import OperatorConfig
    from presidio_structured import PandasAnalysisBuilder, StructuredEngine

    from auditor.data.pii import build_analyzer
    from auditor.data.samples import generate_registrar

    df, truth = generate_registrar(rows, seed=7, uncued_names=True)
    df = df.astype(str)
    engine = build_analyzer().engine
    t0, c0 = time.perf_counter(), cpu_seconds()
    analysis = PandasAnalysisBuilder(analyzer=engine).generate_analysis(df)
    t_an = time.perf_counter() - t0
    t1 = time.perf_counter()
    out = StructuredEngine().anonymize(df, analysis, operators={"DEFAULT": OperatorConfig("replace")})
    t_mask, cpu = time.perf_counter() - t1, cpu_seconds() - c0
    mapping = analysis.entity_mapping
    expected = {c: e for c, e in truth.columns.items() if e}
    print(f"presidio-structured 0.0.10, rows={rows:,}: analysis {t_an:.1f} s, anonymize {t_mask:.1f} s, "
          f"total {t_an + t_mask:.1f} s (CPU {cpu:.1f} s), {rows / (t_an + t_mask):,.0f} rows/s")
    print(f"  columns flagged: {mapping}")
    print(f"  PII columns missed: {sorted(set(expected) - set(mapping))}; "
          f"non-PII flagged: {sorted(set(mapping) - set(expected))}")
    del out


def _write_policy(tmp: Path) -> Path:
    p = tmp / "mask.yml"
    p.write_text(POLICY, encoding="utf-8")
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="table size (repeat); default 100000")
    ap.add_argument("--workers", type=int, default=0, help="processes for free text (0 = CPUs)")
    ap.add_argument("--format", default="csv", choices=["csv", "parquet"])
    ap.add_argument("--no-quality", action="store_true", help="skip the per-note quality pass")
    ap.add_argument("--cold-mask", action="store_true", help="also time masking with a fresh analyzer")
    ap.add_argument("--presidio-structured", metavar="DIR", help="also run presidio-structured from DIR")
    ap.add_argument("--ps-rows", type=int, default=10_000, help="rows for presidio-structured (default 10000)")
    args = ap.parse_args()
    for n in args.rows or [100_000]:
        run(n, args.workers, args.format, not args.no_quality, args.cold_mask)
    if args.presidio_structured:
        presidio_structured(args.ps_rows, args.presidio_structured)


if __name__ == "__main__":
    main()
