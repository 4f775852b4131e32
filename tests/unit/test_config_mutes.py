"""Mutelist and run config: invalid files are configuration errors, never empty lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit_run import prepare
from auditor.core.errors import ConfigError
from auditor.core.mutes import load_mutelist

FIX = Path(__file__).parent.parent / "fixtures"


def test_invalid_mutelist_reports_every_problem() -> None:
    f = FIX / "mutelists" / "invalid.yml"
    with pytest.raises(ConfigError) as info:
        load_mutelist(f)
    assert [str(p) for p in sorted(info.value.problems)] == [
        f"{f}:3:5: mutes[0]: missing required field 'reason'",
        f"{f}:6:14: mutes[0].expires: 'soon' is not a valid date",
        f"{f}:9:13: mutes[1].reason: must be at least 10 characters",
        f"{f}:10:14: mutes[1].expires: '2026-02-30' is not a valid date",
    ]


def test_empty_mutelist_file_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "m.yml"
    f.write_text("")
    with pytest.raises(ConfigError, match="missing required field 'version'"):
        load_mutelist(f)


def test_bad_config_reports_unknown_rules_and_params() -> None:
    f = FIX / "configs" / "bad.yml"
    with pytest.raises(ConfigError) as info:
        prepare([FIX / "rules" / "good"], config=f)
    assert [str(p) for p in sorted(info.value.problems)] == [
        f"{f}:3:3: rules.widget-smal: unknown rule 'widget-smal' (did you mean 'widget-small'?)",
        f"{f}:6:14: rules.widget-small.params.max_sise: rule 'widget-small' has no param 'max_sise' "
        "(did you mean 'max_size'?)",
        f"{f}:6:37: rules.widget-small.params.max_size: expected int like the default 10, got 'big'",
    ]


def test_rules_config_and_mutelist_errors_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        prepare([FIX / "rules" / "broken" / "duplicate-key.yml"], config=FIX / "configs" / "bad.yml",
                mutelist=FIX / "mutelists" / "invalid.yml")
    files = {p.path.rsplit("/", 1)[-1] for p in info.value.problems}
    assert files == {"duplicate-key.yml", "invalid.yml"}  # config needs valid rules to be checked


def test_unknown_config_section(tmp_path: Path) -> None:
    f = tmp_path / "c.yml"
    f.write_text("version: 1\nrulez: {}\n")
    with pytest.raises(ConfigError, match=r"c.yml:2:1: rulez: unknown field 'rulez' \(did you mean 'rules'\?\)"):
        prepare([FIX / "rules" / "good"], config=f)


def test_config_may_override_rules_of_packs_this_run_does_not_load(tmp_path: Path) -> None:
    """One audit.yml serves `aws scan`, `data scan` and `auditor run`: each loads one pack."""
    from auditor.audit_run import DEFAULT_RULES

    config = tmp_path / "audit.yml"
    config.write_text("version: 1\nrules:\n  dataset-column-pii-masked: {severity: critical}\n"
                      "  iam-password-policy-min-length: {params: {min_length: 16}}\n")
    aws = prepare([DEFAULT_RULES / "aws"], config=config)
    assert {r.id: r.params for r in aws.rules}["iam-password-policy-min-length"]["min_length"] == 16
    data = prepare([DEFAULT_RULES / "data"], config=config)
    assert {r.id: r.severity for r in data.rules}["dataset-column-pii-masked"] == "critical"


def test_override_of_a_rule_not_loaded_is_still_checked(tmp_path: Path) -> None:
    from auditor.audit_run import DEFAULT_RULES

    config = tmp_path / "audit.yml"
    config.write_text("version: 1\nrules:\n  dataset-column-pii-maskd: {severity: high}\n"
                      "  iam-password-policy-min-length: {params: {min_lenght: 16}}\n")
    with pytest.raises(ConfigError) as err:
        prepare([DEFAULT_RULES / "data"], config=config)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "unknown rule 'dataset-column-pii-maskd'" in text and "dataset-column-pii-masked" in text
    assert "has no param 'min_lenght'" in text and "audit.yml:4:" in text
