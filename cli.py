"""``lognet``: plan county logistics networks from the command line.

Each command parses its arguments, calls one library function and writes the result;
errors become exit codes in :func:`_exit_on_error`, the one place that maps them:

0 done (a plan may still leave orders unserved; the summary says which and why);
1 internal error; 2 usage; 3 invalid bundle; 4 ``validate`` found unservable orders.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    import logistics
    from solvers.facility import FacilityResult
    from solvers.location import LocateParams

# The library (pandas, OR-Tools) loads inside the commands, so that --help is instant.

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_UNSERVABLE = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 done (a plan may still have unserved orders; the summary says so), "
    "1 internal error, 2 usage, 3 invalid bundle, 4 validate found unservable orders."
)


def _epilog(example: str) -> str:
    return f"Example: {example}\n\n{EXIT_CODES_HELP}"


app = typer.Typer(
    name="lognet",
    help="Plan county-level rural e-commerce logistics networks: which hubs and cold "
    "stores open, and the pooled delivery routes that bring farm produce back.\n\n"
    + EXIT_CODES_HELP,
    epilog="Example: lognet plan  (plans the built-in demo county into ./lognet-out/)",
    add_completion=False,
    no_args_is_help=True,
)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader of our output went away (``lognet plan | head``). Plan files are
        # written before anything is printed, so the work is done: not an error.
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OK)


out = _Console()
err = _Console(stderr=True)

T = TypeVar("T")


@contextmanager
def _exit_on_error() -> Iterator[None]:
    """Map every error to its documented exit code; user errors never show a traceback."""
    from logistics import LogisticsError

    try:
        yield
    except LogisticsError as e:
        err.print(str(e), markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    except FileExistsError as e:
        err.print(f"error: {e}", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None

    except (typer.Exit, typer.Abort):
        raise
    except Exception as e:
        if os.environ.get("LOGNET_DEBUG"):
            raise
        err.print(
            f"internal error: {type(e).__name__}: {e}\n"
            "(set LOGNET_DEBUG=1 to see the traceback, and please report it)",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _with_status(message: str, fn: Callable[[Callable[[str], None]], T]) -> T:
    with err.status(message) as status:
        return fn(lambda stage: status.update(stage))


BundleArg = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario bundle: a folder with scenario.toml, or the scenario.toml file. "
        "Default: the built-in demo county.",
        show_default=False,
    ),
]


@app.command(
    epilog="Example: lognet plan my-county/ --out plans/my-county --time-limit 120 --seed 1"
    + "\n\n"
    + EXIT_CODES_HELP
)
def plan(
    bundle: BundleArg = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the plan files.")] = Path(
        "lognet-out"
    ),
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", min=0.5, help="Seconds for the whole run (default: the bundle's)."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Random seed (default: the bundle's).")
    ] = None,
) -> None:
    """Plan a county: open facilities, route vehicles, check and write the plan.

    Writes routes.csv, assignments.csv, unserved.csv, plan.geojson and summary.json.
    """
    with _exit_on_error():
        import logistics
        import solvers

        path = bundle if bundle is not None else logistics.demo_bundle_path()
        scenario = logistics.load_scenario(path)
        county = _with_status(
            "planning",
            lambda say: solvers.plan_county(
                scenario, time_limit_s=time_limit, seed=seed, on_progress=say
            ),
        )
        if not county.check.ok:
            for v in county.check.violations[:20]:
                err.print(f"  {v.rule}: {v.detail}", markup=False, highlight=False)
            raise RuntimeError(
                f"the plan failed lognet's own checker ({len(county.check.violations)} "
                "violations); nothing was written"
            )
        files = logistics.write_plan(county, out_dir)
        _print_kpis(county)
        out.print(f"wrote {', '.join(f.name for f in files)} to {out_dir}/", highlight=False)


def _print_kpis(county: logistics.CountyPlan) -> None:
    k = county.kpis()
    cur = k.currency
    table = Table(title=f"{county.scenario.name}: {county.scenario.planning.day}")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    rows = [
        ("total cost", f"{k.cost.total:,.2f} {cur}"),
        ("  facilities", f"{k.cost.facilities:,.2f} {cur}"),
        ("  vehicles", f"{k.cost.vehicles:,.2f} {cur}"),
        ("  distance", f"{k.cost.distance:,.2f} {cur}"),
        ("  drivers", f"{k.cost.driver:,.2f} {cur}"),
        ("distance", f"{k.distance_km:,.1f} km"),
        ("vehicles used", f"{k.vehicles_used} ({k.trips} trips)"),
        ("parcels delivered", f"{k.parcels_delivered} of {k.parcels_to_deliver}"),
        ("produce picked up", f"{k.produce_picked_kg:,.1f} of {k.produce_to_pick_kg:,.1f} kg"),
        ("unserved orders", f"{k.orders_unserved} (penalty {k.cost.unserved_penalty:,.0f} {cur})"),
        ("CO2", f"{k.co2_kg:,.1f} kg"),
        ("facilities opened", ", ".join(k.facilities_opened) or "none"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    if county.routes.unserved:
        _print_unserved(county.routes.unserved, title="unserved orders")


def _print_unserved(unserved: tuple[logistics.Unserved, ...], *, title: str) -> None:
    table = Table(title=title)
    for column in ("order", "reason", "detail"):
        table.add_column(column)
    for u in unserved:
        table.add_row(u.order_id, str(u.reason), u.detail)
    out.print(table)


@app.command(epilog=_epilog("lognet validate my-county/"))
def validate(
    bundle: Annotated[Path, typer.Argument(help="Scenario bundle folder, or its scenario.toml.")],
) -> None:
    """Check a bundle: report every error, then every order no plan could serve.

    Exits 3 when the bundle has errors, 4 when it is valid but some orders are
    unservable, 0 when every order can be served.
    """
    with _exit_on_error():
        import logistics
        import solvers

        scenario = logistics.load_scenario(bundle)
        unservable = solvers.find_unservable(scenario)
        out.print(
            f"{scenario.name}: {len(scenario.sites)} sites, {len(scenario.orders)} orders, "
            f"{sum(v.count for v in scenario.fleet)} vehicles, {len(scenario.roads)} roads: valid",
            highlight=False,
        )
        if unservable:
            _print_unserved(unservable, title=f"{len(unservable)} unservable orders")
            raise typer.Exit(EXIT_UNSERVABLE)
        out.print("every order can be served")


@app.command(
    epilog="Example: lognet demo my-county/ --villages 120 --townships 12 --seed 3"
    + "\n\n"
    + EXIT_CODES_HELP
)
def demo(
    folder: Annotated[Path, typer.Argument(help="Empty (or new) folder for the bundle.")],
    villages: Annotated[int, typer.Option(min=1, help="Number of villages.")] = 250,
    townships: Annotated[int, typer.Option(min=1, help="Number of township stations.")] = 25,
    seed: Annotated[int, typer.Option(min=0, help="Generator seed.")] = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the bundle files in a non-empty folder.")
    ] = False,
) -> None:
    """Write a synthetic demo county as a scenario bundle (a format example to edit)."""
    with _exit_on_error():
        import logistics

        if folder.is_dir() and any(folder.iterdir()) and not overwrite:
            raise FileExistsError(f"{folder} is not empty; pass --overwrite to replace its files")
        path = logistics.write_demo_bundle(
            folder, villages=villages, townships=townships, seed=seed, overwrite=overwrite
        )
        out.print(f"wrote a demo county bundle to {path}/", highlight=False)


bench = typer.Typer(
    help="Solve public benchmark instances with lognet and write the solution.",
    no_args_is_help=True,
)
app.add_typer(bench, name="bench")


@bench.command(
    "vrp",
    epilog=_epilog("lognet bench vrp C101.vrp --time-limit 10 --seed 0 --out C101.sol"),
)
def bench_vrp(
    instance: Annotated[
        Path, typer.Argument(help="VRPLIB (.vrp: CVRP, VRPTW) or Li & Lim (.txt) instance.")
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="Solution file to write (VRPLIB format).")
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the solve.")
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    rounding: Annotated[
        str | None,
        typer.Option(
            "--rounding",
            help="Arc lengths: exact, round (nearest integer) or truncate1 (one decimal). "
            "Default by family: VRPLIB with time windows truncate1, without round; "
            "Li & Lim exact (and vehicles first).",
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="Routing engine: auto, ortools or pyvrp.")
    ] = "auto",
) -> None:
    """Solve one benchmark instance and write its solution: routes of client numbers
    (the depot, 0, not listed) and the total distance under the family's convention."""
    with _exit_on_error():
        from logistics.benchmarks import Rounding, read_benchmark_instance, write_vrplib_solution
        from solvers.benchmark import solve_benchmark
        from solvers.routing import ROUTING_ENGINES

        if rounding is not None and rounding not in {r.value for r in Rounding}:
            err.print(f"error: --rounding must be one of {', '.join(r.value for r in Rounding)}")
            raise typer.Exit(EXIT_USAGE)
        if engine not in ROUTING_ENGINES:
            err.print(f"error: --engine must be one of {', '.join(ROUTING_ENGINES)}")
            raise typer.Exit(EXIT_USAGE)
        chosen = Rounding(rounding) if rounding is not None else None
        inst = read_benchmark_instance(instance, rounding=chosen)
        result = solve_benchmark(inst, time_limit_s=time_limit, seed=seed, engine=engine)
        write_vrplib_solution(out_file, result.routes, result.cost)
        out.print(
            f"{inst.name}: cost {result.cost:.2f}, {result.vehicles} vehicles, "
            f"{'feasible' if result.feasible else 'NOT feasible'}, "
            f"{result.runtime_s:.1f} s ({result.engine}, {inst.rounding.value}); "
            f"wrote {out_file}",
            highlight=False,
        )


_MIP_ENGINE_HELP = "MIP engine: highs, scip or cbc (cp-sat for the single-source model)."


@bench.command(
    "cflp",
    epilog=_epilog("lognet bench cflp cap41.txt --time-limit 30 --out cap41.json"),
)
def bench_cflp(
    instance: Annotated[Path, typer.Argument(help="OR-Library capacitated location file.")],
    out_file: Annotated[Path, typer.Option("--out", help="Result file to write (JSON).")],
    capacity: Annotated[
        float | None,
        typer.Option("--capacity", min=0.0, help="Capacity of every site, replacing the file's."),
    ] = None,
    single_source: Annotated[
        bool, typer.Option("--single-source", help="Each customer served by one site.")
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the solve.")
    ] = 60.0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    engine: Annotated[str, typer.Option("--engine", help=_MIP_ENGINE_HELP)] = "highs",
) -> None:
    """Solve a capacitated facility location instance (split demand unless
    --single-source) and write the sites opened, the assignment, objective, bound,
    status and runtime."""
    with _exit_on_error():
        from logistics.orlib import read_cap
        from solvers.location_benchmark import solve_cap_instance

        params = _location_params(time_limit, seed, engine)
        inst = read_cap(instance, capacity=capacity)
        result = solve_cap_instance(inst, params, single_source=single_source)
        _write_location_result(out_file, inst.name, result)


@bench.command(
    "pmed",
    epilog=_epilog("lognet bench pmed pmed1.txt --time-limit 60 --out pmed1.json"),
)
def bench_pmed(
    instance: Annotated[Path, typer.Argument(help="OR-Library p-median file.")],
    out_file: Annotated[Path, typer.Option("--out", help="Result file to write (JSON).")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.1, help="Seconds for the solve.")
    ] = 60.0,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    engine: Annotated[str, typer.Option("--engine", help=_MIP_ENGINE_HELP)] = "highs",
) -> None:
    """Solve a p-median instance and write the medians, the assignment, objective,
    bound, status and runtime."""
    with _exit_on_error():
        from logistics.orlib import read_pmed
        from solvers.location_benchmark import solve_pmed_instance

        params = _location_params(time_limit, seed, engine)
        inst = read_pmed(instance)
        result = solve_pmed_instance(inst, params)
        _write_location_result(out_file, inst.name, result)


def _location_params(time_limit: float, seed: int, engine: str) -> LocateParams:
    from solvers.location import LocateParams
    from solvers.mip import MIP_ENGINES

    if engine not in MIP_ENGINES:
        err.print(f"error: --engine must be one of {', '.join(MIP_ENGINES)}")
        raise typer.Exit(EXIT_USAGE)
    return LocateParams(time_limit_s=time_limit, seed=seed, engine=engine)


def _write_location_result(out_file: Path, name: str, result: FacilityResult) -> None:
    import json

    from solvers.location_benchmark import benchmark_json

    out_file.write_text(json.dumps(benchmark_json(result)) + "\n", encoding="utf-8")
    out.print(
        f"{name}: {result.status.value}, objective {result.objective:.6f}, bound "
        f"{result.bound:.6f}, {len(result.open)} open, {result.runtime_s:.2f} s "
        f"({result.engine}); wrote {out_file}",
        highlight=False,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
