"""Compliance mappings are data, and they must name real rules and controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit_run import DEFAULT_RULES, prepare
from auditor.compliance.mapping import apply_mappings, load_frameworks, unknown_rule_references
from auditor.core.errors import ConfigError

FIX = Path(__file__).parent.parent / "fixtures"


def test_builtin_frameworks_load() -> None:
    fws = load_frameworks()
    assert {"cis-aws-6.0", "cis-aws-5.0", "governance-baseline"} <= set(fws)
    cis6, cis5 = fws["cis-aws-6.0"], fws["cis-aws-5.0"]
    # The whole benchmark (sections 2-6 in v6), so the report shows coverage honestly.
    assert len(cis6.controls) == len(cis5.controls) == 63
    assert [c.id for c in cis6.controls][-8:] == ["6.1.1", "6.1.2", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7"]
    assert cis6.control("3.2.1").title == cis5.control("2.2.1").title  # type: ignore[union-attr]
    assert cis6.control("6.7").title == cis5.control("5.7").title  # type: ignore[union-attr]
    # v6 = v5 with the section numbers shifted by one, same titles
    assert cis6.control("4.6").title == cis5.control("3.6").title  # type: ignore[union-attr]
    assert cis6.control("3.1.1").title == cis5.control("2.1.1").title  # type: ignore[union-attr]
    assert cis6.control("2.3").automated and not cis6.control("4.1").automated  # type: ignore[union-attr]


def test_framework_files_name_only_existing_rules() -> None:
    """Meta-test: every rule named by a framework mapping exists in the shipped packs."""
    rule_ids = [r.id for r in prepare([DEFAULT_RULES]).rules] if any(DEFAULT_RULES.rglob("*.yml")) else []
    assert unknown_rule_references(load_frameworks(), rule_ids) == []


def test_framework_mapping_naming_unknown_rule_is_caught(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(
        "id: org-controls\ntitle: Our controls\ncontrols:\n"
        "  - {id: ORG-1, title: Widgets on, rules: [widget-enabled, widget-enabeld]}\n")
    fws = load_frameworks([tmp_path])
    msgs = unknown_rule_references(fws, ["widget-enabled"])
    assert msgs == [f"{tmp_path / 'org.yml'}: control ORG-1 names unknown rule 'widget-enabeld' "
                    "(did you mean 'widget-enabled'?)"]


def test_custom_framework_maps_existing_rules_without_editing_them(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text(
        "id: org-controls\ntitle: Our controls\ncontrols:\n  - {id: ORG-1, title: Widgets on, rules: [widget-enabled]}\n")
    p = prepare([FIX / "rules" / "good"], framework_dirs=[tmp_path])
    enabled = next(r for r in p.rules if r.id == "widget-enabled")
    assert enabled.compliance["org-controls"] == ["ORG-1"]
    assert apply_mappings([], p.frameworks) == []


def test_invalid_framework_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("id: Bad Id\ntitle: x\ncontrols: []\n")
    with pytest.raises(ConfigError) as info:
        load_frameworks([tmp_path])
    msgs = [str(p) for p in info.value.problems]
    assert any(":1:5: id: 'Bad Id' does not match" in m for m in msgs)
    assert any(":3:11: controls: needs at least 1 item(s)" in m for m in msgs)
