"""The PyVRP routing engine (:mod:`solvers.engines.pyvrp_routing`) and how ``route()``
chooses between it and OR-Tools.

Every plan goes through the independent checker (``route_checked``); each tiny county adds
what it forces: the optimum on a brute-forced tour, the visiting order that windows or
capacities leave, a second trip and the time its reload takes, which orders a small
penalty leaves out. ``max_iterations`` keeps the runs short and deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version
from typing import Any

import pytest
from _fixtures import (
    DRIVER_PER_HOUR,
    clock,
    county,
    delivery,
    facility,
    km_matrix,
    line_matrix,
    location_plan,
    order_sites,
    pickup,
    route_checked,
    unserved_reasons,
    vehicle,
    village,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pyvrp import Solution
from test_routing import TOUR_IDS, TOUR_KM, cheapest_tour_cost

from logistics.checker import check_plan
from logistics.demo import make_demo_county
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, RoutePlan, StopKind, UnservedReason
from logistics.scenario import Costs, Scenario, SiteKind, Temperature
from networks.matrix import build_network
from solvers.engines.pyvrp_routing import pyvrp_supports, solve_with_pyvrp
from solvers.location import LocateParams, locate
from solvers.routing import DETERMINISTIC_RUNS, ROUNDS, RouteParams, _has_time_windows, route
from solvers.routing_problem import (
    Role,
    RoutingProblem,
    build_routing_problem,
    preload,
    split_components,
)

PYVRP_VERSION = version("pyvrp")
#: Enough for PyVRP to settle every county here; a run takes milliseconds.
ITERATIONS = 300


def pyvrp_checked(
    scenario: Scenario, matrix: TravelMatrix, location: LocationPlan | None = None
) -> RoutePlan:
    """Route with ``engine="pyvrp"``, checked, and assert that PyVRP alone ran."""
    plan = route_checked(
        scenario, matrix, location, engine="pyvrp", max_iterations=ITERATIONS, time_limit_s=5
    )
    assert plan.engine == "pyvrp"
    assert dict(plan.engine_versions) == {"pyvrp": PYVRP_VERSION}
    return plan


def only_part(
    scenario: Scenario, matrix: TravelMatrix, location: LocationPlan | None = None
) -> RoutingProblem:
    """The single independent part ``route()`` would solve, preloaded where it can be."""
    problem = build_routing_problem(scenario, matrix, location or location_plan(scenario))
    (part,) = split_components(problem)
    return preload(part)


def six_deliveries() -> tuple[Scenario, TravelMatrix]:
    """test_routing's six villages, each with parcels only: one trip, no pickups, so the
    part is the classic preloaded CVRP class and the best plan is the best tour."""
    villages = TOUR_IDS[1:]
    scenario = county(
        [facility("W"), *(village(v, service_min=5) for v in villages)],
        [delivery(f"D-{v}", v) for v in villages],
        [vehicle("van", capacity_kg=1000, fixed_cost=50, cost_per_km=2.0)],
    )
    return scenario, km_matrix(TOUR_IDS, TOUR_KM)


def test_preloaded_part_matches_the_brute_force_tour() -> None:
    scenario, matrix = six_deliveries()
    part = only_part(scenario, matrix)
    assert part.preloaded
    assert pyvrp_supports(part)
    plan = pyvrp_checked(scenario, matrix)
    assert plan.unserved == ()
    assert plan.cost.total == pytest.approx(cheapest_tour_cost(), rel=1e-9, abs=1e-9)


def test_time_windows_force_the_visiting_order() -> None:
    """As in test_routing: only V2, V3, V1 meets every window on this road."""
    scenario = county(
        [facility("W"), village("V1"), village("V2"), village("V3")],
        [
            delivery("D1", "V1", ready=clock(9)),
            delivery("D2", "V2", due=clock(7, 25)),
            delivery("D3", "V3", ready=clock(8), due=clock(8, 30)),
        ],
        [vehicle("van")],
    )
    plan = pyvrp_checked(scenario, line_matrix({"W": 0, "V1": 10, "V2": 20, "V3": 30}))
    assert plan.unserved == ()
    assert order_sites(plan, "van#1") == ["V2", "V3", "V1"]


def backhaul(capacity_kg: float) -> tuple[Scenario, TravelMatrix]:
    """60 kg of parcels for ``V1`` and 50 kg of produce to bring back from ``V2``. One-way
    roads make W → V2 → V1 → W (15 km) half as long as W → V1 → V2 → W (30 km), but with
    100 kg of room the produce fits only once the parcels are off."""
    scenario = county(
        [facility("W"), village("V1"), village("V2")],
        [delivery("D1", "V1", 60.0), pickup("P2", "V2", 50.0)],
        [vehicle("van", capacity_kg=capacity_kg)],
    )
    return scenario, km_matrix(["W", "V1", "V2"], [[0, 10, 5], [5, 0, 10], [10, 5, 0]])


@pytest.mark.parametrize(("capacity_kg", "order"), [(100, ["V1", "V2"]), (110, ["V2", "V1"])])
def test_simultaneous_pickup_and_delivery_count_both_loads(
    capacity_kg: float, order: list[str]
) -> None:
    scenario, matrix = backhaul(capacity_kg)
    assert pyvrp_supports(only_part(scenario, matrix))
    plan = pyvrp_checked(scenario, matrix)
    assert plan.unserved == ()
    assert order_sites(plan, "van#1") == order


def test_capacity_forces_a_reload_that_takes_the_depot_service_time() -> None:
    """Two 60 kg deliveries and a 100 kg van with two trips; loading at ``W`` takes 10 min
    before each trip."""
    scenario = county(
        [facility("W", service_min=10), village("V1"), village("V2")],
        [delivery("D1", "V1", 60.0), delivery("D2", "V2", 60.0)],
        [vehicle("van", capacity_kg=100, max_trips=2)],
    )
    matrix = km_matrix(["W", "V1", "V2"], [[0, 10, 10], [10, 0, 5], [10, 5, 0]])
    part = only_part(scenario, matrix)
    assert not part.preloaded
    assert pyvrp_supports(part)
    plan = pyvrp_checked(scenario, matrix)
    assert plan.unserved == ()
    first, second = plan.routes
    assert (first.trip, second.trip) == (1, 2)
    assert first.visits[0].departure_s - first.visits[0].start_s >= 600
    assert second.departure_s >= first.return_s + 600


def test_a_reload_with_nothing_to_load_or_unload_still_ends_a_trip() -> None:
    """Parcels for ``V1`` and produce at ``V2``, 10 km from ``W`` each but 100 km apart:
    the van serves them on two trips (40 km) rather than one (120 km). Between a trip
    with only parcels and one with only produce there is nothing to load or unload, yet
    the engine's sequence must still call at the depot there, or ``route()`` would drive
    V1 → V2 directly."""
    scenario = county(
        [facility("W", service_min=10), village("V1"), village("V2")],
        [delivery("D1", "V1"), pickup("P2", "V2")],
        [vehicle("van", max_trips=2)],
    )
    matrix = km_matrix(["W", "V1", "V2"], [[0, 10, 10], [10, 0, 100], [10, 100, 0]])
    plan = pyvrp_checked(scenario, matrix)
    assert plan.unserved == ()
    assert sorted(r.order_ids for r in plan.routes) == [("D1",), ("P2",)]
    assert plan.distance_m == 40_000
    part = only_part(scenario, matrix)
    result = solve_with_pyvrp(part, time_limit_s=5, max_iterations=ITERATIONS)
    (sequence,) = result.sequences
    roles = [part.stops[i].role for i in sequence]
    if roles[1] is Role.DELIVERY:  # the parcels go first (seed 0 does so)
        assert roles == [Role.LOAD, Role.DELIVERY, Role.LOAD, Role.PICKUP, Role.UNLOAD]
        assert sequence[0] == sequence[2]


def test_small_penalty_leaves_the_distant_order_out() -> None:
    """An order costs 5 to leave unserved: serving ``NEAR`` (1 km out) costs 2 km × 1 + 2 min
    × 0.6 = 3.2, serving ``FAR`` (50 km out) 160."""
    scenario = county(
        [facility("W"), village("NEAR"), village("FAR")],
        [delivery("N", "NEAR"), delivery("F", "FAR")],
        [vehicle("van")],
    )
    scenario = replace(
        scenario, costs=Costs(unserved_penalty=5.0, driver_cost_per_hour=DRIVER_PER_HOUR)
    )
    plan = pyvrp_checked(scenario, line_matrix({"W": 0, "NEAR": 1, "FAR": 50}))
    assert plan.served_order_ids == {"N"}
    assert unserved_reasons(plan) == {"F": UnservedReason.FLEET_EXHAUSTED}


def chilled_produce(max_transit_min: float | None) -> tuple[Scenario, TravelMatrix]:
    """Chilled produce at ``V1`` for cold store ``C``; one reefer at ``W``, which then may
    carry every stop of the part."""
    scenario = county(
        [facility("W"), facility("C", SiteKind.COLD_STORE), village("V1")],
        [pickup("K1", "V1", temperature=Temperature.CHILLED, max_transit_min=max_transit_min)],
        [vehicle("reefer", refrigerated=True)],
    )
    return scenario, km_matrix(["W", "C", "V1"], [[0, 10, 20], [10, 0, 20], [20, 20, 0]])


def test_cold_chain_with_a_transit_limit_stays_on_ortools() -> None:
    scenario, matrix = chilled_produce(30)
    location = location_plan(scenario, cold_assignment={"V1": "C"})
    part = only_part(scenario, matrix, location)
    assert any(s.role is Role.DROP for s in part.stops)
    assert not pyvrp_supports(part)
    plan = route_checked(scenario, matrix, location, engine="pyvrp")
    assert plan.engine == "pyvrp"
    assert set(plan.engine_versions) == {"ortools"}
    assert plan.unserved == ()


def test_produce_for_a_cold_store_without_a_transit_limit_is_a_pyvrp_shipment() -> None:
    """Without ``max_transit_min`` a pickup-and-drop pair is a PyVRP shipment: picked up,
    then dropped in the same trip."""
    scenario, matrix = chilled_produce(None)
    location = location_plan(scenario, cold_assignment={"V1": "C"})
    assert pyvrp_supports(only_part(scenario, matrix, location))
    plan = pyvrp_checked(scenario, matrix, location)
    assert plan.unserved == ()
    (trip,) = plan.routes
    assert [(v.site_id, v.kind) for v in trip.visits] == [
        ("W", StopKind.START),
        ("V1", StopKind.PICKUP),
        ("C", StopKind.DROP),
        ("W", StopKind.END),
    ]
    # PyVRP 0.14 searches shipments poorly at scale: "auto" leaves them to OR-Tools.
    auto = route_checked(scenario, matrix, location)
    assert set(auto.engine_versions) == {"ortools"}


def test_carrier_restrictions_stay_on_ortools() -> None:
    """EMS parcels may ride the EMS van or the shared one, ZTO parcels only the shared one:
    PyVRP cannot say which vehicle may serve which client."""
    scenario = county(
        [facility("W"), village("V1"), village("V2")],
        [delivery("E1", "V1", carrier="ems"), delivery("Z1", "V2", carrier="zto")],
        [vehicle("ems-van", carrier="ems"), vehicle("pool-van", fixed_cost=20)],
    )
    matrix = km_matrix(["W", "V1", "V2"], [[0, 10, 12], [10, 0, 3], [12, 3, 0]])
    assert not pyvrp_supports(only_part(scenario, matrix))
    plan = route_checked(scenario, matrix, engine="pyvrp")
    assert set(plan.engine_versions) == {"ortools"}
    assert plan.unserved == ()


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_engines_pass_the_checker_on_the_demo_county(engine: str) -> None:
    """The demo's township minivans form parts PyVRP takes; the county warehouse's carrier
    vans and reefers (carrier restrictions, cold chain) stay on OR-Tools."""
    scenario = make_demo_county(villages=20, townships=3)
    matrix = build_network(scenario).matrix
    location = locate(scenario, matrix, LocateParams(time_limit_s=2))
    plan = route(scenario, matrix, location, RouteParams(time_limit_s=3, engine=engine))
    report = check_plan(scenario, matrix, plan, location)
    assert report.ok, report.summary()
    assert plan.engine == engine
    expected = {"ortools", "pyvrp"} if engine == "pyvrp" else {"ortools"}
    assert set(plan.engine_versions) == expected
    assert plan.served_order_ids


def test_an_iteration_limit_makes_runs_repeatable() -> None:
    scenario, matrix = six_deliveries()
    params = RouteParams(time_limit_s=30, engine="pyvrp", max_iterations=50, seed=3)
    first, second = (route(scenario, matrix, location_plan(scenario), params) for _ in range(2))
    assert first.routes == second.routes


def test_later_rounds_start_from_the_best_plan_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without time windows the portfolio runs in rounds: the first round's runs start
    cold, each later one's from the best plan so far; the plan is still the best tour."""
    import solvers.engines.pyvrp_routing as adapter

    scenario, matrix = six_deliveries()
    assert not _has_time_windows(only_part(scenario, matrix))
    starts: list[int | None] = []
    real = adapter.search_pyvrp

    def recording(*args: Any, **kwargs: Any) -> Solution:
        start = kwargs.get("start")
        starts.append(None if start is None else start.num_clients())
        return real(*args, **kwargs)

    monkeypatch.setattr(adapter, "search_pyvrp", recording)
    params = RouteParams(time_limit_s=30, engine="pyvrp", max_iterations=60, workers=1)
    plan = route(scenario, matrix, location_plan(scenario), params)
    assert check_plan(scenario, matrix, plan, location_plan(scenario)).ok
    assert plan.cost.total == pytest.approx(cheapest_tour_cost(), rel=1e-9, abs=1e-9)
    later = [len(TOUR_IDS) - 1] * DETERMINISTIC_RUNS * (ROUNDS - 1)
    assert starts == [None] * DETERMINISTIC_RUNS + later


@settings(max_examples=40, deadline=None)
@given(
    stops=st.lists(
        st.tuples(
            st.integers(1, 30),  # km from W
            st.sampled_from(["delivery", "pickup", "pickup to H"]),
            st.sampled_from([20.0, 45.0, 70.0]),  # kg
            st.sampled_from([None, 8, 10, 12]),  # opening hour
            st.sampled_from([None, 2, 5]),  # hours open
        ),
        min_size=1,
        max_size=6,
    ),
    max_trips=st.integers(1, 3),
    vans=st.integers(1, 2),
    depot_service_min=st.sampled_from([0.0, 7.5, 20.0]),
    service_min=st.sampled_from([0.0, 5.0, 2.5]),
)
def test_any_small_county_passes_the_checker(
    stops: list[tuple[int, str, float, int | None, int | None]],
    max_trips: int,
    vans: int,
    depot_service_min: float,
    service_min: float,
) -> None:
    """Villages on one road with parcels or produce (for the depot, or for hub ``H`` when
    vehicles make one trip), opening hours, several trips and a depot that takes time to
    load at, one van or two: whatever PyVRP plans, route() turns into a plan the checker accepts."""
    villages = [f"V{k}" for k in range(len(stops))]
    orders = []
    for k, (_, kind, kg, _, _) in enumerate(stops):
        if kind == "delivery":
            orders.append(delivery(f"O{k}", villages[k], kg))
        else:
            to_hub = kind == "pickup to H" and max_trips == 1
            orders.append(pickup(f"O{k}", villages[k], kg, destination="H" if to_hub else None))
    sites = [
        facility("W", service_min=depot_service_min),
        facility("H", SiteKind.TOWNSHIP_STATION, service_min=service_min),
    ]
    for v, (_, _, _, opens, hours) in zip(villages, stops, strict=True):
        site = village(v, service_min=service_min)
        start = opens or 7
        sites.append(replace(site, open_time=clock(start) if opens else None,
                             close_time=clock(start + hours) if hours else None))  # fmt: skip
    fleet = [vehicle("van", count=vans, capacity_kg=100, max_trips=max_trips)]
    scenario = county(sites, orders, fleet)
    positions = {"W": 0, "H": 15, **{v: s[0] for v, s in zip(villages, stops, strict=True)}}
    matrix = line_matrix(positions)
    problem = build_routing_problem(scenario, matrix, location_plan(scenario))
    assert all(pyvrp_supports(preload(part)) for part in split_components(problem))
    plan = route_checked(scenario, matrix, engine="pyvrp", max_iterations=100, time_limit_s=5)
    assert dict(plan.engine_versions) == {"pyvrp": PYVRP_VERSION}
