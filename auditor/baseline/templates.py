"""Render ``policy_templates/*.json.j2`` to JSON values.

Templates are Jinja2 with ``StrictUndefined`` (a missing parameter is an
error, never an empty string) and insert every value with ``| tojson``. The
output must parse as JSON; a template that does not is reported with its
name and the parser's position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.baseline.baseline_section import BaselineConfig
from auditor.core import jsonio
from auditor.core.errors import ConfigError, Problem
from auditor.shipped import policy_templates_dir

TEMPLATE_DIR = policy_templates_dir()

# Placeholders for values only known once a resource exists (the KMS keys'
# ARNs). Plan/apply resolve them against the live account, export turns them
# into CloudFormation / Terraform references.
DATA_KEY = "__KMS_KEY_ARN_DATA__"
LOGS_KEY = "__KMS_KEY_ARN_LOGS__"
KEY_TOKENS = {"data": DATA_KEY, "logs": LOGS_KEY}


@dataclass(frozen=True)
class Target:
    """Where the baseline goes: account, partition and region."""

    account: str
    region: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        return f"arn:{self.partition}:{service}:{'' if region is None else region}:" \
               f"{self.account if account is None else account}:{resource}"

    def role_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{name}"


class Renderer:
    """Renders templates for one config and one target."""

    def __init__(self, cfg: BaselineConfig, target: Target, template_dir: Path = TEMPLATE_DIR) -> None:
        import jinja2

        self.cfg = cfg
        self.target = target
        self.template_dir = template_dir
        # JSON output, not HTML: values go through ``tojson``, which already
        # escapes everything that could break the document.
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)),
                                      undefined=jinja2.StrictUndefined, autoescape=False,
                                      keep_trailing_newline=True)
        self.rendered: list[tuple[str, dict[str, Any]]] = []

    def params(self) -> dict[str, Any]:
        t = self.target
        return {"cfg": self.cfg, "account": t.account, "partition": t.partition, "region": t.region,
                "data_key_arn": DATA_KEY, "logs_key_arn": LOGS_KEY,
                "role_arn": lambda purpose: t.role_arn(self.cfg.role(purpose))}

    def text(self, name: str, **extra: Any) -> str:
        import jinja2

        self.rendered.append((name, extra))
        try:
            return self.env.get_template(name).render(**self.params(), **extra)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError([Problem(str(self.template_dir / name), 0, 0, "", "template not found")]) from exc
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", 0) or 0
            raise ConfigError([Problem(str(self.template_dir / name), line, 0, "", f"template error: {exc}")]) from exc

    def render(self, name: str, **extra: Any) -> Any:
        """The template's JSON value; a ``ConfigError`` naming the template if it is not JSON."""
        text = self.text(name, **extra)
        try:
            return jsonio.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError([Problem(str(self.template_dir / name), exc.lineno, exc.colno, "",
                                       f"renders to invalid JSON: {exc.msg}")]) from exc


def template_names(template_dir: Path = TEMPLATE_DIR) -> list[str]:
    """Every ``*.json.j2`` template, relative to the template directory."""
    return sorted(p.relative_to(template_dir).as_posix() for p in template_dir.rglob("*.json.j2"))
