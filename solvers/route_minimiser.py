"""Route minimisation by ejection search, for pickup-and-delivery parts (Li & Lim class).

Guided local search moves one pair at a time and saves a vehicle's fixed cost only when
the vehicle's last pair leaves, so it seldom empties a route. This module empties routes
on purpose with the route elimination of Nagata & Kobayashi (2010), the pickup-and-
delivery version of Nagata & Bräysy's (2009) route minimisation heuristic:

1. remove a route and put its requests (pickup-delivery pairs) in an ejection pool;
2. take the last request of the pool and insert it at a random feasible position;
   failing that, *squeeze* it in: insert it where it breaks a route least (time warp
   plus ``alpha`` times the excess load) and move the route's other requests to other
   routes, one at a time while that lowers the breach, until the route is feasible,
   or else undo;
3. failing that, add one to the request's *penalty counter* and insert it by ejecting at
   most :data:`MAX_EJECTED` requests of one route, those with the least sum of counters
   (requests that often failed to go in stay in), into the pool; then perturb the plan
   with random feasible moves of requests between routes;
4. when the pool is empty the plan has one vehicle fewer: go back to 1 until the time
   is up. An attempt that does not finish in time is undone.

Distance is left to the engine that polishes the routes. Feasibility checks are O(1) per
insertion position (see :mod:`solvers._pd_routes`), in the OR-Tools adapter's integer
units, so that every route found here is feasible there.

References
----------
Y. Nagata and S. Kobayashi, "A memetic algorithm for the pickup and delivery problem
with time windows using selective route exchange crossover", PPSN XI, LNCS 6238, 2010.
Y. Nagata and O. Bräysy, "A powerful route minimization heuristic for the vehicle
routing problem with time windows", Operations Research Letters 37(5), 2009.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence

import numpy as np

from solvers._pd_routes import (
    PdModel,
    RouteState,
    added_distance,
    evaluate,
    inserted,
    least_penalty,
    penalty,
    positions,
    route_is_feasible,
    without,
)
from solvers.routing_problem import Role, RoutingProblem

__all__ = ["MAX_EJECTED", "minimise_routes", "minimiser_time_scale", "route_minimiser_supports"]

#: Most requests one ejection insertion puts back in the pool.
MAX_EJECTED = 2
#: Ejection sets tried per ejection insertion at most, least penalty first.
MAX_EJECTION_TRIALS = 400
#: Random feasible moves of the perturbation after each ejection insertion.
PERTURB_MOVES = 15
#: Engine time units per second when no coarser scale is exact. Travel rounded up to
#: whole seconds breaks most best known Li & Lim routes (lr104: all 9), and to 1/100 s
#: still two; at 1/1000 s every one of the 56 fits.
FINE_TIME_SCALE = 1000


def route_minimiser_supports(part: RoutingProblem) -> bool:
    """Whether :func:`minimise_routes` represents ``part`` exactly: every pair a pickup
    and its DROP (or, preloaded, a delivery alone), every stop in one pair and allowed on
    every vehicle, vehicles of one type at one depot, and no stop at the depot (so one
    trip per vehicle)."""
    if not part.vehicles or not part.pairs or part.calls_at_depots():
        return False
    if any(v.vehicle_type != part.vehicles[0].vehicle_type for v in part.vehicles):
        return False
    everyone = tuple(range(len(part.vehicles)))
    if any(tuple(sorted(s.vehicles)) != everyone for s in part.stops):
        return False
    roles = ((Role.PICKUP,), (Role.DROP,))
    members = []
    for pair in part.pairs:
        sides = tuple(
            tuple(part.stops[i].role for i in side) for side in (pair.pickups, pair.deliveries)
        )
        if sides != roles and not (part.preloaded and sides == ((), (Role.DELIVERY,))):
            return False
        members += [*pair.pickups, *pair.deliveries]
    return sorted(members) == list(range(len(part.stops)))


def minimiser_time_scale(part: RoutingProblem) -> int:
    """Engine time units per second of the minimiser's model of ``part``:
    ``part.time_scale()`` when that is exact, else :data:`FINE_TIME_SCALE`. Its routes are
    feasible in an OR-Tools model of that scale."""
    scale = part.time_scale()
    if scale > 1:
        return scale
    sites = sorted({part.vehicles[0].depot} | {s.site_id for s in part.stops})
    idx = [part.matrix.index(x) for x in sites]
    values = part.matrix.duration_s[np.ix_(idx, idx)].ravel().tolist()
    values += [
        part.start_s,
        part.end_s,
        *(x for s in part.stops for x in (s.ready_s, s.due_s, s.service_s)),
    ]
    values += [p.max_transit_s for p in part.pairs if p.max_transit_s is not None]
    shift = part.vehicles[0].vehicle_type.max_shift_min
    values += [] if shift is None else [shift * 60]
    whole = all(abs(x - round(x)) < 1e-6 for x in values if math.isfinite(x))
    return 1 if whole else FINE_TIME_SCALE


def minimise_routes(
    part: RoutingProblem,
    start: Sequence[Sequence[int]],
    *,
    deadline: float,
    seed: int = 0,
    max_iterations: int | None = None,
) -> tuple[tuple[int, ...], ...]:
    """Stop sequences per vehicle that serve the stops of ``start`` with as few vehicles
    as the search managed by ``deadline`` (a :func:`time.perf_counter` reading).

    ``start`` holds feasible stop sequences per vehicle of ``part`` (as
    :attr:`~solvers.routing_problem.EngineRoutes.sequences`), for a part that
    :func:`route_minimiser_supports`; ``max_iterations`` caps the requests taken from the
    pool, for a run that does not depend on the clock. Routes that survive keep their
    vehicle. Every route returned passed a plain check of its own; if the start does
    not, it comes back unchanged.

    Examples
    --------
    Two loads on a line, one vehicle each, fit in one vehicle if it carries one at a
    time, the load at km 1 first (it is due by time 5):

    >>> import pathlib, tempfile, time
    >>> from logistics.lilim_io import read_lilim_instance
    >>> from solvers.location import open_everything
    >>> from solvers.routing_problem import build_routing_problem
    >>> text = "2 5 1\\n0 0 0 0 0 100 0 0 0\\n1 1 0 5 0 5 0 0 2\\n2 2 0 -5 0 100 0 1 0\\n"
    >>> text += "3 3 0 5 0 100 0 0 4\\n4 4 0 -5 0 100 0 3 0\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "line.txt")
    ...     _ = path.write_text(text)
    ...     bench = read_lilim_instance(path)
    >>> s = bench.scenario
    >>> part = build_routing_problem(s, bench.matrix, open_everything(s))
    >>> route_minimiser_supports(part)
    True
    >>> minimise_routes(part, [[0, 1], [2, 3]], deadline=time.perf_counter() + 1)
    ((0, 1, 2, 3), ())
    """
    d = PdModel(part, time_scale=minimiser_time_scale(part))
    unchanged = tuple(tuple(seq) for seq in start)
    routes = [(v, [i + 1 for i in seq]) for v, seq in enumerate(start) if seq]
    served = sorted(i for _, nodes in routes for i in nodes)
    if len(set(served)) != len(served) or not all(route_is_feasible(d, n) for _, n in routes):
        return unchanged
    states = [evaluate(d, nodes) for _, nodes in routes]
    if any(s is None for s in states):
        return unchanged
    search = _Search(d, [s for s in states if s is not None], [v for v, _ in routes])
    best = search.run(random.Random(seed), deadline, max_iterations)
    out: list[tuple[int, ...]] = [() for _ in part.vehicles]
    for v, nodes in best:
        out[v] = tuple(i - 1 for i in nodes)
    if sorted(i + 1 for seq in out for i in seq) != served or not all(
        route_is_feasible(d, nodes) for _, nodes in best
    ):
        return unchanged
    return tuple(out)


class _Search:
    """The plan as route states, one per vehicle in use, and the ejection search on it."""

    def __init__(self, d: PdModel, routes: list[RouteState], vehicles: list[int]) -> None:
        self.d = d
        self.routes = routes
        self.vehicles = vehicles
        self.rng = random.Random(0)
        self.deadline = 0.0
        self.budget: int | None = None
        self.alpha = 1.0

    def snapshot(self) -> list[tuple[int, list[int]]]:
        return [(v, r.nodes) for v, r in zip(self.vehicles, self.routes, strict=True)]

    def run(
        self, rng: random.Random, deadline: float, max_iterations: int | None
    ) -> list[tuple[int, list[int]]]:
        """The plan with the fewest routes found, as (vehicle, nodes) pairs."""
        self.rng, self.deadline, self.budget = rng, deadline, max_iterations
        best = self.snapshot()
        while len(self.routes) > 1 and self.delete_route():
            best = self.snapshot()
        return best

    def out_of_time(self) -> bool:
        if self.budget is not None and self.budget <= 0:
            return True
        return time.perf_counter() >= self.deadline

    def delete_route(self) -> bool:
        """Remove a random route and reinsert its requests elsewhere; undo on time out."""
        saved = (list(self.routes), list(self.vehicles))
        empty = [k for k, route in enumerate(self.routes) if not route.nodes]
        k = empty[0] if empty else self.rng.randrange(len(self.routes))
        pool = list(self.routes.pop(k).requests)
        self.vehicles.pop(k)
        self.rng.shuffle(pool)
        counters = [1] * self.d.n_requests
        while pool:
            if self.out_of_time():
                self.routes, self.vehicles = saved[0], saved[1]
                return False
            if self.budget is not None:
                self.budget -= 1
            r = pool.pop()
            if self.insert(r) or (not pool and self.squeeze(r)):
                continue
            counters[r] += 1
            ejected = self.eject_insert(r, counters)
            if ejected is None:
                pool.insert(0, r)
            else:
                pool.extend(ejected)
            self.perturb()
        return True

    def place(
        self, k: int, route: RouteState, r: int, where: list[tuple[int, int, int]], *, greedy: bool
    ) -> bool:
        """Put request ``r`` into ``route`` (the new state of route ``k``) at the cheapest
        position of ``where`` (``greedy``) or at a random one; false if none passes the
        whole-route checks."""
        self.rng.shuffle(where)
        if greedy:
            where.sort(key=lambda w: added_distance(self.d, route, r, w[0], w[1]))
        for i, j, _ in where:
            state = evaluate(self.d, inserted(self.d, route.nodes, r, i, j))
            if state is not None:
                self.routes[k] = state
                return True
        return False

    def insert(self, r: int, *, avoid: int = -1) -> bool:
        """Insert ``r`` at the cheapest feasible position in every route but ``avoid``;
        false if there is none."""
        d = self.d
        options = []
        for k, route in enumerate(self.routes):
            if k != avoid:
                options += [
                    (added_distance(d, route, r, i, j), self.rng.random(), k, i, j)
                    for i, j, _ in positions(d, route, r)
                ]
        options.sort()
        for _, _, k, i, j in options:
            state = evaluate(d, inserted(d, self.routes[k].nodes, r, i, j))
            if state is not None:
                self.routes[k] = state
                return True
        return False

    def squeeze(self, r: int) -> bool:
        """Insert ``r`` where it breaks a route least, then move that route's other
        requests elsewhere while each move lowers the breach; undo unless it ends
        feasible. ``alpha`` follows the outcome, as in Nagata & Bräysy."""
        d = self.d
        best = min(
            ((*least_penalty(d, route, r, self.alpha), k) for k, route in enumerate(self.routes)),
            default=None,
        )
        if best is None:
            return False
        _, i, j, k = best
        saved = list(self.routes)
        nodes = inserted(d, self.routes[k].nodes, r, i, j)
        breach = penalty(d, nodes, self.alpha)
        while breach > 0 and not self.out_of_time():
            moves = []
            for other in {d.request_of[v] for v in nodes} - {r}:
                rest = without(d, nodes, (other,))
                moves.append((penalty(d, rest, self.alpha), self.rng.random(), other, rest))
            moves.sort()
            moved = next(
                (
                    (rest, lower)
                    for lower, _, other, rest in moves
                    if lower < breach and self.insert(other, avoid=k)
                ),
                None,
            )
            if moved is None:
                break
            nodes, breach = moved
        state = evaluate(d, nodes) if breach == 0 else None
        if state is not None:
            self.routes[k] = state
            self.alpha *= 0.99
            return True
        self.routes = saved
        self.alpha /= 0.99
        return False

    def eject_insert(self, r: int, counters: list[int]) -> list[int] | None:
        """Insert ``r`` into a route after ejecting at most :data:`MAX_EJECTED` of its
        requests, least sum of penalty counters first (ties at random); the ejected
        requests, or ``None`` when no set tried makes room."""
        d, rand = self.d, self.rng.random
        options: list[tuple[int, float, int, tuple[int, ...]]] = []
        for k, route in enumerate(self.routes):
            reqs = route.requests
            cs = [counters[x] for x in reqs]
            options += [(c, rand(), k, (x,)) for c, x in zip(cs, reqs, strict=True)]
            if MAX_EJECTED >= 2:
                n = len(reqs)
                options += [
                    (cs[a] + cs[b], rand(), k, (reqs[a], reqs[b]))
                    for a in range(n)
                    for b in range(a + 1, n)
                ]
            for size in range(3, MAX_EJECTED + 1):
                options += [
                    (sum(cs[a] for a in idx), rand(), k, tuple(reqs[a] for a in idx))
                    for idx in itertools.combinations(range(len(reqs)), size)
                ]
        options.sort()
        for _, _, k, out in options[:MAX_EJECTION_TRIALS]:
            reduced = evaluate(d, without(d, self.routes[k].nodes, out))
            if reduced is None:
                continue
            where = positions(d, reduced, r)
            if where and self.place(k, reduced, r, where, greedy=True):
                return list(out)
        return None

    def perturb(self) -> None:
        """Random feasible moves of single requests between routes."""
        d, rng, routes = self.d, self.rng, self.routes
        if len(routes) < 2:
            return
        for _ in range(PERTURB_MOVES):
            a, b = rng.sample(range(len(routes)), 2)
            if not routes[a].requests:
                continue
            r = rng.choice(routes[a].requests)
            where = positions(d, routes[b], r)
            if not where:
                continue
            rest = evaluate(d, without(d, routes[a].nodes, (r,)))
            if rest is not None and self.place(b, routes[b], r, where, greedy=False):
                routes[a] = rest
