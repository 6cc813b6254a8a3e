"""Pickup-and-delivery routes in the OR-Tools adapter's integer units, with the O(1)
insertion checks that :mod:`solvers.route_minimiser` needs.

The units are the adapter's, so that routes feasible here are feasible there: time in
1/``scale`` s (``RoutingProblem.time_scale``) with travel and service rounded up and
windows rounded inwards, amounts rounded up and capacities down; a stop's service is spent
when leaving its site, so stops at one site share it. Node 0 is the depot and node
``k + 1`` stop ``k``; request ``r`` is pair ``r`` of the part (a pickup and its DROP, or
a preloaded delivery alone, whose load is counted up as the adapter does).

A feasible route keeps, per position, the earliest and the latest start of service (the
forward and backward time slack of Savelsbergh) and the load on leaving; a request's
pickup and delivery positions are then scanned in one pass, O(1) each, that stops as soon
as the delay or the load rules out later positions. Ride-time and shift limits are not
O(1): routes with them are checked whole, as a system of difference constraints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from solvers.engine_units import KG_SCALE, M3_SCALE
from solvers.routing_problem import Role, RoutingProblem

#: A capacity that never binds.
UNLIMITED = 10**15


class PdModel:
    """The part's data as plain lists, for fast indexing in pure Python."""

    def __init__(self, part: RoutingProblem, *, time_scale: int) -> None:
        # The adapter imports the minimiser: its no-road length is read when a model is built.
        from solvers.engines.ortools_routing import NO_ROAD

        ts = time_scale

        def up(seconds: float) -> int:
            return math.ceil(seconds * ts - 1e-6) if math.isfinite(seconds) else NO_ROAD

        def down(seconds: float) -> int:
            return math.floor(seconds * ts + 1e-6) if math.isfinite(seconds) else NO_ROAD

        m, stops = part.matrix, part.stops
        vt = part.vehicles[0].vehicle_type
        idx = np.array([m.index(vt.depot)] + [m.index(s.site_id) for s in stops])
        dur = m.duration_s[np.ix_(idx, idx)]
        road = np.isfinite(dur)
        travel = np.ceil(np.where(road, dur, 0.0) * ts - 1e-6)
        leave = np.ceil(np.array([0.0] + [s.service_s for s in stops]) * ts - 1e-6)[:, None]
        same_site = idx[:, None] == idx[None, :]
        rows = np.where(same_site, 0, np.where(road, np.minimum(travel + leave, NO_ROAD), NO_ROAD))
        #: Engine time from leaving one node's site to reaching the next, service included.
        self.travel: list[list[int]] = rows.astype(np.int64).tolist()
        dist = m.distance_m[np.ix_(idx, idx)]
        self.distance: list[list[float]] = np.where(np.isfinite(dist), dist, 1e12).tolist()
        self.start, self.end = up(part.start_s), down(part.end_s)
        self.ready = [self.start] + [up(s.ready_s) for s in stops]
        self.due = [self.end] + [max(up(s.ready_s), down(s.due_s)) for s in stops]

        every = (
            (KG_SCALE, vt.capacity_kg, [s.weight_kg for s in stops]),
            (M3_SCALE, vt.capacity_m3, [s.volume_m3 for s in stops]),
            (1, vt.capacity_parcels, [float(s.parcels) for s in stops]),
        )
        measures = [every[k] for k in part.binding_measures()] or [(1, None, [0.0] * len(stops))]
        sign = [-1 if s.role is Role.DROP else 1 for s in stops]
        #: Load change per node and measure, and the capacities.
        self.change = [(0,) * len(measures)] + [
            tuple(sign[k] * math.ceil(amounts[k] * scale - 1e-9) for scale, _, amounts in measures)
            for k in range(len(stops))
        ]
        self.capacity = tuple(
            UNLIMITED if c is None else math.floor(c * scale + 1e-9) for scale, c, _ in measures
        )
        self.q0 = [c[0] for c in self.change]
        self.cap0 = self.capacity[0]
        self.multi = len(measures) > 1

        self.n_requests = len(part.pairs)
        self.pickup = [(p.pickups or p.deliveries)[0] + 1 for p in part.pairs]
        self.delivery = [p.deliveries[0] + 1 if p.pickups else -1 for p in part.pairs]
        self.request_of = [-1] * (len(stops) + 1)
        for r, nodes in enumerate(zip(self.pickup, self.delivery, strict=True)):
            for v in nodes:
                if v >= 0:
                    self.request_of[v] = r
        #: Whether a node is the first of its request's (pickup, or lone delivery).
        self.first = [v > 0 and self.pickup[self.request_of[v]] == v for v in range(len(stops) + 1)]
        self.ride = [
            down(p.max_transit_s) if p.max_transit_s is not None and p.pickups else None
            for p in part.pairs
        ]
        self.shift = None if vt.max_shift_min is None else down(vt.max_shift_min * 60)
        #: Whether routes need the whole-route schedule check.
        self.exact = self.shift is not None or any(x is not None for x in self.ride)

    def nodes_of(self, r: int) -> tuple[int, ...]:
        return (self.pickup[r],) if self.delivery[r] < 0 else (self.pickup[r], self.delivery[r])


class RouteState:
    """A feasible route: ``nodes`` between two depot calls and, per position of
    ``ext = [0, *nodes, 0]``, the earliest and latest service start and the load on
    leaving (first measure); ``requests`` in the order of their pickups."""

    __slots__ = ("early", "ext", "late", "load", "nodes", "requests")

    def __init__(
        self,
        nodes: list[int],
        ext: list[int],
        early: list[int],
        late: list[int],
        load: list[int],
        requests: tuple[int, ...],
    ) -> None:
        self.nodes, self.ext, self.early, self.late = nodes, ext, early, late
        self.load, self.requests = load, requests


def evaluate(d: PdModel, nodes: list[int]) -> RouteState | None:
    """The state of the route ``nodes``, or ``None`` if it is not feasible (pairing and
    order of pickups and deliveries are taken as given)."""
    ext = [0, *nodes, 0]
    n = len(ext)
    travel, ready, due = d.travel, d.ready, d.due
    early = [d.start] * n
    t, row = d.start, travel[0]
    for k in range(1, n):
        node = ext[k]
        t += row[node]
        if t < ready[node]:
            t = ready[node]
        if t > due[node]:
            return None
        early[k], row = t, travel[node]
    late = [d.end] * n
    t = d.end
    for k in range(n - 2, -1, -1):
        node = ext[k]
        t -= travel[node][ext[k + 1]]
        if t > due[node]:
            t = due[node]
        late[k] = t
    load = [0] * n
    q0, cap0, total = d.q0, d.cap0, 0
    for k in range(1, n):
        total += q0[ext[k]]
        if total > cap0:
            return None
        load[k] = total
    if d.multi and excess(d, nodes) > 0:
        return None
    if d.exact and not times_fit(d, ext):
        return None
    first, request_of = d.first, d.request_of
    requests = tuple([request_of[v] for v in nodes if first[v]])
    return RouteState(nodes, ext, early, late, load, requests)


def excess(d: PdModel, nodes: Sequence[int]) -> int:
    """The largest load over capacity on the route, summed over the measures."""
    totals = [0] * len(d.capacity)
    peaks = [0] * len(d.capacity)
    for v in nodes:
        for k, q in enumerate(d.change[v]):
            totals[k] += q
            peaks[k] = max(peaks[k], totals[k])
    return sum(max(0, p - c) for p, c in zip(peaks, d.capacity, strict=True))


def time_warp(d: PdModel, nodes: Sequence[int]) -> int:
    """The route's time warp (Vidal et al. 2013): how far service starts are moved back
    to meet due times when the vehicle leaves as early as it can."""
    travel, ready, due = d.travel, d.ready, d.due
    t, warp, prev = d.start, 0, 0
    for node in (*nodes, 0):
        t = max(ready[node], t + travel[prev][node])
        if t > due[node]:
            warp += t - due[node]
            t = due[node]
        prev = node
    return warp


def times_fit(d: PdModel, ext: Sequence[int]) -> bool:
    """Whether some schedule of ``ext`` (depot to depot) meets the windows, ride limits
    and shift limit: the least solution of the difference constraints by label
    correcting, where more than ``len(ext)`` rounds of change mean a positive cycle."""
    n = len(ext)
    x = [d.ready[v] for v in ext]
    travel, due = d.travel, d.due
    at = {v: k for k, v in enumerate(ext) if 0 < k < n - 1}
    rides = [
        (at[d.pickup[r]], at[d.delivery[r]], limit)
        for r in {d.request_of[v] for v in ext[1:-1]}
        if (limit := d.ride[r]) is not None
    ]
    for _ in range(n + 1):
        for k in range(1, n):
            x[k] = max(x[k], x[k - 1] + travel[ext[k - 1]][ext[k]])
        if any(x[k] > due[ext[k]] for k in range(n)):
            return False
        changed = False
        for a, b, limit in rides:
            if x[a] < x[b] - limit:
                x[a], changed = x[b] - limit, True
        if d.shift is not None and x[0] < x[-1] - d.shift:
            x[0], changed = x[-1] - d.shift, True
        if not changed:
            return True
    return False


def route_is_feasible(d: PdModel, nodes: Sequence[int]) -> bool:
    """A plain check of one route, independent of any route state: stops of known
    requests, each once, every request whole with its pickup first, loads within every
    capacity, and a schedule that meets every window and limit."""
    seen: set[int] = set()
    for v in nodes:
        r = d.request_of[v] if 0 < v < len(d.request_of) else -1
        if r < 0 or v in seen or (v == d.delivery[r] and d.pickup[r] not in seen):
            return False
        seen.add(v)
    if any(v not in seen for u in nodes for v in d.nodes_of(d.request_of[u])):
        return False
    return excess(d, nodes) == 0 and times_fit(d, [0, *nodes, 0])


def positions(d: PdModel, route: RouteState, r: int) -> list[tuple[int, int, int]]:
    """Where request ``r`` fits in ``route`` by the windows and the first load measure:
    ``(i, j)`` puts its pickup after ``ext[i]`` and its delivery after ``ext[j]`` of the
    route as it stands (right after the pickup when ``j == i``)."""
    ext, early, late, load = route.ext, route.early, route.late, route.load
    travel, ready, due = d.travel, d.ready, d.due
    p, dl = d.pickup[r], d.delivery[r]
    q, cap = d.q0[p], d.cap0
    rp, dp = ready[p], due[p]
    m = len(ext) - 2
    out: list[tuple[int, int, int]] = []
    if dl < 0:  # a preloaded delivery, counted up: the last load is the largest
        if load[-1] + q > cap:
            return out
        from_p = travel[p]
        for i in range(m + 1):
            if early[i] > dp:
                break
            t = early[i] + travel[ext[i]][p]
            arrive = max(t, rp) + from_p[ext[i + 1]]
            if t <= dp and arrive <= late[i + 1]:
                out.append((i, i, max(0, arrive - early[i + 1])))
        return out
    rd, dd = ready[dl], due[dl]
    from_p, from_d = travel[p], travel[dl]
    for i in range(m + 1):
        ei = early[i]
        if ei > dp:
            break
        if load[i] + q > cap:
            continue
        t = ei + travel[ext[i]][p]
        if t > dp:
            continue
        if t < rp:
            t = rp
        prev_row, j = from_p, i
        while True:
            # The delivery goes after the stop left at ``t``, before ext[j + 1].
            td = t + prev_row[dl]
            if td <= dd:
                if td < rd:
                    td = rd
                arrive = td + from_d[ext[j + 1]]
                if arrive <= late[j + 1]:
                    out.append((i, j, arrive - early[j + 1] if arrive > early[j + 1] else 0))
            elif t > dd:
                break
            if j == m:
                break
            j += 1
            if load[j] + q > cap:
                break
            nxt = ext[j]
            t += prev_row[nxt]
            if t < ready[nxt]:
                t = ready[nxt]
            if t > late[j]:
                break
            prev_row = travel[nxt]
    return out


def least_penalty(d: PdModel, route: RouteState, r: int, alpha: float) -> tuple[float, int, int]:
    """The insertion ``(penalty, i, j)`` of request ``r`` into ``route`` (positions as in
    :func:`positions`) with the least time warp plus ``alpha`` times the excess load of
    the first measure. The route's latest starts give the warp of its unchanged tail: a
    feasible tail reached at ``t`` adds ``max(0, t - late)`` (Vidal et al. 2013)."""
    ext, early, late, load = route.ext, route.early, route.late, route.load
    travel, ready, due = d.travel, d.ready, d.due
    p, dl = d.pickup[r], d.delivery[r]
    q, cap = d.q0[p], d.cap0
    m = len(ext) - 2
    best, best_i, best_j = math.inf, 0, 0
    from_p = travel[p]
    for i in range(m + 1):
        t = early[i] + travel[ext[i]][p]
        if t < ready[p]:
            t = ready[p]
        warp = t - due[p] if t > due[p] else 0
        t -= warp
        if dl < 0:
            arrive = t + from_p[ext[i + 1]]
            pen = warp + max(0, arrive - late[i + 1]) + alpha * max(0, load[-1] + q - cap)
            if pen < best:
                best, best_i, best_j = pen, i, i
            continue
        prev_row, peak, j = from_p, load[i], i
        rd, dd, from_d = ready[dl], due[dl], travel[dl]
        while warp < best:
            td = t + prev_row[dl]
            if td < rd:
                td = rd
            pen = warp
            if td > dd:
                pen += td - dd
                td = dd
            arrive = td + from_d[ext[j + 1]]
            if arrive > late[j + 1]:
                pen += arrive - late[j + 1]
            if peak + q > cap:
                pen += alpha * (peak + q - cap)
            if pen < best:
                best, best_i, best_j = pen, i, j
            if j == m:
                break
            j += 1
            nxt = ext[j]
            if load[j] > peak:
                peak = load[j]
            t += prev_row[nxt]
            if t < ready[nxt]:
                t = ready[nxt]
            if t > due[nxt]:
                warp += t - due[nxt]
                t = due[nxt]
            prev_row = travel[nxt]
    return best, best_i, best_j


def penalty(d: PdModel, nodes: Sequence[int], alpha: float) -> float:
    """Time warp plus ``alpha`` times the excess load of a route."""
    return time_warp(d, nodes) + alpha * excess(d, nodes)


def added_distance(d: PdModel, route: RouteState, r: int, i: int, j: int) -> float:
    """The distance request ``r`` adds to ``route`` at positions ``(i, j)``."""
    ext, dist = route.ext, d.distance
    p, dl = d.pickup[r], d.delivery[r]
    a, b = ext[i], ext[i + 1]
    if dl < 0:
        return dist[a][p] + dist[p][b] - dist[a][b]
    if i == j:
        return dist[a][p] + dist[p][dl] + dist[dl][b] - dist[a][b]
    x, y = ext[j], ext[j + 1]
    return dist[a][p] + dist[p][b] - dist[a][b] + dist[x][dl] + dist[dl][y] - dist[x][y]


def inserted(d: PdModel, nodes: list[int], r: int, i: int, j: int) -> list[int]:
    """``nodes`` with request ``r`` at positions ``(i, j)`` of :func:`positions`."""
    p, dl = d.pickup[r], d.delivery[r]
    if dl < 0:
        return [*nodes[:i], p, *nodes[i:]]
    return [*nodes[:i], p, *nodes[i:j], dl, *nodes[j:]]


def without(d: PdModel, nodes: list[int], requests: Sequence[int]) -> list[int]:
    """``nodes`` without the stops of ``requests``."""
    request_of = d.request_of
    return [v for v in nodes if request_of[v] not in requests]
