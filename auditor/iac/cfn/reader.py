"""The ``cloudformation`` IaC reader: templates (JSON or YAML) and their nested stacks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.iac.cfn.stack import StackReader
from auditor.iac.model import Change
from auditor.iac.readers import IacReader, Input, json_like, plan_like

_YAML = (".yaml", ".yml", ".template")


class CloudFormationReader(IacReader):
    """CloudFormation templates: ``Resources`` whose entries have a ``Type`` (JSON or YAML)."""

    kind = "cloudformation"

    def __init__(self, change: Change, params: Mapping[str, str]) -> None:
        super().__init__(change, params)
        self._stacks = StackReader(params, change)

    @classmethod
    def claims(cls, path: Path, text: str) -> bool:
        name = path.name.lower()
        if name.endswith(".tf.json"):
            return False
        if json_like(path, text):
            return not plan_like(text) and '"Resources"' in text
        return (name.endswith(_YAML) or not name.rpartition(".")[1]) and "Resources" in text

    def read(self, item: Input) -> None:
        self._stacks.read(item.path, text=item.text, parsed=item.parsed)
        self.used = self._stacks.used_overrides
