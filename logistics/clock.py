"""Times of day as seconds since midnight of the planning day."""

from __future__ import annotations

import datetime as dt
import math

__all__ = ["format_clock", "seconds_of_day"]


def seconds_of_day(t: dt.time) -> float:
    """Seconds since midnight.

    >>> seconds_of_day(dt.time(7, 30))
    27000.0
    """
    return float(t.hour * 3600 + t.minute * 60 + t.second) + t.microsecond / 1e6


def format_clock(seconds: float) -> str:
    """``HH:MM:SS`` for a number of seconds since midnight (hours may pass 24).

    >>> format_clock(27000.4)
    '07:30:00'
    """
    if not math.isfinite(seconds):
        return ""
    total = round(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
