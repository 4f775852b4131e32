"""The run context: what a run injects instead of globals.

Clock, run id, and ``services`` (an AWS session factory, the PII analyzer...)
are passed in, never created at import time, so tests freeze time and swap
services without patching module paths.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunContext:
    """Per-run services and settings."""

    clock: Callable[[], datetime] = utc_now
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    services: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()
