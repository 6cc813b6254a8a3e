"""Branch-and-bound over the p-median Lagrangian bound (:mod:`solvers.p_median_branch`)
against brute force: from a poor start (the first ``p`` sites, no bound, zero
multipliers) it must reach the optimum and prove it, with required and forbidden sites;
cut short, its bound must still be a bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_p_median_heuristic import feasible_plans

from solvers.p_median_branch import branch_p_median
from solvers.p_median_heuristic import PMedianBound


def poor_start(cost: np.ndarray, p: int, allowed: np.ndarray, required: np.ndarray) -> PMedianBound:
    """A valid but poor heuristic result: the required sites topped up with the first
    allowed ones, no bound, no fixings, zero multipliers."""
    plan = np.flatnonzero(required).tolist()
    plan += [i for i in np.flatnonzero(allowed & ~required).tolist()][: p - len(plan)]
    return PMedianBound(
        open=tuple(sorted(plan)),
        objective=float(cost[plan].min(axis=0).sum()),
        lower_bound=-math.inf,
        multipliers=np.zeros(cost.shape[1]),
        iterations=0,
        runtime_s=0.0,
        fixed_closed=(),
        fixed_open=(),
        proven_optimal=False,
    )


Instance = tuple[np.ndarray, int, np.ndarray, np.ndarray]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    m = draw(st.integers(2, 7))
    n = draw(st.integers(1, 7))
    whole = draw(st.booleans())
    values = st.integers(0, 30) if whole else st.floats(0, 30, allow_nan=False)
    cost = np.array(
        draw(st.lists(st.lists(values, min_size=n, max_size=n), min_size=m, max_size=m)), float
    )
    allowed = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    allowed[draw(st.integers(0, m - 1))] = True
    required = allowed & np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    p = draw(st.integers(max(int(required.sum()), 1), int(allowed.sum())))
    return cost, p, allowed, required


def branch_from_poor_start(
    instance: Instance, time_limit_s: float
) -> tuple[PMedianBound, PMedianBound, float]:
    """The start, the result and the brute-force optimum."""
    cost, p, allowed, required = instance
    optimum = min(feasible_plans(cost, p, allowed, required).values())
    start = poor_start(cost, p, allowed, required)
    result = branch_p_median(
        cost, p, start, time_limit_s=time_limit_s, allowed=allowed, required=required
    )
    assert result.lower_bound <= optimum + 1e-6 * max(1.0, optimum)
    assert result.objective <= start.objective
    return start, result, optimum


@settings(max_examples=60, deadline=None)
@given(instances())
def test_reaches_and_proves_the_brute_force_optimum(instance: Instance) -> None:
    cost, p, allowed, required = instance
    _, result, optimum = branch_from_poor_start(instance, 20)
    assert result.proven_optimal
    assert result.objective == pytest.approx(optimum, rel=1e-9, abs=1e-9)
    assert set(np.flatnonzero(required).tolist()) <= set(result.open)
    assert all(allowed[i] for i in result.open) and len(result.open) == p
    assert float(cost[list(result.open)].min(axis=0).sum()) == pytest.approx(
        result.objective, rel=1e-9, abs=1e-9
    )


@settings(max_examples=30, deadline=None)
@given(instances())
def test_cut_short_it_keeps_a_valid_bound_and_plan(instance: Instance) -> None:
    start, result, _ = branch_from_poor_start(instance, 0.0)
    assert result.open == start.open
