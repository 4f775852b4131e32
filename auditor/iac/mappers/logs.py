"""CloudWatch Logs groups: the one name by which trails and metric filters meet.

A trail names its log group by ARN (``!GetAtt Logs.Arn``, ``aws_cloudwatch_log_group.x.arn``),
a metric filter by name (``!Ref Logs``, ``aws_cloudwatch_log_group.x.name``, or the literal
name). :func:`log_group_name` gives both the same text: the group's declared name when it is
in the change (its generated-name shape when it has none), else the name in the ARN.
"""

from __future__ import annotations

from typing import Any

from auditor.iac.build import Builder
from auditor.iac.mappers.common import name_or_generated
from auditor.iac.values import Symbol, Unknown

LOG_GROUP_TYPES = ("AWS::Logs::LogGroup", "aws_cloudwatch_log_group")


def index_log_groups(b: Builder) -> None:
    """Register every log group of the change under its name (for joins by literal name)."""
    for src in b.of(*LOG_GROUP_TYPES):
        raw = src.props.get("LogGroupName" if src.type == "AWS::Logs::LogGroup" else "name")
        name, _ = name_or_generated(src, raw, "log-group")
        b.name("log-group", name, src)


def log_group_name(b: Builder, value: Any) -> Any:
    """The log group's name for a name, an ARN or a reference (see the module doc)."""
    if isinstance(value, Unknown) or value is None:
        return value
    target = b.target(value, "log-group", LOG_GROUP_TYPES)
    if target is None and isinstance(value, str) and ":log-group:" in value:
        name = value.split(":log-group:", 1)[1].split(":", 1)[0]
        target = b.target(name, "log-group", LOG_GROUP_TYPES)
        if target is None:
            return name
    if target is not None:
        b.use(target)
        raw = target.props.get("LogGroupName" if target.type == "AWS::Logs::LogGroup" else "name")
        name, _ = name_or_generated(target, raw, "log-group")
        return name
    if isinstance(value, Symbol):
        return Unknown(f"the log group {value} is decided at deploy")
    return str(value)
