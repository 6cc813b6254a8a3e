"""OR-Tools CP-SAT adapter for pure-integer :class:`solvers.mip.LinearModel` s.

CP-SAT solves integer programs with integer data only, so the model is scaled first:

- Every variable must be integer (location models with binaries only: single-source
  capacitated facility location, p-median with binary assignment, set covering, maximal
  covering); a continuous variable raises :class:`ValueError`.
- Each row is multiplied by the least power of ten, up to ``10**6``, at which rounding
  moves none of its coefficients by more than 1e-9 of itself ("integral within 1e-9
  relative"): decimal data with up to six decimals is exact, float fuzz such as
  ``0.1 * 3`` is absorbed, and large non-decimal coefficients (``12092.26 / 7``) are
  rounded to within 1e-9 of themselves. A row that no such power makes integral (a
  coefficient ``1 / 3``) raises :class:`ValueError`. The activity of an integer row is
  then an integer, so its bounds are rounded inwards without changing the feasible set
  (``lo`` up, ``hi`` down; values within 1e-9 of an integer count as that integer).
- The objective is multiplied by the least power of ten at which rounding moves every
  cost by at most 1e-9 of itself, or, for costs below a millionth of the largest, by at
  most 1e-15 of the largest. Decimal costs with up to six decimals are thus exact, and
  costs that no power up to ``10**6`` makes integral (thirds, distances times rates) are
  rounded so that the objective of any solution moves by at most 1e-9 of
  ``sum(|cost_i * x_i|)`` (its magnitude when all costs share a sign), plus 1e-15 of the
  largest cost per unit of a tiny-cost variable. The reported ``objective`` is always
  recomputed in floats from the solution with the model's own costs plus
  ``model.offset``; the ``bound`` is CP-SAT's bound, unscaled, plus the offset (capped at
  the objective, which it may exceed by the rounding). Scaled data that could overflow
  64-bit integers raise :class:`ValueError`.
- Variable bounds must be finite. Infinite ones (and finite ones beyond ``2**53``) are
  derived from the rows by activity-bound propagation; a variable that stays unbounded
  raises :class:`ValueError`.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from logistics.plans import SolveStatus
from solvers.mip import LinearModel, MipResult

__all__ = ["solve_with_cpsat"]

ENGINE = "cp-sat"
#: Largest power of ten a row is scaled by.
MAX_ROW_EXPONENT = 6
#: Relative distance from an integer within which a scaled number counts as integral.
INTEGRAL_TOLERANCE = 1e-9
#: Costs below this share of the largest are rounded relative to that share of it.
TINY_COST = 1e-6
#: Finite variable bounds beyond this magnitude count as unbounded.
HUGE_BOUND = 2.0**53
#: Sums of integer terms must stay below this (CP-SAT rejects possible int64 overflow).
INT_LIMIT = 2**62

_Bounds = list[tuple[int, int]]
_MAX_FLOAT_EXPONENT = 308
_OVERFLOW = (
    "cp-sat needs integer data: the objective scaled by 10**{} overflows 64-bit integers "
    "(costs or variable bounds span too many orders of magnitude)"
)


def solve_with_cpsat(
    model: LinearModel, *, time_limit_s: float, seed: int, relative_gap: float
) -> MipResult:
    """Solve a pure-integer ``model`` with CP-SAT, scaled to integer data as set out above.

    Raises
    ------
    ValueError
        When a variable is continuous or unbounded, a row cannot be scaled to integers,
        or the scaled data overflow 64-bit integers.

    Examples
    --------
    >>> m = LinearModel()
    >>> a, b = m.add_var(cost=2.5, integer=True), m.add_var(cost=1.5, integer=True)
    >>> m.add_row([(a, 0.5), (b, 0.25)], lo=0.5)
    >>> solve_with_cpsat(m, time_limit_s=5, seed=0, relative_gap=1e-6).objective
    2.5
    """
    t0 = time.perf_counter()
    continuous = [i for i, integer in enumerate(model.integer) if not integer]
    if continuous:
        raise ValueError(
            f"cp-sat needs integer data: variable {continuous[0]} is continuous "
            f"({len(continuous)} continuous variable(s) in all)"
        )
    bounds = _integer_bounds(model)
    if bounds is None:
        return _no_solution(SolveStatus.INFEASIBLE, math.inf, t0)
    cp = cp_model.CpModel()
    xs = [cp.new_int_var(lo, hi, f"x{i}") for i, (lo, hi) in enumerate(bounds)]
    for k, (terms, lo, hi) in enumerate(model.rows):
        row = _scale_row(k, terms, lo, hi, bounds)
        if row is None:
            continue
        vars_, coefs, row_lo, row_hi = row
        if row_lo > row_hi:
            # No integer activity meets the row: proven infeasible without searching.
            return _no_solution(SolveStatus.INFEASIBLE, math.inf, t0)
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in vars_], coefs)
        cp.add_linear_expression_in_domain(expr, cp_model.Domain(row_lo, row_hi))
    scale, costs = _scale_objective(model.cost, bounds)
    nonzero = [i for i, c in enumerate(costs) if c != 0]
    if nonzero:
        cp.minimize(
            cp_model.LinearExpr.weighted_sum([xs[i] for i in nonzero], [costs[i] for i in nonzero])
        )
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_limit_s - (time.perf_counter() - t0), 0.05)
    params.random_seed = seed
    params.num_workers = len(os.sched_getaffinity(0))
    params.relative_gap_limit = relative_gap
    # Below one unit of the integer objective a gap proves optimality exactly.
    params.absolute_gap_limit = 0.5
    params.log_search_progress = False
    params.log_to_stdout = False
    status = solver.solve(cp)
    if status == cp_model.MODEL_INVALID:
        raise ValueError(f"cp-sat rejected the scaled model: {cp.validate()}")
    if status == cp_model.INFEASIBLE:
        return _no_solution(SolveStatus.INFEASIBLE, math.inf, t0)
    bound = solver.best_objective_bound / scale + model.offset
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _no_solution(SolveStatus.NOT_SOLVED, bound, t0)
    values = np.array([solver.value(x) for x in xs], dtype=np.float64)
    objective = float(np.dot(model.cost, values)) + model.offset
    # The gap is judged on the scaled objective the bound belongs to, not on the float
    # recomputation, which may differ from it by the objective's rounding.
    scaled_objective = solver.objective_value / scale + model.offset
    gap = abs(scaled_objective - bound) / max(abs(scaled_objective), 1e-9)
    optimal = status == cp_model.OPTIMAL and gap <= relative_gap + 1e-12
    return MipResult(
        SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
        values,
        objective,
        min(bound, objective),
        time.perf_counter() - t0,
        ENGINE,
    )


def _no_solution(status: SolveStatus, bound: float, t0: float) -> MipResult:
    return MipResult(status, np.empty(0), math.inf, bound, time.perf_counter() - t0, ENGINE)


def _is_integral(value: float, *, floor: float = 0.0) -> bool:
    """Whether rounding moves ``value`` by at most 1e-9 of ``max(|value|, floor)``."""
    return abs(value - round(value)) <= INTEGRAL_TOLERANCE * max(abs(value), floor)


def _ceil(value: float) -> int:
    nearest = round(value)
    if abs(value - nearest) <= INTEGRAL_TOLERANCE * max(1.0, abs(value)):
        return int(nearest)
    return math.ceil(value)


def _floor(value: float) -> int:
    return -_ceil(-value)


def _integer_bounds(model: LinearModel) -> _Bounds | None:
    """Finite integer bounds of every variable, or None when one has an empty domain."""
    lo = [-math.inf if v < -HUGE_BOUND else v for v in model.lb]
    hi = [math.inf if v > HUGE_BOUND else v for v in model.ub]
    if any(math.isinf(v) for v in (*lo, *hi)):
        _derive_bounds(model, lo, hi)
    bounds: _Bounds = []
    for i, (low, high) in enumerate(zip(lo, hi, strict=True)):
        if abs(low) > HUGE_BOUND or abs(high) > HUGE_BOUND:
            raise ValueError(
                f"cp-sat needs integer data: variable {i} is unbounded and no row bounds it"
            )
        bounds.append((_ceil(low), _floor(high)))
    if any(low > high for low, high in bounds):
        return None
    return bounds


def _derive_bounds(model: LinearModel, lo: list[float], hi: list[float]) -> None:
    """Replace infinite bounds in ``lo``/``hi`` by bounds the rows imply.

    Only infinite bounds change, so every pass either finishes one or stops the loop.
    """
    rows = model.rows  # materialised once: the loop may pass over them several times
    changed = True
    while changed:
        changed = False
        for terms, row_lo, row_hi in rows:
            # Each finite side as `sum(side * a * x) <= limit`.
            for side, limit in ((1.0, row_hi), (-1.0, -row_lo)):
                if math.isinf(limit):
                    continue
                coefs = [(i, side * a) for i, a in terms if a != 0.0]
                least = [a * lo[i] if a > 0 else a * hi[i] for i, a in coefs]
                n_inf = sum(math.isinf(v) for v in least)
                finite_sum = math.fsum(v for v in least if not math.isinf(v))
                for (i, a), own in zip(coefs, least, strict=True):
                    if n_inf - math.isinf(own) > 0:
                        continue
                    rest = finite_sum - (0.0 if math.isinf(own) else own)
                    limit_i = (limit - rest) / a
                    if a > 0 and math.isinf(hi[i]) and abs(limit_i) <= HUGE_BOUND:
                        hi[i], changed = limit_i, True
                    elif a < 0 and math.isinf(lo[i]) and abs(limit_i) <= HUGE_BOUND:
                        lo[i], changed = limit_i, True


def _scale_row(
    k: int, terms: Sequence[tuple[int, float]], lo: float, hi: float, bounds: _Bounds
) -> tuple[list[int], list[int], int, int] | None:
    """Row ``k`` with integer coefficients and bounds, or None when it cannot bind."""
    merged: dict[int, float] = {}
    for i, a in terms:
        merged[i] = merged.get(i, 0.0) + a
    merged = {i: a for i, a in merged.items() if a != 0.0}
    for exponent in range(MAX_ROW_EXPONENT + 1):
        scale = 10.0**exponent
        if all(_is_integral(a * scale) for a in merged.values()):
            break
    else:
        bad = next(a for a in merged.values() if not _is_integral(a * 10.0**MAX_ROW_EXPONENT))
        raise ValueError(
            f"cp-sat needs integer data: row {k} has coefficient {bad!r}, which no power of "
            f"ten up to 10**{MAX_ROW_EXPONENT} makes integral"
        )
    vars_ = list(merged)
    coefs = [round(merged[i] * scale) for i in vars_]
    least = sum(min(a * bounds[i][0], a * bounds[i][1]) for i, a in zip(vars_, coefs, strict=True))
    most = sum(max(a * bounds[i][0], a * bounds[i][1]) for i, a in zip(vars_, coefs, strict=True))
    if max(-least, most) >= INT_LIMIT:
        raise ValueError(f"cp-sat needs integer data: row {k} overflows 64-bit integers")
    row_lo, row_hi = _inward_bounds(lo * scale, hi * scale, least, most)
    if row_lo <= least and row_hi >= most:
        return None
    return vars_, coefs, row_lo, row_hi


def _inward_bounds(lo: float, hi: float, least: int, most: int) -> tuple[int, int]:
    """Integer bounds of an integer activity within ``[least, most]``: ``lo`` rounded up,
    ``hi`` down; a side beyond the reach of the activity is clipped to one past it."""
    if lo <= least:
        row_lo = least
    elif lo > most + 1:
        row_lo = most + 1
    else:
        row_lo = _ceil(lo)
    if hi >= most:
        row_hi = most
    elif hi < least - 1:
        row_hi = least - 1
    else:
        row_hi = _floor(hi)
    return row_lo, row_hi


def _scale_objective(cost: Sequence[float], bounds: _Bounds) -> tuple[float, list[int]]:
    """The power of ten and the integer costs (see the module docstring)."""
    largest = max((abs(c) for c in cost), default=0.0)
    # Terminates: from 10**e * largest >= 5e14 on, every cost is integral by the rule.
    for exponent in range(_MAX_FLOAT_EXPONENT):
        scale = 10.0**exponent
        if largest * scale >= INT_LIMIT:
            raise ValueError(_OVERFLOW.format(exponent))
        floor = TINY_COST * largest * scale
        if all(_is_integral(c * scale, floor=floor) for c in cost):
            break
    else:
        raise ValueError(_OVERFLOW.format(_MAX_FLOAT_EXPONENT))
    costs = [round(c * scale) for c in cost]
    reach = sum(abs(c) * max(abs(lo), abs(hi)) for c, (lo, hi) in zip(costs, bounds, strict=True))
    if reach >= INT_LIMIT:
        raise ValueError(_OVERFLOW.format(exponent))
    return scale, costs
