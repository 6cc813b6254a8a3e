"""OR-Tools MathOpt adapter for :class:`solvers.mip.LinearModel` (HiGHS and SCIP).

MathOpt bundles its own HiGHS, so lognet never installs ``highspy`` beside OR-Tools (the
two crash in one process).
"""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
from ortools.math_opt.python import mathopt

from logistics.plans import SolveStatus
from solvers.mip import LinearModel, MipResult

__all__ = ["solve_with_mathopt"]

_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}


def solve_with_mathopt(
    model: LinearModel,
    *,
    solver: str,
    time_limit_s: float,
    seed: int,
    relative_gap: float,
) -> MipResult:
    t0 = time.perf_counter()
    engine = f"mathopt-{solver}"
    if any(lo > hi for _, lo, hi in model.rows):  # MathOpt refuses such a row outright
        runtime_s = time.perf_counter() - t0
        return MipResult(SolveStatus.INFEASIBLE, np.empty(0), math.inf, math.inf, runtime_s, engine)
    m = mathopt.Model(name="lognet")
    xs = [
        m.add_variable(lb=lo, ub=hi, is_integer=integer)
        for lo, hi, integer in zip(model.lb, model.ub, model.integer, strict=True)
    ]
    for terms, lo, hi in model.rows:
        m.add_linear_constraint(lb=lo, ub=hi, expr=mathopt.fast_sum(c * xs[i] for i, c in terms))
    m.minimize(mathopt.fast_sum(c * x for c, x in zip(model.cost, xs, strict=True) if c != 0.0))
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=max(time_limit_s - (time.perf_counter() - t0), 0.05)),
        relative_gap_tolerance=relative_gap,
        absolute_gap_tolerance=1e-9,
        random_seed=seed,
    )
    result = mathopt.solve(m, _SOLVERS[solver], params=params)
    reason = result.termination.reason
    runtime_s = time.perf_counter() - t0
    if reason in (mathopt.TerminationReason.INFEASIBLE,):
        return MipResult(SolveStatus.INFEASIBLE, np.empty(0), math.inf, math.inf, runtime_s, engine)
    if not result.has_primal_feasible_solution():
        bound = result.termination.objective_bounds.dual_bound + model.offset
        return MipResult(SolveStatus.NOT_SOLVED, np.empty(0), math.inf, bound, runtime_s, engine)
    values = np.array(result.variable_values(xs), dtype=np.float64)
    objective = float(result.objective_value()) + model.offset
    bound = float(result.termination.objective_bounds.dual_bound) + model.offset
    gap = abs(objective - bound) / max(abs(objective), 1e-9)
    optimal = reason is mathopt.TerminationReason.OPTIMAL and gap <= relative_gap + 1e-12
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
    return MipResult(status, values, objective, bound, runtime_s, engine)
