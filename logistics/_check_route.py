"""The plan checker's rules about what happens along a route: times, loads, produce.

Each rule recomputes from the scenario, the travel matrix and the visits; a number the plan
reports about itself (a load, a distance) is only ever compared with the recomputation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from logistics._check_rules import SERVE_KINDS, Context, Violation, clock, name, violation
from logistics.clock import seconds_of_day
from logistics.plans import Route, StopKind, Visit
from logistics.scenario import SHARED, Order

__all__ = [
    "check_compatibility",
    "check_facility_capacity",
    "check_finite",
    "check_hub_assignment",
    "check_loads",
    "check_produce",
    "check_schedule",
    "trace_produce",
]

#: Visits whose stop needs the site's service time.
_SERVICE_KINDS = frozenset({StopKind.DELIVERY, StopKind.PICKUP, StopKind.DROP})
_DIMENSIONS = ("kg", "m3", "parcels")


def check_schedule(ctx: Context) -> Iterator[Violation]:
    """Planning day, travel times, site and order windows, service times."""
    tol = ctx.tolerance_s
    day_start = seconds_of_day(ctx.scenario.planning.start)
    day_end = seconds_of_day(ctx.scenario.planning.end)
    for route in ctx.routes.routes:
        if not route.visits:
            continue
        first, last = route.visits[0], route.visits[-1]
        if first.kind is StopKind.START and not first.departure_s >= day_start - tol:
            yield violation(
                "time-window",
                f"{name(route)} leaves at {clock(first.departure_s)}, before the planning "
                f"start {clock(day_start)}.",
                route,
            )
        if last.kind is StopKind.END and not last.arrival_s <= day_end + tol:
            yield violation(
                "time-window",
                f"{name(route)} returns at {clock(last.arrival_s)}, after the planning "
                f"end {clock(day_end)}.",
                route,
            )
        yield from _check_legs(ctx, route)
        for i, v in enumerate(route.visits):
            yield from _check_visit_times(ctx, route, i, v)
        yield from _check_service(ctx, route)


def _check_legs(ctx: Context, route: Route) -> Iterator[Violation]:
    for a, b in pairwise(route.visits):
        leg = ctx.leg(a.site_id, b.site_id)
        if leg is None:
            continue  # an unknown site is its own violation
        duration_s = leg[1]
        if not math.isfinite(duration_s):
            yield violation(
                "no-road", f"{name(route)}: no road from {a.site_id} to {b.site_id}.", route
            )
        elif not b.arrival_s >= a.departure_s + duration_s - ctx.tolerance_s:
            yield violation(
                "schedule",
                f"{name(route)} leaves {a.site_id} at {clock(a.departure_s)} and reaches "
                f"{b.site_id} at {clock(b.arrival_s)}, faster than the {duration_s:g} s drive.",
                route,
                b.order_id,
            )


def _check_visit_times(ctx: Context, route: Route, i: int, v: Visit) -> Iterator[Violation]:
    tol = ctx.tolerance_s
    where = f"{name(route)} visit {i} ({v.kind} at {v.site_id})"
    if not v.start_s >= v.arrival_s - tol:
        yield violation("schedule", f"{where} starts before it arrives.", route, v.order_id)
    if not v.departure_s >= v.start_s - tol:
        yield violation("schedule", f"{where} leaves before it starts.", route, v.order_id)
    site = ctx.sites.get(v.site_id)
    if site is not None:
        open_s, close_s = ctx.window_s(site)
        if not open_s - tol <= v.start_s <= close_s + tol:
            yield violation(
                "time-window",
                f"{where} starts at {clock(v.start_s)}, outside the site's hours "
                f"{clock(open_s)}–{clock(close_s)}.",
                route,
                v.order_id,
            )
    order = ctx.orders.get(v.order_id) if v.order_id is not None else None
    if order is not None and v.kind in SERVE_KINDS:
        ready_s = seconds_of_day(order.ready_time) if order.ready_time is not None else -math.inf
        due_s = seconds_of_day(order.due_time) if order.due_time is not None else math.inf
        if not ready_s - tol <= v.start_s <= due_s + tol:
            yield violation(
                "time-window",
                f"{where} serves {order.order_id} at {clock(v.start_s)}, outside its window "
                f"{_window(order.ready_time, order.due_time)}.",
                route,
                order.order_id,
            )


def _window(ready: dt.time | None, due: dt.time | None) -> str:
    shown = [t.strftime("%H:%M") if t is not None else "" for t in (ready, due)]
    return f"{shown[0] or 'start of day'}–{shown[1] or 'end of day'}"


def _check_service(ctx: Context, route: Route) -> Iterator[Violation]:
    for stop in _stops(route.visits):
        site = ctx.sites.get(stop[0].site_id)
        if site is None or site.service_min <= 0:
            continue
        spent_s = stop[-1].departure_s - stop[0].start_s
        if not spent_s >= site.service_min * 60 - ctx.tolerance_s:
            yield violation(
                "service",
                f"{name(route)} spends {spent_s:g} s at {site.site_id}, less than its "
                f"service_min {site.service_min:g}.",
                route,
                stop[0].order_id,
            )


def _stops(visits: tuple[Visit, ...]) -> Iterator[list[Visit]]:
    """Maximal runs of consecutive order visits at one site (START/END never belong)."""
    run: list[Visit] = []
    for v in visits:
        if run and (v.kind not in _SERVICE_KINDS or v.site_id != run[0].site_id):
            yield run
            run = []
        if v.kind in _SERVICE_KINDS:
            run.append(v)
    if run:
        yield run


def _amount(order: Order) -> tuple[float, float, float]:
    return order.weight_kg, order.volume_m3, float(order.parcels)


def check_loads(ctx: Context) -> Iterator[Violation]:
    """Recomputed load after every visit: within capacity, and as the plan reports it."""
    for route in ctx.routes.routes:
        vt = ctx.vehicle_type(route)
        caps = None
        if vt is not None:
            parcels_cap = math.inf if vt.capacity_parcels is None else float(vt.capacity_parcels)
            caps = (vt.capacity_kg, vt.capacity_m3, parcels_cap)
        starting = [0.0, 0.0, 0.0]
        for v in route.visits:
            order = ctx.orders.get(v.order_id) if v.order_id is not None else None
            if order is not None and v.kind is StopKind.DELIVERY:
                starting = [x + y for x, y in zip(starting, _amount(order), strict=True)]
        load = [0.0, 0.0, 0.0]
        on_board: set[str] = set()
        mismatches: list[int] = []
        over = [False, False, False]
        for i, v in enumerate(route.visits):
            order = ctx.orders.get(v.order_id) if v.order_id is not None else None
            sign = 0.0
            if v.kind is StopKind.START:
                load = list(starting)
            elif v.kind is StopKind.END:
                load = [0.0, 0.0, 0.0]
            elif order is None:
                pass
            elif v.kind is StopKind.DELIVERY:
                sign = -1.0
            elif v.kind is StopKind.PICKUP:
                sign = 1.0
                on_board.add(order.order_id)
            elif v.kind is StopKind.DROP and order.order_id in on_board:
                sign = -1.0
                on_board.discard(order.order_id)
            if order is not None and sign:
                load = [x + sign * y for x, y in zip(load, _amount(order), strict=True)]
            reported = (v.load_kg, v.load_m3, float(v.load_parcels))
            if not all(_close(r, x) for r, x in zip(reported, load, strict=True)):
                mismatches.append(i)
            for d, (x, cap) in enumerate(zip(load, caps or (math.inf,) * 3, strict=True)):
                slack = 1e-9 * max(1.0, abs(cap) if math.isfinite(cap) else 1.0) + 1e-9
                if not over[d] and not -slack <= x <= cap + slack:
                    over[d] = True
                    yield violation(
                        "capacity",
                        f"{name(route)} carries {x:g} {_DIMENSIONS[d]} after visit {i} "
                        f"({v.kind} at {v.site_id}), outside 0–{cap:g}.",
                        route,
                        v.order_id,
                    )
        if mismatches:
            i = mismatches[0]
            v = route.visits[i]
            yield violation(
                "load",
                f"{name(route)} reports load {v.load_kg:g} kg/{v.load_m3:g} m3/{v.load_parcels} "
                f"parcels after visit {i} ({v.kind} at {v.site_id}), not the recomputed load"
                + (
                    f" (nor do {len(mismatches) - 1} later visits)." if len(mismatches) > 1 else "."
                ),
                route,
                v.order_id,
            )


def _close(reported: float, recomputed: float) -> bool:
    return abs(reported - recomputed) <= 1e-6 * max(1.0, abs(recomputed))


def check_compatibility(ctx: Context) -> Iterator[Violation]:
    """Carrier match (or a shared vehicle); chilled and frozen orders ride refrigerated."""
    for route in ctx.routes.routes:
        vt = ctx.vehicle_type(route)
        if vt is None:
            continue
        for v in route.visits:
            order = ctx.orders.get(v.order_id) if v.order_id is not None else None
            if order is None or v.kind not in SERVE_KINDS:
                continue
            if vt.carrier not in (SHARED, order.carrier):
                yield violation(
                    "compatibility",
                    f"{name(route)} ({vt.carrier}) carries {order.order_id} of {order.carrier}.",
                    route,
                    order.order_id,
                )
            if order.temperature.needs_refrigeration and not vt.refrigerated:
                yield violation(
                    "cold-chain",
                    f"{name(route)} is not refrigerated but carries {order.temperature} "
                    f"order {order.order_id}.",
                    route,
                    order.order_id,
                )


@dataclass(frozen=True, slots=True)
class Produce:
    """Where a route loads and unloads its pickups (visit indices)."""

    picked: dict[str, int]
    dropped: dict[str, int]
    stray_drops: tuple[tuple[int, str], ...]  # (visit index, why the DROP is wrong)


def trace_produce(ctx: Context, route: Route) -> Produce:
    """Pair each DROP with a pickup loaded earlier in the same route."""
    picked: dict[str, int] = {}
    dropped: dict[str, int] = {}
    stray: list[tuple[int, str]] = []
    for i, v in enumerate(route.visits):
        order = ctx.orders.get(v.order_id) if v.order_id is not None else None
        if order is None:
            continue
        if v.kind is StopKind.PICKUP and order.is_pickup:
            picked[order.order_id] = i
        elif v.kind is StopKind.DROP:
            if not order.is_pickup:
                stray.append((i, f"drops {order.order_id}, which is a delivery"))
            elif order.order_id not in picked:
                stray.append((i, f"drops {order.order_id} before picking it up"))
            elif order.order_id in dropped:
                stray.append((i, f"drops {order.order_id} a second time"))
            else:
                dropped[order.order_id] = i
    return Produce(picked, dropped, tuple(stray))


def check_produce(ctx: Context) -> Iterator[Violation]:
    """Pickups reach their destination (named site, cold store, or the depot) in time."""
    for route in ctx.routes.routes:
        produce = trace_produce(ctx, route)
        visits = route.visits
        for i, why in produce.stray_drops:
            yield violation(
                "destination", f"{name(route)} {why} at visit {i}.", route, visits[i].order_id
            )
        for oid, pick_i in produce.picked.items():
            order = ctx.orders[oid]
            drop_i = produce.dropped.get(oid)
            drop_site = visits[drop_i].site_id if drop_i is not None else None
            wanted = _wanted_destination(ctx, order, drop_site)
            if wanted is not None:
                yield violation("destination", f"{name(route)}: {wanted}.", route, oid)
            if order.max_transit_min is None:
                continue
            if drop_i is not None:
                unload_s = visits[drop_i].arrival_s
            elif visits[-1].kind is StopKind.END:
                unload_s = visits[-1].arrival_s
            else:
                continue
            transit_s = unload_s - visits[pick_i].start_s
            if not transit_s <= order.max_transit_min * 60 + ctx.tolerance_s:
                yield violation(
                    "transit-limit",
                    f"{name(route)} takes {transit_s / 60:.1f} min from loading {oid} to "
                    f"unloading it, over its max_transit_min {order.max_transit_min:g}.",
                    route,
                    oid,
                )


def _wanted_destination(ctx: Context, order: Order, drop_site: str | None) -> str | None:
    """Why ``order`` dropped at ``drop_site`` (``None``: unloaded at END) is wrong, if it is."""
    oid = order.order_id
    if order.destination is not None:
        if drop_site != order.destination:
            return f"pickup {oid} must be dropped at its destination {order.destination}"
        return None
    if order.temperature.needs_refrigeration:
        assigned = ctx.location.cold_assignment.get(order.site_id) if ctx.location else None
        if drop_site is None or not ctx.is_open_cold_store(drop_site):
            return f"{order.temperature} pickup {oid} must be dropped at an open cold store"
        if assigned is not None and drop_site != assigned:
            return f"pickup {oid} is dropped at {drop_site}, not its assigned cold store {assigned}"
        return None
    if drop_site is not None:
        return (
            f"ambient pickup {oid} has no destination and goes back to the depot, not {drop_site}"
        )
    return None


def check_facility_capacity(ctx: Context) -> Iterator[Violation]:
    """Cold kg dropped at a facility and its kg throughput stay within its capacities."""
    cold_kg: defaultdict[str, float] = defaultdict(float)
    through_kg: defaultdict[str, float] = defaultdict(float)
    for route in ctx.routes.routes:
        base = ctx.base(route)
        for v in route.visits:
            order = ctx.orders.get(v.order_id) if v.order_id is not None else None
            if order is not None and v.kind in SERVE_KINDS and base is not None:
                through_kg[base] += order.weight_kg
        for oid, drop_i in trace_produce(ctx, route).dropped.items():
            order, site_id = ctx.orders[oid], route.visits[drop_i].site_id
            if order.temperature.needs_refrigeration:
                cold_kg[site_id] += order.weight_kg
            if site_id != base:  # the base already counts what its own vehicles serve
                through_kg[site_id] += order.weight_kg
    for site in ctx.scenario.sites:
        for label, cap, kg in (
            ("cold_capacity_kg", site.cold_capacity_kg, cold_kg[site.site_id]),
            ("capacity_kg", site.capacity_kg, through_kg[site.site_id]),
        ):
            if cap is not None and not kg <= cap + 1e-9 * max(1.0, cap):
                yield violation(
                    "facility-capacity",
                    f"Facility {site.site_id} handles {kg:g} kg, over its {label} {cap:g}.",
                )


def check_hub_assignment(ctx: Context) -> Iterator[Violation]:
    """A village assigned to a hub is served from it, when the hub has a vehicle for it."""
    if ctx.location is None:
        return
    for route in ctx.routes.routes:
        base = ctx.base(route)
        for v in route.visits:
            order = ctx.orders.get(v.order_id) if v.order_id is not None else None
            if order is None or v.kind not in SERVE_KINDS:
                continue
            hub = ctx.location.assignment.get(order.site_id)
            if hub is None or hub == base:
                continue
            if any(
                t.depot == hub and t.count > 0 and t.can_carry(order) and t.fits(order)
                for t in ctx.scenario.fleet
            ):
                yield violation(
                    "hub-assignment",
                    f"{name(route)} (based at {base}) serves {order.order_id} at "
                    f"{order.site_id}, which is assigned to {hub}.",
                    route,
                    order.order_id,
                )


def check_finite(ctx: Context) -> Iterator[Violation]:
    """Every time, load and distance the plan reports is a finite number."""
    for route in ctx.routes.routes:
        if not math.isfinite(route.distance_m):
            yield violation(
                "finite", f"{name(route)} reports distance_m {route.distance_m}.", route
            )
        for i, v in enumerate(route.visits):
            values = (v.arrival_s, v.start_s, v.departure_s, v.load_kg, v.load_m3, v.load_parcels)
            if not all(math.isfinite(x) for x in values):
                yield violation(
                    "finite",
                    f"{name(route)} visit {i} has a non-finite time or load.",
                    route,
                    v.order_id,
                )
