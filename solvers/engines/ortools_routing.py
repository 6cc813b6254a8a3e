"""OR-Tools routing adapter for :class:`solvers.routing_problem.RoutingProblem`.

Everything is expressed with the routing library's native features, so its first-solution
heuristics and filtered local search see every constraint: matrices registered in C++
(never Python callbacks for lookups), pickup-and-delivery sets for every movement of goods,
one load dimension per capacity measure, a time dimension with windows, span cost and span
limit, and a trips dimension that counts departures from a depot against ``max_trips``.

Integer units: time in 1/``scale`` seconds (see ``RoutingProblem.time_scale``: exact when
the data allow, otherwise seconds with travel and service rounded up, so the engine's
schedule is never optimistic), cost in 1/10,000 of the currency, kg in 1/100, m3 in
1/10,000 (amounts rounded up, capacities down).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from importlib import metadata

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solvers.engine_units import KG_SCALE, M3_SCALE
from solvers.route_minimiser import minimise_routes, minimiser_time_scale, route_minimiser_supports
from solvers.routing_problem import EngineRoutes, Pair, Role, RoutingProblem, Stop

__all__ = ["FIRST_SOLUTIONS", "solve_with_ortools"]

COST_SCALE = 10_000
#: Larger than any day: arcs with no road.
NO_ROAD = 10**9
_Strategy = routing_enums_pb2.FirstSolutionStrategy
#: First-solution heuristics that start the search, in the order side-by-side runs take
#: them: insertion one stop at a time, and insertion into all routes at once.
FIRST_SOLUTIONS = ("local_cheapest_insertion", "parallel_cheapest_insertion")
#: Share of the time limit for the first search when vehicles have fixed costs; the rest
#: goes to emptying vehicles (see :func:`_eliminate_routes`), each attempt getting
#: ``ATTEMPT_SHARE`` of the limit and at least ``MIN_ATTEMPT_S``.
SEARCH_SHARE = 0.4
ATTEMPT_SHARE = 0.1
MIN_ATTEMPT_S = 0.2
#: Where :func:`~solvers.route_minimiser.route_minimiser_supports` the part, the share of
#: the time left after the first search that the route minimiser gets (OR-Tools then
#: polishes the distance), and its iterations in a deterministic run.
MINIMISER_SHARE = 0.65
MINIMISER_ITERATIONS = 2000


def solve_with_ortools(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
    initial: Sequence[Sequence[int]] | None = None,
    first_solution: str = FIRST_SOLUTIONS[0],
) -> EngineRoutes:
    """Solve with OR-Tools routing; always returns routes (all unserved at worst).

    ``initial`` (stop indices per vehicle, e.g. from :mod:`solvers.warm_start`) is the
    starting solution when it is feasible; otherwise ``first_solution`` (one of
    :data:`FIRST_SOLUTIONS`) builds one, and if it finds none, the search starts from
    every stop unserved.
    """
    t0 = time.perf_counter()
    version = f"ortools {metadata.version('ortools')}"
    empty = tuple(() for _ in problem.vehicles)
    if not problem.vehicles or not problem.stops:
        return EngineRoutes(empty, tuple((0.0, 0.0) for _ in problem.vehicles), 0.0, True, version)
    if first_solution not in FIRST_SOLUTIONS:
        raise ValueError(f"unknown first solution {first_solution!r}; choose {FIRST_SOLUTIONS}")
    eliminate = any(v.vehicle_type.fixed_cost > 0 for v in problem.vehicles)
    search_s = time_limit_s * SEARCH_SHARE if eliminate else time_limit_s
    model = _Model(problem)
    found = None
    if initial is not None and any(initial):
        found = model.solve_from(initial, search_s, solution_limit)
    strategies = (getattr(_Strategy, first_solution.upper()), _Strategy.ALL_UNPERFORMED)
    for strategy in strategies:
        if found is not None:
            break
        # A first solution may take longer than the search's share on a large part: the
        # search may then run to the limit, and stops at its first solution after it.
        left = max(time_limit_s - (time.perf_counter() - t0), 0.01)
        found = model.solve(strategy, left, solution_limit, stop_after_s=t0 + search_s)
    if found is None:
        return EngineRoutes(
            empty, tuple((0.0, 0.0) for _ in problem.vehicles), math.inf, False, version
        )
    best = model.extract(found, version)
    if not eliminate:
        return best
    deadline = t0 + time_limit_s
    if route_minimiser_supports(problem):
        return _minimise_routes(problem, best, deadline, solution_limit)
    best = _eliminate_routes(problem, model, best, deadline, time_limit_s, solution_limit)
    left = deadline - time.perf_counter()
    if left > MIN_ATTEMPT_S:
        again = model.solve_from(best.sequences, left, solution_limit)
        if again is not None:
            polished = model.extract(again, version)
            if polished.objective < best.objective:
                best = polished
    return best


def _eliminate_routes(
    problem: RoutingProblem,
    model: _Model,
    best: EngineRoutes,
    deadline: float,
    time_limit_s: float,
    solution_limit: int | None,
) -> EngineRoutes:
    """Empty one vehicle at a time, smallest route first, and keep the plan without it
    when it serves every order the best plan serves at a lower cost.

    Guided local search moves stops one pair at a time and a vehicle's fixed cost is saved
    only when its last stop leaves, so it rarely empties a route on its own. Each attempt
    therefore searches a relaxed model: only the other vehicles in use, no fixed costs,
    and every order's penalty lowered to the cost of serving it alone, so that the search
    may set one order aside to make room for another, as ejection chains do; the
    attempt succeeds when it ends with every order placed.
    """
    tried: set[int] = set()
    while True:
        left = deadline - time.perf_counter()
        used = [v for v, seq in enumerate(best.sequences) if seq]
        candidates = [v for v in used if v not in tried]
        if left < MIN_ATTEMPT_S or len(used) < 2 or not candidates:
            return best
        vehicle = min(candidates, key=lambda v: (len(best.sequences[v]), v))
        tried.add(vehicle)
        attempt_s = min(left, max(MIN_ATTEMPT_S, time_limit_s * ATTEMPT_SHARE))
        relaxed = _Model(problem, vehicles=frozenset(used) - {vehicle}, relaxed=True)
        start = [() if v == vehicle else seq for v, seq in enumerate(best.sequences)]
        found = relaxed.solve_from(start, attempt_s, solution_limit)
        if found is None:
            continue
        fewer = relaxed.extract(found, best.version)
        if _served(problem, fewer) < _served(problem, best):
            continue
        exact = model.routing.ReadAssignmentFromRoutes(model.routes_of(fewer.sequences), True)
        if exact is not None and exact.ObjectiveValue() / COST_SCALE < best.objective:
            best, tried = model.extract(exact, best.version), set()


def _minimise_routes(
    problem: RoutingProblem, best: EngineRoutes, deadline: float, solution_limit: int | None
) -> EngineRoutes:
    """Fewer vehicles by :func:`~solvers.route_minimiser.minimise_routes` with most of the
    time left, then the distance polished from its routes with only the vehicles they
    use, in the minimiser's time units (finer than the first search's when travel times
    are not whole, so that its routes are feasible there too)."""
    now = time.perf_counter()
    fewer = minimise_routes(
        problem,
        best.sequences,
        deadline=now + (deadline - now) * MINIMISER_SHARE,
        max_iterations=None if solution_limit is None else MINIMISER_ITERATIONS,
    )
    used = frozenset(v for v, seq in enumerate(fewer) if seq)
    model = _Model(problem, vehicles=used, time_scale=minimiser_time_scale(problem))
    start = model.routing.ReadAssignmentFromRoutes(model.routes_of(fewer), True)
    if start is None:
        return best
    left = deadline - time.perf_counter()
    found = model.solve_from(fewer, left, solution_limit) if left > MIN_ATTEMPT_S else None
    polished = model.extract(found or start, best.version)
    if len(used) < sum(1 for seq in best.sequences if seq) or polished.objective < best.objective:
        return polished
    return best


def _served(problem: RoutingProblem, routes: EngineRoutes) -> set[int]:
    return {i for seq in routes.sequences for i in seq if not problem.stops[i].role.at_depot}


def _constant(value: int) -> Callable[[int, int], int]:
    def limit(_pickup: int, _delivery: int) -> int:
        return value

    return limit


class _Model:
    """The OR-Tools model of ``problem``; with ``vehicles``, only those may serve stops;
    ``time_scale`` overrides ``problem.time_scale()``.

    A ``relaxed`` model has no fixed vehicle costs, and each order's penalty is the cost
    of serving it on a trip of its own (see :func:`_eliminate_routes`).
    """

    def __init__(
        self,
        problem: RoutingProblem,
        *,
        vehicles: frozenset[int] | None = None,
        relaxed: bool = False,
        time_scale: int | None = None,
    ) -> None:
        self.p = problem
        self.allowed = vehicles
        self.relaxed = relaxed
        self._stop_after_s: float | None = None
        self.ts = time_scale or problem.time_scale()
        depots = sorted({v.depot for v in problem.vehicles})
        self.node_sites = depots + [s.site_id for s in problem.stops]
        self.n_depots = len(depots)
        depot_node = {d: i for i, d in enumerate(depots)}
        starts = [depot_node[v.depot] for v in problem.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.node_sites), len(problem.vehicles), starts, starts
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.depot_sites = set(depots)
        self._limits: list[Callable[[int, int], int]] = []  # keep callbacks alive
        self._build()
        self.routing.AddAtSolutionCallback(self._at_solution)

    def up(self, seconds: float) -> int:
        """Seconds to engine time units, rounded up (never optimistic for a duration)."""
        if not math.isfinite(seconds):
            return NO_ROAD
        return math.ceil(seconds * self.ts - 1e-6)

    def down(self, seconds: float) -> int:
        """Seconds to engine time units, rounded down (never optimistic for a limit)."""
        return math.floor(seconds * self.ts + 1e-6)

    def index(self, stop: int) -> int:
        return int(self.manager.NodeToIndex(self.n_depots + stop))

    def _build(self) -> None:
        p, routing = self.p, self.routing
        m = p.matrix
        idx = np.array([m.index(s) for s in self.node_sites])
        dur = m.duration_s[np.ix_(idx, idx)]
        dist = m.distance_m[np.ix_(idx, idx)]
        same_site = idx[:, None] == idx[None, :]
        service = np.array([0.0] * self.n_depots + [s.service_s for s in p.stops])

        # A stop's service is spent when leaving its site: stops at one site share it.
        road = np.isfinite(dur)
        travel = np.ceil(np.where(road, dur, 0.0) * self.ts - 1e-6)
        leave = np.ceil(service * self.ts - 1e-6)[:, None]
        time_rows = np.where(
            same_site, 0, np.where(road, np.minimum(travel + leave, NO_ROAD), NO_ROAD)
        ).astype(np.int64)
        horizon = self.up(p.end_s)
        routing.AddDimension(
            routing.RegisterTransitMatrix(time_rows.tolist()), horizon, horizon, False, "time"
        )
        self.time = routing.GetDimensionOrDie("time")

        cost_cb: dict[float, int] = {}
        finite = np.isfinite(dist)
        for v, vehicle in enumerate(p.vehicles):
            vt = vehicle.vehicle_type
            if vt.cost_per_km not in cost_cb:
                per_m = vt.cost_per_km / 1000 * COST_SCALE
                rows = np.where(finite, np.rint(np.where(finite, dist, 0.0) * per_m), NO_ROAD)
                cost_cb[vt.cost_per_km] = routing.RegisterTransitMatrix(
                    rows.astype(np.int64).tolist()
                )
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt.cost_per_km], v)
            if not self.relaxed:
                routing.SetFixedCostOfVehicle(round(vt.fixed_cost * COST_SCALE), v)

        self._capacities()
        self._schedule()
        self._pairs()
        if not p.calls_at_depots():
            return  # every route is one trip
        # Trips: one per departure from a depot site to another site.
        at_depot = np.array([site in self.depot_sites for site in self.node_sites])
        trip_rows = (at_depot[:, None] & ~same_site).astype(np.int64)
        trips_cb = routing.RegisterTransitMatrix(trip_rows.tolist())
        trips = [v.vehicle_type.max_trips for v in p.vehicles]
        routing.AddDimensionWithVehicleCapacity(trips_cb, 0, trips, True, "trips")
        self._drops_before_depot()

    def _capacities(self) -> None:
        p = self.p
        types = [v.vehicle_type for v in p.vehicles]
        every: list[tuple[str, int, Callable[[Stop], float], Sequence[float | None]]] = [
            ("kg", KG_SCALE, lambda s: s.weight_kg, [t.capacity_kg for t in types]),
            ("m3", M3_SCALE, lambda s: s.volume_m3, [t.capacity_m3 for t in types]),
            ("parcels", 1, lambda s: s.parcels, [t.capacity_parcels for t in types]),
        ]
        measures = [every[d] for d in p.binding_measures()]
        # Preloaded parts count deliveries made; the others follow what is on board.
        sign = {role: role.sign for role in Role}
        if p.preloaded:
            sign[Role.DELIVERY] = 1
        for name, scale, amount, capacities in measures:
            change = [0] * self.n_depots + [
                sign[s.role] * math.ceil(amount(s) * scale - 1e-9) for s in p.stops
            ]
            caps = [NO_ROAD if c is None else math.floor(c * scale + 1e-9) for c in capacities]
            cb = self.routing.RegisterUnaryTransitVector(change)
            self.routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load_{name}")

    def _drops_before_depot(self) -> None:
        """Produce bound for a destination is dropped before the vehicle calls at its depot
        again: a call at the depot ends a trip, and a trip ends with nothing of that kind
        on board."""
        p = self.p
        if not any(s.role is Role.DROP for s in p.stops):
            return
        bound = {
            i
            for pair in p.pairs
            if any(p.stops[d].role is Role.DROP for d in pair.deliveries)
            for i in pair.pickups
        }
        change = [0] * self.n_depots + [
            1 if i in bound else -1 if s.role is Role.DROP else 0 for i, s in enumerate(p.stops)
        ]
        cb = self.routing.RegisterUnaryTransitVector(change)
        self.routing.AddDimension(cb, 0, len(p.stops), True, "bound_produce")
        dim = self.routing.GetDimensionOrDie("bound_produce")
        for i, s in enumerate(p.stops):
            if s.role.at_depot:
                dim.CumulVar(self.index(i)).SetRange(0, 0)

    def _schedule(self) -> None:
        p, routing = self.p, self.routing
        start, end = self.up(p.start_s), self.down(p.end_s)
        for i, s in enumerate(p.stops):
            lo, hi = self.up(s.ready_s), self.down(s.due_s)
            self.time.CumulVar(self.index(i)).SetRange(lo, max(lo, hi))
        rate = round(p.scenario.costs.driver_cost_per_hour / 3600 / self.ts * COST_SCALE)
        for v, vehicle in enumerate(p.vehicles):
            self.time.CumulVar(routing.Start(v)).SetRange(start, end)
            self.time.CumulVar(routing.End(v)).SetRange(start, end)
            self.time.SetSpanCostCoefficientForVehicle(rate, v)
            shift = vehicle.vehicle_type.max_shift_min
            if shift is not None:
                self.time.SetSpanUpperBoundForVehicle(self.down(shift * 60), v)
            routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(routing.Start(v)))
            routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(routing.End(v)))

    def _pairs(self) -> None:
        p, routing = self.p, self.routing
        all_vehicles = len(p.vehicles)
        for i, s in enumerate(p.stops):
            allowed = [v for v in s.vehicles if self.allowed is None or v in self.allowed]
            if len(allowed) < all_vehicles:
                routing.VehicleVar(self.index(i)).SetValues([-1, *allowed])
        k = 0  # pickup-and-delivery pairs are numbered in the order they are added
        for pair in p.pairs:
            deliveries = [self.index(i) for i in pair.deliveries]
            drop_penalty = max(p.stops[i].penalty for i in pair.deliveries)
            pick_penalty = max((p.stops[i].penalty for i in pair.pickups), default=0.0)
            if self.relaxed:
                alone = self._alone(pair)
                drop_penalty = min(drop_penalty, alone)
                pick_penalty = min(pick_penalty, alone)
            drop = routing.AddDisjunction(deliveries, round(drop_penalty * COST_SCALE), 1)
            if not pair.pickups:  # preloaded delivery
                continue
            pickups = [self.index(i) for i in pair.pickups]
            pick = routing.AddDisjunction(pickups, round(pick_penalty * COST_SCALE), 1)
            routing.AddPickupAndDeliverySets(pick, drop)
            if pair.max_transit_s is not None:
                fn = _constant(self.down(pair.max_transit_s))
                self._limits.append(fn)
                self.time.SetPickupToDeliveryLimitFunctionForPair(fn, k)
            k += 1

    def _alone(self, pair: Pair) -> float:
        """Cost of a trip that serves only ``pair``, by its first allowed vehicle."""
        p = self.p
        first = p.stops[pair.pickups[0] if pair.pickups else pair.deliveries[0]]
        vehicle = p.vehicles[first.vehicles[0]] if first.vehicles else p.vehicles[0]
        sites = [vehicle.depot]
        sites += [p.stops[i].site_id for i in (*pair.pickups[:1], *pair.deliveries[:1])]
        sites.append(vehicle.depot)
        legs = list(itertools.pairwise(sites))
        km = sum(p.distance(a, b) for a, b in legs) / 1000
        hours = sum(p.duration(a, b) for a, b in legs) / 3600
        if not math.isfinite(km + hours):
            return max(s.penalty for s in p.stops)
        rate = p.scenario.costs.driver_cost_per_hour
        return km * vehicle.vehicle_type.cost_per_km + hours * rate

    def routes_of(self, sequences: Sequence[Sequence[int]]) -> list[list[int]]:
        """Stop sequences as the routing model's indices."""
        return [[self.index(i) for i in seq] for seq in sequences]

    def solve(
        self,
        strategy: int,
        time_limit_s: float,
        solution_limit: int | None,
        *,
        stop_after_s: float | None = None,
    ) -> pywrapcp.Assignment | None:
        """Search from ``strategy``'s first solution; with ``stop_after_s`` (a
        ``time.perf_counter()`` reading), stop at the first solution found after it."""
        self._stop_after_s = stop_after_s
        try:
            return self.routing.SolveWithParameters(
                self._params(strategy, time_limit_s, solution_limit)
            )
        finally:
            self._stop_after_s = None

    def _at_solution(self) -> None:
        if self._stop_after_s is not None and time.perf_counter() > self._stop_after_s:
            self.routing.solver().FinishCurrentSearch()

    def _params(
        self, strategy: int, time_limit_s: float, solution_limit: int | None
    ) -> pywrapcp.RoutingSearchParameters:
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = strategy
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        params.time_limit.FromMilliseconds(max(int(time_limit_s * 1000), 10))
        if solution_limit is not None:
            params.solution_limit = solution_limit
        return params

    def solve_from(
        self, initial: Sequence[Sequence[int]], time_limit_s: float, solution_limit: int | None
    ) -> pywrapcp.Assignment | None:
        start = self.routing.ReadAssignmentFromRoutes(self.routes_of(initial), True)
        if start is None:
            return None
        params = self._params(
            routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC, time_limit_s, solution_limit
        )
        return self.routing.SolveFromAssignmentWithParameters(start, params)

    def extract(self, solution: pywrapcp.Assignment, version: str) -> EngineRoutes:
        routing, manager = self.routing, self.manager
        sequences, times = [], []
        for v in range(len(self.p.vehicles)):
            index = routing.Start(v)
            seq: list[int] = []
            ts = [solution.Min(self.time.CumulVar(index)) / self.ts]
            index = solution.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                seq.append(int(manager.IndexToNode(index)) - self.n_depots)
                ts.append(solution.Min(self.time.CumulVar(index)) / self.ts)
                index = solution.Value(routing.NextVar(index))
            ts.append(solution.Min(self.time.CumulVar(index)) / self.ts)
            sequences.append(tuple(seq))
            times.append(tuple(ts))
        objective = solution.ObjectiveValue() / COST_SCALE
        return EngineRoutes(tuple(sequences), tuple(times), objective, True, version)
