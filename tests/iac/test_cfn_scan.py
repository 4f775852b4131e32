"""CloudFormation judged by the shipped AWS rules: what each resource of the fixtures must get."""

from __future__ import annotations

from iac_helpers import FIXTURES, finding, line_of, scan, statuses

LAKE = FIXTURES / "cfn" / "lake.yaml"



def test_buckets_get_the_verdicts_of_their_configuration() -> None:
    doc = scan(LAKE)
    versioning = statuses(doc, "s3-bucket-versioning-enabled")
    # Env defaults to prod: !If [IsProd, Enabled, Suspended] -> Enabled; the raw bucket is Suspended.
    assert versioning == {"LandingBucket": "PASS", "RawBucket": "FAIL", "CuratedBucket": "PASS"}
    raw = finding(doc, "s3-bucket-versioning-enabled", "registrar-prod-raw")
    assert raw["message"] == "registrar-prod-raw has versioning Suspended"
    assert raw["location"] == {"file": str(LAKE), "line": line_of(LAKE, "  RawBucket:"), "column": 3,
                               "address": "RawBucket"}
    # Unencrypted by configuration: S3's default SSE-S3 (AES256), which the data-zone rule rejects.
    assert finding(doc, "s3-bucket-sse-kms-bucket-key", "registrar-prod-raw")["status"] == "FAIL"
    assert finding(doc, "s3-bucket-sse-kms-bucket-key", "registrar-prod-landing")["status"] == "PASS"
    # The bucket policy joins its bucket through !Ref; a bucket without one fails TLS-only.
    assert statuses(doc, "s3-bucket-denies-insecure-transport") == {
        "LandingBucket": "PASS", "RawBucket": "FAIL", "BackupBucket": "FAIL", "CuratedBucket": "FAIL"}
    # Replication to the versioned backup bucket of the same template (joined by !GetAtt).
    assert finding(doc, "s3-bucket-replicated-to-versioned-backup", "registrar-prod-landing")["status"] == "PASS"


def test_public_access_block_defaults_and_the_account_level_setting() -> None:
    doc = scan(LAKE)
    # No PublicAccessBlockConfiguration: S3 blocks everything on new buckets.
    assert finding(doc, "s3-bucket-public-access-blocked", "registrar-prod-landing")["status"] == "PASS"
    # One setting off: the account's block could still cover it, and the change does not say.
    raw = finding(doc, "s3-bucket-public-access-blocked", "registrar-prod-raw")
    assert raw["status"] == "ERROR"
    assert "account-level S3 Block Public Access is not in this change" in raw["message"]


def test_unnamed_bucket_is_identified_by_its_source_and_out_of_data_zone_scope() -> None:
    doc = scan(LAKE)
    backup = [f for f in doc["findings"] if (f.get("location") or {}).get("address") == "BackupBucket"]
    assert backup and all(f["resource_id"] == f"{LAKE}#BackupBucket" for f in backup)
    # The generated name ends with a random suffix: no data-zone pattern matches it.
    assert not [f for f in backup if f["rule_id"] == "s3-bucket-versioning-enabled"]


def test_condition_false_resource_is_not_created() -> None:
    doc = scan(LAKE)
    assert not [f for f in doc["findings"] if "archive" in f["resource_id"]]
    not_created = doc["attachments"]["iac"]["not_created"]
    assert [(n["address"], n["reason"]) for n in not_created] == [("ArchiveBucket", "condition WantsArchive is false")]


def test_kms_rotation_keys_and_aliases() -> None:
    doc = scan(LAKE)
    assert statuses(doc, "kms-cmk-rotation-enabled") == {"DataKey": "PASS", "LegacyKey": "FAIL"}  # RSA key: out of scope
    data = finding(doc, "kms-cmk-rotation-enabled", "DataKey")
    assert data["message"].startswith("alias/registrar-data: ")


def test_iam_users_policies_and_keys() -> None:
    doc = scan(LAKE)
    assert finding(doc, "iam-policy-no-full-admin", "user/analyst/inline-policy/everything")["status"] == "FAIL"
    assert finding(doc, "iam-policy-no-full-admin", "role/registrar-replication/inline-policy/replicate")["status"] == "PASS"
    admin = finding(doc, "iam-policy-no-full-admin", "arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin["status"] == "FAIL" and "attached to 1 principal" in admin["message"]
    assert finding(doc, "iam-user-single-active-access-key", "user/pipeline")["status"] == "FAIL"
    assert finding(doc, "iam-user-permissions-through-groups", "user/analyst")["status"] == "FAIL"
    # A console user's MFA device is enrolled after the user exists: never a PASS before.
    mfa = finding(doc, "iam-user-console-mfa-enabled", "user/analyst")
    assert mfa["status"] == "ERROR" and "MFA" in mfa["message"]
    assert "user/pipeline" not in str(statuses(doc, "iam-user-console-mfa-enabled"))  # no password: out of scope


def test_unmodelled_types_are_listed_once_and_counted() -> None:
    doc = scan(LAKE)
    iac = doc["attachments"]["iac"]
    assert iac["not_evaluated_count"] == 1
    (entry,) = iac["not_evaluated"]
    assert (entry["type"], entry["address"]) == ("AWS::Lambda::Function", "Ingest")
    assert entry["line"] == line_of(LAKE, "  Ingest:")


def test_account_rules_the_template_does_not_touch_are_not_in_this_change() -> None:
    doc = scan(LAKE)
    skipped = {f["rule_id"]: f for f in doc["findings"] if f["status"] == "SKIPPED"}
    for rule in ("iam-password-policy-min-length", "iam-access-analyzer-enabled", "securityhub-enabled",
                 "cloudwatch-monitors-root-account-usage", "cloudtrail-multi-region-trail-logging"):
        assert rule in skipped, rule
        assert "not in this change" in skipped[rule]["message"]
    # No framework summary counts them as passed, and they are not evaluated controls.
    cis = doc["summary"]["frameworks"]["cis-aws-6.0"]
    passed_rules = {f["rule_id"] for f in doc["findings"] if f["status"] == "PASS"}
    assert not passed_rules & set(skipped)
    assert cis["evaluated"] < cis["controls"]


def test_json_template_gives_the_same_verdicts_at_json_lines() -> None:
    doc = scan(FIXTURES / "cfn" / "lake.json")
    bucket = finding(doc, "s3-bucket-versioning-enabled", "registrar-raw")
    assert bucket["status"] == "FAIL"
    assert bucket["location"]["line"] == line_of(FIXTURES / "cfn" / "lake.json", '    "RawBucket"')
    assert finding(doc, "s3-bucket-denies-insecure-transport", "registrar-raw")["status"] == "PASS"
