"""Solve OR-Library location instances (``cap``, ``pmed``) as ``lognet bench cflp`` and
``lognet bench pmed`` do, and put the answer in the benchmark result format."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from logistics.orlib import CapacitatedInstance, PMedianInstance
from solvers.facility import FacilityProblem, FacilityResult
from solvers.facility_models import solve_cflp, solve_p_median
from solvers.location import LocateParams

__all__ = ["benchmark_json", "solve_cap_instance", "solve_pmed_instance"]


def solve_cap_instance(
    instance: CapacitatedInstance, params: LocateParams, *, single_source: bool = False
) -> FacilityResult:
    """Capacitated facility location on an OR-Library ``cap`` instance; ``runtime_s``
    counts building the model and solving it."""
    t0 = time.perf_counter()
    problem = FacilityProblem.from_cost_matrix(
        instance.cost,
        demand=instance.demand,
        fixed_cost=instance.fixed_cost,
        capacity=instance.capacity,
    )
    result = solve_cflp(problem, params, single_source=single_source)
    return replace(result, runtime_s=time.perf_counter() - t0)


def solve_pmed_instance(instance: PMedianInstance, params: LocateParams) -> FacilityResult:
    """p-median on an OR-Library ``pmed`` instance (every vertex a site and a customer);
    ``runtime_s`` counts building the model and solving it."""
    t0 = time.perf_counter()
    problem = FacilityProblem.from_cost_matrix(instance.distance)
    result = solve_p_median(problem, instance.p, params)
    return replace(result, runtime_s=time.perf_counter() - t0)


def benchmark_json(result: FacilityResult) -> dict[str, Any]:
    """The benchmark result: ``open`` (0-based site indices, file order), ``assignment``
    (``[customer, site, fraction]``, 0-based), ``objective``, ``bound``, ``status`` and
    ``runtime_s``. An objective or bound that does not exist (no solution found, or
    infeasible) is ``null``.

    Examples
    --------
    >>> problem = FacilityProblem.from_cost_matrix([[1, 4], [3, 3]], fixed_cost=[5, 5])
    >>> from solvers.facility_models import solve_ufl
    >>> answer = benchmark_json(solve_ufl(problem, LocateParams(time_limit_s=5)))
    >>> answer["open"], answer["assignment"], answer["objective"], answer["status"]
    ([0], [[0, 0, 1.0], [1, 0, 1.0]], 10.0, 'optimal')
    """
    return {
        "open": sorted(int(i) for i in result.open),
        "assignment": [[int(c), int(s), f] for c, s, f in result.assignment],
        "objective": _number(result.objective),
        "bound": _number(result.bound),
        "status": result.status.value,
        "runtime_s": result.runtime_s,
    }


def _number(x: float) -> float | None:
    return x if math.isfinite(x) else None
