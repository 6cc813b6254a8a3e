"""The radius formulation of UFL and p-median: a case worked by hand, and agreement with
the classical strong formulation (``x_ij <= y_i``) on every backend, with required,
forbidden and unreachable sites and cold goods."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.plans import SolveStatus
from solvers import facility_mip
from solvers.facility import FacilityProblem, SiteChoice
from solvers.location import LocateParams
from solvers.mip import LinearModel
from solvers.radius_model import _add_lists, solve_radius_model

HIGHS = LocateParams(time_limit_s=20)


def test_rows_of_one_customer_worked_by_hand() -> None:
    """Sites 0, 1, 2 serve the customer at 4, 7, 4: two levels, 4 and 7. The model is
    ``4 + 3 z_1`` with ``z_1 + y_0 + y_2 >= 1`` and ``z_2 - z_1 + y_1 >= 0``, ``z_2 = 0``
    (someone must serve)."""
    model = LinearModel()
    y = model.add_vars(3, integer=True)
    cost = np.array([[4.0], [7.0], [4.0]])
    _add_lists(model, cost, y, np.zeros(3, bool), integer=False)
    assert model.offset == 4.0
    assert model.cost[3:] == [3.0, 0.0] and model.ub[3:] == [1.0, 0.0]
    rows = sorted((sorted(terms), lo, hi) for terms, lo, hi in model.rows)
    assert rows == [
        ([(0, 1.0), (2, 1.0), (3, 1.0)], 1.0, np.inf),
        ([(1, 1.0), (3, -1.0), (4, 1.0)], 0.0, np.inf),
    ]


def test_a_site_that_must_open_ends_the_list() -> None:
    """Site 1 (cost 7) must open: the customer costs 4 or 7, one row, no last level."""
    model = LinearModel()
    y = model.add_vars(3, integer=True)
    _add_lists(model, np.array([[4.0], [7.0], [9.0]]), y, np.array([False, True, False]),
               integer=False)  # fmt: skip
    assert model.offset == 4.0 and model.cost[3:] == [3.0]
    assert [(sorted(t), lo) for t, lo, _ in model.rows] == [([(0, 1.0), (3, 1.0)], 1.0)]


def test_p_median_on_a_line() -> None:
    """Villages at 0, 1, 2, 10, 11 on a line, every village a site: two medians at 1 and
    10 cost 1 + 0 + 1 + 0 + 1 = 3."""
    x = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    problem = FacilityProblem.from_cost_matrix(np.abs(x[:, None] - x[None, :]))
    result = solve_radius_model(problem, HIGHS, "p-median", p=2)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 3.0 and set(result.open) in ({"1", "3"}, {"1", "4"})
    assert len(result.assignment) == 5


def random_problem(seed: int) -> FacilityProblem:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 6)), int(rng.integers(1, 7))
    cost = rng.integers(0, 6, size=(m, n)).astype(float)
    cost[rng.random((m, n)) < 0.15] = np.inf
    problem = FacilityProblem.from_cost_matrix(
        cost,
        fixed_cost=rng.integers(0, 10, size=m),
        cold_demand=rng.integers(0, 2, size=n) * rng.random(n),
        cold_cost=rng.integers(0, 6, size=(m, n)),
        cold_capacity=rng.integers(0, 2, size=m),
    )
    choices = (SiteChoice.FREE, SiteChoice.FREE, SiteChoice.OPEN, SiteChoice.CLOSED)
    return replace(problem, choice=tuple(choices[k] for k in rng.integers(0, 4, size=m)))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    p=st.sampled_from([None, 1, 2]),
    engine=st.sampled_from(["highs", "scip", "cbc", "cp-sat"]),
)
def test_agrees_with_the_classical_formulation(seed: int, p: int | None, engine: str) -> None:
    problem = random_problem(seed)
    if p is not None and p > problem.n_sites:
        return
    params = LocateParams(time_limit_s=20, engine=engine)
    classical = facility_mip.solve_location_model(
        problem, params, "x", capacitated=False, single_source=False, p=p
    )
    radius = solve_radius_model(problem, params, "x", p=p, integer=engine == "cp-sat")
    assert radius.status is classical.status
    assert set(radius.unserved) == set(classical.unserved)
    if classical.status is SolveStatus.OPTIMAL:
        assert radius.objective == pytest.approx(classical.objective)
        # The plan costs what it says: fixed costs (UFL) and each customer's cheapest.
        opened = [problem.site_ids.index(s) for s in radius.open]
        fixed = float(problem.fixed_cost[opened].sum()) if p is None else 0.0
        plain = sum(problem.cost[int(s), int(c)] for c, s, _ in radius.assignment)
        cold = sum(problem.cold_cost[int(s), int(c)] for c, s, _ in radius.cold_assignment)
        assert fixed + plain + cold == pytest.approx(radius.objective)
