"""auditor: governance and compliance auditing for AWS data platforms.

One rule engine and one findings model behind four capabilities: cloud posture
audit, data governance (PII and data quality), governed pipelines, and reports
and gates. See README.md for the quickstart.
"""

__version__ = "0.1.0"
