"""How lognet runs PyVRP's iterated local search on a model built by
:mod:`solvers.engines.pyvrp_routing`.

It assembles PyVRP's public search components (local search, penalty manager, iterated
local search) as :func:`pyvrp.solve` does, and differs from it in four ways, each for a
behaviour of PyVRP 0.14 found on lognet's problems:

- two searches: first with every stop required, then, from its best solution, with every
  stop optional at its penalty. PyVRP runs several times more iterations per second when
  it need not weigh leaving stops out (CVRP X-n101-k25: about 4,600 against 1,100 in 5 s),
  and serving every order is usually right, a penalty being far above a village's detour;
  the second search leaves out what costs more to serve than to leave, and starts afresh
  when serving everything proved infeasible. A starting solution that serves every stop
  starts the first search; one that leaves stops out, only the second;
- starting penalties derived from the data, so that an average excess costs about an
  average arc, and updated every ``UPDATE_EVERY`` iterations. PyVRP's fixed defaults suit
  a few hundred units per arc; in lognet's finer units any excess would outweigh an
  order's penalty, and an optional order that fits only on a new trip would never enter
  (PyVRP reaches a reload by relocating a client already on a route);
- a complete granular neighbourhood on small instances: with a single shipment PyVRP
  sizes the lists one short, and an optional shipment whose pickup has no neighbour is
  never inserted;
- PyVRP's warning that a penalty reached its bound is silenced (an infeasible result says
  as much), so that the library never warns about the engine's inner workings.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pyvrp
from pyvrp import (
    Activity,
    ActivityType,
    IteratedLocalSearch,
    PenaltyManager,
    PenaltyParams,
    ProblemData,
    RandomNumberGenerator,
    Solution,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.search import OPERATORS, LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.stop import StoppingCriterion

__all__ = ["search_pyvrp"]

#: PyVRP's default granular neighbourhood size; smaller instances get every neighbour.
NEIGHBOURS = 50
#: How far PyVRP's penalty manager may move the penalties from their starting values.
PENALTY_RANGE = (0.01, 10_000.0)
#: Search iterations between penalty updates (PyVRP: 500, for runs of minutes).
UPDATE_EVERY = 50
#: Share of the budget for the search that serves every stop, and the share after which
#: it gives up if it has found no feasible solution.
FIRST, GIVE_UP = 0.8, 0.2
#: PyVRP's cost of an infeasible solution.
INFEASIBLE = int(np.iinfo(np.int64).max)

Penalties = tuple[list[float], float, float]


def search_pyvrp(
    optional: ProblemData,
    required: ProblemData,
    *,
    horizon: int,
    time_limit_s: float,
    max_iterations: int | None,
    seed: int,
    start: Solution | None = None,
) -> Solution:
    """The best solution of ``optional`` found in ``time_limit_s`` (or ``max_iterations``
    iterations, when given), by way of ``required``: the same problem with every client
    and shipment required. Arcs longer than ``horizon`` have no road.

    With ``start`` (a solution of ``optional``, such as yesterday's plan), both searches
    start from it when it serves every stop; otherwise only the second does."""
    t0 = time.perf_counter()
    penalties = _initial_penalties(optional, horizon)
    its = max_iterations
    if start is not None and not _serves_everything(optional, start):
        return _search(optional, penalties, _Budget(time_limit_s, its), seed, start=start)
    first = _Budget(
        time_limit_s * FIRST, None if its is None else math.ceil(its * FIRST),
        give_up=GIVE_UP / FIRST,
    )  # fmt: skip
    from_start = None if start is None else _on(required, start)
    everything = _search(required, penalties, first, seed, start=from_start)
    start = _on(optional, everything) if everything.is_feasible() else None
    left_s = max(time_limit_s - (time.perf_counter() - t0), 0.0)
    rest = _Budget(left_s, None if its is None else max(its - first.iterations, 0))
    return _search(optional, penalties, rest, seed, start=start)


def _search(
    data: ProblemData,
    initial: Penalties,
    stop: StoppingCriterion,
    seed: int,
    *,
    start: Solution | None,
) -> Solution:
    rng = RandomNumberGenerator(seed=seed)
    search = LocalSearch(data, rng, _neighbours(data), PerturbationManager())
    for op in OPERATORS:
        if op.supports(data):
            search.add_operator(op(data))
    loads, warp, _ = initial
    low, high = PENALTY_RANGE
    params = PenaltyParams(solutions_between_updates=UPDATE_EVERY,
                           min_penalty=low * min([*loads, warp]),
                           max_penalty=high * max([*loads, warp]))  # fmt: skip
    penalties = PenaltyManager(initial, params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        if start is None:
            start = search(Solution.make_random(data, rng), penalties.max_cost_evaluator(),
                           exhaustive=True)  # fmt: skip
        algorithm = IteratedLocalSearch(data, penalties, search, start)
        return algorithm.run(stop, collect_stats=False).best


def _on(data: ProblemData, solution: Solution) -> Solution:
    """``solution`` as a solution of ``data`` (the same stops, vehicles and depots)."""
    routes = [
        pyvrp.Route(data, [Activity(a.type, a.idx) for a in r.schedule()[1:-1]],
                    r.vehicle_type())
        for r in solution.routes()
    ]  # fmt: skip
    return Solution(data, routes)


def _serves_everything(data: ProblemData, solution: Solution) -> bool:
    return (
        solution.num_clients() == data.num_clients
        and solution.num_shipments() == data.num_shipments
    )


def _initial_penalties(data: ProblemData, horizon: int) -> Penalties:
    """Penalties per unit of excess load (per dimension), of time warp and of excess
    distance that make an average excess cost about an average arc, as PyVRP once
    derived them."""
    duration = np.asarray(data.duration_matrix(0), dtype=np.int64)
    distance = np.asarray(data.distance_matrix(0), dtype=np.int64)
    road = (duration > 0) & (duration <= horizon)
    vts = data.vehicle_types()
    per_length = float(np.mean([vt.unit_distance_cost for vt in vts]))
    per_time = float(np.mean([vt.unit_duration_cost for vt in vts]))
    if road.any():
        mean_time = float(np.mean(duration[road]))
        arc = per_length * float(np.mean(distance[road])) + per_time * mean_time
    else:
        mean_time, arc = 1.0, 1.0
    arc = max(arc, 1.0)
    amounts = [c.delivery for c in data.clients()] + [c.pickup for c in data.clients()]
    amounts += [s.amount for s in data.shipments()]
    loads = []
    for d in range(data.num_load_dimensions):
        used = [a[d] for a in amounts if a[d] > 0]
        loads.append(arc / float(np.mean(used)) if used else arc)
    return loads, arc / mean_time, arc / mean_time


class _Budget:
    """PyVRP stopping criterion: ``seconds`` or ``iterations``, whichever ends first, and
    with ``give_up`` (a share of either) no later than that without a feasible solution.
    Counts the ``iterations`` done."""

    def __init__(self, seconds: float, iterations: int | None, *, give_up: float = 1.0) -> None:
        self.seconds = seconds
        self.limit = iterations
        self.give_up = give_up
        self.iterations = 0
        self.t0: float | None = None

    def __call__(self, best_cost: int) -> bool:
        if self.t0 is None:  # PyVRP asks once before its first iteration
            self.t0 = time.perf_counter()
            return False
        self.iterations += 1
        share = (time.perf_counter() - self.t0) / self.seconds if self.seconds > 0 else 1.0
        if self.limit is not None:
            share = max(share, self.iterations / self.limit) if self.limit else 1.0
        return share >= 1.0 or (best_cost == INFEASIBLE and share >= self.give_up)


def _neighbours(data: ProblemData) -> dict[Activity, list[Activity]]:
    """PyVRP's granular neighbourhood, with every other activity on small instances."""
    found = compute_neighbours(data)
    everyone = [Activity(ActivityType.CLIENT, i) for i in range(data.num_clients)]
    everyone += [Activity(ActivityType.PICKUP, k) for k in range(data.num_shipments)]
    everyone += [Activity(ActivityType.DELIVERY, k) for k in range(data.num_shipments)]
    if len(everyone) > NEIGHBOURS:
        return found
    complete = {}
    for a, near in found.items():
        own = {a, Activity(ActivityType.DELIVERY, a.idx)} if a.is_pickup() else {a}
        complete[a] = [*near, *(b for b in everyone if b not in own and b not in near)]
    return complete
