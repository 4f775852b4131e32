"""The CIS AWS Foundations v6 metric filter patterns (section 5), as published.

Used by the tests and golden cases: each must satisfy its control, and
rewritten-but-equivalent patterns must too.
"""

CIS_PATTERNS = {
    "unauthorized-api-calls": '{($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
                              '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    "console-signin-without-mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
                                  '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    "root-account-usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                          '$.eventType != "AwsServiceEvent" }',
    "iam-policy-changes": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)"
                          "||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)"
                          "||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)"
                          "||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)"
                          "||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)"
                          "||($.eventName=DetachGroupPolicy)}",
    "cloudtrail-config-changes": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) "
                                 "|| ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "console-auth-failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "cmk-disable-or-deletion": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||"
                               "($.eventName=ScheduleKeyDeletion)) }",
    "s3-bucket-policy-changes": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || "
                                "($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || "
                                "($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
                                "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || "
                                "($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "config-changes": "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
                      "($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||"
                      "($.eventName=PutConfigurationRecorder)) }",
    "security-group-changes": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) "
                              "|| ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) "
                              "|| ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "nacl-changes": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
                    "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
                    "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "network-gateway-changes": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
                               "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || "
                               "($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "route-table-changes": "{($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || "
                           "($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
                           "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || "
                           "($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    "vpc-changes": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
                   "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
                   "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
                   "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || "
                   "($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    "organizations-changes": '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
                             '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || '
                             '($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || '
                             '($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
                             '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || '
                             '($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || '
                             '($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || '
                             '($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || '
                             '($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || '
                             '($.eventName = "UpdateOrganizationalUnit")) }',
}
