"""Time ``lognet plan`` on the built-in demo county, as a user runs it.

Runs the installed ``lognet`` command (a fresh process each time, so imports count) with
the demo's default time budget, for several seeds, and prints one row per run plus the
median: wall time, peak memory, total cost, km, vehicles, unserved orders and whether the
plan passed lognet's checker. The target (issue 2) is at most 60 s wall on 2 cores.

    python benchmarks/demo_plan.py --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(seed: int, out: Path, extra: list[str]) -> dict[str, float | str | bool]:
    lognet = shutil.which("lognet")
    if lognet is None:
        sys.exit("lognet is not installed: pip install -e .")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [lognet, "plan", "--out", str(out), "--seed", str(seed), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
    )
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"lognet plan failed ({proc.returncode}):\n{proc.stderr}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    k = summary["kpis"]
    return {
        "seed": str(seed),
        "wall_s": wall,
        # ru_maxrss of children is the largest child so far; reported per run when it grows.
        "peak_mb": max(peak_kb, before) / 1024,
        "cost": k["total_cost"],
        "km": k["distance_km"],
        "vehicles": k["vehicles_used"],
        "unserved": k["orders_unserved"],
        "checked": summary["check"]["ok"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs (seeds 0..runs-1)")
    parser.add_argument("--time-limit", type=float, default=None, help="override the budget")
    args = parser.parse_args()
    extra = [] if args.time_limit is None else ["--time-limit", str(args.time_limit)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.runs):
            rows.append(run_once(seed, Path(tmp) / f"out{seed}", extra))
    columns = ["seed", "wall_s", "peak_mb", "cost", "km", "vehicles", "unserved", "checked"]
    print(" | ".join(f"{c:>9}" for c in columns))
    for row in rows:
        print(" | ".join(_cell(row[c]) for c in columns))
    medians = {c: statistics.median(float(r[c]) for r in rows) for c in columns[1:-1]}
    print(" | ".join([f"{'median':>9}", *(_cell(medians[c]) for c in columns[1:-1]), f"{'':>9}"]))
    print(f"all plans passed the checker: {all(r['checked'] for r in rows)}")


def _cell(value: float | str | bool) -> str:
    if isinstance(value, float):
        return f"{value:>9.1f}"
    return f"{value!s:>9}"


if __name__ == "__main__":
    main()
