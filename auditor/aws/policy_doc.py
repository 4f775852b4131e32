"""IAM policy documents, normalised so rules can compare them declaratively.

AWS lets ``Statement``, ``Action``, ``Resource`` be a single value or a list and
URL-encodes documents returned by IAM. :func:`normalize` returns a document whose
``Statement`` is always a list and whose ``Action``/``NotAction``/``Resource``/
``NotResource`` are always lists, so a rule can say::

    - any: Document.Statement
      match:
        - {key: Effect, op: eq, value: Allow}
        - {key: Action, op: contains, value: "*"}
        - {key: Resource, op: contains, value: "*"}
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

_LISTY = ("Action", "NotAction", "Resource", "NotResource")


def parse(document: Any) -> dict[str, Any]:
    """A policy document from IAM/S3 (dict, JSON text or URL-encoded JSON text)."""
    if isinstance(document, dict):
        return normalize(document)
    text = str(document or "")
    if text.startswith("%7B") or text.startswith("%7b"):
        text = unquote(text)
    try:
        data = json.loads(text) if text else {}
    except json.JSONDecodeError:
        data = json.loads(unquote(text))
    return normalize(data if isinstance(data, dict) else {})


def normalize(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    norm = []
    for st in statements if isinstance(statements, list) else []:
        if not isinstance(st, dict):
            continue
        s = dict(st)
        for k in _LISTY:
            if k in s and not isinstance(s[k], list):
                s[k] = [s[k]]
        norm.append(s)
    out["Statement"] = norm
    return out
