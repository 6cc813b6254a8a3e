"""PuLP adapter for :class:`solvers.mip.LinearModel`, solved with the CBC bundled in pulp 3.

CBC reports no dual bound through PuLP: the bound equals the objective when CBC proves
optimality (to the requested gap) and is ``-inf`` otherwise. lognet pins pulp below 4
because pulp 4 no longer bundles CBC; pulp 3.3's warnings about migrating to 4 are
silenced here, and only here.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pulp

from logistics.plans import SolveStatus
from solvers.mip import LinearModel, MipResult

__all__ = ["solve_with_pulp"]


def solve_with_pulp(
    model: LinearModel, *, time_limit_s: float, seed: int, relative_gap: float
) -> MipResult:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*PuLP 4", category=DeprecationWarning)
        return _solve(model, time_limit_s=time_limit_s, seed=seed, relative_gap=relative_gap)


def _solve(model: LinearModel, *, time_limit_s: float, seed: int, relative_gap: float) -> MipResult:
    t0 = time.perf_counter()
    prob = pulp.LpProblem("lognet", pulp.LpMinimize)
    xs = [
        pulp.LpVariable(
            f"x{i}",
            lowBound=None if math.isinf(lo) else lo,
            upBound=None if math.isinf(hi) else hi,
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for i, (lo, hi, integer) in enumerate(zip(model.lb, model.ub, model.integer, strict=True))
    ]
    prob += pulp.lpSum(c * x for c, x in zip(model.cost, xs, strict=True) if c != 0.0)
    for k, (terms, lo, hi) in enumerate(model.rows):
        expr = pulp.lpSum(c * xs[i] for i, c in terms)
        if lo == hi:
            prob += expr == lo, f"r{k}"
            continue
        if not math.isinf(lo):
            prob += expr >= lo, f"r{k}lo"
        if not math.isinf(hi):
            prob += expr <= hi, f"r{k}hi"
    solver = pulp.PULP_CBC_CMD(
        msg=False,
        timeLimit=max(time_limit_s - (time.perf_counter() - t0), 1.0),
        gapRel=relative_gap,
        threads=1,
        options=[f"randomCbcSeed {seed + 1}"],
    )
    prob.solve(solver)
    runtime_s = time.perf_counter() - t0
    if prob.status == pulp.LpStatusInfeasible:
        return MipResult(
            SolveStatus.INFEASIBLE, np.empty(0), math.inf, math.inf, runtime_s, "pulp-cbc"
        )
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return MipResult(
            SolveStatus.NOT_SOLVED, np.empty(0), math.inf, -math.inf, runtime_s, "pulp-cbc"
        )
    # PuLP leaves out a variable in no row and at no cost: any value within its bounds.
    values = np.array(
        [
            min(max(0.0, lo), hi) if x.varValue is None else x.varValue
            for x, lo, hi in zip(xs, model.lb, model.ub, strict=True)
        ],
        dtype=np.float64,
    )
    objective = float(np.dot(model.cost, values)) + model.offset
    optimal = prob.sol_status == pulp.LpSolutionOptimal
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
    bound = objective if optimal else -math.inf
    return MipResult(status, values, objective, bound, runtime_s, "pulp-cbc")
