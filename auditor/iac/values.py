"""What a template says about a value before it is applied: known, symbolic or unknown.

Three kinds of value reach the resources an IaC scan builds:

- **known**: plain Python data (``"Enabled"``, ``True``, ``14``), judged like a value the
  AWS collectors read;
- **symbolic** (:class:`Symbol`): a value that certainly exists but whose text is only
  decided at deploy: a pseudo parameter (``${AWS::AccountId}``) or another resource of the
  change (``!GetAtt TrailKey.Arn``, Terraform's ``aws_kms_key.trail.arn``). It is a string
  (``"${TrailKey.Arn}"``) that compares unequal to every literal, so "the trail has a KMS
  key" passes and "the principal is ``*``" does not;
- **unknown** (:class:`Unknown`): a value the change cannot tell (a parameter without a
  default, ``Fn::ImportValue``, a plan's ``after_unknown`` that is not a reference). Every
  comparison a rule makes on it raises :class:`~auditor.core.errors.EvaluationError` with
  the reason, so the engine reports the finding ERROR, never PASS or FAIL.

Example::

    >>> key = Unknown("Fn::ImportValue 'shared-logs-key' is resolved at deploy")
    >>> key == "alias/logs"
    Traceback (most recent call last):
    ...
    auditor.core.errors.EvaluationError: value unknown until apply: Fn::ImportValue 'shared-logs-key' is resolved at deploy
"""

from __future__ import annotations

from typing import Any, NoReturn

from auditor.core.errors import EvaluationError


class Unknown:
    """A value the change cannot tell; every comparison on it is an ERROR naming ``reason``."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def _refuse(self, *_args: Any) -> NoReturn:
        raise EvaluationError(f"value unknown until apply: {self.reason}")

    # Every operation a filter can apply refuses; identity (``is``) and hashing still work,
    # so an unknown value can sit in lists and sets without being compared.
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse
    __contains__ = __len__ = __iter__ = __bool__ = __str__ = __getitem__ = _refuse
    __add__ = __radd__ = __int__ = __float__ = _refuse

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __format__(self, spec: str) -> str:
        # Messages may name an attribute that turned out unknown; they say so instead of failing.
        return "(unknown until apply)"


class Computed(Unknown):
    """An argument the configuration does not write, which the provider computes at apply.

    Terraform marks such arguments unknown in a plan (a bucket's ``versioning``, a versioning
    block's ``mfa_delete``); the mappers read them as absent, so the AWS default applies
    (:func:`given`). Anywhere else it is an :class:`Unknown` like any other.
    """

    __slots__ = ()


class Symbol(str):
    """A string decided at deploy: a pseudo parameter or an attribute of a resource of the change.

    ``target`` names what it stands for (a logical id, a Terraform address, ``AWS::AccountId``)
    and ``attr`` which attribute (``""`` for a ``Ref``), so a resource that configures another
    one (a bucket policy's ``Bucket: !Ref DataBucket``) is joined to it.
    """

    target: str
    attr: str

    def __new__(cls, text: str, target: str, attr: str = "") -> Symbol:
        obj = super().__new__(cls, text)
        obj.target = target
        obj.attr = attr
        return obj


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is (or, for a list or mapping, holds) an :class:`Unknown`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def first_unknown(value: Any) -> Unknown | None:
    """The first :class:`Unknown` inside ``value`` (depth first), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


def printable(value: Any) -> Any:
    """``value`` with every :class:`Unknown` replaced by a readable string (for evidence)."""
    if isinstance(value, Unknown):
        return f"(unknown until apply: {value.reason})"
    if isinstance(value, dict):
        return {k: printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


def as_bool(value: Any, default: bool | None = None) -> Any:
    """A template boolean: ``True``/``"true"``/``"True"`` -> True; None -> ``default``.

    CloudFormation passes parameters as strings, so ``EnableKeyRotation: !Ref Rotate``
    arrives as ``"true"``. Unknown and symbolic values are returned unchanged (a symbol is
    not a boolean: it becomes unknown).
    """
    if value is None or isinstance(value, Computed):
        return default
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, Symbol):
        return Unknown(f"{value} is not a boolean known before deploy")
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return bool(value)
    return Unknown(f"{value!r} is not a boolean")


def as_int(value: Any) -> Any:
    """A template number (CloudFormation passes ``"14"``); unknown stays unknown; None (or computed) is None."""
    if value is None or isinstance(value, Computed):
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and not isinstance(value, Symbol):
        try:
            return int(value.strip())
        except ValueError:
            pass
    return Unknown(f"{value!r} is not a number known before deploy")


def as_list(value: Any) -> Any:
    """A value that AWS accepts as one item or a list, as a list (None -> [])."""
    if value is None:
        return []
    if isinstance(value, (list, Unknown)):
        return value
    return [value]


def given(value: Any, default: Any) -> Any:
    """``value`` unless it is absent (None, ``""``, an empty list or mapping), else ``default``.

    The mappers' ``value or default``: ``or`` would ask an :class:`Unknown` for its truth,
    which it refuses; an unknown value is given (it will exist), so it is kept. A
    :class:`Computed` argument (not written, computed by the provider) is absent.
    """
    if value is None or isinstance(value, Computed) or (isinstance(value, (str, list, dict)) and len(value) == 0):
        return default
    return value
