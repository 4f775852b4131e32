"""docs/aws-cis-coverage.md cannot drift from the framework file and the rules.

Every CIS v6 control is a row; every rule a row names exists and really maps itself to
that control (v6 and v5 ids); a row with no rule is a manual control whose framework
entry says why.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.audit_run import DEFAULT_RULES, prepare
from auditor.compliance.mapping import load_frameworks

DOC = Path(__file__).resolve().parents[2] / "docs" / "aws-cis-coverage.md"
ROW = re.compile(r"^\| (\d+(?:\.\d+)+) \| (\d+(?:\.\d+)+) \| ([AM]) \| [^|]+ \| (.+) \|$")


def _rows() -> dict[str, tuple[str, str, list[str]]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), re.findall(r"`([a-z0-9-]+)`", m.group(4)))
    return rows


def test_every_control_is_a_row_with_its_v5_id_and_kind() -> None:
    fws = load_frameworks()
    cis6, cis5 = fws["cis-aws-6.0"], fws["cis-aws-5.0"]
    rows = _rows()
    assert list(rows) == cis6.control_ids()
    for control in cis6.controls:
        v5, kind, _ = rows[control.id]
        assert cis5.control(v5) is not None and cis5.control(v5).title == control.title  # type: ignore[union-attr]
        assert kind == ("A" if control.automated else "M"), control.id


def test_named_rules_exist_and_map_to_the_row_in_both_versions() -> None:
    rules = {r.id: r for r in prepare([DEFAULT_RULES]).rules}
    cis6 = load_frameworks()["cis-aws-6.0"]
    for cid, (v5, _, named) in _rows().items():
        for rule_id in named:
            assert rule_id in rules, f"{cid}: no rule {rule_id}"
            assert cid in rules[rule_id].compliance.get("cis-aws-6.0", []), f"{rule_id} does not map to {cid}"
            assert v5 in rules[rule_id].compliance.get("cis-aws-5.0", []), f"{rule_id} does not map to v5 {v5}"
        if not named:
            control = cis6.control(cid)
            assert control is not None and not control.automated and control.description, \
                f"{cid}: a control without a rule must be manual and say why in the framework file"
