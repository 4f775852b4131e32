"""Where a scheduled run's findings come from: one registered source per capability.

Built in: ``aws`` (``auditor.aws.scan.run_scan``), ``data``
(``auditor.data.scan.run_data_scan``), ``pipelines``
(``auditor.pipelines.pipeline_run.run_pipeline``) and ``findings`` (findings
documents written by other jobs). A source declares the modules it needs; when
one is missing in this installation, the run stops before anything runs and
says which capability is not available.

Add your own (e.g. a second account via another tool)::

    from auditor.scheduler.sources import Source, SourceRequest, sources

    def _mine(req: SourceRequest) -> list[dict]:
        return [my_findings_document(req.options)]

    sources.add("my-source", Source(_mine, requires=()))
"""

from __future__ import annotations

import glob
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.audit_run import default_rule_paths, prepare
from auditor.aws.scan import ScanOptions, run_scan
from auditor.aws.settings import AwsSection
from auditor.core import jsonio
from auditor.core.context import RunContext
from auditor.core.documents import FindingsDocument
from auditor.core.errors import DataError
from auditor.core.registry import Registry
from auditor.core.run_config import load_config
from auditor.schemas import findings_errors


@dataclass
class SourceRequest:
    """What a source gets: its options from the config, the config file, the run context, a work dir."""

    options: dict[str, Any]
    config_path: Path | None
    context: RunContext
    workdir: Path


@dataclass
class Source:
    run: Callable[[SourceRequest], list[FindingsDocument]]
    requires: tuple[str, ...] = ()
    capability: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """Required modules that are not importable here."""
        out = []
        for name in self.requires:
            try:
                if importlib.util.find_spec(name) is None:
                    out.append(name)
            except ModuleNotFoundError:
                out.append(name)
        return out


sources: Registry[Source] = Registry("run source")


def _prepare(req: SourceRequest, packs: str, prefix: str) -> Any:
    rules = req.options.get("rules") or default_rule_paths(packs)
    return prepare(rules, config=req.config_path, mutelist=req.options.get("mutelist"),
                   framework=req.options.get("framework"), resource_prefix=prefix)


def _aws(req: SourceRequest) -> list[FindingsDocument]:
    section = load_config(req.config_path).section("aws", AwsSection) if req.config_path else AwsSection()
    opts = ScanOptions(profile=req.options.get("profile"), regions=list(req.options.get("regions") or []),
                       role_arn=req.options.get("role_arn"), external_id=req.options.get("external_id"),
                       config=section)
    return [run_scan(_prepare(req, "aws", "aws."), opts, req.context)]


def _data(req: SourceRequest) -> list[FindingsDocument]:
    from auditor.data.scan import DataScanOptions, run_data_scan  # deferred: pulls in numpy

    return [run_data_scan(_prepare(req, "data", "dataset."), list(req.options["paths"]),
                          DataScanOptions(context=req.context))]


def _pipelines(req: SourceRequest) -> list[FindingsDocument]:
    from auditor.pipelines.pipeline_run import run_pipeline  # deferred: pulls in pandas

    docs: list[FindingsDocument] = []
    for name in req.options["names"]:
        result = run_pipeline(name, req.options.get("store"), sample=bool(req.options.get("sample", False)),
                              output_dir=req.workdir / f"pipeline-{name}", config=req.config_path,
                              context=req.context)
        if result.findings is None:
            raise DataError(f"pipeline {name}: {result.message or result.status} (no findings produced)")
        docs.append(result.findings)
    return docs


def _findings(req: SourceRequest) -> list[FindingsDocument]:
    docs = []
    for pattern in req.options["paths"]:
        matches = sorted(glob.glob(pattern))
        if not matches:
            raise DataError(f"findings source: nothing matches '{pattern}'")
        for path in matches:
            try:
                doc = jsonio.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DataError(f"{path}: not a findings JSON document ({exc})") from None
            errors = findings_errors(doc)
            if errors:
                raise DataError(f"{path}: not a valid findings document: {errors[0]}")
            valid: FindingsDocument = doc  # it passed the findings schema: the typed document
            docs.append(valid)
    return docs


sources.add("aws", Source(_aws, ("auditor.aws.scan",), "the AWS scan"))
sources.add("data", Source(_data, ("auditor.data.scan",), "the data scan"))
sources.add("pipelines", Source(_pipelines, ("auditor.pipelines.pipeline_run",), "the governed pipelines"))
sources.add("findings", Source(_findings, (), "existing findings documents"))
