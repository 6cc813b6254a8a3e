"""The road graph: road nodes and segments as directed arcs weighted by travel time.

A two-way road gives an arc each way, a ``oneway`` road only ``u -> v``. Of parallel arcs
between the same ordered pair of nodes only the fastest is kept (the shorter one on a tie),
because every path lognet builds is a fastest path. Self-loops never shorten a path and are
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import networkx as nx
import numpy as np
import numpy.typing as npt

from logistics.scenario import Scenario

__all__ = ["RoadArcs", "build_road_graph", "duration_s_of"]

T = TypeVar("T", bound=np.generic)


def duration_s_of(length_m: npt.ArrayLike, speed_kmh: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Seconds to cover ``length_m`` at ``speed_kmh``."""
    return np.asarray(length_m, dtype=np.float64) / (np.asarray(speed_kmh, dtype=np.float64) / 3.6)


def frozen(arr: npt.NDArray[T]) -> npt.NDArray[T]:
    """``arr`` itself, made read-only."""
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class RoadArcs:
    """A scenario's road graph as arrays: one arc per ordered node pair, sorted by (tail, head).

    ``lon``/``lat`` are per node (in ``node_ids`` order); ``tail``, ``head``,
    ``length_m``, ``duration_s`` and ``road_class`` are per arc, with ``tail`` and
    ``head`` indexing ``node_ids``. Arrays are read-only.

    Examples
    --------
    >>> from logistics import Road, RoadNode, Scenario, Site, SiteKind
    >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
    >>> nodes = (RoadNode("a", 109.0, 28.0), RoadNode("b", 109.0, 28.01))
    >>> roads = (Road("a", "b", 1200.0, "county", 36.0, oneway=True),)
    >>> s = Scenario(name="t", sites=(wh,), orders=(), fleet=(), road_nodes=nodes, roads=roads)
    >>> arcs = RoadArcs.from_scenario(s)
    >>> arcs.node_ids, arcs.tail.tolist(), arcs.head.tolist(), arcs.duration_s.tolist()
    (('a', 'b'), [0], [1], [120.0])
    """

    node_ids: tuple[str, ...]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    tail: npt.NDArray[np.intp]
    head: npt.NDArray[np.intp]
    length_m: npt.NDArray[np.float64]
    duration_s: npt.NDArray[np.float64]
    road_class: tuple[str, ...]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RoadArcs:
        """The arcs of ``scenario.roads`` over ``scenario.road_nodes``."""
        node_ids = tuple(n.node_id for n in scenario.road_nodes)
        index = {nid: i for i, nid in enumerate(node_ids)}
        roads = scenario.roads
        u = np.array([index[r.u] for r in roads], dtype=np.intp)
        v = np.array([index[r.v] for r in roads], dtype=np.intp)
        length = np.array([r.length_m for r in roads], dtype=np.float64)
        duration = duration_s_of(length, [r.speed_kmh for r in roads])
        oneway = np.array([r.oneway for r in roads], dtype=bool)
        road_of_arc = np.concatenate((np.arange(len(roads)), np.flatnonzero(~oneway)))
        tail = np.concatenate((u, v[~oneway]))
        head = np.concatenate((v, u[~oneway]))
        keep = tail != head
        road_of_arc, tail, head = road_of_arc[keep], tail[keep], head[keep]
        # Fastest first within each (tail, head) group, then take each group's first arc.
        order = np.lexsort((length[road_of_arc], duration[road_of_arc], head, tail))
        road_of_arc, tail, head = road_of_arc[order], tail[order], head[order]
        first = np.ones(len(tail), dtype=bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        road_of_arc, tail, head = road_of_arc[first], tail[first], head[first]
        return cls(
            node_ids=node_ids,
            lon=frozen(np.array([n.lon for n in scenario.road_nodes], dtype=np.float64)),
            lat=frozen(np.array([n.lat for n in scenario.road_nodes], dtype=np.float64)),
            tail=frozen(tail),
            head=frozen(head),
            length_m=frozen(length[road_of_arc]),
            duration_s=frozen(duration[road_of_arc]),
            road_class=tuple(roads[i].road_class for i in road_of_arc.tolist()),
        )

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_arcs(self) -> int:
        return len(self.tail)

    def arc_keys(self) -> npt.NDArray[np.int64]:
        """``tail * n_nodes + head`` per arc: sorted and unique, for vectorised look-up."""
        return self.tail.astype(np.int64) * self.n_nodes + self.head


def build_road_graph(scenario: Scenario) -> nx.DiGraph:
    """The road graph of ``scenario`` as a :class:`networkx.DiGraph`.

    Nodes are road ``node_id`` values with attributes ``lon`` and ``lat``; arcs carry
    ``length_m``, ``duration_s`` (length over speed) and ``road_class``. Two-way roads give
    both arcs, ``oneway`` roads only ``u -> v``; of parallel arcs the fastest is kept.

    Examples
    --------
    >>> from logistics import Road, RoadNode, Scenario, Site, SiteKind
    >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
    >>> nodes = (RoadNode("a", 109.0, 28.0), RoadNode("b", 109.0, 28.01))
    >>> roads = (Road("a", "b", 1000.0, "village", 20.0), Road("a", "b", 1100.0, "county", 60.0))
    >>> s = Scenario(name="t", sites=(wh,), orders=(), fleet=(), road_nodes=nodes, roads=roads)
    >>> g = build_road_graph(s)
    >>> sorted(g.edges), g["b"]["a"]["road_class"], g["a"]["b"]["duration_s"]
    ([('a', 'b'), ('b', 'a')], 'county', 66.0)
    """
    arcs = RoadArcs.from_scenario(scenario)
    graph = nx.DiGraph()
    graph.add_nodes_from(
        (nid, {"lon": lon, "lat": lat})
        for nid, lon, lat in zip(arcs.node_ids, arcs.lon.tolist(), arcs.lat.tolist(), strict=True)
    )
    ids = arcs.node_ids
    graph.add_edges_from(
        (ids[t], ids[h], {"length_m": length, "duration_s": duration, "road_class": cls})
        for t, h, length, duration, cls in zip(
            arcs.tail.tolist(),
            arcs.head.tolist(),
            arcs.length_m.tolist(),
            arcs.duration_s.tolist(),
            arcs.road_class,
            strict=True,
        )
    )
    return graph
