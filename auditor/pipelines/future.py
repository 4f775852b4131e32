"""Dates in the future: an export cannot report what has not happened yet.

A month ``2031-09`` in a 3-1-1 export or an application received in 2099 is a
typo or a forged row; published, it would become a "year" of metrics. The
pipelines reject such rows against the run's clock (``RunContext.now()``, so
tests freeze it), with a small tolerance for time zones and a clock a little
behind: a date up to :data:`FUTURE_TOLERANCE` after the run's UTC time is
accepted (the current month, and "tomorrow" where it already is tomorrow).

Example::

    cutoff = future_cutoff(state.now())       # naive UTC timestamp
    future = dates > cutoff                   # True where a row is in the future
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

FUTURE_TOLERANCE = timedelta(days=1)


def future_cutoff(now: datetime, tolerance: timedelta = FUTURE_TOLERANCE) -> pd.Timestamp:
    """The latest instant a row's date may fall on: ``now + tolerance``, as a naive UTC timestamp."""
    moment = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    return pd.Timestamp(moment + tolerance)
