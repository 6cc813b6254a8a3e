"""The plain OR-Tools baseline of ``benchmarks/county_routing.py`` makes checkable plans.

The comparison with lognet's router means something only if the baseline's plans are
feasible under lognet's rules, so each plan here goes through the independent checker.
The county is the demo generator's smallest useful one (12 villages, 3 townships: one hub
opens, one village has no road), solved for 2 s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from benchmarks.plain_ortools import ENGINE, solve_plain
from logistics.checker import check_plan
from logistics.demo import make_demo_county
from logistics.matrix import TravelMatrix
from logistics.plans import StopKind, UnservedReason
from logistics.scenario import Scenario, SiteKind
from networks.matrix import build_network
from solvers.location import LocateParams, is_cold_flow, locate, open_everything


@pytest.fixture(scope="module")
def tiny_county() -> tuple[Scenario, TravelMatrix]:
    """12 villages, 3 townships; 41 orders: 39 deliveries, an ambient and a chilled pickup."""
    scenario = make_demo_county(villages=12, townships=3)
    return scenario, build_network(scenario).matrix


@pytest.mark.parametrize("multi_trip", [True, False])
def test_plain_plan_passes_the_checker(
    tiny_county: tuple[Scenario, TravelMatrix], multi_trip: bool
) -> None:
    """With the location model's plan (a hub opens and serves the villages with its
    minivan), the plain plan is feasible and leaves unserved only what no plan can serve:
    the village without a road, and the chilled produce with no cold store open."""
    scenario, matrix = tiny_county
    location = locate(scenario, matrix, LocateParams(time_limit_s=5))
    plan = solve_plain(scenario, matrix, location, time_limit_s=2, multi_trip=multi_trip)
    report = check_plan(scenario, matrix, plan, location)
    assert report.ok, report.violations[:5]
    assert plan.engine == ENGINE
    assert plan.routes
    reasons = Counter(u.reason for u in plan.unserved)
    assert UnservedReason.FLEET_EXHAUSTED not in reasons
    assert report.cost.unserved_penalty == len(plan.unserved) * scenario.costs.unserved_penalty


def test_chilled_pickup_reaches_its_cold_store(tiny_county: tuple[Scenario, TravelMatrix]) -> None:
    """With every facility open, the chilled village sent to its nearest cold store and a
    penalty that makes a reefer's trip worth it (at 300 the reefer's fixed cost and the
    drive cost more than leaving the produce), the chilled produce rides a refrigerated
    vehicle to that store within its transit limit (the checker's cold-chain, destination
    and transit-limit rules)."""
    scenario, matrix = tiny_county
    scenario = replace(scenario, costs=replace(scenario.costs, unserved_penalty=5000.0))
    chilled = next(o for o in scenario.orders if is_cold_flow(o))
    stores = [s.site_id for s in scenario.sites if s.kind is SiteKind.COLD_STORE]
    nearest = min(stores, key=lambda s: matrix.duration_s[matrix.index(chilled.site_id),
                                                          matrix.index(s)])  # fmt: skip
    location = open_everything(scenario, cold_assignment={chilled.site_id: nearest})
    plan = solve_plain(scenario, matrix, location, time_limit_s=2)
    report = check_plan(scenario, matrix, plan, location)
    assert report.ok, report.violations[:5]
    drops = [
        (v.site_id, r.vehicle_type)
        for r in plan.routes
        for v in r.visits
        if v.kind is StopKind.DROP and v.order_id == chilled.order_id
    ]
    assert drops == [(nearest, "reefer")]
