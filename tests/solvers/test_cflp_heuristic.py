"""The capacitated facility location heuristic: its plans are feasible and cost what they
say, its bound and its fixed sites hold against the MIP's optimum, and the transportation
flow beneath it is optimal on cases checked by hand."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.plans import SolveStatus
from solvers import facility_mip, facility_models
from solvers.cflp_heuristic import CflpBound, _search, cflp_from_relaxation, solve_cflp_heuristic
from solvers.engines.ortools_flow import TransportFlow
from solvers.facility import FacilityProblem, SiteChoice
from solvers.location import LocateParams
from solvers.mip import solve_mip

PARAMS = LocateParams(time_limit_s=20)


def instance(seed: int, m: int, n: int) -> FacilityProblem:
    rng = np.random.default_rng(seed)
    demand = rng.integers(1, 9, size=n)
    return FacilityProblem.from_cost_matrix(
        rng.integers(1, 40, size=(m, n)) * demand[None, :],
        demand=demand,
        fixed_cost=rng.integers(10, 60, size=m),
        capacity=rng.integers(int(demand.sum() / m) + 1, int(demand.sum()) + 2, size=m),
    )


def mip_optimum(problem: FacilityProblem, **choice: SiteChoice) -> float:
    """The split-demand optimum by the plain MIP, with some sites' choices forced."""
    fixed = list(problem.choice)
    for i, c in choice.items():
        fixed[int(i[1:])] = c
    result = facility_mip.solve_location_model(
        replace(problem, choice=tuple(fixed)),
        PARAMS,
        "cflp",
        capacitated=True,
        single_source=False,
    )
    if result.status is SolveStatus.INFEASIBLE or result.unserved:
        return float("inf")
    assert result.status is SolveStatus.OPTIMAL
    return result.objective


def relaxation(problem: FacilityProblem) -> tuple[np.ndarray, np.ndarray]:
    """The duals of the strong linear relaxation's assignment rows and its ``y``."""
    model, handles = facility_mip.build_location_model(
        problem, PARAMS, capacitated=True, single_source=False
    )
    answer = solve_mip(model.relaxed(), time_limit_s=20)
    assert answer.status is SolveStatus.OPTIMAL
    y = np.zeros(problem.n_sites)
    for i, var in handles.y.items():
        y[i] = answer.values[var]
    return answer.duals[handles.x.rows], y


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), n=st.integers(1, 8))
def test_plan_bound_and_fixed_sites_hold(seed: int, m: int, n: int) -> None:
    problem = instance(seed, m, n)
    result = solve_cflp_heuristic(
        problem.cost, problem.demand, problem.fixed_cost, problem.capacity, time_limit_s=5
    )
    assert_sound(problem, result)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(1, 6),
    n=st.integers(1, 8),
    shift=st.floats(-1.0, 1.0),
)
def test_from_the_relaxation_plan_bound_and_fixed_sites_hold(
    seed: int, m: int, n: int, shift: float
) -> None:
    """From the relaxation's duals, and from duals moved off their optimum (any
    multipliers give a valid bound, however poor)."""
    problem = instance(seed, m, n)
    u, y = relaxation(problem)
    for multipliers in (u, u * (1 + shift)):
        result = cflp_from_relaxation(
            problem.cost,
            problem.demand,
            problem.fixed_cost,
            problem.capacity,
            multipliers=multipliers,
            site_shares=y,
            time_limit_s=5,
        )
        assert_sound(problem, result)


def test_from_the_relaxation_when_a_site_cannot_be_spared() -> None:
    """Site 0 serves both customers cheaply but holds only one; site 1 holds both but
    costs 6 to open. The relaxation opens site 1 by half (bound 14) with duals 11 and
    11. At those, closing site 0 leaves a bound of 22 and closing site 1 leaves too
    little capacity: both are fixed open, and the flow over them settles the optimum,
    1 + 6 + 2 + 8 = 17."""
    cost = [[2, 2], [8, 8]]
    u, y = relaxation(FacilityProblem.from_cost_matrix(
        cost, demand=[5, 5], fixed_cost=[1, 6], capacity=[5, 10]))  # fmt: skip
    assert u.tolist() == pytest.approx([11, 11]) and y.tolist() == pytest.approx([1, 0.5])
    result = cflp_from_relaxation(
        cost, [5, 5], [1, 6], [5, 10], multipliers=u, site_shares=y, time_limit_s=5
    )
    assert result.open == (0, 1)
    assert result.objective == result.lower_bound == 17
    assert result.proven_optimal


def assert_sound(problem: FacilityProblem, result: CflpBound) -> None:
    """``result``'s plan is feasible and costs what it says, its bound and plan bracket
    the MIP's optimum, and no plan cheaper than its plan flips a site it fixed."""
    n = problem.n_customers
    optimum = mip_optimum(problem)
    if optimum == float("inf"):
        assert result.objective == float("inf")
        return
    tol = 1e-6 * optimum
    # The plan: every customer served in full, capacities kept, its cost as stated.
    x = result.shares
    assert x.sum(axis=0) == pytest.approx(np.ones(n))
    assert set(np.flatnonzero(x.sum(axis=1) > 1e-9)) <= set(result.open)
    assert np.all(x @ problem.demand <= problem.capacity + 1e-6)
    cost = problem.fixed_cost[list(result.open)].sum() + (problem.cost * x).sum()
    assert result.objective == pytest.approx(cost)
    # The bound and the plan bracket the optimum.
    assert result.lower_bound <= optimum + tol
    assert result.objective >= optimum - tol
    if result.proven_optimal:
        assert result.objective == pytest.approx(optimum)
    # No plan cheaper than the heuristic's flips a fixed site.
    for i in result.fixed_closed:
        assert mip_optimum(problem, **{f"s{i}": SiteChoice.OPEN}) >= result.objective - tol
    for i in result.fixed_open:
        assert mip_optimum(problem, **{f"s{i}": SiteChoice.CLOSED}) >= result.objective - tol


def test_a_full_local_search_follows_a_budgeted_one_cut_short() -> None:
    """A budgeted search stopped at its first move leaves the plan to the full search,
    which ends at a plan no single close, open or swap makes cheaper."""
    problem = instance(5, 7, 12)
    search = _search(
        problem.cost, problem.demand, problem.fixed_cost, problem.capacity, None, None,
        time.perf_counter() + 30,
    )  # fmt: skip
    start = np.ones(7, bool)
    search.evaluate(start)
    search.spent = float("inf")  # no budget left
    search.local_search(start, problem.fixed_cost, budgeted=True)
    assert search.upper == search.evaluate(start)
    search.local_search(start, problem.fixed_cost, budgeted=False)
    best = search.upper
    assert best < search.evaluate(start)
    flips = [[i] for i in range(7)] + [[i, j] for i in range(7) for j in range(i + 1, 7)]
    for flip in flips:
        trial = search.best_open.copy()
        trial[flip] = ~trial[flip]
        if trial[flip].sum() == 1 or len(flip) == 1:  # a close, an open or a swap
            assert search.evaluate(trial) >= best - 1e-9


def test_required_and_forbidden_sites() -> None:
    problem = instance(3, 5, 8)
    result = solve_cflp_heuristic(
        problem.cost,
        problem.demand,
        problem.fixed_cost,
        np.full(5, problem.demand.sum()),
        time_limit_s=5,
        allowed=[True, True, False, True, True],
        required=[False, False, False, True, False],
    )
    assert 3 in result.open and 2 not in result.open
    assert 2 in result.fixed_closed and 3 in result.fixed_open


def test_no_plan_when_capacity_falls_short() -> None:
    result = solve_cflp_heuristic([[1, 1]], [5, 5], [1], [9], time_limit_s=5)
    assert result.objective == float("inf")
    assert not result.open


def test_transport_flow_is_optimal_by_hand() -> None:
    # Site 0 is cheaper for both customers but holds only 6 of the 10 units: customer 1
    # (whose extra cost at site 1 is smaller per unit) moves 4 units to site 1.
    c = np.array([[10.0, 20.0], [30.0, 25.0]])  # serving all of the customer
    flow = TransportFlow(c, np.array([5.0, 5.0]), np.array([6.0, 10.0]))
    x = flow.shares(np.array([True, True]))
    assert x is not None
    assert x.tolist() == [[1.0, 0.2], [0.0, 0.8]]


def test_transport_flow_scales_amounts_that_are_not_whole() -> None:
    # Fractional demands are scaled up to whole units, capacities rounded down: the
    # shares still respect the capacity.
    c = np.array([[1.0, 1.0], [5.0, 5.0]])
    d = np.array([0.3, 0.45])
    flow = TransportFlow(c, d, np.array([0.5, 10.0]))
    x = flow.shares(np.array([True, True]))
    assert x is not None
    assert x.sum(axis=0) == pytest.approx([1.0, 1.0])
    assert float(x[0] @ d) <= 0.5 + 1e-12
    assert float(x[0] @ d) == pytest.approx(0.5, abs=1e-6)


def test_large_split_demand_goes_through_the_heuristic_to_the_same_optimum() -> None:
    problem = instance(7, 20, 500)
    assert problem.cost.size >= facility_models.HEURISTIC_MIN_PAIRS
    result = facility_models.solve_cflp(problem, PARAMS)
    assert result.engine.startswith("lagrangian")
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(mip_optimum(problem), rel=1e-6)
    # The plan as returned: every customer served in full from open sites, as costed.
    site = {s: i for i, s in enumerate(problem.site_ids)}
    x = np.zeros(problem.cost.shape)
    for c, s, share in result.assignment:
        x[site[s], int(c)] = share
    assert x.sum(axis=0) == pytest.approx(np.ones(500))
    assert {problem.site_ids[i] for i in np.flatnonzero(x.sum(axis=1))} <= set(result.open)
    assert np.all(x @ problem.demand <= problem.capacity + 1e-6)
    opened = [site[s] for s in result.open]
    cost = problem.fixed_cost[opened].sum() + (problem.cost * x).sum()
    assert result.objective == pytest.approx(cost, rel=1e-9)


def test_the_near_plan_problem_keeps_the_plan_and_few_arcs() -> None:
    problem = instance(11, 12, 60)
    heuristic = solve_cflp_heuristic(
        problem.cost, problem.demand, problem.fixed_cost, problem.capacity, time_limit_s=5
    )
    narrow = facility_models._near_plan(problem, heuristic)
    arcs = np.isfinite(narrow.cost)
    assert np.all(arcs[heuristic.shares > 0])  # the heuristic's plan is one of its plans
    serving = (heuristic.shares > 0).sum(axis=0)
    assert np.all(arcs.sum(axis=0) <= facility_models.NEAR_PLAN_ARCS + serving)
    assert not arcs[list(heuristic.fixed_closed)].any()
    assert all(narrow.choice[i] is SiteChoice.OPEN for i in heuristic.fixed_open)
    # Where it keeps an arc, it keeps the cost.
    assert np.array_equal(narrow.cost[arcs], problem.cost[arcs])
