"""The built-in synthetic demo county: determinism, shape, road graph and shipped bundle.

The default county is built once per module (it takes well under a second); properties
that must hold for every size and seed run on small counties under hypothesis.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from logistics.bundle import load_scenario
from logistics.demo import demo_bundle_path, make_demo_county, write_demo_bundle
from logistics.scenario import SHARED, Direction, Scenario, SiteKind, SiteStatus, Temperature
from logistics.validate import find_problems

SEAT = (108.99, 28.45)
SHARES = {"ems": 0.30, "zto": 0.20, "yto": 0.18, "yunda": 0.16, "jt": 0.16}


@pytest.fixture(scope="module")
def county() -> Scenario:
    """The default demo county, as shipped."""
    return make_demo_county()


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance on a sphere of the Earth's mean radius."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * 6_371_008.8 * np.arcsin(np.sqrt(a)), dtype=np.float64)


def road_distances_m(scenario: Scenario) -> npt.NDArray[np.float64]:
    """Shortest road distance between every pair of sites (``inf`` where none), by scipy."""
    index = {n.node_id: i for i, n in enumerate(scenario.road_nodes)}
    u = np.array([index[r.u] for r in scenario.roads])
    v = np.array([index[r.v] for r in scenario.roads])
    w = np.array([r.length_m for r in scenario.roads])
    n = len(index)
    both_ways = (np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u])))
    graph = coo_matrix(both_ways, shape=(n, n)).tocsr()
    sites = [index[s.site_id] for s in scenario.sites]
    return np.asarray(dijkstra(graph, indices=sites)[:, sites], dtype=np.float64)


def unreachable_sites(scenario: Scenario) -> list[str]:
    """Sites with no road from the county warehouse."""
    row = road_distances_m(scenario)[[s.site_id for s in scenario.sites].index("CW")]
    return [s.site_id for s, d in zip(scenario.sites, row, strict=True) if math.isinf(d)]


def test_same_arguments_give_the_same_county(county: Scenario) -> None:
    assert make_demo_county() == county
    assert make_demo_county(villages=30, townships=5, seed=7) == make_demo_county(
        villages=30, townships=5, seed=7
    )


def test_another_seed_gives_another_county(county: Scenario) -> None:
    other = make_demo_county(seed=1)
    assert other != county
    assert [s.lon for s in other.sites] != [s.lon for s in county.sites]


@pytest.mark.parametrize(("villages", "townships"), [(250, 25), (60, 8), (400, 36), (12, 3)])
def test_sizes_follow_the_arguments(villages: int, townships: int) -> None:
    scenario = make_demo_county(villages=villages, townships=townships, seed=2)
    kinds = Counter(s.kind for s in scenario.sites)
    assert kinds == {
        SiteKind.COUNTY_WAREHOUSE: 1,
        SiteKind.COLD_STORE: 2,
        SiteKind.TOWNSHIP_STATION: townships,
        SiteKind.VILLAGE_POINT: villages,
    }
    ids = [s.site_id for s in scenario.sites]
    assert ids[:5] == ["CW", "CS1", "CS2", "T01", "T02"]
    assert ids[-1] == f"V{villages:03d}"
    parcels = sum(o.parcels for o in scenario.orders if o.direction is Direction.DELIVERY)
    assert 7 * villages <= parcels <= 9 * villages
    assert len([v for v in scenario.fleet if v.vehicle_type.endswith("-minivan")]) == townships


def test_sites_lie_where_the_brief_puts_them(county: Scenario) -> None:
    warehouse = county.site("CW")
    assert (warehouse.lon, warehouse.lat) == SEAT
    assert warehouse.status is SiteStatus.EXISTING and warehouse.capacity_kg is None
    stations = set()
    for site in county.sites:
        km = float(haversine_m(*SEAT, site.lon, site.lat)) / 1000
        assert site.township, site.site_id
        if site.kind is SiteKind.COLD_STORE:
            assert 9.5 <= km <= 21 and site.status is SiteStatus.CANDIDATE
            assert site.cold_capacity_kg is not None and 2500 <= site.cold_capacity_kg <= 3500
            assert 250 <= site.fixed_cost <= 350
        elif site.kind is SiteKind.TOWNSHIP_STATION:
            stations.add(site.site_id)
            assert 4.5 <= km <= 25 and site.township == site.site_id
            assert site.capacity_kg is not None and 600 <= site.capacity_kg <= 1500
            if site.is_candidate:
                assert 60 <= site.fixed_cost <= 150
        elif site.kind is SiteKind.VILLAGE_POINT:
            assert km <= 35 and 4 <= site.service_min <= 8
    villages = county.sites_of_kind(SiteKind.VILLAGE_POINT)
    assert {v.township for v in villages} <= stations
    existing = sum(county.site(t).status is SiteStatus.EXISTING for t in stations)
    assert existing == 8  # about a third of 25
    far = [v for v in villages if haversine_m(*SEAT, v.lon, v.lat) > 30_000]
    assert len(far) <= 0.05 * len(villages)
    windows = Counter((v.open_time, v.close_time) for v in villages)
    assert windows.most_common(1)[0][0] == (dt.time(8), dt.time(18))
    assert windows[dt.time(9), dt.time(12)] + windows[dt.time(14), dt.time(17)] >= 5


def test_orders_split_among_carriers_as_specified(county: Scenario) -> None:
    deliveries = [o for o in county.orders if o.direction is Direction.DELIVERY]
    total = sum(o.parcels for o in deliveries)
    assert 1900 <= total <= 2100
    by_carrier = Counter[str]()
    for order in deliveries:
        by_carrier[order.carrier] += order.parcels
        assert order.order_id == f"D-{order.site_id}-{order.carrier}"
        assert order.parcels >= 1 and 0.8 * order.parcels <= order.weight_kg <= 2.5 * order.parcels
        assert order.volume_m3 == pytest.approx(0.01 * order.parcels, rel=0.25, abs=0.001)
    for carrier, share in SHARES.items():
        assert by_carrier[carrier] / total == pytest.approx(share, abs=0.04)
    carriers_at = Counter(o.site_id for o in deliveries)
    assert set(carriers_at) == {v.site_id for v in county.sites_of_kind(SiteKind.VILLAGE_POINT)}
    assert sum(n < len(SHARES) for n in carriers_at.values()) >= 0.5 * len(carriers_at)


def test_produce_is_picked_up_at_some_villages(county: Scenario) -> None:
    pickups = [o for o in county.orders if o.is_pickup]
    assert len({o.site_id for o in pickups}) == len(pickups) == 38  # 15 % of 250
    chilled = [o for o in pickups if o.temperature is Temperature.CHILLED]
    assert len(chilled) == 13
    for order in pickups:
        assert order.order_id == f"P-{order.site_id}-{order.carrier}"
        assert order.destination is None and order.parcels >= 1
        if order.temperature is Temperature.CHILLED:
            assert 40 <= order.weight_kg <= 200
            assert order.max_transit_min is not None and 150 <= order.max_transit_min <= 240
        else:
            assert 50 <= order.weight_kg <= 300 and order.max_transit_min is None


def test_every_order_refers_to_a_village(county: Scenario) -> None:
    villages = {v.site_id for v in county.sites_of_kind(SiteKind.VILLAGE_POINT)}
    assert {o.site_id for o in county.orders} <= villages


def test_fleet_matches_the_brief(county: Scenario) -> None:
    fleet = {v.vehicle_type: v for v in county.fleet}
    for carrier in SHARES:
        van = fleet[f"{carrier}-van"]
        assert van.depot == "CW" and van.carrier == carrier and 2 <= van.count <= 4
        assert (van.capacity_kg, van.capacity_m3, van.capacity_parcels) == (800, 6, 350)
    assert fleet["ems-van"].count >= fleet["jt-van"].count
    reefer = fleet["reefer"]
    assert (reefer.count, reefer.depot, reefer.carrier) == (3, "CW", SHARED)
    assert reefer.refrigerated and reefer.capacity_kg == 1500
    for station in county.sites_of_kind(SiteKind.TOWNSHIP_STATION):
        minivan = fleet[f"{station.site_id}-minivan"]
        assert (minivan.count, minivan.depot, minivan.carrier) == (1, station.site_id, SHARED)
        assert (minivan.capacity_kg, minivan.max_shift_min, minivan.max_trips) == (500, 540, 2)


def test_settings_match_the_brief(county: Scenario) -> None:
    assert county.name == "xiushan-demo" and "synthetic" in county.title
    assert county.terrain.value == "mountain"
    assert (county.planning.day, county.planning.start, county.planning.end) == (
        dt.date(2026, 11, 22),
        dt.time(7),
        dt.time(19),
    )
    assert (county.costs.currency, county.costs.unserved_penalty) == ("CNY", 300)
    assert (county.costs.driver_cost_per_hour, county.costs.co2_kg_per_km) == (35, 0.27)
    assert (county.solver.time_limit_s, county.solver.seed) == (45, 0)


def test_county_passes_every_record_rule(county: Scenario) -> None:
    problems = find_problems(
        sites=county.sites,
        orders=county.orders,
        fleet=county.fleet,
        road_nodes=county.road_nodes,
        roads=county.roads,
        planning=county.planning,
        costs=county.costs,
        solver=county.solver,
    )
    assert problems == []


def test_roads_wind_through_bends(county: Scenario) -> None:
    nodes = {n.node_id: n for n in county.road_nodes}
    for site in county.sites:
        assert (nodes[site.site_id].lon, nodes[site.site_id].lat) == (site.lon, site.lat)
    speeds = {"county": (45, 60), "township": (30, 40), "village": (20, 30)}
    for road in county.roads:
        assert speeds[road.road_class][0] <= road.speed_kmh <= speeds[road.road_class][1]
        a, b = nodes[road.u], nodes[road.v]
        straight_m = float(haversine_m(a.lon, a.lat, b.lon, b.lat))
        assert 1.05 * straight_m <= road.length_m <= 1.35 * straight_m
        assert road.u.startswith("B") or road.v.startswith("B")  # sites never meet head-on
    classes = Counter(r.road_class for r in county.roads)
    assert set(classes) == set(speeds)


def test_road_distances_run_1_3_to_1_8_times_the_straight_line(county: Scenario) -> None:
    road_m = road_distances_m(county)
    lon = np.array([s.lon for s in county.sites])
    lat = np.array([s.lat for s in county.sites])
    straight_m = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    upper = np.triu_indices(len(county.sites), 1)
    ratio = road_m[upper] / straight_m[upper]
    ratio = ratio[np.isfinite(ratio)]
    p10, median, p90 = np.percentile(ratio, [10, 50, 90])
    assert p10 >= 1.3 and 1.4 <= median <= 1.7 and p90 <= 1.8


def test_exactly_one_village_is_cut_off_by_a_landslide(county: Scenario) -> None:
    (cut_off,) = unreachable_sites(county)
    assert county.site(cut_off).kind is SiteKind.VILLAGE_POINT
    (road,) = [r for r in county.roads if cut_off in (r.u, r.v)]
    bend = road.v if road.u == cut_off else road.u
    assert bend.startswith("B")
    assert [r for r in county.roads if bend in (r.u, r.v)] == [road]
    assert [o for o in county.orders if o.site_id == cut_off]  # its parcels stay unserved


@settings(max_examples=15, deadline=None)
@given(
    villages=st.integers(1, 40),
    townships=st.integers(1, 9),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_small_county_is_valid_with_one_unreachable_village(
    villages: int, townships: int, seed: int
) -> None:
    scenario = make_demo_county(villages=villages, townships=townships, seed=seed)
    assert len(scenario.sites_of_kind(SiteKind.VILLAGE_POINT)) == villages
    (cut_off,) = unreachable_sites(scenario)
    assert scenario.site(cut_off).kind is SiteKind.VILLAGE_POINT
    site_ids = {s.site_id for s in scenario.sites}
    assert {o.site_id for o in scenario.orders} <= site_ids
    assert {v.depot for v in scenario.fleet} <= site_ids


@pytest.mark.parametrize(("villages", "townships"), [(0, 5), (5, 0)])
def test_empty_county_is_refused(villages: int, townships: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        make_demo_county(villages=villages, townships=townships)


def test_written_bundle_reads_back_the_same(tmp_path: Path) -> None:
    folder = write_demo_bundle(tmp_path / "demo", villages=20, townships=4, seed=3)
    assert (folder / "scenario.toml").is_file() and (folder / "roads.csv").is_file()
    assert load_scenario(folder) == make_demo_county(villages=20, townships=4, seed=3)


def test_shipped_bundle_is_in_step_with_the_generator(county: Scenario) -> None:
    """If this fails, regenerate: ``write_demo_bundle(demo_bundle_path(), overwrite=True)``."""
    assert load_scenario(demo_bundle_path()) == county
