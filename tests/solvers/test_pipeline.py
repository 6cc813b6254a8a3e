"""``plan_county`` end to end and ``find_unservable`` on the synthetic demo county.

The demo has exactly one village behind a landslide; the tests find it from the road
graph alone (networkx, not lognet's network code) and expect every one of its orders, and
only those, to be unreachable.
"""

from __future__ import annotations

import time

import networkx as nx
import pytest

from logistics.demo import make_demo_county
from logistics.plans import UnservedReason
from logistics.scenario import Scenario, SiteKind
from solvers.pipeline import find_unservable, plan_county

TIME_LIMIT_S = 5.0
#: Slack over the time limit for matrix building, geometry and checking on a slow machine.
MARGIN_S = 5.0


def cut_off_orders(scenario: Scenario) -> set[str]:
    """Orders at the villages that no road joins to the county warehouse."""
    graph = nx.Graph((r.u, r.v) for r in scenario.roads)
    reachable = nx.node_connected_component(graph, "CW")
    villages = {s.site_id for s in scenario.sites_of_kind(SiteKind.VILLAGE_POINT)}
    cut_off = villages - reachable
    assert len(cut_off) == 1  # the demo's promise, and what makes these tests meaningful
    return {o.order_id for o in scenario.orders if o.site_id in cut_off}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plan_county_passes_the_checker_within_the_limit(seed: int) -> None:
    scenario = make_demo_county(villages=20, townships=3, seed=seed)
    t0 = time.perf_counter()
    plan = plan_county(scenario, time_limit_s=TIME_LIMIT_S, seed=seed)
    elapsed = time.perf_counter() - t0
    assert plan.check.ok, plan.check.summary()
    unreachable = {
        u.order_id for u in plan.routes.unserved if u.reason is UnservedReason.UNREACHABLE
    }
    assert unreachable == cut_off_orders(scenario)
    assert elapsed < TIME_LIMIT_S + MARGIN_S
    assert plan.runtime_s <= elapsed
    # Everything reachable is either served or unserved with another stated reason.
    served = plan.routes.served_order_ids
    unserved = {u.order_id for u in plan.routes.unserved}
    assert served | unserved == {o.order_id for o in scenario.orders}
    assert not served & unserved


@pytest.mark.parametrize(
    ("villages", "townships", "seed"),
    [(20, 3, 0), (20, 3, 1), (20, 3, 2), (250, 25, 0)],
    ids=["small-0", "small-1", "small-2", "default"],
)
def test_find_unservable_lists_exactly_the_cut_off_village(
    villages: int, townships: int, seed: int
) -> None:
    scenario = make_demo_county(villages=villages, townships=townships, seed=seed)
    found = find_unservable(scenario)
    assert {u.order_id for u in found} == cut_off_orders(scenario)
    assert {u.reason for u in found} == {UnservedReason.UNREACHABLE}
    assert len(found) == len({u.order_id for u in found})
