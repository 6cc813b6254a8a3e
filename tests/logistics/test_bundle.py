"""Reading and writing scenario bundles (logistics.bundle): formats, encodings, round trips.

The broken-input corpus (one case per rule) is in test_validation.py.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.bundle import load_scenario, save_scenario, scenario_to_frames
from logistics.coords import from_wgs84
from logistics.errors import ScenarioError
from logistics.scenario import (
    FACILITY_KINDS,
    SHARED,
    Costs,
    Crs,
    Direction,
    Order,
    Planning,
    Road,
    RoadNode,
    Scenario,
    Site,
    SiteKind,
    SiteStatus,
    SolverSettings,
    Temperature,
    Terrain,
    VehicleType,
)

TABLES = ("sites", "orders", "fleet", "road_nodes", "roads")


def copy_bundle(source: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(source, folder)
    return folder


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


# --- the tiny bundle ----------------------------------------------------------------------


def test_tiny_reads_as_documented(tiny_scenario: Scenario) -> None:
    """Spot checks against tests/data/tiny/README.md."""
    s = tiny_scenario
    assert s.name == "tiny" and s.terrain is Terrain.MOUNTAIN
    assert [x.site_id for x in s.sites] == ["W", "T1", "C1", "V1", "V2", "V3", "V4"]
    assert s.carriers == ("ems", "zto")
    w, t1, c1 = s.site("W"), s.site("T1"), s.site("C1")
    assert (w.capacity_kg, w.open_time, w.close_time) == (None, dt.time(7), dt.time(19))
    assert (t1.status, t1.capacity_kg, t1.fixed_cost) == (SiteStatus.CANDIDATE, 500.0, 50.0)
    assert (c1.cold_capacity_kg, c1.fixed_cost, c1.open_time) == (300.0, 80.0, None)
    assert s.site("V1").status is SiteStatus.EXISTING  # empty cell = default
    o2, o6, o7 = s.orders[1], s.orders[5], s.orders[6]
    assert o2.temperature is Temperature.AMBIENT
    assert o6.is_pickup and o6.destination is None
    assert (o7.temperature, o7.max_transit_min, o7.ready_time) == (
        Temperature.CHILLED, 120.0, dt.time(10),
    )  # fmt: skip
    reefer = s.fleet[3]
    assert (reefer.carrier, reefer.refrigerated, reefer.capacity_parcels) == (SHARED, True, None)
    assert s.fleet[0].max_trips == 2 and s.fleet[2].depot == "T1"
    assert len(s.road_nodes) == 10 and len(s.roads) == 9
    assert {r.road_class: r.speed_kmh for r in s.roads} == {
        "county": 50.0, "township": 35.0, "village": 25.0,
    }  # fmt: skip
    assert not any(r.oneway for r in s.roads)


def test_path_may_be_the_folder_or_the_toml_file(tiny_bundle: Path) -> None:
    assert load_scenario(str(tiny_bundle)) == load_scenario(tiny_bundle / "scenario.toml")


def test_no_bundle_here(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert info.value.problems[0].rule == "no scenario.toml in the bundle folder"
    with pytest.raises(ScenarioError, match="no such file or folder"):
        load_scenario(tmp_path / "nowhere")


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_encodings(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path, encoding: str
) -> None:
    """Excel on Chinese Windows saves GBK; "CSV UTF-8" in Excel adds a BOM."""
    folder = copy_bundle(tiny_bundle, tmp_path)
    for name in ("sites", "orders"):
        path = folder / f"{name}.csv"
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    assert (folder / "sites.csv").read_bytes() != (tiny_bundle / "sites.csv").read_bytes()
    assert load_scenario(folder) == tiny_scenario


def test_gb18030_only_characters(tiny_bundle: Path, tmp_path: Path) -> None:
    """𠮷 is outside GBK; GB18030 encodes it, and decoding as GB18030 covers GBK too."""
    folder = copy_bundle(tiny_bundle, tmp_path)
    path = folder / "sites.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("大寨村", "𠮷村").encode("gb18030"))
    assert load_scenario(folder).site("V1").name == "𠮷村服务点"


def test_csv_cells_are_stripped_and_enums_case_blind(tiny_bundle: Path, tmp_path: Path) -> None:
    folder = copy_bundle(tiny_bundle, tmp_path)
    rows = read_rows(folder / "fleet.csv")
    rows[1][0], rows[1][7], rows[4][7] = " ems-van ", "FALSE", "1"
    with (folder / "fleet.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    fleet = load_scenario(folder).fleet
    assert (
        fleet[0].vehicle_type == "ems-van" and not fleet[0].refrigerated and fleet[3].refrigerated
    )


# --- Excel and Parquet --------------------------------------------------------------------


def write_workbook(scenario: Scenario, path: Path, *, order_ids_as_numbers: bool = False) -> None:
    """A workbook as a person would make it in Excel: time cells, boolean cells, numbers."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in scenario_to_frames(scenario).items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for i, record in enumerate(frame.astype(object).to_dict("records")):
            cells = [None if pd.isna(v) else v for v in record.values()]
            if order_ids_as_numbers and name == "orders":
                cells[0] = 101.0 + i  # Excel keeps every number as a float
            sheet.append(cells)
    book.save(path)


def test_excel_workbook_with_time_cells_booleans_and_number_ids(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path
) -> None:
    folder = copy_bundle(tiny_bundle, tmp_path)
    write_workbook(tiny_scenario, folder / "county.xlsx", order_ids_as_numbers=True)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    start = toml.index("[files]")
    end = toml.index("[costs]")
    toml = toml[:start] + '[files]\nworkbook = "county.xlsx"\n\n' + toml[end:]
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    for name in TABLES:
        (folder / f"{name}.csv").unlink()
    book = openpyxl.load_workbook(folder / "county.xlsx")
    assert isinstance(book["sites"]["K2"].value, dt.time)  # open_time of W: a time cell
    assert book["fleet"]["H5"].value is True  # refrigerated of reefer: a boolean cell
    loaded = load_scenario(folder)
    orders = tuple(
        dataclasses.replace(o, order_id=str(101 + i)) for i, o in enumerate(tiny_scenario.orders)
    )
    assert loaded == dataclasses.replace(tiny_scenario, orders=orders)


def test_a_table_file_may_be_xlsx_and_override_the_workbook(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path
) -> None:
    """``[files] fleet = "fleet.xlsx"`` reads that file's first sheet."""
    folder = copy_bundle(tiny_bundle, tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "车辆"
    for row in read_rows(folder / "fleet.csv"):
        sheet.append(row)
    book.save(folder / "fleet.xlsx")
    (folder / "fleet.csv").unlink()
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    toml = toml.replace('fleet = "fleet.csv"', 'fleet = "fleet.xlsx"')
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    assert load_scenario(folder) == tiny_scenario


def test_parquet_written_by_pandas(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path
) -> None:
    """pandas writes NaN for missing floats and time64 for time objects; both read back."""
    folder = copy_bundle(tiny_bundle, tmp_path)
    for name, frame in scenario_to_frames(tiny_scenario).items():
        frame.to_parquet(folder / f"{name}.parquet")
        (folder / f"{name}.csv").unlink()
    toml = (folder / "scenario.toml").read_text(encoding="utf-8").replace(".csv", ".parquet")
    (folder / "scenario.toml").write_text(toml, encoding="utf-8")
    assert load_scenario(folder) == tiny_scenario


def test_gcj02_bundle_is_converted_to_wgs84(
    tiny_bundle: Path, tiny_scenario: Scenario, tmp_path: Path
) -> None:
    folder = copy_bundle(tiny_bundle, tmp_path)
    for name in ("sites", "road_nodes"):
        rows = read_rows(folder / f"{name}.csv")
        i, j = rows[0].index("lon"), rows[0].index("lat")
        lon, lat = from_wgs84(
            [float(r[i]) for r in rows[1:]], [float(r[j]) for r in rows[1:]], crs=Crs.GCJ02
        )
        for row, x, y in zip(rows[1:], lon, lat, strict=True):
            row[i], row[j] = repr(float(x)), repr(float(y))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
    toml = (folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(toml.replace('"wgs84"', '"gcj02"'), encoding="utf-8")
    loaded = load_scenario(folder)
    for got, want in zip(
        loaded.sites + loaded.road_nodes,
        tiny_scenario.sites + tiny_scenario.road_nodes,
        strict=True,
    ):
        assert abs(got.lon - want.lon) < 1e-7 and abs(got.lat - want.lat) < 1e-7
    assert loaded.site("V1").lon != float(read_rows(folder / "sites.csv")[4][3])


# --- writing ------------------------------------------------------------------------------


@pytest.mark.parametrize("table_format", ["csv", "parquet", "xlsx"])
def test_tiny_round_trip(tiny_scenario: Scenario, tmp_path: Path, table_format: str) -> None:
    folder = save_scenario(tiny_scenario, tmp_path / "out", table_format=table_format)
    assert load_scenario(folder) == tiny_scenario


def test_written_csv_is_plain(tiny_scenario: Scenario, tmp_path: Path) -> None:
    folder = save_scenario(tiny_scenario, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["scenario.toml", *(f"{t}.csv" for t in TABLES)]
    )
    sites = read_rows(folder / "sites.csv")
    assert sites[1] == ["W", "县级电商公共仓", "county_warehouse", "109.0", "28.4", "城关镇",
                        "existing", "", "", "0.0", "07:00", "19:00", "15.0"]  # fmt: skip
    assert read_rows(folder / "fleet.csv")[4][7] == "true"
    assert 'crs = "wgs84"' in (folder / "scenario.toml").read_text(encoding="utf-8")


def test_refuses_to_overwrite(tiny_scenario: Scenario, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        save_scenario(tiny_scenario, tmp_path)
    save_scenario(tiny_scenario, tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert load_scenario(tmp_path) == tiny_scenario
    with pytest.raises(ValueError, match="table_format"):
        save_scenario(tiny_scenario, tmp_path / "x", table_format="json")


def test_frames_have_contract_columns_and_types(tiny_scenario: Scenario) -> None:
    frames = scenario_to_frames(tiny_scenario)
    assert list(frames) == list(TABLES)
    assert list(frames["orders"].columns)[:3] == ["order_id", "site_id", "carrier"]
    assert str(frames["fleet"]["capacity_parcels"].dtype) == "Int64"
    assert frames["sites"]["open_time"].iloc[0] == dt.time(7)
    assert frames["sites"]["capacity_kg"].isna().iloc[0]


# --- round trip of generated scenarios ----------------------------------------------------

ids = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-_村", min_size=1, max_size=5)
# Cells are stripped on reading, so text has no outer blanks; "=" must stay text in Excel.
names = st.text(alphabet="县乡村冷库站Aa0 ,;\"'=\n𠮷", min_size=1, max_size=8).filter(
    lambda s: s.strip() == s and s != ""
)
amounts = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
times = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59), st.sampled_from([0, 0, 30]))


def window(draw: st.DrawFn) -> tuple[dt.time | None, dt.time | None]:
    pair = sorted(draw(st.lists(times, min_size=2, max_size=2)))
    keep = draw(st.sampled_from(["both", "start", "end", "none"]))
    return (
        pair[0] if keep in ("both", "start") else None,
        pair[1] if keep in ("both", "end") else None,
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    site_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    sites = []
    for i, site_id in enumerate(site_ids):
        kind = SiteKind.COUNTY_WAREHOUSE if i == 0 else draw(st.sampled_from(list(SiteKind)))
        status = SiteStatus.EXISTING
        if kind in FACILITY_KINDS:
            status = draw(st.sampled_from(list(SiteStatus)))
        open_time, close_time = window(draw)
        sites.append(Site(
            site_id, draw(names), kind,
            draw(st.floats(73.0, 135.5)), draw(st.floats(3.0, 54.0)),
            township=draw(st.sampled_from(["", "城关镇"])), status=status,
            capacity_kg=draw(st.none() | amounts), cold_capacity_kg=draw(st.none() | amounts),
            fixed_cost=draw(amounts), open_time=open_time, close_time=close_time,
            service_min=draw(amounts),
        ))  # fmt: skip
    facilities = [s.site_id for s in sites if s.is_facility]
    carriers = st.sampled_from(["ems", "zto", "中通"])
    orders = []
    for order_id in draw(st.lists(ids, max_size=3, unique=True)):
        direction = draw(st.sampled_from(list(Direction)))
        pickup = direction is Direction.PICKUP
        ready, due = window(draw)
        orders.append(Order(
            order_id, draw(st.sampled_from(site_ids)), draw(carriers), direction,
            draw(st.integers(0, 500)), draw(amounts), draw(amounts),
            draw(st.sampled_from(list(Temperature))), ready, due,
            draw(st.none() | positive) if pickup else None,
            draw(st.none() | st.sampled_from(site_ids)) if pickup else None,
        ))  # fmt: skip
    fleet = []
    for vehicle_type in draw(st.lists(ids, max_size=2, unique=True)):
        fleet.append(VehicleType(
            vehicle_type, draw(st.integers(0, 9)), draw(st.sampled_from(facilities)),
            draw(carriers | st.just(SHARED)), draw(positive), draw(positive),
            draw(st.none() | st.integers(1, 999)), draw(st.booleans()), draw(amounts),
            draw(amounts), draw(st.none() | positive), draw(st.integers(1, 4)),
        ))  # fmt: skip
    road_nodes: list[RoadNode] = []
    roads: list[Road] = []
    if draw(st.booleans()):
        node_ids = draw(st.lists(ids, min_size=2, max_size=3, unique=True))
        road_nodes = [
            RoadNode(n, draw(st.floats(73.0, 135.5)), draw(st.floats(3.0, 54.0))) for n in node_ids
        ]
        roads = [
            Road(draw(st.sampled_from(node_ids)), draw(st.sampled_from(node_ids)), draw(positive),
                 draw(st.sampled_from(["county", "乡道"])), draw(positive), draw(st.booleans()))
            for _ in range(draw(st.integers(1, 3)))
        ]  # fmt: skip
    day_start, day_end = sorted(draw(st.lists(times, min_size=2, max_size=2, unique=True)))
    return Scenario(
        name=draw(names),
        title=draw(st.text(alphabet='标题 "\\\t\n\x7fxyz', max_size=8)),
        sites=tuple(sites),
        orders=tuple(orders),
        fleet=tuple(fleet),
        terrain=draw(st.sampled_from(list(Terrain))),
        planning=Planning(draw(st.dates()), day_start, day_end),
        costs=Costs(
            draw(st.sampled_from(["CNY", "元"])), draw(amounts), draw(amounts), draw(amounts)
        ),
        solver=SolverSettings(draw(positive), draw(st.integers(0, 2**31))),
        road_nodes=tuple(road_nodes),
        roads=tuple(roads),
    )


@pytest.mark.parametrize("table_format", ["csv", "parquet", "xlsx"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_round_trip_of_generated_scenarios(scenario: Scenario, table_format: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert load_scenario(save_scenario(scenario, folder, table_format=table_format)) == scenario
