"""The baseline as data: every resource it manages, rendered from the templates.

``build_spec`` returns plain ``Desired`` records (kind, name, region,
properties). Plan/apply (:mod:`auditor.baseline.live`) and export
(:mod:`auditor.baseline.export`) both start from this one description, so the
account that ``apply`` converges and the IaC that ``export`` writes cannot
drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.templates import KEY_TOKENS, Renderer, Target

BILLING_REGION = "us-east-1"  # AWS/Billing metrics exist only there
SUPPORT_POLICY = "AWSSupportAccess"

# The baseline's roles: purpose -> (trust template, trust extras, inline permission template, managed policies)
ROLES: dict[str, tuple[str, dict[str, str], str | None, tuple[str, ...]]] = {
    "landing-writer": ("iam/trust-pipeline.json.j2", {}, "iam/landing-writer.json.j2", ()),
    "raw-processor": ("iam/trust-pipeline.json.j2", {}, "iam/raw-processor.json.j2", ()),
    "curated-reader": ("iam/trust-pipeline.json.j2", {}, "iam/curated-reader.json.j2", ()),
    "pipeline-runner": ("iam/trust-pipeline.json.j2", {}, "iam/pipeline-runner.json.j2", ()),
    "replication": ("iam/trust-service.json.j2", {"service": "s3.amazonaws.com"}, "iam/replication.json.j2", ()),
    "cloudtrail-logs": ("iam/trust-service.json.j2", {"service": "cloudtrail.amazonaws.com"},
                        "iam/cloudtrail-logs.json.j2", ()),
    "key-admin": ("iam/trust-account-mfa.json.j2", {}, None, ()),
    "support": ("iam/trust-account-mfa.json.j2", {}, None, (SUPPORT_POLICY,)),
}
INLINE_POLICY_NAME = "baseline"


@dataclass
class Desired:
    """One resource of the baseline, as the provider APIs describe it."""

    kind: str
    name: str
    props: dict[str, Any]
    region: str = ""
    depends: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"{self.kind}[{self.name}]"


@dataclass
class Spec:
    """The whole baseline for one config and target, in apply order."""

    cfg: BaselineConfig
    target: Target
    resources: list[Desired]

    def by_kind(self, kind: str) -> list[Desired]:
        return [r for r in self.resources if r.kind == kind]


def build_spec(cfg: BaselineConfig, target: Target, renderer: Renderer | None = None) -> Spec:
    """Render every template into the baseline's resources (apply order)."""
    r = renderer or Renderer(cfg, target)
    t = target
    out: list[Desired] = [Desired("iam-password-policy", "account", r.render("iam/password-policy.json.j2"))]

    for purpose, (trust, extra, _, managed) in ROLES.items():
        props: dict[str, Any] = {"AssumeRolePolicyDocument": r.render(trust, **extra),
                                 "Description": f"governed baseline: {purpose}",
                                 "ManagedPolicyArns": [f"arn:{t.partition}:iam::aws:policy/{m}" for m in managed]}
        out.append(Desired("iam-role", cfg.role(purpose), props))
    out.append(Desired("iam-group", cfg.role("break-glass-admins"),
                       {"InlinePolicy": r.render("iam/break-glass-admin.json.j2")}))

    for purpose in ("data", "logs"):
        out.append(Desired("kms-key", cfg.alias(purpose), {
            "Purpose": purpose, "Token": KEY_TOKENS[purpose],
            "Description": f"{cfg.name_prefix} governed baseline: {purpose} key",
            "Policy": r.render("kms/key-policy.json.j2", purpose=purpose), "KeyRotationEnabled": True},
            region=t.region))

    # Permission policies name the keys' ARNs: they come after the keys exist.
    for purpose, (_, _, inline, _) in ROLES.items():
        if inline:
            out.append(Desired("iam-role-policy", cfg.role(purpose), {"PolicyDocument": r.render(inline)}))

    out.append(Desired("s3-account-public-access-block", t.account, r.render("s3/public-access-block.json.j2")))
    trail_arn = t.arn("cloudtrail", f"trail/{cfg.trail_name}", region=t.region)
    buckets = [(cfg.access_log_bucket, "access-logs", None), (cfg.trail_bucket, "trail", None),
               (cfg.backup_bucket, "backup", KEY_TOKENS["data"])]
    buckets += [(name, "zone", KEY_TOKENS["data"]) for name in cfg.zone_buckets.values()]
    zones = {name: zone for zone, name in cfg.zone_buckets.items()}
    for name, kind, key in buckets:
        props = {
            "Kind": kind,
            # DataZone is how the audit's data-zone rules recognise a zone bucket whatever its name.
            "Tags": {"managed-by": "auditor-baseline", **({"DataZone": zones[name]} if name in zones else {})},
            "Versioning": {"Status": "Enabled"},
            "Encryption": r.render("s3/encryption.json.j2", kms_key_arn=key),
            "PublicAccessBlock": r.render("s3/public-access-block.json.j2"),
            "Policy": r.render("s3/bucket-policy.json.j2", bucket=name, kind=kind, trail_arn=trail_arn),
            "Lifecycle": r.render("s3/lifecycle.json.j2"),
        }
        if kind != "access-logs":
            # Logging a log bucket into itself would log its own log writes forever.
            props["Logging"] = {"TargetBucket": cfg.access_log_bucket, "TargetPrefix": f"{name}/"}
        if kind == "zone":
            props["Replication"] = r.render("s3/replication.json.j2")
        out.append(Desired("s3-bucket", name, props, region=t.region))

    out.append(Desired("logs-log-group", cfg.log_group, {"retentionInDays": cfg.log_retention_days}, region=t.region))
    trail = r.render("cloudtrail/trail.json.j2")
    out.append(Desired("cloudtrail-trail", cfg.trail_name, {
        **trail, "EventSelectors": r.render("cloudtrail/event-selectors.json.j2"), "IsLogging": True}, region=t.region))

    security_topic = cfg.topic("security")
    billing_topic = cfg.topic("billing")
    for name, region in ((security_topic, t.region), (billing_topic, BILLING_REGION)):
        out.append(Desired("sns-topic", name, {"Email": cfg.alert_email}, region=region))
    filters = r.render("cloudtrail/cis-metric-filters.json.j2")
    security_arn = t.arn("sns", security_topic, region=t.region)
    alarm_arns = []
    for f in filters:
        out.append(Desired("logs-metric-filter", f["filterName"], {
            "logGroupName": cfg.log_group, "filterName": f["filterName"], "filterPattern": f["filterPattern"],
            "metricTransformations": [{"metricName": f["metricName"], "metricNamespace": "CISBenchmark",
                                       "metricValue": "1"}],
            "Control": f["control"]}, region=t.region))
        alarm = r.render("cloudwatch/cis-alarm.json.j2", filter=f, security_topic_arn=security_arn)
        out.append(Desired("cloudwatch-alarm", alarm["AlarmName"], alarm, region=t.region))
        alarm_arns.append(t.arn("cloudwatch", f"alarm:{alarm['AlarmName']}", region=t.region))
    billing = r.render("cloudwatch/billing-alarm.json.j2",
                       billing_topic_arn=t.arn("sns", billing_topic, region=BILLING_REGION))
    out.append(Desired("cloudwatch-alarm", billing["AlarmName"], billing, region=BILLING_REGION))
    out.append(Desired("cloudwatch-dashboard", cfg.dashboard_name,
                       {"DashboardBody": r.render("cloudwatch/dashboard.json.j2", alarm_arns=alarm_arns)},
                       region=t.region))
    return Spec(cfg, target, out)
