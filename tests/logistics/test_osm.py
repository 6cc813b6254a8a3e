"""Road graphs from OpenStreetMap files (logistics.osm) and bundles that name one.

``tests/data/osm/tiny.osm`` (see its README) holds one way per rule; its nodes sit on the
sites of the tiny bundle so that a copy of that bundle with ``osm = "tiny.osm"`` routes.
Tag rules are checked one by one on files written here with osmium's own writer.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import osmium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from osmium.osm.mutable import Node, Way

from logistics.bundle import load_scenario, save_scenario
from logistics.errors import ScenarioError
from logistics.osm import DEFAULT_SPEED_KMH, MIN_LENGTH_M, read_osm_roads
from logistics.scenario import Road, RoadNode, Scenario
from networks.matrix import travel_matrix

OSM = Path(__file__).parents[1] / "data" / "osm"

#: The nodes of tiny.osm, (lon, lat).
TINY_NODES = {
    "1": (109.0, 28.4),
    "2": (109.02, 28.42),
    "3": (109.045, 28.43),
    "4": (109.068, 28.448),
    "5": (109.058, 28.405),
    "8": (109.04, 28.45),
    "9": (109.03, 28.462),
}


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def write_osm(
    path: Path,
    nodes: Mapping[int, tuple[float, float]],
    ways: Sequence[tuple[Sequence[int], Mapping[str, str]]],
) -> Path:
    """An OSM file (format by the name) with ``nodes`` by id and ``ways`` as (refs, tags)."""
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        for node_id, location in nodes.items():
            writer.add_node(Node(id=node_id, location=location))
        for way_id, (refs, tags) in enumerate(ways, start=100):
            writer.add_way(Way(id=way_id, nodes=list(refs), tags=dict(tags)))
    return path


# --- the tiny file ------------------------------------------------------------------------


def test_tiny_osm_roads() -> None:
    _, roads = read_osm_roads(OSM / "tiny.osm")
    assert [(r.u, r.v, r.oneway, r.road_class, r.speed_kmh) for r in roads] == [
        ("1", "2", False, "tertiary", 40.0),
        ("2", "3", False, "tertiary", 40.0),
        ("3", "4", True, "residential", 25.0),
        ("3", "5", True, "track", 15.0),  # oneway=-1: against the way's 5 -> 3
        ("3", "8", False, "unclassified", 20.0),  # maxspeed=20; 8 -> 8 adds nothing
        ("8", "9", False, "unclassified", 20.0),
    ]
    for r in roads:
        assert r.length_m == pytest.approx(haversine_m(TINY_NODES[r.u], TINY_NODES[r.v]))


def test_tiny_osm_road_nodes_are_those_of_kept_roads_in_first_seen_order() -> None:
    nodes, _ = read_osm_roads(OSM / "tiny.osm")
    assert nodes == tuple(RoadNode(k, lon, lat) for k, (lon, lat) in TINY_NODES.items())


def test_pbf_reads_like_xml(tmp_path: Path) -> None:
    pbf = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(OSM / "tiny.osm"):
            writer.add(obj)
    assert pbf.read_bytes()[:64] != (OSM / "tiny.osm").read_bytes()[:64]
    assert read_osm_roads(pbf) == read_osm_roads(OSM / "tiny.osm")


# --- tag rules, one way each --------------------------------------------------------------

A, B = (109.0, 28.4), (109.0, 28.41)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "secondary"}, ("1", "2", False, 50.0)),
        ({"highway": "trunk_link"}, ("1", "2", False, 70.0)),
        ({"highway": "motorway"}, ("1", "2", True, 100.0)),  # implied one-way
        ({"highway": "motorway", "oneway": "no"}, ("1", "2", False, 100.0)),
        ({"highway": "primary", "junction": "roundabout"}, ("1", "2", True, 60.0)),
        ({"highway": "service", "oneway": "true"}, ("1", "2", True, 15.0)),
        ({"highway": "service", "oneway": "1"}, ("1", "2", True, 15.0)),
        ({"highway": "service", "oneway": "reversible"}, ("1", "2", False, 15.0)),
        ({"highway": "track", "maxspeed": "30 mph"}, ("1", "2", False, 30 * 1.609344)),
        ({"highway": "track", "maxspeed": "60 km/h"}, ("1", "2", False, 60.0)),
        ({"highway": "track", "maxspeed": "none"}, ("1", "2", False, 15.0)),
        ({"highway": "track", "maxspeed": "CN:rural"}, ("1", "2", False, 15.0)),
        ({"highway": "track", "maxspeed": "0"}, ("1", "2", False, 15.0)),
        ({"highway": "living_street", "access": "no", "motor_vehicle": "yes"},
         ("1", "2", False, 10.0)),
        ({"highway": "residential", "access": "destination"}, ("1", "2", False, 25.0)),
    ],
)  # fmt: skip
def test_tag_rules(tmp_path: Path, tags: dict[str, str], expected: tuple[object, ...]) -> None:
    path = write_osm(tmp_path / "way.osm", {1: A, 2: B}, [([1, 2], tags)])
    _, (road,) = read_osm_roads(path)
    assert (road.u, road.v, road.oneway, road.speed_kmh) == pytest.approx(expected)


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "cycleway"},
        {"highway": "construction"},
        {"building": "yes"},
        {"highway": "service", "area": "yes"},
        {"highway": "tertiary", "access": "no"},
        {"highway": "unclassified", "motor_vehicle": "no"},
        {"highway": "residential", "motor_vehicle": "private"},
        {"highway": "track", "vehicle": "no"},
    ],
)
def test_ways_not_drivable_are_skipped(tmp_path: Path, tags: dict[str, str]) -> None:
    path = write_osm(tmp_path / "way.osm", {1: A, 2: B}, [([1, 2], tags)])
    assert read_osm_roads(path) == ((), ())


def test_segments_with_a_node_missing_from_the_file_are_skipped(tmp_path: Path) -> None:
    """A way cut at the edge of an extract keeps the segments whose nodes are present."""
    nodes = {1: A, 2: B, 4: (109.0, 28.42)}
    path = write_osm(tmp_path / "cut.osm", nodes, [([1, 2, 3, 4], {"highway": "tertiary"})])
    road_nodes, roads = read_osm_roads(path)
    assert [n.node_id for n in road_nodes] == ["1", "2"]
    assert [(r.u, r.v) for r in roads] == [("1", "2")]


def test_two_nodes_on_the_same_spot_stay_joined(tmp_path: Path) -> None:
    """Either node may be a junction: dropping the segment could cut the graph."""
    path = write_osm(tmp_path / "dup.osm", {1: A, 2: A}, [([1, 2], {"highway": "tertiary"})])
    nodes, roads = read_osm_roads(path)
    assert [n.node_id for n in nodes] == ["1", "2"]
    assert [(r.u, r.v, r.length_m) for r in roads] == [("1", "2", MIN_LENGTH_M)]


@pytest.mark.parametrize(
    ("name", "data"),
    [("broken.osm", b"<osm><node id="), ("broken.osm.pbf", b"garbage" * 10), ("roads.txt", b"x")],
)
def test_unreadable_file_raises_value_error_naming_it(
    tmp_path: Path, name: str, data: bytes
) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ValueError, match=f"cannot read the OpenStreetMap file .*{re.escape(name)}"):
        read_osm_roads(tmp_path / name)


def test_missing_file_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nowhere\.osm"):
        read_osm_roads(tmp_path / "nowhere.osm")


points = st.lists(st.tuples(st.floats(100.0, 120.0), st.floats(20.0, 40.0)), min_size=2, max_size=6)


@settings(max_examples=30, deadline=None)
@given(points=points, oneway=st.sampled_from(["yes", "-1", "no"]))
def test_a_way_becomes_one_road_per_segment(points: list[tuple[float, float]], oneway: str) -> None:
    """Lengths add up along the way, in the tagged direction, through PBF too."""
    ids = list(range(1, len(points) + 1))
    with tempfile.TemporaryDirectory() as folder:
        path = write_osm(
            Path(folder) / "way.osm.pbf",
            dict(zip(ids, points, strict=True)),
            [(ids, {"highway": "tertiary", "oneway": oneway})],
        )
        nodes, roads = read_osm_roads(path)
    at = {n.node_id: (n.lon, n.lat) for n in nodes}
    assert all(r.length_m > 0 and r.oneway == (oneway != "no") for r in roads)
    forward = [(r.v, r.u) if oneway == "-1" else (r.u, r.v) for r in roads]
    assert all(int(v) == int(u) + 1 for u, v in forward)
    expected = [
        max(haversine_m(at[str(i)], at[str(i + 1)]), MIN_LENGTH_M)
        for i in ids[:-1]
        if str(i) in at and str(i + 1) in at
    ]
    assert [r.length_m for r in roads] == pytest.approx(expected)


def test_default_speeds_cover_the_drivable_classes() -> None:
    assert set(DEFAULT_SPEED_KMH) == {
        "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
        "residential", "living_street", "service", "track",
        "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link",
    }  # fmt: skip
    assert DEFAULT_SPEED_KMH["motorway_link"] == DEFAULT_SPEED_KMH["motorway"] - 10


# --- bundles with an osm file -------------------------------------------------------------


def osm_bundle(tiny_bundle: Path, tmp_path: Path, *, crs: str = "wgs84") -> Path:
    """The tiny bundle with its road tables replaced by tests/data/osm/tiny.osm."""
    folder = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, folder)
    (folder / "road_nodes.csv").unlink()
    (folder / "roads.csv").unlink()
    shutil.copy(OSM / "tiny.osm", folder / "tiny.osm")
    toml = folder / "scenario.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace(
        'road_nodes = "road_nodes.csv"\nroads = "roads.csv"\n', 'osm = "tiny.osm"\n'
    )
    toml.write_text(text.replace('crs = "wgs84"', f'crs = "{crs}"'), encoding="utf-8")
    return folder


def test_bundle_with_osm_routes_between_the_sites_its_roads_connect(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    scenario = load_scenario(osm_bundle(tiny_bundle, tmp_path))
    assert (scenario.road_nodes, scenario.roads) == read_osm_roads(OSM / "tiny.osm")
    m = travel_matrix(scenario)
    finite = {
        (a, b)
        for a in m.site_ids
        for b in m.site_ids
        if a != b and np.isfinite(m.duration_s[m.index(a), m.index(b)])
    }
    linked = {"W", "T1", "V2"}  # two-way roads
    assert finite == {(a, b) for a in linked for b in linked if a != b} | {
        (a, b)
        for a in linked
        for b in ("V1", "V3")  # one-way out of T1
    }
    # Sites on their nodes: no access leg, 5.6 km of tertiary at 40 km/h.
    w_t1_m = haversine_m(TINY_NODES["1"], TINY_NODES["2"]) + haversine_m(
        TINY_NODES["2"], TINY_NODES["3"]
    )
    assert m.distance_m[m.index("W"), m.index("T1")] == pytest.approx(w_t1_m)
    assert m.duration_s[m.index("W"), m.index("T1")] == pytest.approx(w_t1_m / (40 / 3.6))


def test_bundle_crs_does_not_apply_to_osm_coordinates(tiny_bundle: Path, tmp_path: Path) -> None:
    scenario = load_scenario(osm_bundle(tiny_bundle, tmp_path, crs="gcj02"))
    assert scenario.road_nodes[0] == RoadNode("1", 109.0, 28.4)
    assert scenario.sites[0].lon != 109.0  # the sites were converted


def test_bundle_with_osm_saves_as_road_tables(tiny_bundle: Path, tmp_path: Path) -> None:
    scenario = load_scenario(osm_bundle(tiny_bundle, tmp_path))
    saved = save_scenario(scenario, tmp_path / "saved")
    assert (saved / "roads.csv").is_file() and not list(saved.glob("*.osm"))
    again: Scenario = load_scenario(saved)
    assert again == scenario
    assert again.roads[2] == Road(
        "3", "4", scenario.roads[2].length_m, "residential", 25.0, oneway=True
    )


def test_bundle_with_osm_from_outside_china_is_one_problem(
    tiny_bundle: Path, tmp_path: Path
) -> None:
    folder = osm_bundle(tiny_bundle, tmp_path)
    nodes = {i: (2.35 + i / 1000, 48.85) for i in range(1, 50)}  # Paris
    write_osm(folder / "tiny.osm", nodes, [(list(nodes), {"highway": "residential"})])
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "tiny.osm", None, None, "node 1",
    )  # fmt: skip
    assert problem.rule.startswith("49 of 49 road nodes lie outside China")
