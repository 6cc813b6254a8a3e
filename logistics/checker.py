"""The independent plan checker: recompute a plan's cost and list every rule it breaks.

:func:`check_plan` trusts nothing a plan says about itself. It rebuilds loads, travel
times, distances and costs from the scenario, the travel matrix and the plan's visits, and
compares each number the plan reports with the recomputation. It shares no code with the
solvers, so a solver bug and a checker bug have to coincide to go unnoticed.

Rule ids (``Violation.rule``), in the order they are checked:

``accounting``
    Every order is served by exactly one DELIVERY or PICKUP visit of the right kind at its
    site, or listed unserved once; never both, never neither; no unknown orders.
``vehicle``, ``unknown-site``
    ``vehicle_id`` is ``"<type>#<k>"`` with ``1 ≤ k ≤ count`` and matches
    ``vehicle_type``; each route runs START → … → END at the type's depot; only START and
    END lack an order id; every site is in the scenario and the matrix.
``facility-open``
    Vehicles, drops and assignments use open facilities only. Existing facilities are
    always open; a candidate is open only if the location plan names it.
``trips``, ``shift``
    A vehicle's trips are numbered 1..n, n ≤ ``max_trips``, and do not overlap; its first
    departure to its last return is within ``max_shift_min``.
``time-window``, ``schedule``, ``no-road``, ``service``
    Trips stay within the planning day; every visit starts within its site's hours and a
    served order within its ready/due times; arrival ≥ previous departure + travel time,
    start ≥ arrival, departure ≥ start; a road exists; a stop (consecutive order visits at
    one site) lasts at least the site's ``service_min``.
``capacity``, ``load``
    The load after each visit (START loads the trip's deliveries, DELIVERY and DROP
    unload, PICKUP loads, END empties) stays within 0 and capacity in kg, m3 and parcels,
    and equals the load the plan reports.
``compatibility``, ``cold-chain``
    A vehicle carries only its carrier's orders (or any, if ``shared``); chilled and frozen
    orders only on refrigerated vehicles.
``destination``, ``transit-limit``
    A pickup with a ``destination`` is dropped there; a chilled or frozen one without it at
    an open cold store (the assigned one, if any); an ambient one without it is not dropped
    but unloaded at END. DROPs follow their pickup in the same route, once. Loading to
    unloading stays within ``max_transit_min``: from the start of the PICKUP visit (loading
    begins) to the arrival at the DROP, or at END for produce unloaded at the depot.
``facility-capacity``
    Per facility: chilled and frozen kg dropped ≤ ``cold_capacity_kg``; kg served by its
    vehicles plus kg dropped there by others ≤ ``capacity_kg``.
``hub-assignment``
    With a location plan, an order at a village assigned to hub h is served by a vehicle
    based at h whenever a vehicle type based at h can carry it and fits it.
``cost``
    The reported cost parts and every route's ``distance_m`` match the recomputation
    within 1e-6 relative + 1e-6 absolute.
``finite``
    Every time, load and distance is finite.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from logistics._check_route import (
    check_compatibility,
    check_facility_capacity,
    check_finite,
    check_hub_assignment,
    check_loads,
    check_produce,
    check_schedule,
)
from logistics._check_rules import (
    Context,
    Violation,
    check_accounting,
    check_facilities,
    check_trips,
    check_vehicles,
    name,
    violation,
)
from logistics.matrix import TravelMatrix
from logistics.plans import CostBreakdown, LocationPlan, Route, RoutePlan
from logistics.scenario import Scenario

__all__ = ["CheckReport", "Violation", "check_plan"]

_RULES: tuple[Callable[[Context], Iterator[Violation]], ...] = (
    check_accounting,
    check_vehicles,
    check_facilities,
    check_trips,
    check_schedule,
    check_loads,
    check_compatibility,
    check_produce,
    check_facility_capacity,
    check_hub_assignment,
)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What :func:`check_plan` found: every violation and the recomputed cost."""

    violations: tuple[Violation, ...]
    cost: CostBreakdown

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> dict[str, Any]:
        """``ok``, the number of violations, their counts by rule, and the cost."""
        by_rule = Counter(v.rule for v in self.violations)
        return {
            "ok": self.ok,
            "violations": len(self.violations),
            "by_rule": dict(sorted(by_rule.items())),
            "cost": self.cost.to_dict(),
        }


def check_plan(
    scenario: Scenario,
    matrix: TravelMatrix,
    routes: RoutePlan,
    location: LocationPlan | None = None,
    *,
    tolerance_s: float = 1.0,
) -> CheckReport:
    """Check a plan against every rule of the data contract and recompute its cost.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    matrix
        Travel distances and times between the scenario's sites.
    routes
        The routes and unserved orders to check.
    location
        Which facilities open and who serves whom; ``None`` means every existing facility
        is open, no candidate is, and there are no assignments.
    tolerance_s
        Slack in seconds for every comparison of times.

    Returns
    -------
    CheckReport
        Every violation found (the module docstring lists the rule ids) and the cost
        recomputed from scratch.

    Examples
    --------
    >>> from logistics.plans import CostBreakdown, RoutePlan, SolveStatus
    >>> from logistics.scenario import Scenario, Site, SiteKind
    >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4)
    >>> scenario = Scenario(name="tiny", sites=(wh,), orders=(), fleet=())
    >>> matrix = TravelMatrix(("W",), [[0]], [[0]])
    >>> plan = RoutePlan((), (), SolveStatus.OPTIMAL, CostBreakdown(), 0.0, 0.1, "none")
    >>> check_plan(scenario, matrix, plan).ok
    True
    >>> bad = RoutePlan((), (), SolveStatus.OPTIMAL, CostBreakdown(vehicles=9.0), 0.0, 0.1, "none")
    >>> [v.rule for v in check_plan(scenario, matrix, bad).violations]
    ['cost']
    """
    ctx = Context.build(scenario, matrix, routes, location, tolerance_s)
    found: list[Violation] = []
    for rule in _RULES:
        found.extend(rule(ctx))
    cost = _recompute_cost(ctx)
    found.extend(_check_cost(ctx, cost))
    found.extend(check_finite(ctx))
    return CheckReport(tuple(found), cost)


def _recompute_cost(ctx: Context) -> CostBreakdown:
    """A plan's cost from its visits (DESIGN.md §3), ignoring what the plan reports.

    Facilities: fixed cost of the open candidates; vehicles: fixed cost of each distinct
    vehicle used; distance: km along the visits × ``cost_per_km``; driver: hours from START
    departure to END arrival × ``driver_cost_per_hour``; unserved: penalty per order listed.
    Legs with an unknown site or no road add nothing (they are violations of their own,
    and the distance cost is then not compared).
    """
    scenario, routes = ctx.scenario, ctx.routes
    facilities = 0.0
    if ctx.location is not None:
        facilities = sum(
            s.fixed_cost
            for s in scenario.sites
            if s.is_candidate and s.site_id in ctx.open_facilities
        )
    vehicle_fixed: dict[str, float] = {}
    distance = driver = 0.0
    for route in routes.routes:
        vt = ctx.vehicle_type(route)
        if vt is not None:
            vehicle_fixed[route.vehicle_id] = vt.fixed_cost
            distance += _route_distance_m(ctx, route)[0] / 1000 * vt.cost_per_km
        if route.visits:
            driver += route.duration_s / 3600 * scenario.costs.driver_cost_per_hour
    unserved = {u.order_id for u in routes.unserved} & set(ctx.orders)
    return CostBreakdown(
        facilities=facilities,
        vehicles=sum(vehicle_fixed.values()),
        distance=distance,
        driver=driver,
        unserved_penalty=len(unserved) * scenario.costs.unserved_penalty,
    )


def _route_distance_m(ctx: Context, route: Route) -> tuple[float, bool]:
    """Metres along the visits, and whether every leg was known and had a road."""
    total, complete = 0.0, True
    for a, b in zip(route.visits, route.visits[1:], strict=False):
        leg = ctx.leg(a.site_id, b.site_id)
        if leg is None or not math.isfinite(leg[0]):
            complete = False
        else:
            total += leg[0]
    return total, complete


def _differs(reported: float, recomputed: float) -> bool:
    return not abs(reported - recomputed) <= 1e-6 * abs(recomputed) + 1e-6


def _check_cost(ctx: Context, cost: CostBreakdown) -> Iterator[Violation]:
    reported = ctx.routes.cost
    # A leg without a road or with an unknown site is already a violation; its route's
    # distance cannot be recomputed, so neither can the plan's distance cost.
    complete = all(_route_distance_m(ctx, r)[1] for r in ctx.routes.routes)
    parts = ("vehicles", "distance", "driver", "unserved_penalty")
    for part in parts if complete else tuple(p for p in parts if p != "distance"):
        mine, theirs = getattr(cost, part), getattr(reported, part)
        if _differs(theirs, mine):
            yield violation(
                "cost", f"The plan reports {part} cost {theirs:g}; recomputed {mine:g}."
            )
    if ctx.location is not None and _differs(ctx.location.fixed_cost, cost.facilities):
        yield violation(
            "cost",
            f"The location plan reports fixed cost {ctx.location.fixed_cost:g}; "
            f"recomputed {cost.facilities:g}.",
        )
    for route in ctx.routes.routes:
        distance_m, complete = _route_distance_m(ctx, route)
        if complete and _differs(route.distance_m, distance_m):
            yield violation(
                "cost",
                f"{name(route)} reports {route.distance_m:g} m; its visits cover {distance_m:g} m.",
                route,
            )
