"""Tests of the independent plan checker on plans written out by hand.

The fixture is a toy county small enough to check every number on paper:

- sites: county warehouse ``W`` (capacity 1000 kg), candidate township hub ``H`` (fixed
  cost 50), existing cold store ``C`` (cold capacity 100 kg, 10 min service), candidate
  cold store ``C2`` (fixed cost 40), villages ``V1`` and ``V2`` (5 min service);
- roads: symmetric, in whole kilometres (table below), driven at 60 km/h, so a leg of
  k km takes k minutes;
- orders: deliveries ``D1`` (EMS, 20 kg, at V1) and ``D2`` (ZTO, 10 kg, at V2, due 09:00);
  pickups ``P1`` (ambient 30 kg at V2, back to the depot) and ``P2`` (chilled 20 kg at V1,
  to a cold store within 60 min); ``U1`` (frozen 500 kg) fits no vehicle and is unserved;
- fleet at W: 2 shared ``van`` (100 kg, 10 parcels, 100 + 2/km, max 2 trips, 600 min
  shift), 1 refrigerated shared ``cold`` (50 kg, 150 + 3/km), 1 ``zto`` van of carrier
  ZTO; at H: 1 shared ``hubvan`` (60 + 1/km);
- driver cost 36 per hour (1 per 100 s), unserved penalty 300.

The valid plan (:func:`valid_plan`) leaves W at 07:00 with two trips; the comment on each
route gives its hand-computed times, distance and cost. Each violation test edits that plan
by hand to break exactly one rule.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.checker import CheckReport, check_plan
from logistics.matrix import TravelMatrix
from logistics.plans import (
    CostBreakdown,
    LocationPlan,
    Route,
    RoutePlan,
    SolveStatus,
    StopKind,
    Unserved,
    UnservedReason,
    Visit,
)
from logistics.scenario import (
    SHARED,
    Costs,
    Direction,
    Order,
    Planning,
    Scenario,
    Site,
    SiteKind,
    SiteStatus,
    Temperature,
    VehicleType,
)

START, DELIVERY, PICKUP, DROP, END = (
    StopKind.START, StopKind.DELIVERY, StopKind.PICKUP, StopKind.DROP, StopKind.END,
)  # fmt: skip
T0 = 25_200.0  # 07:00

SITE_IDS = ("W", "H", "C", "C2", "V1", "V2")
KM: list[list[float]] = [
    # W   H   C  C2  V1  V2
    [0, 6, 8, 9, 10, 12],  # W
    [6, 0, 7, 8, 4, 5],  # H
    [8, 7, 0, 3, 9, 6],  # C
    [9, 8, 3, 0, 11, 7],  # C2
    [10, 4, 9, 11, 0, 5],  # V1
    [12, 5, 6, 7, 5, 0],  # V2
]


def make_matrix(km: list[list[float]] = KM) -> TravelMatrix:
    """60 km/h everywhere: metres = 1000 km, seconds = 60 km."""
    arr = np.array(km, dtype=float)
    return TravelMatrix(SITE_IDS, arr * 1000, arr * 60)


def make_scenario() -> Scenario:
    def site(sid: str, kind: SiteKind, lon: float, **kw: Any) -> Site:
        return Site(sid, sid, kind, lon, 28.4, **kw)

    sites = (
        site("W", SiteKind.COUNTY_WAREHOUSE, 109.00, capacity_kg=1000.0),
        site("H", SiteKind.TOWNSHIP_STATION, 109.05, status=SiteStatus.CANDIDATE, fixed_cost=50.0),
        site("C", SiteKind.COLD_STORE, 109.07, cold_capacity_kg=100.0, service_min=10.0),
        site("C2", SiteKind.COLD_STORE, 109.08, status=SiteStatus.CANDIDATE, fixed_cost=40.0),
        site("V1", SiteKind.VILLAGE_POINT, 109.09, service_min=5.0),
        site("V2", SiteKind.VILLAGE_POINT, 109.10, service_min=5.0),
    )
    pickup, delivery = Direction.PICKUP, Direction.DELIVERY
    orders = (
        Order("D1", "V1", "EMS", delivery, 3, 20.0, 0.2),
        Order("D2", "V2", "ZTO", delivery, 2, 10.0, 0.1, due_time=dt.time(9, 0)),
        Order("P1", "V2", "coop", pickup, 1, 30.0, 0.3),
        Order("P2", "V1", "coop", pickup, 1, 20.0, 0.2, Temperature.CHILLED, max_transit_min=60),
        Order("U1", "V2", "coop", pickup, 1, 500.0, 1.0, Temperature.FROZEN),
    )
    fleet = (
        VehicleType("van", 2, "W", SHARED, 100.0, 2.0, 10, fixed_cost=100.0, cost_per_km=2.0,
                    max_shift_min=600.0, max_trips=2),
        VehicleType("cold", 1, "W", SHARED, 50.0, 1.0, refrigerated=True, fixed_cost=150.0,
                    cost_per_km=3.0),
        VehicleType("zto", 1, "W", "ZTO", 100.0, 2.0, fixed_cost=80.0, cost_per_km=1.5),
        VehicleType("hubvan", 1, "H", SHARED, 100.0, 2.0, fixed_cost=60.0, cost_per_km=1.0),
    )  # fmt: skip
    costs = Costs(unserved_penalty=300.0, driver_cost_per_hour=36.0)
    return Scenario(name="toy", sites=sites, orders=orders, fleet=fleet, costs=costs)


SCENARIO = make_scenario()
MATRIX = make_matrix()


def visit(
    site: str,
    kind: StopKind,
    order: str | None,
    arrive: float,
    leave: float | None = None,
    load: tuple[float, float, int] = (0.0, 0.0, 0),
) -> Visit:
    """A visit that starts on arrival; ``leave`` defaults to the arrival time."""
    depart = arrive if leave is None else leave
    return Visit(site, kind, order, arrive, arrive, depart, *load)


def route(vehicle_id: str, trip: int, visits: list[Visit], distance_km: float) -> Route:
    return Route(vehicle_id, vehicle_id.split("#")[0], trip, tuple(visits), distance_km * 1000)


def van_trip() -> Route:
    """W -10 km- V1 -5- V2 -12- W: 27 km × 2 = 54; 07:00 → 07:37 = 2220 s → 22.2."""
    return route("van#1", 1, [
        visit("W", START, None, T0, load=(30.0, 0.3, 5)),
        visit("V1", DELIVERY, "D1", T0 + 600, T0 + 900, load=(10.0, 0.1, 2)),
        visit("V2", DELIVERY, "D2", T0 + 1200, load=(0.0, 0.0, 0)),
        visit("V2", PICKUP, "P1", T0 + 1200, T0 + 1500, load=(30.0, 0.3, 1)),
        visit("W", END, None, T0 + 2220),
    ], 27)  # fmt: skip


def cold_trip() -> Route:
    """W -10- V1 -9- C -8- W: 27 km × 3 = 81; 07:00 → 07:42 = 2520 s → 25.2; P2 rides 540 s."""
    return route("cold#1", 1, [
        visit("W", START, None, T0),
        visit("V1", PICKUP, "P2", T0 + 600, T0 + 900, load=(20.0, 0.2, 1)),
        visit("C", DROP, "P2", T0 + 1440, T0 + 2040),
        visit("W", END, None, T0 + 2520),
    ], 27)  # fmt: skip


#: vehicles 100 + 150, distance 54 + 81, driver 22.2 + 25.2, one unserved order.
VALID_COST = CostBreakdown(facilities=0.0, vehicles=250.0, distance=135.0, driver=47.4,
                           unserved_penalty=300.0)  # fmt: skip


def valid_plan(
    routes: tuple[Route, ...] | None = None, cost: CostBreakdown = VALID_COST
) -> RoutePlan:
    return RoutePlan(
        routes=(van_trip(), cold_trip()) if routes is None else routes,
        unserved=(Unserved("U1", UnservedReason.EXCEEDS_CAPACITY),),
        status=SolveStatus.FEASIBLE,
        cost=cost,
        objective=VALID_COST.total,
        runtime_s=0.0,
        engine="hand",
    )


def location_plan(
    open_facilities: tuple[str, ...] = ("W", "C", "H"),
    assignment: dict[str, str] | None = None,
    cold_assignment: dict[str, str] | None = None,
    fixed_cost: float = 50.0,
) -> LocationPlan:
    return LocationPlan(
        open_facilities=open_facilities,
        assignment={"V1": "W", "V2": "W"} if assignment is None else assignment,
        cold_assignment={"V1": "C", "V2": "C"} if cold_assignment is None else cold_assignment,
        status=SolveStatus.OPTIMAL,
        objective=0.0,
        bound=0.0,
        fixed_cost=fixed_cost,
        runtime_s=0.0,
        engine="hand",
    )


def hub_plan() -> RoutePlan:
    """D1 from hub H, D2 and P1 by van#1 from W, P2 by cold#1; valid once H is open.

    hubvan#1: H -4- V1 -4- H = 8 km × 1 = 8, 780 s → 7.8; van#1: W -12- V2 -12- W =
    24 km × 2 = 48, 1740 s → 17.4; cold#1 as in the valid plan (81, 25.2).
    """
    hub = route("hubvan#1", 1, [
        visit("H", START, None, T0, load=(20.0, 0.2, 3)),
        visit("V1", DELIVERY, "D1", T0 + 240, T0 + 540),
        visit("H", END, None, T0 + 780),
    ], 8)  # fmt: skip
    van = route("van#1", 1, [
        visit("W", START, None, T0, load=(10.0, 0.1, 2)),
        visit("V2", DELIVERY, "D2", T0 + 720),
        visit("V2", PICKUP, "P1", T0 + 720, T0 + 1020, load=(30.0, 0.3, 1)),
        visit("W", END, None, T0 + 1740),
    ], 24)  # fmt: skip
    cost = CostBreakdown(0.0, 310.0, 137.0, 50.4, 300.0)
    return valid_plan((hub, van, cold_trip()), cost)


def edit_visit(plan: RoutePlan, r: int, i: int, **changes: Any) -> RoutePlan:
    """``plan`` with visit ``i`` of route ``r`` changed."""
    visits = list(plan.routes[r].visits)
    visits[i] = replace(visits[i], **changes)
    return edit_route(plan, r, visits=tuple(visits))


def edit_route(plan: RoutePlan, r: int, **changes: Any) -> RoutePlan:
    routes = list(plan.routes)
    routes[r] = replace(routes[r], **changes)
    return replace(plan, routes=tuple(routes))


def empty_trip(vehicle_id: str, trip: int, at_s: float) -> Route:
    """A trip that leaves and returns at once: it costs nothing but counts as a trip."""
    return route(vehicle_id, trip, [visit("W", START, None, at_s), visit("W", END, None, at_s)], 0)


def with_order(order_id: str, **changes: Any) -> Scenario:
    orders = [replace(o, **changes) if o.order_id == order_id else o for o in SCENARIO.orders]
    return replace(SCENARIO, orders=tuple(orders))


def with_site(site_id: str, **changes: Any) -> Scenario:
    sites = [replace(s, **changes) if s.site_id == site_id else s for s in SCENARIO.sites]
    return replace(SCENARIO, sites=tuple(sites))


def with_vehicle(vehicle_type: str, **changes: Any) -> Scenario:
    fleet = [replace(v, **changes) if v.vehicle_type == vehicle_type else v for v in SCENARIO.fleet]
    return replace(SCENARIO, fleet=tuple(fleet))


def rules(report: CheckReport) -> set[str]:
    return {v.rule for v in report.violations}


def check(plan: RoutePlan, location: LocationPlan | None = None, scenario: Scenario = SCENARIO,
          matrix: TravelMatrix = MATRIX) -> CheckReport:  # fmt: skip
    return check_plan(scenario, matrix, plan, location)


# --- valid plans ------------------------------------------------------------------------


def test_valid_plan_passes_with_hand_computed_cost() -> None:
    report = check(valid_plan())
    assert report.violations == ()
    assert report.ok
    assert report.cost.to_dict() == pytest.approx(
        {"facilities": 0.0, "vehicles": 250.0, "distance": 135.0, "driver": 47.4,
         "unserved_penalty": 300.0, "total": 432.4}, rel=1e-12)  # fmt: skip
    assert report.summary() == {"ok": True, "violations": 0, "by_rule": {},
                                "cost": report.cost.to_dict()}  # fmt: skip


def test_valid_plan_with_location_plan_adds_open_candidates_fixed_cost() -> None:
    report = check(valid_plan(), location_plan())
    assert report.violations == ()
    assert report.cost.facilities == 50.0  # H is the only open candidate; W and C exist
    assert report.cost.total == pytest.approx(482.4, rel=1e-12)


def test_hub_plan_passes_when_the_hub_is_open_and_assigned() -> None:
    report = check(hub_plan(), location_plan(assignment={"V1": "H", "V2": "W"}))
    assert report.violations == ()
    assert report.cost.to_dict() == pytest.approx(
        {"facilities": 50.0, "vehicles": 310.0, "distance": 137.0, "driver": 50.4,
         "unserved_penalty": 300.0, "total": 547.4}, rel=1e-12)  # fmt: skip


# --- 1. accounting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unserved", "order_id"),
    [
        ((), "U1"),  # neither served nor listed
        (("U1", "D1"), "D1"),  # served and listed
        (("U1", "U1"), "U1"),  # listed twice
        (("U1", "X9"), "X9"),  # unknown order
    ],
)
def test_accounting_catches_orders_not_accounted_once(
    unserved: tuple[str, ...], order_id: str
) -> None:
    listed = tuple(Unserved(o, UnservedReason.FLEET_EXHAUSTED) for o in unserved)
    cost = replace(VALID_COST, unserved_penalty=300.0 * len(set(unserved) - {"X9"}))
    report = check(replace(valid_plan(cost=cost), unserved=listed))
    assert rules(report) == {"accounting"}
    assert [v.order_id for v in report.violations] == [order_id]


def test_accounting_catches_an_order_served_twice_or_with_the_wrong_kind() -> None:
    twice = edit_visit(valid_plan(), 0, 2, order_id="D1")  # D2 dropped, D1 handed over twice
    assert {(v.rule, v.order_id) for v in check(twice).violations} >= {
        ("accounting", "D1"),
        ("accounting", "D2"),
    }
    wrong_kind = edit_visit(valid_plan(), 0, 3, kind=DELIVERY)
    assert ("accounting", "P1") in {(v.rule, v.order_id) for v in check(wrong_kind).violations}


# --- 2. vehicle ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"vehicle_id": "van#3"},  # only 2 vans
        {"vehicle_id": "van#0"},
        {"vehicle_id": "van"},
        {"vehicle_type": "cold"},  # the id says van
    ],
)
def test_vehicle_catches_bad_ids_and_types(changes: dict[str, str]) -> None:
    report = check(edit_route(valid_plan(), 0, **changes))
    assert "vehicle" in rules(report)


def test_vehicle_catches_route_framing() -> None:
    assert rules(check(edit_visit(valid_plan(), 0, 4, kind=DELIVERY, order_id="D1"))) >= {"vehicle"}
    assert rules(check(edit_visit(valid_plan(), 0, 0, order_id="D1"))) >= {"vehicle"}
    assert rules(check(edit_visit(valid_plan(), 0, 1, order_id=None))) >= {"vehicle"}
    not_at_depot = edit_visit(
        valid_plan(), 1, 0, site_id="V1", arrival_s=T0 + 600, start_s=T0 + 600
    )
    assert "vehicle" in rules(check(not_at_depot))
    assert "unknown-site" in rules(check(edit_visit(valid_plan(), 0, 1, site_id="Nowhere")))


# --- 3. facility-open ---------------------------------------------------------------------


def test_facility_open_catches_a_vehicle_at_a_closed_candidate_hub() -> None:
    report = check(hub_plan())  # no location plan: H is a candidate, so closed
    assert rules(report) == {"facility-open"}
    assert report.violations[0].vehicle_id == "hubvan#1"


@pytest.mark.parametrize(
    "location",
    [
        location_plan(open_facilities=("W", "C", "H", "V1")),  # a village is no facility
        location_plan(assignment={"V1": "C2", "V2": "W"}),  # C2 is not open
        location_plan(cold_assignment={"V2": "H"}),  # H is no cold store
        location_plan(assignment={"V9": "W"}),  # unknown site
    ],
)
def test_facility_open_catches_bad_location_plans(location: LocationPlan) -> None:
    assert rules(check(valid_plan(), location)) == {"facility-open"}


def test_facility_open_catches_a_drop_at_a_closed_cold_store() -> None:
    plan = edit_visit(valid_plan(), 1, 2, site_id="C2")
    assert "facility-open" in rules(check(plan))


# --- 4. trips and shift -----------------------------------------------------------------


def test_trips_catches_numbering_count_and_overlap() -> None:
    assert rules(check(edit_route(valid_plan(), 0, trip=2))) == {"trips"}
    extra = (
        *valid_plan().routes,
        empty_trip("van#1", 2, T0 + 3000),
        empty_trip("van#1", 3, T0 + 4000),
    )
    assert rules(check(valid_plan(extra))) == {"trips"}  # van allows 2 trips
    overlap = (*valid_plan().routes, empty_trip("van#1", 2, T0 + 2000))  # trip 1 back at +2220
    report = check(valid_plan(overlap))
    assert rules(report) == {"trips"}
    assert (report.violations[0].vehicle_id, report.violations[0].trip) == ("van#1", 2)


def test_shift_catches_a_vehicle_working_past_max_shift_min() -> None:
    late = (*valid_plan().routes, empty_trip("van#1", 2, T0 + 600 * 60 + 2))
    assert rules(check(valid_plan(late))) == {"shift"}
    in_time = (*valid_plan().routes, empty_trip("van#1", 2, T0 + 600 * 60))
    assert check(valid_plan(in_time)).ok


# --- 5. schedule, time windows, roads, service ------------------------------------------


def test_schedule_catches_arriving_faster_than_the_road_allows() -> None:
    report = check(edit_visit(valid_plan(), 0, 1, arrival_s=T0 + 590))  # the drive is 600 s
    assert rules(report) == {"schedule"}
    assert check(edit_visit(valid_plan(), 0, 1, arrival_s=T0 + 599.5)).ok  # within 1 s


def test_schedule_catches_starting_before_arrival_and_leaving_before_start() -> None:
    assert rules(check(edit_visit(valid_plan(), 0, 1, start_s=T0 + 500))) >= {"schedule"}
    assert rules(check(edit_visit(valid_plan(), 0, 1, departure_s=T0 + 550))) >= {"schedule"}


def test_time_window_catches_a_late_delivery() -> None:
    scenario = with_order("D2", due_time=dt.time(7, 15))  # van#1 hands D2 over at 07:20
    report = check(valid_plan(), scenario=scenario)
    assert rules(report) == {"time-window"}
    assert report.violations[0].order_id == "D2"


def test_time_window_catches_site_hours_and_the_planning_day() -> None:
    assert rules(check(valid_plan(), scenario=with_site("V1", open_time=dt.time(7, 30)))) == {
        "time-window"
    }
    early = edit_visit(valid_plan(), 0, 0, arrival_s=T0 - 60, start_s=T0 - 60)
    assert rules(check(early)) == {"time-window"}  # departure still 07:00, start before it
    late_end = with_site("W", close_time=dt.time(7, 30))
    assert rules(check(valid_plan(), scenario=late_end)) == {"time-window"}
    short_day = replace(SCENARIO, planning=Planning(end=dt.time(7, 40)))
    report = check(valid_plan(), scenario=short_day)  # cold#1 is back at 07:42
    assert rules(report) == {"time-window"}
    assert {v.vehicle_id for v in report.violations} == {"cold#1"}


def test_no_road_is_caught() -> None:
    km = [row[:] for row in KM]
    km[4][5] = math.inf  # V1 → V2 one-way closed
    report = check(valid_plan(), matrix=make_matrix(km))
    assert rules(report) == {"no-road"}  # the distance cost is not compared without a road


def test_service_catches_a_stop_shorter_than_service_min() -> None:
    report = check(edit_visit(valid_plan(), 1, 2, departure_s=T0 + 1440 + 598))  # C needs 600
    assert rules(report) == {"service"}
    assert check(edit_visit(valid_plan(), 1, 2, departure_s=T0 + 1440 + 599.5)).ok


# --- 6. capacity and reported loads ------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"capacity_kg": 29.0}, {"capacity_m3": 0.25}, {"capacity_parcels": 4}],
)
def test_capacity_catches_an_overloaded_van(changes: dict[str, float]) -> None:
    report = check(valid_plan(), scenario=with_vehicle("van", **changes))
    assert rules(report) == {"capacity"}
    assert report.violations[0].vehicle_id == "van#1"


def test_capacity_admits_a_van_loaded_exactly_full() -> None:
    assert check(valid_plan(), scenario=with_vehicle("van", capacity_kg=30.0)).ok


def test_load_catches_a_misreported_load() -> None:
    report = check(edit_visit(valid_plan(), 0, 1, load_kg=15.0))
    assert rules(report) == {"load"}
    assert rules(check(edit_visit(valid_plan(), 0, 4, load_parcels=1))) == {"load"}


# --- 7. compatibility and cold chain ------------------------------------------------------


def test_cold_chain_catches_chilled_produce_on_a_plain_van() -> None:
    plan = edit_route(valid_plan(), 1, vehicle_id="van#2", vehicle_type="van")
    found = [v for v in check(plan).violations if v.rule == "cold-chain"]
    assert [(v.vehicle_id, v.order_id) for v in found] == [("van#2", "P2")]


def test_compatibility_catches_a_carriers_van_carrying_other_carriers() -> None:
    plan = edit_route(valid_plan(), 0, vehicle_id="zto#1", vehicle_type="zto")
    found = {v.order_id for v in check(plan).violations if v.rule == "compatibility"}
    assert found == {"D1", "P1"}  # D2 is ZTO's own


# --- 8. destination and 9. transit limit --------------------------------------------------


def test_destination_catches_chilled_produce_not_taken_to_a_cold_store() -> None:
    visits = cold_trip().visits
    skip_store = route("cold#1", 1, [visits[0], visits[1], visit("W", END, None, T0 + 1500)], 20)
    cost = replace(VALID_COST, distance=54.0 + 60.0, driver=22.2 + 15.0)
    report = check(valid_plan((van_trip(), skip_store), cost))
    assert rules(report) == {"destination"}
    assert report.violations[0].order_id == "P2"


def test_destination_catches_wrong_drops() -> None:
    at_warehouse = edit_visit(valid_plan(), 1, 2, site_id="W")
    assert "destination" in rules(check(at_warehouse))
    not_assigned = location_plan(open_facilities=("W", "C", "C2", "H"), fixed_cost=90.0,
                                 cold_assignment={"V1": "C2"})  # fmt: skip
    assert rules(check(valid_plan(), not_assigned)) == {"destination"}
    drop_first = cold_trip().visits
    swapped = (drop_first[0], drop_first[2], drop_first[1], drop_first[3])
    assert "destination" in rules(check(edit_route(valid_plan(), 1, visits=swapped)))


def test_destination_catches_ambient_produce_dropped_and_named_destination_missed() -> None:
    van = van_trip().visits
    dropped = (
        *van[:4],
        visit("C", DROP, "P1", T0 + 1860, T0 + 2460),
        visit("W", END, None, T0 + 2940),
    )
    # W -10- V1 -5- V2 -6- C -8- W: 29 km × 2 = 58, 2940 s → 29.4
    cost = replace(VALID_COST, distance=58.0 + 81.0, driver=29.4 + 25.2)
    assert rules(check(valid_plan((route("van#1", 1, list(dropped), 29), cold_trip()), cost))) == {
        "destination"
    }
    report = check(valid_plan(), scenario=with_order("P1", destination="C"))
    assert rules(report) == {"destination"}
    assert report.violations[0].order_id == "P1"


def test_transit_limit_catches_slow_perishables() -> None:
    """The limit runs from the start of loading: 5 min service + 9 min ride = 14 min."""
    report = check(valid_plan(), scenario=with_order("P2", max_transit_min=13))
    assert rules(report) == {"transit-limit"}
    assert check(valid_plan(), scenario=with_order("P2", max_transit_min=14)).ok


# --- 10. facility capacity and 11. hub assignment ----------------------------------------


def test_facility_capacity_catches_full_cold_store_and_warehouse() -> None:
    assert rules(check(valid_plan(), scenario=with_site("C", cold_capacity_kg=19.0))) == {
        "facility-capacity"
    }
    # W handles D1, D2, P1 and P2: 80 kg
    assert rules(check(valid_plan(), scenario=with_site("W", capacity_kg=79.0))) == {
        "facility-capacity"
    }
    assert check(valid_plan(), scenario=with_site("W", capacity_kg=80.0)).ok


def test_hub_assignment_catches_a_village_served_around_its_hub() -> None:
    report = check(valid_plan(), location_plan(assignment={"V1": "H", "V2": "W"}))
    assert rules(report) == {"hub-assignment"}
    # D1 could ride hubvan; P2 is chilled and H has no refrigerated vehicle.
    assert [v.order_id for v in report.violations] == ["D1"]


# --- 12. cost and 13. finite -------------------------------------------------------------

COST_PARTS = ("vehicles", "distance", "driver", "unserved_penalty")


@given(
    part=st.sampled_from(COST_PARTS),
    delta=st.floats(min_value=1e-3, max_value=1e9) | st.sampled_from([math.inf, math.nan]),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_cost_catches_every_perturbed_reported_cost(part: str, delta: float, sign: float) -> None:
    cost = replace(VALID_COST, **{part: getattr(VALID_COST, part) + sign * delta})
    report = check(valid_plan(cost=cost))
    assert rules(report) == {"cost"}


@given(part=st.sampled_from(COST_PARTS), delta=st.floats(min_value=-1e-6, max_value=1e-6))
def test_cost_tolerates_rounding_noise(part: str, delta: float) -> None:
    cost = replace(VALID_COST, **{part: getattr(VALID_COST, part) + delta})
    assert check(valid_plan(cost=cost)).ok


def test_cost_catches_misreported_route_distance_and_fixed_cost() -> None:
    report = check(edit_route(valid_plan(), 1, distance_m=26_000.0))
    assert rules(report) == {"cost"}
    assert report.violations[0].vehicle_id == "cold#1"
    assert rules(check(valid_plan(), location_plan(fixed_cost=0.0))) == {"cost"}


def test_finite_catches_nan_and_inf() -> None:
    assert "finite" in rules(check(edit_visit(valid_plan(), 0, 2, load_kg=math.nan)))
    assert "finite" in rules(check(edit_visit(valid_plan(), 0, 3, departure_s=math.inf)))
    assert "finite" in rules(check(edit_route(valid_plan(), 0, distance_m=math.nan)))


def test_summary_counts_violations_by_rule() -> None:
    plan = replace(valid_plan(), unserved=())
    summary = check(plan).summary()
    assert summary["ok"] is False
    assert summary["by_rule"] == {"accounting": 1, "cost": 1}
    assert summary["cost"]["unserved_penalty"] == 0.0
