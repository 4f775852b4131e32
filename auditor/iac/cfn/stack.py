"""A CloudFormation stack, read as it would deploy: parameters, conditions, resources, nested stacks.

:class:`StackReader` turns a template file into :class:`~auditor.iac.model.SourceResource`
items with their properties resolved (:mod:`auditor.iac.cfn.intrinsics`):

- parameters take their ``--param NAME=VALUE`` override, else their ``Default``, else they are
  unknown (findings that depend on them are ERROR); list types are split on commas; SSM
  parameter types are unknown unless overridden (their default names an SSM parameter,
  read at deploy). ``--param AWS::AccountId=...`` (``AWS::Region``, ``AWS::StackName``...)
  sets a pseudo parameter;
- a resource whose ``Condition`` is false is not created (listed, not judged); one whose
  condition cannot be decided before deploy is judged ERROR with that reason;
- a nested stack (``AWS::CloudFormation::Stack``) whose ``TemplateURL`` is a local file, or
  whose CDK metadata ``aws:asset:path`` names one beside the parent, is read with the
  parameters the parent passes; its resources are addressed ``Parent/Child`` and the
  parent's ``Fn::GetAtt [Nested, Outputs.X]`` is the nested output's value. Nesting deeper
  than 8 levels or a template that nests itself is an error. A ``TemplateURL`` that is not
  a local file is listed as not evaluated.

Example::

    change = Change()
    StackReader({"Env": "prod"}, change).read(Path("infra/lake.yaml"))
    [r.address for r in change.resources]   # ['DataBucket', 'DataBucketPolicy', ...]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.core.errors import ConfigError
from auditor.iac.cfn.intrinsics import NO_VALUE, PSEUDO, Resolver
from auditor.iac.cfn.template import PathKey, Template, check_structure, read_template
from auditor.iac.model import CLOUDFORMATION, Change, Location, NotEvaluated, SourceResource
from auditor.iac.values import Symbol, Unknown

MAX_NESTING = 8

# The property that holds a resource's physical name when written literally: its Ref text then
# is that name (a bucket policy's ``Bucket: !Ref Logs`` reads as the bucket's name).
NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName", "AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName", "AWS::CloudTrail::Trail": "TrailName", "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::KMS::Alias": "AliasName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
}
STACK_TYPE = "AWS::CloudFormation::Stack"


@dataclass
class _Loaded:
    """A stack read so far: enough to answer a parent's ``Outputs.X``."""

    template: Template
    resolver: Resolver


class StackReader:
    """Read templates (and their nested stacks) into a :class:`~auditor.iac.model.Change`."""

    def __init__(self, overrides: Mapping[str, str], change: Change) -> None:
        self.overrides = dict(overrides)
        self.change = change
        self.used_overrides: set[str] = set()

    def read(self, path: Path, *, text: str | None = None, parsed: Template | None = None) -> None:
        """Read the template at ``path`` (or its text, or the template already parsed) as a top-level stack."""
        self._stack(path, text=text, parsed=parsed, passed=None, prefix="", chain=())

    # ------------------------------------------------------------------ one stack

    def _stack(self, path: Path, *, text: str | None, parsed: Template | None, passed: dict[str, Any] | None,
               prefix: str, chain: tuple[str, ...]) -> _Loaded:
        if parsed is not None:
            check_structure(parsed)
            template = parsed
        else:
            template = read_template(path, text)
        file = str(path)
        self.change.files.append({"path": file, "kind": "cloudformation" if not prefix else "cloudformation-nested"})
        resources = template.resources()
        keys = {logical: f"{file}#{prefix}{logical}" for logical in resources}
        ref_text = {}
        for logical, body in resources.items():
            name = (body.get("Properties") or {}).get(NAME_PROPERTY.get(str(body.get("Type")), "")) \
                if isinstance(body, dict) else None
            if isinstance(name, str):
                ref_text[logical] = name
        nested: dict[str, _Loaded | None] = {}
        resolver = Resolver(template, parameters=self._parameters(template, passed), pseudo=self._pseudo(prefix),
                            resources=keys, ref_text=ref_text,
                            outputs=lambda logical, name, where: self._output(nested, template, resolver, logical,
                                                                              name, prefix, (*chain, file), where))
        self._warn_transform(template)
        for logical, body in resources.items():
            self._resource(template, resolver, logical, body, keys.get(logical, ""), prefix, nested, (*chain, file))
        return _Loaded(template, resolver)

    def _parameters(self, template: Template, passed: dict[str, Any] | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, decl in template.section("Parameters").items():
            decl = decl if isinstance(decl, dict) else {}
            ptype = str(decl.get("Type", "String"))
            if passed is not None:  # a nested stack gets its values from the parent only
                value: Any = passed.get(name, decl.get("Default", _MISSING))
            elif name in self.overrides:
                self.used_overrides.add(name)
                value = self.overrides[name]
            elif ptype.startswith("AWS::SSM::Parameter::"):
                value = Unknown(f"parameter {name} is read from SSM ({decl.get('Default', '?')}) at deploy; "
                                f"pass --param {name}=VALUE")
            else:
                value = decl.get("Default", _MISSING)
            if value is _MISSING:
                value = Unknown(f"parameter {name} has no default; pass --param {name}=VALUE")
            elif (ptype == "CommaDelimitedList" or ptype.startswith("List<")) and isinstance(value, str) \
                    and not isinstance(value, Symbol):
                value = [v.strip() for v in value.split(",")]
            out[name] = value
        return out

    def _pseudo(self, prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in PSEUDO:
            if name in self.overrides and not (prefix and name in ("AWS::StackName", "AWS::StackId")):
                self.used_overrides.add(name)
                out[name] = self.overrides[name]
        return out

    def _warn_transform(self, template: Template) -> None:
        transform = template.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform] if transform else []
        for name in names:
            if name not in ("AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"):
                self.change.warnings.append(f"{template.path}: the macro {name!r} rewrites the template at deploy; "
                                            "resources it adds or changes are not seen by this scan")

    # ------------------------------------------------------------------ one resource

    def _resource(self, template: Template, resolver: Resolver, logical: str, body: Any, key: str, prefix: str,
                  nested: dict[str, _Loaded | None], chain: tuple[str, ...]) -> None:
        where: PathKey = ("Resources", logical)
        line, col = template.locate(where)
        location = Location(template.path, line, col, f"{prefix}{logical}")
        if logical.startswith("Fn::ForEach::"):
            self.change.not_evaluated.append(NotEvaluated("Fn::ForEach", f"{prefix}{logical}", location,
                                                          "a loop of the AWS::LanguageExtensions transform, expanded at deploy"))
            return
        rtype = str(body["Type"])
        errors: dict[str, str] = {}
        if "Condition" in body:
            truth = resolver.condition(body["Condition"], (*where, "Condition"))
            if truth is False:
                self.change.not_created.append(NotEvaluated(rtype, f"{prefix}{logical}", location,
                                                            f"condition {body['Condition']} is false"))
                return
            if isinstance(truth, Unknown):
                errors["*"] = f"whether it is created depends on condition {body['Condition']}, unknown until deploy " \
                              f"({truth.reason})"
        if rtype == STACK_TYPE:
            self._nested(template, resolver, logical, body, prefix, nested, chain, location)
            return
        props = resolver.value(body.get("Properties") or {}, (*where, "Properties"))
        region = resolver.pseudo_value("AWS::Region")
        account = resolver.pseudo_value("AWS::AccountId")
        self.change.resources.append(SourceResource(
            CLOUDFORMATION, rtype, key, f"{prefix}{logical}", props if isinstance(props, dict) else {}, location,
            errors=errors, region=region if isinstance(region, str) and not isinstance(region, Symbol) else "",
            account=account if isinstance(account, str) and not isinstance(account, Symbol) else ""))

    # ------------------------------------------------------------------ nested stacks

    def _nested(self, template: Template, resolver: Resolver, logical: str, body: dict[str, Any], prefix: str,
                nested: dict[str, _Loaded | None], chain: tuple[str, ...], location: Location) -> None:
        if logical not in nested:
            nested[logical] = self._load_nested(template, resolver, logical, body, prefix, chain, location)

    def _load_nested(self, template: Template, resolver: Resolver, logical: str, body: dict[str, Any], prefix: str,
                     chain: tuple[str, ...], location: Location) -> _Loaded | None:
        where: PathKey = ("Resources", logical, "Properties", "TemplateURL")
        child = _nested_file(template, resolver, body, where)
        if child is None:
            url = (body.get("Properties") or {}).get("TemplateURL")
            shown = url if isinstance(url, str) else "a URL decided at deploy"
            self.change.not_evaluated.append(NotEvaluated(STACK_TYPE, f"{prefix}{logical}", location,
                                                          f"nested stack template {shown} is not a local file"))
            return None
        if len(chain) > MAX_NESTING:
            raise ConfigError([template.problem(where, f"nested stacks deeper than {MAX_NESTING} levels")])
        if str(child) in chain:
            raise ConfigError([template.problem(where, f"nested stack {child} includes itself")])
        raw = (body.get("Properties") or {}).get("Parameters") or {}
        passed = resolver.value(raw, ("Resources", logical, "Properties", "Parameters"))
        if not isinstance(passed, dict):
            passed = {}
        return self._stack(child, text=None, parsed=None, passed=passed, prefix=f"{prefix}{logical}/", chain=chain)

    def _output(self, nested: dict[str, _Loaded | None], template: Template, resolver: Resolver, logical: str,
                name: str, prefix: str, chain: tuple[str, ...], where: PathKey) -> Any:
        body = template.resources().get(logical)
        if not isinstance(body, dict) or body.get("Type") != STACK_TYPE:
            return None
        if logical not in nested:
            line, col = template.locate(("Resources", logical))
            nested[logical] = self._load_nested(template, resolver, logical, body, prefix, chain,
                                                Location(template.path, line, col, f"{prefix}{logical}"))
        loaded = nested[logical]
        if loaded is None:
            return Unknown(f"output {name} of nested stack {logical}, whose template is not a local file")
        outputs = loaded.template.section("Outputs")
        out = outputs.get(name)
        if not isinstance(out, dict) or "Value" not in out:
            raise ConfigError([template.problem(where, f"nested stack {logical} has no output '{name}'")])
        value = loaded.resolver.value(out["Value"], ("Outputs", name, "Value"))
        return None if value is NO_VALUE else value


_MISSING = object()


def _nested_file(template: Template, resolver: Resolver, body: dict[str, Any], where: PathKey) -> Path | None:
    """The local file of a nested stack: its TemplateURL when local, else the CDK asset path beside the parent."""
    base = Path(template.path).parent
    url = resolver.value((body.get("Properties") or {}).get("TemplateURL"), where)
    if isinstance(url, str) and not isinstance(url, Symbol) and url and "://" not in url:
        candidate = (base / url) if not Path(url).is_absolute() else Path(url)
        if candidate.is_file():
            return candidate
        raise ConfigError([template.problem(where, f"nested stack template {url} not found")])
    asset = (body.get("Metadata") or {}).get("aws:asset:path") if isinstance(body.get("Metadata"), dict) else None
    if isinstance(asset, str) and "/" not in asset.replace("\\", "/") and (base / asset).is_file():
        return base / asset
    return None
