"""Pipeline failures that send a file to Quarantine."""

from __future__ import annotations

from auditor.core.errors import DataError


class BadInput(DataError):
    """A landing file that cannot be promoted: it goes to Quarantine with this reason.

    The message is one line naming the file and the problem; it never quotes a
    cell value that could be PII (3-1-1 months and counts are not PII).
    """

    def __init__(self, file: str, reason: str) -> None:
        self.file, self.reason = file, reason
        super().__init__(f"{file}: {reason}")


class PromotionBlocked(DataError):
    """A promotion gate failed and the configured action is to block."""

    exit_code = 1


class CheckUnavailable(DataError):
    """A promotion gate could not be evaluated (fail closed: nothing is promoted; exit 3)."""

    exit_code = 3
