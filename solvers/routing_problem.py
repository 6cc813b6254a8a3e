"""The routing problem in engine-neutral form, built from a scenario and a location plan.

Orders become *stops*: orders at one site that the same vehicles may serve, with the same
direction, time window and destination, are merged into one stop when together they fit in
every allowed vehicle (a pooled van calls once at a village for all carriers).

Every movement of goods is a pickup-and-delivery *pair*, so that loads are exact with a
plain load measure and several trips per vehicle need no side constraints:

- a DELIVERY stop is paired with a LOAD stop at each depot it may be served from (the
  parcels are loaded there; one of the alternatives is used);
- a pickup with a destination (named, or the cold store the location plan chose) is paired
  with a DROP stop there;
- any other pickup is paired with an UNLOAD stop at each depot it may return to.

A vehicle that calls at its depot between villages starts a new trip there; the number of
departures from a depot is bounded by ``max_trips``.

Orders that no plan can serve are set aside here, each with its reason, before any engine
runs: no compatible vehicle, exceeds every capacity, unreachable by road, time window
unreachable, no cold store within the transit limit.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
from networkx.utils import UnionFind

from logistics.clock import seconds_of_day
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, Unserved, UnservedReason
from logistics.scenario import Order, Scenario, SiteKind, VehicleType
from solvers.engine_units import decimal_scale
from solvers.fleet import allowed_types, open_fleet
from solvers.location import is_cold_flow

__all__ = [
    "EngineRoutes",
    "Pair",
    "Role",
    "RoutingProblem",
    "Stop",
    "Vehicle",
    "build_routing_problem",
    "preload",
    "split_components",
]


class Role(enum.Enum):
    """What happens at a stop; the sign of its load change follows from it."""

    DELIVERY = "delivery"  # hand over parcels (-)
    PICKUP = "pickup"  # load produce (+)
    DROP = "drop"  # unload produce at its destination (-)
    LOAD = "load"  # load parcels at the depot (+)
    UNLOAD = "unload"  # unload produce at the depot (-)

    @property
    def sign(self) -> int:
        return 1 if self in (Role.PICKUP, Role.LOAD) else -1

    @property
    def at_depot(self) -> bool:
        return self in (Role.LOAD, Role.UNLOAD)


@dataclass(frozen=True, slots=True)
class Stop:
    """One node of the routing model: orders handled together at one site."""

    site_id: str
    role: Role
    order_ids: tuple[str, ...]
    weight_kg: float
    volume_m3: float
    parcels: int
    ready_s: float
    due_s: float
    service_s: float
    vehicles: tuple[int, ...]  # indices into RoutingProblem.vehicles
    penalty: float  # cost of leaving the orders unserved (on the order's own stop only)


@dataclass(frozen=True, slots=True)
class Pair:
    """Goods move from one of ``pickups`` to one of ``deliveries`` (stop indices), on one
    vehicle, within ``max_transit_s`` when set."""

    pickups: tuple[int, ...]
    deliveries: tuple[int, ...]
    max_transit_s: float | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One physical vehicle, ``vehicle_id`` = ``"<vehicle_type>#<k>"``."""

    vehicle_type: VehicleType
    vehicle_id: str

    @property
    def depot(self) -> str:
        return self.vehicle_type.depot


@dataclass(frozen=True, slots=True)
class EngineRoutes:
    """Per vehicle, the stop indices in visiting order and the engine's service start time
    (seconds) of the start, each stop and the end."""

    sequences: tuple[tuple[int, ...], ...]
    times: tuple[tuple[float, ...], ...]
    objective: float
    found: bool
    version: str


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    scenario: Scenario
    matrix: TravelMatrix
    stops: tuple[Stop, ...]
    pairs: tuple[Pair, ...]
    vehicles: tuple[Vehicle, ...]
    start_s: float
    end_s: float
    unserved: tuple[Unserved, ...]
    #: Every delivery is on board from the start (no LOAD stops): see :func:`preload`.
    preloaded: bool = False

    def duration(self, a: str, b: str) -> float:
        m = self.matrix
        return float(m.duration_s[m.index(a), m.index(b)])

    def distance(self, a: str, b: str) -> float:
        m = self.matrix
        return float(m.distance_m[m.index(a), m.index(b)])

    def binding_measures(self) -> tuple[int, ...]:
        """The load measures (0 kg, 1 m3, 2 parcels) some vehicle could exceed if it
        carried every stop's goods at once; the others can never bind, and an engine that
        skips them searches faster."""
        goods = [s for s in self.stops if s.role in (Role.DELIVERY, Role.PICKUP)]
        totals = (
            sum(s.weight_kg for s in goods),
            sum(s.volume_m3 for s in goods),
            sum(s.parcels for s in goods),
        )
        return tuple(
            d
            for d, total in enumerate(totals)
            if any(
                c is not None and c < total
                for vt in (v.vehicle_type for v in self.vehicles)
                for c in ((vt.capacity_kg, vt.capacity_m3, vt.capacity_parcels)[d],)
            )
        )

    def calls_at_depots(self) -> bool:
        """Whether some stop is at a depot site: only then can a vehicle's route hold more
        than one trip."""
        depots = {v.depot for v in self.vehicles}
        return any(s.site_id in depots for s in self.stops)

    def time_scale(self) -> int:
        """Engine time units per second: the least of 1, 10 or 100 that makes every
        duration, service time, window and limit of the part a whole number, or 1 (and
        rounding up) when none does. Benchmark instances with one-decimal distances as
        travel times get exact integer models this way."""
        sites = sorted({v.depot for v in self.vehicles} | {s.site_id for s in self.stops})
        idx = [self.matrix.index(x) for x in sites]
        durations = self.matrix.duration_s[np.ix_(idx, idx)].ravel()
        values = [
            *durations[np.isfinite(durations)].tolist(),
            self.start_s,
            self.end_s,
            *(x for s in self.stops for x in (s.ready_s, s.due_s, s.service_s)),
            *(p.max_transit_s for p in self.pairs if p.max_transit_s is not None),
            *(v.vehicle_type.max_shift_min * 60 for v in self.vehicles
              if v.vehicle_type.max_shift_min is not None),
        ]  # fmt: skip
        return decimal_scale([x for x in values if math.isfinite(x)]) or 1


#: When no allowed vehicle could serve an order alone, the reason reported first.
_REASON_PRIORITY = (
    UnservedReason.UNREACHABLE,
    UnservedReason.TRANSIT_LIMIT,
    UnservedReason.TIME_WINDOW,
)


def build_routing_problem(
    scenario: Scenario, matrix: TravelMatrix, location: LocationPlan
) -> RoutingProblem:
    """Stops, pairs, vehicles and the orders set aside as unservable."""
    return _Builder(scenario, matrix, location).build()


class _Builder:
    def __init__(self, scenario: Scenario, matrix: TravelMatrix, location: LocationPlan) -> None:
        self.s = scenario
        self.m = matrix
        self.loc = location
        self.fleet = open_fleet(scenario, location.open_facilities)
        self.start_s = seconds_of_day(scenario.planning.start)
        self.end_s = seconds_of_day(scenario.planning.end)
        self.vehicles: list[Vehicle] = []
        self.vehicles_of: dict[str, list[int]] = defaultdict(list)
        for v in self.fleet:
            for k in range(1, v.count + 1):
                self.vehicles_of[v.vehicle_type].append(len(self.vehicles))
                self.vehicles.append(Vehicle(v, f"{v.vehicle_type}#{k}"))
        self.stops: list[Stop] = []
        self.pairs: list[Pair] = []

    def t(self, a: str, b: str) -> float:
        return float(self.m.duration_s[self.m.index(a), self.m.index(b)])

    def window(self, site_id: str, order: Order | None) -> tuple[float, float]:
        site = self.s.site(site_id)
        lo = max(self.start_s, seconds_of_day(site.open_time) if site.open_time else 0.0)
        hi = min(self.end_s, seconds_of_day(site.close_time) if site.close_time else math.inf)
        if order is not None:
            if order.ready_time is not None:
                lo = max(lo, seconds_of_day(order.ready_time))
            if order.due_time is not None:
                hi = min(hi, seconds_of_day(order.due_time))
        return lo, hi

    def destination(self, order: Order) -> str | None:
        if order.destination is not None:
            return order.destination
        if is_cold_flow(order):
            return self.loc.cold_assignment.get(order.site_id)
        return None

    def why_not_alone(
        self, v: VehicleType, order: Order, dest: str | None
    ) -> UnservedReason | None:
        """Why one vehicle of type ``v`` could not serve ``order`` on a trip of its own
        (``None``: it could)."""
        site = order.site_id
        legs = [self.t(v.depot, site)]
        legs += [self.t(site, dest), self.t(dest, v.depot)] if dest else [self.t(site, v.depot)]
        if not all(math.isfinite(x) for x in legs):
            return UnservedReason.UNREACHABLE
        lo, hi = self.window(site, order)
        service = self.s.site(site).service_min * 60
        begin = max(self.start_s + legs[0], lo)
        if begin > hi:
            return UnservedReason.TIME_WINDOW
        finish = begin + service + sum(legs[1:])
        if dest is not None:
            dlo, dhi = self.window(dest, None)
            at_dest = begin + service + legs[1]
            if max(at_dest, dlo) > dhi:
                return UnservedReason.TIME_WINDOW
            if order.max_transit_min is not None and service + legs[1] > order.max_transit_min * 60:
                return UnservedReason.TRANSIT_LIMIT
            finish = max(at_dest, dlo) + self.s.site(dest).service_min * 60 + legs[2]
        elif order.max_transit_min is not None and service + legs[1] > order.max_transit_min * 60:
            return UnservedReason.TRANSIT_LIMIT
        if finish > self.end_s:
            return UnservedReason.TIME_WINDOW
        shift = v.max_shift_min * 60 if v.max_shift_min is not None else math.inf
        if finish - (begin - legs[0]) > shift:
            return UnservedReason.TIME_WINDOW
        return None

    def cold_store_within_limit(self, order: Order) -> bool:
        """Whether some cold store, open or not, is within the order's transit limit."""
        loading = self.s.site(order.site_id).service_min * 60
        limit = (order.max_transit_min or math.inf) * 60
        return any(
            loading + self.t(order.site_id, s.site_id) <= limit
            for s in self.s.sites
            if s.kind is SiteKind.COLD_STORE
        )

    def classify(self, order: Order) -> tuple[tuple[VehicleType, ...], str | None, Unserved | None]:
        carriers = [v for v in self.s.fleet if v.count > 0 and v.can_carry(order)]
        if not carriers:
            why = "refrigerated " if order.temperature.needs_refrigeration else ""
            detail = f"no {why}vehicle may carry carrier {order.carrier!r}'s order"
            return (), None, Unserved(order.order_id, UnservedReason.NO_COMPATIBLE_VEHICLE, detail)
        if not any(v.fits(order) for v in carriers):
            detail = f"{order.weight_kg:g} kg, {order.volume_m3:g} m3, {order.parcels} parcels"
            return (), None, Unserved(order.order_id, UnservedReason.EXCEEDS_CAPACITY, detail)
        dest = self.destination(order)
        if is_cold_flow(order) and dest is None:
            if self.cold_store_within_limit(order):
                detail = (
                    "every cold store within max_transit_min is closed or full "
                    "(opening one costs more than leaving the produce unserved)"
                )
                return (), None, Unserved(order.order_id, UnservedReason.NO_FACILITY, detail)
            detail = "no cold store can be reached within max_transit_min"
            return (), None, Unserved(order.order_id, UnservedReason.TRANSIT_LIMIT, detail)
        if not is_cold_flow(order) and order.site_id in self.loc.unserved_sites:
            detail = (
                "the facilities that could serve this village are full "
                "(or opening one costs more than leaving its orders unserved)"
            )
            return (), None, Unserved(order.order_id, UnservedReason.NO_FACILITY, detail)
        hub = self.loc.assignment.get(order.site_id)
        allowed = allowed_types(order, self.fleet, hub=hub)
        if not allowed:
            detail = "no vehicle that may carry it is based at an open facility"
            return (), None, Unserved(order.order_id, UnservedReason.NO_COMPATIBLE_VEHICLE, detail)
        reason_of = {v.vehicle_type: self.why_not_alone(v, order, dest) for v in allowed}
        usable = tuple(v for v in allowed if reason_of[v.vehicle_type] is None)
        if not usable:
            reasons = set(reason_of.values())
            reason = next(r for r in _REASON_PRIORITY if r in reasons)
            if reason is UnservedReason.UNREACHABLE:
                detail = f"no road joins site {order.site_id} to the vehicles that may serve it"
            elif reason is UnservedReason.TRANSIT_LIMIT:
                detail = f"destination {dest} is beyond max_transit_min {order.max_transit_min}"
            else:
                detail = (
                    "no vehicle can reach it and return within its time window, "
                    "the planning day and the shift limit"
                )
            return (), None, Unserved(order.order_id, reason, detail)
        return usable, dest, None

    def build(self) -> RoutingProblem:
        unserved: list[Unserved] = []
        groups: dict[
            tuple[object, ...], tuple[str | None, list[tuple[Order, tuple[VehicleType, ...]]]]
        ] = {}
        for order in self.s.orders:
            usable, dest, why = self.classify(order)
            if why is not None:
                unserved.append(why)
                continue
            key = (
                order.site_id,
                order.direction,
                dest,
                tuple(v.vehicle_type for v in usable),
                self.window(order.site_id, order),
                order.max_transit_min,
            )
            groups.setdefault(key, (dest, []))[1].append((order, usable))
        for dest, members in groups.values():
            for batch in _batches(members):
                self._add_pair(batch, dest)
        return RoutingProblem(
            self.s, self.m, tuple(self.stops), tuple(self.pairs), tuple(self.vehicles),
            self.start_s, self.end_s, tuple(unserved),
        )  # fmt: skip

    def _stop(self, site: str, role: Role, orders: list[Order], **fields: object) -> int:
        lo = max(self.window(site, o if not role.at_depot else None)[0] for o in orders)
        hi = min(self.window(site, o if not role.at_depot else None)[1] for o in orders)
        if role is Role.DROP:
            lo, hi = self.window(site, None)
        self.stops.append(
            Stop(
                site_id=site,
                role=role,
                order_ids=tuple(o.order_id for o in orders),
                weight_kg=sum(o.weight_kg for o in orders),
                volume_m3=sum(o.volume_m3 for o in orders),
                parcels=sum(o.parcels for o in orders),
                ready_s=lo,
                due_s=hi,
                service_s=self.s.site(site).service_min * 60,
                **fields,  # type: ignore[arg-type]
            )
        )
        return len(self.stops) - 1

    def _add_pair(
        self, batch: list[tuple[Order, tuple[VehicleType, ...]]], dest: str | None
    ) -> None:
        orders = [o for o, _ in batch]
        usable = batch[0][1]
        first = orders[0]
        vehicles = tuple(i for v in usable for i in self.vehicles_of[v.vehicle_type])
        penalty = self.s.costs.unserved_penalty * len(orders)
        limits = [o.max_transit_min for o in orders if o.max_transit_min is not None]
        transit = min(limits) * 60 if limits else None
        role = Role.PICKUP if first.is_pickup else Role.DELIVERY
        own = self._stop(first.site_id, role, orders, vehicles=vehicles, penalty=penalty)
        if dest is not None:
            drop = self._stop(dest, Role.DROP, orders, vehicles=vehicles, penalty=0.0)
            self.pairs.append(Pair((own,), (drop,), transit))
            return
        depot_role = Role.UNLOAD if role is Role.PICKUP else Role.LOAD
        by_depot: dict[str, list[int]] = defaultdict(list)
        for i in vehicles:
            by_depot[self.vehicles[i].depot].append(i)
        ends = tuple(
            self._stop(depot, depot_role, orders, vehicles=tuple(vs), penalty=0.0)
            for depot, vs in by_depot.items()
        )
        if role is Role.PICKUP:
            self.pairs.append(Pair((own,), ends, transit))
        else:
            self.pairs.append(Pair(ends, (own,), None))


def _batches(
    members: list[tuple[Order, tuple[VehicleType, ...]]],
) -> list[list[tuple[Order, tuple[VehicleType, ...]]]]:
    """Split orders into batches that together fit in every allowed vehicle type."""
    types = members[0][1]
    cap_kg = min(v.capacity_kg for v in types)
    cap_m3 = min(v.capacity_m3 for v in types)
    caps_p = [v.capacity_parcels for v in types if v.capacity_parcels is not None]
    cap_p = min(caps_p) if caps_p else math.inf
    out: list[list[tuple[Order, tuple[VehicleType, ...]]]] = []
    kg = m3 = parcels = 0.0
    for member in members:
        o = member[0]
        if (
            out
            and kg + o.weight_kg <= cap_kg
            and m3 + o.volume_m3 <= cap_m3
            and (parcels + o.parcels <= cap_p)
        ):
            out[-1].append(member)
            kg, m3, parcels = kg + o.weight_kg, m3 + o.volume_m3, parcels + o.parcels
        else:
            out.append([member])
            kg, m3, parcels = o.weight_kg, o.volume_m3, float(o.parcels)
    return out


def split_components(problem: RoutingProblem) -> list[RoutingProblem]:
    """Independent parts of ``problem``: vehicles linked by stops that several of them may
    serve, with those stops. Each part can be solved alone; together they are the whole.
    (networkx's union-find links them: lognet's graph library already.)
    """
    linked = UnionFind(range(len(problem.vehicles)))
    for pair in problem.pairs:
        linked.union(
            *(v for i in (*pair.pickups, *pair.deliveries) for v in problem.stops[i].vehicles)
        )
    pairs_of: dict[int, list[Pair]] = defaultdict(list)
    for pair in problem.pairs:
        pairs_of[linked[problem.stops[pair.pickups[0]].vehicles[0]]].append(pair)
    parts = []
    for root, pairs in pairs_of.items():
        vehicles = [v for v in range(len(problem.vehicles)) if linked[v] == root]
        new_vehicle = {v: k for k, v in enumerate(vehicles)}
        old_stops = sorted({i for p in pairs for i in (*p.pickups, *p.deliveries)})
        new_stop = {i: k for k, i in enumerate(old_stops)}
        stops = tuple(
            replace(
                problem.stops[i],
                vehicles=tuple(new_vehicle[v] for v in problem.stops[i].vehicles),
            )
            for i in old_stops
        )
        new_pairs = tuple(
            Pair(
                tuple(new_stop[i] for i in p.pickups),
                tuple(new_stop[i] for i in p.deliveries),
                p.max_transit_s,
            )
            for p in pairs
        )
        parts.append(
            replace(
                problem,
                stops=stops,
                pairs=new_pairs,
                vehicles=tuple(problem.vehicles[v] for v in vehicles),
                unserved=(),
            )
        )
    return parts


def preload(part: RoutingProblem) -> RoutingProblem:
    """``part`` without LOAD stops when it needs none: with no pickups and one trip per
    vehicle, a vehicle leaves with all its deliveries on board, and the load at any point
    is what it has yet to deliver, so counting deliveries made suffices. This is the
    classic CVRP/VRPTW class; the model gets half as many stops."""
    if part.preloaded or any(s.role is not Role.DELIVERY and s.role is not Role.LOAD
                             for s in part.stops):  # fmt: skip
        return part
    if any(v.vehicle_type.max_trips > 1 for v in part.vehicles):
        return part
    kept = [i for i, s in enumerate(part.stops) if s.role is Role.DELIVERY]
    new_index = {i: k for k, i in enumerate(kept)}
    pairs = tuple(Pair((), tuple(new_index[i] for i in p.deliveries)) for p in part.pairs)
    return replace(part, stops=tuple(part.stops[i] for i in kept), pairs=pairs, preloaded=True)
