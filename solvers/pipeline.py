"""``plan_county()``: the main job behind ``lognet plan``, and the unservable-order check
behind ``lognet validate``.

Scenario → travel matrix → location (which hubs and cold stores open, who serves whom) →
routing (deliveries out, produce back) → route geometry → the independent checker. The
scenario's ``[solver] time_limit_s`` bounds the whole run.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import replace

from logistics.checker import check_plan
from logistics.county import CountyPlan
from logistics.matrix import TravelMatrix
from logistics.plans import Route, RoutePlan, Unserved
from logistics.scenario import Scenario, SiteKind
from networks.matrix import RoadNetwork, build_network
from solvers.location import LocateParams, is_cold_flow, locate, open_everything
from solvers.routing import RouteParams, route
from solvers.routing_problem import build_routing_problem

__all__ = ["find_unservable", "plan_county"]

#: Share of the time left after the matrix that the location model may use.
LOCATION_SHARE = 0.2
#: Seconds kept back for geometry, checking and writing.
RESERVE_S = 1.5

Progress = Callable[[str], None]


def plan_county(
    scenario: Scenario,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    on_progress: Progress | None = None,
) -> CountyPlan:
    """Plan a county end to end; the result has passed (or lists) the checker's findings.

    ``time_limit_s`` and ``seed`` default to the scenario's ``[solver]`` settings.

    Examples
    --------
    >>> from logistics.demo import make_demo_county
    >>> plan = plan_county(make_demo_county(villages=12, townships=3), time_limit_s=5)
    >>> plan.check.ok
    True
    """
    t0 = time.perf_counter()
    limit = scenario.solver.time_limit_s if time_limit_s is None else time_limit_s
    seed = scenario.solver.seed if seed is None else seed
    say = on_progress or (lambda _: None)

    def left() -> float:
        return limit - (time.perf_counter() - t0)

    say("building the travel matrix")
    network = build_network(scenario)
    matrix = network.matrix
    say("choosing facilities")
    location = locate(
        scenario,
        matrix,
        LocateParams(time_limit_s=max(left() * LOCATION_SHARE, 0.5), seed=seed),
    )
    say("routing vehicles")
    routes = route(
        scenario,
        matrix,
        location,
        RouteParams(time_limit_s=max(left() - RESERVE_S, 0.5), seed=seed),
    )
    routes = _with_geometry(routes, network)
    say("checking the plan")
    report = check_plan(scenario, matrix, routes, location)
    return CountyPlan(scenario, location, routes, report, time.perf_counter() - t0, seed)


def _with_geometry(routes: RoutePlan, network: RoadNetwork) -> RoutePlan:
    def geometry(r: Route) -> tuple[tuple[float, float], ...]:
        points: list[tuple[float, float]] = []
        sites = [v.site_id for v in r.visits]
        for a, b in itertools.pairwise(sites):
            if a == b:
                continue
            leg = network.path(a, b)
            points.extend(leg[1:] if points and points[-1] == leg[0] else leg)
        return tuple(points)

    return replace(routes, routes=tuple(replace(r, geometry=geometry(r)) for r in routes.routes))


def find_unservable(scenario: Scenario, matrix: TravelMatrix | None = None) -> tuple[Unserved, ...]:
    """Orders that no plan can serve, whatever opens, each with its reason.

    Every facility is taken as open, no hub assignment restricts the fleet, and cold
    produce may go to any cold store within its transit limit.
    """
    if matrix is None:
        matrix = build_network(scenario).matrix
    cold_stores = [s.site_id for s in scenario.sites if s.kind is SiteKind.COLD_STORE]
    cold: dict[str, str] = {}
    for o in scenario.orders:
        if not is_cold_flow(o) or o.site_id in cold:
            continue
        i = matrix.index(o.site_id)
        # The transit limit runs from the start of loading at the village.
        limit = (o.max_transit_min or math.inf) * 60 - scenario.site(o.site_id).service_min * 60
        times = [(float(matrix.duration_s[i, matrix.index(c)]), c) for c in cold_stores]
        within = [(t, c) for t, c in times if math.isfinite(t) and t <= limit]
        if within:
            cold[o.site_id] = min(within)[1]
    return build_routing_problem(
        scenario, matrix, open_everything(scenario, cold_assignment=cold)
    ).unserved
