"""OR-Tools min-cost flow for transportation problems: which open site serves how much
of each customer (the inner problem of capacitated facility location heuristics)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

__all__ = ["COST_UNITS", "MAX_FLOW_UNITS", "TransportFlow"]

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

#: Flow units: whole demands and capacities are taken as they are when their total is at
#: most this; otherwise they are scaled to it.
MAX_FLOW_UNITS = 10**8
#: Largest whole unit cost of an arc.
COST_UNITS = 10**7


class TransportFlow:
    """The transportation problem from a set of open sites to the customers, as a
    min-cost flow built afresh for each set (building costs little next to solving).

    ``c`` (sites × customers) serves all of a customer (``inf``: not at all), ``d`` are
    the demands and ``s`` the capacities. Flow is whole units: demands rounded up and
    capacities down (so a flow is feasible for the real amounts), scaled when they are
    not whole or too large; unit costs are rounded to :data:`COST_UNITS` steps, so the
    shares are optimal up to that rounding.

    Examples
    --------
    >>> import numpy as np
    >>> flow = TransportFlow(np.array([[1.0, 4.0], [3.0, 2.0]]), np.array([5.0, 5.0]),
    ...                      np.array([10.0, 6.0]))
    >>> flow.shares(np.array([True, True])).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> flow.shares(np.array([True, False])).tolist()
    [[1.0, 1.0], [0.0, 0.0]]
    >>> flow.shares(np.array([False, True])) is None
    True
    """

    def __init__(self, c: Array, d: Array, s: Array) -> None:
        integral = bool(np.all(d == np.round(d)) and np.all(s == np.round(s)))
        total = max(float(d.sum()), 1.0)
        scale = 1.0 if integral and total <= MAX_FLOW_UNITS else MAX_FLOW_UNITS / total
        # Demands rounded up and capacities down: a flow here is feasible in the plan.
        self.units = np.ceil(d * scale - 1e-9).astype(np.int64)
        self.site_units = np.floor(s * scale + 1e-9).astype(np.int64)
        self.c = c
        unit = c / np.maximum(self.units, 1)[None, :]
        finite = np.isfinite(unit)
        top = float(np.abs(unit[finite]).max()) if finite.any() else 1.0
        #: Whole unit costs, and where there is an arc at all.
        self.unit_cost = np.round(np.where(finite, unit, 0.0) * (COST_UNITS / max(top, 1e-12)))
        self.arcs = finite & (self.units > 0)[None, :]
        #: Customers of no demand go to their cheapest open site, outside the flow.
        self.free = np.flatnonzero(self.units <= 0)

    def shares(self, open_: Mask, *, nearest: int | None = None) -> Array | None:
        """Shares (sites × customers) of the cheapest service from the ``open_`` sites, or
        ``None`` if they cannot serve everyone. With ``nearest``, each customer may only
        use that many of its cheapest open sites: far faster when many are open, and
        the shares are still a plan (if perhaps not the cheapest)."""
        rows = np.flatnonzero(open_)
        k, n = len(rows), self.c.shape[1]
        arcs = self.arcs[rows]
        if nearest is not None and nearest < k:
            cost = np.where(arcs, self.unit_cost[rows], np.inf)
            arcs &= np.argsort(np.argsort(cost, axis=0, kind="stable"), axis=0) < nearest
        site, customer = np.nonzero(arcs)
        net = min_cost_flow.SimpleMinCostFlow()
        # Nodes: source 0, open sites 1..k, customers k+1..k+n, sink k+n+1.
        sink = k + n + 1
        net.add_arcs_with_capacity_and_unit_cost(
            np.zeros(k, np.int32), np.arange(1, k + 1, dtype=np.int32),
            self.site_units[rows], np.zeros(k, np.int64),
        )  # fmt: skip
        arc_ids = net.add_arcs_with_capacity_and_unit_cost(
            (site + 1).astype(np.int32), (customer + k + 1).astype(np.int32),
            self.units[customer], self.unit_cost[rows[site], customer].astype(np.int64),
        )  # fmt: skip
        net.add_arcs_with_capacity_and_unit_cost(
            np.arange(k + 1, k + n + 1, dtype=np.int32), np.full(n, sink, np.int32),
            self.units, np.zeros(n, np.int64),
        )  # fmt: skip
        total = int(self.units.sum())
        net.set_node_supply(0, total)
        net.set_node_supply(sink, -total)
        if net.solve() != net.OPTIMAL:
            return None
        flow = net.flows(arc_ids) if len(site) else np.zeros(0)
        x = np.zeros(self.c.shape)
        x[rows[site], customer] = flow / self.units[customer]
        if len(self.free):
            near = np.where(open_[:, None], self.c[:, self.free], np.inf)
            if not np.all(np.isfinite(near.min(axis=0))):
                return None
            x[near.argmin(axis=0), self.free] = 1.0
        return x
