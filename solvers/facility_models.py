r"""The location suite's models, each written once against :class:`solvers.mip.LinearModel`.

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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from logistics.plans import SolveStatus
from solvers.cflp_heuristic import CflpBound, cflp_from_relaxation, solve_cflp_heuristic
from solvers.facility import FacilityProblem, FacilityResult, SiteChoice, site_vars
from solvers.location import LocateParams, run_mip
from solvers.mip import LinearModel, MipResult
from solvers.p_median_branch import branch_p_median
from solvers.p_median_heuristic import PMedianBound, solve_p_median_heuristic
from solvers.radius_model import nearest_assignment, solve_radius_model

__all__ = [
    "solve_cflp",
    "solve_p_center",
    "solve_p_median",
    "solve_ufl",
]

Array = npt.NDArray[np.float64]

#: Engines whose variables must all be integer.
_INTEGER_ONLY = frozenset({"cp-sat"})
#: Most of the time limit a Lagrangian heuristic may take before the MIP (it usually
#: stops well before, when its search stalls).
HEURISTIC_SHARE = 0.3
#: Share of the time left after the p-median heuristic for the branch-and-bound over its
#: Lagrangian bound (:mod:`solvers.p_median_branch`); the MIP gets the rest when that
#: does not prove the plan.
BRANCH_SHARE = 0.5
#: Split-demand capacitated problems with fewer site-customer pairs than this start
#: from the strong linear relaxation (:func:`_split_by_relaxation`), which HiGHS solves
#: in 10–40 ms on OR-Library's cap instances (50 × 50); larger ones (100 × 1,000, whose
#: relaxation took HiGHS 37 s) start from the subgradient heuristic.
HEURISTIC_MIN_PAIRS = 10_000
#: After the split-demand heuristic, the share of the time limit for the MIP restricted
#: to each customer's cheapest sites (:func:`_near_plan`), and how many it keeps.
NEAR_PLAN_SHARE = 0.15
NEAR_PLAN_ARCS = 8


def solve_cflp(
    problem: FacilityProblem, params: LocateParams, *, single_source: bool = False
) -> FacilityResult:
    """Capacitated facility location, split demand or single source (module docstring).

    Split demand of one commodity, every customer within reach: from the strong linear
    relaxation with HiGHS (:func:`_split_by_relaxation`), or from the subgradient
    heuristic when there are :data:`HEURISTIC_MIN_PAIRS` site-customer pairs or more
    (:func:`_split_by_subgradient`); either way the MIP only decides the sites their
    bound leaves open. Otherwise, and on engines other than ``highs`` for the smaller
    problems, the MIP solves the whole model.

    Examples
    --------
    Two sites of capacity 10, each costing 5 to open; customers of demand 6 and 6 cannot
    share one site, so both open:

    >>> problem = FacilityProblem.from_cost_matrix(
    ...     [[1, 2], [2, 1]], demand=[6, 6], fixed_cost=[5, 5], capacity=[10, 10])
    >>> result = solve_cflp(problem, LocateParams(time_limit_s=10))
    >>> result.open, result.objective, result.status.value
    (('0', '1'), 12.0, 'optimal')
    """
    if single_source or not _split_one_commodity(problem):
        name = "cflp-single" if single_source else "cflp"
        return _solve(problem, params, name, capacitated=True, single_source=single_source)
    if problem.cost.size >= HEURISTIC_MIN_PAIRS:
        return _split_by_subgradient(problem, params)
    if params.engine == "highs":
        return _split_by_relaxation(problem, params)
    return _solve(problem, params, "cflp", capacitated=True, single_source=False)


def _split_by_subgradient(problem: FacilityProblem, params: LocateParams) -> FacilityResult:
    """Split demand on a large instance: the Lagrangian heuristic (subgradient
    optimisation), a small MIP near its plan, then the MIP over the sites it left open."""
    t0 = time.perf_counter()
    allowed, required = _choice_masks(problem)
    heuristic = solve_cflp_heuristic(
        problem.cost,
        problem.demand,
        problem.fixed_cost,
        problem.capacity,
        time_limit_s=params.time_limit_s * HEURISTIC_SHARE,
        allowed=allowed,
        required=required,
    )
    plan = _shares_plan(problem, heuristic)
    objective = heuristic.objective
    if not heuristic.proven_optimal and math.isfinite(objective):
        # A small MIP near the heuristic's plan often finds a cheaper one quickly.
        narrow = _near_plan(problem, heuristic)
        sub = _solve(
            narrow,
            replace(params, time_limit_s=params.time_limit_s * NEAR_PLAN_SHARE),
            "cflp",
            capacitated=True,
            single_source=False,
            cutoff=_cutoff(objective, params),
        )
        if sub.objective < objective and not sub.unserved:
            plan, objective = (sub.open, sub.assignment), sub.objective
    return _refine(problem, params, "cflp", heuristic, plan, t0, objective=objective)


def _split_by_relaxation(problem: FacilityProblem, params: LocateParams) -> FacilityResult:
    """Split demand with HiGHS: the strong linear relaxation's duals give the Lagrangian
    bound, its open sites the plans and the fixed sites
    (:func:`~solvers.cflp_heuristic.cflp_from_relaxation`); the MIP, restricted to the
    sites left open to choice, then only has to prove the plan or find a cheaper one."""
    t0 = time.perf_counter()
    model, handles = _build(problem, params, capacitated=True, single_source=False)
    relaxation = run_mip(model.relaxed(), params, presolve=False)
    if relaxation.duals.size == 0:  # not solved to optimality: the MIP says why
        left = max(params.time_limit_s - (time.perf_counter() - t0), 0.1)
        return _solve(problem, replace(params, time_limit_s=left), "cflp", capacitated=True,
                      single_source=False)  # fmt: skip
    shares = np.zeros(problem.n_sites)
    for i, var in handles.y.items():
        shares[i] = relaxation.values[var]
    allowed, required = _choice_masks(problem)
    bound = cflp_from_relaxation(
        problem.cost,
        problem.demand,
        problem.fixed_cost,
        problem.capacity,
        multipliers=relaxation.duals[handles.x.rows],
        site_shares=shares,
        time_limit_s=max(params.time_limit_s - (time.perf_counter() - t0), 0.0),
        allowed=allowed,
        required=required,
    )
    return _refine(
        problem,
        params,
        "cflp",
        bound,
        _shares_plan(problem, bound),
        t0,
        engine="highs lp + lagrangian",
        prove_only=True,
    )


def _shares_plan(
    problem: FacilityProblem, bound: CflpBound
) -> tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]]:
    """Site ids of the heuristic's plan and its shares, customer by customer."""
    x = bound.shares
    customer, site = np.nonzero(x.T > 1e-9)
    assignment = tuple(
        (problem.customer_ids[j], problem.site_ids[i], round(float(x[i, j]), 9))
        for i, j in zip(site.tolist(), customer.tolist(), strict=True)
    )
    return tuple(problem.site_ids[i] for i in bound.open), assignment


def _near_plan(problem: FacilityProblem, heuristic: CflpBound) -> FacilityProblem:
    """``problem`` with the heuristic's fixed sites, where each customer may only use its
    :data:`NEAR_PLAN_ARCS` cheapest sites that may open, and the one(s) serving it in
    the heuristic's plan: its plans are plans of ``problem``, and the heuristic's is one
    of them."""
    fixed = _with_fixings(problem, heuristic)
    may_open, _ = _choice_masks(fixed)
    cost = np.where(may_open[:, None], problem.cost, np.inf)
    rank = np.argsort(np.argsort(cost, axis=0, kind="stable"), axis=0)
    keep = ((rank < NEAR_PLAN_ARCS) & np.isfinite(cost)) | (heuristic.shares > 0)
    return replace(fixed, cost=np.where(keep, problem.cost, np.inf))


def _with_fixings(problem: FacilityProblem, heuristic: PMedianBound | CflpBound) -> FacilityProblem:
    """``problem`` with the sites a Lagrangian heuristic fixed open or closed."""
    choice = list(problem.choice)
    for i in heuristic.fixed_closed:
        choice[i] = SiteChoice.CLOSED
    for i in heuristic.fixed_open:
        choice[i] = SiteChoice.OPEN
    return replace(problem, choice=tuple(choice))


def _cutoff(objective: float, params: LocateParams) -> float | None:
    """Only plans cheaper than ``objective`` by more than half the gap tolerance are of
    use to a MIP that already has a plan of that cost."""
    if not math.isfinite(objective):
        return None
    return objective - params.relative_gap / 2 * abs(objective)


def _split_one_commodity(problem: FacilityProblem) -> bool:
    """Whether the Lagrangian bound of :mod:`solvers.cflp_heuristic` models ``problem``:
    one commodity, every capacity finite, every customer within reach of a site."""
    allowed, _ = _choice_masks(problem)
    reach = np.isfinite(problem.cost[allowed]).any(axis=0)
    return (
        not np.any(problem.cold_demand > 0)
        and bool(np.all(np.isfinite(problem.capacity)))
        and bool(reach.all())
    )


def solve_ufl(problem: FacilityProblem, params: LocateParams) -> FacilityResult:
    """Uncapacitated facility location (module docstring), solved in the radius
    formulation (:mod:`solvers.radius_model`)."""
    return solve_radius_model(problem, params, "ufl", integer=needs_integers(params))


def solve_p_median(problem: FacilityProblem, p: int, params: LocateParams) -> FacilityResult:
    """Open exactly ``p`` sites, minimising the total serving cost (module docstring).

    First a Lagrangian heuristic (:mod:`solvers.p_median_heuristic`, at most
    :data:`HEURISTIC_SHARE` of the time) finds a plan and a bound, and fixes the sites
    that no cheaper plan can do without or use; when that does not prove the plan
    optimal, branch-and-bound over the Lagrangian bound (:mod:`solvers.p_median_branch`,
    :data:`BRANCH_SHARE` of the time left) tries, and then the MIP solves what is left;
    the better plan wins. The bound is the
    stronger of the Lagrangian bound and ``min(plan, MIP bound)``: sites fixed closed are
    in no plan cheaper than the heuristic's. With whole-number costs, a bound within 1 of
    the plan proves it.

    Examples
    --------
    >>> problem = FacilityProblem.from_cost_matrix([[0, 3, 9], [3, 0, 4], [9, 4, 0]])
    >>> result = solve_p_median(problem, 1, LocateParams(time_limit_s=10))
    >>> result.open, result.objective, result.status.value
    (('1',), 7.0, 'optimal')
    """
    t0 = time.perf_counter()
    allowed, required = _choice_masks(problem)
    heuristic = solve_p_median_heuristic(
        problem.cost,
        p,
        time_limit_s=params.time_limit_s * HEURISTIC_SHARE,
        seed=params.seed,
        allowed=allowed,
        required=required,
    )
    if not heuristic.proven_optimal:
        left = max(params.time_limit_s - (time.perf_counter() - t0), 0.0)
        heuristic = branch_p_median(
            problem.cost,
            p,
            heuristic,
            time_limit_s=left * BRANCH_SHARE,
            allowed=allowed,
            required=required,
            relative_gap=params.relative_gap,
        )
    plan = _nearest_plan(problem, heuristic.open)
    finite = problem.cost[np.isfinite(problem.cost)]
    whole = bool(np.all(finite == np.round(finite)))
    return _refine(problem, params, "p-median", heuristic, plan, t0, whole=whole, p=p)


def _choice_masks(problem: FacilityProblem) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Which sites may open, and which must."""
    choice = np.array([c.value for c in problem.choice])
    return choice != SiteChoice.CLOSED.value, choice == SiteChoice.OPEN.value


def _refine(
    problem: FacilityProblem,
    params: LocateParams,
    name: str,
    heuristic: PMedianBound | CflpBound,
    plan: tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]],
    t0: float,
    *,
    whole: bool = False,
    p: int | None = None,
    objective: float | None = None,
    engine: str = "lagrangian",
    prove_only: bool = False,
) -> FacilityResult:
    """The result of a Lagrangian heuristic's ``plan``, refined by the MIP unless the
    heuristic proved it: the MIP solves the problem with the heuristic's fixed sites,
    seeking only plans cheaper than the heuristic's by more than the gap, and the
    better plan wins. The bound is the stronger of the Lagrangian bound and
    ``min(plan, MIP bound)``: sites fixed closed are in no plan cheaper than the
    heuristic's, so that bound holds for the whole problem. With ``whole``-number
    optima, a bound within 1 of the plan proves it. ``objective`` is the cost of
    ``plan`` when that is not the heuristic's own; ``engine`` names what found the
    plan. ``prove_only`` runs the capacitated MIP without primal heuristics and
    presolve: on OR-Library's cap instances, after the fixings, both cost more than
    they save."""
    bound = heuristic.lower_bound
    objective = heuristic.objective if objective is None else objective
    if not heuristic.proven_optimal:
        left = max(params.time_limit_s - (time.perf_counter() - t0), 0.1)
        fixed, rest = _with_fixings(problem, heuristic), replace(params, time_limit_s=left)
        cutoff = _cutoff(objective, params)
        if p is None:
            mip = _solve(
                fixed,
                rest,
                name,
                capacitated=True,
                single_source=False,
                cutoff=cutoff,
                heuristics=not prove_only,
                presolve=not prove_only,
            )
        else:
            # The heuristic's plan is usually optimal: the MIP is there to prove it.
            mip = solve_radius_model(
                fixed,
                rest,
                name,
                p=p,
                integer=needs_integers(rest),
                cutoff=cutoff,
                heuristics=False,
            )
        engine = f"{engine} + {mip.engine}"
        if mip.objective < objective:
            plan, objective = (mip.open, mip.assignment), mip.objective
        bound = max(bound, min(heuristic.objective, mip.bound))
    status = SolveStatus.FEASIBLE
    if _proves(objective, bound, params.relative_gap, whole=whole):
        # Within the gap, or within 1 of a whole-number optimum: then the bound is it.
        status = SolveStatus.OPTIMAL
        if objective - bound > params.relative_gap * max(abs(objective), 1e-9):
            bound = objective
    elif not math.isfinite(objective):
        status = SolveStatus.NOT_SOLVED
    return FacilityResult(
        model=name,
        open=plan[0],
        assignment=plan[1],
        objective=objective,
        bound=bound,
        status=status,
        runtime_s=time.perf_counter() - t0,
        engine=engine,
        seed=params.seed,
    )


def _nearest_plan(
    problem: FacilityProblem, opened: Sequence[int]
) -> tuple[tuple[str, ...], tuple[tuple[str, str, float], ...]]:
    """Site ids of ``opened`` and each customer sent whole to its cheapest one."""
    assignment, _ = nearest_assignment(problem, problem.cost, opened)
    return tuple(problem.site_ids[i] for i in opened), assignment


def _proves(objective: float, bound: float, relative_gap: float, *, whole: bool) -> bool:
    """Whether ``bound`` proves ``objective`` optimal: within the relative gap, or for a
    ``whole``-number optimum, by less than 1 (the optimum is a whole number at least the
    bound)."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return False
    if objective - bound <= relative_gap * max(abs(objective), 1e-9):
        return True
    return whole and math.ceil(bound - 1e-9) >= objective


def solve_p_center(problem: FacilityProblem, p: int, params: LocateParams) -> FacilityResult:
    """Open exactly ``p`` sites, minimising the longest distance to a customer's site."""
    return _solve(
        problem, params, "p-center", capacitated=False, single_source=True, p=p, center=True
    )


# --- building blocks --------------------------------------------------------------------


@dataclass
class _Shares:
    """Share variables ``var[k]`` of customer ``customer[k]`` at site ``site[k]``, sorted
    by customer, then site."""

    site: npt.NDArray[np.int64]
    customer: npt.NDArray[np.int64]
    var: npt.NDArray[np.int64]
    #: The assignment rows ``Σ_i x_ij = 1``, one per customer with a share, in order.
    rows: range


@dataclass
class _Handles:
    y: dict[int, int]
    x: _Shares
    z: _Shares
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
) -> _Shares:
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
    return _Shares(site, customer, var, rows)


def _per_site_rows(
    model: LinearModel,
    y: dict[int, int],
    shares: list[tuple[_Shares, Array]],
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


def _solve(
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
    t0 = time.perf_counter()
    model, handles = _build(
        problem, params, capacitated=capacitated, single_source=single_source, p=p, center=center
    )
    result = run_mip(model, params, cutoff=cutoff, heuristics=heuristics, presolve=presolve)
    if needs_integers(params) and capacitated and not single_source:
        # Whole shares restrict split demand: a plan perhaps, but never a bound.
        status = SolveStatus.FEASIBLE if result.values.size else SolveStatus.NOT_SOLVED
        result = replace(result, status=status, bound=-math.inf)
    return _result(problem, params, name, result, handles, t0)


def _build(
    problem: FacilityProblem,
    params: LocateParams,
    *,
    capacitated: bool,
    single_source: bool,
    p: int | None = None,
    center: bool = False,
) -> tuple[LinearModel, _Handles]:
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
    return model, _Handles(y, x, z, unserved)


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
    h: _Handles,
    t0: float,
) -> FacilityResult:
    values = result.values

    def shares(handles: _Shares) -> tuple[tuple[str, str, float], ...]:
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
