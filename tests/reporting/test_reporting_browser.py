"""The report in a real browser: headless Chromium, as a compliance officer opens it.

Checks that the page runs without console errors, that the filters work (the
filter state is read from the URL fragment, so ``--dump-dom`` of
``index.html#status=FAIL&severity=critical`` is the page after a user chose
those filters), and takes a screenshot.

Needs Debian's ``chromium`` (``apt-get install -y chromium``). Without it the
test is skipped locally and FAILS in CI (``CI`` set), so a missing browser is
never mistaken for a passing test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from headless import SKIP_WITHOUT_CHROMIUM, chromium
from reporting_synth import XSS, hostile_finding, make_doc

from auditor.reporting.model import STATUSES
from auditor.reporting.writers.html_writer import render

pytestmark = [SKIP_WITHOUT_CHROMIUM, pytest.mark.slow]  # end to end: the report in headless Chromium


def _chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return chromium(tmp_path, url, *extra, timeout=120)


def _console_errors(stderr: str) -> list[str]:
    """Console errors, uncaught exceptions and CSP violations from Chromium's log."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and ("Uncaught" in line or ":ERROR:" in line or "Content Security Policy" in line)]


def _expected_matches(doc: dict[str, Any], status: str, severity: str) -> int:
    order = ["critical", "high", "medium", "low", "info"]
    return sum(1 for f in doc["findings"] if f["status"] == status and order.index(f["severity"]) <= order.index(severity))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    d = tmp_path_factory.mktemp("site")
    doc = make_doc(n_buckets=300, fail_ratio=0.5, extra=[hostile_finding()])
    (d / "index.html").write_text(render([doc], generated_at="2026-11-27T12:00:00Z"), encoding="utf-8")
    return d, doc


def test_no_console_errors_and_filter_works(site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    d, doc = site
    url = (d / "index.html").as_uri() + "#status=FAIL&severity=critical"
    res = _chromium(tmp_path, url, "--dump-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    assert _console_errors(res.stderr) == []
    dom = res.stdout
    assert 'data-ready="yes"' in dom, "the report script did not finish"
    expected = _expected_matches(doc, "FAIL", "critical")
    assert 0 < expected < len(doc["findings"])
    assert f'data-explorer-matches="{expected}"' in dom
    tbody = re.search(r'<tbody id="explorer-rows">(.*?)</tbody>', dom, re.S)
    assert tbody is not None
    assert tbody.group(1).count("<tr>") == min(expected, 100)  # one page, never all rows
    assert "st-PASS" not in tbody.group(1)
    # Rule groups without a critical failure are hidden, and the count says how many remain.
    hidden_high = re.search(r'<details class="rule rulegroup hidden" id="rule-kms-cmk-rotation-enabled"', dom)
    assert hidden_high is not None
    critical_rules = {f["rule_id"] for f in doc["findings"] if f["status"] == "FAIL" and f["severity"] == "critical"}
    assert f'<span id="groups-shown">{len(critical_rules)}</span>' in dom
    # Injected markup stayed text in the browser too: no element was created from it.
    assert "<script>alert(1)</script>" not in dom.split('id="findings-data"')[0]


def test_text_filter_finds_one_resource(site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    d, doc = site
    url = (d / "index.html").as_uri() + "#q=registraroffice-landing-00007"
    res = _chromium(tmp_path, url, "--dump-dom")
    expected = sum(1 for f in doc["findings"] if "registraroffice-landing-00007" in f["resource_id"])
    assert expected > 0
    assert f'data-explorer-matches="{expected}"' in res.stdout
    assert len(STATUSES) == 5


def test_detector_sees_a_broken_script(tmp_path: Path) -> None:
    """The console-error check can fail: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
                    encoding="utf-8")
    res = _chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert _console_errors(res.stderr), res.stderr[-2000:]


def test_screenshot(site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    d, _ = site
    shot = tmp_path / "report.png"
    res = _chromium(tmp_path, (d / "index.html").as_uri(), f"--screenshot={shot}", "--window-size=1280,1600",
                    "--hide-scrollbars")
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    keep = os.environ.get("REPORT_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")
    assert XSS  # the hostile finding is part of the screenshot page


def test_owner_filter(site: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    """#owner=NAME keeps that owner's findings; #owner=- the unassigned ones."""
    d, doc = site
    owned = sum(1 for f in doc["findings"] if f.get("owner") == "data-platform")
    assert 0 < owned < len(doc["findings"])
    res = _chromium(tmp_path, (d / "index.html").as_uri() + "#owner=data-platform", "--dump-dom")
    assert _console_errors(res.stderr) == []
    assert f'data-explorer-matches="{owned}"' in res.stdout
    unassigned = _chromium(tmp_path, (d / "index.html").as_uri() + "#owner=-&status=FAIL", "--dump-dom")
    expected = sum(1 for f in doc["findings"] if not f.get("owner") and f["status"] == "FAIL")
    assert f'data-explorer-matches="{expected}"' in unassigned.stdout
    # Failing controls owned by someone else are hidden from the summary table too.
    table = unassigned.stdout.split('id="failing-controls"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr data-filter-item="" data-owners="([^"]*)"( class="hidden")?>', table)
    assert rows and {owner for owner, hidden in rows if hidden} == {"data-platform"}
    assert {owner for owner, hidden in rows if not hidden} == {""}
