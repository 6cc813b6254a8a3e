"""Shared ground of the plan checker, and its rules about a plan's structure.

:class:`Context` gives every rule the scenario, the travel matrix and the plan behind one
set of lookups; rules are generators of :class:`Violation`. This module holds the rules
that read ids and numbering (accounting, vehicles, facilities, trips); the rules that read
times, loads and produce flows live in :mod:`logistics._check_route`. Comparisons are
written as ``not (good)`` so that a NaN is a violation, never a silent pass.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise

from logistics.clock import format_clock, seconds_of_day
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, Route, RoutePlan, StopKind
from logistics.scenario import Order, Scenario, Site, SiteKind, VehicleType

__all__ = [
    "BOUNDARY_KINDS",
    "SERVE_KINDS",
    "Context",
    "Violation",
    "check_accounting",
    "check_facilities",
    "check_trips",
    "check_vehicles",
    "clock",
    "name",
    "violation",
]

#: Visits that hand over or load an order: the one visit that serves it.
SERVE_KINDS = frozenset({StopKind.DELIVERY, StopKind.PICKUP})
#: Visits that open and close a trip at the depot.
BOUNDARY_KINDS = frozenset({StopKind.START, StopKind.END})


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule of a plan.

    ``rule`` is a short stable id (``"capacity"``, ``"time-window"``, ``"cold-chain"``, ...;
    see :func:`logistics.checker.check_plan`); ``detail`` is one sentence naming the ids and
    numbers involved.
    """

    rule: str
    detail: str
    vehicle_id: str | None = None
    trip: int | None = None
    order_id: str | None = None


def violation(
    rule: str, detail: str, route: Route | None = None, order_id: str | None = None
) -> Violation:
    """A :class:`Violation`, tagged with ``route``'s vehicle and trip when given."""
    if route is None:
        return Violation(rule, detail, order_id=order_id)
    return Violation(rule, detail, route.vehicle_id, route.trip, order_id)


def name(route: Route) -> str:
    """``van#1 trip 2``: how details name a route."""
    return f"{route.vehicle_id} trip {route.trip}"


@dataclass(frozen=True, slots=True)
class Context:
    """What every rule reads: inputs plus id lookups built once."""

    scenario: Scenario
    matrix: TravelMatrix
    routes: RoutePlan
    location: LocationPlan | None
    tolerance_s: float
    orders: Mapping[str, Order]
    fleet: Mapping[str, VehicleType]
    sites: Mapping[str, Site]
    open_facilities: frozenset[str]

    @classmethod
    def build(
        cls,
        scenario: Scenario,
        matrix: TravelMatrix,
        routes: RoutePlan,
        location: LocationPlan | None,
        tolerance_s: float,
    ) -> Context:
        sites = {s.site_id: s for s in scenario.sites}
        # Existing facilities cannot be closed (they have no fixed cost to save), so they
        # are open with or without a location plan; a candidate opens only by name.
        named = set(location.open_facilities) if location is not None else set()
        open_ids = {
            s.site_id
            for s in scenario.sites
            if s.is_facility and (not s.is_candidate or s.site_id in named)
        }
        return cls(
            scenario=scenario,
            matrix=matrix,
            routes=routes,
            location=location,
            tolerance_s=tolerance_s,
            orders={o.order_id: o for o in scenario.orders},
            fleet={v.vehicle_type: v for v in scenario.fleet},
            sites=sites,
            open_facilities=frozenset(open_ids),
        )

    def vehicle_type(self, route: Route) -> VehicleType | None:
        """The type named by ``route.vehicle_id``, else by ``route.vehicle_type``."""
        type_name, _, _ = route.vehicle_id.rpartition("#")
        return self.fleet.get(type_name) or self.fleet.get(route.vehicle_type)

    def base(self, route: Route) -> str | None:
        """The depot the route's vehicle is based at."""
        vt = self.vehicle_type(route)
        if vt is not None:
            return vt.depot
        return route.visits[0].site_id if route.visits else None

    def leg(self, a: str, b: str) -> tuple[float, float] | None:
        """``(distance_m, duration_s)`` from ``a`` to ``b``; ``None`` if either is unknown."""
        if a not in self.matrix or b not in self.matrix:
            return None
        if a == b:  # several orders at one site are one stop: no travel between them
            return 0.0, 0.0
        i, j = self.matrix.index(a), self.matrix.index(b)
        return float(self.matrix.distance_m[i, j]), float(self.matrix.duration_s[i, j])

    def window_s(self, site: Site) -> tuple[float, float]:
        """A site's opening hours in seconds; missing ends are the planning day's."""
        planning = self.scenario.planning
        open_t = site.open_time if site.open_time is not None else planning.start
        close_t = site.close_time if site.close_time is not None else planning.end
        return seconds_of_day(open_t), seconds_of_day(close_t)

    def is_open_cold_store(self, site_id: str) -> bool:
        site = self.sites.get(site_id)
        return (
            site is not None
            and site.kind is SiteKind.COLD_STORE
            and site_id in self.open_facilities
        )


def clock(seconds: float) -> str:
    """A time for a detail sentence; non-finite values are shown as they are."""
    return format_clock(seconds) if math.isfinite(seconds) else str(seconds)


def check_accounting(ctx: Context) -> Iterator[Violation]:
    """Every order is served exactly once or listed unserved, never both, never neither."""
    served: Counter[str] = Counter()
    for route in ctx.routes.routes:
        for v in route.visits:
            if v.order_id is None:
                continue
            order = ctx.orders.get(v.order_id)
            if order is None:
                yield violation(
                    "accounting",
                    f"{name(route)} visits unknown order {v.order_id} at {v.site_id}.",
                    route,
                    v.order_id,
                )
                continue
            if v.kind not in SERVE_KINDS:
                continue
            served[v.order_id] += 1
            wanted = StopKind.PICKUP if order.is_pickup else StopKind.DELIVERY
            if v.kind is not wanted:
                yield violation(
                    "accounting",
                    f"{name(route)} serves {order.direction} order {v.order_id} "
                    f"with a {v.kind} visit.",
                    route,
                    v.order_id,
                )
            if v.site_id != order.site_id:
                yield violation(
                    "accounting",
                    f"{name(route)} serves order {v.order_id} at {v.site_id}, "
                    f"but the order is at {order.site_id}.",
                    route,
                    v.order_id,
                )
    listed = Counter(u.order_id for u in ctx.routes.unserved)
    for order_id, n in listed.items():
        if order_id not in ctx.orders:
            yield violation(
                "accounting", f"Unknown order {order_id} is listed unserved.", None, order_id
            )
        elif n > 1:
            yield violation(
                "accounting", f"Order {order_id} is listed unserved {n} times.", None, order_id
            )
    for order in ctx.scenario.orders:
        oid, n = order.order_id, served[order.order_id]
        if n > 1:
            yield violation("accounting", f"Order {oid} is served {n} times, not once.", None, oid)
        if n and listed[oid]:
            yield violation("accounting", f"Order {oid} is served and listed unserved.", None, oid)
        if not n and not listed[oid]:
            yield violation(
                "accounting", f"Order {oid} is neither served nor listed unserved.", None, oid
            )


def check_vehicles(ctx: Context) -> Iterator[Violation]:
    """Vehicle ids, types, depots, START/END framing and the sites visits name."""
    for route in ctx.routes.routes:
        type_name, sep, k = route.vehicle_id.rpartition("#")
        vt = ctx.fleet.get(type_name) if sep else None
        if vt is None:
            yield violation(
                "vehicle",
                f"Vehicle id {route.vehicle_id!r} does not name a vehicle type as '<type>#<k>'.",
                route,
            )
        elif not (k.isdigit() and 1 <= int(k) <= vt.count):
            yield violation(
                "vehicle",
                f"Vehicle id {route.vehicle_id!r}: type {type_name} has vehicles 1 to {vt.count}.",
                route,
            )
        if vt is not None and route.vehicle_type != type_name:
            yield violation(
                "vehicle",
                f"{name(route)} has vehicle_type {route.vehicle_type!r}, not {type_name!r}.",
                route,
            )
        yield from _check_framing(ctx, route, vt)


def _check_framing(ctx: Context, route: Route, vt: VehicleType | None) -> Iterator[Violation]:
    visits = route.visits
    if (
        len(visits) < 2
        or visits[0].kind is not StopKind.START
        or visits[-1].kind is not StopKind.END
    ):
        yield violation(
            "vehicle", f"{name(route)} does not run from a START to an END visit.", route
        )
    last = len(visits) - 1
    for i, v in enumerate(visits):
        boundary = v.kind in BOUNDARY_KINDS
        if boundary and (i != 0 if v.kind is StopKind.START else i != last):
            yield violation(
                "vehicle", f"{name(route)} has a {v.kind} visit at position {i}.", route
            )
        if boundary and v.order_id is not None:
            yield violation(
                "vehicle", f"{name(route)}: {v.kind} visit names order {v.order_id}.", route
            )
        if not boundary and v.order_id is None:
            yield violation("vehicle", f"{name(route)}: {v.kind} visit {i} names no order.", route)
        if boundary and vt is not None and v.site_id != vt.depot:
            yield violation(
                "vehicle",
                f"{name(route)}: {v.kind} is at {v.site_id}, not at its depot {vt.depot}.",
                route,
            )
        if v.site_id not in ctx.sites:
            yield violation(
                "unknown-site", f"{name(route)} visits unknown site {v.site_id}.", route
            )
        elif v.site_id not in ctx.matrix:
            yield violation(
                "unknown-site",
                f"{name(route)}: site {v.site_id} is not in the travel matrix.",
                route,
            )


def check_facilities(ctx: Context) -> Iterator[Violation]:
    """Vehicles and drops only at open facilities; the location plan names real facilities."""
    loc = ctx.location
    if loc is not None:
        for f in loc.open_facilities:
            site = ctx.sites.get(f)
            if site is None or not site.is_facility:
                yield violation("facility-open", f"Open facility {f} is not a facility site.")
        for table, mapping, cold in (
            ("assignment", loc.assignment, False),
            ("cold_assignment", loc.cold_assignment, True),
        ):
            for village, f in mapping.items():
                if village not in ctx.sites:
                    yield violation("facility-open", f"{table} names unknown site {village}.")
                ok = ctx.is_open_cold_store(f) if cold else f in ctx.open_facilities
                if not ok:
                    what = "an open cold store" if cold else "an open facility"
                    yield violation("facility-open", f"{table} sends {village} to {f}, not {what}.")
    for route in ctx.routes.routes:
        vt = ctx.vehicle_type(route)
        if vt is not None and vt.depot not in ctx.open_facilities:
            yield violation(
                "facility-open",
                f"{name(route)} uses a vehicle based at {vt.depot}, which is not open.",
                route,
            )
        for v in route.visits:
            site = ctx.sites.get(v.site_id)
            closed = site is not None and site.is_facility and v.site_id not in ctx.open_facilities
            if v.kind is StopKind.DROP and closed:
                yield violation(
                    "facility-open",
                    f"{name(route)} drops {v.order_id} at {v.site_id}, which is not open.",
                    route,
                    v.order_id,
                )


def check_trips(ctx: Context) -> Iterator[Violation]:
    """Trips numbered 1..n ≤ ``max_trips``, one after another, within ``max_shift_min``."""
    by_vehicle: defaultdict[str, list[Route]] = defaultdict(list)
    for route in ctx.routes.routes:
        by_vehicle[route.vehicle_id].append(route)
    tol = ctx.tolerance_s
    for vehicle_id, routes in by_vehicle.items():
        vt = ctx.vehicle_type(routes[0])
        trips = sorted(r.trip for r in routes)
        if trips != list(range(1, len(trips) + 1)):
            yield Violation(
                "trips",
                f"Vehicle {vehicle_id} has trips {trips}, not 1 to {len(trips)}.",
                vehicle_id,
            )
        if vt is not None and len(trips) > vt.max_trips:
            yield Violation(
                "trips",
                f"Vehicle {vehicle_id} makes {len(trips)} trips; type {vt.vehicle_type} allows "
                f"{vt.max_trips}.",
                vehicle_id,
            )
        ordered = sorted((r for r in routes if r.visits), key=lambda r: r.trip)
        for a, b in pairwise(ordered):
            if not b.departure_s >= a.return_s - tol:
                yield violation(
                    "trips",
                    f"{name(b)} leaves at {clock(b.departure_s)}, before trip {a.trip} "
                    f"returns at {clock(a.return_s)}.",
                    b,
                )
        if vt is not None and vt.max_shift_min is not None and ordered:
            first = min(r.departure_s for r in ordered)
            span_s = max(r.return_s for r in ordered) - first
            if not span_s <= vt.max_shift_min * 60 + tol:
                yield Violation(
                    "shift",
                    f"Vehicle {vehicle_id} works {span_s / 60:.1f} min, over its "
                    f"max_shift_min {vt.max_shift_min:g}.",
                    vehicle_id,
                )
