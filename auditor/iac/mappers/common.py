"""Small conversions every mapper needs: tags, Terraform blocks, policy documents, names."""

from __future__ import annotations

from typing import Any

from auditor.aws import policy_doc
from auditor.core import jsonio
from auditor.iac.model import SourceResource
from auditor.iac.values import Symbol, Unknown, first_unknown, given


def tags(value: Any) -> Any:
    """CloudFormation ``[{Key, Value}]`` or Terraform ``{k: v}`` -> ``{Key: Value}`` (as the collectors give them)."""
    if value is None:
        return {}
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return dict(value)
    out: dict[str, Any] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            out[item["Key"]] = item.get("Value")
        elif isinstance(item, Unknown):
            return item
    return out


def block(value: Any) -> Any:
    """A Terraform nested block: plans write it as a list of one object; configuration may not."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def blocks(value: Any) -> list[Any]:
    """A repeatable Terraform block as a list (None -> [])."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def document(value: Any, what: str) -> Any:
    """A policy document (mapping, or JSON text as Terraform holds it), normalised like the collectors do.

    A document that cannot be read before apply is :class:`Unknown`; a statement that is
    itself unknown makes the whole document unknown (dropping it could flip a verdict).
    """
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        try:
            value = jsonio.loads(str.__str__(value))
        except ValueError:
            if isinstance(value, Symbol):  # another resource's output: decided at deploy
                return Unknown(f"{what} is known only after apply (it depends on {value.target.rsplit('#', 1)[-1]})")
            return Unknown(f"{what} is not a JSON policy document")
    if not isinstance(value, dict):
        return Unknown(f"{what} is not a policy document")
    statements = value.get("Statement")
    if isinstance(statements, Unknown):
        return statements
    listed = statements if isinstance(statements, list) else [statements]
    for st in listed:
        if isinstance(st, Unknown):
            return st
    doc = policy_doc.normalize(value)
    unknown_list = [st.get(k) for st in doc["Statement"] for k in ("Action", "Resource", "NotAction", "NotResource")
                    if isinstance(st.get(k), list) and any(isinstance(x, list) for x in st[k])]
    if unknown_list:  # a list nested in a list: a Fn::Split or a Terraform splat, unknown until deploy
        return Unknown(f"{what} has a value list decided at deploy")
    return doc


def text(value: Any) -> Any:
    """A name or id as the collectors give it: a string (symbols keep their text), unknown, or None."""
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return value
    return str(value)


def name_or_generated(source: SourceResource, value: Any, kind: str) -> tuple[Any, bool]:
    """(name, generated): the declared name, or the shape of the one generated at deploy.

    CloudFormation names an unnamed resource ``<stack>-<logical id>-<random suffix>``,
    Terraform ``terraform-<timestamp>`` (or ``<prefix><timestamp>``): the suffix is what
    makes it unique, so no name pattern anchored at the end can match it.
    """
    if value is not None and not isinstance(value, Unknown):
        return text(value), False
    if isinstance(value, Unknown):
        return value, True
    if source.source == "cloudformation":
        logical = source.address.rsplit("/", 1)[-1].lower()
        return f"${{AWS::StackName}}-{logical}-${{{kind}-suffix}}", True
    prefix = given(source.props.get("bucket_prefix"), source.props.get("name_prefix"))
    return f"{prefix if isinstance(prefix, str) else 'terraform-'}${{timestamp}}", True


def unknown_reason(value: Any) -> str | None:
    u = first_unknown(value)
    return u.reason if u is not None else None


def listed(value: Any) -> list[Any]:
    """Zero, one or many items as a list: None -> [], a list as is, anything else (an unknown too) -> [value]."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def member(value: Any, key: str) -> Any:
    """``value[key]`` of a mapping; an unknown mapping's member is that unknown; otherwise None."""
    if isinstance(value, dict):
        return value.get(key)
    return value if isinstance(value, Unknown) else None


def shown(value: Any, fallback: str) -> str:
    """``value`` as text for names and labels; ``fallback`` when it is absent or unknown until apply."""
    if value is None or isinstance(value, Unknown):
        return fallback
    return value if isinstance(value, str) else str(value)
