"""The road graph built from ``road_nodes`` and ``roads`` tables."""

from __future__ import annotations

import pytest

from logistics.scenario import Road, RoadNode, Scenario, Site, SiteKind
from networks.roads import RoadArcs, build_road_graph

WAREHOUSE = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
NODES = (
    RoadNode("a", 109.00, 28.00),
    RoadNode("b", 109.01, 28.00),
    RoadNode("c", 109.02, 28.00),
    RoadNode("lonely", 109.03, 28.00),
)


def scenario_with(*roads: Road) -> Scenario:
    return Scenario(
        name="roads", sites=(WAREHOUSE,), orders=(), fleet=(), road_nodes=NODES, roads=roads
    )


def test_two_way_road_gives_both_arcs_and_one_way_only_forward() -> None:
    """A two-way road a-b and a one-way road b->c: three arcs, none c->b."""
    g = build_road_graph(
        scenario_with(
            Road("a", "b", 1000.0, "county", 36.0),
            Road("b", "c", 500.0, "village", 18.0, oneway=True),
        )
    )
    assert sorted(g.edges) == [("a", "b"), ("b", "a"), ("b", "c")]
    assert g["a"]["b"] == {"length_m": 1000.0, "duration_s": 100.0, "road_class": "county"}
    assert g["b"]["a"] == g["a"]["b"]
    assert g["b"]["c"] == {"length_m": 500.0, "duration_s": 100.0, "road_class": "village"}


def test_nodes_carry_coordinates_and_unused_nodes_are_kept() -> None:
    """Every road node is a graph node with lon/lat, even one no road touches."""
    g = build_road_graph(scenario_with(Road("a", "b", 1000.0, "county", 36.0)))
    assert set(g.nodes) == {"a", "b", "c", "lonely"}
    assert g.nodes["lonely"] == {"lon": 109.03, "lat": 28.0}


def test_parallel_arcs_keep_the_fastest_per_direction() -> None:
    """Three parallel roads a-b: the fastest wins each direction, a one-way one only forward.

    a->b: slow two-way (180 s), highway one-way (60 s)  -> highway
    b->a: slow two-way (180 s), medium two-way (90 s)   -> medium
    """
    g = build_road_graph(
        scenario_with(
            Road("a", "b", 1000.0, "village", 20.0),
            Road("a", "b", 1200.0, "county", 72.0, oneway=True),
            Road("b", "a", 1000.0, "township", 40.0),
        )
    )
    assert g.number_of_edges() == 2
    assert g["a"]["b"]["road_class"] == "county"
    assert g["a"]["b"]["duration_s"] == pytest.approx(60.0)
    assert g["b"]["a"]["road_class"] == "township"
    assert g["b"]["a"]["duration_s"] == pytest.approx(90.0)


def test_equally_fast_parallel_arcs_keep_the_shorter() -> None:
    """Two roads a-b of 60 s each: the 1000 m one beats the 2000 m one."""
    g = build_road_graph(
        scenario_with(
            Road("a", "b", 2000.0, "county", 120.0),
            Road("a", "b", 1000.0, "village", 60.0),
        )
    )
    assert g["a"]["b"]["length_m"] == 1000.0
    assert g["b"]["a"]["length_m"] == 1000.0


def test_self_loops_are_dropped() -> None:
    """A road from a node to itself never shortens a path."""
    arcs = RoadArcs.from_scenario(
        scenario_with(Road("a", "a", 100.0, "village", 20.0), Road("a", "b", 1000.0, "x", 36.0))
    )
    assert arcs.n_arcs == 2
    assert not (arcs.tail == arcs.head).any()


def test_arcs_are_sorted_and_read_only() -> None:
    """Arc keys are sorted and unique, and arrays cannot be written."""
    arcs = RoadArcs.from_scenario(
        scenario_with(Road("c", "b", 10.0, "x", 10.0), Road("b", "a", 10.0, "x", 10.0))
    )
    keys = arcs.arc_keys()
    assert keys.tolist() == sorted(set(keys.tolist()))
    with pytest.raises(ValueError, match="read-only"):
        arcs.length_m[0] = 1.0
