"""Route rural counties with lognet and with a plain OR-Tools model, same time, and compare.

    python -m benchmarks.county_routing --time-limit 30 --seeds 0 1 2
    python -m benchmarks.county_routing --time-limit 30 --seeds 0 --counties seed0 small large

(from the repository root, so that ``benchmarks.plain_ortools`` imports).

The issue target: on a rural county with cold chain, backhaul and multi-trip, lognet gives
a feasible plan always, and one at least 5 % cheaper than a plain OR-Tools model given the
same time. The counties are synthetic demo counties (:func:`logistics.demo.make_demo_county`:
cold stores, chilled pickups with transit limits, ambient produce back to the depot,
carriers' own vans and shared vans and reefers with ``max_trips`` 2): ``seed0`` …
``seed4`` at the default size (250 villages, 25 townships), ``small`` (120 villages, 12
townships) and ``large`` (400 villages, 35 townships).

Per county the matrix is built and facilities located once (20 s); then, for every seed,
the same location plan is routed by (a) ``solvers.routing.route`` and (b)
``benchmarks.plain_ortools.solve_plain`` (see its docstring for the model), each with the
same time limit, timed by the wall clock of the routing call alone. Both plans go through
``logistics.checker.check_plan``; the costs shown are the checker's (``cost`` includes the
facilities' fixed cost, the same for both). ``save%`` is lognet's saving in % of the plain
model's cost + unserved penalty; ``save%rt`` leaves the facilities' fixed cost out of both
(the routing cost alone). lognet's router runs side by side on every core (it forks a
helper per extra core); the plain model is single-threaded: the header says how many cores
lognet had.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from benchmarks.plain_ortools import solve_plain
from logistics.checker import check_plan
from logistics.demo import make_demo_county
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, RoutePlan
from logistics.scenario import Scenario, SiteKind
from networks.matrix import build_network
from solvers.location import LocateParams, locate
from solvers.routing import RouteParams, route
from solvers.side_by_side import available_workers

COUNTIES: dict[str, Callable[[], Scenario]] = {
    **{f"seed{s}": partial(make_demo_county, seed=s) for s in range(5)},
    "small": partial(make_demo_county, villages=120, townships=12, seed=0),
    "large": partial(make_demo_county, villages=400, townships=35, seed=0),
}
LOCATE_S = 20.0


@dataclass(frozen=True, slots=True)
class Row:
    """One routing run, as the checker sees it."""

    ok: bool
    cost: float  # checker's total, facilities included
    facilities: float
    unserved: int
    penalty: float
    vehicles: int
    trips: int
    wall_s: float

    @property
    def with_penalty(self) -> float:
        return self.cost + self.penalty


def measure(
    scenario: Scenario, matrix: TravelMatrix, location: LocationPlan, solve: Callable[[], RoutePlan]
) -> Row:
    t0 = time.perf_counter()
    plan = solve()
    wall_s = time.perf_counter() - t0
    report = check_plan(scenario, matrix, plan, location)
    return Row(
        ok=report.ok,
        cost=report.cost.total,
        facilities=report.cost.facilities,
        unserved=len(plan.unserved),
        penalty=report.cost.unserved_penalty,
        vehicles=len(plan.vehicles_used),
        trips=len(plan.routes),
        wall_s=wall_s,
    )


def saving(lognet: Row, plain: Row, *, routing_only: bool = False) -> float:
    """lognet's saving in % of the plain model's cost + penalty."""
    base = plain.with_penalty - (plain.facilities if routing_only else 0.0)
    ours = lognet.with_penalty - (lognet.facilities if routing_only else 0.0)
    return 100 * (base - ours) / base if base else 0.0


HEADER = (
    f"{'seed':>4} {'solver':<7} {'ok':>3} {'cost':>9} {'unsrv':>5} {'penalty':>8} "
    f"{'cost+pen':>9} {'veh':>4} {'trips':>5} {'wall_s':>6} {'save%':>6} {'save%rt':>7}"
)


def line(seed: str, solver: str, row: Row, save: tuple[float, float] | None) -> str:
    extra = f" {save[0]:6.1f} {save[1]:7.1f}" if save is not None else ""
    return (
        f"{seed:>4} {solver:<7} {'yes' if row.ok else 'NO':>3} {row.cost:9.1f} {row.unserved:5d} "
        f"{row.penalty:8.0f} {row.with_penalty:9.1f} {row.vehicles:4d} {row.trips:5d} "
        f"{row.wall_s:6.1f}{extra}"
    )


def median_row(rows: list[Row]) -> Row:
    def med(values: list[float]) -> float:
        return float(statistics.median(values))

    return Row(
        ok=all(r.ok for r in rows),
        cost=med([r.cost for r in rows]),
        facilities=med([r.facilities for r in rows]),
        unserved=round(med([r.unserved for r in rows])),
        penalty=med([r.penalty for r in rows]),
        vehicles=round(med([r.vehicles for r in rows])),
        trips=round(med([r.trips for r in rows])),
        wall_s=med([r.wall_s for r in rows]),
    )


def run_county(name: str, *, time_limit_s: float, seeds: list[int]) -> list[tuple[float, float]]:
    """Print the county's table; return its (save%, save%rt) per seed."""
    scenario = COUNTIES[name]()
    matrix = build_network(scenario).matrix
    location = locate(scenario, matrix, LocateParams(time_limit_s=LOCATE_S, seed=0))
    villages = sum(1 for s in scenario.sites if s.kind is SiteKind.VILLAGE_POINT)
    print(
        f"\n{name}: {villages} villages, {len(scenario.orders)} orders, "
        f"{sum(v.count for v in scenario.fleet)} vehicles; location {location.status}, "
        f"{len(location.open_facilities)} open, fixed cost {location.fixed_cost:.1f}"
    )
    print(HEADER)
    ours: list[Row] = []
    theirs: list[Row] = []
    savings: list[tuple[float, float]] = []
    for seed in seeds:
        params = RouteParams(time_limit_s=time_limit_s, seed=seed)
        ours_call = partial(route, scenario, matrix, location, params)
        mine = measure(scenario, matrix, location, ours_call)
        plain = partial(
            solve_plain, scenario, matrix, location, time_limit_s=time_limit_s, seed=seed
        )
        other = measure(scenario, matrix, location, plain)
        save = (saving(mine, other), saving(mine, other, routing_only=True))
        print(line(str(seed), "lognet", mine, save))
        print(line(str(seed), "plain", other, None), flush=True)
        ours.append(mine)
        theirs.append(other)
        savings.append(save)
    medians = (
        statistics.median(s[0] for s in savings),
        statistics.median(s[1] for s in savings),
    )
    print(line("med", "lognet", median_row(ours), medians))
    print(line("med", "plain", median_row(theirs), None))
    return savings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="routing seconds")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--counties", nargs="+", default=list(COUNTIES), choices=list(COUNTIES), metavar="NAME"
    )
    args = parser.parse_args()
    print(
        f"Routing {args.time_limit:g} s per run, wall clock of the routing call. lognet: "
        f"route() side by side on {available_workers()} core(s); plain OR-Tools: 1 core. "
        f"Costs from check_plan; save% = lognet's saving in % of plain's cost+penalty, "
        f"save%rt = the same without the facilities' fixed cost."
    )
    everything: dict[str, list[tuple[float, float]]] = {}
    for name in args.counties:
        everything[name] = run_county(name, time_limit_s=args.time_limit, seeds=args.seeds)
    print("\nmedian saving per county (save% / save%rt):")
    for name, savings in everything.items():
        print(
            f"  {name:<6} {statistics.median(s[0] for s in savings):6.1f} "
            f"{statistics.median(s[1] for s in savings):7.1f}"
        )
    flat = [s for savings in everything.values() for s in savings]
    print(
        f"  {'all':<6} {statistics.median(s[0] for s in flat):6.1f} "
        f"{statistics.median(s[1] for s in flat):7.1f}"
    )


if __name__ == "__main__":
    main()
