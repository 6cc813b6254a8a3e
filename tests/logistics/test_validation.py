"""A corpus of broken bundles, one per rule of DESIGN.md §3, each named after its defect.

Every case is the tiny bundle (tests/data/tiny) copied to a temporary folder with one
mutation; the test asserts the exact problems reported: file, row, column, value and a
substring of the rule. Rows are spreadsheet rows (header = row 1).
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from logistics.bundle import load_scenario, save_scenario
from logistics.errors import Problem, ScenarioError
from logistics.scenario import Scenario

# --- mutations ----------------------------------------------------------------------------


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        rows[row - 1][rows[0].index(column)] = value
        write_rows(folder / f"{table}.csv", rows)

    return mutate


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        j = rows[0].index(column)
        write_rows(folder / f"{table}.csv", [r[:j] + r[j + 1 :] for r in rows])

    return mutate


def copy_row(table: str, row: int) -> Callable[[Path], None]:
    """Append a copy of ``row`` at the end of the table."""

    def mutate(folder: Path) -> None:
        rows = read_rows(folder / f"{table}.csv")
        write_rows(folder / f"{table}.csv", [*rows, rows[row - 1]])

    return mutate


def edit_toml(old: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / "scenario.toml"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def replace_text(name: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text, old
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def delete(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()

    return mutate


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return mutate


def copy_file(source: str, target: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        shutil.copy(folder / source, folder / target)

    return mutate


def both(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        for m in mutations:
            m(folder)

    return mutate


def to_workbook(*, drop_sheet: str | None = None) -> Callable[[Path], None]:
    """Turn the bundle into a ``tables.xlsx`` workbook bundle, optionally less one sheet."""

    def mutate(folder: Path) -> None:
        scenario = load_scenario(folder)
        for p in folder.iterdir():
            p.unlink()
        save_scenario(scenario, folder, table_format="xlsx", overwrite=True)
        if drop_sheet is not None:
            book = openpyxl.load_workbook(folder / "tables.xlsx")
            book.remove(book[drop_sheet])
            book.save(folder / "tables.xlsx")

    return mutate


def symlink_outside(folder: Path) -> None:
    outside = folder.parent / "elsewhere"
    outside.mkdir()
    shutil.move(folder / "orders.csv", outside / "orders.csv")
    os.symlink(outside / "orders.csv", folder / "orders.csv")


# --- the corpus ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    #: (file, row, column, value, rule substring) of every problem, in reported order.
    expected: tuple[tuple[str, int | None, str | None, str, str], ...]


T = "scenario.toml"
EITHER_RULE = "give either an osm file or road_nodes and roads, not both"
TABLES_TO_OSM = ('road_nodes = "road_nodes.csv"\nroads = "roads.csv"\n', 'osm = "county.osm"\n')
KIND_RULE = "must be one of: county_warehouse, township_station, village_point, cold_store"
CASES = [
    # files and sheets
    Case("missing-orders-file", delete("orders.csv"),
         (("orders.csv", None, None, "", "file not found"),)),
    Case("missing-sites-file-does-not-cascade", delete("sites.csv"),
         (("sites.csv", None, None, "", "file not found"),)),
    Case("missing-road-nodes-file-does-not-cascade", delete("road_nodes.csv"),
         (("road_nodes.csv", None, None, "", "file not found"),)),
    Case("missing-sheet", to_workbook(drop_sheet="fleet"),
         (("tables.xlsx[fleet]", None, None, "", "sheet not found; the workbook has: sites, "),)),
    Case("missing-one-road-sheet", to_workbook(drop_sheet="roads"),
         (("tables.xlsx[roads]", None, None, "", "road_nodes and roads go together"),)),
    Case("missing-workbook", both(to_workbook(), delete("tables.xlsx")),
         (("tables.xlsx", None, None, "", "file not found"),)),
    Case("file-leaves-bundle", edit_toml('"orders.csv"', '"../orders.csv"'),
         ((T, None, "files.orders", "../orders.csv", "leaves the bundle"),)),
    Case("absolute-file-path", edit_toml('"fleet.csv"', '"/etc/fleet.csv"'),
         ((T, None, "files.fleet", "/etc/fleet.csv", "leaves the bundle"),)),
    Case("symlink-leaves-bundle", symlink_outside,
         ((T, None, "files.orders", "orders.csv", "leaves the bundle"),)),
    Case("roads-without-road-nodes", edit_toml('road_nodes = "road_nodes.csv"\n', ""),
         ((T, None, "files.road_nodes", "", "road_nodes and roads go together"),)),
    Case("osm-and-road-tables", edit_toml("[files]\n", '[files]\nosm = "county.osm.pbf"\n'),
         ((T, None, "files.osm", "county.osm.pbf", EITHER_RULE),)),
    Case("osm-and-road-sheets",
         both(to_workbook(), edit_toml("[files]\n", '[files]\nosm = "county.osm"\n')),
         ((T, None, "files.osm", "county.osm", EITHER_RULE),)),
    Case("unreadable-osm-file",
         both(edit_toml(*TABLES_TO_OSM), write_bytes("county.osm", b"<osm><node id=")),
         (("county.osm", None, None, "", "cannot read the OpenStreetMap file: "),)),
    Case("missing-osm-file", edit_toml(*TABLES_TO_OSM),
         (("county.osm", None, None, "", "file not found"),)),
    Case("osm-file-leaves-bundle", edit_toml(TABLES_TO_OSM[0], 'osm = "../county.osm"\n'),
         ((T, None, "files.osm", "../county.osm", "leaves the bundle"),)),
    Case("osm-without-drivable-roads",
         both(edit_toml(*TABLES_TO_OSM), write_bytes("county.osm", b'<osm version="0.6"/>')),
         (("county.osm", None, None, "", "no drivable roads"),)),
    Case("unsupported-file-type",
         both(edit_toml('"orders.csv"', '"orders.txt"'), copy_file("orders.csv", "orders.txt")),
         (("orders.txt", None, None, "", "unsupported file type '.txt'"),)),
    Case("undecodable-csv", write_bytes("fleet.csv", b"vehicle_type\n\xff\xfe\xff\n"),
         (("fleet.csv", None, None, "", "cannot decode"),)),
    Case("empty-csv", write_bytes("fleet.csv", b""),
         (("fleet.csv", None, None, "", "no header row"),)),
    # columns and cells
    Case("missing-required-column", drop_column("orders", "weight_kg"),
         (("orders.csv", None, "weight_kg", "", "required column 'weight_kg' is missing"),)),
    Case("missing-id-column-does-not-cascade", drop_column("sites", "site_id"),
         (("sites.csv", None, "site_id", "", "required column 'site_id' is missing"),)),
    Case("empty-required-cell", set_cell("sites", 4, "name", " "),
         (("sites.csv", 4, "name", "", "required value is missing"),)),
    Case("wrong-type-number", set_cell("orders", 3, "weight_kg", "4,5"),
         (("orders.csv", 3, "weight_kg", "4,5", "must be a number"),)),
    Case("wrong-type-whole-number", set_cell("orders", 2, "parcels", "2.5"),
         (("orders.csv", 2, "parcels", "2.5", "must be a whole number"),)),
    Case("wrong-type-boolean", set_cell("fleet", 5, "refrigerated", "yes"),
         (("fleet.csv", 5, "refrigerated", "yes", "must be true/false or 1/0"),)),
    Case("unquoted-comma", replace_text("sites.csv", "清溪场镇,,,,,,,5", "清溪场镇,,,,,,,5,小卖部"),
         (("sites.csv", 5, None, "小卖部", "more cells than the header"),)),
    Case("kind-not-in-enum", set_cell("sites", 5, "kind", "village"),
         (("sites.csv", 5, "kind", "village", KIND_RULE),)),
    Case("misspelt-depot-kind-does-not-cascade", set_cell("sites", 2, "kind", "county_warehose"),
         (("sites.csv", 2, "kind", "county_warehose", "must be one of"),)),
    Case("status-not-in-enum", set_cell("sites", 3, "status", "planned"),
         (("sites.csv", 3, "status", "planned", "must be one of: existing, candidate"),)),
    Case("direction-not-in-enum", set_cell("orders", 2, "direction", "送货"),
         (("orders.csv", 2, "direction", "送货", "must be one of: delivery, pickup"),)),
    Case("temperature-not-in-enum", set_cell("orders", 8, "temperature", "cold"),
         (("orders.csv", 8, "temperature", "cold", "must be one of: ambient, chilled, frozen"),)),
    Case("hour-25", set_cell("orders", 6, "ready_time", "25:00"),
         (("orders.csv", 6, "ready_time", "25:00", "00:00–23:59"),)),
    Case("minute-60", set_cell("sites", 2, "close_time", "18:60"),
         (("sites.csv", 2, "close_time", "18:60", "HH:MM"),)),
    Case("bad-cell-in-referenced-site-does-not-cascade", set_cell("sites", 5, "lon", "东经109"),
         (("sites.csv", 5, "lon", "东经109", "must be a number"),)),
    # record rules (logistics.validate), located in the right file and row
    Case("duplicate-site-id", copy_row("sites", 2),
         (("sites.csv", 9, "site_id", "W", "duplicate site_id"),)),
    Case("duplicate-order-id", copy_row("orders", 4),
         (("orders.csv", 9, "order_id", "O3", "duplicate order_id"),)),
    Case("duplicate-vehicle-type", copy_row("fleet", 3),
         (("fleet.csv", 6, "vehicle_type", "zto-van", "duplicate vehicle_type"),)),
    Case("duplicate-node-id", copy_row("road_nodes", 11),
         (("road_nodes.csv", 12, "node_id", "b3", "duplicate node_id"),)),
    Case("coordinates-outside-china", set_cell("sites", 6, "lon", "150.5"),
         (("sites.csv", 6, "lon", "150.5", "coordinates outside China"),)),
    Case("road-node-outside-china", set_cell("road_nodes", 3, "lat", "-28.43"),
         (("road_nodes.csv", 3, "lat", "-28.43", "coordinates outside China"),)),
    Case("gcj02-converted-before-the-china-check",
         both(edit_toml('crs = "wgs84"', 'crs = "gcj02"'), set_cell("sites", 8, "lon", "73.0005"),
              set_cell("sites", 8, "lat", "39.0")),
         (("sites.csv", 8, "lon", "73.0005", "coordinates outside China"),)),
    Case("negative-weight", set_cell("orders", 2, "weight_kg", "-6"),
         (("orders.csv", 2, "weight_kg", "-6", "≥ 0"),)),
    Case("negative-parcels", set_cell("orders", 2, "parcels", "-1"),
         (("orders.csv", 2, "parcels", "-1", "whole number ≥ 0"),)),
    Case("negative-capacity", set_cell("sites", 3, "capacity_kg", "-500"),
         (("sites.csv", 3, "capacity_kg", "-500", "≥ 0"),)),
    Case("zero-vehicle-capacity", set_cell("fleet", 2, "capacity_kg", "0"),
         (("fleet.csv", 2, "capacity_kg", "0", "> 0"),)),
    Case("negative-count", set_cell("fleet", 3, "count", "-1"),
         (("fleet.csv", 3, "count", "-1", "whole number ≥ 0"),)),
    Case("zero-trips", set_cell("fleet", 3, "max_trips", "0"),
         (("fleet.csv", 3, "max_trips", "0", "whole number ≥ 1"),)),
    Case("zero-road-length", set_cell("roads", 4, "length_m", "0"),
         (("roads.csv", 4, "length_m", "0", "> 0"),)),
    Case("infinite-speed", set_cell("roads", 4, "speed_kmh", "inf"),
         (("roads.csv", 4, "speed_kmh", "inf", "finite number > 0"),)),
    Case("reversed-time-window",
         both(set_cell("orders", 6, "ready_time", "17:00"),
              set_cell("orders", 6, "due_time", "09:00")),
         (("orders.csv", 6, "due_time", "09:00", "reversed time window"),)),
    Case("reversed-opening-hours", set_cell("sites", 3, "close_time", "7:30"),
         (("sites.csv", 3, "close_time", "7:30", "reversed time window"),)),
    Case("unknown-site", set_cell("orders", 5, "site_id", "V9"),
         (("orders.csv", 5, "site_id", "V9", "unknown site"),)),
    Case("unknown-depot", set_cell("fleet", 4, "depot", "T2"),
         (("fleet.csv", 4, "depot", "T2", "unknown depot"),)),
    Case("depot-is-a-village", set_cell("fleet", 4, "depot", "V1"),
         (("fleet.csv", 4, "depot", "V1", "a depot must be a facility"),)),
    Case("unknown-destination", set_cell("orders", 7, "destination", "C9"),
         (("orders.csv", 7, "destination", "C9", "unknown destination"),)),
    Case("destination-on-a-delivery", set_cell("orders", 2, "destination", "C1"),
         (("orders.csv", 2, "destination", "C1", "only pickups have a destination"),)),
    Case("transit-limit-on-a-delivery", set_cell("orders", 2, "max_transit_min", "60"),
         (("orders.csv", 2, "max_transit_min", "60", "limits pickups"),)),
    Case("shared-is-not-a-carrier", set_cell("orders", 3, "carrier", "shared"),
         (("orders.csv", 3, "carrier", "shared", "names a vehicle pool"),)),
    Case("candidate-village", set_cell("sites", 5, "status", "candidate"),
         (("sites.csv", 5, "status", "candidate", "only facilities can be candidates"),)),
    Case("no-county-warehouse", set_cell("sites", 2, "kind", "township_station"),
         (("sites.csv", None, "kind", "", "at least one county_warehouse"),)),
    Case("unknown-road-node", set_cell("roads", 3, "v", "nT9"),
         (("roads.csv", 3, "v", "nT9", "unknown road node"),)),
    # scenario.toml
    Case("toml-syntax-error", edit_toml("seed = 0", "seed = "),
         ((T, 27, None, "", "TOML syntax error: Invalid value"),)),
    Case("toml-unknown-key", edit_toml("[costs]\n", "[costs]\nfuel_per_km = 0.8\n"),
         ((T, None, "costs.fuel_per_km", "", "unknown key; allowed keys: currency, "),)),
    Case("toml-unknown-table", edit_toml("[solver]", "[region]\ncode = 500241\n\n[solver]"),
         ((T, None, "region", "", "unknown key"),)),
    Case("toml-missing-name", edit_toml('name = "tiny"\n', ""),
         ((T, None, "name", "", "required key is missing"),)),
    Case("toml-wrong-type", edit_toml("time_limit_s = 10.0", 'time_limit_s = "ten"'),
         ((T, None, "solver.time_limit_s", "ten", "must be a number"),)),
    Case("toml-day-is-a-string", edit_toml("day = 2026-11-22", 'day = "2026-11-22"'),
         ((T, None, "planning.day", "2026-11-22", "must be a TOML date"),)),
    Case("toml-hour-25", edit_toml('end = "19:00"', 'end = "25:00"'),
         ((T, None, "planning.end", "25:00", "00:00–23:59"),)),
    Case("toml-crs-not-in-enum", edit_toml('crs = "wgs84"', 'crs = "cgcs2000"'),
         ((T, None, "crs", "cgcs2000", "must be one of: wgs84, gcj02, bd09"),)),
    Case("toml-reversed-day", edit_toml('start = "07:00"', 'start = "20:00"'),
         ((T, None, "planning.end", "19:00", "reversed time window"),)),
    Case("toml-negative-penalty", edit_toml("unserved_penalty = 300.0", "unserved_penalty = -1"),
         ((T, None, "costs.unserved_penalty", "-1.0", "≥ 0"),)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_bundle(case: Case, tiny_bundle: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, folder)
    case.mutate(folder)
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    got = info.value.problems
    assert [(p.file, p.row, p.column, p.value) for p in got] == [e[:4] for e in case.expected], str(
        info.value
    )
    for problem, expected in zip(got, case.expected, strict=True):
        assert expected[4] in problem.rule


def test_case_names_are_unique() -> None:
    assert len({c.name for c in CASES}) == len(CASES)


def test_optional_columns_may_be_missing_and_extra_columns_are_ignored(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, folder)
    drop_column("orders", "destination")(folder)
    set_cell("orders", 1, "temperature", "备注")(folder)  # now an extra column
    drop_column("roads", "oneway")(folder)
    loaded = load_scenario(folder)
    assert loaded.roads == tiny_scenario.roads
    assert {o.temperature.value for o in loaded.orders} == {"ambient"}


def test_several_defects_are_reported_together_in_file_and_row_order(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, folder)
    both(
        set_cell("fleet", 2, "depot", "X"),
        drop_column("orders", "volume_m3"),
        set_cell("orders", 4, "due_time", "24:00"),
        set_cell("sites", 7, "lat", "60"),
        set_cell("sites", 3, "fixed_cost", "五十"),
        edit_toml("seed = 0", "seed = 0\nthreads = 2"),
        set_cell("roads", 2, "u", "nowhere"),
    )(folder)
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("scenario.toml", None, "solver.threads"),
        ("sites.csv", 3, "fixed_cost"),
        ("sites.csv", 7, "lat"),
        ("orders.csv", None, "volume_m3"),
        ("orders.csv", 4, "due_time"),
        ("fleet.csv", 2, "depot"),
        ("roads.csv", 2, "u"),
    ]
    assert str(info.value).startswith("7 problems in the scenario bundle:")


def test_rows_count_blank_lines_and_line_breaks_in_cells(tiny_bundle: Path, tmp_path: Path) -> None:
    """The row is the row Excel shows: blank lines and multi-line cells count as one row."""
    folder = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, folder)
    rows = read_rows(folder / "orders.csv")
    rows[1][0] = "O1\n(second line)"
    rows[5][5] = "heavy"
    text = "\n".join(",".join(f'"{c}"' if "\n" in c else c for c in r) for r in rows)
    text = text.replace("\nO3,", "\n\nO3,")  # a blank line before row 4, now row 5
    (folder / "orders.csv").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(7, "weight_kg", "heavy")]


def test_excel_cells_of_the_wrong_kind(tiny_scenario: Scenario, tmp_path: Path) -> None:
    """Excel booleans and times in number columns, and numbers in time columns."""
    folder = save_scenario(tiny_scenario, tmp_path / "bundle", table_format="xlsx")
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    book["fleet"]["E3"] = True  # capacity_kg
    book["orders"]["I3"] = 0.375  # ready_time as a bare day fraction
    book["orders"]["F4"] = "#N/A"  # weight_kg after a failed formula
    book.save(folder / "tables.xlsx")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    assert info.value.problems == (
        Problem("tables.xlsx[orders]", 3, "ready_time", "0.375", info.value.problems[0].rule),
        Problem("tables.xlsx[orders]", 4, "weight_kg", "#N/A", "must be a number"),
        Problem("tables.xlsx[fleet]", 3, "capacity_kg", "TRUE", "must be a number"),
    )
