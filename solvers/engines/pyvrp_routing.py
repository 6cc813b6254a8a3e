"""PyVRP adapter for :class:`solvers.routing_problem.RoutingProblem`.

PyVRP (iterated local search) is far stronger than plain OR-Tools routing on the classes it
represents exactly; :func:`pyvrp_supports` says which parts those are, and the router sends
every other part to OR-Tools.

How lognet's pairs map onto PyVRP 0.14:

- a DELIVERY stop is a client with a *delivery* amount: PyVRP loads it at the depot at the
  start of the client's trip, which is what the pair with a LOAD stop at that depot means
  (a preloaded part has no LOAD stops and the same loads);
- a PICKUP stop whose goods go back to the depot is a client with a *pickup* amount,
  unloaded at the end of its trip, as the pair with an UNLOAD stop means;
- a PICKUP stop whose goods go to a DROP stop elsewhere is a shipment; PyVRP keeps a
  shipment's pickup before its delivery and both in one trip, as lognet does (no ride-time
  limit: PyVRP has none);
- several trips are reloads at the vehicle's own depot (``max_reloads = max_trips - 1``);
  PyVRP spends the depot's service time when a vehicle *leaves* the depot, at the start
  of its route and after every reload, as lognet spends it on LOAD and UNLOAD stops;
- loads are simultaneous pickup and delivery in those of kg, m3 and parcels that some
  vehicle could exceed;
- every stop is optional, with its penalty as the prize PyVRP loses by leaving it out
  (:mod:`solvers.engines.pyvrp_search` says how the search gets there).

Each stop is a location of its own, so the service time sits on the arcs leaving it and is
spent once per site, when the vehicle leaves for another site or ends a trip: stops at one
site share it, as in the OR-Tools adapter and in ``route()``'s schedule. PyVRP's own
service durations are not used. The one approximation is conservative: a route whose
first trip only collects produce still pays the depot's service time at its start.

Integer units: time in 1/``RoutingProblem.time_scale()`` seconds (travel and service
rounded up, windows inwards, so the engine's schedule is never optimistic), distance in
1, 1/10 or 1/100 m (exact when the data allow, otherwise rounded), cost in a power of ten
of the currency fine enough for every cost rate (exact when the rates allow), kg in 1/100,
m3 in 1/10,000 (amounts rounded up, capacities down).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp import (
    Activity,
    ActivityType,
    Client,
    Depot,
    Location,
    ProblemData,
    Shipment,
    Solution,
)

from logistics.clock import seconds_of_day
from logistics.scenario import VehicleType
from solvers.engine_units import KG_SCALE, M3_SCALE, cost_scale, decimal_scale
from solvers.engines.pyvrp_search import search_pyvrp
from solvers.routing_problem import EngineRoutes, Role, RoutingProblem, Stop

__all__ = ["pyvrp_supports", "solve_with_pyvrp"]

#: PyVRP's "unconstrained" shift duration.
NO_LIMIT = int(np.iinfo(np.int64).max)


def pyvrp_supports(part: RoutingProblem) -> bool:
    """Whether PyVRP represents ``part`` exactly with lognet's semantics.

    It does unless a pair has a ride-time limit (``max_transit_s``, cold chain), a stop may
    not ride every vehicle of the part (carrier or hub restrictions), a DROP stop shares a
    part with a vehicle of several trips (a trip of shipments alone would end without a
    depot stop to mark it), or a pair lacks its LOAD or UNLOAD stop at some vehicle's depot.

    Examples
    --------
    A carrier's van may carry only its own parcels; a shared van carries anyone's. When
    both serve one part, PyVRP could put the ZTO parcels on the EMS van:

    >>> from logistics.matrix import TravelMatrix
    >>> from logistics.plans import LocationPlan, SolveStatus
    >>> from logistics.scenario import Direction, Order, Scenario, Site, SiteKind, VehicleType
    >>> from solvers.routing_problem import build_routing_problem
    >>> sites = (Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4),
    ...          Site("V", "village", SiteKind.VILLAGE_POINT, 109.1, 28.4))
    >>> orders = (Order("E1", "V", "ems", Direction.DELIVERY, 1, 10.0, 0.01),
    ...           Order("Z1", "V", "zto", Direction.DELIVERY, 1, 10.0, 0.01))
    >>> vans = (VehicleType("ems-van", 1, "W", "ems", 100.0, 1.0),
    ...         VehicleType("pool-van", 1, "W", "shared", 100.0, 1.0))
    >>> matrix = TravelMatrix(("W", "V"), [[0, 5000], [5000, 0]], [[0, 300], [300, 0]])
    >>> location = LocationPlan(("W",), {}, {}, SolveStatus.OPTIMAL, 0.0, 0.0, 0.0, 0.0, "hand")
    >>> def part(fleet):
    ...     scenario = Scenario(name="tiny", sites=sites, orders=orders, fleet=fleet)
    ...     return build_routing_problem(scenario, matrix, location)
    >>> pyvrp_supports(part(vans)), pyvrp_supports(part(vans[1:]))
    (False, True)
    """
    everyone = set(range(len(part.vehicles)))
    if any(p.max_transit_s is not None for p in part.pairs):
        return False
    if any(set(s.vehicles) != everyone for s in part.stops if not s.role.at_depot):
        return False
    has_drop = any(s.role is Role.DROP for s in part.stops)
    if has_drop and any(v.vehicle_type.max_trips > 1 for v in part.vehicles):
        return False
    depots = {v.depot for v in part.vehicles}
    for pair in part.pairs:
        ends = [i for i in (*pair.pickups, *pair.deliveries) if part.stops[i].role.at_depot]
        if ends and {part.stops[i].site_id for i in ends} != depots:
            return False
    return True


def solve_with_pyvrp(
    part: RoutingProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    max_iterations: int | None = None,
    initial: Sequence[Sequence[int]] | None = None,
) -> EngineRoutes:
    """Solve a part that :func:`pyvrp_supports` with PyVRP's iterated local search.

    ``initial`` (stop indices per vehicle, e.g. from :mod:`solvers.warm_start`) is the
    search's starting solution when PyVRP can represent it.

    Stops after ``time_limit_s`` or, when given, ``max_iterations`` iterations (a
    deterministic amount of work; the time limit still caps it). Returns the best feasible
    solution found, or ``found=False`` with empty routes when PyVRP found none.

    Examples
    --------
    One van at ``W`` delivers parcels to ``V``, 5 km and 5 minutes away, from 07:00:

    >>> from logistics.matrix import TravelMatrix
    >>> from logistics.plans import LocationPlan, SolveStatus
    >>> from logistics.scenario import Direction, Order, Scenario, Site, SiteKind, VehicleType
    >>> from solvers.routing_problem import build_routing_problem, preload
    >>> sites = (Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4),
    ...          Site("V", "village", SiteKind.VILLAGE_POINT, 109.1, 28.4))
    >>> order = Order("D1", "V", "ems", Direction.DELIVERY, 1, 10.0, 0.01)
    >>> van = VehicleType("van", 1, "W", "shared", 100.0, 1.0)
    >>> scenario = Scenario(name="tiny", sites=sites, orders=(order,), fleet=(van,))
    >>> matrix = TravelMatrix(("W", "V"), [[0, 5000], [5000, 0]], [[0, 300], [300, 0]])
    >>> location = LocationPlan(("W",), {}, {}, SolveStatus.OPTIMAL, 0.0, 0.0, 0.0, 0.0, "hand")
    >>> part = preload(build_routing_problem(scenario, matrix, location))
    >>> result = solve_with_pyvrp(part, time_limit_s=1, max_iterations=50)
    >>> result.sequences, result.times
    (((0,),), ((25200.0, 25500.0, 25800.0),))
    """
    t0 = time.perf_counter()
    version = f"pyvrp {_version()}"
    if not part.vehicles or not part.stops:
        empty = tuple(() for _ in part.vehicles)
        return EngineRoutes(empty, tuple((0.0, 0.0) for _ in part.vehicles), 0.0, True, version)
    if not pyvrp_supports(part):
        raise ValueError("PyVRP cannot represent this part exactly; see pyvrp_supports()")
    model = _Model(part)
    best = search_pyvrp(
        model.data,
        model.everything,
        horizon=model.up(part.end_s),
        time_limit_s=max(time_limit_s - (time.perf_counter() - t0), 0.0),
        max_iterations=max_iterations,
        seed=seed,
        start=model.solution_of(initial) if initial is not None and any(initial) else None,
    )
    if not best.is_feasible():
        empty = tuple(() for _ in part.vehicles)
        return EngineRoutes(
            empty, tuple((0.0, 0.0) for _ in part.vehicles), math.inf, False, version
        )
    return model.extract(best, version)


def _version() -> str:
    from importlib.metadata import version

    return version("pyvrp")


@dataclass(frozen=True, slots=True)
class _Node:
    """A PyVRP location: a depot (``stop is None``) or one stop."""

    site_id: str
    stop: int | None


class _Model:
    def __init__(self, part: RoutingProblem) -> None:
        self.p = part
        self.ts = part.time_scale()
        self.depots = sorted({v.depot for v in part.vehicles})
        depot_role = {Role.LOAD, Role.UNLOAD}
        # The stops PyVRP visits: clients (deliveries, produce back to the depot) and
        # shipments (produce to a DROP stop); LOAD and UNLOAD stops are implicit.
        self.clients: list[int] = []
        self.shipments: list[tuple[int, int]] = []
        #: (delivery or pickup stop, depot site) → its LOAD or UNLOAD stop.
        self.depot_stop: dict[tuple[int, str], int] = {}
        for pair in part.pairs:
            ends = [
                i for i in (*pair.pickups, *pair.deliveries) if part.stops[i].role in depot_role
            ]
            own = [i for i in (*pair.pickups, *pair.deliveries) if i not in ends]
            drops = [i for i in pair.deliveries if part.stops[i].role is Role.DROP]
            if drops:
                self.shipments.append((pair.pickups[0], drops[0]))
                continue
            (stop,) = own
            self.clients.append(stop)
            for end in ends:
                self.depot_stop[stop, part.stops[end].site_id] = end
        self.nodes = [_Node(d, None) for d in self.depots]
        self.nodes += [_Node(part.stops[i].site_id, i) for i in self.clients]
        self.nodes += [_Node(part.stops[i].site_id, i) for pair in self.shipments for i in pair]
        self.types = sorted({v.vehicle_type.vehicle_type for v in part.vehicles})
        self.vehicles_of: dict[str, list[int]] = defaultdict(list)
        for k, v in enumerate(part.vehicles):
            self.vehicles_of[v.vehicle_type.vehicle_type].append(k)
        self.dims = part.binding_measures()
        self.data, self.everything, self.cost_scale = self._build()

    # --- units -----------------------------------------------------------------------

    def up(self, seconds: float) -> int:
        """Seconds to engine time units, rounded up (never optimistic for a duration)."""
        return math.ceil(seconds * self.ts - 1e-6)

    def down(self, seconds: float) -> int:
        """Seconds to engine time units, rounded down (never optimistic for a limit)."""
        return math.floor(seconds * self.ts + 1e-6)

    def amounts(self, stop: Stop) -> list[int]:
        """Kg, m3 and parcels of ``stop``, in the dimensions that may bind."""
        every = (
            math.ceil(stop.weight_kg * KG_SCALE - 1e-9),
            math.ceil(stop.volume_m3 * M3_SCALE - 1e-9),
            stop.parcels,
        )
        return [every[d] for d in self.dims]

    def capacities(self, vt: VehicleType) -> list[int]:
        """Kg, m3 and parcels ``vt`` carries, in the dimensions that may bind."""
        every = (
            math.floor(vt.capacity_kg * KG_SCALE + 1e-9),
            math.floor(vt.capacity_m3 * M3_SCALE + 1e-9),
            NO_LIMIT if vt.capacity_parcels is None else vt.capacity_parcels,
        )
        return [every[d] for d in self.dims]

    def window(self, stop: Stop) -> tuple[int, int]:
        lo, hi = self.up(stop.ready_s), self.down(stop.due_s)
        return lo, max(lo, hi)

    # --- the model -------------------------------------------------------------------

    def _matrices(self) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
        """Duration and distance matrices in engine units, and the distance scale."""
        p, m = self.p, self.p.matrix
        idx = np.array([m.index(n.site_id) for n in self.nodes])
        travel = m.duration_s[np.ix_(idx, idx)]
        length = m.distance_m[np.ix_(idx, idx)]
        road = np.isfinite(travel) & np.isfinite(length)
        same_site = idx[:, None] == idx[None, :]
        is_stop = np.array([n.stop is not None for n in self.nodes])
        service = np.array(
            [0.0 if n.stop is None else p.stops[n.stop].service_s for n in self.nodes]
        )
        up = np.ceil(np.where(road, travel, 0.0) * self.ts - 1e-6).astype(np.int64)
        service_up = np.ceil(service * self.ts - 1e-6).astype(np.int64)
        # A stop's service is spent leaving its site, or ending a trip at the depot.
        spends = is_stop[:, None] & (~same_site | ~is_stop[None, :])
        duration = np.where(same_site, 0, up) + np.where(spends, service_up[:, None], 0)
        # Longer than the day: an arc without a road is never part of a feasible route.
        duration = np.where(road | same_site, duration, self.up(p.end_s) + 1)
        finite = length[road & ~same_site]
        scale = decimal_scale(finite) or 1
        metres = np.rint(np.where(road, length, 0.0) * scale).astype(np.int64)
        longest = int(metres.max()) if metres.size else 0
        distance = np.where(same_site, 0, np.where(road, metres, 2 * longest + 1))
        np.fill_diagonal(duration, 0)
        np.fill_diagonal(distance, 0)
        return duration.astype(np.int64), distance.astype(np.int64), scale

    def _build(self) -> tuple[ProblemData, ProblemData, int]:
        p = self.p
        scenario = p.scenario
        duration, distance, dist_scale = self._matrices()
        depot_index = {d: k for k, d in enumerate(self.depots)}
        n_depots = len(self.depots)
        locations = [
            Location(scenario.site(n.site_id).lon, scenario.site(n.site_id).lat) for n in self.nodes
        ]
        start, end = self.up(p.start_s), self.down(p.end_s)
        depots = []
        for d in self.depots:
            site = scenario.site(d)
            lo = self.up(max(p.start_s, seconds_of_day(site.open_time) if site.open_time else 0.0))
            hi = self.down(min(p.end_s, seconds_of_day(site.close_time) if site.close_time
                               else math.inf))  # fmt: skip
            # A preloaded vehicle leaves at once; otherwise it loads at the depot first.
            service = 0 if p.preloaded else self.up(site.service_min * 60)
            depots.append(Depot(depot_index[d], tw_early=lo, tw_late=max(lo, hi),
                                service_duration=service, name=d))  # fmt: skip

        # Cost rates in currency per engine unit, then one power-of-ten cost scale for all.
        per_time = scenario.costs.driver_cost_per_hour / 3600 / self.ts
        vts = {v.vehicle_type.vehicle_type: v.vehicle_type for v in p.vehicles}
        per_length = {t: vts[t].cost_per_km / 1000 / dist_scale for t in self.types}
        prizes = [p.stops[i].penalty for i in self.clients]
        prizes += [p.stops[i].penalty for i, _ in self.shipments]
        moving = duration[duration > 0]
        speed = float(np.median(distance[duration > 0] / moving)) if moving.size else 0.0
        driving = per_time + max(per_length.values()) * speed
        bound = sum(prizes) + sum(
            vts[t].fixed_cost * len(self.vehicles_of[t])
            + len(self.vehicles_of[t]) * (per_length[t] * float(distance.max()) * len(self.nodes)
                                          + per_time * (end - start))
            for t in self.types
        )  # fmt: skip
        rates = [per_time, *per_length.values(), *(vts[t].fixed_cost for t in self.types)]
        per_currency = cost_scale([*rates, *prizes], driving=driving, bound=bound)

        def cost(x: float) -> int:
            return round(x * per_currency)

        vehicle_types = []
        for t in self.types:
            vt = vts[t]
            depot = depot_index[vt.depot]
            shift = NO_LIMIT if vt.max_shift_min is None else self.down(vt.max_shift_min * 60)
            vehicle_types.append(
                pyvrp.VehicleType(
                    num_available=len(self.vehicles_of[t]),
                    capacity=self.capacities(vt),
                    start_depot=depot,
                    end_depot=depot,
                    fixed_cost=cost(vt.fixed_cost),
                    tw_early=start,
                    tw_late=max(start, end),
                    unit_distance_cost=cost(per_length[t]),
                    unit_duration_cost=cost(per_time),
                    reload_depots=[depot] if vt.max_trips > 1 else [],
                    max_reloads=max(vt.max_trips - 1, 0),
                    shift_duration=shift,
                    name=t,
                )
            )  # fmt: skip

        def problem(*, required: bool) -> ProblemData:
            clients = []
            for k, i in enumerate(self.clients):
                s = p.stops[i]
                lo, hi = self.window(s)
                amounts = self.amounts(s)
                nothing = [0] * len(amounts)
                clients.append(
                    Client(n_depots + k,
                           delivery=amounts if s.role is Role.DELIVERY else nothing,
                           pickup=amounts if s.role is Role.PICKUP else nothing,
                           tw_early=lo, tw_late=hi, prize=cost(s.penalty), required=required,
                           name=s.site_id)
                )  # fmt: skip
            shipments = []
            first = n_depots + len(self.clients)
            for k, (i, j) in enumerate(self.shipments):
                (plo, phi), (dlo, dhi) = self.window(p.stops[i]), self.window(p.stops[j])
                shipments.append(
                    Shipment(first + 2 * k, first + 2 * k + 1, pickup_tw_early=plo,
                             pickup_tw_late=phi, delivery_tw_early=dlo, delivery_tw_late=dhi,
                             amount=self.amounts(p.stops[i]), prize=cost(p.stops[i].penalty),
                             required=required, name=p.stops[i].site_id)
                )  # fmt: skip
            # PyVRP's stub spells the matrices np.ndarray[int], which no array type matches.
            return ProblemData(
                locations, clients, depots, vehicle_types,
                [distance], [duration],  # type: ignore[list-item]
                shipments=shipments,
            )  # fmt: skip

        return problem(required=False), problem(required=True), per_currency

    def solution_of(self, sequences: Sequence[Sequence[int]]) -> Solution | None:
        """Stop sequences per vehicle as a PyVRP solution: clients and shipments in order,
        a reload wherever a trip ends at the depot; ``None`` if PyVRP rejects it."""
        client = {stop: k for k, stop in enumerate(self.clients)}
        pick = {i: k for k, (i, _) in enumerate(self.shipments)}
        drop = {j: k for k, (_, j) in enumerate(self.shipments)}
        depot_index = {d: k for k, d in enumerate(self.depots)}
        routes = []
        for vehicle, seq in enumerate(sequences):
            activities: list[Activity] = []
            depot = Activity(ActivityType.DEPOT, depot_index[self.p.vehicles[vehicle].depot])
            for i in seq:
                if i in client:
                    activities.append(Activity(ActivityType.CLIENT, client[i]))
                elif i in pick:
                    activities.append(Activity(ActivityType.PICKUP, pick[i]))
                elif i in drop:
                    activities.append(Activity(ActivityType.DELIVERY, drop[i]))
                elif activities and not activities[-1].is_depot():
                    activities.append(depot)  # a LOAD or UNLOAD stop: the trip ends
            while activities and activities[-1].is_depot():
                activities.pop()
            if activities:
                vt = self.types.index(self.p.vehicles[vehicle].vehicle_type.vehicle_type)
                routes.append(pyvrp.Route(self.data, activities, vt))
        try:
            return Solution(self.data, routes)
        except (ValueError, RuntimeError, IndexError):
            return None

    def extract(self, best: Solution, version: str) -> EngineRoutes:
        p = self.p
        sequences: list[tuple[int, ...]] = [() for _ in p.vehicles]
        times: list[tuple[float, ...]] = [(p.start_s, p.start_s) for _ in p.vehicles]
        used: dict[str, int] = defaultdict(int)
        for r in best.routes():
            t = self.types[r.vehicle_type()]
            vehicle = self.vehicles_of[t][used[t]]
            used[t] += 1
            seq, ts = self._route(r.schedule(), p.vehicles[vehicle].depot)
            sequences[vehicle], times[vehicle] = seq, ts
        cost = pyvrp.CostEvaluator([0] * len(self.dims), 0, 0).cost(best)
        return EngineRoutes(tuple(sequences), tuple(times), cost / self.cost_scale, True, version)

    def _route(
        self, schedule: list[pyvrp.ScheduledActivity], depot: str
    ) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """One vehicle's stops and times, with the depot stops that mark its trips."""
        seq: list[int] = []
        ts: list[float] = [schedule[0].start_time / self.ts]
        # Trips: (time of the depot call before, [(stop, time)], time of the call after).
        trips: list[tuple[float, list[tuple[int, float]], float]] = []
        call, visits = ts[0], list[tuple[int, float]]()
        for a in schedule[1:]:
            at = a.start_time / self.ts
            if a.is_depot():
                if visits:
                    trips.append((call, visits, at))
                call, visits = at, []
            else:
                visits.append((self._stop_of(a), at))
        unloads: list[int] = []
        last_loads: list[int] = []
        for k, (before, stops, after) in enumerate(trips):
            loads = [
                self.depot_stop[i, depot]
                for i, _ in stops
                if self.p.stops[i].role is Role.DELIVERY and (i, depot) in self.depot_stop
            ]
            marks = loads
            if k > 0 and not unloads and not loads:
                # Nothing to unload from the last trip nor load for this one: repeat the
                # last trip's LOAD stop so that the depot call still ends a trip.
                marks = last_loads[-1:]
            seq.extend(marks)
            ts.extend([before] * len(marks))
            seq.extend(i for i, _ in stops)
            ts.extend(at for _, at in stops)
            unloads = [
                self.depot_stop[i, depot]
                for i, _ in stops
                if self.p.stops[i].role is Role.PICKUP and (i, depot) in self.depot_stop
            ]
            seq.extend(unloads)
            ts.extend([after] * len(unloads))
            last_loads = loads or last_loads
        ts.append(schedule[-1].start_time / self.ts)
        return tuple(seq), tuple(ts)

    def _stop_of(self, a: pyvrp.ScheduledActivity) -> int:
        if a.is_client():
            return self.clients[a.idx]
        pickup, drop = self.shipments[a.idx]
        return pickup if a.is_pickup() else drop
