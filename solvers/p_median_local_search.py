r"""Local search for the p-median problem: greedy construction and fast interchange.

``c_ij`` is the cost of serving customer ``j`` from site ``i``. Greedy addition opens the
site that saves most, ``p`` times (lazily re-evaluated). Interchange then swaps an open site
for a closed one while that lowers the cost, best swap first. A pass evaluates every swap
at once from each customer's nearest open site ``φ1_j`` at cost ``d1_j`` and the cost
``d2_j`` of the second nearest: the fast interchange of Whitaker as implemented by Resende
& Werneck (2004). The profit of opening ``i`` and closing ``r`` is ``gain(i) − loss(r) +
extra(i, r)`` with::

    gain(i)     = Σ_j max(0, d1_j − c_ij)
    loss(r)     = Σ_{j: φ1_j = r} (d2_j − d1_j)
    extra(i, r) = Σ_{j: φ1_j = r, c_ij < d2_j} (d2_j − max(c_ij, d1_j))

Only the pairs with ``c_ij < d2_j`` contribute, so a pass costs ``O(K + m p)`` for those
``K`` pairs, listed from each customer's sites sorted once by cost, rather than
``O(m n)``.

References
----------
M. G. C. Resende and R. F. Werneck, "A hybrid heuristic for the p-median problem", Journal
of Heuristics 10 (2004) 59–88.
"""

from __future__ import annotations

import heapq
import math
import time

import numpy as np
import numpy.typing as npt

__all__ = ["SortedColumns", "improve_by_interchange", "open_greedily"]

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
Index = npt.NDArray[np.intp]


class SortedColumns:
    """Each customer's sites sorted by cost, to list the pairs with ``c_ij < t_j`` in time
    proportional to their number: the swap formulas (``t = d2``) and the Lagrangian
    ``ρ`` (``t = u``) only need those pairs, a small share of the matrix."""

    def __init__(self, cost: Array) -> None:
        m, n = cost.shape
        order = np.argsort(cost, axis=0, kind="stable")
        self.site = order.T.ravel()  # customer-major: customer j's sites, cheapest first
        self.cost = np.take_along_axis(cost, order, axis=0).T.ravel()
        self.values = np.unique(self.cost)
        # Keys (customer, rank of the cost) increase along the flat arrays, so a single
        # searchsorted finds where every customer's sites reach its threshold.
        self.span = len(self.values) + 1
        ranks = np.searchsorted(self.values, self.cost)
        self.keys = np.repeat(np.arange(n, dtype=np.int64) * self.span, m) + ranks
        self.starts = np.arange(n) * m
        self.customers = np.arange(n)

    def below(self, threshold: Array) -> tuple[Index, Index, Array]:
        """Sites, customers and costs of the pairs with ``c_ij < threshold[j]``."""
        ranks = np.searchsorted(self.values, threshold, side="left")
        ends = np.searchsorted(self.keys, self.customers * self.span + ranks, side="left")
        counts = ends - self.starts
        first = np.cumsum(counts) - counts
        flat = np.repeat(self.starts - first, counts) + np.arange(int(counts.sum()))
        return self.site[flat], np.repeat(self.customers, counts), self.cost[flat]


def _nearest_two(cost: Array, open_rows: Index) -> tuple[Index, Array, Array]:
    """Per customer: the position (in ``open_rows``) of its nearest open site, its cost,
    and the cost of the second nearest (the worst site of all when only one is open, which
    keeps every swap formula exact)."""
    sub = cost[open_rows]
    columns = np.arange(cost.shape[1])
    nearest = sub.argmin(axis=0)
    d1 = sub[nearest, columns]
    if len(open_rows) == 1:
        return nearest, d1, cost.max(axis=0)
    sub[nearest, columns] = np.inf
    return nearest, d1, sub.min(axis=0)


def open_greedily(cost: Array, p: int, *, required: Mask, priority: Index | None = None) -> Mask:
    """Open the required sites, then add the site that lowers the cost most, up to ``p``
    sites (``cost`` finite; ties go to the lowest ``priority``, by default the index).

    Lazy evaluation: a site's saving only shrinks as sites open, so a stale saving is an
    upper bound and only the sites at the top of the heap are re-evaluated.
    """
    rank_of = np.arange(len(cost)) if priority is None else priority
    is_open = required.copy()
    if not is_open.any():
        is_open[np.lexsort((rank_of, cost.sum(axis=1)))[0]] = True
    d1 = cost[is_open].min(axis=0)
    savings = np.maximum(d1 - cost, 0.0).sum(axis=1)
    heap = [(-float(savings[i]), int(rank_of[i]), int(i)) for i in np.flatnonzero(~is_open)]
    heapq.heapify(heap)
    for _ in range(p - int(is_open.sum())):
        while True:
            _, rank, i = heapq.heappop(heap)
            entry = (-float(np.maximum(d1 - cost[i], 0.0).sum()), rank, i)
            if not heap or entry <= heap[0]:
                break
            heapq.heappush(heap, entry)
        is_open[i] = True
        np.minimum(d1, cost[i], out=d1)
    return is_open


def improve_by_interchange(
    cost: Array,
    columns: SortedColumns,
    is_open: Mask,
    *,
    required: Mask,
    deadline: float = math.inf,
    closed: Mask | None = None,
) -> tuple[Mask, float]:
    """Best-improvement swaps until none lowers the cost (or ``time.perf_counter()``
    passes ``deadline``); returns the plan and its cost.

    ``cost`` is finite and ``columns`` sorts it. Required sites never leave; ``closed``
    sites (proven useless) never enter.

    Examples
    --------
    >>> cost = np.array([[0.0, 1, 9], [4, 4, 4], [9, 8, 0]])
    >>> none = np.zeros(3, dtype=bool)
    >>> start = np.array([False, True, True])
    >>> plan, total = improve_by_interchange(cost, SortedColumns(cost), start, required=none)
    >>> np.flatnonzero(plan).tolist(), total
    ([0, 2], 1.0)
    """
    is_open = is_open.copy()
    m = len(cost)
    may_enter = np.ones(m, dtype=bool) if closed is None else ~closed
    while True:
        open_rows = np.flatnonzero(is_open)
        nearest, d1, d2 = _nearest_two(cost, open_rows)
        current = float(d1.sum())
        entering = may_enter & ~is_open
        if time.perf_counter() >= deadline or not entering.any():
            return is_open, current
        k = len(open_rows)
        site, customer, c = columns.below(d2)
        near, second = d1[customer], d2[customer]
        gain = np.bincount(site, weights=np.maximum(near - c, 0.0), minlength=m)
        loss = np.bincount(nearest, weights=d2 - d1, minlength=k)
        extra = np.bincount(
            site * k + nearest[customer],
            weights=second - np.maximum(c, near),
            minlength=m * k,
        ).reshape(m, k)
        profit = gain[:, None] - loss[None, :] + extra
        profit[~entering] = -np.inf
        profit[:, required[open_rows]] = -np.inf
        i, r = divmod(int(np.argmax(profit)), k)
        if not profit[i, r] > 1e-9 * max(1.0, current):
            return is_open, current
        is_open[i] = True
        is_open[open_rows[r]] = False
