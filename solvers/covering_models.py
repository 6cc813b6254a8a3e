r"""The covering models, written once against :class:`solvers.mip.LinearModel`, in the
notation of :mod:`solvers.facility_mip` (``R`` is the covering radius).

Maximal covering (``mclp``)::

    max  Σ_j d_j u_j
    s.t. u_j ≤ Σ_{i: D_ij ≤ R} y_i,  u_j ≤ 1     ∀ j
         Σ_i y_i = p

Set covering (``lscp``)::

    min  Σ_i y_i
    s.t. Σ_{i: D_ij ≤ R} y_i ≥ 1                 ∀ j
"""

from __future__ import annotations

import math
import time

import numpy as np

from logistics.plans import SolveStatus
from solvers.facility import FacilityProblem, FacilityResult, site_vars
from solvers.facility_mip import needs_integers, opened_sites
from solvers.location import LocateParams, run_mip
from solvers.mip import LinearModel, MipResult

__all__ = ["solve_lscp", "solve_mclp"]


def solve_mclp(
    problem: FacilityProblem, p: int, radius: float, params: LocateParams
) -> FacilityResult:
    """Open ``p`` sites covering as much demand as possible within ``radius``.

    The objective is the demand covered; ``assignment`` lists each covered customer with
    its nearest open site.
    """
    t0 = time.perf_counter()
    covers = _covers(problem, radius)
    model, y = site_vars(problem, LinearModel(), cost=False)
    model.add_row([(v, 1.0) for v in y.values()], lo=p, hi=p)
    u = {}
    for j in range(problem.n_customers):
        near = [y[i] for i in covers[j] if i in y]
        if not near:
            continue
        u[j] = model.add_var(cost=-float(problem.demand[j]), integer=needs_integers(params))
        model.add_row([(u[j], 1.0), *((v, -1.0) for v in near)], hi=0.0)
    result = run_mip(model, params)
    return _covering_result(problem, params, "mclp", result, y, t0, radius=radius)


def solve_lscp(problem: FacilityProblem, radius: float, params: LocateParams) -> FacilityResult:
    """Open as few sites as possible so that every customer has one within ``radius``.

    A customer no site covers makes the problem infeasible (status INFEASIBLE).
    """
    t0 = time.perf_counter()
    covers = _covers(problem, radius)
    model, y = site_vars(problem, LinearModel(), cost=False)
    for v in y.values():
        model.cost[v] = 1.0
    for j in range(problem.n_customers):
        model.add_row([(y[i], 1.0) for i in covers[j] if i in y], lo=1.0)
    result = run_mip(model, params)
    return _covering_result(problem, params, "lscp", result, y, t0, radius=radius)


def _covers(problem: FacilityProblem, radius: float) -> list[list[int]]:
    within = problem.distance <= radius + 1e-9
    return [list(np.flatnonzero(within[:, j])) for j in range(problem.n_customers)]


def _covering_result(
    problem: FacilityProblem,
    params: LocateParams,
    name: str,
    result: MipResult,
    y: dict[int, int],
    t0: float,
    *,
    radius: float,
) -> FacilityResult:
    """Covering models list each covered customer with its nearest open site; MCLP
    maximises, so its objective and bound come back with their sign restored."""
    negate = name == "mclp"
    opened = opened_sites(problem, result, y)
    assignment = []
    for j in range(problem.n_customers):
        near = [i for i in opened if problem.distance[i, j] <= radius + 1e-9]
        if near:
            i = min(near, key=lambda k: problem.distance[k, j])
            assignment.append((problem.customer_ids[j], problem.site_ids[i], 1.0))
    sign = -1.0 if negate else 1.0
    objective, bound = sign * result.objective, sign * result.bound
    if result.status in (SolveStatus.INFEASIBLE, SolveStatus.NOT_SOLVED) and negate:
        objective = -math.inf
    return FacilityResult(
        model=name,
        open=tuple(problem.site_ids[i] for i in opened),
        assignment=tuple(assignment),
        objective=objective,
        bound=bound,
        status=result.status,
        runtime_s=time.perf_counter() - t0,
        engine=result.engine,
        seed=params.seed,
        sense="max" if negate else "min",
    )
