"""The OR-Tools adapter's route elimination, on a case small enough to check by hand."""

from __future__ import annotations

import time

from _fixtures import county, facility, line_matrix, location_plan, pickup, vehicle, village

from logistics.scenario import SiteKind
from solvers.engines.ortools_routing import _eliminate_routes, _Model, solve_with_ortools
from solvers.routing_problem import Role, RoutingProblem, build_routing_problem, preload


def two_pickups_to_a_store() -> RoutingProblem:
    """Produce at A (km 10) and B (km 12) goes to the store H (km 20); two vans at W
    (km 0), each costing 500 a day, either of which can carry both loads. One van doing
    W-A-B-H-W (40 km) is the optimum; a van per load costs 500 more for 0 km less."""
    scenario = county(
        [facility("W"), village("A"), village("B"), facility("H", SiteKind.TOWNSHIP_STATION)],
        [pickup("P-A", "A", destination="H"), pickup("P-B", "B", destination="H")],
        [vehicle("van", count=2, fixed_cost=500.0)],
    )
    matrix = line_matrix({"W": 0, "A": 10, "B": 12, "H": 20})
    return preload(build_routing_problem(scenario, matrix, location_plan(scenario)))


def test_a_vehicle_serving_one_load_is_emptied_into_the_other() -> None:
    part = two_pickups_to_a_store()
    first, second = (
        (pair.pickups[0], pair.deliveries[0]) for pair in part.pairs
    )  # one van per load
    assert all(part.stops[d].role is Role.DROP for _, d in (first, second))
    model = _Model(part)
    start = model.routing.ReadAssignmentFromRoutes(model.routes_of([first, second]), True)
    one_each = model.extract(start, "test")
    assert sum(1 for seq in one_each.sequences if seq) == 2

    best = _eliminate_routes(part, model, one_each, time.perf_counter() + 5, 5.0, None)

    assert sum(1 for seq in best.sequences if seq) == 1
    assert best.objective < one_each.objective - 499


def test_the_engine_uses_one_van() -> None:
    result = solve_with_ortools(two_pickups_to_a_store(), time_limit_s=2)
    (route,) = [seq for seq in result.sequences if seq]
    assert len(route) == 4
