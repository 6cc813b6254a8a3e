r"""A capacitated facility location heuristic that proves its own gap: Lagrangian relaxation
for the bound and for fixing sites, transportation problems and local search for the
plan. Split demand, one commodity.

The problem: open sites ``y_i`` at fixed cost ``f_i`` with capacity ``s_i`` and serve the
share ``x_ij`` of customer ``j``'s demand ``d_j`` from site ``i`` at ``c_ij x_ij`` (``c_ij``
serves all of ``j``; ``inf``: ``i`` may not serve ``j``)::

    min  Σ_i f_i y_i + Σ_ij c_ij x_ij
    s.t. Σ_i x_ij = 1                  every customer is served
         x_ij ≤ y_i,  Σ_j d_j x_ij ≤ s_i y_i
         Σ_i s_i y_i ≥ Σ_j d_j         (the aggregate capacity cut)
         y_i = 1 (required),  y_i = 0 (not allowed),  y ∈ {0, 1},  x ≥ 0

The bound (Cornuéjols, Sridharan & Thizy 1991; Beasley 1988): relaxing
``Σ_i x_ij = 1`` with multipliers ``u_j`` leaves, per site, a continuous knapsack::

    v_i(u) = f_i + min { Σ_j (c_ij − u_j) x_ij : Σ_j d_j x_ij ≤ s_i, 0 ≤ x_ij ≤ 1 }

(fill by ``(c_ij − u_j) / d_j``, lowest first) and, over the sites, a covering knapsack::

    L(u) = Σ_j u_j + min { Σ_i v_i(u) y_i : Σ_i s_i y_i ≥ Σ_j d_j, y fixed as required }

solved by dynamic programming on capacities rounded up to a grid of at most
:data:`_GRID` steps (so it is a relaxation of the exact one: the bound stays valid). It is
at least the bound of the strong linear relaxation. Subgradient optimisation moves ``u``
as in :mod:`solvers.p_median_heuristic`.

The plan: the sites each Lagrangian solution opens (topped up with the cheapest sites by
``v_i / s_i`` when the grid left them short) are served by a min-cost flow, sites left
without flow close; new plans close to the best start a local search that closes, opens
and swaps sites (first improvement, sites ordered by ``v_i``) while the plan gets
cheaper.

Fixing (Beasley 1993): at the best multipliers, forcing a site open that the bound closes,
or closed that it opens, gives a bound of its own; above the plan's cost, no cheaper
plan has the site that way, so it is fixed. When every site is fixed, every cheaper plan
opens exactly the sites fixed open, and the flow over them settles the optimum. The
search stops when the bound proves the plan (relative gap at most 10⁻⁶), when the step
is too small to move the bound, or at the time limit.

Where the strong linear relaxation can be solved (a few thousand site-customer pairs),
:func:`cflp_from_relaxation` skips the subgradient: the relaxation's duals of
``Σ_i x_ij = 1`` are optimal multipliers (Geoffrion 1974), and the sites it opens give
the plans. On OR-Library's cap instances (50 × 50) the relaxation solves in 10–40 ms
and its bound is at least the subgradient's after 500–1,300 iterations (0.2–0.8 s).

References
----------
A. M. Geoffrion, "Lagrangean relaxation for integer programming", Mathematical
Programming Study 2 (1974) 82–114.
G. Cornuéjols, R. Sridharan and J. M. Thizy, "A comparison of heuristics and relaxations
for the capacitated plant location problem", EJOR 50 (1991) 280–297.
J. E. Beasley, "An algorithm for solving large capacitated warehouse location problems",
EJOR 33 (1988) 314–325; "Lagrangean heuristics for location problems", EJOR 65 (1993)
383–399.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from solvers.engines.ortools_flow import TransportFlow

__all__ = ["CflpBound", "cflp_from_relaxation", "solve_cflp_heuristic"]

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

#: Steps of the capacity grid of the covering knapsack (more: a tighter bound, slower).
_GRID = 2000
#: Subgradient step factor: first, last, and iterations without a better bound before it
#: halves.
_FIRST_STEP_FACTOR = 2.0
_LAST_STEP_FACTOR = 1e-4
_STALL_ITERATIONS = 20
#: Deflection of the subgradient direction (Camerini, Fratta & Maffioli use 1.5).
_DEFLECTION = 1.5
#: Lagrangian plans within this share above the best plan start a local search.
_IMPROVE_WITHIN = 0.02
#: Most of the time so far that evaluating plans may take while the bound is sought.
_EVALUATION_SHARE = 0.5
#: Cheapest open sites per customer in a first, fast evaluation of a plan.
_NEAREST = 8
#: Sites of each kind (to close, to open) that local search tries to swap.
_SWAPS = 8
_RELATIVE_GAP = 1e-6
#: A site whose share in the linear relaxation is above this is open in it.
_OPEN = 1e-9


@dataclass(frozen=True, slots=True)
class CflpBound:
    """The plan and the proven lower bound of :func:`solve_cflp_heuristic`.

    ``open`` holds site indices (sorted), ``shares`` the share of each customer's demand
    each site serves (sites × customers) and ``objective`` the plan's cost (``inf`` when no
    plan was found). ``lower_bound`` is the best Lagrangian bound, ``fixed_closed`` the sites
    in no plan cheaper than ``objective`` (the ones not allowed included), ``fixed_open``
    the sites in every such plan (the required ones included). ``proven_optimal``: the
    relative gap is at most 10⁻⁶.
    """

    open: tuple[int, ...]
    shares: Array
    objective: float
    lower_bound: float
    iterations: int
    runtime_s: float
    fixed_closed: tuple[int, ...]
    fixed_open: tuple[int, ...]
    proven_optimal: bool


def solve_cflp_heuristic(
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    fixed_cost: npt.ArrayLike,
    capacity: npt.ArrayLike,
    *,
    time_limit_s: float,
    allowed: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
) -> CflpBound:
    """Plan and bound for split-demand capacitated facility location (module docstring).

    ``cost`` is sites × customers; capacities must be finite. The search is deterministic.

    Examples
    --------
    Two sites of capacity 10 at fixed cost 5 and customers of demand 6 each: one site
    cannot hold both, so both open and each serves its cheap customer:

    >>> b = solve_cflp_heuristic([[1, 2], [2, 1]], [6, 6], [5, 5], [10, 10], time_limit_s=5)
    >>> b.open, b.objective, b.lower_bound, b.proven_optimal
    ((0, 1), 12.0, 12.0, True)
    """
    t0 = time.perf_counter()
    search = _search(cost, demand, fixed_cost, capacity, allowed, required, t0 + time_limit_s)
    search.run()
    return search.result(time.perf_counter() - t0)


def cflp_from_relaxation(
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    fixed_cost: npt.ArrayLike,
    capacity: npt.ArrayLike,
    *,
    multipliers: npt.ArrayLike,
    site_shares: npt.ArrayLike,
    time_limit_s: float,
    allowed: npt.ArrayLike | None = None,
    required: npt.ArrayLike | None = None,
) -> CflpBound:
    """Plan, bound and fixed sites from an optimal answer to the strong linear
    relaxation, instead of subgradient optimisation: ``multipliers`` are the duals of
    its rows ``Σ_i x_ij = 1`` and ``site_shares`` its ``y_i``.

    The duals are optimal multipliers of the Lagrangian dual, whose bound is at least
    the relaxation's (Geoffrion 1974); the bound is computed here from them, so it holds
    whatever the relaxation's tolerances. The plans: the sites the relaxation opens at
    all, and the Lagrangian solution's, each served by a min-cost flow; then the
    relaxation's fractional sites closed one at a time, least open first, while the plan
    gets cheaper. Sites are fixed as in :func:`solve_cflp_heuristic`, and when that
    fixes every site the flow over the ones fixed open settles the optimum.

    Examples
    --------
    The relaxation of the example of :func:`solve_cflp_heuristic` opens both sites, and
    its duals (3 and 3) prove the plan:

    >>> b = cflp_from_relaxation([[1, 2], [2, 1]], [6, 6], [5, 5], [10, 10],
    ...     multipliers=[3, 3], site_shares=[1, 1], time_limit_s=5)
    >>> b.open, b.objective, b.lower_bound, b.proven_optimal
    ((0, 1), 12.0, 12.0, True)
    """
    t0 = time.perf_counter()
    search = _search(cost, demand, fixed_cost, capacity, allowed, required, t0 + time_limit_s)
    search.start(
        np.asarray(multipliers, dtype=np.float64), np.asarray(site_shares, dtype=np.float64)
    )
    return search.result(time.perf_counter() - t0)


def _search(
    cost: npt.ArrayLike,
    demand: npt.ArrayLike,
    fixed_cost: npt.ArrayLike,
    capacity: npt.ArrayLike,
    allowed: npt.ArrayLike | None,
    required: npt.ArrayLike | None,
    deadline: float,
) -> _Search:
    c = np.asarray(cost, dtype=np.float64)
    m = c.shape[0]
    d = np.asarray(demand, dtype=np.float64)
    f = np.asarray(fixed_cost, dtype=np.float64)
    s = np.asarray(capacity, dtype=np.float64)
    ok = np.ones(m, bool) if allowed is None else np.asarray(allowed, dtype=bool).copy()
    must = np.zeros(m, bool) if required is None else np.asarray(required, dtype=bool) & ok
    if not np.all(np.isfinite(s)) or np.any(d < 0) or np.any(s < 0):
        raise ValueError("capacities must be finite, demands and capacities not negative")
    return _Search(c, d, f, s, ok, must, deadline=deadline)


class _Search:
    """Subgradient optimisation of the bound, with plans and local search on the way."""

    def __init__(
        self, c: Array, d: Array, f: Array, s: Array, ok: Mask, must: Mask, *, deadline: float
    ) -> None:
        self.c = np.where(ok[:, None], c, np.inf)
        self.d, self.f, self.s, self.ok, self.must = d, f, s, ok, must
        self.deadline = deadline
        self.t0 = time.perf_counter()
        #: Time spent evaluating plans.
        self.spent = 0.0
        self.m, self.n = c.shape
        self.total = float(d.sum())
        self.flow = TransportFlow(self.c, d, s)
        # The covering knapsack's grid: capacities rounded up to whole steps.
        need = max(self.total - float(s[must].sum()), 0.0)
        whole = bool(np.all(s == np.round(s))) and float(need).is_integer()
        self.step = 1.0 if whole and need <= _GRID else max(need / _GRID, 1e-12)
        self.weight = np.ceil(s / self.step - 1e-9).astype(np.int64)
        self.d_safe = np.where(d > 0, d, 1.0)
        self.upper = math.inf
        self.best_open = np.zeros(self.m, bool)
        self.best_x = np.zeros((self.m, self.n))
        self.lower = -math.inf
        self.best_u = np.zeros(self.n)
        #: The site values ``v_i`` at ``best_u``.
        self.best_v = f.copy()
        self.iterations = 0
        self.costs: dict[bytes, float] = {}
        #: Plans whose moves have all been tried, and whether by a budgeted search.
        self.searched: set[tuple[bytes, bool]] = set()

    # -- the bound ---------------------------------------------------------------------

    def site_values(self, u: Array) -> tuple[Array, Array]:
        """``v_i(u)`` and the knapsack shares (sites × customers) that give it."""
        r = self.c - u[None, :]
        take_it = r < 0
        ratio = np.where(take_it, r / self.d_safe[None, :], np.inf)
        ratio[:, self.d <= 0] = np.where(take_it[:, self.d <= 0], -np.inf, np.inf)
        order = np.argsort(ratio, axis=1, kind="stable")
        rows = np.arange(self.m)[:, None]
        ds = self.d[order]
        before = np.cumsum(ds, axis=1) - ds
        room = self.s[:, None] - before
        share = np.where(ds > 0, np.clip(room / np.where(ds > 0, ds, 1.0), 0.0, 1.0), 1.0)
        share = np.where(take_it[rows, order], share, 0.0)
        x = np.zeros((self.m, self.n))
        x[rows, order] = share
        value = self.f + (np.where(x > 0, r, 0.0) * x).sum(axis=1)
        return value, x

    def cover(
        self, v: Array, *, forced_open: int = -1, forced_closed: int = -1
    ) -> tuple[float, Mask]:
        """The covering knapsack: the least ``Σ v_i y_i`` over the open sites, whose
        capacities (on the grid) hold the total demand; ``inf`` if none do."""
        ok, must = self.ok.copy(), self.must.copy()
        if forced_open >= 0:
            must[forced_open] = True
        if forced_closed >= 0:
            ok[forced_closed] = must[forced_closed] = False
        chosen = must | (ok & (v < 0))
        value = float(v[chosen].sum())
        need = self.total - float(self.s[chosen].sum())
        if need <= 1e-9 * max(self.total, 1.0):
            return value, chosen
        goal = math.ceil(need / self.step - 1e-9)
        items = np.flatnonzero(ok & ~chosen)
        if int(self.weight[items].sum()) < goal:
            return math.inf, chosen
        # dp[t]: the least value of sites whose capacity reaches t steps.
        dp = np.full(goal + 1, np.inf)
        dp[0] = 0.0
        candidate = np.empty(goal + 1)
        taken = np.zeros((len(items), goal + 1), bool)
        for k, i in enumerate(items.tolist()):
            w = min(int(self.weight[i]), goal)
            candidate[:w] = dp[0] + v[i]
            np.add(dp[: goal + 1 - w], v[i], out=candidate[w:])
            np.less(candidate, dp, out=taken[k])
            np.minimum(dp, candidate, out=dp)
        t = goal
        for k in range(len(items) - 1, -1, -1):
            if taken[k, t]:
                chosen[items[k]] = True
                t = max(t - int(self.weight[items[k]]), 0)
        return value + float(dp[goal]), chosen

    # -- plans ---------------------------------------------------------------------------

    def evaluate(self, open_: Mask) -> float:
        """The cost of serving everyone from ``open_`` (sites left without work close,
        ``inf`` if they cannot serve everyone); the best plan is kept.

        When every customer's cheapest open site can take it, that is the cheapest way
        to serve them, and no flow is needed. Otherwise each customer first may use only
        its :data:`_NEAREST` cheapest open sites (a plan, found far faster when many
        sites are open); a plan better than the best is then served by the full flow,
        and so is one the short lists cannot serve."""
        key = open_.tobytes()
        known = self.costs.get(key)
        if known is not None:
            return known
        cost = math.inf
        if float(self.s[open_].sum()) >= self.total * (1 - 1e-12):
            started = time.perf_counter()
            nearest = self.evaluate_nearest(open_)
            cost = self.evaluate_by_flow(open_) if nearest is None else nearest
            self.spent += time.perf_counter() - started
        self.costs[key] = cost
        return cost

    def evaluate_nearest(self, open_: Mask) -> float | None:
        """The cost of sending each customer to its cheapest open site (kept when best),
        or ``None`` when that overloads a site."""
        sites = np.flatnonzero(open_)
        rows = self.c[sites]
        pick = np.argmin(rows, axis=0)
        load = np.bincount(pick, weights=self.d, minlength=len(sites))
        if np.any(load > self.s[sites] * (1 + 1e-12)):
            return None
        cols = np.arange(self.n)
        serving = rows[pick, cols]
        if not np.all(np.isfinite(serving)):
            return math.inf
        used = self.must.copy()
        used[sites[np.unique(pick)]] = True
        cost = float(self.f[used].sum()) + float(serving.sum())
        if cost < self.upper:
            x = np.zeros((self.m, self.n))
            x[sites[pick], cols] = 1.0
            self.upper, self.best_open, self.best_x = cost, used, x
        return cost

    def evaluate_by_flow(self, open_: Mask) -> float:
        """The cost of the min-cost flow from ``open_`` (kept when best; see
        :meth:`evaluate`)."""
        cost = math.inf
        x = self.flow.shares(open_, nearest=_NEAREST)
        if x is not None:
            cost, used = self.plan_cost(x)
        if x is None or cost < self.upper:
            x = self.flow.shares(open_)
            if x is not None:
                cost, used = self.plan_cost(x)
                if cost < self.upper:
                    self.upper, self.best_open, self.best_x = cost, used, x
        return cost

    def plan_cost(self, x: Array) -> tuple[float, Mask]:
        """The cost of the shares ``x``, and the sites they use (with the required)."""
        used = (x.sum(axis=1) > 0) | self.must
        return float(self.f[used].sum()) + float((np.where(x > 0, self.c, 0.0) * x).sum()), used

    def topped_up(self, open_: Mask, v: Array) -> Mask:
        """``open_`` with the cheapest further sites by ``v_i / s_i`` until they hold the
        total demand."""
        open_ = open_ | self.must
        short = self.total - float(self.s[open_].sum())
        if short > 0:
            rest = np.flatnonzero(self.ok & ~open_)
            for i in rest[np.argsort(v[rest] / np.maximum(self.s[rest], 1e-12))].tolist():
                open_[i] = True
                short -= float(self.s[i])
                if short <= 0:
                    break
        return open_

    def may_evaluate(self) -> bool:
        """Whether plans may be evaluated now: always without a plan, otherwise while
        they have taken at most :data:`_EVALUATION_SHARE` of the time so far."""
        elapsed = time.perf_counter() - self.t0
        return not math.isfinite(self.upper) or self.spent <= _EVALUATION_SHARE * elapsed

    def local_search(self, open_: Mask, v: Array, *, budgeted: bool) -> None:
        """Close, open, then swap sites while the plan gets cheaper (first improvement;
        sites with high ``v_i`` are closed first, those with low ones opened first, swaps
        by the least ``v_open − v_closed``), until the deadline or, if ``budgeted``, until
        :meth:`may_evaluate` says no. A ``budgeted`` search swaps only the first
        :data:`_SWAPS` sites of each kind; the other tries every swap. A plan whose
        moves have all been tried is not searched again (by a budgeted search, once a
        full one has searched it too)."""
        current = open_.copy()
        cost = self.evaluate(current)
        while (
            math.isfinite(cost)
            and not {
                (current.tobytes(), False),
                (current.tobytes(), budgeted),
            }
            & self.searched
        ):
            free_open = np.flatnonzero(current & ~self.must)
            closed = np.flatnonzero(self.ok & ~current)
            drops = free_open[np.argsort(-v[free_open])].tolist()
            adds = closed[np.argsort(v[closed])].tolist()
            moves = [[i] for i in drops] + [[j] for j in adds]
            if budgeted:
                drops, adds = drops[:_SWAPS], adds[:_SWAPS]
            swaps = [(v[j] - v[i], i, j) for i in drops for j in adds]
            moves += [[i, j] for _, i, j in sorted(swaps)]
            for move in moves:
                if time.perf_counter() >= self.deadline or (budgeted and not self.may_evaluate()):
                    return
                trial = current.copy()
                trial[move] = ~trial[move]
                new = self.evaluate(trial)
                if new < cost - 1e-9 * max(abs(cost), 1.0):
                    current, cost = trial, new
                    break
            else:
                self.searched.add((current.tobytes(), budgeted))

    # -- the search ------------------------------------------------------------------------

    def reachable(self) -> bool:
        """Whether an allowed site may serve every customer (else there is no plan)."""
        return bool(np.isfinite(self.c).any(axis=0).all())

    def proven(self) -> bool:
        return self.upper - self.lower <= _RELATIVE_GAP * max(abs(self.upper), 1e-9)

    def run(self) -> None:
        if not self.reachable():
            return
        u = np.min(self.c, axis=0)  # each customer's cheapest allowed site
        factor, stall = _FIRST_STEP_FACTOR, 0
        direction = np.zeros(self.n)
        while time.perf_counter() < self.deadline:
            self.iterations += 1
            v, x = self.site_values(u)
            value, chosen = self.cover(v)
            if not math.isfinite(value):
                return  # the sites cannot hold the demand
            bound = float(u.sum()) + value
            if bound > self.lower:
                self.lower, self.best_u, self.best_v, stall = bound, u.copy(), v, 0
            elif bound < self.lower - (self.upper - self.lower):
                # Far overshot: back to the best multipliers with a shorter step.
                u, direction, stall = self.best_u.copy(), np.zeros(self.n), 0
                factor /= 2
                if factor < _LAST_STEP_FACTOR:
                    break
                continue
            else:
                stall += 1
            if self.may_evaluate():
                plan = self.topped_up(chosen, v)
                cost = self.evaluate(plan)
                if math.isfinite(cost) and cost <= self.upper * (1 + _IMPROVE_WITHIN):
                    start = self.best_open if cost == self.upper else plan
                    self.local_search(start, v, budgeted=True)
            if self.proven():
                break
            if self.iterations == 1 and math.isfinite(self.upper):
                # Start from each customer's cost in the first plan (as the p-median
                # heuristic does): sites dearer than that have nothing to offer.
                u = (np.where(self.best_x > 0, self.c, 0.0) * self.best_x).sum(axis=0)
                continue
            if stall >= _STALL_ITERATIONS:
                factor, stall = factor / 2, 0
                if factor < _LAST_STEP_FACTOR:
                    break
            g = 1.0 - (x * chosen[:, None]).sum(axis=0)
            if float(g @ g) <= 1e-12:
                break  # the relaxation's solution serves everyone exactly: optimal
            # Camerini, Fratta & Maffioli's deflection: less zigzag between iterations.
            turn = float(g @ direction)
            beta = _DEFLECTION * -turn / float(direction @ direction) if turn < 0 else 0.0
            direction = g + beta * direction
            u = u + factor * (self.upper - bound) / float(direction @ direction) * direction
        if math.isfinite(self.upper):
            self.local_search(self.best_open, self.best_v, budgeted=False)

    def start(self, u: Array, y: Array) -> None:
        """The bound at the multipliers ``u`` and plans from the sites' shares ``y`` of
        an answer to the linear relaxation (:func:`cflp_from_relaxation`)."""
        if not self.reachable():
            return
        v, _ = self.site_values(u)
        value, chosen = self.cover(v)
        if not math.isfinite(value):
            return  # the sites cannot hold the demand
        self.iterations = 1
        self.lower, self.best_u, self.best_v = float(u.sum()) + value, u, v
        self.evaluate(self.topped_up(self.ok & (y > _OPEN), v))
        self.evaluate(self.topped_up(chosen, v))
        fractional = np.flatnonzero(self.ok & ~self.must & (y > _OPEN) & (y < 1 - _OPEN))
        for i in fractional[np.argsort(y[fractional], kind="stable")].tolist():
            if self.proven() or time.perf_counter() >= self.deadline:
                break
            trial = self.best_open.copy()
            trial[i] = False
            self.evaluate(trial)

    def result(self, runtime_s: float) -> CflpBound:
        closed, opened = (
            set(np.flatnonzero(~self.ok).tolist()),
            set(np.flatnonzero(self.must).tolist()),
        )
        if not self.proven() and math.isfinite(self.upper) and math.isfinite(self.lower):
            closed, opened = self.fixings(closed, opened)
            if len(closed) + len(opened) == self.m:
                # Every cheaper plan opens exactly the sites fixed open: their flow is the
                # cheapest of those, so the better of it and the best plan is optimal.
                self.evaluate(np.isin(np.arange(self.m), list(opened)))
                self.lower = self.upper
        lower = min(self.lower, self.upper)
        proven = self.proven()
        if proven and math.isfinite(self.upper):
            closed = set(np.flatnonzero(~self.best_open).tolist())
            opened = set(np.flatnonzero(self.best_open).tolist())
        return CflpBound(
            open=tuple(np.flatnonzero(self.best_open).tolist()),
            shares=self.best_x,
            objective=self.upper,
            lower_bound=lower,
            iterations=self.iterations,
            runtime_s=runtime_s,
            fixed_closed=tuple(sorted(closed)),
            fixed_open=tuple(sorted(opened)),
            proven_optimal=proven,
        )

    def fixings(self, closed: set[int], opened: set[int]) -> tuple[set[int], set[int]]:
        """Sites whose flip, at the best multipliers, bounds every plan above the best.

        The covering knapsack is solved only for flips that its easy bound (the required
        sites and every other site of negative value, capacity aside) does not settle."""
        v = self.best_v
        base = float(self.best_u.sum())
        _, chosen = self.cover(v)
        limit = self.upper + 1e-9 * max(abs(self.upper), 1.0)
        free = self.ok & ~self.must
        easy = base + float(v[self.must].sum()) + float(np.minimum(v[free], 0.0).sum())
        for i in np.flatnonzero(free).tolist():
            without = easy - min(float(v[i]), 0.0)
            if chosen[i]:
                if without > limit or base + self.cover(v, forced_closed=i)[0] > limit:
                    opened.add(i)
            elif without + v[i] > limit or base + self.cover(v, forced_open=i)[0] > limit:
                closed.add(i)
        return closed, opened
