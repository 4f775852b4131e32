"""Terraform plans (terraform show -json) and JSON configuration (*.tf.json), judged by the AWS rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from iac_helpers import FIXTURES, finding, line_of, scan, statuses

from auditor.core.errors import ConfigError

PLAN = FIXTURES / "terraform" / "plan.json"
TF_JSON = FIXTURES / "terraform" / "main.tf.json"


def test_plan_joins_configuring_resources_through_configuration_references() -> None:
    doc = scan(PLAN)
    # aws_s3_bucket_versioning.raw names its bucket by aws_s3_bucket.raw.id, unknown until apply:
    # the configuration's reference joins them all the same.
    raw = finding(doc, "s3-bucket-versioning-enabled", "registrar-raw")
    assert raw["status"] == "PASS"
    assert raw["location"] == {"file": str(PLAN), "address": "aws_s3_bucket.raw"}
    assert finding(doc, "s3-bucket-sse-kms-bucket-key", "registrar-raw")["status"] == "PASS"
    # Inside a module: the reference is relative to the module, the address is not.
    curated = finding(doc, "s3-bucket-versioning-enabled", "registrar-curated")
    assert curated["status"] == "FAIL" and curated["location"]["address"] == "module.lake.aws_s3_bucket.curated"


def test_values_known_only_after_apply_are_error_with_the_reason() -> None:
    doc = scan(PLAN)
    policy = finding(doc, "s3-bucket-denies-insecure-transport", "registrar-raw")
    assert policy["status"] == "ERROR"
    assert "known only after apply (it depends on aws_s3_bucket.raw)" in policy["message"]
    # A reference to a key of the plan is a value that will exist: the trail is encrypted.
    assert finding(doc, "cloudtrail-kms-encrypted", "trail/registrar-trail")["status"] == "PASS"


def test_arguments_the_configuration_does_not_write_take_the_aws_default() -> None:
    doc = scan(PLAN)
    # mfa_delete is computed by the provider when not written: Disabled, as AWS creates it.
    assert finding(doc, "s3-bucket-mfa-delete-enabled", "registrar-raw")["status"] == "FAIL"
    # The bucket's legacy versioning block is computed in provider 4+: not a declaration.
    logs = finding(doc, "s3-cloudtrail-bucket-versioned", "aws_s3_bucket.logs")
    assert logs["status"] == "FAIL" and "Disabled" in logs["message"]


def test_destroyed_and_data_resources_are_not_judged_and_unknown_types_are_listed() -> None:
    doc = scan(PLAN)
    assert not [f for f in doc["findings"] if "retired" in f["resource_id"]]
    iac = doc["attachments"]["iac"]
    assert iac["not_evaluated_types"] == {"aws_lambda_function": 1}
    assert iac["resources_read"] == 16


def test_account_settings_of_the_plan() -> None:
    doc = scan(PLAN)
    assert doc["run"]["account"] == "123456789012" and doc["run"]["regions"] == ["ca-central-1"]
    length = finding(doc, "iam-password-policy-min-length", "arn:aws:iam::123456789012:root")
    assert length["status"] == "FAIL" and length["location"]["address"] == "aws_iam_account_password_policy.strict"
    assert finding(doc, "iam-password-policy-reuse-prevention", ":root")["status"] == "PASS"
    # The trail is in the plan: the account's trail rules are judged on it, located at it.
    multi = finding(doc, "cloudtrail-multi-region-trail-logging", ":root")
    assert multi["status"] == "PASS" and multi["location"]["address"] == "aws_cloudtrail.main"
    admin = finding(doc, "iam-policy-no-full-admin", "policy/registrar-admin")
    assert admin["status"] == "FAIL" and "attached to 1 principal" in admin["message"]
    assert statuses(doc, "kms-cmk-rotation-enabled") == {"aws_kms_key.data": "FAIL", "aws_kms_key.trail": "PASS"}


def test_unsupported_and_non_plan_documents_are_refused(tmp_path: Path) -> None:
    from auditor.iac.model import Change
    from auditor.iac.tf.plan import read_plan

    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {"root_module": {}}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="not a plan"):
        read_plan(state, state.read_text(), Change(), {})
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format_version": "0.1", "planned_values": {}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="a plan without resource_changes"):
        read_plan(old, old.read_text(), Change(), {})


def test_tf_json_variables_locals_and_references() -> None:
    doc = scan(TF_JSON)
    raw = finding(doc, "s3-bucket-versioning-enabled", "registrar-prod-raw")  # "${local.prefix}-raw", env default
    assert raw["status"] == "FAIL"
    assert raw["location"] == {"file": str(TF_JSON), "line": line_of(TF_JSON, '      "raw": {"bucket"'), "column": 7,
                               "address": "aws_s3_bucket.raw"}
    rotation = finding(doc, "kms-cmk-rotation-enabled", "aws_kms_key.data")
    assert rotation["status"] == "ERROR" and "variable rotation has no default" in rotation["message"]
    assert finding(doc, "iam-password-policy-min-length", ":root")["status"] == "PASS"


def test_tf_json_params_count_and_what_only_a_plan_can_tell() -> None:
    doc = scan(TF_JSON, params={"env": "dev", "rotation": "true"})
    assert finding(doc, "s3-bucket-versioning-enabled", "registrar-dev-raw")["status"] == "FAIL"
    assert finding(doc, "kms-cmk-rotation-enabled", "aws_kms_key.data")["status"] == "PASS"
    # A literal count is expanded, ${count.index} included.
    assert finding(doc, "s3-bucket-mfa-delete-enabled", "registrar-zone-1")["location"]["address"] == "aws_s3_bucket.zone[1]"
    # for_each and function calls are evaluated by terraform plan: ERROR, with the advice.
    dynamic = finding(doc, "s3-bucket-public-access-blocked", "aws_s3_bucket.dynamic")
    assert dynamic["status"] == "ERROR" and "scan the plan" in dynamic["message"]
    policy = finding(doc, "s3-bucket-denies-insecure-transport", "registrar-dev-raw")
    assert policy["status"] == "ERROR" and "evaluated by terraform plan" in policy["message"]


def test_contacts_a_change_declares_are_judged_and_never_shown(tmp_path: Path) -> None:
    """The account's contacts are personal data: the rules read them, no finding or report shows them."""
    from auditor.reporting.outputs import write_outputs

    contact = {"full_name": "Ana Beatriz Lima", "phone_number": "+16045550177", "address_line_1": "901 Jervis St",
               "city": "Vancouver", "postal_code": "V6E 2B5", "country_code": "CA"}
    security = {"alternate_contact_type": "SECURITY", "name": "Joao Pereira", "title": "CISO",
                "email_address": "joao.pereira@example.org", "phone_number": "+16045550188"}
    tf = tmp_path / "contacts.tf.json"
    tf.write_text(json.dumps({"resource": {"aws_account_primary_contact": {"main": contact},
                                           "aws_account_alternate_contact": {"security": security}}}),
                  encoding="utf-8")
    from auditor.audit_run import default_rule_paths, prepare
    from auditor.core.context import RunContext
    from auditor.iac.scan import IacOptions, run_iac_scan

    config = tmp_path / "audit.yml"  # the reviewer declared the name, not yet the phone number
    config.write_text("version: 1\nrules:\n  account-contact-details-current:\n"
                      "    params: {full_name: Ana Beatriz Lima, phone_number: '+16045550100'}\n", encoding="utf-8")
    doc = run_iac_scan(prepare(default_rule_paths("aws"), config=config), [tf], IacOptions(), RunContext())
    assert finding(doc, "account-security-contact-registered", ":root")["status"] == "PASS"
    assert finding(doc, "account-contact-details-current", ":root")["status"] == "FAIL"  # phone not declared
    written = write_outputs(doc, tmp_path / "out", ["json", "html", "sarif", "csv", "junit"], command="iac scan")
    text = json.dumps(doc) + "".join(p.read_text(encoding="utf-8") for p in written)
    for value in (*contact.values(), *security.values()):
        if value not in ("CA", "SECURITY", "CISO"):
            assert value not in text, value
    assert "+16045550100" not in text  # nor the declared one
