r"""Uncapacitated location (``ufl``) and p-median in the radius formulation.

Without capacities every customer goes whole to its cheapest open site, so the model
need only know, for each customer ``j``, how far up its own list of costs it must go.
Let ``D_j1 < D_j2 < … < D_jK`` be the distinct costs ``c_ij`` of the sites that may serve
``j``, and ``z_jk = 1`` when no open site serves ``j`` at ``D_jk`` or less::

    min  Σ_i f_i y_i + Σ_j ( D_j1 + Σ_{k<K} (D_j,k+1 − D_jk) z_jk )
    s.t. z_j1 + Σ_{i: c_ij = D_j1} y_i ≥ 1
         z_jk − z_j,k−1 + Σ_{i: c_ij = D_jk} y_i ≥ 0         1 < k ≤ K  (z_jK = 0)
         Σ_i y_i = p                                          (p-median; f = 0)
         0 ≤ z ≤ 1,  y ∈ {0, 1}

Summing the chain gives Elloumi's rows ``z_jk ≥ 1 − Σ_{i: c_ij ≤ D_jk} y_i``; as
``y ≥ 0``, the least ``z`` of both is ``max(0, 1 − Σ_{c_ij ≤ D_jk} y_i)``, so the linear
relaxation is that of the classical strong formulation (``x_ij ≤ y_i``) and an integer
``y`` makes ``z`` integer. Each site enters one row per customer: at most ``m n``
nonzeros, and ``n K`` variables in place of ``m n`` shares, which is far fewer when costs
repeat (shortest-path lengths of a road graph in whole metres or minutes, OR-Library's
p-median graphs). A site that must open ends its customers' lists at its own cost; so,
in p-median, does a level within which lie more sites than may stay closed.

Cold goods (chilled or frozen demand, to cold stores only) are a second list per
customer over the cold stores, with their own costs ``e_ij``.

References
----------
S. Elloumi, "A tighter formulation of the p-median problem", J. Comb. Optim. 19 (2010)
69–83. S. García, M. Labbé and A. Marín, "Solving large p-median problems with a radius
formulation", INFORMS J. Comput. 23 (2011) 546–556.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from solvers.facility import FacilityProblem, FacilityResult, SiteChoice, site_vars
from solvers.location import LocateParams, run_mip
from solvers.mip import LinearModel

__all__ = ["nearest_assignment", "solve_radius_model"]

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]


def solve_radius_model(
    problem: FacilityProblem,
    params: LocateParams,
    name: str,
    *,
    p: int | None = None,
    integer: bool = False,
    cutoff: float | None = None,
    heuristics: bool = True,
) -> FacilityResult:
    """UFL (``p=None``: fixed costs count) or p-median (``p`` sites, no fixed costs) in the
    radius formulation (module docstring), each customer assigned to its cheapest open
    site; ``integer`` makes ``z`` integer too (for integer-only engines), ``cutoff`` and
    ``heuristics`` as in :func:`~solvers.mip.solve_mip`."""
    t0 = time.perf_counter()
    model, y = site_vars(problem, LinearModel(), cost=p is None)
    may_open = np.zeros(problem.n_sites, bool)
    may_open[list(y)] = True
    must_open = np.array([c is SiteChoice.OPEN for c in problem.choice])
    y_var = np.full(problem.n_sites, -1, dtype=np.int64)
    y_var[list(y)] = list(y.values())
    plain = np.where(may_open[:, None], problem.cost, np.inf)
    served = np.isfinite(plain).any(axis=0)
    # With p sites open, at most (sites that may open) - p are closed: any one more
    # sites hold an open one.
    surely = None if p is None else len(y) - p + 1
    _add_lists(model, plain, y_var, must_open, integer=integer, surely_open=surely)
    cold_sites = may_open & (problem.cold_capacity > 0)
    cold = np.where(cold_sites[:, None], problem.cold_cost, np.inf)
    cold[~np.isfinite(plain) | ~(problem.cold_demand > 0)[None, :]] = np.inf
    _add_lists(model, cold, y_var, must_open, integer=integer, surely_open=surely)
    # Customers no site reaches, and those whose cold goods no cold store takes.
    unserved = ~served | ((problem.cold_demand > 0) & ~np.isfinite(cold).any(axis=0))
    if p is not None:
        model.add_row([(v, 1.0) for v in y.values()], lo=p, hi=p)
    result = run_mip(model, params, cutoff=cutoff, heuristics=heuristics)
    opened = [i for i, v in y.items() if result.values.size and result.values[v] > 0.5]
    plan_cost = result.objective
    assignment: tuple[tuple[str, str, float], ...] = ()
    cold_assignment: tuple[tuple[str, str, float], ...] = ()
    if opened:
        assignment, plain_cost = nearest_assignment(problem, plain, opened)
        cold_assignment, cold_cost = nearest_assignment(problem, cold, opened)
        fixed = float(problem.fixed_cost[opened].sum()) if p is None else 0.0
        plan_cost = fixed + plain_cost + cold_cost
    return FacilityResult(
        model=name,
        open=tuple(problem.site_ids[i] for i in opened),
        assignment=assignment,
        cold_assignment=cold_assignment,
        objective=plan_cost,
        bound=min(result.bound, plan_cost),
        status=result.status,
        runtime_s=time.perf_counter() - t0,
        engine=result.engine,
        seed=params.seed,
        unserved=tuple(problem.customer_ids[j] for j in np.flatnonzero(unserved).tolist()),
    )


def _add_lists(
    model: LinearModel,
    cost: Array,
    y_var: npt.NDArray[np.int64],
    must_open: Mask,
    *,
    integer: bool,
    surely_open: int | None = None,
) -> None:
    """The chain of rows of every customer with a finite cost in ``cost`` (sites ×
    customers, ``inf`` where a site may not serve), up to the first level holding a site
    that must open or, when any ``surely_open`` sites include an open one, holding that
    many sites; the constant ``D_j1`` goes into the model's offset."""
    site, customer = np.nonzero(np.isfinite(cost))
    if site.size == 0:
        return
    value = cost[site, customer]
    order = np.lexsort((site, value, customer))
    site, customer, value = site[order], customer[order], value[order]
    first_of_customer = np.ones(site.size, bool)
    first_of_customer[1:] = customer[1:] != customer[:-1]
    new_level = first_of_customer.copy()
    new_level[1:] |= value[1:] != value[:-1]
    level = np.cumsum(new_level) - 1  # one number per (customer, cost), in that order
    n_levels = int(level[-1]) + 1
    level_value = value[new_level]
    level_first = first_of_customer[new_level]
    level_last = np.append(level_first[1:], True)
    # A level holding a site that must open ends its customer's list there: that level
    # and those above it need no rows.
    list_of_level = np.cumsum(level_first) - 1
    ending = np.full(n_levels, n_levels)
    ending[level[must_open[site]]] = level[must_open[site]]
    if surely_open is not None:
        position = np.arange(site.size)
        within = position - np.maximum.accumulate(np.where(first_of_customer, position, 0)) + 1
        full = np.flatnonzero(np.maximum.reduceat(within, np.flatnonzero(new_level)) >= surely_open)
        ending[full] = full
    end_of_list = np.minimum.reduceat(ending, np.flatnonzero(level_first))
    keep = np.arange(n_levels) < end_of_list[list_of_level]
    kept = np.flatnonzero(keep)
    model.offset += float(level_value[level_first].sum())
    if kept.size == 0:
        return
    # z of a level costs the step to its list's next level; the last level of a list no
    # site ends has no next, and its z is 0: some site within the list must serve.
    step = np.where(level_last, 0.0, np.append(level_value[1:], 0.0) - level_value)
    z = np.full(n_levels, -1, dtype=np.int64)
    z[kept] = model.add_vars(len(kept), cost=step[kept], integer=integer)
    model.ub[int(z[kept[0]]) :] = np.where(level_last[kept], 0.0, 1.0).tolist()
    # One row per kept level: z_k − z_(k−1) + Σ y ≥ 1 on a list's first level, else 0.
    row_of = np.cumsum(keep) - 1
    on_kept = z[level] >= 0
    chained = kept[~level_first[kept]]
    rows = np.concatenate([row_of[level[on_kept]], row_of[kept], row_of[chained]])
    cols = np.concatenate([y_var[site[on_kept]], z[kept], z[chained - 1]])
    coefficients = np.concatenate(
        [np.ones(int(on_kept.sum())), np.ones(len(kept)), -np.ones(len(chained))]
    )
    order = np.argsort(rows, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(kept)))])
    model.add_rows(indptr, cols[order], coefficients[order], lo=level_first[kept].astype(float))


def nearest_assignment(
    problem: FacilityProblem, cost: Array, opened: Sequence[int]
) -> tuple[tuple[tuple[str, str, float], ...], float]:
    """Each customer with a finite ``cost`` (sites × customers) at an ``opened`` site, sent
    whole to the cheapest (the first of equals), and the summed cost."""
    sub = cost[list(opened)]
    best = np.argmin(sub, axis=0)
    js = np.flatnonzero(np.isfinite(sub).any(axis=0))
    sites = np.asarray(opened)[best[js]]
    total = float(cost[sites, js].sum())
    return tuple(
        (problem.customer_ids[j], problem.site_ids[i], 1.0)
        for i, j in zip(sites.tolist(), js.tolist(), strict=True)
    ), total
