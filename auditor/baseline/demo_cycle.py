"""The baseline's part of ``auditor demo``: plan -> apply -> plan again.

Call it inside an active moto account (or any account you mean to change)::

    from auditor.baseline.demo_cycle import baseline_loop, break_glass_mute
    for line in baseline_loop():
        print(line)

moto knows AWS managed policies (``AWSSupportAccess``, for the CIS support
role) only when ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` is set before the mock
starts; without it apply reports that one attachment as failed.

The break-glass group's policy allows ``*`` on ``*`` behind MFA: CIS 2.15 /
GB-IAM-1 rightly report it. It is an accepted risk, so the scan after apply
should carry a mutelist entry for it (``break_glass_mute``), which expires and
must be renewed: a periodic review of the break-glass access.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.planner import apply, plan

DEMO_EMAIL = "governance-alerts@example.com"


def _config(config: BaselineConfig | dict[str, Any] | None) -> BaselineConfig:
    if isinstance(config, BaselineConfig):
        return config
    if config is None:
        return BaselineConfig(alert_email=DEMO_EMAIL)
    return BaselineConfig.from_section({"alert_email": DEMO_EMAIL, **config})


def baseline_loop(config: BaselineConfig | dict[str, Any] | None = None, session: Any = None) -> list[str]:
    """Plan, apply, plan again; return human summary lines (nothing is printed here)."""
    import boto3

    cfg = _config(config)
    session = session or boto3.Session(region_name=cfg.region)
    before = plan(session, cfg)
    lines = [f"plan: {before.summary()}"]
    services = Counter(c.address.split("-", 1)[0].split("[", 1)[0] for c in before.pending)
    if services:
        lines.append("  changes by service: " + ", ".join(f"{s} {n}" for s, n in sorted(services.items())))
    lines += [f"  {line}" for c in before.pending if c.address.startswith(("s3-bucket-versioning", "kms-key-rotation"))
              for line in c.lines()[:1]]
    result = apply(session, cfg)
    lines.append(f"apply: {result.summary()}")
    lines += [f"  failed: {line.strip()}" for c in result.failed for line in c.lines()]
    after = result.after
    if after is not None:
        lines.append(f"plan after apply: {after.summary()} (exit code {after.exit_code})")
        lines += [f"  note: {n}" for c in after.changes for n in c.notes]
    return lines


def break_glass_mute(cfg: BaselineConfig | None = None, account: str = "*",
                     today: date | None = None, days: int = 90) -> dict[str, str]:
    """A mutelist entry accepting the MFA-gated break-glass admin policy for ``days`` days.

    ``account`` defaults to any account (a glob); ``auditor baseline mutelist``
    prints it as a ready mutelist file.
    """
    cfg = cfg or BaselineConfig()
    expires = (today or date.today()) + timedelta(days=days)
    return {
        "rule": "iam-policy-no-full-admin",
        "resource": f"arn:aws:iam::{account}:group/{cfg.role('break-glass-admins')}/*",
        "reason": "Break-glass administrators: the policy requires MFA (max 1 hour old), the group is empty "
                  "outside incidents, and CIS 5.4 alarms on every IAM policy change.",
        "owner": cfg.alert_email or "security-team",
        "expires": expires.isoformat(),
    }
