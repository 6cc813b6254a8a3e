r"""How the location suite solves its models (written in :mod:`solvers.facility_mip`):
capacitated facility location with split demand or single sourcing, uncapacitated
location, p-median and p-center.

Split demand and p-median start from a Lagrangian bound (:mod:`solvers.cflp_heuristic`,
:mod:`solvers.p_median_heuristic`) that gives a plan and fixes sites; the MIP then only
decides the sites left open and seeks only plans cheaper than the one in hand.
Uncapacitated location and p-median solve in the radius formulation of
:mod:`solvers.radius_model`; the covering models are in :mod:`solvers.covering_models`."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from logistics.plans import SolveStatus
from solvers.cflp_heuristic import CflpBound, cflp_from_relaxation, solve_cflp_heuristic
from solvers.facility import FacilityProblem, FacilityResult, SiteChoice
from solvers.facility_mip import needs_integers, solve_location_model, split_relaxation
from solvers.location import LocateParams
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
        return solve_location_model(
            problem, params, name, capacitated=True, single_source=single_source
        )
    if problem.cost.size >= HEURISTIC_MIN_PAIRS:
        return _split_by_subgradient(problem, params)
    if params.engine == "highs":
        return _split_by_relaxation(problem, params)
    return solve_location_model(problem, params, "cflp", capacitated=True, single_source=False)


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
        sub = solve_location_model(
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
    relaxation = split_relaxation(problem, params)
    if relaxation is None:  # not solved to optimality: the MIP says why
        left = max(params.time_limit_s - (time.perf_counter() - t0), 0.1)
        rest = replace(params, time_limit_s=left)
        return solve_location_model(problem, rest, "cflp", capacitated=True, single_source=False)
    multipliers, shares = relaxation
    allowed, required = _choice_masks(problem)
    bound = cflp_from_relaxation(
        problem.cost,
        problem.demand,
        problem.fixed_cost,
        problem.capacity,
        multipliers=multipliers,
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
            mip = solve_location_model(
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
    return solve_location_model(
        problem, params, "p-center", capacitated=False, single_source=True, p=p, center=True
    )
