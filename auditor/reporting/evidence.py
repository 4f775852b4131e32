"""The evidence pack: everything an external auditor needs to re-check a report, hashed.

``auditor report FINDINGS.json... --evidence DIR`` writes, into a new (or
empty) directory::

    DIR/
      findings/      the findings documents as given (and the --baseline)
      reports/       every file this report command wrote (index.html, findings.json,
                     findings.csv, controls.csv, findings.sarif...)
      rules/         the rule files used: --rules PATH..., else the rule files the
                     findings' rule list names (attachments.rules[].source) that exist here
      rules-used.json  the run's rule list as recorded in the findings (ids, titles,
                     severities, compliance mappings, risk, references)
      config/        --config and --owners, when given
      mutelist/      --mutelist, when given; mutes-recorded.json: the mutes the findings record
      manifest.json  tool version, run ids, creation time and, per file, its SHA-256 and size
      SHA256SUMS     the same hashes in sha256sum's format

A later reader checks that nothing was changed, added or removed with
``cd DIR && sha256sum -c SHA256SUMS`` (``shasum -a 256 -c SHA256SUMS`` on
macOS) or :func:`verify`, which also reports files that are not in the
manifest. A rule file found twice under the same name keeps its path below
``rules/``. Nothing is written into a directory that already has files: an
evidence pack is never updated in place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from auditor import __version__
from auditor.core.documents import FindingsDocument
from auditor.core.errors import UsageError
from auditor.core.loader import expand_paths
from auditor.reporting.atomic import write_atomic

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def _unique(dest: Path, taken: set[Path]) -> Path:
    n, candidate = 1, dest
    while candidate in taken:
        n += 1
        candidate = dest.with_name(f"{dest.stem}-{n}{dest.suffix}")
    taken.add(candidate)
    return candidate


def _rule_files(paths: Sequence[Path], doc: FindingsDocument) -> list[Path]:
    if paths:
        return [p for p in expand_paths(paths) if p.is_file()]
    listed = (doc.get("attachments") or {}).get("rules") or []
    sources = {Path(str(e.get("source", ""))) for e in listed if isinstance(e, dict) and e.get("source")}
    return sorted(p for p in sources if p.is_file())


def write_evidence(dest: Path, *, doc: FindingsDocument, inputs: Sequence[Path], reports: Iterable[Path],
                   baseline: Path | None = None, rule_paths: Sequence[Path] = (), config: Path | None = None,
                   owners: Path | None = None, mutelist: Path | None = None, created_at: str = "") -> Path:
    """Write the evidence pack for ``doc`` (the merged, reported document) into ``dest``; return the manifest path.

    Raises ``UsageError`` when ``dest`` is a file or a directory that already has files.
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UsageError(f"--evidence {dest}: exists and is not an empty directory; an evidence pack is never "
                         "updated in place, name a new directory")
    dest.mkdir(parents=True, exist_ok=True)
    taken: set[Path] = set()
    for i, p in enumerate(inputs, 1):
        _copy(p, _unique(dest / "findings" / (p.name if len(inputs) == 1 else f"{i}-{p.name}"), taken))
    if baseline is not None:
        _copy(baseline, _unique(dest / "findings" / f"baseline-{baseline.name}", taken))
    for p in reports:
        _copy(p, _unique(dest / "reports" / p.name, taken))
    for p in _rule_files(rule_paths, doc):
        _copy(p, _unique(dest / "rules" / p.parent.name / p.name, taken))
    att = doc.get("attachments") or {}
    write_atomic(dest / "rules-used.json", json.dumps(att.get("rules") or [], indent=2, ensure_ascii=False) + "\n")
    for extra, folder in ((config, "config"), (owners, "config"), (mutelist, "mutelist")):
        if extra is not None:
            _copy(extra, _unique(dest / folder / extra.name, taken))
    write_atomic(dest / "mutelist" / "mutes-recorded.json",
                 json.dumps(att.get("mutes") or [], indent=2, ensure_ascii=False) + "\n")
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    entries = [{"path": p.relative_to(dest).as_posix(), "sha256": sha256_file(p), "bytes": p.stat().st_size}
               for p in files]
    runs = [r.strip() for r in str(doc["run"]["id"]).split("+")]
    manifest = {"evidence_version": 1, "tool_version": __version__, "created_at": created_at, "runs": runs,
                "account": doc["run"].get("account", ""), "files": entries}
    write_atomic(dest / SUMS, "".join(f"{e['sha256']}  {e['path']}\n" for e in entries))
    return write_atomic(dest / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def verify(dest: Path) -> list[str]:
    """Problems with the pack in ``dest``: changed, missing or unlisted files (empty when intact)."""
    try:
        manifest = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{MANIFEST}: cannot be read ({exc})"]
    problems = []
    listed = {}
    for e in manifest.get("files", []):
        listed[e["path"]] = e
        p = dest / e["path"]
        if not p.is_file():
            problems.append(f"{e['path']}: missing")
        elif sha256_file(p) != e["sha256"]:
            problems.append(f"{e['path']}: changed (SHA-256 differs from the manifest)")
    sums = {line.split("  ", 1)[1]: line.split("  ", 1)[0]
            for line in (dest / SUMS).read_text(encoding="utf-8").splitlines() if "  " in line} \
        if (dest / SUMS).is_file() else {}
    if sums != {k: v["sha256"] for k, v in listed.items()}:
        problems.append(f"{SUMS}: does not match {MANIFEST}")
    for p in sorted(dest.rglob("*")):
        rel = p.relative_to(dest).as_posix()
        if p.is_file() and rel not in listed and rel not in (MANIFEST, SUMS):
            problems.append(f"{rel}: not in the manifest")
    return problems
