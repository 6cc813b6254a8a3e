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
    """The transportation problem from open sites to customers as a min-cost flow: one
    network, solved again with the capacities of closed sites set to zero.

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
        m, n = c.shape
        integral = bool(np.all(d == np.round(d)) and np.all(s == np.round(s)))
        scale = 1.0 if integral and d.sum() <= MAX_FLOW_UNITS else MAX_FLOW_UNITS / max(d.sum(), 1)
        # Demands rounded up and capacities down: a flow here is feasible in the plan.
        self.units = np.ceil(d * scale - 1e-9).astype(np.int64)
        self.site_units = np.floor(s * scale + 1e-9).astype(np.int64)
        self.scale = scale
        self.c = c
        site, customer = np.nonzero(np.isfinite(c) & (d > 0)[None, :])
        unit = c[site, customer] / np.maximum(self.units[customer], 1)
        top = float(np.abs(unit).max()) if len(unit) else 1.0
        self.arc_site, self.arc_customer = site, customer
        self.net = min_cost_flow.SimpleMinCostFlow()
        # Nodes: source 0, sites 1..m, customers m+1..m+n, sink m+n+1.
        sink = m + n + 1
        self.net.add_arcs_with_capacity_and_unit_cost(
            np.zeros(m, np.int32), np.arange(1, m + 1, dtype=np.int32),
            np.zeros(m, np.int64), np.zeros(m, np.int64),
        )  # fmt: skip
        self.net.add_arcs_with_capacity_and_unit_cost(
            (site + 1).astype(np.int32), (customer + m + 1).astype(np.int32),
            self.units[customer], np.round(unit * (COST_UNITS / max(top, 1e-12))).astype(np.int64),
        )  # fmt: skip
        self.net.add_arcs_with_capacity_and_unit_cost(
            np.arange(m + 1, m + n + 1, dtype=np.int32), np.full(n, sink, np.int32),
            self.units, np.zeros(n, np.int64),
        )  # fmt: skip
        total = int(self.units.sum())
        self.net.set_node_supply(0, total)
        self.net.set_node_supply(sink, -total)
        self.m, self.n = m, n
        #: Customers of no demand go to their cheapest open site, outside the flow.
        self.free = np.flatnonzero(d <= 0)

    def shares(self, open_: Mask) -> Array | None:
        """Shares (sites × customers) of the cheapest service from the ``open_`` sites, or
        ``None`` if they cannot serve everyone."""
        caps = np.where(open_, self.site_units, 0).astype(np.int64)
        self.net.set_arc_capacities(np.arange(self.m, dtype=np.int32), caps)
        if self.net.solve() != self.net.OPTIMAL:
            return None
        k = len(self.arc_site)
        flow = self.net.flows(np.arange(self.m, self.m + k, dtype=np.int32))
        x = np.zeros((self.m, self.n))
        x[self.arc_site, self.arc_customer] = flow / np.maximum(self.units[self.arc_customer], 1)
        x[:, self.units == 0] = 0.0
        if len(self.free):
            near = np.where(open_[:, None], self.c[:, self.free], np.inf)
            if not np.all(np.isfinite(near.min(axis=0))):
                return None
            x[near.argmin(axis=0), self.free] = 1.0
        return x
