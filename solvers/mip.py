"""An engine-neutral mixed-integer linear model and the dispatch to MIP engines.

Location models are written once against :class:`LinearModel`; each engine adapter in
:mod:`solvers.engines` translates it, so the same model runs on every backend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from logistics.plans import SolveStatus

__all__ = ["MIP_ENGINES", "LinearModel", "MipResult", "solve_mip"]

#: Engine names accepted by :func:`solve_mip`.
MIP_ENGINES = ("highs", "scip", "cbc", "cp-sat")


@dataclass(slots=True)
class LinearModel:
    """Minimise ``cost @ x`` subject to ``lo <= A x <= hi`` and variable bounds.

    Built incrementally with :meth:`add_var` and :meth:`add_row`; engines read it only.

    Examples
    --------
    >>> m = LinearModel()
    >>> a, b = m.add_var(cost=5, integer=True), m.add_var(cost=4, integer=True)
    >>> m.add_row([(a, 2.0), (b, 3.0)], lo=2)
    >>> solve_mip(m, engine="highs", time_limit_s=5).objective
    4.0
    """

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[tuple[tuple[tuple[int, float], ...], float, float]] = field(default_factory=list)
    offset: float = 0.0

    @property
    def n_vars(self) -> int:
        return len(self.cost)

    def add_var(
        self, *, cost: float = 0.0, lb: float = 0.0, ub: float = 1.0, integer: bool = False
    ) -> int:
        """Add a variable; returns its index."""
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.cost) - 1

    def add_row(
        self, terms: Iterable[tuple[int, float]], *, lo: float = -math.inf, hi: float = math.inf
    ) -> None:
        """Add ``lo <= sum(coef * x[var]) <= hi``."""
        self.rows.append((tuple(terms), lo, hi))


@dataclass(frozen=True, slots=True)
class MipResult:
    """Outcome of a MIP solve; ``values`` is empty when no solution was found."""

    status: SolveStatus
    values: npt.NDArray[np.float64]
    objective: float
    bound: float
    runtime_s: float
    engine: str


def solve_mip(
    model: LinearModel,
    *,
    engine: str = "highs",
    time_limit_s: float,
    seed: int = 0,
    relative_gap: float = 1e-6,
) -> MipResult:
    """Solve ``model`` with a named engine (see :data:`MIP_ENGINES`): ``highs`` and
    ``scip`` through OR-Tools MathOpt, ``cbc`` through PuLP, ``cp-sat`` (pure-integer
    models only) through OR-Tools CP-SAT."""
    if engine not in MIP_ENGINES:
        raise ValueError(f"unknown MIP engine {engine!r}; choose one of {MIP_ENGINES}")
    if model.n_vars == 0:
        # Nothing to decide: feasible iff every (empty) row admits 0.
        feasible = all(lo <= 0.0 <= hi for _, lo, hi in model.rows)
        status = SolveStatus.OPTIMAL if feasible else SolveStatus.INFEASIBLE
        value = model.offset if feasible else math.inf
        return MipResult(status, np.empty(0), value, value, 0.0, f"none ({engine})")
    if engine == "cbc":
        from solvers.engines.pulp_mip import solve_with_pulp

        return solve_with_pulp(
            model, time_limit_s=time_limit_s, seed=seed, relative_gap=relative_gap
        )
    if engine == "cp-sat":
        from solvers.engines.cpsat_mip import solve_with_cpsat

        return solve_with_cpsat(
            model, time_limit_s=time_limit_s, seed=seed, relative_gap=relative_gap
        )
    from solvers.engines.mathopt import solve_with_mathopt

    return solve_with_mathopt(
        model, solver=engine, time_limit_s=time_limit_s, seed=seed, relative_gap=relative_gap
    )
