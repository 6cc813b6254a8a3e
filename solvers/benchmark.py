"""Solve public benchmark instances (VRPLIB CVRP and VRPTW, Li & Lim PDPTW) with lognet's
own router, as ``lognet bench vrp`` does.

A :class:`~logistics.benchmarks.BenchmarkInstance` is an ordinary scenario (one depot,
one shared fleet) with the family's travel matrix, so the county router solves it
unchanged and the independent checker verifies the result. Families that minimise
vehicles first (Li & Lim) get a fixed cost per vehicle larger than any possible saving in
distance: the cost of serving every customer on its own route bounds every plan's
distance when the matrix obeys the triangle inequality.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from logistics.benchmarks import BenchmarkInstance, solution_routes
from logistics.checker import CheckReport, check_plan
from logistics.plans import RoutePlan
from logistics.scenario import Scenario
from solvers.location import open_everything
from solvers.routing import RouteParams, route

__all__ = ["BenchmarkSolution", "solve_benchmark"]


@dataclass(frozen=True, slots=True)
class BenchmarkSolution:
    """lognet's answer to one instance.

    ``routes`` hold instance node indices (the depot 0 not listed); ``cost`` is the total
    distance under the family's convention; ``feasible`` means every customer is served
    and the plan passed the checker.
    """

    instance: str
    routes: tuple[tuple[int, ...], ...]
    cost: float
    vehicles: int
    feasible: bool
    runtime_s: float
    engine: str
    seed: int
    plan: RoutePlan
    check: CheckReport


def solve_benchmark(
    instance: BenchmarkInstance,
    *,
    time_limit_s: float,
    seed: int = 0,
    engine: str = "auto",
    workers: int | None = None,
) -> BenchmarkSolution:
    """Route ``instance`` within ``time_limit_s`` and check the result; ``workers`` as in
    :class:`~solvers.routing.RouteParams`."""
    t0 = time.perf_counter()
    scenario = _with_vehicle_cost(instance) if instance.vehicles_first else instance.scenario
    everything_open = open_everything(scenario)
    plan = route(
        scenario,
        instance.matrix,
        everything_open,
        RouteParams(time_limit_s=time_limit_s, seed=seed, engine=engine, workers=workers),
    )
    check = check_plan(scenario, instance.matrix, plan, everything_open)
    return BenchmarkSolution(
        instance=instance.name,
        routes=tuple(tuple(r) for r in solution_routes(instance, plan)),
        # Summed floats: 847.9999999999999 is 848 (the families use at most 4 decimals).
        cost=round(plan.distance_m, 6),
        vehicles=len(plan.vehicles_used),
        feasible=check.ok and not plan.unserved,
        runtime_s=time.perf_counter() - t0,
        engine=plan.engine,
        seed=seed,
        plan=plan,
        check=check,
    )


def _with_vehicle_cost(instance: BenchmarkInstance) -> Scenario:
    """The scenario with a fixed cost per vehicle above any distance one vehicle saves."""
    m = instance.matrix
    depot = m.index(instance.node_ids[0])
    out_and_back = m.distance_m[depot, :] + m.distance_m[:, depot]
    per_unit = instance.scenario.fleet[0].cost_per_km / 1000
    star = float(np.sum(out_and_back[np.isfinite(out_and_back)])) * per_unit
    fleet = tuple(replace(v, fixed_cost=star + 1.0) for v in instance.scenario.fleet)
    return replace(instance.scenario, fleet=fleet)
