"""What a trail's event selectors record: management events and S3 object-level events.

:func:`summarize_selectors` reads a GetEventSelectors answer, basic or advanced, into
``ManagementEvents: {Read, Write}`` and ``S3DataEvents: {Read, Write}`` (object-level
events of *all* buckets). A selector only counts when it records everything of its
kind; one narrowed in any way is not "all events" and counts for nothing:

* basic: ``DataResources`` of type ``AWS::S3::Object`` whose values include
  ``arn:aws:s3`` (or ``arn:aws:s3:::``); a bucket ARN covers one bucket only.
  ``ExcludeManagementEventSources`` (e.g. KMS events left out) narrows management events;
* advanced: ``eventCategory`` plus, for data events, ``resources.type`` equal to
  ``AWS::S3::Object`` and optionally ``resources.ARN`` starting with ``arn:aws:s3:::``;
  ``readOnly`` equal to ``true`` / ``false`` selects reads / writes. Any other field or
  operator (``eventName``, ``eventSource``, ``NotStartsWith`` on ``resources.ARN``...)
  narrows the selector.

Example (the CIS "Log all events" template for S3, writes only)::

    {"AdvancedEventSelectors": [{"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["false"]}]}]}
    -> S3DataEvents == {"Read": False, "Write": True}
"""

from __future__ import annotations

from typing import Any

_ALL_S3 = ("arn:aws:s3", "arn:aws-us-gov:s3", "arn:aws-cn:s3")


def _all_s3(values: list[str]) -> bool:
    return any(str(v).rstrip("/").rstrip(":") in _ALL_S3 for v in values)


def _mark(target: dict[str, bool], rw: str | None) -> None:
    if rw in ("All", "ReadOnly"):
        target["Read"] = True
    if rw in ("All", "WriteOnly"):
        target["Write"] = True


def _basic(s: dict[str, Any], mgmt: dict[str, bool], data: dict[str, bool]) -> None:
    rw = s.get("ReadWriteType", "All")
    if s.get("IncludeManagementEvents", True) and not s.get("ExcludeManagementEventSources"):
        _mark(mgmt, rw)
    for d in s.get("DataResources") or []:
        if d.get("Type") == "AWS::S3::Object" and _all_s3(d.get("Values") or []):
            _mark(data, rw)


def _only_equals(f: dict[str, Any]) -> list[str] | None:
    """The ``Equals`` values of a field selector that uses no other operator, else None."""
    ops = {k for k, v in f.items() if k != "Field" and v}
    return list(f["Equals"]) if ops == {"Equals"} else None


def _read_write(fields: dict[str, dict[str, Any]]) -> str | None:
    """All / ReadOnly / WriteOnly from the ``readOnly`` field; None when it is not a plain Equals."""
    if "readOnly" not in fields:
        return "All"
    values = _only_equals(fields["readOnly"])
    if values is None or len(values) != 1:
        return None
    return {"true": "ReadOnly", "false": "WriteOnly"}.get(values[0].lower())


def _all_buckets(field: dict[str, Any] | None) -> bool:
    """Whether a ``resources.ARN`` field selector (or its absence) leaves every bucket in."""
    if field is None:
        return True
    ops = {k for k, v in field.items() if k != "Field" and v}
    return ops == {"StartsWith"} and _all_s3(field["StartsWith"])


def _advanced(adv: dict[str, Any], mgmt: dict[str, bool], data: dict[str, bool]) -> None:
    fields = {f.get("Field", ""): f for f in adv.get("FieldSelectors") or []}
    category = _only_equals(fields.get("eventCategory", {"Field": "eventCategory"})) or []
    rw = _read_write(fields)
    if category == ["Management"] and set(fields) <= {"eventCategory", "readOnly"}:
        _mark(mgmt, rw)
    if category == ["Data"] and set(fields) <= {"eventCategory", "resources.type", "readOnly", "resources.ARN"}:
        types = _only_equals(fields.get("resources.type", {"Field": "resources.type"}))
        if types == ["AWS::S3::Object"] and _all_buckets(fields.get("resources.ARN")):
            _mark(data, rw)


def summarize_selectors(sel: dict[str, Any]) -> tuple[dict[str, bool], dict[str, bool]]:
    """(ManagementEvents, S3DataEvents) from a GetEventSelectors response."""
    mgmt = {"Read": False, "Write": False}
    data = {"Read": False, "Write": False}
    for s in sel.get("EventSelectors") or []:
        _basic(s, mgmt, data)
    for adv in sel.get("AdvancedEventSelectors") or []:
        _advanced(adv, mgmt, data)
    return mgmt, data
