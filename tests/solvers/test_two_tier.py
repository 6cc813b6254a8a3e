"""Two-tier design: brute force when capacities do not bind, flows that balance, and a
demo county's warehouses above its hubs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from logistics.demo import make_demo_county
from logistics.plans import SolveStatus
from networks.matrix import travel_matrix
from solvers.facility import FacilityProblem
from solvers.location import LocateParams
from solvers.two_tier import TwoTierProblem, solve_two_tier

PARAMS = LocateParams(time_limit_s=20)


def tiny(seed: int, *, capacity: bool) -> TwoTierProblem:
    """Two warehouses, three hubs, five villages with integer data."""
    rng = np.random.default_rng(seed)
    hubs = FacilityProblem.from_cost_matrix(
        rng.integers(1, 20, size=(3, 5)),
        demand=rng.integers(1, 5, size=5),
        fixed_cost=rng.integers(2, 15, size=3),
        capacity=rng.integers(6, 12, size=3) if capacity else None,
    )
    return TwoTierProblem.from_arrays(
        hubs,
        rng.integers(0, 4, size=(2, 3)),
        fixed_cost=rng.integers(5, 20, size=2),
        capacity=rng.integers(8, 20, size=2) if capacity else None,
    )


def uncapacitated_optimum(problem: TwoTierProblem) -> float:
    hubs = problem.hubs
    best = np.inf
    for warehouses in (s for r in (1, 2) for s in itertools.combinations(range(2), r)):
        trunk = problem.trunk_cost[list(warehouses)].min(axis=0)  # per unit, per hub
        for opened in (s for r in (1, 2, 3) for s in itertools.combinations(range(3), r)):
            rows = list(opened)
            serve = hubs.cost[rows] + trunk[rows, None] * hubs.demand[None, :]
            cost = problem.warehouse_fixed_cost[list(warehouses)].sum()
            cost += hubs.fixed_cost[rows].sum() + serve.min(axis=0).sum()
            best = min(best, float(cost))
    return best


@pytest.mark.parametrize("seed", range(5))
def test_uncapacitated_design_matches_brute_force(seed: int) -> None:
    problem = tiny(seed, capacity=False)
    result = solve_two_tier(problem, PARAMS)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(uncapacitated_optimum(problem))


@pytest.mark.parametrize("seed", range(5))
def test_flows_balance_and_capacities_hold(seed: int) -> None:
    problem = tiny(seed, capacity=True)
    result = solve_two_tier(problem, PARAMS)
    assert result.status is SolveStatus.OPTIMAL  # these five seeds have room enough
    hubs = problem.hubs
    handed_out = dict.fromkeys(hubs.site_ids, 0.0)
    for village, hub, share in result.hubs.assignment:
        handed_out[hub] += share * hubs.demand[int(village)]
    received = dict.fromkeys(hubs.site_ids, 0.0)
    sent = dict.fromkeys(problem.warehouse_ids, 0.0)
    for warehouse, hub, amount in result.trunk:
        assert warehouse in result.warehouses
        received[hub] += amount
        sent[warehouse] += amount
    assert received == pytest.approx(handed_out)
    for k, warehouse in enumerate(problem.warehouse_ids):
        assert sent[warehouse] <= problem.warehouse_capacity[k] + 1e-6
    for i, hub in enumerate(hubs.site_ids):
        assert handed_out[hub] <= hubs.capacity[i] + 1e-6


@pytest.mark.parametrize("engine", ["scip", "cbc"])
def test_backends_agree_on_the_design(engine: str) -> None:
    problem = tiny(3, capacity=True)
    ours = solve_two_tier(problem, PARAMS)
    theirs = solve_two_tier(problem, LocateParams(time_limit_s=20, engine=engine))
    assert theirs.status is ours.status
    assert theirs.objective == pytest.approx(ours.objective)


def test_a_demo_county_keeps_its_warehouse_and_opens_hubs() -> None:
    scenario = make_demo_county(villages=20, townships=4)
    problem = TwoTierProblem.from_scenario(scenario, travel_matrix(scenario))
    result = solve_two_tier(problem, PARAMS, single_source=True)
    assert result.status is SolveStatus.OPTIMAL
    assert result.warehouses == problem.warehouse_ids  # the demo's one warehouse exists
    assert result.hubs.open and len(result.hubs.unserved) == 1
