"""Snapping sites to their nearest road node and the access leg."""

from __future__ import annotations

import math

import pytest

from logistics.scenario import Road, RoadNode, Scenario, Site, SiteKind
from networks.geodesy import EARTH_RADIUS_M
from networks.roads import RoadArcs
from networks.snap import ACCESS_DETOUR, ACCESS_SPEED_KMH, MAX_SNAP_M, SiteSnap, snap_sites

#: Metres per degree of latitude on the sphere lognet uses.
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180


def site(site_id: str, lon: float, lat: float) -> Site:
    kind = SiteKind.COUNTY_WAREHOUSE if site_id == "W" else SiteKind.VILLAGE_POINT
    return Site(site_id, site_id, kind, lon, lat)


def snap_of(
    sites: tuple[Site, ...], nodes: tuple[RoadNode, ...], roads: tuple[Road, ...]
) -> tuple[RoadArcs, SiteSnap]:
    s = Scenario(name="snap", sites=sites, orders=(), fleet=(), road_nodes=nodes, roads=roads)
    arcs = RoadArcs.from_scenario(s)
    return arcs, snap_sites(s.sites, arcs)


NODES = (RoadNode("a", 109.0, 28.0), RoadNode("b", 109.0, 28.02))
ROADS = (Road("a", "b", 2300.0, "county", 40.0),)


def test_site_on_a_node_has_no_access_leg() -> None:
    """A site exactly at a road node joins there at zero cost."""
    _, snap = snap_of((site("W", 109.0, 28.02),), NODES, ROADS)
    assert snap.node_index.tolist() == [1]
    assert snap.access_m.tolist() == [0.0]
    assert snap.access_s.tolist() == [0.0]


def test_access_leg_is_straight_line_times_detour_at_walking_pace() -> None:
    """A site 0.001° of latitude (111.19 m) north of node a, well short of node b.

    access = 111.195 m × 1.2 = 133.434 m, at 15 km/h = 32.024 s.
    """
    _, snap = snap_of((site("W", 109.0, 28.001),), NODES, ROADS)
    straight_m = 0.001 * M_PER_DEG
    assert snap.node_index.tolist() == [0]
    assert snap.offset_m[0] == pytest.approx(straight_m, rel=1e-9)
    assert snap.access_m[0] == pytest.approx(133.434, abs=1e-3)
    assert snap.access_s[0] == pytest.approx(32.024, abs=1e-3)
    assert snap.access_s[0] == pytest.approx(straight_m * ACCESS_DETOUR / (ACCESS_SPEED_KMH / 3.6))


def test_snapping_limit_is_inclusive_up_to_max_snap_m() -> None:
    """Sites 10 m inside and 10 m outside the limit south of node a."""
    inside = site("W", 109.0, 28.0 - (MAX_SNAP_M - 10) / M_PER_DEG)
    outside = site("V", 109.0, 28.0 - (MAX_SNAP_M + 10) / M_PER_DEG)
    _, snap = snap_of((inside, outside), NODES, ROADS)
    assert snap.node_index.tolist() == [0, -1]
    assert snap.snapped.tolist() == [True, False]
    assert snap.offset_m[1] == pytest.approx(MAX_SNAP_M + 10, abs=1e-6)
    assert math.isinf(snap.access_m[1])
    assert math.isinf(snap.access_s[1])


def test_node_without_roads_is_not_a_snapping_target() -> None:
    """Node "x" sits on the site but carries no road; the site joins at "a", 200 m away."""
    nodes = (*NODES, RoadNode("x", 109.0, 28.0 - 200 / M_PER_DEG))
    arcs, snap = snap_of((site("W", 109.0, 28.0 - 200 / M_PER_DEG),), nodes, ROADS)
    assert arcs.node_ids[snap.node_index[0]] == "a"
    assert snap.offset_m[0] == pytest.approx(200.0, abs=1e-6)


def test_nearest_node_is_nearest_on_the_sphere() -> None:
    """At 28° N a degree of longitude is shorter than one of latitude, so the node 0.012°
    east (1.18 km) is nearer than the one 0.011° north (1.22 km); a naive lon/lat
    distance would pick the northern one."""
    nodes = (RoadNode("east", 109.012, 28.0), RoadNode("north", 109.0, 28.011))
    roads = (Road("east", "north", 2000.0, "county", 40.0),)
    arcs, snap = snap_of((site("W", 109.0, 28.0),), nodes, roads)
    assert arcs.node_ids[snap.node_index[0]] == "east"
