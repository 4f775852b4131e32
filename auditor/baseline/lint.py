"""``auditor templates lint``: every template renders to valid JSON, every IAM
document passes parliament and our own checks.

Example::

    problems = lint_templates(BaselineConfig())
    for p in problems: print(p)          # "iam/x.json.j2: parliament RESOURCE_MISMATCH: ..."

What is checked:

- every ``*.json.j2`` renders (StrictUndefined: a missing parameter is an
  error) and parses as JSON; a template the baseline never renders is
  reported (it would escape linting); plain ``*.json`` documents (the
  generated ``iam/auditor-readonly.json``) are parsed and linted too;
- identity policies (role and group permissions, the read-only auditor
  policy) go through parliament (offline: it ships the IAM action catalogue);
- resource policies (trust, key and bucket policies) go through parliament
  minus the findings that only make sense for identity policies (a trust
  policy has no ``Resource``; in a key policy ``"Resource": "*"`` means
  "this key");
- our own rules, for every policy: no ``Allow`` of ``*`` on ``*`` outside the
  break-glass template, no ``*`` principal without a condition.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.baseline import spec as spec_module
from auditor.baseline.baseline_section import BaselineConfig
from auditor.baseline.templates import KEY_TOKENS, TEMPLATE_DIR, Renderer, Target, template_names
from auditor.core import jsonio
from auditor.core.errors import ConfigError

LINT_TARGET = Target(account="123456789012", region="us-east-1")
BREAK_GLASS = ("iam/break-glass-admin.json.j2",)
# Parliament findings accepted for one document, with the reason (shown by lint).
ACCEPTED: dict[str, dict[str, str]] = {
    "iam/auditor-readonly.json": {"RESOURCE_STAR": "an account-wide audit reads every resource of these types"},
}
# Parliament findings that do not apply to resource-based policies.
_RESOURCE_POLICY_IGNORED = {"MALFORMED:Statement contains neither Resource nor NotResource", "RESOURCE_STAR"}


@dataclass(frozen=True)
class LintProblem:
    template: str
    message: str
    variant: str = ""

    def __str__(self) -> str:
        where = f"{self.template} ({self.variant})" if self.variant else self.template
        return f"policy_templates/{where}: {self.message}"


@dataclass
class LintReport:
    problems: list[LintProblem]
    rendered: int
    policies: int

    @property
    def accepted(self) -> list[str]:
        return [f"policy_templates/{t}: {issue} accepted: {why}" for t, d in ACCEPTED.items() for issue, why in d.items()]

    def summary(self) -> str:
        return (f"{self.rendered} documents rendered, {self.policies} IAM policy documents linted: "
                + (f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
                   if self.problems else "no problems"))


def _sample_key_arns(value: Any) -> Any:
    """Replace key placeholders by well-formed sample ARNs (parliament checks ARN shapes)."""
    text = json.dumps(value)
    for i, token in enumerate(KEY_TOKENS.values()):
        text = text.replace(token, f"arn:aws:kms:{LINT_TARGET.region}:{LINT_TARGET.account}:key/"
                                   f"0000000{i}-0000-4000-8000-000000000000")
    return json.loads(text)


def _is_policy(doc: Any) -> bool:
    return isinstance(doc, dict) and "Statement" in doc


def _is_resource_policy(doc: dict[str, Any]) -> bool:
    statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    return any("Principal" in s or "NotPrincipal" in s for s in statements)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def own_checks(doc: dict[str, Any], allow_admin: bool = False) -> list[str]:
    """Our rules: no Allow ``*`` on ``*`` (unless break-glass), no ``*`` principal without a condition."""
    out = []
    for i, st in enumerate(_as_list(doc["Statement"])):
        sid = st.get("Sid", f"#{i}")
        actions = _as_list(st.get("Action", []))
        resources = _as_list(st.get("Resource", []))
        if st.get("Effect") == "Allow" and "*" in actions and "*" in resources and not allow_admin:
            out.append(f"statement {sid}: allows '*' on '*' (only the break-glass template may)")
        principal = st.get("Principal")
        star = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS", [])))
        if star and not st.get("Condition"):
            out.append(f"statement {sid}: principal '*' without a condition")
    return out


def parliament_checks(doc: dict[str, Any], accepted: dict[str, str] | None = None) -> list[str]:
    with warnings.catch_warnings():
        # parliament 1.6 imports pkg_resources, which warns on every run; not the user's concern.
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="parliament")
        from parliament import analyze_policy_string

    resource_policy = _is_resource_policy(doc)
    out = []
    for f in analyze_policy_string(json.dumps(doc)).findings:
        detail = f.detail if isinstance(f.detail, str) else json.dumps(f.detail, default=str)
        if resource_policy and (f.issue in _RESOURCE_POLICY_IGNORED or f"{f.issue}:{detail}" in _RESOURCE_POLICY_IGNORED):
            continue
        if accepted and f.issue in accepted:
            continue
        out.append(f"parliament {f.issue}: {detail}")
    return out


def _lint_doc(template: str, variant: str, doc: Any) -> tuple[list[LintProblem], bool]:
    if not _is_policy(doc):
        return [], False
    doc = _sample_key_arns(doc)
    messages = own_checks(doc, allow_admin=template in BREAK_GLASS) + parliament_checks(doc, ACCEPTED.get(template))
    return [LintProblem(template, m, variant) for m in messages], True


def lint_templates(cfg: BaselineConfig | None = None, template_dir: Path = TEMPLATE_DIR) -> LintReport:
    """Render the whole baseline and lint every document; also the plain ``*.json`` policies."""
    cfg = cfg or BaselineConfig()
    renderer = Renderer(cfg, LINT_TARGET, template_dir)
    problems: list[LintProblem] = []
    try:
        spec_module.build_spec(cfg, LINT_TARGET, renderer=renderer)
    except ConfigError as exc:
        problems += [LintProblem(Path(p.path).relative_to(template_dir).as_posix()
                                 if Path(p.path).is_relative_to(template_dir) else p.path,
                                 f"{p.line}:{p.col}: {p.message}") for p in exc.problems]
        return LintReport(problems, 0, 0)
    rendered = policies = 0
    seen: set[tuple[str, str]] = set()
    for name, extra in renderer.rendered:
        variant = ", ".join(f"{k}={v}" for k, v in sorted(extra.items()) if isinstance(v, str | int | float))
        if (name, variant) in seen:
            continue
        seen.add((name, variant))
        found, is_policy = _lint_doc(name, variant, json.loads(renderer.text(name, **extra)))
        problems += found
        rendered += 1
        policies += is_policy
    used = {name for name, _ in renderer.rendered}
    for name in template_names(template_dir):
        if name not in used:
            problems.append(LintProblem(name, "not rendered by the baseline, so never linted"))
    for path in sorted(template_dir.rglob("*.json")):
        name = path.relative_to(template_dir).as_posix()
        try:
            doc = jsonio.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(LintProblem(name, f"{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"))
            continue
        found, is_policy = _lint_doc(name, "", doc)
        problems += found
        rendered += 1
        policies += is_policy
    return LintReport(problems, rendered, policies)
