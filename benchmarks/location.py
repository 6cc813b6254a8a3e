"""Run lognet's location models on a folder of OR-Library files and compare with
``optimal.csv``; for ``cap`` files, also a plain PuLP + CBC model side by side.

    python benchmarks/location.py ../shared/benchmarks/cflp --time-limit 60
    python benchmarks/location.py ../shared/benchmarks/pmed --time-limit 300 --no-baseline

Each row: the objective, its relative difference from the proven optimum, the bound, the
status and the runtime (building the model and solving it, in this process), for lognet
and, unless ``--no-baseline``, for the baseline: the textbook strong formulation of the
same problem (``x_ij <= y_i``, split demand) written directly in PuLP and solved by its
bundled CBC on one thread, timed the same way. The totals show the summed runtimes and
their ratio.
"""

from __future__ import annotations

import argparse
import csv
import gc
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from logistics.orlib import CapacitatedInstance, read_cap, read_pmed
from solvers.location import LocateParams
from solvers.location_benchmark import solve_cap_instance, solve_pmed_instance


@dataclass
class Run:
    objective: float
    bound: float
    status: str
    seconds: float


def read_optima(folder: Path) -> dict[str, float]:
    path = folder / "optimal.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as f:
        return {row["instance"]: float(row["value"]) for row in csv.DictReader(f)}


def run_lognet(path: Path, *, time_limit: float, seed: int, engine: str, single: bool) -> Run:
    params = LocateParams(time_limit_s=time_limit, seed=seed, engine=engine)
    if path.name.startswith("pmed"):
        result = solve_pmed_instance(read_pmed(path), params)
    else:
        result = solve_cap_instance(read_cap(path), params, single_source=single)
    return Run(result.objective, result.bound, result.status.value, result.runtime_s)


def run_pulp(instance: CapacitatedInstance, *, time_limit: float, single: bool) -> Run:
    """The plain textbook model in PuLP, solved by CBC on one thread."""
    import pulp

    t0 = time.perf_counter()
    m, n = instance.cost.shape
    prob = pulp.LpProblem("cflp", pulp.LpMinimize)
    y = [pulp.LpVariable(f"y{i}", cat=pulp.LpBinary) for i in range(m)]
    kind = pulp.LpBinary if single else pulp.LpContinuous
    x = [[pulp.LpVariable(f"x{i}_{j}", 0, 1, cat=kind) for j in range(n)] for i in range(m)]
    prob += pulp.lpSum(float(instance.fixed_cost[i]) * y[i] for i in range(m)) + pulp.lpSum(
        float(instance.cost[i, j]) * x[i][j] for i in range(m) for j in range(n)
    )
    for j in range(n):
        prob += pulp.lpSum(x[i][j] for i in range(m)) == 1
    for i in range(m):
        prob += (
            pulp.lpSum(float(instance.demand[j]) * x[i][j] for j in range(n))
            <= float(instance.capacity[i]) * y[i]
        )
        for j in range(n):
            prob += x[i][j] <= y[i]
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=1, gapRel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(solver)
    seconds = time.perf_counter() - t0
    objective = pulp.value(prob.objective)
    optimal = prob.sol_status == pulp.LpSolutionOptimal
    value = math.inf if objective is None else float(objective)
    return Run(value, value if optimal else -math.inf, "optimal" if optimal else "-", seconds)


def gap(value: float, best: float | None) -> str:
    if best is None or not math.isfinite(value):
        return ""
    return f"{abs(value - best) / best:.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", default="highs")
    parser.add_argument("--single-source", action="store_true")
    parser.add_argument("--no-baseline", action="store_true", help="skip PuLP + CBC")
    parser.add_argument("--only", nargs="*", default=None, help="instance names to run")
    args = parser.parse_args()

    # Import both stacks before timing anything, so that neither pays for it.
    import pulp  # noqa: F401

    import solvers.engines.cpsat_mip
    import solvers.engines.mathopt  # noqa: F401

    optima = read_optima(args.folder)
    files = sorted(
        (p for p in args.folder.glob("*.txt") if args.only is None or p.stem in args.only),
        key=lambda p: (len(p.stem), p.stem),
    )
    baseline = not args.no_baseline and not args.folder.name.startswith("pmed")
    header = f"{'instance':<9} {'optimum':>14} | {'lognet':>14} {'rel':>8} {'status':>8} {'s':>6}"
    if baseline:
        header += f" | {'pulp-cbc':>14} {'rel':>8} {'status':>8} {'s':>6} {'ratio':>6}"
    print(header)
    ours: list[Run] = []
    theirs: list[Run] = []
    matched = 0
    for path in files:
        name = path.stem
        best = optima.get(name)
        gc.collect()  # neither run pays for collecting the other's garbage
        mine = run_lognet(
            path,
            time_limit=args.time_limit,
            seed=args.seed,
            engine=args.engine,
            single=args.single_source,
        )
        ours.append(mine)
        ok = best is not None and abs(mine.objective - best) <= 1e-6 * best
        matched += ok and mine.status == "optimal"
        line = (
            f"{name:<9} {best if best is not None else float('nan'):14.3f} | "
            f"{mine.objective:14.3f} {gap(mine.objective, best):>8} {mine.status:>8} "
            f"{mine.seconds:6.2f}"
        )
        if baseline:
            instance = read_cap(path)
            gc.collect()
            other = run_pulp(instance, time_limit=args.time_limit, single=args.single_source)
            theirs.append(other)
            line += (
                f" | {other.objective:14.3f} {gap(other.objective, best):>8} {other.status:>8} "
                f"{other.seconds:6.2f} {other.seconds / max(mine.seconds, 1e-9):6.1f}"
            )
        print(line, flush=True)
    total = sum(r.seconds for r in ours)
    median = statistics.median(r.seconds for r in ours)
    print(
        f"lognet ({args.engine}): {matched}/{len(files)} proven optimal and equal to the "
        f"optimum within 1e-6; total {total:.1f} s, median {median:.2f} s"
    )
    if theirs:
        other_total = sum(r.seconds for r in theirs)
        ratios = [t.seconds / max(o.seconds, 1e-9) for t, o in zip(theirs, ours, strict=True)]
        print(
            f"pulp-cbc: total {other_total:.1f} s; lognet is {other_total / max(total, 1e-9):.1f} "
            f"times faster in total, median ratio {statistics.median(ratios):.1f}"
        )


if __name__ == "__main__":
    sys.exit(main())
