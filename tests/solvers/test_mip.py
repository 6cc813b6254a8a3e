"""The engine-neutral MIP model and its dispatch to HiGHS and SCIP (through MathOpt).

Each model is small enough that the test enumerates every 0/1 vector to know the optimum.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest

from logistics.plans import SolveStatus
from solvers.mip import MIP_ENGINES, LinearModel, solve_mip

#: Every engine lognet offers; HiGHS and SCIP at least.
ENGINES = MIP_ENGINES

# Knapsack: values, weights and the capacity. Best: items 1 and 3 (6 + 4 kg, value 21).
VALUES = (10.0, 13.0, 7.0, 8.0)
WEIGHTS = (5.0, 6.0, 3.0, 4.0)
CAPACITY = 10.0

# Set cover of {1..5}: (cost, members). Best: A + E (cost 4).
SETS = {"A": (3.0, {1, 2, 3}), "B": (2.0, {2, 4}), "C": (3.0, {3, 4, 5}), "D": (2.0, {1, 5}),
        "E": (1.0, {4, 5})}  # fmt: skip


def knapsack() -> LinearModel:
    """Maximise value within the capacity, as minimising minus the value: a ``≤`` row and
    negative costs, the shape of the location model's capacity rows."""
    m = LinearModel()
    xs = [m.add_var(cost=-v, integer=True) for v in VALUES]
    m.add_row(zip(xs, WEIGHTS, strict=True), hi=CAPACITY)
    return m


def set_cover() -> LinearModel:
    """Cover every element at least once at least cost: ``≥`` rows, the shape of the
    location model's assignment rows."""
    m = LinearModel()
    xs = {name: m.add_var(cost=cost, integer=True) for name, (cost, _) in SETS.items()}
    for element in range(1, 6):
        m.add_row([(xs[n], 1.0) for n, (_, members) in SETS.items() if element in members], lo=1)
    return m


def enumerate_optimum(model: LinearModel) -> float:
    """The least cost over every 0/1 vector that meets every row of ``model``."""
    best = float("inf")
    for x in itertools.product((0, 1), repeat=model.n_vars):
        if all(lo <= sum(c * x[i] for i, c in terms) <= hi for terms, lo, hi in model.rows):
            best = min(best, sum(c * xi for c, xi in zip(model.cost, x, strict=True)))
    return best + model.offset


def test_highs_and_scip_are_offered() -> None:
    assert {"highs", "scip"} <= set(MIP_ENGINES)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("build", "known"), [(knapsack, -21.0), (set_cover, 4.0)])
def test_tiny_models_reach_the_known_optimum(
    build: Callable[[], LinearModel], known: float, engine: str
) -> None:
    model = build()
    assert enumerate_optimum(model) == known
    result = solve_mip(model, engine=engine, time_limit_s=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(known, abs=1e-9)
    assert result.bound == pytest.approx(result.objective, abs=1e-6)
    assert result.values.shape == (model.n_vars,)
    assert result.engine.endswith(engine)


@pytest.mark.parametrize("build", [knapsack, set_cover])
def test_engines_agree_on_objective_and_solution(build: Callable[[], LinearModel]) -> None:
    results = [solve_mip(build(), engine=engine, time_limit_s=20) for engine in ENGINES]
    first = results[0]
    for other in results[1:]:
        assert other.objective == pytest.approx(first.objective, abs=1e-9)
        # Both optima are unique, so the engines must pick the same items and sets.
        assert list(other.values.round()) == list(first.values.round())


def test_knapsack_picks_items_two_and_four() -> None:
    result = solve_mip(knapsack(), engine="highs", time_limit_s=20)
    assert list(result.values.round()) == [0.0, 1.0, 0.0, 1.0]


@pytest.mark.parametrize("engine", ENGINES)
def test_offset_shifts_objective_and_bound(engine: str) -> None:
    model = set_cover()
    model.offset = 100.0
    result = solve_mip(model, engine=engine, time_limit_s=20)
    assert result.objective == pytest.approx(104.0)
    assert result.bound == pytest.approx(104.0)


def infeasible_by_bounds() -> LinearModel:
    """A binary that must be at least 2: infeasible before any branching."""
    m = LinearModel()
    a = m.add_var(cost=1.0, integer=True)
    m.add_row([(a, 1.0)], lo=2.0)
    return m


def infeasible_by_integrality() -> LinearModel:
    """``a + b = 1.5`` over binaries: the relaxation is feasible, the integers are not."""
    m = LinearModel()
    a, b = m.add_var(cost=1.0, integer=True), m.add_var(cost=1.0, integer=True)
    m.add_row([(a, 1.0), (b, 1.0)], lo=1.5, hi=1.5)
    return m


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("build", [infeasible_by_bounds, infeasible_by_integrality])
def test_infeasible_model_reports_infeasible(build: Callable[[], LinearModel], engine: str) -> None:
    result = solve_mip(build(), engine=engine, time_limit_s=20)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.values.size == 0


@pytest.mark.parametrize("engine", ["gurobi", "HiGHS", ""])
def test_unknown_engine_raises_value_error(engine: str) -> None:
    with pytest.raises(ValueError, match="unknown MIP engine"):
        solve_mip(knapsack(), engine=engine, time_limit_s=1)


@pytest.mark.parametrize("engine", MIP_ENGINES)
def test_a_row_with_crossed_bounds_is_infeasible(engine: str) -> None:
    m = LinearModel()
    x = m.add_var(integer=True)
    m.add_row([(x, 1.0)], lo=1.0, hi=0.0)
    assert solve_mip(m, engine=engine, time_limit_s=5).status is SolveStatus.INFEASIBLE


@pytest.mark.parametrize("engine", MIP_ENGINES)
def test_rows_added_in_bulk_mean_the_same_as_one_by_one(engine: str) -> None:
    """A 3-item knapsack (values 5, 4, 3; weights 2, 3, 1; room 4) and a cover row, once
    row by row and once as arrays: the same rows, the same optimum (-8: items 0 and 2)."""
    one = LinearModel()
    xs = [one.add_var(cost=-v, integer=True) for v in (5.0, 4.0, 3.0)]
    one.add_row([(xs[0], 2.0), (xs[1], 3.0), (xs[2], 1.0)], hi=4.0)
    one.add_row([(xs[1], 1.0), (xs[2], 1.0)], lo=1.0)
    bulk = LinearModel()
    ys = bulk.add_vars(3, cost=[-5.0, -4.0, -3.0], integer=True)
    bulk.add_rows([0, 3, 5], [ys[0], ys[1], ys[2], ys[1], ys[2]], [2, 3, 1, 1, 1],
                  lo=[-math.inf, 1.0], hi=[4.0, math.inf])  # fmt: skip
    assert bulk.rows == one.rows
    assert bulk.n_rows == 2
    results = [solve_mip(m, engine=engine, time_limit_s=5) for m in (one, bulk)]
    assert [r.objective for r in results] == [-8.0, -8.0]


def test_blocks_are_numbered_before_single_rows_and_priced_by_their_duals() -> None:
    """``min a + 3 b`` with ``a <= 0.75`` (a single row) and ``a + b = 1`` (a block):
    ``a = 0.75, b = 0.25``. One more unit on the right of the block costs ``b``'s price,
    3; one more on the single row saves 3 - 1 = 2."""
    model = LinearModel()
    a, b = model.add_var(cost=1.0), model.add_var(cost=3.0)
    model.add_row([(a, 1.0)], hi=0.75)
    block = model.add_rows([0, 2], [a, b], [1.0, 1.0], lo=1.0, hi=1.0)
    assert block == range(0, 1)
    assert model.rows == [(((a, 1.0), (b, 1.0)), 1.0, 1.0), (((a, 1.0),), -math.inf, 0.75)]
    result = solve_mip(model, time_limit_s=5)
    assert result.objective == pytest.approx(1.5)
    assert result.duals.tolist() == pytest.approx([3.0, -2.0])
    # Integer variables: a MIP has no duals, and relaxing it keeps the model as it was.
    model.integer[b] = True
    assert solve_mip(model, time_limit_s=5).duals.size == 0
    assert solve_mip(model.relaxed(), time_limit_s=5).duals.size == 2
    assert model.integer == [False, True]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("presolve", [True, False])
@pytest.mark.parametrize(("build", "known"), [(knapsack, -21.0), (set_cover, 4.0)])
def test_without_heuristics_or_presolve_the_optimum_is_the_same(
    build: Callable[[], LinearModel], known: float, engine: str, presolve: bool
) -> None:
    result = solve_mip(build(), engine=engine, time_limit_s=20, heuristics=False, presolve=presolve)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(known, abs=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fixed_variable_in_no_row_keeps_its_value(engine: str) -> None:
    """An existing site, open at no cost and in no row, is still open in the answer."""
    model = set_cover()
    fixed = model.add_var(lb=1.0, ub=1.0, integer=True)
    result = solve_mip(model, engine=engine, time_limit_s=20)
    assert result.values[fixed] == 1.0
