"""The rule catalogue a run writes into its findings: what was checked, in the run's words.

Every findings document written by a scan (``aws scan``, ``data scan``,
``pipeline run``, ``demo``, ``run``) carries ``attachments.rules``: one entry
per rule the run evaluated, with its title as the run rendered it (``{params.x}``
filled in from the run's parameters), severity, resource type, effective
compliance mapping, risk text and reference links::

    attachments:
      rules:
        - id: iam-root-not-used-recently
          title: The root user was not used in the last 7 days
          severity: high
          resource: aws.account
          compliance: {cis-aws-6.0: ["2.6"], cis-aws-5.0: ["1.6"]}
          risk: The root user cannot be limited by any policy; ...
          references: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"]
          enabled: true

Reports use it to tell "no resources in scope" (the rule ran, nothing matched:
a pass) from "no rule" (nothing checks the control), to show risk text and
links, and the evidence pack keeps it as the record of the rules used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from auditor.core.rules import Rule, render_message


def rendered_title(rule: Rule) -> str:
    """The rule's title with ``{params.name}`` filled in from its (possibly overridden) params.

    >>> from auditor.core.rules import Rule
    >>> rendered_title(Rule("r", "Not used in the last {params.days} days", "aws.account", "high", [],
    ...                     params={"days": 7}))
    'Not used in the last 7 days'
    """
    if "{" not in rule.title:
        return rule.title
    return render_message(rule.title, {}, {"params": rule.params})


def with_rendered_titles(rules: Iterable[Rule]) -> list[Rule]:
    """The rules with their titles rendered (findings copy the rule's title as it is)."""
    return [r if "{" not in r.title else replace(r, title=rendered_title(r)) for r in rules]


def catalogue(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """One JSON-ready entry per rule (see the module docstring), sorted by id."""
    return [{"id": r.id, "title": rendered_title(r), "severity": r.severity, "resource": r.resource,
             "compliance": {fw: list(ids) for fw, ids in sorted(r.compliance.items())},
             "risk": r.risk, "references": list(r.references), "enabled": r.enabled,
             "source": r.source.rsplit(":", 1)[0]}
            for r in sorted(rules, key=lambda r: r.id)]
