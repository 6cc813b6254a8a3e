"""Travel matrices and road paths on hand-checkable graphs, and the great-circle fallback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from logistics.scenario import Road, RoadNode, Scenario, Site, SiteKind, Terrain
from networks.geodesy import EARTH_RADIUS_M, haversine_m
from networks.matrix import RoadNetwork, build_network, travel_matrix
from networks.snap import ACCESS_DETOUR

INF = math.inf
#: Metres per degree of latitude on the sphere lognet uses.
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180
#: Access leg of a site 0.001° of latitude off its node: 111.195 m × 1.2, at 15 km/h.
ACCESS_M = 0.001 * M_PER_DEG * 1.2  # 133.434 m
ACCESS_S = ACCESS_M / (15 / 3.6)  # 32.024 s


def site(site_id: str, lon: float, lat: float) -> Site:
    kind = SiteKind.COUNTY_WAREHOUSE if site_id == "W" else SiteKind.VILLAGE_POINT
    return Site(site_id, site_id, kind, lon, lat)


def scenario_of(
    sites: tuple[Site, ...],
    nodes: tuple[RoadNode, ...] = (),
    roads: tuple[Road, ...] = (),
    terrain: Terrain = Terrain.MOUNTAIN,
) -> Scenario:
    return Scenario(
        name="net", sites=sites, orders=(), fleet=(), terrain=terrain, road_nodes=nodes, roads=roads
    )


@pytest.fixture(scope="module")
def diamond() -> RoadNetwork:
    """Four nodes where the fastest path is not the shortest.

    ::

            B                A-B, B-D: 1000 m at 60 km/h =  60 s each
          /   \\              A-C, C-D:  700 m at 21 km/h = 120 s each
        A       D            W on A, V on D, X 0.001° south of C.
          \\   /
            C
            X

    W-V: via B 120 s / 2000 m (via C would be 240 s / 1400 m).
    W-X and V-X: the direct 120 s / 700 m to C beats 240 s round the top, plus access.
    """
    nodes = (
        RoadNode("A", 109.00, 28.00),
        RoadNode("B", 109.01, 28.01),
        RoadNode("C", 109.01, 27.99),
        RoadNode("D", 109.02, 28.00),
    )
    roads = (
        Road("A", "B", 1000.0, "county", 60.0),
        Road("B", "D", 1000.0, "county", 60.0),
        Road("A", "C", 700.0, "village", 21.0),
        Road("D", "C", 700.0, "village", 21.0),
    )
    sites = (site("W", 109.00, 28.00), site("V", 109.02, 28.00), site("X", 109.01, 27.989))
    return build_network(scenario_of(sites, nodes, roads))


def test_diamond_matrix_by_hand(diamond: RoadNetwork) -> None:
    """Every entry of the diamond, computed by hand (see the fixture)."""
    m = diamond.matrix
    assert m.site_ids == ("W", "V", "X")
    np.testing.assert_allclose(
        m.duration_s,
        [
            [0.0, 120.0, 120.0 + ACCESS_S],
            [120.0, 0.0, 120.0 + ACCESS_S],
            [120.0 + ACCESS_S, 120.0 + ACCESS_S, 0.0],
        ],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        m.distance_m,
        [
            [0.0, 2000.0, 700.0 + ACCESS_M],
            [2000.0, 0.0, 700.0 + ACCESS_M],
            [700.0 + ACCESS_M, 700.0 + ACCESS_M, 0.0],
        ],
        rtol=1e-12,
    )
    assert round(ACCESS_S, 3) == 32.024


def test_distance_follows_the_fastest_path_not_the_shortest(diamond: RoadNetwork) -> None:
    """W to V takes the fast top road (2000 m), not the short bottom one (1400 m)."""
    m = diamond.matrix
    assert m.distance_m[m.index("W"), m.index("V")] == pytest.approx(2000.0)
    assert diamond.road_node_path("W", "V") == ("A", "B", "D")


def test_all_two_way_roads_give_a_symmetric_matrix_with_zero_diagonal(
    diamond: RoadNetwork,
) -> None:
    """Two-way roads only: each entry equals its transpose; a site is 0 from itself."""
    m = diamond.matrix
    np.testing.assert_allclose(m.duration_s, m.duration_s.T, rtol=1e-12)
    np.testing.assert_allclose(m.distance_m, m.distance_m.T, rtol=1e-12)
    assert (np.diag(m.duration_s) == 0).all()
    assert (np.diag(m.distance_m) == 0).all()


def test_travel_matrix_is_the_network_matrix(diamond: RoadNetwork) -> None:
    """``travel_matrix`` is the shortcut for ``build_network(...).matrix``."""
    scenario = scenario_of(
        tuple(site(s, lon, lat) for s, lon, lat in [("W", 109.0, 28.0), ("V", 109.02, 28.0)]),
        (RoadNode("A", 109.0, 28.0), RoadNode("D", 109.02, 28.0)),
        (Road("A", "D", 2000.0, "county", 60.0),),
    )
    m = travel_matrix(scenario)
    assert m.site_ids == ("W", "V")
    assert m.duration_s[0, 1] == pytest.approx(120.0)
    assert not m.duration_s.flags.writeable


@pytest.fixture(scope="module")
def one_way() -> RoadNetwork:
    """One-way roads, a cut-off pair of nodes and a site far from every road.

    ::

            C               A->B one-way 1000 m at 36 km/h = 100 s
           / \\              B-C, C-A two-way 1000 m at 36 km/h = 100 s each
          A-->B             A->E one-way 800 m at 48 km/h = 60 s (a dead end)
          |                 F-G two-way 500 m at 30 km/h = 60 s, joined to nothing
          v
          E      F--G       Far: 0.1° from every node (> MAX_SNAP_M)

    Sites sit on the nodes named after them (W on A, V on B).
    """
    nodes = (
        RoadNode("A", 109.000, 28.000),
        RoadNode("B", 109.010, 28.000),
        RoadNode("C", 109.005, 28.010),
        RoadNode("E", 109.000, 27.990),
        RoadNode("F", 109.050, 28.050),
        RoadNode("G", 109.060, 28.050),
    )
    roads = (
        Road("A", "B", 1000.0, "county", 36.0, oneway=True),
        Road("B", "C", 1000.0, "county", 36.0),
        Road("C", "A", 1000.0, "county", 36.0),
        Road("A", "E", 800.0, "village", 48.0, oneway=True),
        Road("F", "G", 500.0, "village", 30.0),
    )
    sites = (
        site("W", 109.000, 28.000),
        site("V", 109.010, 28.000),
        site("E", 109.000, 27.990),
        site("F", 109.050, 28.050),
        site("G", 109.060, 28.050),
        site("Far", 109.300, 28.100),
    )
    return build_network(scenario_of(sites, nodes, roads))


def test_one_way_roads_by_hand(one_way: RoadNetwork) -> None:
    """Every entry of the one-way fixture, computed by hand."""
    m = one_way.matrix
    np.testing.assert_allclose(
        m.duration_s,
        #  W      V      E      F     G     Far
        [
            [0.0, 100.0, 60.0, INF, INF, INF],  # W
            [200.0, 0.0, 260.0, INF, INF, INF],  # V: back round by C
            [INF, INF, 0.0, INF, INF, INF],  # E: a one-way dead end
            [INF, INF, INF, 0.0, 60.0, INF],  # F
            [INF, INF, INF, 60.0, 0.0, INF],  # G
            [INF, INF, INF, INF, INF, 0.0],  # Far: no road within reach
        ],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        m.distance_m,
        [
            [0.0, 1000.0, 800.0, INF, INF, INF],
            [2000.0, 0.0, 2800.0, INF, INF, INF],
            [INF, INF, 0.0, INF, INF, INF],
            [INF, INF, INF, 0.0, 500.0, INF],
            [INF, INF, INF, 500.0, 0.0, INF],
            [INF, INF, INF, INF, INF, 0.0],
        ],
        rtol=1e-12,
    )


def test_one_way_road_makes_the_matrix_asymmetric(one_way: RoadNetwork) -> None:
    """W->V takes the one-way road, V->W must go round."""
    m = one_way.matrix
    w, v = m.index("W"), m.index("V")
    assert m.duration_s[w, v] < m.duration_s[v, w]
    assert one_way.road_node_path("V", "W") == ("B", "C", "A")


def test_far_site_is_not_snapped(one_way: RoadNetwork) -> None:
    """The far site has no road node, while the cut-off sites F and G do."""
    assert one_way.snapped_node("Far") is None
    assert one_way.snapped_node("F") == "F"


def test_no_site_near_any_road_gives_an_all_inf_matrix() -> None:
    """Roads exist but every site is too far from them: only the diagonal is finite."""
    nodes = (RoadNode("A", 110.0, 30.0), RoadNode("B", 110.01, 30.0))
    net = build_network(
        scenario_of(
            (site("W", 109.0, 28.0), site("V", 109.1, 28.0)),
            nodes,
            (Road("A", "B", 1000.0, "county", 36.0),),
        )
    )
    np.testing.assert_array_equal(net.matrix.duration_s, [[0.0, INF], [INF, 0.0]])
    np.testing.assert_array_equal(net.matrix.distance_m, [[0.0, INF], [INF, 0.0]])
    with pytest.raises(ValueError, match="no road leads"):
        net.path("W", "V")


def test_predecessors_are_kept_per_distinct_snapped_node_only(one_way: RoadNetwork) -> None:
    """Five snapped sites on five distinct nodes out of six: five int32 rows of six."""
    assert one_way.predecessors is not None
    assert one_way.predecessors.dtype == np.int32
    assert one_way.predecessors.shape == (5, 6)


# Great-circle fallback -----------------------------------------------------------------

#: One degree of latitude on the sphere, metres.
ONE_DEGREE_M = 111195.0802


@pytest.mark.parametrize(
    ("terrain", "detour", "speed_kmh"),
    [(Terrain.MOUNTAIN, 1.6, 30.0), (Terrain.HILLY, 1.4, 40.0), (Terrain.FLAT, 1.25, 50.0)],
)
def test_great_circle_fallback_by_terrain(
    terrain: Terrain, detour: float, speed_kmh: float
) -> None:
    """Without roads: one degree of latitude (111.195 km) × detour at the terrain's speed.

    Mountain: 177 912.1 m at 30 km/h = 21 349.5 s.
    """
    net = build_network(
        scenario_of((site("W", 109.0, 28.0), site("V", 109.0, 29.0)), terrain=terrain)
    )
    m = net.matrix
    expected_m = ONE_DEGREE_M * detour
    np.testing.assert_allclose(m.distance_m, [[0, expected_m], [expected_m, 0]], rtol=1e-8)
    expected_s = expected_m / (speed_kmh / 3.6)
    np.testing.assert_allclose(m.duration_s, [[0, expected_s], [expected_s, 0]], rtol=1e-8)
    if terrain is Terrain.MOUNTAIN:
        assert m.distance_m[0, 1] == pytest.approx(177912.1, abs=0.1)
        assert m.duration_s[0, 1] == pytest.approx(21349.5, abs=0.1)


def test_fallback_path_is_the_two_site_points() -> None:
    """Without roads a path is the straight line; a site to itself is a degenerate line."""
    net = build_network(scenario_of((site("W", 109.0, 28.0), site("V", 109.5, 28.2))))
    assert net.path("W", "V") == ((109.0, 28.0), (109.5, 28.2))
    assert net.path("V", "V") == ((109.5, 28.2), (109.5, 28.2))
    assert net.road_node_path("W", "V") == ()
    assert net.snapped_node("W") is None


# Paths -----------------------------------------------------------------------------------


def test_path_runs_from_site_through_road_nodes_to_site(diamond: RoadNetwork) -> None:
    """W->X: W's point (also node A), node C, then X's point just south of C."""
    assert diamond.path("W", "X") == ((109.0, 28.0), (109.01, 27.99), (109.01, 27.989))
    assert diamond.path("X", "W") == ((109.01, 27.989), (109.01, 27.99), (109.0, 28.0))
    assert diamond.path("W", "V") == ((109.0, 28.0), (109.01, 28.01), (109.02, 28.0))


def test_path_errors(one_way: RoadNetwork) -> None:
    """Unknown sites raise KeyError; pairs no road joins raise ValueError."""
    with pytest.raises(KeyError):
        one_way.path("W", "nowhere")
    with pytest.raises(ValueError, match="no road leads from site 'E' to site 'W'"):
        one_way.path("E", "W")
    with pytest.raises(ValueError, match="no road leads"):
        one_way.path("W", "Far")


def path_length_m(points: tuple[tuple[float, float], ...]) -> float:
    lon, lat = np.array(points).T
    return float(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]).sum())


def test_path_geometry_agrees_with_matrix_distance() -> None:
    """Roads as long as the straight line between their nodes, sites off the road.

    Along the drawn path the road part is exact and the two access legs are straight,
    while the matrix counts them × 1.2: so path ≤ matrix ≤ 1.2 × path, and the gap is
    exactly 0.2 × the access legs.
    """
    coords = {"A": (109.0, 28.0), "B": (109.01, 28.006), "C": (109.02, 28.0), "D": (109.03, 28.01)}
    nodes = tuple(RoadNode(k, lon, lat) for k, (lon, lat) in coords.items())

    def road(u: str, v: str, speed_kmh: float) -> Road:
        (lon1, lat1), (lon2, lat2) = coords[u], coords[v]
        return Road(u, v, float(haversine_m(lon1, lat1, lon2, lat2)), "county", speed_kmh)

    roads = (road("A", "B", 40.0), road("B", "C", 40.0), road("A", "C", 15.0), road("C", "D", 40.0))
    sites = (site("W", 108.9995, 27.999), site("V", 109.031, 28.0105))
    net = build_network(scenario_of(sites, nodes, roads))
    by_id = {s.site_id: s for s in sites}
    for a, b in [("W", "V"), ("V", "W")]:
        points = net.path(a, b)
        assert points[0] == (by_id[a].lon, by_id[a].lat)
        assert points[-1] == (by_id[b].lon, by_id[b].lat)
        assert net.road_node_path(a, b) == (
            ("A", "B", "C", "D") if a == "W" else ("D", "C", "B", "A")
        )
        drawn_m = path_length_m(points)
        matrix_m = float(net.matrix.distance_m[net.matrix.index(a), net.matrix.index(b)])
        assert drawn_m < matrix_m < ACCESS_DETOUR * drawn_m
        access_m = path_length_m(points[:2]) + path_length_m(points[-2:])
        assert matrix_m - drawn_m == pytest.approx((ACCESS_DETOUR - 1) * access_m, rel=1e-9)
