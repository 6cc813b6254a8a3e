r"""A fast p-median heuristic that proves its own gap: interchange local search for the plan,
Lagrangian relaxation for the lower bound and for fixing sites.

The p-median problem: open exactly ``p`` sites and serve every customer from its cheapest
open site::

    min  Σ_ij c_ij x_ij
    s.t. Σ_i x_ij = 1        every customer j is served once
         x_ij ≤ y_i          only from an open site
         Σ_i y_i = p
         y_i = 1 (i required),  y_i = 0 (i not allowed),  x, y ∈ {0, 1}

``c_ij`` is the cost of serving all of customer ``j`` from site ``i`` (weighted by demand
already; ``inf``: ``i`` may not serve ``j``).

The plan: greedy addition, then interchange local search, the fast implementation of
Resende & Werneck (2004) (:mod:`solvers.p_median_local_search`).

The bound (Beasley 1993): relaxing ``Σ_i x_ij = 1`` with multipliers ``u_j`` leaves::

    L(u) = Σ_j u_j + min { Σ_{i ∈ S} ρ_i : |S| = p, S ⊇ required, S ⊆ allowed },
    ρ_i  = Σ_j min(0, c_ij − u_j),

a lower bound on the optimum for every ``u``, solved by taking the cheapest ``ρ``.
Subgradient optimisation (Held, Wolfe & Crowder) starts from ``u_j`` = customer ``j``'s
cost in the first plan and moves ``u_j`` by ``T g_j`` with ``g_j = 1 − Σ_{i ∈ S} [c_ij <
u_j]`` and ``T = f (UB − L(u)) / ‖g‖²``, halving ``f`` after 30 iterations without a
better bound. Each iteration's ``S`` is a candidate plan; new ones within 2 % of the best
are improved by interchange. Once ``f`` is too small to move the bound, iterated local
search takes over: swap a few sites of the plan, drawn with chances ``∝ (UB − b_i)²``
where ``b_i`` is the site's fixing bound below (nearly fixed sites rarely move), and
descend again. The search stops when the bound proves the plan optimal (integral costs:
``⌈LB⌉ ≥ UB``; otherwise ``UB − LB ≤ 10⁻⁶ UB``), after 1000 perturbations in a row without
a better plan, or at the time limit. Randomness (tie-breaking, perturbations) comes from
``seed`` alone.

Fixing (Beasley 1993): with ``k`` free places (``p`` minus the required sites) and the free
sites' ``ρ`` sorted, ``ρ_(k)`` the last one taken and ``ρ_(k+1)`` the first one left out,

- forcing a site ``i`` outside ``S`` open gives the bound ``L(u) − ρ_(k) + ρ_i``; if it
  exceeds ``UB``, no solution containing ``i`` is cheaper than the plan: ``i`` is closed;
- forcing a site ``i`` inside ``S`` closed gives ``L(u) − ρ_i + ρ_(k+1)``; if it exceeds
  ``UB``, every solution cheaper than the plan contains ``i``: ``i`` is open.

Both hold for any ``u``, so each site keeps its best such bound over all iterations, to be
compared with the final ``UB``. The inequalities are strict (with a rounding margin), so
the plan itself never contradicts a fixing and can warm-start a model that uses them. When
the bound shows that no solution is cheaper than the plan, every site is fixed as the plan
has it.

References
----------
J. E. Beasley, "Lagrangean heuristics for location problems", European Journal of
Operational Research 65 (1993) 383–399.
M. G. C. Resende and R. F. Werneck, "A hybrid heuristic for the p-median problem", Journal
of Heuristics 10 (2004) 59–88.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.p_median_local_search import SortedColumns, improve_by_interchange, open_greedily

__all__ = [
    "PMedianBound",
    "Subgradient",
    "finite_costs",
    "is_integral",
    "proves",
    "solve_p_median_heuristic",
    "validated",
]

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Index = npt.NDArray[np.intp]

#: First step factor of the subgradient method, and its floor: below it the bound has
#: converged for all practical purposes and perturbation takes over.
_FIRST_STEP_FACTOR = 2.0
_LAST_STEP_FACTOR = 1e-5
#: Iterations without a better bound before the step factor halves.
_STALL_ITERATIONS = 30
#: Lagrangian plans within this share above the best plan are improved by interchange.
_IMPROVE_WITHIN = 0.02
#: Perturbations in a row that find no better plan before the search gives up, and the
#: largest share of the open sites one perturbation swaps.
_PERTURBATION_STALLS = 1000
_PERTURBATION_SHARE = 0.2
#: Relative gap that proves a plan with fractional costs optimal.
_RELATIVE_GAP = 1e-6


@dataclass(frozen=True, slots=True)
class PMedianBound:
    """The plan and the proven lower bound of :func:`solve_p_median_heuristic`.

    ``open`` holds site indices (sorted), ``objective`` its cost. ``lower_bound`` is the
    best Lagrangian bound ``L(u)``, ``multipliers`` the ``u`` that gave it and
    ``iterations`` the number of subgradient iterations.
    ``fixed_closed`` are sites in no solution cheaper than ``objective`` (including the
    sites not allowed), ``fixed_open`` sites in every such solution (including the required
    ones). ``proven_optimal`` says the bound proves ``open`` optimal (relative gap at most
    10⁻⁶; for integral costs ``⌈lower_bound⌉ ≥ objective``). ``objective`` is ``inf`` when
    no plan serves every customer.
    """

    open: tuple[int, ...]
    objective: float
    lower_bound: float
    multipliers: Array
    iterations: int
    runtime_s: float
    fixed_closed: tuple[int, ...]
    fixed_open: tuple[int, ...]
    proven_optimal: bool

    @property
    def gap(self) -> float:
        """Relative gap ``(objective − lower_bound) / objective`` (0 when both are 0)."""
        if self.objective == self.lower_bound:
            return 0.0
        if math.isinf(self.objective):
            return math.inf
        return (self.objective - self.lower_bound) / max(abs(self.objective), 1e-12)


def solve_p_median_heuristic(
    cost: npt.ArrayLike,
    p: int,
    *,
    time_limit_s: float,
    seed: int = 0,
    allowed: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
) -> PMedianBound:
    """Open ``p`` sites serving every customer cheaply, with a proven lower bound.

    Parameters
    ----------
    cost
        ``cost[i, j]``: serving customer ``j`` from site ``i`` (``m × n``, non-negative,
        ``inf`` where ``i`` may not serve ``j``).
    p
        Number of sites to open.
    time_limit_s
        Wall-clock limit of the search (the greedy plan is always completed; sorting the
        matrix once comes before it).
    seed
        Seed of the tie-breaking and the perturbations; the same input and seed give the
        same result unless the time limit cuts the search short.
    allowed
        Boolean mask of the sites that may open (default: all).
    required
        Boolean mask of the sites that must open (default: none).

    Raises
    ------
    ValueError
        If the costs are not a non-empty matrix of non-negative numbers, a mask has the
        wrong shape, a required site is not allowed, or ``p`` is not between the number of
        required and of allowed sites.

    Examples
    --------
    Two customers near site 0, one near site 2; site 1 is central but costly:

    >>> cost = [[0, 1, 9], [4, 4, 4], [9, 8, 0]]
    >>> result = solve_p_median_heuristic(cost, 2, time_limit_s=1)
    >>> result.open, result.objective, result.lower_bound, result.proven_optimal
    ((0, 2), 1.0, 1.0, True)
    >>> result.fixed_closed, result.fixed_open
    ((1,), (0, 2))
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    raw, allowed_mask, required_mask = validated(cost, p, allowed, required)
    sites = np.flatnonzero(allowed_mask)  # working rows → original site indices
    work = finite_costs(raw[sites])
    forced = required_mask[sites]
    rng = np.random.default_rng(seed)
    search = _Search(work, p, forced, rng=rng, deadline=deadline)
    search.run()

    open_sites = sites[search.best_open]
    proven = search.bound.proves(search.best_cost)
    # When no solution is cheaper than the plan, the plan fixes every site.
    exact = search.bound.proves(search.best_cost, relative_gap=0.0)
    closed = np.ones(len(raw), dtype=bool)
    closed[sites] = ~search.best_open if exact else search.bound.closed_for(search.best_cost)
    fixed_open = np.zeros(len(raw), dtype=bool)
    fixed_open[sites] = search.best_open if exact else search.bound.open_for(search.best_cost)
    multipliers = search.bound.best_multipliers.copy()
    multipliers.flags.writeable = False
    return PMedianBound(
        open=tuple(int(i) for i in open_sites),
        objective=float(raw[open_sites].min(axis=0).sum()),
        lower_bound=search.bound.best_bound,
        multipliers=multipliers,
        iterations=search.bound.iterations,
        runtime_s=time.perf_counter() - started,
        fixed_closed=tuple(int(i) for i in np.flatnonzero(closed)),
        fixed_open=tuple(int(i) for i in np.flatnonzero(fixed_open)),
        proven_optimal=proven,
    )


def validated(
    cost: npt.ArrayLike, p: int, allowed: npt.ArrayLike | None, required: npt.ArrayLike | None
) -> tuple[Array, Mask, Mask]:
    matrix = np.array(cost, dtype=np.float64)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ValueError("cost must be a sites × customers matrix, not empty")
    if np.any(np.isnan(matrix)) or np.any(matrix < 0):
        raise ValueError("costs must be non-negative numbers (inf: the site may not serve)")
    m = matrix.shape[0]
    masks = []
    for values, default, what in ((allowed, True, "allowed"), (required, False, "required")):
        mask = np.full(m, default) if values is None else np.asarray(values)
        if mask.shape != (m,) or mask.dtype != np.bool_:
            raise ValueError(f"{what} must be a boolean mask of the {m} sites")
        masks.append(mask)
    allowed_mask, required_mask = masks
    if np.any(required_mask & ~allowed_mask):
        bad = np.flatnonzero(required_mask & ~allowed_mask).tolist()
        raise ValueError(f"sites {bad} are required but not allowed")
    low, high = max(int(required_mask.sum()), 1), int(allowed_mask.sum())
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or not low <= p <= high:
        raise ValueError(f"p = {p!r} must be a whole number between {low} and {high}")
    return matrix, allowed_mask, required_mask


def finite_costs(matrix: Array) -> Array:
    """``matrix`` with ``inf`` replaced by a cost above every plan that avoids it.

    A plan that uses a replaced entry costs more than any plan that does not, so the
    optimum, the bound and the fixings stay valid for the original costs.
    """
    finite = np.isfinite(matrix)
    if finite.all():
        return matrix
    column_max = np.where(finite, matrix, 0.0).max(axis=0)
    return np.where(finite, matrix, float(column_max.sum()) + 1.0)


class _Search:
    """The plan's side: greedy, interchange, and improvement of the Lagrangian plans and
    of perturbed plans while the bound (:class:`Subgradient`) is not yet tight."""

    def __init__(
        self, work: Array, p: int, forced: Mask, *, rng: np.random.Generator, deadline: float
    ) -> None:
        self.work = work
        self.forced = forced
        self.rng = rng
        self.deadline = deadline
        # Ties between equally good sites go by a random order fixed by the seed.
        priority = rng.permutation(len(work))
        self.columns = SortedColumns(work)
        start, cost = self._descend(open_greedily(work, p, required=forced, priority=priority))
        self.best_open, self.best_cost = start, cost
        self.current, self.current_cost = start, cost
        self.bound = Subgradient(
            work,
            self.columns,
            p,
            forced,
            start=work[start].min(axis=0),
            integral=is_integral(work),
        )
        self.seen = {np.flatnonzero(start).tobytes()}
        # More failed perturbations than there are plans would only repeat plans.
        free = len(work) - int(forced.sum())
        self.stall_limit = min(_PERTURBATION_STALLS, math.comb(free, p - int(forced.sum())))

    def run(self) -> None:
        """Bound first (its plans improved on the way), then perturbation, until the plan
        is proven optimal, neither side can progress, or the time is up."""
        stalls = 0
        while not self.bound.proves(self.best_cost) and time.perf_counter() < self.deadline:
            if self.bound.step_factor >= _LAST_STEP_FACTOR:
                self._try_lagrangian_plan(self.bound.step(self.best_cost))
            elif stalls < self.stall_limit:
                improved = self._try_perturbation()
                if improved is None:
                    return
                stalls = 0 if improved else stalls + 1
            else:
                return

    def _descend(self, start: Mask, *, closed: Mask | None = None) -> tuple[Mask, float]:
        return improve_by_interchange(
            self.work,
            self.columns,
            start,
            required=self.forced,
            deadline=self.deadline,
            closed=closed,
        )

    def _offer(self, is_open: Mask, cost: float) -> bool:
        if cost < self.best_cost:
            self.best_open, self.best_cost = is_open, cost
            if cost < self.current_cost:
                self.current, self.current_cost = is_open, cost
            return True
        return False

    def _try_lagrangian_plan(self, chosen: Mask) -> None:
        cost = float(self.work[chosen].min(axis=0).sum())
        key = np.flatnonzero(chosen).tobytes()
        if cost <= self.best_cost * (1 + _IMPROVE_WITHIN) and key not in self.seen:
            self.seen.add(key)
            closed = self.bound.closed_for(self.best_cost)
            chosen, cost = self._descend(chosen, closed=closed)
        self._offer(chosen, cost)

    def _try_perturbation(self) -> bool | None:
        """Swap a few sites of the current plan and descend again (iterated local search),
        drawing the sites by :func:`_perturbation_weights`; a plan as good as the current
        one replaces it, to drift along plateaus. True if it found a better plan, None if
        no swap is possible."""
        closed = self.bound.closed_for(self.best_cost)
        leaving = np.flatnonzero(self.current & ~self.forced)
        entering = np.flatnonzero(~self.current & ~closed)
        most = min(len(leaving), len(entering), max(2, int(_PERTURBATION_SHARE * len(leaving))))
        if most == 0:
            return None
        swaps = int(self.rng.integers(1, most + 1))
        start = self.current.copy()
        for sites, bounds, value in (
            (leaving, self.bound.without_site, False),
            (entering, self.bound.with_site, True),
        ):
            weights = _perturbation_weights(bounds[sites], self.best_cost)
            start[self.rng.choice(sites, swaps, replace=False, p=weights)] = value
        chosen, cost = self._descend(start, closed=closed)
        if cost <= self.current_cost:
            self.current, self.current_cost = chosen, cost
        return self._offer(chosen, cost)


def _perturbation_weights(bounds: Array, upper: float) -> Array | None:
    """Chances of the sites to move in a perturbation: ``∝ (UB − bound)²``, where
    ``bound`` is the site's Lagrangian bound when forced to change (a site whose bound
    nearly reaches ``UB`` is nearly fixed and rarely worth moving); uniform without bounds."""
    slack = np.maximum(upper - bounds, 0.0) + 1e-9 * max(1.0, abs(upper))
    if not np.all(np.isfinite(slack)):
        return None
    weights: Array = slack**2
    return weights / weights.sum()


def is_integral(work: Array) -> bool:
    return bool(np.all(work == np.round(work)))


class Subgradient:
    """Subgradient optimisation of the Lagrangian bound, with the per-site bounds that
    decide the fixings."""

    def __init__(
        self,
        work: Array,
        columns: SortedColumns,
        p: int,
        forced: Mask,
        *,
        start: Array,
        integral: bool,
    ) -> None:
        self.work = work
        self.columns = columns
        self.forced = forced
        self.free = np.flatnonzero(~forced)
        self.places = p - int(forced.sum())
        self.integral = integral
        self.u = start.copy()
        self.best_multipliers = self.u.copy()
        self.best_bound = -math.inf
        self.step_factor = _FIRST_STEP_FACTOR
        self.iterations = 0
        self.stalled = 0
        # Best bound on any solution that opens site i / that keeps site i closed.
        self.with_site = np.full(work.shape[0], -math.inf)
        self.without_site = np.full(work.shape[0], -math.inf)
        self.without_site[forced] = math.inf
        if self.places == 0:
            self.with_site[~forced] = math.inf

    def step(self, upper: float) -> Mask:
        """One iteration: evaluate ``L(u)``, record it, move ``u``; returns ``S``."""
        self.iterations += 1
        site, customer, cost = self.columns.below(self.u)
        rho: Array = np.bincount(
            site, weights=cost - self.u[customer], minlength=len(self.work)
        ).astype(np.float64, copy=False)
        chosen = self.forced.copy()
        free_rho = rho[self.free]
        order = np.argsort(free_rho, kind="stable")
        chosen[self.free[order[: self.places]]] = True
        bound = float(self.u.sum()) + float(rho[chosen].sum())
        self._record_fixing_bounds(bound, free_rho, order)
        if bound > self.best_bound:
            improved = bound > self.best_bound + 1e-9 * max(1.0, abs(bound))
            self.best_bound = bound
            self.best_multipliers = self.u.copy()
            self.stalled = 0 if improved else self.stalled + 1
        else:
            self.stalled += 1
        if self.stalled >= _STALL_ITERATIONS:
            self.step_factor /= 2
            self.stalled = 0
        g = 1.0 - np.bincount(customer, weights=chosen[site], minlength=len(self.u))
        norm = float(g @ g)
        if norm > 0:
            self.u = self.u + self.step_factor * max(upper - bound, 0.0) / norm * g
        return chosen

    def _record_fixing_bounds(self, bound: float, free_rho: Array, order: Index) -> None:
        k, free = self.places, self.free
        if k > 0:
            last_in = free_rho[order[k - 1]]
            with_site = bound + np.maximum(free_rho - last_in, 0.0)
            np.maximum(self.with_site[free], with_site, out=with_site)
            self.with_site[free] = with_site
        if k < len(free):
            first_out = free_rho[order[k]]
            without = bound + np.maximum(first_out - free_rho, 0.0)
            np.maximum(self.without_site[free], without, out=without)
            self.without_site[free] = without
        else:
            self.without_site[free] = math.inf

    def _margin(self, upper: float) -> float:
        return 1e-9 * max(1.0, abs(upper))

    def closed_for(self, upper: float) -> Mask:
        """Sites in no solution cheaper than ``upper``."""
        return self.with_site > upper + self._margin(upper)

    def open_for(self, upper: float) -> Mask:
        """Sites in every solution cheaper than ``upper``."""
        return self.without_site > upper + self._margin(upper)

    def proves(self, upper: float, *, relative_gap: float = _RELATIVE_GAP) -> bool:
        """Whether the best bound proves a plan of cost ``upper`` optimal (:func:`proves`)."""
        return proves(self.best_bound, upper, integral=self.integral, relative_gap=relative_gap)


def proves(
    bound: float, upper: float, *, integral: bool, relative_gap: float = _RELATIVE_GAP
) -> bool:
    """Whether ``bound`` proves a plan of cost ``upper`` optimal: for whole-number costs
    ``⌈bound⌉ ≥ upper``, otherwise a gap within ``relative_gap`` (0 asks that no solution
    be cheaper at all)."""
    if not (math.isfinite(bound) and math.isfinite(upper)):
        return False
    if integral:
        return math.ceil(bound - 1e-9 * max(1.0, abs(bound))) >= upper
    return upper - bound <= max(relative_gap * abs(upper), 1e-9 * max(1.0, abs(upper)))
