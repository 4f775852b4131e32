"""The Terraform IaC readers: ``terraform-plan`` (``terraform show -json``) and ``terraform-json`` (``*.tf.json``)."""

from __future__ import annotations

from pathlib import Path

from auditor.iac.readers import IacReader, Input, json_like, plan_like
from auditor.iac.tf.config import read_tf_json
from auditor.iac.tf.plan import read_plan


class TerraformPlanReader(IacReader):
    """A plan as ``terraform show -json PLANFILE`` writes it (``planned_values`` / ``resource_changes``)."""

    kind = "terraform-plan"

    @classmethod
    def claims(cls, path: Path, text: str) -> bool:
        return not path.name.lower().endswith(".tf.json") and json_like(path, text) and plan_like(text)

    def read(self, item: Input) -> None:
        self.used |= read_plan(item.path, item.text, self.change, self.params)


class TerraformJsonReader(IacReader):
    """Terraform JSON configuration, ``*.tf.json``."""

    kind = "terraform-json"

    @classmethod
    def claims(cls, path: Path, text: str) -> bool:
        return path.name.lower().endswith(".tf.json")

    def read(self, item: Input) -> None:
        self.used |= read_tf_json(item.path, item.text, self.change, self.params)
