"""CloudFormation intrinsic functions, evaluated as far as a template allows before deploy.

:class:`Resolver` evaluates one stack's values:

- ``Ref`` to a parameter: its ``--param`` override, else its default, else unknown; to a
  pseudo parameter: its override, else ``aws`` / ``amazonaws.com`` for ``AWS::Partition`` /
  ``AWS::URLSuffix`` and a :class:`~auditor.iac.values.Symbol` (``${AWS::AccountId}``) for
  the others; to a resource: a symbol naming it (``Ref: DataBucket`` -> the bucket name
  when written literally, else ``${DataBucket}``), so a resource that configures another is
  joined to it;
- ``Fn::GetAtt`` -> a symbol (``${TrailKey.Arn}``); a nested stack's ``Outputs.X`` -> the
  value of that output in the nested template;
- ``Fn::Sub`` (both forms, ``${!Literal}``), ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
  ``Fn::If``, ``Fn::FindInMap`` (with the ``DefaultValue`` of the language extensions),
  ``Fn::Base64``, ``Fn::Length``, ``Fn::ToJsonString``, the condition functions, and
  ``AWS::NoValue`` (the property is removed);
- ``Fn::ImportValue``, ``Fn::GetAZs``, ``Fn::Cidr``, ``Fn::Transform``, SSM parameter types
  and dynamic references (``{{resolve:ssm:...}}``) -> :class:`~auditor.iac.values.Unknown`
  with the reason: the finding that depends on them is ERROR.

An unknown function, a ``Ref`` or ``Fn::GetAtt`` to a name the template does not declare, a
missing mapping key or a malformed argument is a :class:`~auditor.core.errors.ConfigError`
at the value's ``file:line:col`` (CloudFormation would reject the template).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

from auditor.core.errors import ConfigError
from auditor.iac.cfn.template import PathKey, Template
from auditor.iac.values import Symbol, Unknown, first_unknown

MAX_DEPTH = 250  # yamlio / jsonio bound the data to about 200 levels; this is a backstop


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

FUNCTIONS = ("Ref", "Condition", "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs",
             "Fn::ImportValue", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::Transform", "Fn::And",
             "Fn::Equals", "Fn::If", "Fn::Not", "Fn::Or", "Fn::Length", "Fn::ToJsonString")
PSEUDO = ("AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
          "AWS::StackId", "AWS::StackName", "AWS::URLSuffix")
PSEUDO_DEFAULTS = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}

_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_DYNAMIC = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]*\}\}")

Truth = bool | Unknown


class Resolver:
    """Evaluate the intrinsic functions of one stack (see the module doc)."""

    def __init__(self, template: Template, *, parameters: dict[str, Any], pseudo: dict[str, Any],
                 resources: dict[str, str], ref_text: dict[str, str],
                 outputs: Callable[[str, str, PathKey], Any] | None = None) -> None:
        self.template = template
        self.parameters = parameters
        self.pseudo = pseudo
        self.resources = resources      # logical id -> run-wide key
        self.ref_text = ref_text        # logical id -> text of its Ref when known (a literal name)
        self.outputs = outputs
        self._conditions: dict[str, Truth] = {}
        self._evaluating: list[str] = []

    # ------------------------------------------------------------------ errors

    def fail(self, where: PathKey, message: str) -> ConfigError:
        return ConfigError([self.template.problem(where, message)])

    # ------------------------------------------------------------------ values

    def value(self, node: Any, where: PathKey) -> Any:
        """``node`` with every intrinsic evaluated; ``NO_VALUE`` entries removed."""
        if len(where) > MAX_DEPTH:
            raise self.fail(where, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, dict):
            fn = _function(node)
            if fn is not None:
                return self.call(fn, node[fn], (*where, fn))
            out: dict[str, Any] = {}
            for k, v in node.items():
                if k.startswith("Fn::") or k == "Ref":
                    raise self.fail((*where, k), f"'{k}' must be the only key of its mapping")
                r = self.value(v, (*where, k))
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(node, list):
            items = [self.value(v, (*where, i)) for i, v in enumerate(node)]
            return [v for v in items if v is not NO_VALUE]
        if isinstance(node, str) and "{{resolve:" in node and _DYNAMIC.search(node):
            return Unknown(f"dynamic reference {_DYNAMIC.search(node).group(0)!r} is resolved at deploy")  # type: ignore[union-attr]
        return node

    def call(self, fn: str, arg: Any, where: PathKey) -> Any:
        handler = _HANDLERS.get(fn)
        if handler is None:
            raise self.fail(where, f"unknown intrinsic function '{fn}'")
        return handler(self, arg, where)

    def string(self, node: Any, where: PathKey, what: str) -> Any:
        """A value that must be a string (or unknown / a symbol)."""
        v = self.value(node, where)
        if isinstance(v, (str, Unknown)):
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        raise self.fail(where, f"{what} must be a string, got {type(v).__name__}")

    # ------------------------------------------------------------------ names

    def ref(self, name: Any, where: PathKey) -> Any:
        if not isinstance(name, str):
            raise self.fail(where, "Ref takes the name of a parameter, pseudo parameter or resource")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        if name in PSEUDO:
            return self.pseudo_value(name)
        if name in self.resources:
            return Symbol(self.ref_text.get(name) or f"${{{name}}}", self.resources[name])
        raise self.fail(where, f"Ref to '{name}', which is not a parameter, pseudo parameter or resource of this template")

    def pseudo_value(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in PSEUDO_DEFAULTS:
            return PSEUDO_DEFAULTS[name]
        if name == "AWS::NotificationARNs":
            return Unknown("AWS::NotificationARNs is given at deploy")
        return Symbol(f"${{{name}}}", name)

    def get_att(self, logical: str, attr: str, where: PathKey) -> Any:
        if logical not in self.resources:
            raise self.fail(where, f"Fn::GetAtt of '{logical}', which is not a resource of this template")
        if attr.startswith("Outputs.") and self.outputs is not None:
            found = self.outputs(logical, attr[len("Outputs."):], where)
            if found is not None:
                return found
        return Symbol(f"${{{logical}.{attr}}}", self.resources[logical], attr)

    # ------------------------------------------------------------------ conditions

    def condition(self, name: Any, where: PathKey) -> Truth:
        """The truth of a named condition: True, False or Unknown (decided at deploy)."""
        if not isinstance(name, str):
            raise self.fail(where, "a condition is named by a string")
        if name in self._conditions:
            return self._conditions[name]
        conditions = self.template.section("Conditions")
        if name not in conditions:
            raise self.fail(where, f"condition '{name}' is not declared under Conditions")
        if name in self._evaluating:
            raise self.fail(("Conditions", name), f"condition '{name}' depends on itself")
        self._evaluating.append(name)
        try:
            result = self.truth(conditions[name], ("Conditions", name))
        finally:
            self._evaluating.pop()
        self._conditions[name] = result
        return result

    def truth(self, node: Any, where: PathKey) -> Truth:
        v = self.value(node, where)
        if isinstance(v, (bool, Unknown)):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise self.fail(where, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")


def _function(node: dict[str, Any]) -> str | None:
    """The intrinsic a one-key mapping calls (``Ref``, ``Condition``, ``Fn::...``), else None."""
    if len(node) != 1:
        return None
    (key,) = node
    if key == "Ref" or key.startswith("Fn::"):
        return key
    if key == "Condition" and isinstance(node[key], str):
        return key
    return None


def _args(r: Resolver, arg: Any, where: PathKey, fn: str, n: int | tuple[int, ...]) -> list[Any]:
    counts = (n,) if isinstance(n, int) else n
    if not isinstance(arg, list) or len(arg) not in counts:
        want = " or ".join(str(c) for c in counts)
        raise r.fail(where, f"{fn} takes a list of {want} arguments")
    return arg


def _unknown_of(*values: Any) -> Unknown | None:
    for v in values:
        u = first_unknown(v)
        if u is not None:
            return u
    return None


# ---------------------------------------------------------------------- the functions


def _ref(r: Resolver, arg: Any, where: PathKey) -> Any:
    return r.ref(arg, where)


def _get_att(r: Resolver, arg: Any, where: PathKey) -> Any:
    if isinstance(arg, str):
        logical, dot, attr = arg.partition(".")
        if not dot:
            raise r.fail(where, "Fn::GetAtt takes 'Resource.Attribute' or [Resource, Attribute]")
        return r.get_att(logical, attr, where)
    logical, attr = _args(r, arg, where, "Fn::GetAtt", 2)
    attr_value = r.string(attr, (*where, 1), "the attribute of Fn::GetAtt")
    if not isinstance(logical, str):
        raise r.fail((*where, 0), "Fn::GetAtt names a resource by its logical id")
    if isinstance(attr_value, Unknown):
        return attr_value
    return r.get_att(logical, str(attr_value), where)


def _sub(r: Resolver, arg: Any, where: PathKey) -> Any:
    if isinstance(arg, list):
        text, variables = _args(r, arg, where, "Fn::Sub", 2)
        if not isinstance(variables, dict):
            raise r.fail((*where, 1), "the variables of Fn::Sub must be a mapping")
        values = {k: r.value(v, (*where, 1, k)) for k, v in variables.items()}
        where_text: PathKey = (*where, 0)
    else:
        text, values, where_text = arg, {}, where
    if not isinstance(text, str):
        raise r.fail(where_text, "Fn::Sub takes a string")
    pieces: list[Any] = []
    pos = 0
    for m in _SUB_VAR.finditer(text):
        pieces.append(text[pos:m.start()])
        pos = m.end()
        name = m.group(1).strip()
        if name.startswith("!"):
            pieces.append("${" + m.group(1)[1:] + "}")
            continue
        if name in values:
            pieces.append(values[name])
        elif "." in name and name.split(".", 1)[0] in r.resources:
            logical, _, attr = name.partition(".")
            pieces.append(r.get_att(logical, attr, where_text))
        else:
            pieces.append(r.ref(name, where_text))
    pieces.append(text[pos:])
    return _concat([p for p in pieces if not (isinstance(p, str) and p == "")], r, where_text)


def _concat(pieces: list[Any], r: Resolver, where: PathKey) -> Any:
    unknown = _unknown_of(*pieces)
    if unknown is not None:
        return unknown
    if len(pieces) == 1 and isinstance(pieces[0], Symbol):
        return pieces[0]  # "${TrailKey.Arn}" is the key itself: keep what it points at
    out = []
    for p in pieces:
        if p is NO_VALUE:
            continue
        if isinstance(p, (dict, list)):
            raise r.fail(where, "a list or mapping cannot be part of a string")
        out.append(p if isinstance(p, str) else json.dumps(p) if isinstance(p, bool) else str(p))
    return "".join(out)


def _join(r: Resolver, arg: Any, where: PathKey) -> Any:
    delimiter, items = _args(r, arg, where, "Fn::Join", 2)
    if not isinstance(delimiter, str):
        raise r.fail((*where, 0), "the delimiter of Fn::Join must be a string")
    values = r.value(items, (*where, 1))
    if isinstance(values, Unknown):
        return values
    if not isinstance(values, list):
        raise r.fail((*where, 1), "Fn::Join joins a list")
    pieces: list[Any] = []
    for i, v in enumerate(values):
        if i:
            pieces.append(delimiter)
        pieces.append(v)
    return _concat(pieces, r, where) if pieces else ""


def _select(r: Resolver, arg: Any, where: PathKey) -> Any:
    index, items = _args(r, arg, where, "Fn::Select", 2)
    i = r.value(index, (*where, 0))
    values = r.value(items, (*where, 1))
    unknown = _unknown_of(i) or (values if isinstance(values, Unknown) else None)
    if unknown is not None:
        return unknown
    try:
        n = int(i)
    except (TypeError, ValueError):
        raise r.fail((*where, 0), f"the index of Fn::Select must be a number, got {i!r}") from None
    if not isinstance(values, list):
        raise r.fail((*where, 1), "Fn::Select selects from a list")
    if not 0 <= n < len(values):
        raise r.fail((*where, 0), f"Fn::Select index {n} is outside the list of {len(values)}")
    return values[n]


def _split(r: Resolver, arg: Any, where: PathKey) -> Any:
    delimiter, source = _args(r, arg, where, "Fn::Split", 2)
    text = r.string(source, (*where, 1), "what Fn::Split splits")
    if isinstance(text, Unknown):
        return text
    if not isinstance(delimiter, str) or not delimiter:
        raise r.fail((*where, 0), "the delimiter of Fn::Split must be a non-empty string")
    if isinstance(text, Symbol):
        return Unknown(f"{text} is decided at deploy, so its parts are too")
    return text.split(delimiter)


def _if(r: Resolver, arg: Any, where: PathKey) -> Any:
    name, then, otherwise = _args(r, arg, where, "Fn::If", 3)
    truth = r.condition(name, (*where, 0))
    if truth is True:
        return r.value(then, (*where, 1))
    if truth is False:
        return r.value(otherwise, (*where, 2))
    a, b = r.value(then, (*where, 1)), r.value(otherwise, (*where, 2))
    if _unknown_of(a, b) is None and type(a) is type(b) and a == b:
        return a
    return Unknown(f"condition '{name}' decides this value and is unknown until deploy ({truth.reason})")


def _find_in_map(r: Resolver, arg: Any, where: PathKey) -> Any:
    parts = _args(r, arg, where, "Fn::FindInMap", (3, 4))
    name, top, second = (r.value(p, (*where, i)) for i, p in enumerate(parts[:3]))
    default = None
    if len(parts) == 4:
        extra = parts[3]
        if not isinstance(extra, dict) or set(extra) != {"DefaultValue"}:
            raise r.fail((*where, 3), "the fourth argument of Fn::FindInMap is {DefaultValue: ...}")
        default = r.value(extra["DefaultValue"], (*where, 3, "DefaultValue"))
    unknown = _unknown_of(name, top, second)
    if unknown is not None:
        return unknown
    if any(isinstance(p, Symbol) for p in (name, top, second)):
        return Unknown("Fn::FindInMap looks up a key decided at deploy")
    mappings = r.template.section("Mappings")
    found = mappings.get(str(name), {})
    found = found.get(str(top), {}) if isinstance(found, dict) else {}
    if isinstance(found, dict) and str(second) in found:
        return r.value(found[str(second)], ("Mappings", str(name), str(top), str(second)))
    if default is not None:
        return default
    raise r.fail(where, f"Fn::FindInMap: mapping '{name}' has no '{top}' / '{second}'")


def _base64(r: Resolver, arg: Any, where: PathKey) -> Any:
    text = r.string(arg, where, "what Fn::Base64 encodes")
    if isinstance(text, (Unknown, Symbol)):
        return text if isinstance(text, Unknown) else Unknown(f"{text} is decided at deploy")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _length(r: Resolver, arg: Any, where: PathKey) -> Any:
    values = r.value(arg, where)
    if isinstance(values, Unknown):
        return values
    if not isinstance(values, list):
        raise r.fail(where, "Fn::Length counts a list")
    return len(values)


def _to_json(r: Resolver, arg: Any, where: PathKey) -> Any:
    v = r.value(arg, where)
    unknown = _unknown_of(v)
    if unknown is not None:
        return unknown
    return json.dumps(v, separators=(",", ":"))


def _deploy_time(what: str) -> Callable[[Resolver, Any, PathKey], Any]:
    def handler(r: Resolver, arg: Any, where: PathKey) -> Any:
        if what == "import":
            name = r.value(arg, where)
            shown = "a name decided at deploy" if isinstance(name, (Unknown, Symbol)) else repr(name)
            return Unknown(f"Fn::ImportValue of {shown} is another stack's export, resolved at deploy")
        r.value(arg, where)  # still checked: an unknown function inside is an error
        return Unknown(what)
    return handler


def _equals(r: Resolver, arg: Any, where: PathKey) -> Truth:
    a, b = (r.value(v, (*where, i)) for i, v in enumerate(_args(r, arg, where, "Fn::Equals", 2)))
    unknown = _unknown_of(a, b)
    if unknown is not None:
        return unknown
    for v in (a, b):
        if isinstance(v, Symbol):
            return Unknown(f"{v} is decided at deploy" + (f"; pass --param {v.target}=..." if v.target in PSEUDO else ""))
    return bool(_plain(a) == _plain(b))


def _plain(v: Any) -> Any:
    """CloudFormation compares values as strings (``"1" == 1``, ``"true" == true``)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return v


def _bool_fn(fn: str) -> Callable[[Resolver, Any, PathKey], Truth]:
    def handler(r: Resolver, arg: Any, where: PathKey) -> Truth:
        if fn == "Fn::Not":
            (only,) = _args(r, arg, where, fn, 1)
            t = r.truth(only, (*where, 0))
            return t if isinstance(t, Unknown) else not t
        if not isinstance(arg, list) or not 2 <= len(arg) <= 10:
            raise r.fail(where, f"{fn} takes a list of 2 to 10 conditions")
        truths = [r.truth(v, (*where, i)) for i, v in enumerate(arg)]
        settle = fn == "Fn::Or"  # Or is settled by one True, And by one False
        if any(t is settle for t in truths):
            return settle
        unknown = next((t for t in truths if isinstance(t, Unknown)), None)
        return unknown if unknown is not None else not settle
    return handler


def _condition(r: Resolver, arg: Any, where: PathKey) -> Truth:
    return r.condition(arg, where)


_HANDLERS: dict[str, Callable[[Resolver, Any, PathKey], Any]] = {
    "Ref": _ref, "Condition": _condition, "Fn::GetAtt": _get_att, "Fn::Sub": _sub, "Fn::Join": _join,
    "Fn::Select": _select, "Fn::Split": _split, "Fn::If": _if, "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64, "Fn::Length": _length, "Fn::ToJsonString": _to_json,
    "Fn::ImportValue": _deploy_time("import"),
    "Fn::GetAZs": _deploy_time("Fn::GetAZs lists the region's availability zones at deploy"),
    "Fn::Cidr": _deploy_time("Fn::Cidr computes address blocks at deploy"),
    "Fn::Transform": _deploy_time("a macro (Fn::Transform) rewrites this value at deploy"),
    "Fn::Equals": _equals, "Fn::And": _bool_fn("Fn::And"), "Fn::Or": _bool_fn("Fn::Or"), "Fn::Not": _bool_fn("Fn::Not"),
}
assert set(_HANDLERS) == set(FUNCTIONS)
