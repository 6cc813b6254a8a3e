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

import math
import time
from collections.abc import Callable, Sequence

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solvers.routing_problem import EngineRoutes, Role, RoutingProblem, Stop

__all__ = ["solve_with_ortools"]

COST_SCALE = 10_000
KG_SCALE = 100
M3_SCALE = 10_000
#: Larger than any day: arcs with no road.
NO_ROAD = 10**9


def solve_with_ortools(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
    initial: Sequence[Sequence[int]] | None = None,
) -> EngineRoutes:
    """Solve with OR-Tools routing; always returns routes (all unserved at worst).

    ``initial`` (stop indices per vehicle, e.g. from :mod:`solvers.warm_start`) is the
    starting solution when it is feasible; otherwise the first-solution heuristics run.
    """
    t0 = time.perf_counter()
    version = f"ortools {ortools.__version__}"
    if not problem.vehicles or not problem.stops:
        empty = tuple(() for _ in problem.vehicles)
        return EngineRoutes(empty, tuple((0.0, 0.0) for _ in problem.vehicles), 0.0, True, version)
    model = _Model(problem)
    if initial is not None and any(initial):
        solution = model.solve_from(initial, time_limit_s, solution_limit)
        if solution is not None:
            return model.extract(solution, version)
    strategies = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
        routing_enums_pb2.FirstSolutionStrategy.ALL_UNPERFORMED,
    )
    for strategy in strategies:
        left = max(time_limit_s - (time.perf_counter() - t0), 0.01)
        solution = model.solve(strategy, left, solution_limit)
        if solution is not None:
            return model.extract(solution, version)
    empty = tuple(() for _ in problem.vehicles)
    return EngineRoutes(
        empty, tuple((0.0, 0.0) for _ in problem.vehicles), math.inf, False, version
    )


def _constant(value: int) -> Callable[[int, int], int]:
    def limit(_pickup: int, _delivery: int) -> int:
        return value

    return limit


class _Model:
    def __init__(self, problem: RoutingProblem) -> None:
        self.p = problem
        self.ts = problem.time_scale()
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
        idx = [m.index(s) for s in self.node_sites]
        dur = m.duration_s[idx][:, idx]
        dist = m.distance_m[idx][:, idx]
        sites = self.node_sites
        n = len(sites)
        service = [0.0] * self.n_depots + [s.service_s for s in p.stops]

        # A stop's service is spent when leaving its site: stops at one site share it.
        time_rows = [
            [0 if sites[i] == sites[j]
             else min(self.up(dur[i][j]) + self.up(service[i]), NO_ROAD)
             for j in range(n)]
            for i in range(n)
        ]  # fmt: skip
        horizon = self.up(p.end_s)
        routing.AddDimension(
            routing.RegisterTransitMatrix(time_rows), horizon, horizon, False, "time"
        )
        self.time = routing.GetDimensionOrDie("time")

        cost_cb: dict[float, int] = {}
        for v, vehicle in enumerate(p.vehicles):
            vt = vehicle.vehicle_type
            if vt.cost_per_km not in cost_cb:
                rows = [
                    [NO_ROAD if not math.isfinite(dist[i][j])
                     else round(vt.cost_per_km * dist[i][j] / 1000 * COST_SCALE)
                     for j in range(n)]
                    for i in range(n)
                ]  # fmt: skip
                cost_cb[vt.cost_per_km] = routing.RegisterTransitMatrix(rows)
            routing.SetArcCostEvaluatorOfVehicle(cost_cb[vt.cost_per_km], v)
            routing.SetFixedCostOfVehicle(round(vt.fixed_cost * COST_SCALE), v)

        # Trips: one per departure from a depot site to another site.
        trip_rows = [
            [1 if sites[i] in self.depot_sites and sites[i] != sites[j] else 0 for j in range(n)]
            for i in range(n)
        ]
        trips_cb = routing.RegisterTransitMatrix(trip_rows)
        trips = [v.vehicle_type.max_trips for v in p.vehicles]
        routing.AddDimensionWithVehicleCapacity(trips_cb, 0, trips, True, "trips")

        self._capacities()
        self._drops_before_depot()
        self._schedule()
        self._pairs()

    def _capacities(self) -> None:
        p = self.p
        types = [v.vehicle_type for v in p.vehicles]
        measures: list[tuple[str, int, Callable[[Stop], float], Sequence[float | None]]] = [
            ("kg", KG_SCALE, lambda s: s.weight_kg, [t.capacity_kg for t in types]),
            ("m3", M3_SCALE, lambda s: s.volume_m3, [t.capacity_m3 for t in types]),
            ("parcels", 1, lambda s: s.parcels, [t.capacity_parcels for t in types]),
        ]
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
            if len(s.vehicles) < all_vehicles:
                routing.VehicleVar(self.index(i)).SetValues([-1, *s.vehicles])
        k = 0  # pickup-and-delivery pairs are numbered in the order they are added
        for pair in p.pairs:
            deliveries = [self.index(i) for i in pair.deliveries]
            drop_penalty = max(p.stops[i].penalty for i in pair.deliveries)
            drop = routing.AddDisjunction(deliveries, round(drop_penalty * COST_SCALE), 1)
            if not pair.pickups:  # preloaded delivery
                continue
            pickups = [self.index(i) for i in pair.pickups]
            pick_penalty = max(p.stops[i].penalty for i in pair.pickups)
            pick = routing.AddDisjunction(pickups, round(pick_penalty * COST_SCALE), 1)
            routing.AddPickupAndDeliverySets(pick, drop)
            if pair.max_transit_s is not None:
                fn = _constant(self.down(pair.max_transit_s))
                self._limits.append(fn)
                self.time.SetPickupToDeliveryLimitFunctionForPair(fn, k)
            k += 1

    def solve(
        self, strategy: int, time_limit_s: float, solution_limit: int | None
    ) -> pywrapcp.Assignment | None:
        return self.routing.SolveWithParameters(
            self._params(strategy, time_limit_s, solution_limit)
        )

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
        routes = [[self.index(i) for i in seq] for seq in initial]
        start = self.routing.ReadAssignmentFromRoutes(routes, True)
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
