"""Run lognet's router on a folder of benchmark instances and print the gap to best known.

    python benchmarks/vrp.py ../shared/benchmarks/vrptw --time-limit 10 --seeds 0 1 2
    python benchmarks/vrp.py ../shared/benchmarks/cvrp --time-limit 10 --pyvrp

Each instance is solved with ``solvers.solve_benchmark`` (read, route, check) for every
seed; the row shows the median cost over the seeds, its gap to ``bks.csv``, the vehicles
used, whether every run was feasible (all customers served, checker passed) and the
median wall time. With ``--pyvrp`` the same instances, budget and seeds also run through
PyVRP directly (VRPLIB files only; its ``dimacs`` rounding for time-window files, which is
the truncate-to-one-decimal convention, and ``round`` for the others), side by side in the
same run. Li & Lim folders also report whether the vehicle count equals the best known
(``bks_hierarchical.csv``).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from logistics.benchmarks import read_benchmark_instance
from solvers.benchmark import solve_benchmark


@dataclass
class Run:
    cost: float
    vehicles: int
    feasible: bool
    seconds: float


def read_values(folder: Path, name: str, column: str) -> dict[str, float]:
    path = folder / name
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as f:
        return {row["instance"]: float(row[column]) for row in csv.DictReader(f)}


def run_lognet(
    path: Path, *, time_limit: float, seed: int, engine: str, workers: int | None
) -> Run:
    t0 = time.perf_counter()
    instance = read_benchmark_instance(path)
    result = solve_benchmark(
        instance, time_limit_s=time_limit, seed=seed, engine=engine, workers=workers
    )
    return Run(result.cost, result.vehicles, result.feasible, time.perf_counter() - t0)


def run_pyvrp(path: Path, *, time_limit: float, seed: int) -> Run | None:
    if path.suffix != ".vrp":
        return None
    import pyvrp
    from pyvrp.stop import MaxRuntime

    text = path.read_text(encoding="utf-8")
    windows = "TIME_WINDOW_SECTION" in text
    t0 = time.perf_counter()
    data = pyvrp.read(path, round_func="dimacs" if windows else "round")
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed, display=False)
    scale = 10 if windows else 1
    best = result.best
    return Run(
        best.distance() / scale, best.num_routes(), best.is_feasible(), time.perf_counter() - t0
    )


def summarise(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.cost for r in runs),
        round(statistics.median(r.vehicles for r in runs)),
        all(r.feasible for r in runs),
        statistics.median(r.seconds for r in runs),
    )


def gap(cost: float, best: float | None) -> float | None:
    return None if best is None else 100 * (cost - best) / best


def fmt(x: float | None, spec: str) -> str:
    return "" if x is None else format(x, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--engine", default="auto")
    parser.add_argument(
        "--workers", type=int, default=None, help="lognet's processes (default: every core)"
    )
    parser.add_argument("--pyvrp", action="store_true", help="also run PyVRP directly")
    parser.add_argument("--only", nargs="*", default=None, help="instance names to run")
    args = parser.parse_args()

    bks = read_values(args.folder, "bks.csv", "value")
    bks_vehicles = read_values(args.folder, "bks_hierarchical.csv", "vehicles")
    files = sorted(p for p in args.folder.iterdir() if p.suffix in (".vrp", ".txt"))
    if args.only:
        files = [p for p in files if p.stem in set(args.only)]
    header = (
        f"{'instance':<12} {'bks':>10} | {'lognet':>10} {'gap%':>7} {'veh':>4} {'ok':>3} {'s':>5}"
    )
    if args.pyvrp:
        header += f" | {'pyvrp':>10} {'gap%':>7} {'veh':>4} {'ok':>3}"
    print(header)
    ours: list[tuple[str, Run]] = []
    theirs: list[tuple[str, Run]] = []
    for path in files:
        name = path.stem
        mine = summarise(
            [
                run_lognet(
                    path,
                    time_limit=args.time_limit,
                    seed=s,
                    engine=args.engine,
                    workers=args.workers,
                )
                for s in args.seeds
            ]
        )
        ours.append((name, mine))
        line = (
            f"{name:<12} {fmt(bks.get(name), '10.1f')} | {mine.cost:10.1f} "
            f"{fmt(gap(mine.cost, bks.get(name)), '7.2f')} {mine.vehicles:4d} "
            f"{'yes' if mine.feasible else 'NO':>3} {mine.seconds:5.1f}"
        )
        if args.pyvrp:
            runs = [run_pyvrp(path, time_limit=args.time_limit, seed=s) for s in args.seeds]
            if all(r is not None for r in runs):
                other = summarise([r for r in runs if r is not None])
                theirs.append((name, other))
                line += (
                    f" | {other.cost:10.1f} {fmt(gap(other.cost, bks.get(name)), '7.2f')} "
                    f"{other.vehicles:4d} {'yes' if other.feasible else 'NO':>3}"
                )
        print(line, flush=True)
    report("lognet", ours, bks, bks_vehicles)
    if theirs:
        report("pyvrp", theirs, bks, bks_vehicles)


def report(
    label: str, rows: list[tuple[str, Run]], bks: dict[str, float], vehicles: dict[str, float]
) -> None:
    gaps = [g for name, r in rows if (g := gap(r.cost, bks.get(name))) is not None and r.feasible]
    feasible = sum(r.feasible for _, r in rows)
    line = (
        f"{label}: {feasible}/{len(rows)} feasible, mean gap of feasible "
        f"{statistics.mean(gaps) if gaps else float('nan'):.2f}%, median time "
        f"{statistics.median(r.seconds for _, r in rows) if rows else float('nan'):.1f} s"
    )
    if vehicles:
        same = sum(1 for name, r in rows if name in vehicles and r.vehicles == vehicles[name])
        line += f", vehicles equal to best known on {same}/{len(rows)}"
    print(line)


if __name__ == "__main__":
    sys.exit(main())
