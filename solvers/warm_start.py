"""Warm starts: replay a previous plan on today's routing problem, by stable order ids.

A nightly job re-plans a county whose orders changed a little. :func:`warm_sequences`
maps the previous plan's trips onto the stops of a (part of a) new routing problem, per
vehicle id: orders that vanished are skipped, new orders are left for the engine to
insert, and every movement of goods stays a complete pair on one vehicle (a delivery
keeps its LOAD call at the start of its trip, ambient produce its UNLOAD call at the end,
chilled produce its DROP). The engine checks the replay and starts from scratch if it no
longer fits (a vehicle gone, a window moved).
"""

from __future__ import annotations

from collections import defaultdict

from logistics.plans import RoutePlan, StopKind
from solvers.routing_problem import Role, RoutingProblem

__all__ = ["warm_sequences"]


def warm_sequences(part: RoutingProblem, previous: RoutePlan) -> list[list[int]]:
    """Stop indices per vehicle of ``part`` that follow ``previous`` as far as it still
    applies (empty lists where nothing does)."""
    own: dict[str, int] = {}  # order id -> its DELIVERY or PICKUP stop
    drop: dict[str, int] = {}
    at_depot: dict[tuple[str, str], int] = {}  # (order id, depot) -> LOAD or UNLOAD stop
    for i, s in enumerate(part.stops):
        for o in s.order_ids:
            if s.role in (Role.DELIVERY, Role.PICKUP):
                own.setdefault(o, i)
            elif s.role is Role.DROP:
                drop.setdefault(o, i)
            else:
                at_depot.setdefault((o, s.site_id), i)
    vehicle = {v.vehicle_id: k for k, v in enumerate(part.vehicles)}
    sequences: list[list[int]] = [[] for _ in part.vehicles]
    used: set[int] = set()
    trips = defaultdict(list)
    for r in previous.routes:
        if r.vehicle_id in vehicle:
            trips[vehicle[r.vehicle_id]].append(r)
    for k, routes in trips.items():
        depot = part.vehicles[k].depot
        for r in sorted(routes, key=lambda r: r.trip):
            loads: list[int] = []
            body: list[int] = []
            unloads: list[int] = []
            for visit in r.visits:
                order_id = visit.order_id
                if order_id is None:
                    continue
                stop = drop.get(order_id) if visit.kind is StopKind.DROP else own.get(order_id)
                if stop is None or stop in used:
                    continue
                used.add(stop)
                body.append(stop)
                extra = at_depot.get((order_id, depot))
                if extra is not None and extra not in used:
                    used.add(extra)
                    (loads if visit.kind is StopKind.DELIVERY else unloads).append(extra)
            sequences[k].extend(loads + body + unloads)
    return _complete_pairs(part, sequences)


def _complete_pairs(part: RoutingProblem, sequences: list[list[int]]) -> list[list[int]]:
    """Drop the stops whose pair is not wholly on the same vehicle."""
    where = {stop: k for k, seq in enumerate(sequences) for stop in seq}
    keep: set[int] = set()
    for pair in part.pairs:
        sides = [
            [where.get(i) for i in pair.pickups if i in where],
            [where.get(i) for i in pair.deliveries if i in where],
        ]
        if not pair.pickups:  # a preloaded delivery stands alone
            keep.update(i for i in pair.deliveries if i in where)
            continue
        if all(len(side) == 1 for side in sides) and sides[0] == sides[1]:
            keep.update(i for i in (*pair.pickups, *pair.deliveries) if i in where)
    return [[stop for stop in seq if stop in keep] for seq in sequences]
