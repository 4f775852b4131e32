"""``junit.xml``: one test case per rule x resource, for CI test dashboards.

One ``<testsuite>`` per rule; FAIL is a ``<failure>``, ERROR an ``<error>``,
SKIPPED and MUTED are ``<skipped>`` (with the mute reason). Built with
``xml.etree`` so every value is escaped; characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from auditor.core.documents import FindingDict, FindingsDocument
from auditor.reporting.atomic import write_atomic

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: Any) -> str:
    return _INVALID_XML.sub("", str(value))


def to_junit(doc: FindingsDocument) -> ET.Element:
    """The JUnit XML tree for a findings document."""
    by_rule: dict[str, list[FindingDict]] = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    total = Counter(f["status"] for f in doc["findings"])
    root = ET.Element("testsuites", name=f"auditor {doc['run']['kind']} {doc['run']['id']}",
                      tests=str(len(doc["findings"])), failures=str(total["FAIL"]), errors=str(total["ERROR"]),
                      skipped=str(total["SKIPPED"] + total["MUTED"]))
    for rule_id, items in by_rule.items():
        c = Counter(f["status"] for f in items)
        suite = ET.SubElement(root, "testsuite", name=_clean(rule_id), tests=str(len(items)),
                              failures=str(c["FAIL"]), errors=str(c["ERROR"]), skipped=str(c["SKIPPED"] + c["MUTED"]),
                              timestamp=doc["run"]["started_at"])
        for f in items:
            case = ET.SubElement(suite, "testcase", classname=_clean(f"{f['resource_type']}.{rule_id}"),
                                 name=_clean(f["resource_id"]), time="0")
            text = _clean(f"{f['title']}\n{f['message']}\nseverity: {f['severity']}\nremediation: {f['remediation']}")
            if f["status"] == "FAIL":
                ET.SubElement(case, "failure", message=_clean(f["message"]), type=f["severity"]).text = text
            elif f["status"] == "ERROR":
                ET.SubElement(case, "error", message=_clean(f["message"]), type="could-not-evaluate").text = text
            elif f["status"] in ("SKIPPED", "MUTED"):
                mute = f.get("mute")
                reason = (mute.get("reason") if mute else None) or f["message"]
                ET.SubElement(case, "skipped", message=_clean(f"{f['status']}: {reason}"))
    return root


def write_junit(doc: FindingsDocument, outdir: Path) -> Path:
    """Write ``OUTDIR/junit.xml``."""
    tree = to_junit(doc)
    ET.indent(tree)
    return write_atomic(outdir / "junit.xml", ET.tostring(tree, encoding="utf-8", xml_declaration=True))
