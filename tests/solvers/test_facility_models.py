"""The location suite's models: optima against brute force on instances of a few sites,
backends agreeing, and the OR-Library optimum of cap41."""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.demo import make_demo_county
from logistics.orlib import read_cap
from logistics.plans import SolveStatus
from networks.matrix import travel_matrix
from solvers import facility_mip
from solvers.covering_models import solve_lscp, solve_mclp
from solvers.facility import FacilityProblem, SiteChoice
from solvers.facility_models import solve_cflp, solve_p_center, solve_p_median, solve_ufl
from solvers.location import LocateParams

SHARED = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
HIGHS = LocateParams(time_limit_s=20)
ENGINES = ("highs", "scip", "cbc")


def tiny(seed: int, m: int = 3, n: int = 5) -> FacilityProblem:
    """A few sites and customers with integer data: small enough to enumerate."""
    rng = np.random.default_rng(seed)
    return FacilityProblem.from_cost_matrix(
        rng.integers(1, 30, size=(m, n)),
        demand=rng.integers(1, 6, size=n),
        fixed_cost=rng.integers(5, 25, size=m),
        capacity=rng.integers(8, 16, size=m),
    )


def subsets(m: int) -> list[tuple[int, ...]]:
    return [s for k in range(1, m + 1) for s in itertools.combinations(range(m), k)]


def ufl_cost(problem: FacilityProblem, opened: tuple[int, ...]) -> float:
    fixed = float(problem.fixed_cost[list(opened)].sum())
    return fixed + float(problem.cost[list(opened)].min(axis=0).sum())


def single_source_optimum(problem: FacilityProblem) -> float:
    best = math.inf
    m, n = problem.cost.shape
    for assign in itertools.product(range(m), repeat=n):
        load = np.zeros(m)
        for j, i in enumerate(assign):
            load[i] += problem.demand[j]
        if np.any(load > problem.capacity):
            continue
        opened = sorted(set(assign))
        cost = problem.fixed_cost[opened].sum() + sum(
            problem.cost[i, j] for j, i in enumerate(assign)
        )
        best = min(best, float(cost))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_ufl_matches_brute_force(seed: int) -> None:
    problem = tiny(seed)
    result = solve_ufl(problem, HIGHS)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(min(ufl_cost(problem, s) for s in subsets(3)))


@pytest.mark.parametrize("seed", range(4))
def test_single_source_cflp_matches_brute_force(seed: int) -> None:
    problem = tiny(seed)
    expected = single_source_optimum(problem)
    result = solve_cflp(problem, HIGHS, single_source=True)
    if math.isinf(expected):
        assert result.status is SolveStatus.INFEASIBLE
        return
    assert result.objective == pytest.approx(expected)
    served = {c for c, _, f in result.assignment if f == pytest.approx(1.0)}
    assert len(served) == problem.n_customers == len(result.assignment)


@pytest.mark.parametrize("seed", range(4))
def test_split_demand_is_never_dearer_than_single_source(seed: int) -> None:
    problem = tiny(seed)
    split = solve_cflp(problem, HIGHS)
    single = solve_cflp(problem, HIGHS, single_source=True)
    assert split.status is SolveStatus.OPTIMAL
    assert split.objective <= single.objective + 1e-6
    for i in range(problem.n_sites):  # capacities hold
        site = problem.site_ids[i]
        load = sum(problem.demand[int(c)] * f for c, s, f in split.assignment if s == site)
        assert load <= problem.capacity[i] + 1e-6


@pytest.mark.parametrize(("seed", "p"), [(0, 1), (1, 2), (2, 2), (3, 3)])
def test_p_median_and_p_center_match_brute_force(seed: int, p: int) -> None:
    problem = tiny(seed, m=4, n=6)
    choices = list(itertools.combinations(range(4), p))
    median = min(float(problem.cost[list(s)].min(axis=0).sum()) for s in choices)
    center = min(float(problem.distance[list(s)].min(axis=0).max()) for s in choices)
    assert solve_p_median(problem, p, HIGHS).objective == pytest.approx(median)
    result = solve_p_center(problem, p, HIGHS)
    assert result.objective == pytest.approx(center)
    assert len(result.open) == p


@pytest.mark.parametrize(("seed", "p", "radius"), [(0, 1, 10), (1, 2, 8), (2, 2, 15)])
def test_covering_models_match_brute_force(seed: int, p: int, radius: float) -> None:
    problem = tiny(seed, m=4, n=6)
    within = problem.distance <= radius
    covered = max(
        float(problem.demand[within[list(s)].any(axis=0)].sum())
        for s in itertools.combinations(range(4), p)
    )
    assert solve_mclp(problem, p, radius, HIGHS).objective == pytest.approx(covered)
    feasible = [s for s in subsets(4) if within[list(s)].any(axis=0).all()]
    lscp = solve_lscp(problem, radius, HIGHS)
    if feasible:
        assert lscp.objective == pytest.approx(min(len(s) for s in feasible))
        assert len(lscp.assignment) == problem.n_customers
    else:
        assert lscp.status is SolveStatus.INFEASIBLE


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    choice=st.lists(st.sampled_from(list(SiteChoice)), min_size=4, max_size=4),
)
def test_split_demand_from_the_relaxation_matches_the_plain_mip(
    seed: int, choice: list[SiteChoice]
) -> None:
    problem = replace(tiny(seed, m=4, n=7), choice=tuple(choice))
    result = solve_cflp(problem, HIGHS)
    plain = facility_mip.solve_location_model(
        problem, HIGHS, "cflp", capacitated=True, single_source=False
    )
    assert result.status is plain.status
    assert result.unserved == plain.unserved
    if plain.status is not SolveStatus.OPTIMAL or plain.unserved:
        return  # infeasible, or a customer no open-able site reaches: the plain MIP
    assert result.engine.startswith("highs lp")
    assert result.objective == pytest.approx(plain.objective, rel=1e-6)
    # The plan: open as the choices say, everyone served in full, capacities kept.
    opened = {int(s) for s in result.open}
    assert {i for i, c in enumerate(choice) if c is SiteChoice.OPEN} <= opened
    assert not {i for i, c in enumerate(choice) if c is SiteChoice.CLOSED} & opened
    x = np.zeros(problem.cost.shape)
    for c, s, share in result.assignment:
        x[int(s), int(c)] += share
    assert x.sum(axis=0) == pytest.approx(np.ones(problem.n_customers))
    assert set(np.flatnonzero(x.sum(axis=1) > 1e-9)) <= opened
    assert np.all(x @ problem.demand <= problem.capacity + 1e-6)
    cost = problem.fixed_cost[sorted(opened)].sum() + (problem.cost * x).sum()
    assert result.objective == pytest.approx(cost, rel=1e-9)


def test_required_and_forbidden_sites_are_respected() -> None:
    cost = [[1, 1, 1], [5, 5, 5], [2, 2, 2]]
    problem = FacilityProblem.from_cost_matrix(
        cost, fixed_cost=[1, 1, 1], required=[1], forbidden=[0]
    )
    result = solve_ufl(problem, HIGHS)
    assert "1" in result.open and "0" not in result.open
    assert result.objective == pytest.approx(1 + 1 + 6)  # site 1 open, site 2 serves all


def test_cold_goods_go_only_to_a_cold_store() -> None:
    """Customer 0 has 3 kg of chilled produce; only site 1 has cold capacity, though
    site 0 is cheaper for everything else."""
    problem = FacilityProblem.from_cost_matrix(
        [[1, 1], [9, 9]],
        fixed_cost=[0, 4],
        cold_demand=[3, 0],
        cold_cost=[[1, 1], [2, 2]],
        cold_capacity=[0, 10],
    )
    result = solve_cflp(problem, HIGHS)
    assert set(result.open) == {"0", "1"}
    assert result.cold_assignment == (("0", "1", 1.0),)
    assert result.objective == pytest.approx(4 + 1 + 1 + 2)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), single=st.booleans())
def test_backends_agree(seed: int, single: bool) -> None:
    # The MIP itself, without the split-demand heuristic that often settles it first.
    problem = tiny(seed)
    results = [
        facility_mip.solve_location_model(
            problem,
            LocateParams(time_limit_s=20, engine=e),
            "cflp",
            capacitated=True,
            single_source=single,
        )
        for e in ENGINES
    ]
    statuses = {r.status for r in results}
    assert len(statuses) == 1
    if SolveStatus.OPTIMAL in statuses:
        assert max(r.objective for r in results) == pytest.approx(min(r.objective for r in results))


def test_from_scenario_places_hubs_on_a_demo_county() -> None:
    scenario = make_demo_county(villages=20, townships=4)
    problem = FacilityProblem.from_scenario(scenario, travel_matrix(scenario))
    assert problem.n_customers == 20
    assert problem.has_cold
    result = solve_cflp(problem, HIGHS, single_source=True)
    assert result.status is SolveStatus.OPTIMAL
    required = {problem.site_ids[i] for i, c in enumerate(problem.choice) if c.value == "open"}
    assert required <= set(result.open)
    # The demo's one village without a road is left out, and only it.
    assert len(result.unserved) == 1
    assert len({c for c, _, _ in result.assignment}) == problem.n_customers - 1


@pytest.mark.skipif(not (SHARED / "cflp" / "cap41.txt").is_file(), reason="no shared data")
def test_cap41_reaches_the_or_library_optimum() -> None:
    instance = read_cap(SHARED / "cflp" / "cap41.txt")
    problem = FacilityProblem.from_cost_matrix(
        instance.cost,
        demand=instance.demand,
        fixed_cost=instance.fixed_cost,
        capacity=instance.capacity,
    )
    with (SHARED / "cflp" / "optimal.csv").open(encoding="utf-8") as f:
        optimum = {r["instance"]: float(r["value"]) for r in csv.DictReader(f)}["cap41"]
    result = solve_cflp(problem, HIGHS)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(optimum, rel=1e-6)
