"""Builders of tiny, hand-checkable counties for the solver tests.

Every county here has an explicit :class:`~logistics.matrix.TravelMatrix` in whole
kilometres driven at 60 km/h, so a leg of ``k`` km is ``1000 k`` metres and ``60 k``
seconds (``k`` minutes). The planning day runs 07:00–19:00, a driver costs 36 per hour
(exactly 0.01 per second, so the routing engine's integer cost scaling is exact) and an
unserved order costs 300.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from logistics.checker import CheckReport, check_plan
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, RoutePlan, SolveStatus
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
from solvers.routing import RouteParams, route

INF = math.inf
DRIVER_PER_HOUR = 36.0
PENALTY = 300.0


def clock(hour: int, minute: int = 0) -> dt.time:
    """A time of day."""
    return dt.time(hour, minute)


def seconds(hour: int, minute: int = 0) -> float:
    """Seconds since midnight."""
    return hour * 3600.0 + minute * 60.0


def km_matrix(site_ids: Sequence[str], km: Sequence[Sequence[float]]) -> TravelMatrix:
    """The travel matrix of ``km`` (``inf`` = no road) at 60 km/h."""
    return TravelMatrix(
        tuple(site_ids),
        1000.0 * np.array(km, dtype=np.float64),
        60.0 * np.array(km, dtype=np.float64),
    )


def line_matrix(positions_km: Mapping[str, float]) -> TravelMatrix:
    """Sites on one straight road at the given kilometre posts."""
    ids = tuple(positions_km)
    return km_matrix(ids, [[abs(positions_km[a] - positions_km[b]) for b in ids] for a in ids])


def facility(
    site_id: str,
    kind: SiteKind = SiteKind.COUNTY_WAREHOUSE,
    *,
    status: SiteStatus = SiteStatus.EXISTING,
    **fields: float | None,
) -> Site:
    """A facility; coordinates are placeholders (the matrix is explicit)."""
    return Site(site_id, site_id, kind, 109.0, 28.4, status=status, **fields)  # type: ignore[arg-type]


def village(site_id: str, *, service_min: float = 0.0) -> Site:
    """A village point."""
    return Site(site_id, site_id, SiteKind.VILLAGE_POINT, 109.0, 28.4, service_min=service_min)


def delivery(
    order_id: str,
    site_id: str,
    weight_kg: float = 10.0,
    *,
    carrier: str = "ems",
    ready: dt.time | None = None,
    due: dt.time | None = None,
) -> Order:
    """Parcels for ``site_id``: one parcel, 0.01 m3."""
    return Order(
        order_id, site_id, carrier, Direction.DELIVERY, 1, weight_kg, 0.01,
        ready_time=ready, due_time=due,
    )  # fmt: skip


def pickup(
    order_id: str,
    site_id: str,
    weight_kg: float = 10.0,
    *,
    carrier: str = "ems",
    temperature: Temperature = Temperature.AMBIENT,
    max_transit_min: float | None = None,
    destination: str | None = None,
) -> Order:
    """Produce to collect at ``site_id``: one parcel, 0.01 m3."""
    return Order(
        order_id, site_id, carrier, Direction.PICKUP, 1, weight_kg, 0.01,
        temperature=temperature, max_transit_min=max_transit_min, destination=destination,
    )  # fmt: skip


def vehicle(
    vehicle_type: str,
    depot: str = "W",
    *,
    carrier: str = SHARED,
    count: int = 1,
    capacity_kg: float = 100.0,
    refrigerated: bool = False,
    fixed_cost: float = 0.0,
    cost_per_km: float = 1.0,
    max_trips: int = 1,
    max_shift_min: float | None = None,
) -> VehicleType:
    """A vehicle type with room for 10 m3 and any number of parcels."""
    return VehicleType(
        vehicle_type, count, depot, carrier, capacity_kg, 10.0,
        refrigerated=refrigerated, fixed_cost=fixed_cost, cost_per_km=cost_per_km,
        max_shift_min=max_shift_min, max_trips=max_trips,
    )  # fmt: skip


def county(
    sites: Sequence[Site], orders: Sequence[Order], fleet: Sequence[VehicleType]
) -> Scenario:
    """A scenario with the module's day and cost rates."""
    return Scenario(
        name="test",
        sites=tuple(sites),
        orders=tuple(orders),
        fleet=tuple(fleet),
        planning=Planning(start=clock(7), end=clock(19)),
        costs=Costs(unserved_penalty=PENALTY, driver_cost_per_hour=DRIVER_PER_HOUR),
    )


def location_plan(
    scenario: Scenario,
    open_facilities: Collection[str] | None = None,
    *,
    assignment: Mapping[str, str] | None = None,
    cold_assignment: Mapping[str, str] | None = None,
) -> LocationPlan:
    """A location plan written by hand (default: every facility open, no assignments),
    with the fixed cost the checker recomputes."""
    if open_facilities is None:
        open_facilities = [s.site_id for s in scenario.sites if s.is_facility]
    opened = tuple(open_facilities)
    return LocationPlan(
        open_facilities=opened,
        assignment=dict(assignment or {}),
        cold_assignment=dict(cold_assignment or {}),
        status=SolveStatus.OPTIMAL,
        objective=0.0,
        bound=0.0,
        fixed_cost=sum(
            scenario.site(f).fixed_cost for f in opened if scenario.site(f).is_candidate
        ),
        runtime_s=0.0,
        engine="by hand",
    )


def assert_ok(report: CheckReport) -> None:
    """Fail with the checker's findings listed."""
    assert report.ok, "\n".join(f"{v.rule}: {v.detail}" for v in report.violations)


def route_checked(
    scenario: Scenario,
    matrix: TravelMatrix,
    location: LocationPlan | None = None,
    *,
    time_limit_s: float = 1.0,
    engine: str = "auto",
    max_iterations: int | None = None,
) -> RoutePlan:
    """Route ``scenario`` and assert that the independent checker accepts the plan."""
    location = location or location_plan(scenario)
    params = RouteParams(time_limit_s=time_limit_s, engine=engine, max_iterations=max_iterations)
    plan = route(scenario, matrix, location, params)
    assert_ok(check_plan(scenario, matrix, plan, location))
    return plan


def order_sites(plan: RoutePlan, vehicle_id: str) -> list[str]:
    """Sites of the order visits of ``vehicle_id``, trip by trip, in visiting order."""
    return [
        v.site_id
        for r in plan.routes
        if r.vehicle_id == vehicle_id
        for v in r.visits
        if v.order_id is not None
    ]


def vehicle_of(plan: RoutePlan, order_id: str) -> str:
    """The vehicle type whose route serves ``order_id``."""
    (found,) = {r.vehicle_type for r in plan.routes if order_id in r.order_ids}
    return found


def unserved_reasons(plan: RoutePlan) -> dict[str, str]:
    """Order id → reason, for every unserved order."""
    return {u.order_id: str(u.reason) for u in plan.unserved}
