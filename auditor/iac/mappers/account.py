"""Account-wide settings a change can declare (``aws.account`` attributes).

CloudFormation has no resource for these; Terraform has:

- ``aws_iam_account_password_policy`` -> ``PasswordPolicy`` (as GetAccountPasswordPolicy
  returns it: ``MinimumPasswordLength``, ``PasswordReusePrevention``, ``Require*``,
  ``MaxPasswordAge``, ``ExpirePasswords``...);
- ``aws_s3_account_public_access_block`` -> ``S3PublicAccessBlock`` (and every bucket's
  ``AccountPublicAccessBlock``);
- ``aws_account_alternate_contact`` of type ``SECURITY`` -> ``SecurityContact``;
- ``aws_account_primary_contact`` -> ``ContactInformation``.

An account rule whose attributes the change does not declare is "not in this change"
(see :mod:`auditor.iac.scan`).
"""

from __future__ import annotations

from typing import Any

from auditor.iac.build import Builder
from auditor.iac.values import Unknown, as_bool, as_int, given

_PASSWORD = {"minimum_password_length": "MinimumPasswordLength", "require_symbols": "RequireSymbols",
             "require_numbers": "RequireNumbers", "require_uppercase_characters": "RequireUppercaseCharacters",
             "require_lowercase_characters": "RequireLowercaseCharacters",
             "allow_users_to_change_password": "AllowUsersToChangePassword", "hard_expiry": "HardExpiry"}
_CONTACT = {"full_name": "FullName", "phone_number": "PhoneNumber", "address_line_1": "AddressLine1",
            "city": "City", "postal_code": "PostalCode", "country_code": "CountryCode", "company_name": "CompanyName",
            "state_or_region": "StateOrRegion", "website_url": "WebsiteUrl"}


def map_account(b: Builder) -> None:
    for src in b.of("aws_iam_account_password_policy"):
        p = src.props
        policy: dict[str, Any] = {api: as_bool(p.get(tf), False) for tf, api in _PASSWORD.items()
                                  if api != "MinimumPasswordLength"}
        policy["MinimumPasswordLength"] = given(as_int(p.get("minimum_password_length")), 6)
        reuse = as_int(p.get("password_reuse_prevention"))
        if reuse is not None:
            policy["PasswordReusePrevention"] = reuse
        age = as_int(p.get("max_password_age"))
        if isinstance(age, Unknown) or age:
            policy["MaxPasswordAge"] = age
        policy["ExpirePasswords"] = age if isinstance(age, Unknown) else bool(age)
        b.set_account("PasswordPolicy", policy, src)
    for src in b.of("aws_s3_account_public_access_block"):
        p = src.props
        b.set_account("S3PublicAccessBlock", {
            "BlockPublicAcls": as_bool(p.get("block_public_acls"), False),
            "IgnorePublicAcls": as_bool(p.get("ignore_public_acls"), False),
            "BlockPublicPolicy": as_bool(p.get("block_public_policy"), False),
            "RestrictPublicBuckets": as_bool(p.get("restrict_public_buckets"), False)}, src)
    for src in b.of("aws_account_alternate_contact"):
        p = src.props
        if isinstance(p.get("alternate_contact_type"), str) and p["alternate_contact_type"] == "SECURITY":
            b.set_account("SecurityContact", {"Name": p.get("name"), "Title": p.get("title"),
                                              "EmailAddress": p.get("email_address"),
                                              "PhoneNumber": p.get("phone_number")}, src)
    for src in b.of("aws_account_primary_contact"):
        b.set_account("ContactInformation", {api: src.props.get(tf) for tf, api in _CONTACT.items()
                                             if src.props.get(tf) is not None}, src)
