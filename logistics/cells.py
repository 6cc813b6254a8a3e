"""Cells of the bundle's tables: parsing one cell by its kind, and writing one back.

Cells arrive as text (CSV), or as numbers, booleans, times and text (Excel, Parquet).
Each is parsed on its own so that a message can name the raw value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import math
import re
from typing import Any

__all__ = [
    "CellError",
    "CellKind",
    "format_time",
    "is_empty_cell",
    "parse_cell",
    "parse_time_text",
    "show_cell",
]


class CellKind(enum.Enum):
    ID = "id"
    TEXT = "text"
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    TIME = "time"
    ENUM = "enum"


class CellError(ValueError):
    """A cell that cannot be parsed; ``rule`` says what it must be."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def is_empty_cell(raw: object) -> bool:
    """Whether ``raw`` is an empty cell (nothing, blanks, or a missing float)."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    return isinstance(raw, float) and math.isnan(raw)


def show_cell(raw: object) -> str:
    """A cell as text for messages, as close to what the user typed as possible."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.time):
        return raw.isoformat()
    return str(raw)


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool | dt.date | dt.time | dt.timedelta):
        raise CellError("must be text")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel stores the id 101 as the number 101.0
    if isinstance(raw, decimal.Decimal) and raw == raw.to_integral_value():
        return str(int(raw))
    return str(raw)


def _float(raw: object) -> float:
    if isinstance(raw, bool):
        raise CellError("must be a number")
    if isinstance(raw, int | float | decimal.Decimal):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            pass
    raise CellError("must be a number")


def _int(raw: object) -> int:
    rule = "must be a whole number"
    if isinstance(raw, bool):
        raise CellError(rule)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            raw = float(text)
        except ValueError:
            raise CellError(rule) from None
    if isinstance(raw, float | decimal.Decimal):
        number = float(raw)
        if math.isfinite(number) and number.is_integer():
            return int(number)
    raise CellError(rule)


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise CellError("must be true/false or 1/0")


_TIME_RULE = "must be a time of day HH:MM or HH:MM:SS (00:00–23:59)"
_TIME_TEXT = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_time_text(text: str) -> dt.time:
    """``"HH:MM"`` or ``"HH:MM:SS"`` as a time of day; :class:`CellError` otherwise."""
    match = _TIME_TEXT.fullmatch(text.strip())
    if match is None:
        raise CellError(_TIME_RULE)
    hour, minute, second = (int(g) if g is not None else 0 for g in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(_TIME_RULE)
    return dt.time(hour, minute, second)


def _time_of_day(raw: object) -> dt.time:
    if isinstance(raw, str):
        return parse_time_text(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.time()
    elif isinstance(raw, dt.timedelta) and dt.timedelta(0) <= raw < dt.timedelta(days=1):
        raw = (dt.datetime.min + raw).time()
    if isinstance(raw, dt.time):
        # Excel stores times as fractions of a day; round away the binary noise.
        seconds = raw.hour * 3600 + raw.minute * 60 + raw.second + round(raw.microsecond / 1e6)
        seconds = min(seconds, 86399)
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    raise CellError(_TIME_RULE)


def _choice_of(raw: object, choices: type[enum.StrEnum]) -> enum.StrEnum:
    if isinstance(raw, str):
        text = raw.strip().lower()
        for member in choices:
            if member.value == text:
                return member
    raise CellError("must be one of: " + ", ".join(m.value for m in choices))


def parse_cell(raw: object, kind: CellKind, *, choices: type[enum.StrEnum] | None = None) -> Any:
    """The value of a non-empty cell of ``kind``; :class:`CellError` if it has none."""
    if kind is CellKind.ID or kind is CellKind.TEXT:
        return _text(raw)
    if kind is CellKind.FLOAT:
        return _float(raw)
    if kind is CellKind.INT:
        return _int(raw)
    if kind is CellKind.BOOL:
        return _bool(raw)
    if kind is CellKind.TIME:
        return _time_of_day(raw)
    if choices is None:
        raise TypeError("an enum column needs its choices")
    return _choice_of(raw, choices)


def format_time(value: dt.time) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when the seconds are not zero."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")
