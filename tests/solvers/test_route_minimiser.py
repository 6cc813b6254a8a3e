"""The route minimiser (ejection search) on cases small enough to check by hand, and its
invariants on small random pickup-and-delivery parts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _fixtures import (
    assert_ok,
    county,
    facility,
    km_matrix,
    location_plan,
    pickup,
    vehicle,
    village,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.benchmark_instance import Rounding, build_instance
from logistics.checker import check_plan
from logistics.lilim_io import read_lilim_instance
from logistics.matrix import TravelMatrix
from logistics.scenario import Scenario, SiteKind
from solvers._pd_routes import PdModel, route_is_feasible
from solvers.benchmark import solve_benchmark
from solvers.location import open_everything
from solvers.route_minimiser import (
    minimise_routes,
    minimiser_time_scale,
    route_minimiser_supports,
)
from solvers.routing import RouteParams, route
from solvers.routing_problem import RoutingProblem, build_routing_problem, preload, split_components

#: Three loads on a line (depot at 0), each picked up at an odd kilometre and dropped at
#: the next: one vehicle takes them all, 0-1-2-3-4-5-6-0, 12 long.
THREE_ON_A_LINE = """3 30 1
0 0 0 0 0 1000 0 0 0
1 1 0 10 0 1000 0 0 2
2 2 0 -10 0 1000 0 1 0
3 3 0 10 0 1000 0 0 4
4 4 0 -10 0 1000 0 3 0
5 5 0 10 0 1000 0 0 6
6 6 0 -10 0 1000 0 5 0
"""

#: Loads at +10 and -10 must both be collected between times 10 and 12: no vehicle can
#: be at both, so two vehicles are needed; the load at +12 may join either.
TWO_AT_ONCE = """3 30 1
0 0 0 0 0 1000 0 0 0
1 10 0 10 10 12 0 0 2
2 11 0 -10 0 1000 0 1 0
3 -10 0 10 10 12 0 0 4
4 -11 0 -10 0 1000 0 3 0
5 12 0 10 0 1000 0 0 6
6 13 0 -10 0 1000 0 5 0
"""


def parts(scenario: Scenario, matrix: TravelMatrix) -> list[RoutingProblem]:
    problem = build_routing_problem(scenario, matrix, open_everything(scenario))
    return [preload(p) for p in split_components(problem)]


def only_part(scenario: Scenario, matrix: TravelMatrix) -> RoutingProblem:
    (part,) = parts(scenario, matrix)
    return part


def lilim_part(tmp_path: Path, text: str) -> RoutingProblem:
    path = tmp_path / "tiny.txt"
    path.write_text(text, encoding="utf-8")
    instance = read_lilim_instance(path)
    return only_part(instance.scenario, instance.matrix)


def one_vehicle_per_pair(part: RoutingProblem) -> list[list[int]]:
    routes: list[list[int]] = [[] for _ in part.vehicles]
    for k, pair in enumerate(part.pairs):
        routes[k] = [*pair.pickups, *pair.deliveries]
    return routes


def used(sequences: tuple[tuple[int, ...], ...]) -> int:
    return sum(1 for seq in sequences if seq)


def test_three_loads_on_a_line_go_on_one_vehicle(tmp_path: Path) -> None:
    part = lilim_part(tmp_path, THREE_ON_A_LINE)
    assert route_minimiser_supports(part)
    start = one_vehicle_per_pair(part)

    fewer = minimise_routes(part, start, deadline=time.perf_counter() + 5)

    assert used(fewer) == 1
    assert sorted(i for seq in fewer for i in seq) == list(range(6))


def test_the_router_plans_the_line_with_one_vehicle_and_passes_the_checker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``solve_benchmark`` (vehicles first): the adapter calls the minimiser and
    the plan it returns passes the independent checker."""
    calls = []

    def spy(*args: object, **kwargs: object) -> tuple[tuple[int, ...], ...]:
        calls.append(args)
        return minimise_routes(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("solvers.engines.ortools_routing.minimise_routes", spy)
    path = tmp_path / "line.txt"
    path.write_text(THREE_ON_A_LINE, encoding="utf-8")

    result = solve_benchmark(read_lilim_instance(path), time_limit_s=2, workers=1)

    assert calls
    assert result.feasible and result.check.ok
    assert result.vehicles == 1
    assert result.cost == pytest.approx(12.0)


def test_windows_that_need_two_vehicles_keep_two(tmp_path: Path) -> None:
    part = lilim_part(tmp_path, TWO_AT_ONCE)
    model = PdModel(part, time_scale=minimiser_time_scale(part))

    fewer = minimise_routes(part, one_vehicle_per_pair(part), deadline=time.perf_counter() + 1)

    assert used(fewer) == 2
    assert all(route_is_feasible(model, [i + 1 for i in seq]) for seq in fewer if seq)


def test_a_ride_limit_sets_the_order_of_the_loads() -> None:
    """A (km 10, 30 min to load) and B (km 5) send produce to the store H (km 20), B
    within 20 min. W-B-A-H carries B through A's loading (45 min); W-A-B-H takes B 15
    min, so one van does A first. The minimiser must find that order, and the router's
    plan from it must pass the checker."""
    scenario = county(
        [
            facility("W"),
            village("A", service_min=30),
            village("B"),
            facility("H", SiteKind.TOWNSHIP_STATION),
        ],
        [pickup("P-A", "A", destination="H"), pickup("P-B", "B", destination="H",
                                                     max_transit_min=20)],
        [vehicle("van", count=2, fixed_cost=500.0)],
    )  # fmt: skip
    positions = {"W": 0, "A": 10, "B": 5, "H": 20}
    matrix = km_matrix(list(positions), [[abs(positions[a] - positions[b]) for b in positions]
                                         for a in positions])  # fmt: skip
    part = only_part(scenario, matrix)
    assert route_minimiser_supports(part)

    (seq,) = [s for s in minimise_routes(part, one_vehicle_per_pair(part),
                                         deadline=time.perf_counter() + 2) if s]  # fmt: skip

    assert [part.stops[i].site_id for i in seq] == ["A", "B", "H", "H"]
    location = location_plan(scenario)
    plan = route(scenario, matrix, location, RouteParams(time_limit_s=2, workers=1))
    assert_ok(check_plan(scenario, matrix, plan, location))
    assert len(plan.vehicles_used) == 1


def test_produce_back_to_the_depot_is_not_supported() -> None:
    """Produce unloaded at the depot makes calls at the depot (several trips): the
    minimiser leaves such parts to the adapter's own route elimination."""
    scenario = county(
        [facility("W"), village("A")], [pickup("P-A", "A")], [vehicle("van", count=2)]
    )
    matrix = km_matrix(["W", "A"], [[0, 5], [5, 0]])
    assert not route_minimiser_supports(only_part(scenario, matrix))


@st.composite
def pdptw_parts(draw: st.DrawFn) -> list[RoutingProblem]:
    """Up to 6 pairs at random points of a 50 x 50 square, with random loads, windows
    and service times, one vehicle per pair."""
    n = draw(st.integers(1, 6))
    coord = st.integers(0, 50)
    coords = [[25, 25]] + [[draw(coord), draw(coord)] for _ in range(2 * n)]
    loads = [draw(st.integers(1, 10)) for _ in range(n)]
    demand = [0] + [x for q in loads for x in (q, -q)]
    windows = [[0, 2000]]
    for _ in range(2 * n):
        ready = draw(st.integers(0, 600))
        windows.append([ready, ready + draw(st.integers(150, 1200))])
    service = [0] + [draw(st.integers(0, 20)) for _ in range(2 * n)]
    instance = build_instance(
        "random",
        name="random",
        family="pdptw",
        coords=coords,
        demand=demand,
        capacity=draw(st.integers(10, 25)),
        vehicles=n,
        rounding=Rounding.EXACT,
        vehicles_first=True,
        windows=windows,
        service=service,
        pairs=[(2 * k + 1, 2 * k + 2) for k in range(n)],
    )
    return parts(instance.scenario, instance.matrix)


@settings(max_examples=25, deadline=None)
@given(drawn=pdptw_parts(), seed=st.integers(0, 1000))
def test_the_minimiser_keeps_every_stop_and_never_adds_a_vehicle(
    drawn: list[RoutingProblem], seed: int
) -> None:
    """Pairs that no vehicle can serve alone are set aside before the engine runs (all
    of them, at times); the others start one per vehicle."""
    if not drawn:
        return
    (part,) = drawn
    model = PdModel(part, time_scale=minimiser_time_scale(part))
    start = one_vehicle_per_pair(part)
    if not all(route_is_feasible(model, [i + 1 for i in seq]) for seq in start if seq):
        return  # a pair alone fits only in float seconds, not in engine units
    fewer = minimise_routes(
        part, start, deadline=time.perf_counter() + 0.5, seed=seed, max_iterations=100
    )
    assert sorted(i for seq in fewer for i in seq) == sorted(i for seq in start for i in seq)
    assert all(route_is_feasible(model, [i + 1 for i in seq]) for seq in fewer if seq)
    assert used(fewer) <= used(tuple(tuple(s) for s in start))
