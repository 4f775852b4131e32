"""Personal data in resource attributes: rules compare it, findings never show it.

Some attributes hold people's contact details: an AWS account's primary contact (name,
phone number, postal address) and its security contact (name, e-mail, phone). A resource
type lists them in ``ResourceType.personal``. Rules may read them like any attribute (CIS
2.1 checks that the contact is still the one a reviewer declared), but a finding never
carries their values, whatever filter or message template the rule uses:

* evidence under a personal attribute reads :data:`HIDDEN` (a missing or empty value
  is shown as it is: its absence is what a rule like CIS 2.2 reports);
* any value of the resource's personal attributes, and any string a rule that reads them
  compares with (its params: the declared contact; the ``value`` of its filters), is
  replaced by :data:`HIDDEN` in the message.

>>> from auditor.core.findings import Status
>>> f = Finding(rule_id="r", title="t", status=Status.FAIL, severity="low", resource_type="aws.account",
...             resource_id="arn:aws:iam::123456789012:root", region="global",
...             message="ContactInformation.FullName is 'Ana Lima', expected 'Ops Team'",
...             evidence={"ContactInformation.FullName": "Ana Lima"})
>>> hide_personal(f, {"ContactInformation": {"FullName": "Ana Lima"}}, frozenset({"ContactInformation"}),
...               ["Ops Team"])
>>> f.message, f.evidence
("ContactInformation.FullName is '(personal data, not shown)', expected '(personal data, not shown)'", \
{'ContactInformation.FullName': '(personal data, not shown)'})
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from auditor.core.findings import Finding
from auditor.core.paths import PathSyntaxError, root
from auditor.core.rules import Rule

HIDDEN = "(personal data, not shown)"
_MARK = "\x00"  # stands for HIDDEN while values are replaced

# Shorter strings ("CA", "US") identify nobody and would garble messages when replaced.
_MIN_HIDDEN = 3
_MAX_DEPTH = 8


def declared_values(rule: Rule) -> list[str]:
    """The strings ``rule`` compares with: its params and its filters' ``value`` operands."""
    found = [v for v in rule.params.values() if isinstance(v, str)]
    for f in [*rule.where, *rule.assert_]:
        found.extend(_operands(f.data, 0))
    return found


def hide_personal(finding: Finding, attrs: Mapping[str, Any], personal: frozenset[str],
                  declared: Iterable[str] = ()) -> None:
    """Remove the values of ``personal`` attributes (and ``declared`` ones) from ``finding``, in place."""
    finding.evidence = {k: (HIDDEN if _evidence_root(k) in personal and _holds_data(v) else v)
                        for k, v in finding.evidence.items()}
    values = {v for name in personal for v in _strings(attrs.get(name), 0)}
    values.update(declared)
    # Messages quote values as they are, as repr() writes them ('O\'Brien\nLtd') or as JSON;
    # replaced wherever they occur, even inside a longer word: a garbled word beats a leak.
    # Plain str.replace, longest first, through a marker: linear in the message whatever the
    # values (a regex alternation of attacker-sized literals is not), and a short value never
    # matches inside an earlier replacement.
    forms = {form for v in values if len(v) >= _MIN_HIDDEN for form in (v, repr(v)[1:-1], json.dumps(v)[1:-1])}
    message = finding.message
    for form in sorted(forms, key=len, reverse=True):
        message = message.replace(form, _MARK)
    finding.message = message.replace(_MARK, HIDDEN)


def _holds_data(value: Any) -> bool:
    """Whether an evidence value says anything (a missing contact is shown as missing)."""
    return value is not None and value not in ("", [], {})


def _evidence_root(key: str) -> str:
    """The attribute an evidence key is about (``Contact.Phone|normalize`` -> ``Contact``)."""
    path = key.split("|", 1)[0]
    try:
        return root(path) or path
    except PathSyntaxError:  # an evidence label that is not a path: its first segment
        return re.split(r"[.\[]", path, maxsplit=1)[0]


def _operands(data: Any, depth: int) -> Iterator[str]:
    """The strings under ``value`` / ``values`` anywhere in a filter's data (nested filters included)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from (_strings(v, depth + 1) if k in ("value", "values") else _operands(v, depth + 1))
    elif isinstance(data, list):
        for v in data:
            yield from _operands(v, depth + 1)


def _strings(value: Any, depth: int) -> Iterator[str]:
    """Every string inside ``value`` (dicts and lists, bounded depth)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v, depth + 1)
