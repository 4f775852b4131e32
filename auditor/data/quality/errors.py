"""The error a DQDL rule raises when it cannot be evaluated on the data.

Below the evaluation context, the operands and the SQL generation, which all raise it;
rule type plugins import it from :mod:`auditor.data.quality.plugin`.
"""

from __future__ import annotations


class EvaluationError(Exception):
    """The rule could not be evaluated on this data (outcome ERROR, never FAIL or PASS).

    The message must not quote cell values: it is shown and stored as evidence.
    """
