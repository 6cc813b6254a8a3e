r"""The location suite's MIP models, each written once against
:class:`solvers.mip.LinearModel`; the strategies that solve them are in
:mod:`solvers.facility_models`.

Notation: sites ``i`` with fixed cost ``f_i``, capacity ``s_i``, cold capacity ``Q_i``;
customers ``j`` with demand ``d_j`` and cold demand ``q_j``; ``c_ij`` serves all of ``j``
from ``i``, ``e_ij`` all of its cold goods, ``D_ij`` is the distance. ``y_i`` opens site
``i`` (fixed to 1 for existing or required sites, to 0 for forbidden ones); ``x_ij`` and
``z_ij`` are the shares of ``j``'s demand and cold demand that ``i`` serves.

Capacitated facility location (``cflp``; split demand, or single source with
``x, z ∈ {0, 1}``)::

    min  Σ_i f_i y_i + Σ_ij c_ij x_ij + Σ_ij e_ij z_ij
    s.t. Σ_i x_ij = 1                       ∀ j
         Σ_i z_ij = 1                       ∀ j with q_j > 0, over i with Q_i > 0
         x_ij ≤ y_i,  z_ij ≤ y_i            (the strong linking rows)
         Σ_j d_j x_ij + Σ_j q_j z_ij ≤ s_i y_i     ∀ i with finite s_i
         Σ_j q_j z_ij ≤ Q_i y_i                    ∀ i
         Σ_i s_i y_i ≥ Σ_j (d_j + q_j)             (aggregate capacity cut)

Uncapacitated facility location (``ufl``): the same without capacities.
p-median (``p_median``): no fixed costs, no capacities, ``Σ_i y_i = p``. Both solve in the
equivalent, far smaller radius formulation of :mod:`solvers.radius_model`.
p-center (``p_center``): ``min r`` s.t. ``Σ_i D_ij x_ij ≤ r`` ∀ j, ``Σ_i y_i = p``, with the
assignment and linking rows. The covering models are in :mod:`solvers.covering_models`.

Every model solves on every MIP backend of :func:`solvers.mip.solve_mip` (``cp-sat`` needs
every variable integer: shares then become 0/1, which changes nothing for the
uncapacitated, covering and single-source models).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from logistics.plans import SolveStatus
from solvers.facility import FacilityProblem, FacilityResult, site_vars
from solvers.location import LocateParams, run_mip
from solvers.mip import LinearModel, MipResult

__all__ = [
    "Handles",
    "Shares",
    "build_location_model",
    "needs_integers",
    "opened_sites",
    "solve_location_model",
    "split_relaxation",
]

Array = npt.NDArray[np.float64]

#: Engines whose variables must all be integer.
_INTEGER_ONLY = frozenset({"cp-sat"})


@dataclass
class Shares:
    """Share variables ``var[k]`` of customer ``customer[k]`` at site ``site[k]``, sorted
    by customer, then site."""

    site: npt.NDArray[np.int64]
    customer: npt.NDArray[np.int64]
    var: npt.NDArray[np.int64]
    #: The assignment rows ``Σ_i x_ij = 1``, one per customer with a share, in order.
    rows: range


@dataclass
class Handles:
    """The variables of a model: ``y`` by site index, the shares ``x`` and cold shares
    ``z``."""

    y: dict[int, int]
    x: Shares
    z: Shares
    #: Customers no site may serve (or no cold store, for their cold goods).
    unserved: list[int] = field(default_factory=list)


def needs_integers(params: LocateParams) -> bool:
    """Whether ``params``' engine takes integer variables only."""
    return params.engine in _INTEGER_ONLY


def _add_shares(
    model: LinearModel,
    y: dict[int, int],
    eligible: npt.NDArray[np.bool_],
    cost: Array | None,
    *,
    integer: bool,
) -> Shares:
    """Share variables for the ``eligible`` (site, customer) pairs of open-able sites,
    with their linking rows ``x_ij <= y_i`` (none where ``y_i`` is fixed to 1: the share's
    own bound says it) and assignment rows ``Σ_i x_ij = 1``."""
    sites = np.array(sorted(y), dtype=np.int64)
    mask = eligible[sites] if len(sites) else np.zeros((0, eligible.shape[1]), dtype=bool)
    customer, row = np.nonzero(mask.T)  # sorted by customer, then site
    site = sites[row]
    var = model.add_vars(
        len(site), cost=0.0 if cost is None else cost[site, customer], integer=integer
    )
    y_of = np.zeros(eligible.shape[0], dtype=np.int64)
    y_of[sites] = [y[i] for i in sites.tolist()]
    y_var = y_of[site]
    may_close = np.asarray(model.lb)[y_var] < 1.0
    n = int(may_close.sum())
    model.add_rows(
        np.arange(0, 2 * n + 1, 2),
        np.column_stack([var[may_close], y_var[may_close]]).ravel(),
        np.tile([1.0, -1.0], n),
        hi=0.0,
    )
    _, counts = np.unique(customer, return_counts=True)
    rows = model.add_rows(np.concatenate([[0], np.cumsum(counts)]), var, 1.0, lo=1.0, hi=1.0)
    return Shares(site, customer, var, rows)


def _per_site_rows(
    model: LinearModel,
    y: dict[int, int],
    shares: list[tuple[Shares, Array]],
    limit: Array,
) -> None:
    """``Σ amount * share <= limit_i * y_i`` for every site with a finite limit and
    something to carry."""
    site = np.concatenate([s.site for s, _ in shares])
    var = np.concatenate([s.var for s, _ in shares])
    amount = np.concatenate([a[s.customer] for s, a in shares])
    order = np.argsort(site, kind="stable")
    order = order[np.isfinite(limit[site[order]])]
    site, var, amount = site[order], var[order], amount[order]
    if not len(site):
        return
    # One row per site: its shares, then its y_i.
    sites, counts = np.unique(site, return_counts=True)
    ends = np.cumsum(counts)
    y_vars = np.array([y[i] for i in sites.tolist()], dtype=np.int64)
    model.add_rows(
        np.concatenate([[0], ends + np.arange(1, len(ends) + 1)]),
        np.insert(var, ends, y_vars),
        np.insert(amount, ends, -limit[sites]),
        hi=0.0,
    )


def solve_location_model(
    problem: FacilityProblem,
    params: LocateParams,
    name: str,
    *,
    capacitated: bool,
    single_source: bool,
    p: int | None = None,
    center: bool = False,
    cutoff: float | None = None,
    heuristics: bool = True,
    presolve: bool = True,
) -> FacilityResult:
    """``problem``'s model (see :func:`build_location_model`) solved by the MIP, as a
    result named ``name``; ``cutoff``, ``heuristics`` and ``presolve`` as in
    :func:`solvers.mip.solve_mip`."""
    t0 = time.perf_counter()
    model, handles = build_location_model(
        problem, params, capacitated=capacitated, single_source=single_source, p=p, center=center
    )
    result = run_mip(model, params, cutoff=cutoff, heuristics=heuristics, presolve=presolve)
    if needs_integers(params) and capacitated and not single_source:
        # Whole shares restrict split demand: a plan perhaps, but never a bound.
        status = SolveStatus.FEASIBLE if result.values.size else SolveStatus.NOT_SOLVED
        result = replace(result, status=status, bound=-math.inf)
    return _result(problem, params, name, result, handles, t0)


def build_location_model(
    problem: FacilityProblem,
    params: LocateParams,
    *,
    capacitated: bool,
    single_source: bool,
    p: int | None = None,
    center: bool = False,
) -> tuple[LinearModel, Handles]:
    """The model of the module docstring for ``problem``, and its variables."""
    model, y = site_vars(problem, LinearModel(), cost=p is None)
    integer = single_source or needs_integers(params)
    reachable = np.isfinite(problem.cost)
    x = _add_shares(model, y, reachable, None if center else problem.cost, integer=integer)
    sites = sorted(y)
    served = reachable[sites].any(axis=0) if sites else np.zeros(problem.n_customers, bool)
    if center:
        radius = model.add_var(cost=1.0, lb=0.0, ub=math.inf)
        _, counts = np.unique(x.customer, return_counts=True)
        ends = np.cumsum(counts)
        indices = np.insert(x.var, ends, radius)
        data = np.insert(problem.distance[x.site, x.customer], ends, -1.0)
        model.add_rows(np.concatenate([[0], ends + np.arange(1, len(ends) + 1)]), indices, data,
                       hi=0.0)  # fmt: skip
    cold = (problem.cold_demand > 0)[None, :] & (problem.cold_capacity > 0)[:, None]
    cold &= np.isfinite(problem.cold_cost) & reachable
    z = _add_shares(model, y, cold, problem.cold_cost, integer=integer)
    # Customers no site reaches, and those whose cold goods no cold store takes.
    no_store = (problem.cold_demand > 0) & ~np.isin(np.arange(problem.n_customers), z.customer)
    unserved = np.flatnonzero(~served | (served & no_store)).tolist()
    if p is not None:
        model.add_row([(v, 1.0) for v in y.values()], lo=p, hi=p)
    if capacitated:
        _per_site_rows(model, y, [(x, problem.demand), (z, problem.cold_demand)], problem.capacity)
        _per_site_rows(model, y, [(z, problem.cold_demand)], problem.cold_capacity)
        total = float(problem.demand[np.unique(x.customer)].sum())
        total += float(problem.cold_demand[np.unique(z.customer)].sum())
        caps = [float(problem.capacity[i]) for i in y]
        if all(math.isfinite(c) for c in caps):
            model.add_row([(y[i], float(problem.capacity[i])) for i in y], lo=total)
    return model, Handles(y, x, z, unserved)


def split_relaxation(problem: FacilityProblem, params: LocateParams) -> tuple[Array, Array] | None:
    """The strong linear relaxation of split-demand ``cflp`` on ``problem``, by HiGHS:
    the duals of its rows ``Σ_i x_ij = 1`` (one per customer with a share) and its
    ``y_i`` by site index (0 for sites that may not open); ``None`` when it was not
    solved to optimality."""
    model, handles = build_location_model(problem, params, capacitated=True, single_source=False)
    answer = run_mip(model.relaxed(), replace(params, engine="highs"), presolve=False)
    if answer.duals.size == 0:
        return None
    y = np.zeros(problem.n_sites)
    for i, var in handles.y.items():
        y[i] = answer.values[var]
    return answer.duals[handles.x.rows], y


def opened_sites(problem: FacilityProblem, result: MipResult, y: dict[int, int]) -> list[int]:
    """The sites whose ``y`` the MIP's answer sets (none without an answer)."""
    if result.values.size == 0:
        return []
    return [i for i, v in y.items() if result.values[v] > 0.5]


def _result(
    problem: FacilityProblem,
    params: LocateParams,
    name: str,
    result: MipResult,
    h: Handles,
    t0: float,
) -> FacilityResult:
    values = result.values

    def shares(handles: Shares) -> tuple[tuple[str, str, float], ...]:
        if values.size == 0:
            return ()
        amounts = values[handles.var]
        keep = np.flatnonzero(amounts > 1e-9)
        return tuple(
            (problem.customer_ids[j], problem.site_ids[i], round(float(v), 9))
            for i, j, v in zip(
                handles.site[keep].tolist(),
                handles.customer[keep].tolist(),
                amounts[keep].tolist(),
                strict=True,
            )
        )

    return FacilityResult(
        model=name,
        open=tuple(problem.site_ids[i] for i in opened_sites(problem, result, h.y)),
        assignment=shares(h.x),
        cold_assignment=shares(h.z),
        objective=result.objective,
        bound=result.bound,
        status=result.status,
        runtime_s=time.perf_counter() - t0,
        engine=result.engine,
        seed=params.seed,
        unserved=tuple(problem.customer_ids[j] for j in h.unserved),
    )
