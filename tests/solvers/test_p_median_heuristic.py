"""The p-median heuristic (:mod:`solvers.p_median_heuristic`) against brute force, by hand
and on OR-Library instances.

Brute force enumerates every feasible set of ``p`` sites of instances with at most 10 sites
and customers; it checks that the plan is what it claims, that the lower bound is a bound,
that the multipliers give it, and that every fixing holds: a fixed-closed site is in no
plan cheaper than the heuristic's, a fixed-open site in every such plan.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.orlib import read_pmed
from solvers.p_median_heuristic import PMedianBound, solve_p_median_heuristic

PMED = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "pmed"

Matrix = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def plan_cost(cost: Matrix, plan: tuple[int, ...]) -> float:
    return float(cost[list(plan)].min(axis=0).sum())


def feasible_plans(
    cost: Matrix, p: int, allowed: Mask, required: Mask
) -> dict[tuple[int, ...], float]:
    """Every set of ``p`` allowed sites containing the required ones, with its cost."""
    sites = np.flatnonzero(allowed).tolist()
    return {
        plan: plan_cost(cost, plan)
        for plan in itertools.combinations(sites, p)
        if set(np.flatnonzero(required).tolist()) <= set(plan)
    }


def lagrangian_bound(cost: Matrix, u: Matrix, p: int, allowed: Mask, required: Mask) -> float:
    """``L(u)`` by enumeration, independent of the solver's sorting."""
    rho = np.minimum(cost - u, 0.0).sum(axis=1)
    plans = feasible_plans(cost, p, allowed, required)
    return float(u.sum()) + min(float(rho[list(plan)].sum()) for plan in plans)


def assert_consistent(
    result: PMedianBound, cost: Matrix, p: int, allowed: Mask, required: Mask
) -> None:
    """Everything brute force can check about a result."""
    plans = feasible_plans(cost, p, allowed, required)
    optimum = min(plans.values())
    tolerance = 1e-9 * max(1.0, optimum)
    assert result.open == tuple(sorted(result.open)) and result.open in plans
    assert result.objective == pytest.approx(plans[result.open], abs=tolerance)
    assert result.lower_bound <= optimum + tolerance <= result.objective + 2 * tolerance
    if result.proven_optimal:
        assert result.objective == pytest.approx(optimum, rel=1e-6, abs=tolerance)
    assert not result.multipliers.flags.writeable
    bound = lagrangian_bound(cost, result.multipliers, p, allowed, required)
    assert bound == pytest.approx(result.lower_bound, abs=tolerance)
    closed, opened = set(result.fixed_closed), set(result.fixed_open)
    assert not closed & set(result.open) and opened <= set(result.open)
    assert set(np.flatnonzero(~allowed).tolist()) <= closed
    assert set(np.flatnonzero(required).tolist()) <= opened
    for plan, value in plans.items():
        if closed & set(plan) or not opened <= set(plan):
            assert value >= result.objective - tolerance, (plan, value)


@st.composite
def instances(draw: st.DrawFn) -> tuple[Matrix, int, Mask, Mask]:
    """Up to 10 sites and customers, p ≤ 4, integral or fractional costs, random masks."""
    m = draw(st.integers(1, 10))
    n = draw(st.integers(1, 10))
    if draw(st.booleans()):
        values = st.integers(0, 30).map(float)
    else:
        values = st.floats(0, 100, allow_nan=False, allow_infinity=False)
    cost = np.array(draw(st.lists(values, min_size=m * n, max_size=m * n))).reshape(m, n)
    allowed = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    if not allowed.any():
        allowed[draw(st.integers(0, m - 1))] = True
    candidates = np.flatnonzero(allowed)
    p = draw(st.integers(1, min(4, len(candidates))))
    picked = draw(st.lists(st.sampled_from(candidates.tolist()), max_size=p, unique=True))
    required = np.zeros(m, dtype=bool)
    required[picked] = True
    return cost, p, allowed, required


@settings(max_examples=80, deadline=None)
@given(instances(), st.integers(0, 3))
def test_agrees_with_brute_force(instance: tuple[Matrix, int, Mask, Mask], seed: int) -> None:
    cost, p, allowed, required = instance
    result = solve_p_median_heuristic(
        cost, p, time_limit_s=0.5, seed=seed, allowed=allowed, required=required
    )
    assert_consistent(result, cost, p, allowed, required)


def test_opens_the_two_obvious_sites() -> None:
    """Customers 0 and 1 sit at site 0, customer 2 at site 2; the central site 1 is worse
    for everyone, so the optimum {0, 2} costs 1 and is proven at once."""
    cost = np.array([[0, 1, 9], [4, 4, 4], [9, 8, 0]], dtype=float)
    result = solve_p_median_heuristic(cost, 2, time_limit_s=5)
    assert (result.open, result.objective, result.proven_optimal) == ((0, 2), 1.0, True)
    assert (result.fixed_closed, result.fixed_open) == ((1,), (0, 2))
    assert result.gap == 0.0


def test_required_and_forbidden_sites() -> None:
    """Forbidding site 0 and requiring the poor site 1 leaves {1, 2}: 4 + 4 + 0 = 8."""
    cost = np.array([[0, 1, 9], [4, 4, 4], [9, 8, 0]], dtype=float)
    result = solve_p_median_heuristic(
        cost,
        2,
        time_limit_s=5,
        allowed=np.array([False, True, True]),
        required=np.array([False, True, False]),
    )
    assert (result.open, result.objective, result.proven_optimal) == ((1, 2), 8.0, True)
    assert 0 in result.fixed_closed and 1 in result.fixed_open


def test_a_site_that_cannot_serve() -> None:
    """``inf`` marks a site that may not serve a customer: site 0 cannot serve customer 1,
    so with one site only site 2 serves everyone (15); with none able to serve a customer
    the objective is ``inf``."""
    cost = np.array([[1, np.inf, 3], [np.inf, 2, np.inf], [5, 5, 5]])
    single = solve_p_median_heuristic(cost, 1, time_limit_s=5)
    assert (single.open, single.objective, single.proven_optimal) == ((2,), 15.0, True)
    pair = solve_p_median_heuristic(cost, 2, time_limit_s=5)
    assert (pair.open, pair.objective) == ((0, 1), 6.0)
    stranded = solve_p_median_heuristic(np.array([[1.0, np.inf]]), 1, time_limit_s=5)
    assert stranded.objective == math.inf and stranded.gap == math.inf


@pytest.mark.parametrize(
    ("cost", "p", "allowed", "required", "message"),
    [
        (np.zeros((0, 3)), 1, None, None, "not empty"),
        (np.zeros(3), 1, None, None, "not empty"),
        (np.array([[1.0, -1.0]]), 1, None, None, "non-negative"),
        (np.array([[1.0, np.nan]]), 1, None, None, "non-negative"),
        (np.ones((2, 2)), 3, None, None, "between 1 and 2"),
        (np.ones((2, 2)), 0, None, None, "between 1 and 2"),
        (np.ones((2, 2)), 1.5, None, None, "whole number"),
        (np.ones((2, 2)), 1, np.array([1, 1]), None, "boolean mask"),
        (np.ones((2, 2)), 1, None, np.array([True]), "boolean mask"),
        (np.ones((2, 2)), 1, np.array([True, False]), np.array([False, True]), "not allowed"),
        (np.ones((3, 2)), 1, None, np.array([True, True, False]), "between 2 and 3"),
    ],
)
def test_rejects_bad_input(
    cost: Matrix, p: int, allowed: Mask | None, required: Mask | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        solve_p_median_heuristic(cost, p, time_limit_s=1, allowed=allowed, required=required)


def test_same_seed_same_plan() -> None:
    """Without a binding time limit the search is a function of the input and the seed."""
    rng = np.random.default_rng(7)
    points = rng.random((40, 2))
    cost = np.round(np.linalg.norm(points[:, None] - points[None, :], axis=2) * 100)
    runs = [solve_p_median_heuristic(cost, 6, time_limit_s=30, seed=3) for _ in range(2)]
    first, second = ((r.open, r.objective, r.lower_bound, r.iterations) for r in runs)
    assert first == second


def optimum(name: str) -> float:
    with (PMED / "optimal.csv").open(encoding="utf-8") as file:
        return next(float(row["value"]) for row in csv.DictReader(file) if row["instance"] == name)


@pytest.mark.skipif(not PMED.is_dir(), reason="OR-Library pmed files not present")
@pytest.mark.parametrize(("name", "proven"), [("pmed1", True), ("pmed2", False)])
def test_or_library(name: str, proven: bool) -> None:
    """pmed1's Lagrangian bound closes the gap; pmed2's does not (its LP relaxation, which
    the bound reaches at best, is 4088.5 against the optimum 4093), so there only the plan
    is optimal and the bound is within 0.15 %."""
    instance = read_pmed(PMED / f"{name}.txt")
    result = solve_p_median_heuristic(instance.distance, instance.p, time_limit_s=5)
    best = optimum(name)
    assert result.objective == best
    assert result.lower_bound <= best
    assert result.proven_optimal is proven
    assert result.gap <= 0.0015
    assert result.runtime_s <= 6
    assert not set(result.fixed_closed) & set(result.open)
    assert set(result.fixed_open) <= set(result.open)
