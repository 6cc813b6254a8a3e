"""Benchmark I/O: VRPLIB and Li & Lim instances as scenarios, VRPLIB solutions in and out.

The strongest check of the readers is that the best-known solutions shipped in
``../shared/benchmarks`` beside the repository (see its README for each family's distance
convention) cost exactly their listed values under the matrices built here. Tiny files written in
``tmp_path`` pin the mapping (windows, service times, orders, conventions) by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import vrplib
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.benchmark_instance import BenchmarkFileError, build_instance
from logistics.benchmarks import (
    BenchmarkInstance,
    Rounding,
    arc_lengths,
    read_benchmark_instance,
    read_lilim_instance,
    read_vrplib_instance,
    read_vrplib_solution,
    solution_cost,
    solution_routes,
    write_vrplib_solution,
)
from logistics.plans import CostBreakdown, Route, RoutePlan, SolveStatus, StopKind, Visit
from logistics.scenario import SHARED, Direction, SiteKind

BENCHMARKS = Path(__file__).parents[3] / "shared" / "benchmarks"
needs_benchmarks = pytest.mark.skipif(
    not BENCHMARKS.is_dir(), reason=f"the benchmark data folder {BENCHMARKS} is not present"
)

#: Depot at (0, 0); node 1 at (3, 4) is 5 away; node 2 at (1, 1) is √2 ≈ 1.414 away, which
#: the three conventions tell apart (1.41421…, 1.4 and 1).
TINY_VRPTW = """NAME : tiny-tw
TYPE : VRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 1 1
DEMAND_SECTION
1 0
2 4
3 0
TIME_WINDOW_SECTION
1 0 1000
2 30 90
3 0 3599
SERVICE_TIME_SECTION
1 0
2 90
3 10
DEPOT_SECTION
1
-1
EOF
"""

#: The same nodes as a Li & Lim file: node 1 picks up 4 for node 2.
TINY_LILIM = """2 10 1
0 0 0 0 0 1000 0 0 0
1 3 4 4 30 90 90 0 2
2 1 1 -4 0 3599 10 1 0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bks(family: str, file: str = "bks.csv", column: str = "value") -> dict[str, float]:
    with open(BENCHMARKS / family / file, encoding="utf-8") as rows:
        return {row["instance"]: float(row[column]) for row in csv.DictReader(rows)}


def recost(family: str, suffix: str) -> dict[str, tuple[BenchmarkInstance, list[list[int]], float]]:
    """Each instance of ``family`` with its shipped solution's routes and recomputed cost."""
    out = {}
    for name in bks(family):
        instance = read_benchmark_instance(BENCHMARKS / family / f"{name}{suffix}")
        routes, _ = read_vrplib_solution(BENCHMARKS / family / f"{name}.sol")
        out[name] = (instance, routes, solution_cost(instance, routes))
    return out


def assert_serves_every_customer_once(instance: BenchmarkInstance, routes: list[list[int]]) -> None:
    nodes = sorted(i for route in routes for i in route)
    assert nodes == list(range(1, len(instance.node_ids)))


# --- the shipped best-known solutions, re-costed -------------------------------------------


@needs_benchmarks
def test_solomon_solutions_cost_their_bks_with_arcs_truncated_to_one_decimal() -> None:
    solved = recost("vrptw", ".vrp")
    assert len(solved) == 56
    for instance, routes, _ in solved.values():
        assert instance.rounding is Rounding.TRUNCATE_1
        assert_serves_every_customer_once(instance, routes)
    costs = {name: round(cost, 1) for name, (_, _, cost) in solved.items()}
    assert costs == bks("vrptw")


@needs_benchmarks
def test_x_solutions_cost_their_bks_exactly_with_arcs_rounded_to_integers() -> None:
    solved = recost("cvrp", ".vrp")
    assert len(solved) == 20
    for instance, routes, _ in solved.values():
        assert instance.rounding is Rounding.ROUND
        assert_serves_every_customer_once(instance, routes)
    assert {name: cost for name, (_, _, cost) in solved.items()} == bks("cvrp")


@needs_benchmarks
def test_li_lim_solutions_cost_their_bks_unrounded_with_the_listed_vehicle_count() -> None:
    solved = recost("pdptw", ".txt")
    assert len(solved) == 56
    expected, vehicles = bks("pdptw"), bks("pdptw", "bks_hierarchical.csv", "vehicles")
    for name, (instance, routes, cost) in solved.items():
        assert instance.rounding is Rounding.EXACT and instance.vehicles_first
        assert cost == pytest.approx(expected[name], abs=1e-3), name
        assert len(routes) == vehicles[name], name
        assert_serves_every_customer_once(instance, routes)
        # Each pickup and its destination share a route, the pickup first.
        position = {i: (k, j) for k, route in enumerate(routes) for j, i in enumerate(route)}
        for order in instance.scenario.orders:
            assert order.destination is not None
            (route_p, at_p), (route_d, at_d) = (
                position[int(order.site_id)],
                position[int(order.destination)],
            )
            assert route_p == route_d and at_p < at_d, (name, order.order_id)


@needs_benchmarks
def test_c101_costs_828_94_with_unrounded_arcs_as_the_readme_says() -> None:
    instance = read_vrplib_instance(BENCHMARKS / "vrptw" / "C101.vrp", rounding=Rounding.EXACT)
    routes, cost = read_vrplib_solution(BENCHMARKS / "vrptw" / "C101.sol")
    assert cost == 827.3
    assert round(solution_cost(instance, routes), 2) == 828.94


# --- the conversion of real files ------------------------------------------------------------


@needs_benchmarks
def test_c101_becomes_a_scenario_with_the_file_s_nodes_demands_windows_and_service() -> None:
    instance = read_vrplib_instance(BENCHMARKS / "vrptw" / "C101.vrp")
    s = instance.scenario
    assert (instance.name, instance.family, instance.vehicles_first) == ("C101", "vrptw", False)
    assert len(s.sites) == 101 and len(s.orders) == 100
    assert instance.node_ids == tuple(str(i) for i in range(101))
    assert s.planning.start == dt.time(0, 0) and s.planning.end == dt.time(0, 20, 36)  # 1236 s
    depot = s.site("0")
    assert depot.kind is SiteKind.COUNTY_WAREHOUSE and depot.service_min == 0
    # VRPLIB nodes 2, 3, 4 of the file: (45, 68) 10 [912, 967], (45, 70) 30 [825, 870],
    # (42, 66) 10 [65, 146], each served in 90.
    for node, demand, ready, due in (("1", 10, 912, 967), ("2", 30, 825, 870), ("3", 10, 65, 146)):
        site = s.site(node)
        assert site.kind is SiteKind.VILLAGE_POINT
        assert site.open_time == dt.time(0, ready // 60, ready % 60)
        assert site.close_time == dt.time(0, due // 60, due % 60)
        assert site.service_min == 1.5
        order = s.orders[int(node) - 1]
        assert (order.order_id, order.site_id, order.direction) == (f"D{node}", node, "delivery")
        assert order.weight_kg == demand and order.parcels == demand and order.volume_m3 == 0
        assert order.carrier == "bench"
    assert s.site("1").lon == pytest.approx(109.045) and s.site("1").lat == pytest.approx(28.068)
    (fleet,) = s.fleet
    assert (fleet.count, fleet.capacity_kg, fleet.depot, fleet.carrier) == (25, 200, "0", SHARED)
    assert (fleet.cost_per_km, fleet.fixed_cost, fleet.max_trips) == (1000.0, 0.0, 1)
    assert s.costs.unserved_penalty == 1e7 and s.costs.driver_cost_per_hour == 0
    d = instance.matrix.distance_m
    assert d[0, 1] == math.floor(10 * math.hypot(5, 18)) / 10 == 18.6
    assert np.array_equal(d, instance.matrix.duration_s)


@needs_benchmarks
def test_lc101_pairs_become_pickups_with_their_delivery_as_destination() -> None:
    instance = read_lilim_instance(BENCHMARKS / "pdptw" / "lc101.txt")
    s = instance.scenario
    assert (instance.name, instance.family) == ("lc101", "pdptw")
    assert len(s.sites) == 107 and len(s.orders) == 53
    assert all(o.direction is Direction.PICKUP for o in s.orders)
    # File line "3 42 66 10 65 146 90 0 75": the first pickup, delivered at node 75.
    first = s.orders[0]
    assert (first.order_id, first.site_id, first.destination) == ("P3", "3", "75")
    assert first.weight_kg == 10 and first.parcels == 10
    # Node 1 is the delivery of pickup 11 ("11 35 69 10 448 505 90 0 1").
    by_id = {o.order_id: o for o in s.orders}
    assert by_id["P11"].destination == "1" and "P1" not in by_id
    assert s.site("75").open_time == dt.time(0, 16, 37)  # 997 s
    assert s.fleet[0].count == 25 and s.fleet[0].capacity_kg == 200


@needs_benchmarks
def test_x_n101_k25_has_capacity_206_one_vehicle_per_customer_and_no_windows() -> None:
    instance = read_vrplib_instance(BENCHMARKS / "cvrp" / "X-n101-k25.vrp")
    s = instance.scenario
    assert (instance.name, instance.family, instance.rounding) == ("X-n101-k25", "cvrp", "round")
    assert s.fleet[0].capacity_kg == 206 and s.fleet[0].count == 100
    assert s.planning.end == dt.time(23, 59, 59)
    assert all(site.open_time is None and site.close_time is None for site in s.sites)
    assert s.orders[0].weight_kg == 38


# --- tiny files: conventions, defaults, detection --------------------------------------------


def test_each_family_reads_with_its_convention_unless_overridden(tmp_path: Path) -> None:
    """Node 2 lies √2 from the depot: 1.41421… exact, 1.4 truncated, 1 rounded."""
    vrptw = write(tmp_path, "tiny.vrp", TINY_VRPTW)
    cvrp = write(tmp_path, "tiny-cvrp.vrp", TINY_VRPTW.replace("TYPE : VRPTW", "TYPE : CVRP"))
    cvrp.write_text(cvrp.read_text().split("TIME_WINDOW_SECTION")[0] + "DEPOT_SECTION\n1\n-1\n")
    lilim = write(tmp_path, "tiny.txt", TINY_LILIM)
    cases = {
        (vrptw, None): (Rounding.TRUNCATE_1, 1.4),
        (cvrp, None): (Rounding.ROUND, 1.0),
        (lilim, None): (Rounding.EXACT, math.sqrt(2)),
        (vrptw, Rounding.EXACT): (Rounding.EXACT, math.sqrt(2)),
        (cvrp, Rounding.TRUNCATE_1): (Rounding.TRUNCATE_1, 1.4),
        (lilim, Rounding.ROUND): (Rounding.ROUND, 1.0),
    }
    for (path, rounding), (expected, d02) in cases.items():
        instance = read_benchmark_instance(path, rounding=rounding)
        assert instance.rounding is expected
        assert instance.matrix.distance_m[0, 2] == d02 == instance.matrix.duration_s[2, 0]
        assert instance.matrix.distance_m[0, 1] == 5.0
    families = [read_benchmark_instance(p).family for p in (vrptw, cvrp, lilim)]
    assert families == ["vrptw", "cvrp", "pdptw"]


def test_tiny_vrptw_windows_service_and_a_zero_demand_customer(tmp_path: Path) -> None:
    """Windows are seconds after midnight; a customer of demand 0 still gets an order."""
    s = read_vrplib_instance(write(tmp_path, "tiny.vrp", TINY_VRPTW)).scenario
    assert s.planning.end == dt.time(0, 16, 40)
    assert (s.site("1").open_time, s.site("1").close_time) == (dt.time(0, 0, 30), dt.time(0, 1, 30))
    assert s.site("2").close_time == dt.time(0, 59, 59)
    assert s.site("1").service_min == 1.5 and s.site("2").service_min == pytest.approx(10 / 60)
    assert [(o.order_id, o.weight_kg, o.parcels) for o in s.orders] == [("D1", 4, 4), ("D2", 0, 0)]


def test_tiny_li_lim_pair_and_detection_without_a_known_suffix(tmp_path: Path) -> None:
    """A Li & Lim file is told from VRPLIB by its first line, whatever its name."""
    instance = read_benchmark_instance(write(tmp_path, "tiny.data", TINY_LILIM))
    (order,) = instance.scenario.orders
    assert (order.order_id, order.site_id, order.destination, order.weight_kg) == (
        "P1", "1", "2", 4.0
    )  # fmt: skip
    assert instance.name == "tiny" and instance.vehicles_first
    vrp = read_benchmark_instance(write(tmp_path, "tiny.data2", TINY_VRPTW))
    assert vrp.family == "vrptw" and not vrp.vehicles_first


def test_a_due_time_past_23_59_59_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "late.vrp", TINY_VRPTW.replace("3 0 3599", "3 0 86400"))
    with pytest.raises(ValueError, match="outside one day"):
        read_vrplib_instance(path)
    ok = write(tmp_path, "last.vrp", TINY_VRPTW.replace("3 0 3599", "3 0 86399"))
    assert read_vrplib_instance(ok).scenario.site("2").close_time == dt.time(23, 59, 59)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken_pair.txt", TINY_LILIM.replace("2 1 1 -4", "2 1 1 -3"), "do not match"),
        ("short_line.txt", TINY_LILIM.replace("90 0 2\n", "90 0\n"), "line 3 has 8 numbers"),
        ("ids_out_of_order.txt", TINY_LILIM.replace("\n1 3 4", "\n7 3 4"), "node ids"),
        ("two_depots.vrp", TINY_VRPTW.replace("1\n-1", "1\n2\n-1"), "one depot"),
        ("pickup_type.vrp", TINY_VRPTW.replace("VRPTW", "VRPSPD"), "TYPE VRPSPD"),
        ("no_demand.vrp", TINY_VRPTW.replace("DEMAND_SECTION", "OTHER_SECTION"), "DEMAND"),
        ("garbage.vrp", "hello world\n", "not a VRPLIB instance"),
        ("short_section.vrp", TINY_VRPTW.replace("3 0 3599\n", ""), "time windows"),
    ],
)
def test_broken_files_raise_a_benchmark_file_error(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(BenchmarkFileError, match=message):
        read_benchmark_instance(write(tmp_path, name, text))


def test_large_coordinates_are_shrunk_into_china_for_display() -> None:
    """The fixed display map would leave China; the scenario still validates."""
    instance = build_instance(
        "big", name="big", family="cvrp", coords=[[0, 0], [1e6, -2e6]], demand=[0, 1],
        capacity=1, vehicles=1, rounding=Rounding.ROUND, vehicles_first=False,
    )  # fmt: skip
    lon = [site.lon for site in instance.scenario.sites]
    assert min(lon) >= 73 and max(lon) <= 135.5
    assert instance.matrix.distance_m[0, 1] == round(math.hypot(1e6, 2e6))


# --- solutions ---------------------------------------------------------------------------------


def test_written_solutions_read_back_with_vrplib(tmp_path: Path) -> None:
    path = tmp_path / "tiny.sol"
    write_vrplib_solution(path, [[1, 2], [3]], 1234.5)
    assert path.read_text() == "Route #1: 1 2\nRoute #2: 3\nCost 1234.5\n"
    assert vrplib.read_solution(path) == {"routes": [[1, 2], [3]], "cost": 1234.5}
    write_vrplib_solution(path, [[1, 2], [3]], 27591.0)
    assert path.read_text().endswith("Cost 27591\n")
    assert read_vrplib_solution(path) == ([[1, 2], [3]], 27591.0)


@pytest.mark.parametrize("routes", [[[1], []], [[0, 1]], [[-1]]])
def test_a_solution_with_an_empty_route_or_the_depot_is_refused(
    tmp_path: Path, routes: list[list[int]]
) -> None:
    with pytest.raises(ValueError, match="route #"):
        write_vrplib_solution(tmp_path / "bad.sol", routes, 1.0)


@settings(max_examples=50, deadline=None)
@given(
    routes=st.lists(st.lists(st.integers(1, 10_000), min_size=1, max_size=8), max_size=6),
    cost=st.floats(min_value=0, max_value=1e12, allow_nan=False),
)
def test_solutions_round_trip(routes: list[list[int]], cost: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "any.sol")
        write_vrplib_solution(path, routes, cost)
        assert read_vrplib_solution(path) == (routes, cost)


def visit(site: str, kind: StopKind, order_id: str | None = None) -> Visit:
    return Visit(site, kind, order_id, 0.0, 0.0, 0.0, 0.0, 0.0, 0)


def test_solution_routes_lists_client_nodes_of_each_trip_without_the_depot(tmp_path: Path) -> None:
    """Trip 1 picks up at 1 and drops at 2; trip 2 is empty; trip 3 calls twice at 2.

    Expected: ``[[1, 2], [2, 1]]``: the depot is not listed, the empty trip is left out and
    two stops in a row at one node are one visit.
    """
    instance = read_lilim_instance(write(tmp_path, "tiny.txt", TINY_LILIM))
    trips = [
        [("0", StopKind.START), ("1", StopKind.PICKUP), ("2", StopKind.DROP), ("0", StopKind.END)],
        [("0", StopKind.START), ("0", StopKind.END)],
        [("0", StopKind.START), ("2", StopKind.DELIVERY), ("2", StopKind.PICKUP),
         ("1", StopKind.PICKUP), ("0", StopKind.END)],
    ]  # fmt: skip
    routes = tuple(
        Route(f"vehicle#{k}", "vehicle", 1, tuple(visit(*stop) for stop in trip), 0.0)
        for k, trip in enumerate(trips, start=1)
    )
    plan = RoutePlan(routes, (), SolveStatus.FEASIBLE, CostBreakdown(), 0.0, 0.0, "hand")
    assert solution_routes(instance, plan) == [[1, 2], [2, 1]]
    assert solution_cost(instance, [[1, 2]]) == pytest.approx(5 + math.hypot(2, 3) + math.sqrt(2))
    stops = (visit("0", StopKind.START), visit("X", StopKind.PICKUP), visit("0", StopKind.END))
    stray = Route("vehicle#9", "vehicle", 1, stops, 0.0)
    plan = RoutePlan((stray,), (), SolveStatus.FEASIBLE, CostBreakdown(), 0.0, 0.0, "hand")
    with pytest.raises(ValueError, match="not a node"):
        solution_routes(instance, plan)


# --- the conventions as properties ------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000)), min_size=1, max_size=12)
)
def test_the_conventions_stay_within_their_rounding_of_the_euclidean_length(
    points: list[tuple[int, int]],
) -> None:
    exact = arc_lengths(points, Rounding.EXACT)
    rounded = arc_lengths(points, Rounding.ROUND)
    truncated = arc_lengths(points, Rounding.TRUNCATE_1)
    for d in (exact, rounded, truncated):
        assert np.array_equal(d, d.T) and not d.diagonal().any()
    assert (np.abs(rounded - exact) <= 0.5).all()
    assert ((truncated <= exact) & (truncated > exact - 0.1)).all()
    assert (np.abs(truncated * 10 - np.round(truncated * 10)) < 1e-9).all()


def test_round_takes_halves_up_as_tsplib_nint_does() -> None:
    assert arc_lengths([[0, 0], [2.5, 0], [0, 3.5]], Rounding.ROUND)[0].tolist() == [0, 3, 4]
