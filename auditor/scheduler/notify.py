"""Tell people about new critical/high failures: an SNS topic and/or a webhook.

The message names the run, the counts and the first new failures (severity,
rule, resource): no evidence and no message text, so nothing sensitive leaves
through a notification channel. The webhook body is JSON with a ``text`` field,
which Slack and Teams incoming webhooks display as is.

A notification that cannot be delivered is reported (the run then exits 3):
an unattended audit that fails to alert must not look like a quiet night.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from auditor.core.aws_clients import default_client
from auditor.core.documents import FindingDict, FindingsDocument
from auditor.core.rules import severity_rank
from auditor.scheduler.schedule_section import NotifySection

LIST_MAX = 20


@dataclass
class Alert:
    subject: str
    text: str
    payload: dict[str, Any]


def alert_for(doc: FindingsDocument, new: list[FindingDict], *, threshold: str, report: str,
              first_run: bool) -> Alert | None:
    """The alert for the new FAIL findings at or above ``threshold``, or None when there are none."""
    rank = severity_rank(threshold)
    hits = sorted((f for f in new if f["status"] == "FAIL" and severity_rank(f["severity"]) >= rank),
                  key=lambda f: (-severity_rank(f["severity"]), f["rule_id"], f["resource_id"]))
    if not hits:
        return None
    run = doc["run"]
    counts: dict[str, int] = {}
    for f in hits:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    what = ", ".join(f"{n} {sev}" for sev, n in counts.items())
    since = "in the first recorded run" if first_run else "since the previous run"
    where = f" (account {run['account']})" if run["account"] else ""
    subject = f"auditor: {len(hits)} new failing finding(s) at or above {threshold}{where}"[:100]
    lines = [f"Audit run {run['id']}{where} found {len(hits)} new failing finding(s) {since}: {what}.",
             f"Report: {report}", ""]
    lines += [f"- [{f['severity']}] {f['rule_id']}: {f['resource_id']}" for f in hits[:LIST_MAX]]
    if len(hits) > LIST_MAX:
        lines.append(f"... and {len(hits) - LIST_MAX} more in the report")
    payload = {"text": "\n".join(lines), "run_id": run["id"], "account": run["account"], "threshold": threshold,
               "counts": counts, "report": report,
               "new": [{"severity": f["severity"], "rule_id": f["rule_id"], "title": f["title"],
                        "resource_id": f["resource_id"]} for f in hits[:LIST_MAX]]}
    return Alert(subject, "\n".join(lines), payload)


def send_sns(alert: Alert, topic_arn: str, client: Any = None) -> None:

    region = topic_arn.split(":")[3]
    sns = client or default_client("sns", region)
    sns.publish(TopicArn=topic_arn, Subject=alert.subject, Message=alert.text,
                MessageAttributes={"threshold": {"DataType": "String", "StringValue": alert.payload["threshold"]}})


def send_webhook(alert: Alert, url: str, timeout_s: float = 10.0) -> None:
    if not url.startswith(("https://", "http://")):
        raise ValueError("webhook URL must be http(s)")
    body = json.dumps(alert.payload).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "auditor"})
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:
        if resp.status >= 300:
            raise urllib.error.HTTPError(url, resp.status, "unexpected status", resp.headers, None)


def notify(alert: Alert, settings: NotifySection) -> tuple[list[str], list[str]]:
    """Send ``alert`` to every configured channel; returns (channels notified, problems)."""
    from botocore.exceptions import BotoCoreError, ClientError

    done, problems = [], []
    if settings.get("sns_topic_arn"):
        try:
            send_sns(alert, settings["sns_topic_arn"])
            done.append("sns")
        except ClientError as exc:
            problems.append(f"SNS notification failed: {exc.response.get('Error', {}).get('Code', 'ClientError')}")
        except BotoCoreError as exc:
            problems.append(f"SNS notification failed: {exc}")
    if settings.get("webhook"):
        try:
            send_webhook(alert, settings["webhook"], float(settings.get("timeout_s", 10)))
            done.append("webhook")
        except urllib.error.HTTPError as exc:
            problems.append(f"webhook notification failed: HTTP {exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            problems.append(f"webhook notification failed: {getattr(exc, 'reason', exc)}")
        except http.client.HTTPException as exc:
            # e.g. InvalidURL; its text quotes the URL, which is a secret: the type only.
            problems.append(f"webhook notification failed: {type(exc).__name__}")
    return done, problems
