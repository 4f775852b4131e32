"""Mutes are temporary and narrow: a lifetime cap (an error at `expires`) and a warning for catch-all entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from auditor.audit_run import prepare
from auditor.core.errors import ConfigError
from auditor.core.mutes import MAX_MUTE_DAYS, load_mutelist, matches_everything

FIX = Path(__file__).parent.parent / "fixtures"
TODAY = date(2026, 12, 7)


def _mutelist(tmp_path: Path, *entries: tuple[str, str, str]) -> Path:
    lines = ["version: 1", "mutes:"]
    for rule, resource, expires in entries:
        lines += [f'  - rule: "{rule}"', f'    resource: "{resource}"',
                  "    reason: Accepted by the risk board (RISK-1)", f"    expires: {expires}"]
    f = tmp_path / "mutes.yml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f


def test_an_entry_beyond_the_cap_is_an_error_at_its_expiry(tmp_path: Path) -> None:
    f = _mutelist(tmp_path, ("widget-enabled", "widget-1", "2027-06-30"), ("widget-*", "widget-2", "2099-12-31"))
    with pytest.raises(ConfigError) as info:
        load_mutelist(f, today=TODAY)
    assert [str(p) for p in info.value.problems] == [
        f"{f}:10:14: mutes[1].expires: 2099-12-31 is 26687 days after 2026-12-07; a mute lasts at most "
        f"{MAX_MUTE_DAYS} days (mutelist.max_days in --config): set an earlier date and review the risk then"]


def test_the_cap_is_inclusive_and_configurable(tmp_path: Path) -> None:
    f = _mutelist(tmp_path, ("widget-enabled", "widget-1", "2027-12-08"))  # 366 days
    assert len(load_mutelist(f, today=TODAY).entries) == 1
    with pytest.raises(ConfigError, match="a mute lasts at most 90 days"):
        load_mutelist(f, today=TODAY, max_days=90)
    cfg = tmp_path / "audit.yml"
    cfg.write_text("version: 1\nmutelist: {max_days: 90}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mutes.yml:6:14: mutes\[0\].expires: .* at most 90 days"):
        prepare([FIX / "rules" / "good"], mutelist=f, config=cfg, today=datetime(2026, 12, 7, tzinfo=UTC))
    cfg.write_text("version: 1\nmutelist: {max_dayz: 90}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_dayz"):
        prepare([FIX / "rules" / "good"], mutelist=f, config=cfg, today=datetime(2026, 12, 7, tzinfo=UTC))


def test_expired_entries_are_not_lifetime_errors(tmp_path: Path) -> None:
    f = _mutelist(tmp_path, ("widget-enabled", "widget-1", "2020-01-01"))
    assert len(load_mutelist(f, today=TODAY).entries) == 1


@pytest.mark.parametrize(("pattern", "everything"), [
    ("*", True), ("**", True), ("*?", True), ("?", False), ("s3-*", False), ("*-enabled", False), ("[*]", False),
])
def test_matches_everything(pattern: str, everything: bool) -> None:
    assert matches_everything(pattern) is everything


def test_catch_all_entries_are_warned_with_their_position(tmp_path: Path) -> None:
    f = _mutelist(tmp_path, ("*", "*", "2027-03-01"), ("s3-bucket-versioning-enabled", "*", "2027-03-01"),
                  ("*", "arn:aws:s3:::scratch", "2027-03-01"), ("widget-enabled", "widget-1", "2027-03-01"))
    m = load_mutelist(f, today=TODAY)
    assert len(m.entries) == 4  # they still mute: the warning asks for a narrower entry
    assert m.warnings == [
        f"{f}:3:11: mutes[0].rule: catch-all mute: it mutes every FAIL finding of the run until 2027-03-01; "
        "name the rules and resources it accepts",
        f"{f}:8:15: mutes[1].resource: catch-all mute: it mutes every FAIL of rule(s) "
        "'s3-bucket-versioning-enabled', on any resource until 2027-03-01; name the rules and resources it accepts",
        f"{f}:11:11: mutes[2].rule: catch-all mute: it mutes every rule's FAIL on resources matching "
        "'arn:aws:s3:::scratch' until 2027-03-01; name the rules and resources it accepts",
    ]
    p = prepare([FIX / "rules" / "good"], mutelist=f, today=datetime(2026, 12, 7, tzinfo=UTC))
    assert p.warnings == m.warnings
