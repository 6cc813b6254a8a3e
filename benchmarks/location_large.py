"""Large location instances of the OR-Library classes, generated here, solved with a time
limit; the table shows the proven gap (objective against lognet's own bound), which
bounds the distance to the unknown optimum.

    python benchmarks/location_large.py --time-limit 60
    python benchmarks/location_large.py --only capl-3 pmedl-90 --keep /tmp/large

``capl-R``: 100 sites × 1,000 customers, like OR-Library's capa/capb/capc, with the
total capacity ``R`` times the total demand (R = 1.5, 2, 3, 5, 10: capacity decides
more of the plan the smaller R is). Sites and customers lie uniformly in a square of
side 1,000; demands are whole numbers in [5, 35]; serving all of a customer costs its
demand times the distance; fixed costs are whole numbers in [40,000, 80,000]; every site
has the same capacity.

``county-R``: single sourcing at county size, 30 hub sites × 300 villages, drawn the same
way (fixed costs scaled to the number of customers), R = 1.3, 2, 3.

``pmedl-P``: Beasley's p-median construction at 900 vertices (the size of pmed36–40):
a random spanning tree plus random edges up to n²/50 edges, whole weights in [1, 100],
shortest-path distances; P medians (5, 10, 90).

Each instance is written in the OR-Library format and read back by the same readers as
``lognet bench``, so that the files can be kept (``--keep``) and rerun through the CLI.
The data depend on ``--data-seed`` only.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

from logistics.orlib import read_cap, read_pmed
from solvers.location import LocateParams
from solvers.location_benchmark import solve_cap_instance, solve_pmed_instance

CAPACITY_RATIOS = (1.5, 2.0, 3.0, 5.0, 10.0)
MEDIANS = (5, 10, 90)
SINGLE_SOURCE_RATIOS = (1.3, 2.0, 3.0)


def write_cap(
    path: Path, ratio: float, rng: np.random.Generator, m: int = 100, n: int = 1000
) -> None:
    sites = rng.uniform(0, 1000, (m, 2))
    customers = rng.uniform(0, 1000, (n, 2))
    demand = rng.integers(5, 36, n)
    fixed = rng.integers(40_000, 80_001, m) * n // 1000
    capacity = math.ceil(ratio * demand.sum() / m)
    dist = np.hypot(*(sites[:, None, :] - customers[None, :, :]).transpose(2, 0, 1))
    cost = np.round(dist * demand[None, :], 3)
    lines = [f"{m} {n}", *(f"{capacity} {f}" for f in fixed)]
    for j in range(n):
        lines.append(str(demand[j]))
        row = cost[:, j]
        lines += [" ".join(f"{c:.3f}" for c in row[k : k + 10]) for k in range(0, m, 10)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_pmed(path: Path, p: int, rng: np.random.Generator, n: int = 900) -> None:
    edges: dict[tuple[int, int], int] = {}
    order = rng.permutation(n)
    for k in range(1, n):  # a random spanning tree keeps the graph connected
        a, b = int(order[k]), int(order[rng.integers(0, k)])
        edges[min(a, b), max(a, b)] = int(rng.integers(1, 101))
    while len(edges) < n * n // 50:
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a != b:
            edges[min(a, b), max(a, b)] = int(rng.integers(1, 101))
    lines = [f"{n} {len(edges)} {p}", *(f"{a + 1} {b + 1} {w}" for (a, b), w in edges.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0, help="solver seed")
    parser.add_argument("--data-seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None, help="instance names to run")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the files in")
    args = parser.parse_args()
    every = [f"capl-{r:g}" for r in CAPACITY_RATIOS] + [f"pmedl-{p}" for p in MEDIANS]
    every += [f"county-{r:g}" for r in SINGLE_SOURCE_RATIOS]
    names = [x for x in every if args.only is None or x in args.only]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lognet-large-"))
    folder.mkdir(parents=True, exist_ok=True)
    params = LocateParams(time_limit_s=args.time_limit, seed=args.seed)
    print(f"{'instance':<11} {'objective':>14} {'bound':>14} {'gap %':>7} {'status':>9} {'s':>6}")
    gaps = []
    for name in names:
        rng = np.random.default_rng([args.data_seed, every.index(name)])
        path = folder / f"{name}.txt"
        if name.startswith("capl"):
            write_cap(path, float(name.split("-")[1]), rng)
            result = solve_cap_instance(read_cap(path), params)
        elif name.startswith("county"):
            write_cap(path, float(name.split("-")[1]), rng, m=30, n=300)
            result = solve_cap_instance(read_cap(path), params, single_source=True)
        else:
            write_pmed(path, int(name.split("-")[1]), rng)
            result = solve_pmed_instance(read_pmed(path), params)
        gap = (result.objective - result.bound) / max(abs(result.objective), 1e-9)
        gaps.append(gap)
        print(
            f"{name:<11} {result.objective:14.3f} {result.bound:14.3f} {100 * gap:7.3f} "
            f"{result.status.value:>9} {result.runtime_s:6.1f}",
            flush=True,
        )
    within = sum(g <= 0.005 for g in gaps)
    print(
        f"{within}/{len(gaps)} within a proven 0.5 % of the optimum; worst {100 * max(gaps):.3f} %"
    )
    print("(targets: 0.5 % for capl and pmedl, 1 % for county)")


if __name__ == "__main__":
    sys.exit(main())
