"""A plain OR-Tools routing model of a lognet county: the baseline lognet's router must beat.

The model is what a competent planner wires up from the OR-Tools routing guides
(developers.google.com/optimization/routing: VRPTW, capacity, pickups and deliveries,
penalties and dropping visits, resource constraints), in the guides' idioms and with
nothing of lognet's adapter (:mod:`solvers.engines.ortools_routing`):

- one node per order, one per depot site, and for each pickup with a destination (the
  cold store the location plan chose for chilled produce, or a named site) a drop node
  there, tied to it by ``AddPickupAndDelivery`` plus the guides' two solver constraints
  (same vehicle, pickup first);
- Python transit callbacks (``RegisterTransitCallback``) over integer site matrices for
  the arc cost of each ``cost_per_km`` and for time: travel plus the service time of the
  node left, 0 between two order nodes at one site (a stop takes its ``service_min``
  once, however many orders it serves);
- ``AddDimension`` for time with each node's window (site hours, order ready/due, the
  day), a span upper bound of ``max_shift_min`` and a span cost of the driver's rate;
  ``SetFixedCostOfVehicle``; ``AddDisjunction`` with ``unserved_penalty`` on every order
  node (0 on drop nodes); ``VehicleVar(...).SetValues`` for who may serve an order;
- ``PATH_CHEAPEST_ARC`` then ``GUIDED_LOCAL_SEARCH``; the time limit bounds the whole call,
  building included, as it does for lognet's ``route``.

The data's rules are lognet's, read from its engine-neutral problem
(:func:`solvers.routing_problem.build_routing_problem`): which vehicles may serve an order
(carrier, refrigeration, hub assignment, the county warehouse default), where produce goes,
windows, and the orders no plan can serve (unserved with lognet's reasons). That is data;
the model is built from it without lognet's merged stops, LOAD/UNLOAD depot stops, trips
dimension or C++ matrices.

What the guides cannot express is kept feasible by being conservative. Their way to add a
rule, a constraint on ``routing.solver()``, is invisible to the library's first-solution
heuristics and filters: with any of the constraints named below, ``PATH_CHEAPEST_ARC``
found no first solution (only the all-unperformed one) in 30 s on
``make_demo_county(villages=120, townships=12)``, so those rules use native features:

Multi-trip
    The guides have one trip per vehicle. With ``multi_trip=True`` (the default) each
    vehicle becomes ``max_trips`` one-trip copies in disjoint, equal slots of its shift
    (``max_shift_min`` from the start of the day, at most the day, less the depot's
    ``service_min`` between slots for reloading), set as cumul ranges of each copy's start
    and end: trips never overlap and the shift holds. A vehicle with one trip may use the
    whole day. Each copy carries the fixed cost, so the model overcharges a second trip
    (the plan and the checker charge a vehicle once); "copy 2 only if copy 1" and a free
    split of the shift would need solver constraints. ``multi_trip=False``: one trip per
    vehicle, which drops far more orders on the demo counties.
Loads
    Per measure (kg, m3, parcels) one dimension counts everything a trip delivers or picks
    up from its start: deliveries plus pickups must fit together. Exact alternatives did
    worse: a free-start load dimension tied to a "delivered" dimension by a solver
    constraint finds no first solution; a dimension putting deliveries before pickups is
    exact but left more orders unserved.
Transit limits
    ``SetPickupToDeliveryLimitFunctionForPair`` on the time dimension (in the library's
    reference, not the guides; the guides' way, ``time(drop) - time(pickup) <= limit`` on
    the solver, finds no first solution). The time at a drop is when unloading starts,
    never before the arrival the checker measures. Produce with a transit limit that goes
    back to the depot has no drop node to bound: such orders are left out (unserved; the
    demo has none).
Independent parts
    Each part of :func:`solvers.routing_problem.split_components` (a hub's minivan and its
    villages, the county warehouse's fleet) is its own model, smallest first, with a share
    of the time left in proportion to its nodes, as lognet does. One model of a whole
    250-village county (about 760 order nodes) still left about 50 orders unperformed after
    120 s: with Python callbacks its local search is too slow to insert them.
Integers
    Seconds (travel and service rounded up, windows inward), cost in 1/10,000 of the
    currency, amounts rounded up, capacities down: rounding never breaks a rule.

:func:`solve_plain` turns the solution into a :class:`~logistics.plans.RoutePlan` with its
own schedule (visits start at the model's times, arrivals from the exact matrix) and loads,
for :func:`logistics.checker.check_plan`. OR-Tools routing has no seed; ``seed`` is only
recorded. ``benchmarks/county_routing.py`` runs the comparison.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import ortools
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from logistics.matrix import TravelMatrix
from logistics.plans import (
    LocationPlan,
    Route,
    RoutePlan,
    SolveStatus,
    StopKind,
    Unserved,
    UnservedReason,
    Visit,
)
from logistics.scenario import Order, Scenario
from solvers.routing import route_cost
from solvers.routing_problem import Role, RoutingProblem, build_routing_problem, split_components

__all__ = ["ENGINE", "solve_plain"]

#: The ``engine`` a plain plan records.
ENGINE = "plain-ortools"
COST_SCALE = 10_000
#: Scale of each capacity measure: weights have 0.1 kg, volumes 0.001 m3 in the demo.
MEASURES = (("kg", 10), ("m3", 1000), ("parcels", 1))
#: Larger than any day, and than any arc cost: arcs with no road.
NO_ROAD = 10**9
#: Seconds the solver gets at least, when building the models took the whole budget.
MIN_SOLVE_S = 0.1


@dataclass(frozen=True, slots=True)
class _Node:
    """An order's visit (DELIVERY or PICKUP) or the drop of its produce (DROP)."""

    site_id: str
    kind: StopKind
    order: Order
    ready_s: float
    due_s: float
    vehicles: tuple[int, ...]  # indices into RoutingProblem.vehicles
    max_transit_s: float | None = None  # PICKUP: limit to its DROP


def solve_plain(
    scenario: Scenario,
    matrix: TravelMatrix,
    location: LocationPlan,
    *,
    time_limit_s: float,
    seed: int = 0,
    multi_trip: bool = True,
) -> RoutePlan:
    """Route the county with the plain guide-style OR-Tools model of the module docstring.

    Parameters
    ----------
    scenario, matrix, location
        As for :func:`solvers.routing.route`.
    time_limit_s
        Wall-clock budget of the whole call, building the model included.
    seed
        Recorded in the plan only (OR-Tools routing has no seed).
    multi_trip
        Split each vehicle into ``max_trips`` one-trip copies (else one trip each).

    Returns
    -------
    RoutePlan
        Routes and unserved orders; ``engine`` is :data:`ENGINE`.

    Examples
    --------
    >>> from logistics.checker import check_plan
    >>> from logistics.demo import make_demo_county
    >>> from networks.matrix import travel_matrix
    >>> from solvers.location import open_everything
    >>> county = make_demo_county(villages=8, townships=2)
    >>> m, everything = travel_matrix(county), open_everything(county)
    >>> plan = solve_plain(county, m, everything, time_limit_s=1)
    >>> check_plan(county, m, plan, everything).ok
    True
    """
    t0 = time.perf_counter()
    problem = build_routing_problem(scenario, matrix, location)
    unserved = list(problem.unserved)
    parts = []
    for part in split_components(problem):
        nodes, left_out = _nodes(part)
        unserved += left_out
        if nodes:
            parts.append((part, nodes))
    # Smallest part first, each with a share of the time left in proportion to its size.
    parts.sort(key=lambda x: len(x[1]))
    size_left = sum(len(nodes) for _, nodes in parts)
    routes: list[Route] = []
    found = True
    for part, nodes in parts:
        left_s = time_limit_s - (time.perf_counter() - t0)
        share_s = max(left_s * len(nodes) / size_left, MIN_SOLVE_S)
        size_left -= len(nodes)
        model = _PlainModel(part, nodes, copies=multi_trip)
        routes += model.solve(max(share_s - model.build_s, MIN_SOLVE_S))
        found &= model.found
    served = {o for r in routes for o in r.order_ids}
    listed = {u.order_id for u in unserved}
    unserved += [
        Unserved(o.order_id, UnservedReason.FLEET_EXHAUSTED, "the plain model dropped it")
        for o in scenario.orders
        if o.order_id not in served and o.order_id not in listed
    ]
    routes.sort(key=lambda r: (r.vehicle_id, r.trip))
    cost = route_cost(scenario, tuple(routes), n_unserved=len(unserved))
    return RoutePlan(
        routes=tuple(routes),
        unserved=tuple(sorted(unserved, key=lambda u: u.order_id)),
        status=SolveStatus.FEASIBLE if found else SolveStatus.NOT_SOLVED,
        cost=cost,
        objective=cost.total + cost.unserved_penalty,
        runtime_s=time.perf_counter() - t0,
        engine=ENGINE,
        seed=seed,
        engine_versions={"ortools": ortools.__version__},
    )


def _nodes(problem: RoutingProblem) -> tuple[list[_Node], list[Unserved]]:
    """One node per order (and per drop of its produce), from lognet's stops and pairs;
    the orders the plain model leaves out, with why."""
    orders = {o.order_id: o for o in problem.scenario.orders}
    nodes: list[_Node] = []
    left_out: list[Unserved] = []
    for pair in problem.pairs:
        stops = [problem.stops[i] for i in (*pair.pickups, *pair.deliveries)]
        own = next(s for s in stops if s.role in (Role.DELIVERY, Role.PICKUP))
        drop = next((s for s in stops if s.role is Role.DROP), None)
        kind = StopKind.PICKUP if own.role is Role.PICKUP else StopKind.DELIVERY
        for order_id in own.order_ids:
            order = orders[order_id]
            limit = None if order.max_transit_min is None else order.max_transit_min * 60
            if kind is StopKind.PICKUP and drop is None and limit is not None:
                left_out.append(
                    Unserved(
                        order_id,
                        UnservedReason.FLEET_EXHAUSTED,
                        "left out: the plain model has no transit limit back to the depot",
                    )
                )
                continue
            nodes.append(
                _Node(own.site_id, kind, order, own.ready_s, own.due_s, own.vehicles, limit)
            )
            if drop is not None:
                nodes.append(
                    _Node(drop.site_id, StopKind.DROP, order, drop.ready_s, drop.due_s,
                          own.vehicles)
                )  # fmt: skip
    return nodes, left_out


def _amount(node: _Node, measure: str) -> float:
    o = node.order
    return {"kg": o.weight_kg, "m3": o.volume_m3, "parcels": float(o.parcels)}[measure]


def _constant(value: int) -> Callable[[int, int], int]:
    def limit(_pickup: int, _delivery: int) -> int:
        return value

    return limit


def _up(x: float) -> int:
    return NO_ROAD if not math.isfinite(x) else math.ceil(x - 1e-6)


class _PlainModel:
    """The routing model; routing vehicles are (vehicle, trip copy) pairs."""

    def __init__(self, problem: RoutingProblem, nodes: list[_Node], *, copies: bool) -> None:
        self.p = problem
        self.nodes = nodes
        self.found = False
        depots = sorted({v.depot for v in problem.vehicles})
        self.n_depots = len(depots)
        #: Site of every model node: depots first, then the order and drop nodes.
        self.sites = depots + [n.site_id for n in nodes]
        #: (physical vehicle, copy) of each routing vehicle; copies of one vehicle in order.
        self.copies = [
            (j, k)
            for j, v in enumerate(problem.vehicles)
            for k in range(v.vehicle_type.max_trips if copies else 1)
        ]
        self.copies_of: dict[int, list[int]] = {}
        for r, (j, _) in enumerate(self.copies):
            self.copies_of.setdefault(j, []).append(r)
        starts = [depots.index(problem.vehicles[j].depot) for j, _ in self.copies]
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.sites), len(self.copies), starts, starts
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._callbacks: list[Callable[..., int]] = []  # keep Python callbacks alive
        t0 = time.perf_counter()
        self._build()
        self.build_s = time.perf_counter() - t0

    def index(self, node: int) -> int:
        """Routing index of order/drop node ``node`` (0-based over ``self.nodes``)."""
        return int(self.manager.NodeToIndex(self.n_depots + node))

    def _register(self, table: list[list[int]], extra: list[int] | None = None) -> int:
        """A transit callback over a site table, plus ``extra[from node]`` when leaving a
        site; zero between two order nodes at one site."""
        manager, site_of, n_depots = self.manager, self._site_index, self.n_depots

        def transit(from_index: int, to_index: int) -> int:
            i, j = manager.IndexToNode(from_index), manager.IndexToNode(to_index)
            a, b = site_of[i], site_of[j]
            if a == b and i >= n_depots and j >= n_depots:
                return 0
            return table[a][b] + (extra[i] if extra is not None else 0)

        self._callbacks.append(transit)
        return int(self.routing.RegisterTransitCallback(transit))

    def _build(self) -> None:
        p, routing, m = self.p, self.routing, self.p.matrix
        site_ids = sorted(set(self.sites))
        self._site_index = [site_ids.index(s) for s in self.sites]
        idx = [m.index(s) for s in site_ids]
        duration = m.duration_s[idx][:, idx]
        distance = m.distance_m[idx][:, idx]
        seconds = [[_up(x) for x in row] for row in duration.tolist()]
        service = [0] * self.n_depots + [
            _up(p.scenario.site(n.site_id).service_min * 60) for n in self.nodes
        ]
        self.time_cb = self._register(seconds, service)
        horizon = math.floor(p.end_s + 1e-6)
        routing.AddDimension(self.time_cb, horizon, horizon, False, "time")
        self.time = routing.GetDimensionOrDie("time")

        costs: dict[float, int] = {}
        for r, (j, _) in enumerate(self.copies):
            vt = p.vehicles[j].vehicle_type
            if vt.cost_per_km not in costs:
                per_m = vt.cost_per_km / 1000 * COST_SCALE
                table = [
                    [NO_ROAD if not math.isfinite(d) else round(per_m * d) for d in row]
                    for row in distance.tolist()
                ]
                costs[vt.cost_per_km] = self._register(table)
            routing.SetArcCostEvaluatorOfVehicle(costs[vt.cost_per_km], r)
            routing.SetFixedCostOfVehicle(round(vt.fixed_cost * COST_SCALE), r)
        self._loads()
        self._times()
        self._orders()

    def _loads(self) -> None:
        """Per measure, everything a trip delivers or picks up counts from the start."""
        routing = self.routing
        types = [self.p.vehicles[j].vehicle_type for j, _ in self.copies]
        for measure, scale in MEASURES:
            demand = [0] * self.n_depots + [
                0 if n.kind is StopKind.DROP else math.ceil(_amount(n, measure) * scale - 1e-9)
                for n in self.nodes
            ]
            caps = []
            for vt in types:
                cap = {"kg": vt.capacity_kg, "m3": vt.capacity_m3, "parcels": vt.capacity_parcels}
                value = cap[measure]
                caps.append(NO_ROAD if value is None else math.floor(value * scale + 1e-9))
            cb = self._unary(demand)
            routing.AddDimensionWithVehicleCapacity(cb, 0, caps, True, f"load_{measure}")

    def _unary(self, values: list[int]) -> int:
        manager = self.manager

        def demand(from_index: int) -> int:
            return values[manager.IndexToNode(from_index)]

        self._callbacks.append(demand)
        return int(self.routing.RegisterUnaryTransitCallback(demand))

    def _times(self) -> None:
        """Day, shift, driver cost; the copies of a vehicle each in a slot of its shift."""
        p, routing = self.p, self.routing
        start, end = math.ceil(p.start_s - 1e-6), math.floor(p.end_s + 1e-6)
        rate = round(p.scenario.costs.driver_cost_per_hour / 3600 * COST_SCALE)
        for j, rs in self.copies_of.items():
            vt = p.vehicles[j].vehicle_type
            shift_s = end - start
            if vt.max_shift_min is not None:
                shift_s = min(math.floor(vt.max_shift_min * 60 + 1e-6), shift_s)
            # One trip: anywhere in the day, within the shift. Several: the shift from the
            # start of the day cut into equal slots with the depot's reload time between.
            reload_s = _up(p.scenario.site(vt.depot).service_min * 60)
            slot_s = (shift_s - (len(rs) - 1) * reload_s) // len(rs)
            for k, r in enumerate(rs):
                lo = start + k * (slot_s + reload_s)
                hi = end if len(rs) == 1 else lo + slot_s
                for index in (routing.Start(r), routing.End(r)):
                    self.time.CumulVar(index).SetRange(lo, hi)
                self.time.SetSpanUpperBoundForVehicle(min(shift_s, slot_s), r)
                self.time.SetSpanCostCoefficientForVehicle(rate, r)
                routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(routing.Start(r)))
                routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(routing.End(r)))

    def _orders(self) -> None:
        """Windows, penalties, allowed vehicles; drop nodes paired with their pickups."""
        p, routing, solver = self.p, self.routing, self.routing.solver()
        penalty = round(p.scenario.costs.unserved_penalty * COST_SCALE)
        pairs = 0
        for i, n in enumerate(self.nodes):
            index = self.index(i)
            lo = math.ceil(n.ready_s - 1e-6)
            self.time.CumulVar(index).SetRange(lo, max(math.floor(n.due_s + 1e-6), lo))
            routing.AddDisjunction([index], 0 if n.kind is StopKind.DROP else penalty)
            allowed = [r for j in n.vehicles for r in self.copies_of[j]]
            routing.VehicleVar(index).SetValues([-1, *allowed])
            if n.kind is not StopKind.DROP:
                continue
            pickup = self.index(i - 1)  # a drop node follows its pickup
            routing.AddPickupAndDelivery(pickup, index)
            solver.Add(routing.VehicleVar(pickup) == routing.VehicleVar(index))
            solver.Add(self.time.CumulVar(pickup) <= self.time.CumulVar(index))
            limit = self.nodes[i - 1].max_transit_s
            if limit is not None:
                fn = _constant(math.floor(limit + 1e-6))
                self._callbacks.append(fn)
                self.time.SetPickupToDeliveryLimitFunctionForPair(fn, pairs)
            pairs += 1

    def solve(self, time_limit_s: float) -> list[Route]:
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        params.time_limit.FromMilliseconds(max(round(time_limit_s * 1000), 10))
        solution = self.routing.SolveWithParameters(params)
        if solution is None:
            return []
        self.found = True
        return self._routes(solution)

    def _routes(self, solution: pywrapcp.Assignment) -> list[Route]:
        routing, routes = self.routing, []
        for j, rs in self.copies_of.items():
            trip = 0
            for r in rs:
                index = routing.Start(r)
                leave_s = float(solution.Min(self.time.CumulVar(index)))
                steps: list[tuple[_Node, float]] = []
                index = solution.Value(routing.NextVar(index))
                while not routing.IsEnd(index):
                    node = self.nodes[self.manager.IndexToNode(index) - self.n_depots]
                    steps.append((node, float(solution.Min(self.time.CumulVar(index)))))
                    index = solution.Value(routing.NextVar(index))
                if steps:
                    trip += 1
                    routes.append(self._route(j, trip, leave_s, steps))
        return routes

    def _route(self, j: int, trip: int, leave_s: float, steps: list[tuple[_Node, float]]) -> Route:
        """One trip with its schedule: each visit starts at the model's time (never before
        the exact arrival), the site's service is spent once when leaving it."""
        p = self.p
        vehicle = p.vehicles[j]
        depot = vehicle.depot
        load = [0.0, 0.0, 0.0]
        for node, _ in steps:
            if node.kind is StopKind.DELIVERY:
                load = [x + _amount(node, m) for x, (m, _) in zip(load, MEASURES, strict=True)]
        visits = [Visit(depot, StopKind.START, None, leave_s, leave_s, leave_s, *_load(load))]
        here, departure, distance_m = depot, leave_s, 0.0
        for i, (node, t) in enumerate(steps):
            arrival = departure
            if node.site_id != here:
                arrival += p.duration(here, node.site_id)
                distance_m += p.distance(here, node.site_id)
            start = max(arrival, t)
            leaving = i + 1 == len(steps) or steps[i + 1][0].site_id != node.site_id
            service_s = p.scenario.site(node.site_id).service_min * 60
            departure = start + (service_s if leaving else 0.0)
            sign = 1 if node.kind is StopKind.PICKUP else -1
            load = [x + sign * _amount(node, m) for x, (m, _) in zip(load, MEASURES, strict=True)]
            visits.append(
                Visit(node.site_id, node.kind, node.order.order_id, arrival, start, departure,
                      *_load(load))
            )  # fmt: skip
            here = node.site_id
        arrival = departure
        if here != depot:
            arrival += p.duration(here, depot)
            distance_m += p.distance(here, depot)
        visits.append(Visit(depot, StopKind.END, None, arrival, arrival, arrival, 0.0, 0.0, 0))
        vt = vehicle.vehicle_type.vehicle_type
        return Route(vehicle.vehicle_id, vt, trip, tuple(visits), distance_m)


def _load(load: list[float]) -> tuple[float, float, int]:
    return load[0], load[1], round(load[2])
