"""The CP-SAT backend of the engine-neutral MIP: scaling to integer data, and agreement with
HiGHS.

Every model is small enough that the test enumerates every 0/1 vector to know the optimum.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.plans import SolveStatus
from solvers.engines.cpsat_mip import solve_with_cpsat
from solvers.mip import MIP_ENGINES, LinearModel, solve_mip

INF = math.inf


def brute_force(model: LinearModel) -> float:
    """The least cost over every 0/1 vector that meets every row (``inf`` if none)."""
    best = INF
    for x in itertools.product((0, 1), repeat=model.n_vars):
        if all(lo <= sum(c * x[i] for i, c in terms) <= hi for terms, lo, hi in model.rows):
            best = min(best, sum(c * xi for c, xi in zip(model.cost, x, strict=True)))
    return best + model.offset


def solve_both(model: LinearModel) -> tuple[tuple[SolveStatus, float], ...]:
    """Status and objective on HiGHS and on CP-SAT."""
    results = [solve_mip(model, engine=e, time_limit_s=5) for e in ("highs", "cp-sat")]
    return tuple((r.status, r.objective) for r in results)


def doctest_model() -> LinearModel:
    """The example of :class:`LinearModel`'s docstring: 2a + 3b >= 2, costs 5 and 4."""
    m = LinearModel()
    a, b = m.add_var(cost=5, integer=True), m.add_var(cost=4, integer=True)
    m.add_row([(a, 2.0), (b, 3.0)], lo=2)
    return m


def knapsack10() -> LinearModel:
    """A 10-item knapsack, maximised as minimising minus the value (the capacity row's shape
    in the location models). Known optimum -44, found by :func:`brute_force`."""
    values = (12, 7, 9, 15, 4, 11, 6, 8, 10, 5)
    weights = (5, 3, 4, 7, 2, 6, 3, 4, 5, 3)
    m = LinearModel()
    xs = [m.add_var(cost=-v, integer=True) for v in values]
    m.add_row(zip(xs, weights, strict=True), hi=20)
    return m


def set_cover10() -> LinearModel:
    """Cover elements 0..7 with 10 candidate sets (the covering rows of set-covering
    location). Known optimum 8 (sets 6, 5 and 3), found by :func:`brute_force`."""
    sets = [(3, {0, 1, 2}), (2, {2, 3}), (4, {3, 4, 5, 6}), (1, {7}), (3, {0, 4}),
            (2, {5, 6}), (5, {0, 1, 2, 3, 4}), (2, {1, 6, 7}), (3, {2, 5}), (1, {4})]  # fmt: skip
    m = LinearModel()
    xs = [m.add_var(cost=cost, integer=True) for cost, _ in sets]
    for element in range(8):
        m.add_row(
            [(x, 1.0) for x, (_, members) in zip(xs, sets, strict=True) if element in members], lo=1
        )
    return m


def test_cpsat_is_offered() -> None:
    assert "cp-sat" in MIP_ENGINES


def test_doctest_example_has_the_same_optimum_on_cpsat() -> None:
    result = solve_mip(doctest_model(), engine="cp-sat", time_limit_s=5)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 4.0
    assert result.bound == 4.0
    assert list(result.values) == [0.0, 1.0]
    assert result.engine == "cp-sat"
    assert result.runtime_s > 0.0


@pytest.mark.parametrize(("build", "known"), [(knapsack10, -44.0), (set_cover10, 8.0)])
def test_ten_binaries_agree_with_brute_force_and_highs(
    build: Callable[[], LinearModel], known: float
) -> None:
    model = build()
    assert brute_force(model) == known
    optimal = (SolveStatus.OPTIMAL, known)
    assert solve_both(model) == (optimal, optimal)


def test_decimal_coefficients_solve_exactly() -> None:
    """Quarters and halves in rows and tenths in costs: scaled by 4-digit powers of ten, the
    optimum is exact (0.1 + 0.2 in floats, recomputed from the solution)."""
    m = LinearModel()
    a, b, c = (m.add_var(cost=cost, integer=True) for cost in (0.1, 0.2, 0.35))
    m.add_row([(a, 0.25), (b, 1.5), (c, 1.75)], lo=1.6)
    m.add_row([(a, 0.125), (c, 1.0)], hi=0.5)
    assert brute_force(m) == pytest.approx(0.3, abs=1e-15)
    result = solve_mip(m, engine="cp-sat", time_limit_s=5)
    assert result.status is SolveStatus.OPTIMAL
    assert list(result.values) == [1.0, 1.0, 0.0]
    assert result.objective == 0.1 + 0.2
    assert result.bound == pytest.approx(0.3, abs=1e-15)


def test_float_fuzz_and_repeated_terms_are_absorbed() -> None:
    """``0.1 * 3`` is 0.30000000000000004 in floats, and ``a`` appears twice in the row
    (0.05 + 0.05): scaled by ten, the row asks for all three binaries."""
    m = LinearModel()
    a, b, c = (m.add_var(cost=1.0, integer=True) for _ in range(3))
    m.add_row([(a, 0.05), (b, 0.1), (c, 0.1), (a, 0.05)], lo=0.1 * 3)
    result = solve_mip(m, engine="cp-sat", time_limit_s=5)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 3.0


def test_costs_no_power_of_ten_makes_integral_are_rounded_within_1e9() -> None:
    """Thirds and a large fixed cost: the objective scale goes beyond 10**6 and the optimum
    is still the right vector, with the objective recomputed from the model's costs."""
    m = LinearModel()
    xs = [m.add_var(cost=cost, integer=True) for cost in (1 / 3, 2 / 3, 1 / 7, 5000.0)]
    m.add_row([(x, 1.0) for x in xs], lo=2)
    result = solve_mip(m, engine="cp-sat", time_limit_s=5)
    assert result.status is SolveStatus.OPTIMAL
    assert list(result.values) == [1.0, 0.0, 1.0, 0.0]
    assert result.objective == 1 / 3 + 1 / 7
    assert result.bound == pytest.approx(result.objective, rel=1e-9)


def test_general_integer_with_derived_upper_bound() -> None:
    """An integer with no upper bound: the row ``x <= 10`` bounds it, and ``2x >= 7`` rounds
    up to x = 4."""
    m = LinearModel()
    x = m.add_var(cost=3.0, lb=0.0, ub=INF, integer=True)
    m.add_row([(x, 2.0)], lo=7.0)
    m.add_row([(x, 1.0)], hi=10.0)
    result = solve_mip(m, engine="cp-sat", time_limit_s=5)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 12.0


def test_unbounded_variable_raises() -> None:
    m = LinearModel()
    x = m.add_var(cost=1.0, lb=0.0, ub=INF, integer=True)
    m.add_row([(x, 1.0)], lo=1.0)
    with pytest.raises(ValueError, match="variable 0 is unbounded"):
        solve_mip(m, engine="cp-sat", time_limit_s=5)


def test_continuous_variable_raises() -> None:
    m = doctest_model()
    m.add_var(cost=1.0)
    with pytest.raises(ValueError, match="cp-sat needs integer data: variable 2 is continuous"):
        solve_mip(m, engine="cp-sat", time_limit_s=5)


def test_row_no_power_of_ten_makes_integral_raises() -> None:
    m = doctest_model()
    m.add_row([(0, 1 / 3), (1, 1.0)], hi=1.0)
    with pytest.raises(ValueError, match="cp-sat needs integer data: row 1"):
        solve_mip(m, engine="cp-sat", time_limit_s=5)


def infeasible_cover() -> LinearModel:
    """Three binaries, pairwise exclusive, of which two must be chosen."""
    m = LinearModel()
    xs = [m.add_var(cost=1.0, integer=True) for _ in range(3)]
    for i, j in itertools.combinations(xs, 2):
        m.add_row([(i, 1.0), (j, 1.0)], hi=1.0)
    m.add_row([(x, 1.0) for x in xs], lo=2.0)
    return m


def empty_domain() -> LinearModel:
    """An integer between 0.5 and 0.7."""
    m = LinearModel()
    m.add_var(cost=1.0, lb=0.5, ub=0.7, integer=True)
    return m


def fractional_equality() -> LinearModel:
    """``0.5a + 0.5b = 0.75``: scaled by ten, ``5a + 5b`` can never be 7.5."""
    m = LinearModel()
    a, b = m.add_var(cost=1.0, integer=True), m.add_var(cost=1.0, integer=True)
    m.add_row([(a, 0.5), (b, 0.5)], lo=0.75, hi=0.75)
    return m


def crossed_row_bounds() -> LinearModel:
    """A row ``1 <= a + b <= 0``: no activity fits (MathOpt rejects such a row outright)."""
    m = LinearModel()
    a, b = m.add_var(cost=1.0, integer=True), m.add_var(cost=1.0, integer=True)
    m.add_row([(a, 1.0), (b, 1.0)], lo=1.0, hi=0.0)
    return m


@pytest.mark.parametrize(
    "build", [infeasible_cover, empty_domain, fractional_equality, crossed_row_bounds]
)
def test_infeasible_model_reports_infeasible(build: Callable[[], LinearModel]) -> None:
    result = solve_with_cpsat(build(), time_limit_s=5, seed=0, relative_gap=1e-6)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.values.size == 0
    assert result.objective == INF


BOUND = st.one_of(st.just(None), st.integers(-6, 6))


@st.composite
def binary_models(draw: st.DrawFn) -> LinearModel:
    """Up to 8 binaries with integer costs and up to 4 rows of small integer coefficients."""
    n = draw(st.integers(1, 8))
    m = LinearModel()
    for _ in range(n):
        m.add_var(cost=draw(st.integers(-9, 9)), integer=True)
    for _ in range(draw(st.integers(0, 4))):
        coefs = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
        lo, hi = draw(BOUND), draw(BOUND)
        if lo is not None and hi is not None and lo > hi:
            # Crossed bounds are invalid input for MathOpt; see crossed_row_bounds.
            lo, hi = hi, lo
        m.add_row(
            [(i, float(c)) for i, c in enumerate(coefs) if c != 0],
            lo=-INF if lo is None else lo,
            hi=INF if hi is None else hi,
        )
    return m


@settings(max_examples=60, deadline=None)
@given(binary_models())
def test_random_binary_models_agree_with_highs_and_brute_force(model: LinearModel) -> None:
    known = brute_force(model)
    (highs_status, highs), (cpsat_status, cpsat) = solve_both(model)
    if math.isinf(known):
        assert highs_status is cpsat_status is SolveStatus.INFEASIBLE
    else:
        assert highs_status is cpsat_status is SolveStatus.OPTIMAL
        assert highs == pytest.approx(known, abs=1e-9)
        assert cpsat == known
