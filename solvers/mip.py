"""An engine-neutral mixed-integer linear model and the dispatch to MIP engines.

Location models are written once against :class:`LinearModel`; each engine adapter in
:mod:`solvers.engines` translates it, so the same model runs on every backend.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from logistics.plans import SolveStatus

__all__ = ["MIP_ENGINES", "LinearModel", "MipResult", "RowBlock", "solve_mip"]

#: Engine names accepted by :func:`solve_mip`.
MIP_ENGINES = ("highs", "scip", "cbc", "cp-sat")


Row = tuple[tuple[tuple[int, float], ...], float, float]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RowBlock:
    """Rows in compressed sparse row form: row ``r`` has the terms
    ``indices[indptr[r]:indptr[r + 1]]`` with coefficients ``data[...]`` and bounds
    ``lo[r] <= ... <= hi[r]``."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    lo: FloatArray
    hi: FloatArray

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1


@dataclass(slots=True)
class LinearModel:
    """Minimise ``cost @ x`` subject to ``lo <= A x <= hi`` and variable bounds.

    Built incrementally, a row at a time with :meth:`add_var` and :meth:`add_row`, or many
    at once from arrays with :meth:`add_vars` and :meth:`add_rows` (large models build
    far faster that way); engines read it only, through :attr:`rows` or
    :meth:`triplets`. Rows are numbered blocks first, in the order added, then the single
    rows: :meth:`add_rows` returns its rows' numbers, which index
    :attr:`MipResult.duals`.

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
    single_rows: list[Row] = field(default_factory=list)
    blocks: list[RowBlock] = field(default_factory=list)
    offset: float = 0.0

    @property
    def n_vars(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.single_rows) + sum(b.n_rows for b in self.blocks)

    def add_var(
        self, *, cost: float = 0.0, lb: float = 0.0, ub: float = 1.0, integer: bool = False
    ) -> int:
        """Add a variable; returns its index."""
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        self.integer.append(integer)
        return len(self.cost) - 1

    def add_vars(
        self,
        count: int,
        *,
        cost: npt.ArrayLike = 0.0,
        lb: float = 0.0,
        ub: float = 1.0,
        integer: bool = False,
    ) -> IntArray:
        """Add ``count`` variables (``cost`` a number or one per variable); returns their
        indices."""
        first = self.n_vars
        costs = np.broadcast_to(np.asarray(cost, dtype=np.float64), (count,))
        self.cost.extend(costs.tolist())
        self.lb.extend([lb] * count)
        self.ub.extend([ub] * count)
        self.integer.extend([integer] * count)
        return np.arange(first, first + count, dtype=np.int64)

    def add_row(
        self, terms: Iterable[tuple[int, float]], *, lo: float = -math.inf, hi: float = math.inf
    ) -> None:
        """Add ``lo <= sum(coef * x[var]) <= hi``."""
        self.single_rows.append((tuple(terms), lo, hi))

    def add_rows(
        self,
        indptr: npt.ArrayLike,
        indices: npt.ArrayLike,
        data: npt.ArrayLike,
        *,
        lo: npt.ArrayLike = -math.inf,
        hi: npt.ArrayLike = math.inf,
    ) -> range:
        """Add rows in compressed sparse row form (see :class:`RowBlock`); ``lo`` and
        ``hi`` are numbers or one per row. Returns the rows' numbers."""
        starts = np.asarray(indptr, dtype=np.int64)
        n = len(starts) - 1
        first = sum(b.n_rows for b in self.blocks)
        cols = np.asarray(indices, dtype=np.int64)
        coefficients = np.broadcast_to(np.asarray(data, dtype=np.float64), cols.shape)
        self.blocks.append(
            RowBlock(
                starts,
                cols,
                np.array(coefficients),
                np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy(),
                np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy(),
            )
        )
        return range(first, first + n)

    @property
    def rows(self) -> list[Row]:
        """Every row as ``(terms, lo, hi)``: the blocks', then the single rows."""
        out = []
        for b in self.blocks:
            for r in range(b.n_rows):
                span = slice(int(b.indptr[r]), int(b.indptr[r + 1]))
                terms = zip(b.indices[span].tolist(), b.data[span].tolist(), strict=True)
                out.append((tuple(terms), float(b.lo[r]), float(b.hi[r])))
        return out + self.single_rows

    def relaxed(self) -> LinearModel:
        """The linear relaxation: the same model with no variable integer."""
        return replace(self, integer=[False] * self.n_vars)

    def triplets(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
        """Row index, column and coefficient of every term (in :attr:`rows` order), and
        every row's bounds, as arrays."""
        row_parts, col_parts, data_parts, lo_parts, hi_parts = [], [], [], [], []
        first = 0
        for b in self.blocks:
            row_parts.append(first + np.repeat(np.arange(b.n_rows), np.diff(b.indptr)))
            col_parts.append(b.indices)
            data_parts.append(b.data)
            lo_parts.append(b.lo)
            hi_parts.append(b.hi)
            first += b.n_rows
        lengths = [len(terms) for terms, _, _ in self.single_rows]
        flat = [term for terms, _, _ in self.single_rows for term in terms]
        row_parts.append(first + np.repeat(np.arange(len(lengths), dtype=np.int64), lengths))
        col_parts.append(np.array([i for i, _ in flat], dtype=np.int64))
        data_parts.append(np.array([c for _, c in flat], dtype=np.float64))
        lo_parts.append(np.array([lo for _, lo, _ in self.single_rows], dtype=np.float64))
        hi_parts.append(np.array([hi for _, _, hi in self.single_rows], dtype=np.float64))
        return (
            np.concatenate(row_parts),
            np.concatenate(col_parts),
            np.concatenate(data_parts),
            np.concatenate(lo_parts),
            np.concatenate(hi_parts),
        )


@dataclass(frozen=True, slots=True)
class MipResult:
    """Outcome of a MIP solve; ``values`` is empty when no solution was found. ``duals``
    holds the row duals (by row number, see :class:`LinearModel`) of a model with no
    integer variable solved to optimality by ``highs``; it is empty otherwise."""

    status: SolveStatus
    values: npt.NDArray[np.float64]
    objective: float
    bound: float
    runtime_s: float
    engine: str
    duals: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))


def solve_mip(
    model: LinearModel,
    *,
    engine: str = "highs",
    time_limit_s: float,
    seed: int = 0,
    relative_gap: float = 1e-6,
    cutoff: float | None = None,
    heuristics: bool = True,
    presolve: bool = True,
) -> MipResult:
    """Solve ``model`` with a named engine (see :data:`MIP_ENGINES`): ``highs`` and
    ``scip`` through OR-Tools MathOpt, ``cbc`` through PuLP, ``cp-sat`` (pure-integer
    models only) through OR-Tools CP-SAT.

    ``cutoff`` says only solutions cheaper than it are of use (a plan of that cost is in
    hand): ``highs`` and ``scip`` prune the rest, and with none left return INFEASIBLE
    with ``bound = cutoff``; the other engines ignore it. ``heuristics=False`` turns
    ``highs``' and ``scip``'s primal heuristics off, for a solve that is to prove a plan
    in hand rather than find one (branching still finds cheaper plans): on p-median after
    a Lagrangian heuristic, HiGHS's sub-MIPs took most of the time. ``presolve=False``
    skips ``highs``' and ``scip``'s presolve (small models that bounds have already
    reduced: there it costs more than it saves)."""
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
        model,
        solver=engine,
        time_limit_s=time_limit_s,
        seed=seed,
        relative_gap=relative_gap,
        cutoff=cutoff,
        heuristics=heuristics,
        presolve=presolve,
    )
