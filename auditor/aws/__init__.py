"""The cloud posture audit: AWS collectors, resource types and the scan.

``auditor.aws.resource_types`` declares the resource types (no boto3 import);
``auditor.aws.scan.run_scan`` collects what the rules need and evaluates them.
"""
