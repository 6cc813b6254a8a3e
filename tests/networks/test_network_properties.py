"""Matrix invariants on random small road graphs (hypothesis).

Graphs are connected through a random spanning tree of two-way roads, with extra roads
that may be one-way; sites lie within a couple of kilometres of the nodes, so every site
snaps and every pair is reachable.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.scenario import Road, RoadNode, Scenario, Site, SiteKind
from networks.matrix import RoadNetwork, build_network
from networks.roads import build_road_graph

#: Grid step for random coordinates (~55 m); 40 steps span ~2.2 km.
STEP_DEG = 0.0005
SPEEDS_KMH = (10.0, 20.0, 30.0, 45.0, 60.0)


@st.composite
def county(draw: st.DrawFn, *, allow_one_way: bool = True) -> Scenario:
    n_nodes = draw(st.integers(2, 7))
    coord = st.tuples(st.integers(0, 40), st.integers(0, 40))
    points = draw(st.lists(coord, min_size=n_nodes, max_size=n_nodes))
    nodes = tuple(
        RoadNode(f"n{i}", 109.0 + x * STEP_DEG, 28.0 + y * STEP_DEG)
        for i, (x, y) in enumerate(points)
    )
    length_m = st.floats(10.0, 5000.0, allow_nan=False)
    speed_kmh = st.sampled_from(SPEEDS_KMH)
    roads = [
        Road(f"n{draw(st.integers(0, i - 1))}", f"n{i}", draw(length_m), "t", draw(speed_kmh))
        for i in range(1, n_nodes)
    ]
    for _ in range(draw(st.integers(0, 6))):
        u, v = draw(st.integers(0, n_nodes - 1)), draw(st.integers(0, n_nodes - 1))
        one_way = allow_one_way and draw(st.booleans())
        roads.append(Road(f"n{u}", f"n{v}", draw(length_m), "x", draw(speed_kmh), oneway=one_way))
    site_points = draw(st.lists(coord, min_size=1, max_size=6))
    sites = tuple(
        Site(
            f"s{i}",
            f"site {i}",
            SiteKind.COUNTY_WAREHOUSE if i == 0 else SiteKind.VILLAGE_POINT,
            109.0 + x * STEP_DEG,
            28.0 + y * STEP_DEG,
        )
        for i, (x, y) in enumerate(site_points)
    )
    return Scenario(
        name="random", sites=sites, orders=(), fleet=(), road_nodes=nodes, roads=tuple(roads)
    )


def access(net: RoadNetwork, site_id: str) -> tuple[float, float]:
    assert net.snap is not None
    i = net.matrix.index(site_id)
    return float(net.snap.access_m[i]), float(net.snap.access_s[i])


@settings(max_examples=60, deadline=None)
@given(county())
def test_durations_obey_the_triangle_inequality(scenario: Scenario) -> None:
    """No detour through a third site is faster than the direct entry."""
    d = build_network(scenario).matrix.duration_s
    via = (d[:, :, None] + d[None, :, :]).min(axis=1)
    assert (d <= via * (1 + 1e-12) + 1e-9).all()
    assert (np.diag(d) == 0).all()


@settings(max_examples=60, deadline=None)
@given(county(allow_one_way=False))
def test_two_way_graphs_give_symmetric_finite_durations(scenario: Scenario) -> None:
    """Connected and two-way: every pair is reachable and the same time both ways."""
    d = build_network(scenario).matrix.duration_s
    assert np.isfinite(d).all()
    np.testing.assert_allclose(d, d.T, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(county())
def test_matrix_agrees_with_networkx_and_its_own_paths(scenario: Scenario) -> None:
    """Durations match networkx's Dijkstra; distances are the lengths along ``path``'s nodes.

    The node sequence behind each entry must be a walk on the road graph whose arcs sum to
    the entry (plus both access legs), in seconds and in metres.
    """
    net = build_network(scenario)
    graph = build_road_graph(scenario)
    m = net.matrix
    for a in m.site_ids:
        start = net.snapped_node(a)
        assert start is not None
        fastest_s = nx.single_source_dijkstra_path_length(graph, start, weight="duration_s")
        for b in m.site_ids:
            i, j = m.index(a), m.index(b)
            if a == b:
                continue
            end = net.snapped_node(b)
            (access_a_m, access_a_s), (access_b_m, access_b_s) = access(net, a), access(net, b)
            if end not in fastest_s:
                assert np.isinf(m.duration_s[i, j])
                assert np.isinf(m.distance_m[i, j])
                continue
            expected_s = access_a_s + fastest_s[end] + access_b_s
            np.testing.assert_allclose(m.duration_s[i, j], expected_s, rtol=1e-9)
            nodes = net.road_node_path(a, b)
            assert nodes[0] == start
            assert nodes[-1] == end
            arcs = [graph.edges[u, v] for u, v in itertools.pairwise(nodes)]
            walked_s = access_a_s + sum(arc["duration_s"] for arc in arcs) + access_b_s
            walked_m = access_a_m + sum(arc["length_m"] for arc in arcs) + access_b_m
            np.testing.assert_allclose(m.duration_s[i, j], walked_s, rtol=1e-9)
            np.testing.assert_allclose(m.distance_m[i, j], walked_m, rtol=1e-9)
            points = net.path(a, b)
            assert points[0] == (scenario.site(a).lon, scenario.site(a).lat)
            assert points[-1] == (scenario.site(b).lon, scenario.site(b).lat)
