"""Exceptions raised at lognet's boundaries.

Bad input raises; a valid problem that cannot be (fully) solved returns a plan with a
status and per-order reasons instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["LogisticsError", "Problem", "ScenarioError"]


class LogisticsError(Exception):
    """Base class of every error lognet raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One defect in a scenario bundle.

    Attributes
    ----------
    file
        The file (or ``workbook.xlsx[sheet]``) the defect is in; for a scenario built in
        code, the table name.
    row
        Spreadsheet row number (the header is row 1, the first record row 2), or ``None``
        for a defect of a whole file or of ``scenario.toml``.
    column
        The column (or TOML key) at fault, or ``None``.
    value
        The offending value as text (may be empty).
    rule
        The rule that was broken, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    value: str
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        shown = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}: {self.rule}{shown}"


class ScenarioError(LogisticsError):
    """A scenario bundle is unusable; ``problems`` lists every defect found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the scenario bundle"
        return "\n".join([head + ":", *(f"  {p}" for p in self.problems)])
