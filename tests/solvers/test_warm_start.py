"""Warm starts replay a previous plan by vehicle and order ids (issue: nightly re-plans)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pyvrp import Solution

from logistics.checker import check_plan
from logistics.demo import make_demo_county
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, RoutePlan
from logistics.scenario import Direction, Order, Scenario
from networks.matrix import travel_matrix
from solvers.engines.pyvrp_routing import pyvrp_supports
from solvers.location import LocateParams, locate
from solvers.routing import DETERMINISTIC_RUNS, ROUNDS, RouteParams, _has_time_windows, route
from solvers.routing_problem import build_routing_problem, preload, split_components
from solvers.warm_start import warm_sequences


@pytest.fixture(scope="module")
def county() -> tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan]:
    """A small demo county (cold chain, backhaul, multi-trip hubs) and a first plan."""
    scenario = make_demo_county(villages=24, townships=3, seed=5)
    matrix = travel_matrix(scenario)
    location = locate(scenario, matrix, LocateParams(time_limit_s=5))
    plan = route(scenario, matrix, location, RouteParams(time_limit_s=4))
    assert check_plan(scenario, matrix, plan, location).ok
    return scenario, matrix, location, plan


def test_replay_covers_every_served_order_in_complete_pairs(
    county: tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan],
) -> None:
    scenario, matrix, location, plan = county
    problem = build_routing_problem(scenario, matrix, location)
    replayed: set[str] = set()
    for part in (preload(p) for p in split_components(problem)):
        sequences = warm_sequences(part, plan)
        placed = {stop: k for k, seq in enumerate(sequences) for stop in seq}
        assert sum(len(seq) for seq in sequences) == len(placed)  # no stop twice
        for pair in part.pairs:
            on = {placed.get(i) for i in (*pair.pickups, *pair.deliveries) if i in placed}
            assert len(on) <= 1  # a pair is wholly on one vehicle, or absent
        replayed |= {o for stop in placed for o in part.stops[stop].order_ids}
    assert plan.served_order_ids <= replayed


def test_a_warm_start_from_the_same_plan_is_no_worse(
    county: tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan],
) -> None:
    scenario, matrix, location, plan = county
    again = route(
        scenario, matrix, location, RouteParams(time_limit_s=1, solution_limit=1), warm_start=plan
    )
    assert check_plan(scenario, matrix, again, location).ok
    assert len(again.unserved) <= len(plan.unserved)
    assert again.objective <= plan.objective * (1 + 1e-3)


def test_a_warm_start_copes_with_vanished_and_new_orders(
    county: tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan],
) -> None:
    scenario, matrix, location, plan = county
    served = sorted(plan.served_order_ids)
    gone = set(served[:3])
    village = next(s for s in scenario.sites if s.site_id in location.assignment)
    new = Order("D-new", village.site_id, "ems", Direction.DELIVERY, 2, 3.0, 0.02)
    today = dataclasses.replace(
        scenario, orders=(*(o for o in scenario.orders if o.order_id not in gone), new)
    )
    replanned = route(today, matrix, location, RouteParams(time_limit_s=3), warm_start=plan)
    assert check_plan(today, matrix, replanned, location).ok
    assert "D-new" in replanned.served_order_ids
    assert not gone & (replanned.served_order_ids | {u.order_id for u in replanned.unserved})


def test_pyvrp_reads_back_its_own_answer_as_a_start(
    county: tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan],
) -> None:
    """A PyVRP answer turned into a start solution is the same solution: clients,
    shipments and reloads all map back."""
    from solvers.engines.pyvrp_routing import _Model, pyvrp_supports, solve_with_pyvrp

    scenario, matrix, location, _ = county
    problem = build_routing_problem(scenario, matrix, location)
    parts = [p for p in map(preload, split_components(problem)) if pyvrp_supports(p)]
    assert parts
    for part in parts:
        answer = solve_with_pyvrp(part, time_limit_s=5, max_iterations=50)
        model = _Model(part)
        start = model.solution_of(answer.sequences)
        assert start is not None
        assert model.extract(start, "again").sequences == answer.sequences


def test_pyvrp_parts_start_from_the_previous_plan(
    county: tuple[Scenario, TravelMatrix, LocationPlan, RoutePlan],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The router hands PyVRP the previous plan's routes as its first solution."""
    import solvers.engines.pyvrp_routing as adapter

    scenario, matrix, location, plan = county
    starts: list[int] = []
    real = adapter.search_pyvrp

    def recording(*args: Any, **kwargs: Any) -> Solution:
        start = kwargs.get("start")
        starts.append(-1 if start is None else start.num_clients())
        return real(*args, **kwargs)

    monkeypatch.setattr(adapter, "search_pyvrp", recording)
    params = RouteParams(time_limit_s=5, engine="pyvrp", max_iterations=20, workers=1)
    again = route(scenario, matrix, location, params, warm_start=plan)
    assert check_plan(scenario, matrix, again, location).ok
    assert again.objective <= plan.objective * (1 + 1e-3)
    # Each PyVRP part ran the deterministic portfolio's runs, in ROUNDS rounds unless it
    # has time windows: in the first round, one warm and the others cold; in the others,
    # every run from the best plan so far.
    problem = build_routing_problem(scenario, matrix, location)
    parts = sorted(map(preload, split_components(problem)), key=lambda p: len(p.stops))
    expected: list[bool] = []
    for part in filter(pyvrp_supports, parts):
        rounds = 1 if _has_time_windows(part) else ROUNDS
        later = [True] * DETERMINISTIC_RUNS * (rounds - 1)
        expected += [True, *[False] * (DETERMINISTIC_RUNS - 1), *later]
    assert expected and [n >= 0 for n in starts] == expected
    assert all(n != 0 for n in starts)
