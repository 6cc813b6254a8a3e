"""Vehicle routing: deliveries out, produce back, cold chain, multi-trip, optional orders.

:func:`route` builds the engine-neutral :class:`~solvers.routing_problem.RoutingProblem`,
lets an engine order the stops, and turns the engine's sequences into a
:class:`~logistics.plans.RoutePlan` with an exact schedule in seconds: each stop starts at
the engine's (integer, never optimistic) start time, arrivals use the exact matrix, and
loads are recomputed in floats. A call at the vehicle's depot to load parcels or unload
produce ends one trip and starts the next; each trip loads exactly the parcels it delivers
and unloads its produce at its END, which never carries more than the engine did. Costs
follow DESIGN.md §3.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

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
from logistics.scenario import Order, Scenario
from solvers.routing_problem import (
    EngineRoutes,
    Role,
    RoutingProblem,
    build_routing_problem,
    preload,
    split_components,
)
from solvers.side_by_side import available_workers, run_side_by_side
from solvers.warm_start import warm_sequences

__all__ = ["ROUTING_ENGINES", "RouteParams", "route"]

#: ``"pyvrp"``: PyVRP for every independent part it represents exactly, OR-Tools for the
#: others; ``"auto"``: the same, but OR-Tools also for pickups dropped away from the depot
#: (see :func:`_pyvrp_is_stronger`); ``"ortools"``: OR-Tools throughout.
ROUTING_ENGINES = ("auto", "ortools", "pyvrp")
#: Least time (s) an independent part of a routing problem gets, when time is left.
MIN_PART_S = 0.05
#: Runs per part in a deterministic run (see :class:`RouteParams`).
DETERMINISTIC_RUNS = 2
#: Rounds of the PyVRP runs of one part without time windows when several run side by
#: side: the runs of a round start from the best plan of the rounds before (a parallel
#: iterated local search that shares its best plan, and restarts its penalties and
#: acceptance history). Over X n101–n303 at 10 s, three rounds gave a mean gap of 0.55 %
#: and 0.62 % on two seeds, against 0.60 % and 0.85 % for one; with time windows, where
#: a restart's time-warp penalty needs much of a round to settle again, they cost
#: (Solomon: 0.24 % against 0.16 %), so parts with windows keep one round.
ROUNDS = 3
#: Distance between the seeds of the PyVRP runs of one part, so that the runs of
#: neighbouring seeds do not overlap.
SEED_STRIDE = 1_000_003


@dataclass(frozen=True, slots=True)
class RouteParams:
    """Solve settings of :func:`route`.

    ``engine`` is one of :data:`ROUTING_ENGINES`. ``solution_limit`` (OR-Tools: improving
    solutions) and ``max_iterations`` (PyVRP: search iterations) make a run deterministic:
    the engine stops after that much work instead of at the clock (``time_limit_s`` still
    caps it).

    Each independent part is solved by several runs side by side, one per worker
    (``workers``; default: every core this process may use), and the cheapest plan wins:
    PyVRP with different seeds (on parts without time windows in :data:`ROUNDS` rounds,
    each run starting from the best plan of the rounds before), or OR-Tools from different
    first solutions. A
    deterministic run always makes :data:`DETERMINISTIC_RUNS` runs, whatever the number
    of workers, so that it gives the same plan on any machine; with fewer workers they
    take turns and share the time.
    """

    time_limit_s: float
    seed: int = 0
    engine: str = "auto"
    solution_limit: int | None = None
    max_iterations: int | None = None
    workers: int | None = None


def route(
    scenario: Scenario,
    matrix: TravelMatrix,
    location: LocationPlan,
    params: RouteParams,
    *,
    warm_start: RoutePlan | None = None,
) -> RoutePlan:
    """Plan the day's vehicle routes for the facilities ``location`` opens.

    ``warm_start``, a previous plan (yesterday's, or a quick first pass), is replayed by
    vehicle and order ids as the starting solution where it still fits.
    """
    if params.engine not in ROUTING_ENGINES:
        raise ValueError(f"unknown routing engine {params.engine!r}; choose {ROUTING_ENGINES}")
    t0 = time.perf_counter()
    problem = build_routing_problem(scenario, matrix, location)

    # Independent parts are solved one by one, smallest first, each with a share of the
    # time left in proportion to its size.
    parts = sorted(
        (preload(part) for part in split_components(problem)), key=lambda part: len(part.stops)
    )
    size_left = sum(len(part.stops) for part in parts)
    routes_list: list[Route] = []
    found = True
    versions: dict[str, str] = {}
    for part in parts:
        left = max(params.time_limit_s - (time.perf_counter() - t0), 0.0)
        share = min(max(left * len(part.stops) / max(size_left, 1), MIN_PART_S), left)
        size_left -= len(part.stops)
        initial = warm_sequences(part, warm_start) if warm_start is not None else None
        result = _solve_part(part, share, params, initial)
        name, _, number = result.version.partition(" ")
        versions[name] = number
        found &= result.found
        routes_list.extend(
            trip
            for vehicle, (seq, times) in enumerate(zip(result.sequences, result.times, strict=True))
            for trip in _trips(part, vehicle, seq, times)
        )
    routes = tuple(sorted(routes_list, key=lambda r: (r.vehicle_id, r.trip)))
    served = {o for r in routes for o in r.order_ids}
    unserved = list(problem.unserved)
    listed = {u.order_id for u in unserved}
    for o in scenario.orders:
        if o.order_id not in served and o.order_id not in listed:
            unserved.append(
                Unserved(
                    o.order_id,
                    UnservedReason.FLEET_EXHAUSTED,
                    "the router found no vehicle with capacity and time to spare for it",
                )
            )
    cost = route_cost(scenario, routes, n_unserved=len(unserved))
    return RoutePlan(
        routes=routes,
        unserved=tuple(sorted(unserved, key=lambda u: u.order_id)),
        status=SolveStatus.FEASIBLE if found else SolveStatus.NOT_SOLVED,
        cost=cost,
        objective=cost.total + cost.unserved_penalty,
        runtime_s=time.perf_counter() - t0,
        engine=params.engine,
        seed=params.seed,
        engine_versions=versions,
    )


def _solve_part(
    part: RoutingProblem,
    share_s: float,
    params: RouteParams,
    initial: Sequence[Sequence[int]] | None,
) -> EngineRoutes:
    """The best of the runs ``params`` choose for ``part``, side by side: PyVRP with
    different seeds where it is the engine, OR-Tools with different first solutions
    otherwise, and OR-Tools with the rest of the share when PyVRP found nothing."""
    t0 = time.perf_counter()
    workers = params.workers or available_workers()
    deterministic = params.solution_limit is not None or params.max_iterations is not None
    runs = DETERMINISTIC_RUNS if deterministic else max(workers, 1)
    waves = _waves(runs, workers)
    if params.engine != "ortools":
        from solvers.engines.pyvrp_routing import pyvrp_supports

        if pyvrp_supports(part) and (params.engine == "pyvrp" or _pyvrp_is_stronger(part)):
            found = _pyvrp_rounds(part, share_s, params, initial, runs=runs, workers=workers)
            if found.found:
                return found
    from solvers.engines.ortools_routing import FIRST_SOLUTIONS, solve_with_ortools

    rest = max(share_s - (time.perf_counter() - t0), MIN_PART_S)
    return _best(
        part,
        [
            partial(
                solve_with_ortools,
                part,
                time_limit_s=rest / waves,
                solution_limit=params.solution_limit,
                initial=initial if k == 0 else None,
                first_solution=FIRST_SOLUTIONS[k % len(FIRST_SOLUTIONS)],
            )
            for k in range(runs)
        ],
        workers=workers,
        timeout_s=rest,
    )


def _pyvrp_rounds(
    part: RoutingProblem,
    share_s: float,
    params: RouteParams,
    initial: Sequence[Sequence[int]] | None,
    *,
    runs: int,
    workers: int,
) -> EngineRoutes:
    """``runs`` PyVRP runs side by side, each with its own seed, in :data:`ROUNDS` rounds
    of equal time (or iterations) when there are several: every run of a round starts from
    the best plan so far. The first run of the first round starts from ``initial``."""
    from solvers.engines.pyvrp_routing import solve_with_pyvrp

    t0 = time.perf_counter()
    waves = _waves(runs, workers)
    rounds = ROUNDS if runs > 1 and not _has_time_windows(part) else 1
    its = params.max_iterations
    best: EngineRoutes | None = None
    best_cost = math.inf
    for r in range(rounds):
        round_s = max(share_s - (time.perf_counter() - t0), 0.0) / (rounds - r)
        found = _best(
            part,
            [
                partial(
                    solve_with_pyvrp,
                    part,
                    time_limit_s=round_s / waves,
                    seed=params.seed + SEED_STRIDE * (r * runs + k),
                    max_iterations=None if its is None else -(-its // rounds),
                    initial=best.sequences if best is not None else initial if k == 0 else None,
                )
                for k in range(runs)
            ],
            workers=workers,
            timeout_s=round_s,
        )
        cost = _part_cost(part, found)
        if best is None or cost < best_cost:
            best, best_cost = found, cost
        if not best.found:
            break
    assert best is not None
    return best


def _has_time_windows(part: RoutingProblem) -> bool:
    """Whether a stop of ``part`` must be served within less than the working day."""
    return any(s.ready_s > part.start_s or s.due_s < part.end_s for s in part.stops)


def _waves(runs: int, workers: int) -> int:
    """Turns the runs take, sharing the time, when fewer run at once than there are."""
    return -(-runs // max(1, min(workers, available_workers())))


def _best(
    part: RoutingProblem,
    tasks: list[Callable[[], EngineRoutes]],
    *,
    workers: int,
    timeout_s: float,
) -> EngineRoutes:
    """The cheapest answer of ``tasks`` (the first of equals), by lognet's own costs."""
    answers = [r for r in run_side_by_side(tasks, workers=workers, timeout_s=timeout_s) if r]
    return min(answers, key=lambda r: _part_cost(part, r))


def _part_cost(part: RoutingProblem, result: EngineRoutes) -> float:
    """Cost and unserved penalties of an engine's answer for ``part``."""
    if not result.found:
        return math.inf
    trips = tuple(
        trip
        for vehicle, (seq, times) in enumerate(zip(result.sequences, result.times, strict=True))
        for trip in _trips(part, vehicle, seq, times)
    )
    served = {o for r in trips for o in r.order_ids}
    orders = {o for s in part.stops for o in s.order_ids}
    cost = route_cost(part.scenario, trips, n_unserved=len(orders - served))
    return cost.total + cost.unserved_penalty


def _pyvrp_is_stronger(part: RoutingProblem) -> bool:
    """Whether ``engine="auto"`` gives PyVRP a part it supports: unless the part has DROP
    stops. PyVRP 0.14 searches pickup-and-drop pairs (its shipments) far more slowly and
    less well than OR-Tools (Li & Lim lc101, lr101, lrc101, lc201 at 5 s: 18 % above the
    best known against OR-Tools' 8 %), while on deliveries and produce back to the depot
    it is the stronger (CVRP X: 0.3 % against 9 %)."""
    return not any(s.role is Role.DROP for s in part.stops)


def route_cost(scenario: Scenario, routes: tuple[Route, ...], *, n_unserved: int) -> CostBreakdown:
    """Vehicle, distance, driver and unserved-penalty cost of ``routes``."""
    types = {v.vehicle_type: v for v in scenario.fleet}
    used = {r.vehicle_id: r.vehicle_type for r in routes}
    vehicles = sum(types[vehicle_type].fixed_cost for vehicle_type in used.values())
    distance = sum(r.distance_m / 1000 * types[r.vehicle_type].cost_per_km for r in routes)
    driver = sum(r.duration_s / 3600 for r in routes) * scenario.costs.driver_cost_per_hour
    return CostBreakdown(
        facilities=0.0,
        vehicles=vehicles,
        distance=distance,
        driver=driver,
        unserved_penalty=n_unserved * scenario.costs.unserved_penalty,
    )


_KIND = {Role.DELIVERY: StopKind.DELIVERY, Role.PICKUP: StopKind.PICKUP, Role.DROP: StopKind.DROP}


def _trips(
    problem: RoutingProblem, vehicle: int, seq: tuple[int, ...], times: tuple[float, ...]
) -> list[Route]:
    """Split one vehicle's engine sequence into trips at its calls at the depot."""
    depot = problem.vehicles[vehicle].depot
    depot_service = problem.scenario.site(depot).service_min * 60
    trips: list[Route] = []
    # Runs at the depot: (engine time of the first call, departure after the last call).
    run_start, run_end = times[0], times[0]
    steps: list[tuple[int, float]] = []
    for stop_index, t in zip(seq, times[1:-1], strict=True):
        if problem.stops[stop_index].role.at_depot:
            if steps:
                trips.append(_schedule(problem, vehicle, len(trips) + 1, run_start, run_end, steps))
                steps = []
                run_start = t
            run_end = t + depot_service
        else:
            steps.append((stop_index, t))
    if steps:
        trips.append(_schedule(problem, vehicle, len(trips) + 1, run_start, run_end, steps))
    return trips


def _schedule(
    problem: RoutingProblem,
    vehicle_index: int,
    trip: int,
    ready_s: float,
    leave_s: float,
    stops: list[tuple[int, float]],
) -> Route:
    vehicle = problem.vehicles[vehicle_index]
    scenario = problem.scenario
    orders = {o.order_id: o for o in scenario.orders}
    # (site, kind, order, engine start time) for every visit between START and END.
    steps: list[tuple[str, StopKind, Order, float]] = []
    for stop_index, t in stops:
        stop = problem.stops[stop_index]
        kind = _KIND[stop.role]
        steps.extend((stop.site_id, kind, orders[o], t) for o in stop.order_ids)
    deliveries = [o for _, kind, o, _ in steps if kind is StopKind.DELIVERY]
    kg = sum(o.weight_kg for o in deliveries)
    m3 = sum(o.volume_m3 for o in deliveries)
    parcels = sum(o.parcels for o in deliveries)
    depot = vehicle.depot
    visits = [Visit(depot, StopKind.START, None, ready_s, ready_s, leave_s, kg, m3, parcels)]
    site_prev, departure, distance = depot, leave_s, 0.0
    for i, (site, kind, order, t) in enumerate(steps):
        if site != site_prev:
            arrival = departure + problem.duration(site_prev, site)
            distance += problem.distance(site_prev, site)
        else:
            arrival = departure
        start = max(arrival, t)
        leaving = i + 1 == len(steps) or steps[i + 1][0] != site
        departure = start + (scenario.site(site).service_min * 60 if leaving else 0.0)
        sign = 1 if kind is StopKind.PICKUP else -1
        kg += sign * order.weight_kg
        m3 += sign * order.volume_m3
        parcels += sign * order.parcels
        visits.append(Visit(site, kind, order.order_id, arrival, start, departure, kg, m3, parcels))
        site_prev = site
    if site_prev != depot:
        arrival = departure + problem.duration(site_prev, depot)
        distance += problem.distance(site_prev, depot)
    else:
        arrival = departure
    visits.append(Visit(depot, StopKind.END, None, arrival, arrival, arrival, 0.0, 0.0, 0))
    vt = vehicle.vehicle_type
    return Route(vehicle.vehicle_id, vt.vehicle_type, trip, tuple(visits), distance)
