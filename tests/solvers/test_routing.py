"""Vehicle routing (:func:`solvers.routing.route`) on counties small enough to solve by hand.

The router is a heuristic, so every plan goes through the independent checker
(:func:`_fixtures.route_checked` asserts ``report.ok``); the assertions here add only what
each tiny case forces: the visiting order, the vehicle, the trip, the reason an order is
left unserved, or, for a single vehicle without time windows, the exact optimum.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from _fixtures import (
    DRIVER_PER_HOUR,
    INF,
    assert_ok,
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
    vehicle_of,
    village,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.checker import check_plan
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, RoutePlan, StopKind, UnservedReason
from logistics.scenario import Scenario, SiteKind, SiteStatus, Temperature
from solvers.location import LocateParams, locate
from solvers.routing import RouteParams, route
from solvers.routing_problem import (
    Role,
    RoutingProblem,
    build_routing_problem,
    preload,
    split_components,
)

CHILLED = Temperature.CHILLED


def test_time_windows_force_the_visiting_order() -> None:
    """``V1``, ``V2``, ``V3`` sit 10, 20 and 30 km up one road from ``W``. ``V2``'s parcels
    are due by 07:25 (reachable only first, at 07:20), ``V3`` opens at 08:00 and closes at
    08:30, ``V1`` opens at 09:00: the only feasible order is V2, V3, V1, although
    V1, V2, V3 would be shorter without windows."""
    scenario = county(
        [facility("W"), village("V1"), village("V2"), village("V3")],
        [
            delivery("D1", "V1", ready=clock(9)),
            delivery("D2", "V2", due=clock(7, 25)),
            delivery("D3", "V3", ready=clock(8), due=clock(8, 30)),
        ],
        [vehicle("van")],
    )
    matrix = line_matrix({"W": 0, "V1": 10, "V2": 20, "V3": 30})
    plan = route_checked(scenario, matrix)
    assert plan.unserved == ()
    assert order_sites(plan, "van#1") == ["V2", "V3", "V1"]
    assert plan.distance_m == 60_000  # W → V2 → V3 → V1 → W: 20 + 10 + 20 + 10 km


def two_loads(*, max_trips: int) -> tuple[Scenario, TravelMatrix]:
    """Two 60 kg deliveries 10 km from ``W`` (5 km apart) and one 100 kg van: it must come
    back to the depot between them, which takes a second trip."""
    scenario = county(
        [facility("W"), village("V1"), village("V2")],
        [delivery("D1", "V1", 60.0), delivery("D2", "V2", 60.0)],
        [vehicle("van", capacity_kg=100, max_trips=max_trips)],
    )
    return scenario, km_matrix(["W", "V1", "V2"], [[0, 10, 10], [10, 0, 5], [10, 5, 0]])


def test_capacity_forces_a_second_trip() -> None:
    scenario, matrix = two_loads(max_trips=2)
    plan = route_checked(scenario, matrix)
    assert plan.unserved == ()
    assert [(r.vehicle_id, r.trip, r.order_ids) for r in plan.routes] in (
        [("van#1", 1, ("D1",)), ("van#1", 2, ("D2",))],
        [("van#1", 1, ("D2",)), ("van#1", 2, ("D1",))],
    )
    first, second = plan.routes
    assert second.departure_s >= first.return_s
    assert all(v.load_kg <= 100 for r in plan.routes for v in r.visits)


def test_one_trip_leaves_an_order_unserved_for_lack_of_fleet() -> None:
    scenario, matrix = two_loads(max_trips=1)
    plan = route_checked(scenario, matrix)
    assert len(plan.routes) == 1
    assert len(plan.unserved) == 1
    assert plan.unserved[0].reason is UnservedReason.FLEET_EXHAUSTED
    assert plan.served_order_ids | {plan.unserved[0].order_id} == {"D1", "D2"}


def test_backhaul_rides_back_on_the_delivery_trip() -> None:
    """One 100 kg van, one trip: 60 kg of parcels for ``V1`` and 50 kg of ambient produce
    to collect at ``V2``. Both fit on one trip only if the parcels come off first; the
    produce then rides back to the depot, unloaded at END."""
    scenario = county(
        [facility("W"), village("V1"), village("V2")],
        [delivery("D1", "V1", 60.0), pickup("P2", "V2", 50.0)],
        [vehicle("van", capacity_kg=100)],
    )
    matrix = km_matrix(["W", "V1", "V2"], [[0, 10, 10], [10, 0, 5], [10, 5, 0]])
    plan = route_checked(scenario, matrix)
    assert plan.unserved == ()
    (trip,) = plan.routes
    assert [(v.site_id, v.kind, v.load_kg) for v in trip.visits] == [
        ("W", StopKind.START, 60.0),
        ("V1", StopKind.DELIVERY, 0.0),
        ("V2", StopKind.PICKUP, 50.0),
        ("W", StopKind.END, 0.0),
    ]
    assert trip.distance_m == 25_000


def cold_chain(*, cold_store: str | None = "C") -> tuple[Scenario, TravelMatrix]:
    """Chilled produce (20 kg, 30 min transit limit) at ``V1``, 20 min from cold store
    ``C``; a cheap ambient van and a dear refrigerated one at ``W``; ``V1`` also has an
    ambient delivery. ``cold_store`` is what the location plan assigns."""
    scenario = county(
        [facility("W"), facility("C", SiteKind.COLD_STORE), village("V1")],
        [
            pickup("K1", "V1", 20.0, temperature=CHILLED, max_transit_min=30),
            delivery("D1", "V1", 10.0),
        ],
        [
            vehicle("van", cost_per_km=1.0),
            vehicle("reefer", refrigerated=True, cost_per_km=3.0, fixed_cost=50),
        ],
    )
    return scenario, km_matrix(["W", "C", "V1"], [[0, 10, 20], [10, 0, 20], [20, 20, 0]])


def test_chilled_pickup_rides_the_reefer_to_its_cold_store() -> None:
    scenario, matrix = cold_chain()
    location = location_plan(scenario, cold_assignment={"V1": "C"})
    plan = route_checked(scenario, matrix, location)
    assert plan.unserved == ()
    assert vehicle_of(plan, "K1") == "reefer"
    (trip,) = [r for r in plan.routes if "K1" in r.order_ids]
    kinds = [(v.site_id, v.kind, v.order_id) for v in trip.visits if v.order_id == "K1"]
    assert kinds == [("V1", StopKind.PICKUP, "K1"), ("C", StopKind.DROP, "K1")]
    loaded = next(v for v in trip.visits if v.kind is StopKind.PICKUP)
    dropped = next(v for v in trip.visits if v.kind is StopKind.DROP)
    assert dropped.start_s - loaded.departure_s <= 30 * 60


def test_chilled_pickup_without_an_assigned_cold_store_is_unserved() -> None:
    """A cold store is within reach but the location plan sends no produce there."""
    scenario, matrix = cold_chain()
    location = location_plan(scenario, cold_assignment={})
    plan = route_checked(scenario, matrix, location)
    assert unserved_reasons(plan) == {"K1": UnservedReason.NO_FACILITY}
    assert plan.served_order_ids == {"D1"}


def one_bad_order(defect: str) -> tuple[Scenario, TravelMatrix]:
    """A good delivery ``D0`` at ``V1`` (10 km from ``W``) beside one order ``X`` that no
    plan can serve, for the reason named by ``defect``; one 100 kg ambient van.

    - ``"chilled"``: chilled produce, and no refrigerated vehicle;
    - ``"heavy"``: 500 kg, heavier than the van;
    - ``"cut off"``: at ``V9``, which no road reaches or leaves;
    - ``"late"``: due at 07:30 at ``V3``, 60 min from ``W`` (the day starts at 07:00).
    """
    orders = {
        "chilled": pickup("X", "V1", 10.0, temperature=CHILLED),
        "heavy": delivery("X", "V1", 500.0),
        "cut off": delivery("X", "V9"),
        "late": delivery("X", "V3", due=clock(7, 30)),
    }
    scenario = county(
        [facility("W"), village("V1"), village("V3"), village("V9")],
        [delivery("D0", "V1"), orders[defect]],
        [vehicle("van")],
    )
    km = [
        # W  V1  V3  V9
        [0, 10, 60, INF],
        [10, 0, 50, INF],
        [60, 50, 0, INF],
        [INF, INF, INF, 0],
    ]
    return scenario, km_matrix(["W", "V1", "V3", "V9"], km)


@pytest.mark.parametrize(
    ("defect", "reason"),
    [
        ("chilled", UnservedReason.NO_COMPATIBLE_VEHICLE),
        ("heavy", UnservedReason.EXCEEDS_CAPACITY),
        ("cut off", UnservedReason.UNREACHABLE),
        ("late", UnservedReason.TIME_WINDOW),
    ],
)
def test_unservable_order_is_set_aside_with_its_reason(defect: str, reason: UnservedReason) -> None:
    scenario, matrix = one_bad_order(defect)
    plan = route_checked(scenario, matrix)
    assert unserved_reasons(plan) == {"X": reason}
    assert plan.served_order_ids == {"D0"}
    assert build_routing_problem(scenario, matrix, location_plan(scenario)).unserved == (
        plan.unserved
    )


def two_carriers(*, pooled: bool) -> tuple[Scenario, TravelMatrix]:
    """An EMS order at ``V1`` and a ZTO order at ``V2``; a cheap EMS van with room for
    both, plus (``pooled``) a dearer ``shared`` van. Only the carrier rule keeps the EMS
    van from taking the ZTO order."""
    fleet = [vehicle("ems-van", carrier="ems", cost_per_km=1.0)]
    if pooled:
        fleet.append(vehicle("pool-van", cost_per_km=2.0, fixed_cost=20))
    scenario = county(
        [facility("W"), village("V1"), village("V2")],
        [delivery("E1", "V1", carrier="ems"), delivery("Z1", "V2", carrier="zto")],
        fleet,
    )
    return scenario, km_matrix(["W", "V1", "V2"], [[0, 10, 12], [10, 0, 3], [12, 3, 0]])


def test_carrier_van_never_carries_another_carriers_order() -> None:
    scenario, matrix = two_carriers(pooled=False)
    plan = route_checked(scenario, matrix)
    assert vehicle_of(plan, "E1") == "ems-van"
    assert unserved_reasons(plan) == {"Z1": UnservedReason.NO_COMPATIBLE_VEHICLE}


def test_shared_van_carries_any_carrier() -> None:
    scenario, matrix = two_carriers(pooled=True)
    plan = route_checked(scenario, matrix)
    assert plan.unserved == ()
    assert vehicle_of(plan, "Z1") == "pool-van"
    orders = {o.order_id: o for o in scenario.orders}
    for r in plan.routes:
        if r.vehicle_type == "ems-van":
            assert {orders[o].carrier for o in r.order_ids} == {"ems"}


def hub_and_warehouse(
    *, hub_status: SiteStatus, hub_cost_per_km: float = 1.0
) -> tuple[Scenario, TravelMatrix]:
    """Village ``V1`` is 5 km from ``W`` and 15 km from hub ``H``; each has a shared van.

    Serving ``V1`` costs 10 km × 2 + 10 min × 0.6 = 26 from ``W`` and 30 km ×
    ``hub_cost_per_km`` + 30 min × 0.6 from ``H``: 48 at the default 1 per km (``W`` is
    cheaper, so only an assignment to ``H`` brings ``H``'s van out), 21 at 0.1 per km
    (``H`` is cheaper, so only a closed ``H`` keeps its van home).
    """
    scenario = county(
        [
            facility("W"),
            facility("H", SiteKind.TOWNSHIP_STATION, status=hub_status, fixed_cost=5.0),
            village("V1"),
        ],
        [delivery("D1", "V1")],
        [
            vehicle("W-van", "W", cost_per_km=2.0),
            vehicle("H-van", "H", cost_per_km=hub_cost_per_km),
        ],
    )
    return scenario, km_matrix(["W", "H", "V1"], [[0, 12, 5], [12, 0, 15], [5, 15, 0]])


def test_assigned_village_is_served_by_its_hub() -> None:
    scenario, matrix = hub_and_warehouse(hub_status=SiteStatus.EXISTING)
    location = location_plan(scenario, assignment={"V1": "H"})
    plan = route_checked(scenario, matrix, location)
    assert vehicle_of(plan, "D1") == "H-van"
    assert {r.depot for r in plan.routes} == {"H"}


@pytest.mark.parametrize(("hub_cost_per_km", "van"), [(1.0, "H-van"), (3.0, "W-van")])
def test_unassigned_village_goes_to_the_depot_with_the_cheapest_vehicles(
    hub_cost_per_km: float, van: str
) -> None:
    """Without a hub assignment an order is served from one depot, the one whose
    compatible vehicles cost least per km (``W-van`` costs 2 per km)."""
    scenario, matrix = hub_and_warehouse(
        hub_status=SiteStatus.EXISTING, hub_cost_per_km=hub_cost_per_km
    )
    plan = route_checked(scenario, matrix)
    assert vehicle_of(plan, "D1") == van


def test_vehicles_at_a_closed_candidate_are_never_used() -> None:
    scenario, matrix = hub_and_warehouse(hub_status=SiteStatus.CANDIDATE, hub_cost_per_km=0.1)
    location = location_plan(scenario, ["W"])
    plan = route_checked(scenario, matrix, location)
    assert vehicle_of(plan, "D1") == "W-van"
    assert all(r.depot == "W" for r in plan.routes)
    problem = build_routing_problem(scenario, matrix, location)
    assert [v.vehicle_id for v in problem.vehicles] == ["W-van#1"]


def test_vehicles_at_an_open_candidate_are_used() -> None:
    """The same county with ``H`` open: its van is the cheaper one, so it goes."""
    scenario, matrix = hub_and_warehouse(hub_status=SiteStatus.CANDIDATE, hub_cost_per_km=0.1)
    plan = route_checked(scenario, matrix, location_plan(scenario, ["W", "H"]))
    assert vehicle_of(plan, "D1") == "H-van"


# Six villages around W, in whole km; not symmetric (one-way detours) and not on a line,
# so the best tour is not obvious.
TOUR_IDS = ("W", "A", "B", "C", "D", "E", "F")
TOUR_KM = [
    # W  A   B   C   D   E   F
    [0, 7, 12, 9, 15, 11, 6],  # W
    [7, 0, 6, 11, 13, 14, 4],  # A
    [12, 5, 0, 8, 7, 16, 9],  # B
    [9, 11, 8, 0, 5, 6, 12],  # C
    [15, 13, 7, 6, 0, 8, 14],  # D
    [11, 14, 16, 6, 9, 0, 10],  # E
    [6, 4, 10, 12, 14, 10, 0],  # F
]


def six_stops() -> tuple[Scenario, TravelMatrix]:
    """One van (fixed 50, 2 per km, plenty of room, one trip), four deliveries and two
    ambient pickups at six villages, 5 min service each, no windows: the cheapest plan is
    the cheapest tour, which the test finds by trying all 720 orders."""
    villages = TOUR_IDS[1:]
    orders = [delivery(f"D-{v}", v) for v in villages[:4]]
    orders += [pickup(f"P-{v}", v) for v in villages[4:]]
    scenario = county(
        [facility("W"), *(village(v, service_min=5) for v in villages)],
        orders,
        [vehicle("van", capacity_kg=1000, fixed_cost=50, cost_per_km=2.0)],
    )
    return scenario, km_matrix(TOUR_IDS, TOUR_KM)


def cheapest_tour_cost() -> float:
    """Fixed + distance + driver cost of the best of all 720 tours of six_stops()."""
    km = {(a, b): TOUR_KM[i][j] for i, a in enumerate(TOUR_IDS) for j, b in enumerate(TOUR_IDS)}
    best = min(
        sum(km[a, b] for a, b in itertools.pairwise(("W", *perm, "W")))
        for perm in itertools.permutations(TOUR_IDS[1:])
    )
    # 60 km/h: a km takes a minute; the driver is paid for travel and 6 × 5 min of service.
    return 50 + 2.0 * best + (best + 30) / 60 * DRIVER_PER_HOUR


def test_single_vehicle_matches_the_brute_force_tour() -> None:
    scenario, matrix = six_stops()
    plan = route_checked(scenario, matrix, time_limit_s=3)
    assert plan.unserved == ()
    assert len(plan.routes) == 1
    assert plan.cost.total == pytest.approx(cheapest_tour_cost(), rel=1e-6, abs=1e-6)


def three_parts() -> tuple[Scenario, TravelMatrix]:
    """Carriers' own vans at ``W``: EMS (two vans) and ZTO orders never share a vehicle.
    Hub ``H``'s van is shared, but the location plan assigns ``V1``–``V3`` to ``W`` (whose
    carrier vans then serve them) and ``V4`` to ``H``: three independent routing
    problems (see :func:`location_of_three_parts`)."""
    scenario = county(
        [facility("W"), facility("H", SiteKind.TOWNSHIP_STATION)]
        + [village(v) for v in ("V1", "V2", "V3", "V4")],
        [
            delivery("E1", "V1", carrier="ems"),
            pickup("E2", "V2", carrier="ems"),
            delivery("Z1", "V2", carrier="zto"),
            delivery("Z3", "V3", carrier="zto"),
            delivery("Y4", "V4", carrier="yto"),
        ],
        [
            vehicle("ems-van", carrier="ems", count=2),
            vehicle("zto-van", carrier="zto"),
            vehicle("H-van", "H"),
        ],
    )
    ids = ["W", "H", "V1", "V2", "V3", "V4"]
    km = [
        # W  H  V1 V2 V3  V4
        [0, 10, 5, 8, 9, 14],
        [10, 0, 9, 7, 6, 4],
        [5, 9, 0, 4, 7, 11],
        [8, 7, 4, 0, 3, 8],
        [9, 6, 7, 3, 0, 5],
        [14, 4, 11, 8, 5, 0],
    ]
    return scenario, km_matrix(ids, km)


def location_of_three_parts(scenario: Scenario) -> LocationPlan:
    """Every facility open; V1–V3 assigned to W, V4 to H."""
    return location_plan(scenario, assignment={"V1": "W", "V2": "W", "V3": "W", "V4": "H"})


def stop_key(problem: RoutingProblem, index: int) -> tuple[object, ...]:
    s = problem.stops[index]
    return (
        s.site_id,
        s.role,
        s.order_ids,
        tuple(problem.vehicles[v].vehicle_id for v in s.vehicles),
    )


def pair_keys(problem: RoutingProblem) -> Counter[tuple[object, ...]]:
    return Counter(
        (
            tuple(stop_key(problem, i) for i in p.pickups),
            tuple(stop_key(problem, i) for i in p.deliveries),
            p.max_transit_s,
        )
        for p in problem.pairs
    )


def assert_partition(problem: RoutingProblem, parts: list[RoutingProblem]) -> None:
    """``parts`` hold every vehicle and every pair (with its stops) of ``problem`` once, and
    no stop of a part names a vehicle of another part."""
    in_parts = [v.vehicle_id for part in parts for v in part.vehicles]
    assert len(in_parts) == len(set(in_parts))
    # A vehicle no stop may use has nothing to do and belongs to no part.
    assert set(in_parts) == {
        problem.vehicles[v].vehicle_id for s in problem.stops for v in s.vehicles
    }
    together: Counter[tuple[object, ...]] = Counter()
    for part in parts:
        together += pair_keys(part)
        n = len(part.vehicles)
        assert all(0 <= v < n for s in part.stops for v in s.vehicles)
        used = {i for p in part.pairs for i in (*p.pickups, *p.deliveries)}
        assert used == set(range(len(part.stops)))
        assert part.unserved == ()
    assert together == pair_keys(problem)
    assert sum(len(part.stops) for part in parts) == len(problem.stops)


def test_split_components_partitions_stops_and_vehicles() -> None:
    scenario, matrix = three_parts()
    location = location_of_three_parts(scenario)
    problem = build_routing_problem(scenario, matrix, location)
    parts = split_components(problem)
    assert_partition(problem, parts)
    assert sorted(sorted(v.vehicle_id for v in part.vehicles) for part in parts) == [
        ["H-van#1"],
        ["ems-van#1", "ems-van#2"],
        ["zto-van#1"],
    ]


def test_solving_the_parts_gives_a_plan_the_checker_accepts() -> None:
    scenario, matrix = three_parts()
    location = location_of_three_parts(scenario)
    plan = route_checked(scenario, matrix, location, time_limit_s=2)
    assert plan.unserved == ()
    assert vehicle_of(plan, "Y4") == "H-van"
    assert {vehicle_of(plan, o) for o in ("Z1", "Z3")} == {"zto-van"}


@settings(max_examples=40, deadline=None)
@given(
    carriers=st.lists(st.sampled_from(["ems", "zto", "yto"]), min_size=1, max_size=6),
    vans=st.sets(st.sampled_from(["ems", "zto", "yto", "shared"]), min_size=1),
)
def test_split_components_partitions_any_carrier_mix(carriers: list[str], vans: set[str]) -> None:
    """Whatever the mix of carriers and vans, the parts partition the problem."""
    sites = [facility("W"), *(village(f"V{k}") for k in range(len(carriers)))]
    orders = [delivery(f"O{k}", f"V{k}", carrier=c) for k, c in enumerate(carriers)]
    fleet = [vehicle(f"{c}-van", carrier=c, count=2) for c in sorted(vans)]
    scenario = county(sites, orders, fleet)
    ids = [s.site_id for s in sites]
    matrix = km_matrix(ids, [[abs(i - j) for j in range(len(ids))] for i in range(len(ids))])
    problem = build_routing_problem(scenario, matrix, location_plan(scenario))
    assert_partition(problem, split_components(problem))


def test_a_plan_checked_against_a_wrong_location_fails() -> None:
    """The checker is not a rubber stamp: the hub-served plan breaks the assignment to W."""
    scenario, matrix = hub_and_warehouse(hub_status=SiteStatus.EXISTING)
    plan: RoutePlan = route_checked(
        scenario, matrix, location_plan(scenario, assignment={"V1": "H"})
    )
    report = check_plan(scenario, matrix, plan, location_plan(scenario, assignment={"V1": "W"}))
    assert not report.ok
    assert {v.rule for v in report.violations} == {"hub-assignment"}
    assert_ok(check_plan(scenario, matrix, plan, location_plan(scenario, assignment={"V1": "H"})))


# --- the engine, the pre-checks and the checker agree ------------------------------------


@pytest.mark.parametrize(("limit_min", "served"), [(12, False), (13, True)])
def test_transit_limit_runs_from_the_start_of_loading(limit_min: int, served: bool) -> None:
    """Produce at ``V1`` (5 min service) 8 km from ``W`` at 60 km/h: 5 min loading + 8 min
    ride = 13 min from the start of loading to unloading at ``W``. A limit below that is
    found unservable before routing, with its reason; 13 min is enough."""
    scenario = county(
        [facility("W"), village("V1", service_min=5)],
        [pickup("P1", "V1", max_transit_min=limit_min)],
        [vehicle("van")],
    )
    plan = route_checked(scenario, line_matrix({"W": 0, "V1": 8}))
    if served:
        assert plan.unserved == ()
    else:
        assert unserved_reasons(plan) == {"P1": UnservedReason.TRANSIT_LIMIT}


def test_location_and_routing_agree_on_facility_capacity() -> None:
    """``W`` handles 60 kg a day, hub ``H`` 40 kg. ``V1``'s 50 kg must go to ``W``; ``V2``
    (35 kg) goes to ``H``, whose only van is EMS's, so ``V2``'s 30 kg ZTO order rides a
    ``W`` van after all: 80 kg at ``W``."""
    scenario = county(
        [
            facility("W", capacity_kg=60.0),
            facility("H", SiteKind.TOWNSHIP_STATION, capacity_kg=40.0),
            village("V1"),
            village("V2"),
        ],
        [
            delivery("D1", "V1", 50.0),
            delivery("Z2", "V2", 30.0, carrier="zto"),
            delivery("E2", "V2", 5.0),
        ],
        [vehicle("W-van"), vehicle("H-ems", "H", carrier="ems", cost_per_km=0.5)],
    )
    matrix = line_matrix({"W": 0, "H": 20, "V1": 5, "V2": 21})
    location = locate(scenario, matrix, LocateParams(time_limit_s=2))
    plan = route(scenario, matrix, location, RouteParams(time_limit_s=1))
    assert_ok(check_plan(scenario, matrix, plan, location))


@pytest.mark.parametrize(
    ("max_trips", "with_pickup", "preloaded"),
    [(1, False, True), (2, False, False), (1, True, False)],
)
def test_preload_drops_load_stops_only_for_single_trip_delivery_parts(
    max_trips: int, with_pickup: bool, preloaded: bool
) -> None:
    """Three deliveries on a line; the plain CVRP class (one trip, no pickups) needs no
    LOAD stops, and its plan is as good: the brute-force route W→V1→V2→V3→W, 60 km."""
    orders = [delivery(f"D{k}", f"V{k}", 10.0) for k in (1, 2, 3)]
    if with_pickup:
        orders.append(pickup("P1", "V1"))
    scenario = county(
        [facility("W"), *(village(f"V{k}") for k in (1, 2, 3))],
        orders,
        [vehicle("van", max_trips=max_trips)],
    )
    matrix = line_matrix({"W": 0, "V1": 10, "V2": 20, "V3": 30})
    part = preload(build_routing_problem(scenario, matrix, location_plan(scenario)))
    assert part.preloaded is preloaded
    assert any(s.role is Role.LOAD for s in part.stops) is not preloaded
    plan = route_checked(scenario, matrix)
    assert plan.unserved == ()
    assert plan.distance_m == pytest.approx(60_000)
