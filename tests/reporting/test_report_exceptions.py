"""The exceptions register: every mute with owner, expiry and days left; expiring and expired counted."""

from __future__ import annotations

from datetime import date

from reporting_synth import ACCOUNT, make_doc

from auditor.reporting.exceptions import counts, register
from auditor.reporting.writers.html_writer import render


def test_register_classes_every_entry_on_the_run_date() -> None:
    doc = make_doc(n_buckets=12, fail_ratio=1.0)
    entries = register(doc, today=date(2026, 11, 27))
    assert [(e.state, e.rule, e.days_left) for e in entries] == [
        ("expired", "s3-bucket-versioning-enabled", -26),
        ("expiring", "iam-user-mfa-enabled", 18),
        ("active", "kms-cmk-rotation-enabled", 124)]
    expired, expiring, active = entries
    assert expired.failing == 10  # landing-00000..00009 fail again once the mute expired
    assert active.muted == 1 and active.owner == "platform" and active.source == "mutelist.yml"
    assert expiring.owner == "" and expiring.muted == 0
    assert counts(entries) == {"active": 1, "expiring": 1, "expired": 1}
    assert counts(register(doc, today=date(2026, 11, 27), expiring_days=10)) == \
        {"active": 2, "expiring": 0, "expired": 1}


def test_documents_without_the_mutelist_still_list_their_muted_findings() -> None:
    doc = make_doc()
    del doc["attachments"]["mutes"]
    (entry,) = register(doc, today=date(2026, 11, 27))
    assert entry.resource == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/legacy" and entry.reason == "legacy key, retired in Q1"
    assert entry.state == "active" and entry.muted == 1


def test_the_register_and_its_counts_are_in_the_report() -> None:
    html = render([make_doc(n_buckets=12, fail_ratio=1.0)], generated_at="x")
    section = html.split('id="exceptions"', 1)[1].split("</section>", 1)[0]
    assert section.count('<tr class="exc-') == 3
    assert 'exc-badge-expired">expired</span>' in section and 'exc-badge-expiring">expiring soon</span>' in section
    assert "landing buckets are rebuilt nightly" in section and ">10 failing<" in section
    card = html.split("Accepted risks", 1)[1].split("</div></div>", 1)[0]
    assert '<div class="big">2</div>' in card and "1 expiring soon, 1 expired" in card
