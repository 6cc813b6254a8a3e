"""``lognet`` from the outside: files written, what is printed, and the exit codes.

Exit codes (DESIGN.md §3): 0 done, 1 internal error, 2 usage, 3 invalid bundle,
4 ``validate`` found unservable orders. Every plan here gets ``--time-limit 3`` so the
whole module runs in seconds.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sysconfig
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import cli
import logistics
import solvers
from logistics.bundle import load_scenario
from logistics.outputs import PLAN_FILES
from logistics.scenario import Scenario, SiteKind

TINY = Path(__file__).parent / "data" / "tiny"
FAST = ["--time-limit", "3", "--seed", "0"]


def make_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (click < 8.2 needs ``mix_stderr``)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def invoke(args: Sequence[str | Path]) -> Result:
    return make_runner().invoke(cli.app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich reads ``COLUMNS`` on every print: wide enough that no table cell wraps."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("LOGNET_DEBUG", raising=False)


def copy_bundle(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "bundle"))


def replace_line(path: Path, old: str, new: str) -> None:
    """Replace the one line of ``path`` that starts with ``old``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(hits) == 1, f"{old!r} starts {len(hits)} lines of {path.name}"
    lines[hits[0]] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def duplicate_site_bundle(tmp_path: Path) -> Path:
    """Invalid: ``T1`` renamed ``W`` (sites.csv row 3 repeats the warehouse's id)."""
    bundle = copy_bundle(tmp_path)
    replace_line(
        bundle / "sites.csv",
        "T1,",
        "W,清溪场镇服务站,township_station,109.045,28.43,清溪场镇,candidate,500,,50,08:00,18:00,10",
    )
    return bundle


def heavy_order(bundle: Path) -> None:
    """``O6`` weighs 900 kg; the largest vehicle (``reefer``) carries 800."""
    replace_line(bundle / "orders.csv", "O6,", "O6,V2,ems,pickup,1,900.0,0.2,ambient,,,,")


FAR_V4 = (109.2, 28.6)


def far_village(bundle: Path) -> None:
    """``V4`` moved north-east, over 5 km from every road node (still in China)."""
    replace_line(
        bundle / "sites.csv",
        "V4,",
        f"V4,凉桥村服务点,village_point,{FAR_V4[0]},{FAR_V4[1]},城关镇,,,,,,,5",
    )


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance, written out here so the test does not trust ``networks``."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def table_line(output: str, *cells: str) -> str:
    """The one printed line that shows all of ``cells`` (a row of a rich table)."""
    lines = [line for line in output.splitlines() if all(c in line for c in cells)]
    assert len(lines) == 1, f"{cells} on {len(lines)} lines of:\n{output}"
    return lines[0]


def assert_no_traceback(result: Result) -> None:
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV; ``utf-8-sig`` because plan CSVs carry a BOM for Excel."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# --- plan ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Result, Path]]:
    """One ``lognet plan`` of the tiny bundle, shared by the tests that read its output."""
    out = tmp_path_factory.mktemp("plan") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "200")
        yield invoke(["plan", TINY, "--out", out, *FAST]), out


def test_plan_exits_0_and_writes_exactly_the_plan_files(tiny_plan: tuple[Result, Path]) -> None:
    result, out = tiny_plan
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(PLAN_FILES)
    assert set(PLAN_FILES) == {
        "routes.csv",
        "assignments.csv",
        "unserved.csv",
        "plan.geojson",
        "summary.json",
    }
    # The staging folder beside the output is gone.
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_plan_summary_has_cost_and_a_clean_check(tiny_plan: tuple[Result, Path]) -> None:
    _, out = tiny_plan
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kpis"]["total_cost"] > 0
    assert summary["check"]["ok"] is True
    assert summary["kpis"]["orders_unserved"] == 0


def test_plan_geojson_has_every_site_and_the_routes(
    tiny_plan: tuple[Result, Path], tiny_scenario: Scenario
) -> None:
    _, out = tiny_plan
    geojson = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection"
    by_type: dict[str, list[dict[str, Any]]] = {}
    for feature in geojson["features"]:
        by_type.setdefault(feature["geometry"]["type"], []).append(feature)
    points = {f["properties"]["site_id"]: f["geometry"]["coordinates"] for f in by_type["Point"]}
    assert points == {s.site_id: [s.lon, s.lat] for s in tiny_scenario.sites}
    trips = {(r["vehicle_id"], r["trip"]) for r in read_csv(out / "routes.csv")}
    lines = by_type["LineString"]
    assert len(lines) == len(trips) >= 1
    for line in lines:
        coordinates = line["geometry"]["coordinates"]
        assert len(coordinates) >= 2
        assert all(108.9 < lon < 109.1 and 28.3 < lat < 28.5 for lon, lat in coordinates)
    assert set(by_type) == {"Point", "LineString"}


def test_plan_routes_reference_only_known_orders(
    tiny_plan: tuple[Result, Path], tiny_scenario: Scenario
) -> None:
    _, out = tiny_plan
    known = {o.order_id for o in tiny_scenario.orders}
    routed = [r["order_id"] for r in read_csv(out / "routes.csv") if r["order_id"]]
    assert set(routed) <= known
    # Every tiny order is servable, and each is served once for each of its stops.
    assert sorted(set(routed)) == sorted(known)
    assert read_csv(out / "unserved.csv") == []


def test_plan_prints_the_kpi_table(tiny_plan: tuple[Result, Path]) -> None:
    result, out = tiny_plan
    kpis = json.loads((out / "summary.json").read_text(encoding="utf-8"))["kpis"]
    stdout = result.stdout
    assert f"{kpis['total_cost']:,.2f} CNY" in table_line(stdout, "total cost")
    assert f"{kpis['distance_km']:,.1f} km" in table_line(stdout, "distance", " km ")
    assert str(kpis["vehicles_used"]) in table_line(stdout, "vehicles used")
    assert "12 of 12" in table_line(stdout, "parcels delivered")
    assert "70.0 of 70.0 kg" in table_line(stdout, "produce picked up")
    assert "0 (penalty" in table_line(stdout, "unserved orders")
    assert f"{kpis['co2_kg']:,.1f} kg" in table_line(stdout, "CO2")
    assert "routes.csv" in stdout


def test_plan_of_an_invalid_bundle_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    bundle = duplicate_site_bundle(tmp_path)
    out = tmp_path / "out"
    result = invoke(["plan", bundle, "--out", out, *FAST])
    assert result.exit_code == 3
    assert "sites.csv, row 3, column 'site_id'" in result.stderr
    assert "duplicate site_id" in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


def test_plan_with_unservable_orders_exits_0_and_lists_them(tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path)
    heavy_order(bundle)
    far_village(bundle)
    out = tmp_path / "out"
    result = invoke(["plan", bundle, "--out", out, *FAST])
    assert result.exit_code == 0, result.output
    table_line(result.stdout, "O4", "unreachable by road")
    table_line(result.stdout, "O6", "exceeds every capacity")
    unserved = {r["order_id"]: r["reason"] for r in read_csv(out / "unserved.csv")}
    assert unserved == {"O4": "unreachable by road", "O6": "exceeds every capacity"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kpis"]["orders_unserved"] == 2
    assert summary["check"]["ok"] is True


def test_an_internal_error_exits_1_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(solvers, "plan_county", boom)
    out = tmp_path / "out"
    result = invoke(["plan", TINY, "--out", out, *FAST])
    assert result.exit_code == 1
    assert "internal error" in result.stderr
    assert "RuntimeError: boom" in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


# --- validate --------------------------------------------------------------------------


def test_validate_a_good_bundle_exits_0(tiny_bundle: Path) -> None:
    result = invoke(["validate", tiny_bundle])
    assert result.exit_code == 0, result.output
    assert "every order can be served" in result.stdout


def test_validate_an_order_heavier_than_every_vehicle_exits_4(
    tmp_path: Path, tiny_scenario: Scenario
) -> None:
    assert max(v.capacity_kg for v in tiny_scenario.fleet) < 900
    bundle = copy_bundle(tmp_path)
    heavy_order(bundle)
    result = invoke(["validate", bundle])
    assert result.exit_code == 4, result.output
    table_line(result.stdout, "O6", "exceeds every capacity")
    assert "unreachable" not in result.stdout


def test_validate_a_site_no_road_reaches_exits_4(tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path)
    far_village(bundle)
    nodes = read_csv(bundle / "road_nodes.csv")
    nearest_m = min(distance_m(*FAR_V4, float(n["lon"]), float(n["lat"])) for n in nodes)
    assert nearest_m > 5_000
    result = invoke(["validate", bundle])
    assert result.exit_code == 4, result.output
    table_line(result.stdout, "O4", "unreachable by road")
    assert "exceeds" not in result.stdout


def test_validate_an_invalid_bundle_exits_3(tmp_path: Path) -> None:
    result = invoke(["validate", duplicate_site_bundle(tmp_path)])
    assert result.exit_code == 3
    assert "sites.csv, row 3, column 'site_id'" in result.stderr
    assert_no_traceback(result)


def test_validate_a_missing_folder_exits_3(tmp_path: Path) -> None:
    """A missing bundle is a missing file, an error of the bundle (DESIGN.md §3), not usage."""
    result = invoke(["validate", tmp_path / "nowhere"])
    assert result.exit_code == 3
    assert "no such file or folder" in result.stderr
    assert_no_traceback(result)


# --- usage -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["plan", "--bogus"], id="unknown option"),
        pytest.param(["validate"], id="validate without a bundle"),
        pytest.param(["plan", str(TINY), "--time-limit", "-1"], id="negative time limit"),
        pytest.param(["demo", "x", "--villages", "0"], id="no villages"),
        pytest.param(["frobnicate"], id="unknown command"),
    ],
)
def test_usage_errors_exit_2(args: list[str | Path]) -> None:
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize(
    "command", ["plan", "validate", "demo", "bench vrp", "bench cflp", "bench pmed"]
)
def test_every_command_help_has_an_example(command: str) -> None:
    result = invoke([*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"lognet {command}" in result.stdout


def test_the_installed_script_runs() -> None:
    """The console script of ``[project.scripts]``, run as a user would."""
    script = Path(sysconfig.get_path("scripts")) / "lognet"
    found = str(script) if script.exists() else shutil.which("lognet")
    if found is None:
        pytest.skip("lognet is not installed (pip install -e .)")
    done = subprocess.run(
        [found, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("plan", "validate", "demo"):
        assert command in done.stdout


# --- demo ------------------------------------------------------------------------------


def test_demo_writes_a_bundle_that_loads(tmp_path: Path) -> None:
    folder = tmp_path / "county"
    args: list[str | Path] = ["demo", folder, "--villages", "12", "--townships", "3"]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(folder)
    kinds = [s.kind for s in scenario.sites]
    assert kinds.count(SiteKind.VILLAGE_POINT) == 12
    assert kinds.count(SiteKind.TOWNSHIP_STATION) == 3
    assert scenario == logistics.load_scenario(folder / "scenario.toml")

    again = invoke(args)
    assert again.exit_code == 2
    assert "not empty" in again.stderr
    assert_no_traceback(again)
    assert load_scenario(folder) == scenario


def test_demo_into_a_folder_with_other_files_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke(["demo", str(tmp_path), "--villages", "12", "--townships", "3"])
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
