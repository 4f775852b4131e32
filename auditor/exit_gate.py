"""The gate: turn a findings document into an exit code a CI pipeline can trust.

- 1 when a FAIL finding is at or above ``fail_on`` (with a baseline: only
  findings that are new since the baseline count);
- 3 when ERROR findings exist (fail closed; ``allow_errors`` relaxes it);
- 0 otherwise.

A definite violation (1) wins over "could not evaluate" (3): the CI log then
shows the actionable failure first; errors are still listed in the summary.

The gate also explains itself: ``GateResult`` carries the findings that made
it fail (``blocking`` FAILs, then the ``errors`` that failed it closed), worst
first, and this module renders them as plain log lines (``listing``) or as
GitHub Actions workflow commands (``github_annotations``). Rendering returns
lines; only the CLI prints them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.core.errors import UsageError
from auditor.core.rules import SEVERITIES, severity_rank
from auditor.reporting.diff import diff_documents  # the one definition of "new" (report, gate, run)
from auditor.reporting.finding_files import finding_file

# Width of a message in the log listing: long enough for a sentence, short enough to scan.
MESSAGE_WIDTH = 160
# GitHub keeps annotation messages whole; the cap only stops one runaway message flooding the log.
ANNOTATION_MESSAGE_WIDTH = 1000
# Control characters (C0, DEL, C1, Unicode line/paragraph separators) and bidi overrides: in a CI
# log they could move the cursor, hide text or start a new line; none belongs in a one-line message.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass
class GateResult:
    """The decision and what it rests on.

    ``blocking``: the FAIL findings that broke the gate (at or above ``fail_on``;
    with a baseline only the new ones), worst severity first, then rule id and
    resource id. ``errors``: the ERROR findings that failed the gate closed, in
    the same order (empty with ``allow_errors``).
    """

    exit_code: int
    reasons: list[str] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    new: list[FindingDict] = field(default_factory=list)
    blocking: list[FindingDict] = field(default_factory=list)
    errors: list[FindingDict] = field(default_factory=list)
    fail_on: str | None = None
    baseline: bool = False


def worst_first(f: FindingDict) -> tuple[int, str, str]:
    """Sort key: worst severity first, then rule id, then resource id."""
    return -severity_rank(f["severity"]), f["rule_id"], f["resource_id"]


def decide(doc: FindingsDocument, *, fail_on: str | None, allow_errors: bool = False,
           baseline: FindingsDocument | None = None) -> GateResult:
    """Decide the gate for ``doc`` (optionally relative to ``baseline``)."""
    findings = doc["findings"]
    candidates = (diff_documents(doc, baseline).new if baseline is not None
                  else [f for f in findings if f["status"] == "FAIL"])
    counts: dict[str, Counter[str]] = {sev: Counter() for sev in reversed(SEVERITIES)}
    for f in findings:
        counts[f["severity"]][f["status"]] += 1
    result = GateResult(0, counts=counts, new=candidates if baseline is not None else [],
                        fail_on=fail_on, baseline=baseline is not None)
    if fail_on is not None:
        threshold = severity_rank(fail_on)
        result.blocking = sorted((f for f in candidates if severity_rank(f["severity"]) >= threshold), key=worst_first)
        if result.blocking:
            what = "new " if baseline is not None else ""
            result.exit_code = 1
            result.reasons.append(f"{len(result.blocking)} {what}FAIL finding(s) at or above '{fail_on}'")
    errors = [f for f in findings if f["status"] == "ERROR"]
    if errors and not allow_errors:
        result.errors = sorted(errors, key=worst_first)
        result.reasons.append(f"{len(errors)} finding(s) could not be evaluated (ERROR)")
        if result.exit_code == 0:
            result.exit_code = 3
    return result


def accounts(doc: FindingsDocument) -> set[str]:
    """The AWS account ids a findings document is about (``run.account``, comma-separated when merged)."""
    return {a.strip() for a in str(doc.get("run", {}).get("account") or "").split(",") if a.strip()}


def check_baseline_account(doc: FindingsDocument, baseline: FindingsDocument, *, baseline_path: str,
                           force: bool = False) -> None:
    """Refuse a baseline taken in another AWS account than ``doc`` (``UsageError``, exit 2) unless ``force``.

    Diffing two accounts reports every finding of one as new and every one of the
    other as resolved: a gate that looks meaningful and is not. Documents without
    an account (data and pipeline runs) are compared as before.
    """
    now, before = accounts(doc), accounts(baseline)
    if force or not now or not before or now == before:
        return
    raise UsageError(f"{baseline_path}: the baseline is from AWS account {one_line(', '.join(sorted(before)), 120)} "
                     f"but the findings are from {one_line(', '.join(sorted(now)), 120)}; compare with a baseline "
                     "of the same account, or pass --force to diff them anyway")


def _failed(result: GateResult) -> list[tuple[str, FindingDict]]:
    """(tag, finding) for everything that failed the gate: blocking FAILs first, then ERRORs."""
    tag = "NEW" if result.baseline else "FAIL"
    return [(tag, f) for f in result.blocking] + [("ERROR", f) for f in result.errors]


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, at a word boundary when one is near, with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= width * 2 // 3:  # a word boundary near the end reads better than half a word
        cut = cut[:space]
    return cut.rstrip() + "…"


def one_line(text: str, width: int = MESSAGE_WIDTH) -> str:
    """``text`` as one printable line: whitespace runs (newlines included) collapsed, truncated."""
    return truncate(_UNPRINTABLE.sub("?", " ".join(text.split())), width)


def _rest(rest: list[tuple[str, FindingDict]]) -> str:
    """'37 more FAIL', or '37 more (35 FAIL, 2 ERROR)' when the rest is mixed."""
    by_tag = Counter(tag for tag, _ in rest)
    if len(by_tag) == 1:
        return f"{len(rest)} more {rest[0][0]}"
    return f"{len(rest)} more (" + ", ".join(f"{n} {tag}" for tag, n in by_tag.items()) + ")"


def listing(result: GateResult, max_list: int = 20) -> list[str]:
    """Log lines naming the findings that failed the gate (none when it passed or ``max_list`` is 0).

    One line per finding -- tag (FAIL, NEW with a baseline, ERROR), severity,
    rule id, resource id, message -- at most ``max_list`` of them, then a count
    of the rest.
    """
    failed = _failed(result)
    if not failed or max_list <= 0:
        return []
    shown, rest = failed[:max_list], failed[max_list:]
    rule_width = min(max(len(f["rule_id"]) for _, f in shown), 48)
    lines = ["Findings that failed the gate (worst first):"]
    for tag, f in shown:
        lines.append(f"  {tag:<5} {f['severity']:<8} {f['rule_id']:<{rule_width}}  {one_line(f['resource_id'], 300)}"
                     f"  {one_line(f['message'] or f['title'])}")
    if rest:
        lines.append(f"  ... and {_rest(rest)}")
    return lines


def escape_data(value: str) -> str:
    """Escape a workflow-command message exactly as GitHub's toolkit does (``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value exactly as GitHub's toolkit does (``escapeProperty``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def _annotation(tag: str, f: FindingDict) -> str:
    title = f"{f['rule_id']} ({f['severity']})" if tag != "ERROR" else f"{f['rule_id']} ({f['severity']}, not evaluated)"
    properties = {"title": title}
    path = finding_file(f)
    if path is not None:
        properties["file"] = path
        location = f.get("location")
        line = location.get("line") if location else None
        if location and isinstance(line, int) and line > 0:  # IaC findings: the resource's line in the template
            properties["line"] = str(line)
            properties["col"] = str(location.get("column") or 1)
    message = _UNPRINTABLE.sub(" ", f"{f['resource_id']}: {f['message'] or f['title']}")
    return _command("warning" if tag == "ERROR" else "error", properties, truncate(message, ANNOTATION_MESSAGE_WIDTH))


def github_annotations(result: GateResult, max_list: int = 20) -> list[str]:
    """GitHub Actions workflow commands for the findings that failed the gate.

    ``::error`` for each blocking FAIL, ``::warning`` for each ERROR finding
    that failed the gate closed (none with ``--allow-errors``), at most
    ``max_list`` (0: none), then one ``::notice`` counting the rest. Every
    value is escaped as GitHub's toolkit escapes it, so a finding's text can
    never start a command of its own.
    """
    failed = _failed(result)
    if not failed or max_list <= 0:
        return []
    shown, rest = failed[:max_list], failed[max_list:]
    lines = [_annotation(tag, f) for tag, f in shown]
    if rest:
        lines.append(_command("notice", {"title": "auditor gate"},
                              f"{_rest(rest)} failed the gate but were not annotated (--max-list {max_list}); "
                              "the findings document has them all"))
    return lines
