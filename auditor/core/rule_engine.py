"""The engine: rules x resources -> exactly one finding per in-scope resource.

For each rule and each resource of the rule's type:

1. a resource whose collection failed for an attribute the rule reads (or
   entirely) -> ERROR, naming the failed call and error code;
2. ``where`` decides scope: out of scope -> no finding at all (a failed call
   only makes the scope an ERROR when the other attributes cannot settle it);
3. a disabled rule -> SKIPPED (the auditor sees what was not checked);
4. ``assert`` decides PASS or FAIL; a filter that cannot evaluate -> ERROR;
5. a FAIL matched by an active mutelist entry -> MUTED (with reason, owner,
   expiry); an expired entry no longer mutes and says so in the message;
6. values of the type's personal attributes (people's contact details) are taken
   out of the finding's evidence and message (:mod:`auditor.core.personal`).

A listing that failed for a whole scope (``ScopeFailure``) gives one ERROR
finding per rule of that type, on the scope's id. An unexpected exception while
evaluating a rule on a resource (a bug in the engine or a filter) is an ERROR
finding for that rule and resource naming the exception; the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.core.context import RunContext
from auditor.core.errors import EvaluationError, crash_summary
from auditor.core.filters import EvalContext, Outcome, decide_all, evaluate_all
from auditor.core.findings import Finding, Status
from auditor.core.mutes import Mutelist
from auditor.core.personal import declared_values, hide_personal
from auditor.core.resources import Inventory, Resource, resource_types
from auditor.core.rules import Rule, render_message


def _personal_attributes(type_name: str) -> frozenset[str]:
    """The attributes of ``type_name`` whose values no finding may show."""
    return resource_types.get(type_name).personal if type_name in resource_types else frozenset()


class _ScopeError(Exception):
    """The scope of a rule cannot be decided because a call it needs failed."""


# Exceptions a filter may raise on unexpected data; they become ERROR findings
# instead of aborting the run. Anything else is a bug and propagates.
_EVAL_ERRORS = (EvaluationError, TypeError, ValueError, KeyError, AttributeError, IndexError)


class Engine:
    """Evaluate rules over an inventory."""

    def __init__(self, rules: Iterable[Rule], mutelist: Mutelist | None = None,
                 context: RunContext | None = None) -> None:
        self.rules = list(rules)
        self.mutelist = mutelist
        self.context = context or RunContext()

    def run(self, inventory: Inventory) -> list[Finding]:
        """All findings, sorted by (rule id, resource id)."""
        now = self.context.now()
        findings: list[Finding] = []
        for rule in self.rules:
            ctx = EvalContext(now=now, params=rule.params, services=self.context.services)
            for failure in inventory.failures.get(rule.resource, []):
                findings.append(self._finding(rule, failure.scope_id, failure.region, Status.ERROR,
                                              f"could not list {rule.resource}: {failure.reason}", {}))
            for resource in inventory.of(rule.resource):
                try:
                    finding = self.evaluate(rule, resource, ctx)
                except Exception as exc:  # noqa: BLE001 - an engine or filter bug costs this rule, never the run
                    finding = self._error(rule, resource, f"internal error: {crash_summary(exc)}")
                if finding is not None:
                    findings.append(finding)
        findings.sort(key=lambda f: f.sort_key)
        return findings

    def evaluate(self, rule: Rule, resource: Resource, ctx: EvalContext) -> Finding | None:
        """The one finding of ``rule`` on ``resource`` (None when out of scope), with no personal data."""
        finding = self._evaluate(rule, resource, ctx)
        personal = _personal_attributes(rule.resource)
        if finding is not None and personal:
            hide_personal(finding, resource.attrs, personal, declared_values(rule) if personal & rule.roots() else ())
        return finding

    def _evaluate(self, rule: Rule, resource: Resource, ctx: EvalContext) -> Finding | None:
        try:
            if not self._in_scope(rule, resource, ctx):
                return None
        except _ScopeError as exc:
            return self._error(rule, resource, str(exc))
        except _EVAL_ERRORS as exc:
            return self._error(rule, resource, f"cannot decide scope: {_reason(exc)}")
        if not rule.enabled:
            return self._finding(rule, resource.id, resource.region, Status.SKIPPED,
                                 f"{resource.display}: rule disabled by the run configuration", {})
        blocked = _collection_errors(resource, rule.assert_roots())
        if blocked:
            return self._error(rule, resource, blocked)
        try:
            outcome = evaluate_all(rule.assert_, resource.attrs, ctx)
        except _EVAL_ERRORS as exc:
            return self._error(rule, resource, _reason(exc))
        return self._judged(rule, resource, outcome)

    @staticmethod
    def _in_scope(rule: Rule, resource: Resource, ctx: EvalContext) -> bool:
        """Whether ``where`` keeps ``resource`` in scope (raises :class:`_ScopeError` if undecidable)."""
        if not rule.where:
            return True
        roots = rule.where_roots()
        blocked = _collection_errors(resource, roots)
        if not blocked:
            return evaluate_all(rule.where, resource.attrs, ctx).ok
        # A failed call only blocks the scope decision when the rest cannot settle it
        # (a bucket named like a data bucket is in scope whatever its unreadable tags).
        usable = set() if "*" in resource.errors else roots - set(resource.errors)
        settled = decide_all(rule.where, resource.attrs, ctx, usable)
        if settled is None:
            raise _ScopeError(blocked)
        return settled

    def _judged(self, rule: Rule, resource: Resource, outcome: Outcome) -> Finding:
        status = Status.PASS if outcome.ok else Status.FAIL
        message = self._message(rule, resource, outcome)
        finding = self._finding(rule, resource.id, resource.region, status, message, outcome.evidence)
        if status == Status.FAIL and self.mutelist is not None:
            active, expired = self.mutelist.lookup(rule.id, resource.id, self.context.now().date())
            if active is not None:
                finding.status = Status.MUTED
                finding.mute = active.as_dict()
            elif expired is not None:
                finding.message += f" (mute expired {expired.expires.isoformat()}, {expired.source})"
        return finding

    def _message(self, rule: Rule, resource: Resource, outcome: Outcome) -> str:
        if rule.message and not outcome.ok:
            extra: dict[str, Any] = {"id": resource.id, "name": resource.display, "region": resource.region,
                                     "params": rule.params}
            return render_message(rule.message, resource.attrs, extra)
        if outcome.ok:
            return f"{resource.display}: {rule.title}"
        return f"{resource.display}: {outcome.reason}"

    def _error(self, rule: Rule, resource: Resource, reason: str) -> Finding:
        return self._finding(rule, resource.id, resource.region, Status.ERROR,
                             f"{resource.display}: could not evaluate: {reason}", {})

    @staticmethod
    def _finding(rule: Rule, resource_id: str, region: str, status: Status, message: str,
                 evidence: dict[str, Any]) -> Finding:
        return Finding(
            rule_id=rule.id, title=rule.title, status=status, severity=rule.severity,
            resource_type=rule.resource, resource_id=resource_id, region=region, message=message,
            evidence=evidence, compliance={k: list(v) for k, v in sorted(rule.compliance.items())},
            remediation=rule.remediation.render(),
        )


def _collection_errors(resource: Resource, roots: set[str]) -> str:
    if not resource.errors:
        return ""
    if "*" in resource.errors:
        return resource.errors["*"]
    hits = sorted({resource.errors[r] for r in roots if r in resource.errors})
    return "; ".join(hits)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EvaluationError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
