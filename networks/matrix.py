"""Travel matrices between sites, along fastest road paths or by great circle.

With a road graph, the duration from site *i* to site *j* is

    access_s[i] + fastest(node[i] -> node[j]) + access_s[j]

where ``node[i]`` is the road node site *i* snaps to (:mod:`networks.snap`) and
``fastest`` is the shortest path by ``duration_s`` over the road arcs. The distance is
measured along that same fastest path (plus the access legs), not the shortest one.
Shortest paths run from the distinct snapped nodes only (multi-source Dijkstra), and the
distance along each shortest-path tree is recovered from the predecessor arrays by
pointer jumping: every node adds the length accumulated by its current ancestor and then
jumps to that ancestor's ancestor, so ``log2(depth)`` vectorised rounds cover every path.

Without a road graph, distance is the great circle × a detour factor per terrain, at a
speed per terrain (:data:`TERRAIN_DETOUR`, :data:`TERRAIN_SPEED_KMH`).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from logistics.matrix import TravelMatrix
from logistics.scenario import Scenario, Terrain
from networks.geodesy import haversine_m
from networks.roads import RoadArcs, duration_s_of, frozen
from networks.snap import SiteSnap, snap_sites

__all__ = [
    "TERRAIN_DETOUR",
    "TERRAIN_SPEED_KMH",
    "RoadNetwork",
    "build_network",
    "travel_matrix",
]

#: Road distance over great-circle distance when no road graph is given.
TERRAIN_DETOUR: Mapping[Terrain, float] = types.MappingProxyType(
    {Terrain.MOUNTAIN: 1.6, Terrain.HILLY: 1.4, Terrain.FLAT: 1.25}
)
#: Average speed (km/h) when no road graph is given.
TERRAIN_SPEED_KMH: Mapping[Terrain, float] = types.MappingProxyType(
    {Terrain.MOUNTAIN: 30.0, Terrain.HILLY: 40.0, Terrain.FLAT: 50.0}
)

_NO_PREDECESSOR = -9999  # scipy.sparse.csgraph's marker

Point = tuple[float, float]


@dataclass(frozen=True, slots=True, eq=False)
class RoadNetwork:
    """The travel matrix between a scenario's sites and the road paths behind it.

    ``matrix`` holds metres and seconds between all sites. ``path()`` and
    ``road_node_path()`` recover the fastest road path behind any finite entry. Without
    a road graph, ``arcs`` is ``None`` and paths are straight lines.

    Attributes
    ----------
    matrix
        Distances and durations between all sites, in scenario order.
    site_lon, site_lat
        Site coordinates, in scenario order.
    arcs
        The road graph, or ``None`` when the scenario has no roads.
    snap
        Where each site joins the road graph (``None`` without roads).
    source_row
        Per site, its row in ``predecessors`` (``-1`` if the site is not snapped).
    predecessors
        ``int32`` shortest-path trees, one row per distinct snapped road node.
    """

    matrix: TravelMatrix
    site_lon: npt.NDArray[np.float64]
    site_lat: npt.NDArray[np.float64]
    arcs: RoadArcs | None = None
    snap: SiteSnap | None = None
    source_row: npt.NDArray[np.intp] | None = None
    predecessors: npt.NDArray[np.int32] | None = None

    @property
    def site_ids(self) -> tuple[str, ...]:
        return self.matrix.site_ids

    def snapped_node(self, site_id: str) -> str | None:
        """The road node ``site_id`` joins the road graph at (``None``: no road nearby)."""
        if self.arcs is None or self.snap is None:
            return None
        node = int(self.snap.node_index[self.matrix.index(site_id)])
        return None if node < 0 else self.arcs.node_ids[node]

    def road_node_path(self, from_site: str, to_site: str) -> tuple[str, ...]:
        """Road node ids along the fastest path, from the first site's node to the last's.

        Empty without a road graph. Raises ``KeyError`` for an unknown site and
        ``ValueError`` when no road leads from ``from_site`` to ``to_site``.
        """
        nodes = self._node_path(from_site, to_site)
        return () if self.arcs is None else tuple(self.arcs.node_ids[v] for v in nodes)

    def path(self, from_site: str, to_site: str) -> tuple[Point, ...]:
        """The lon/lat sequence of the fastest road path between two sites.

        The site point, its road node, the road nodes in between, the destination's road
        node and the destination point; consecutive repeats are merged, but a path always
        has at least two points. Without a road graph, just the two site points. Raises
        ``KeyError`` for an unknown site and ``ValueError`` when no road leads there.

        Examples
        --------
        >>> from logistics import Road, RoadNode, Scenario, Site, SiteKind
        >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
        >>> v = Site("V", "village", SiteKind.VILLAGE_POINT, 109.021, 28.0)
        >>> nodes = (RoadNode("a", 109.0, 28.0), RoadNode("b", 109.01, 28.01),
        ...          RoadNode("c", 109.02, 28.0))
        >>> roads = (Road("a", "b", 1500.0, "county", 40.0), Road("b", "c", 1500.0, "county", 40.0))
        >>> net = build_network(Scenario(name="t", sites=(wh, v), orders=(), fleet=(),
        ...                              road_nodes=nodes, roads=roads))
        >>> net.path("W", "V")
        ((109.0, 28.0), (109.01, 28.01), (109.02, 28.0), (109.021, 28.0))
        """
        i, j = self.matrix.index(from_site), self.matrix.index(to_site)
        nodes = self._node_path(from_site, to_site)
        points: list[Point] = [(float(self.site_lon[i]), float(self.site_lat[i]))]
        if self.arcs is not None:
            lon, lat = self.arcs.lon, self.arcs.lat
            points += [(float(lon[v]), float(lat[v])) for v in nodes]
        points.append((float(self.site_lon[j]), float(self.site_lat[j])))
        merged = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
        if len(merged) == 1:
            merged.append(merged[0])
        return tuple(merged)

    def _node_path(self, from_site: str, to_site: str) -> list[int]:
        i, j = self.matrix.index(from_site), self.matrix.index(to_site)
        if not np.isfinite(self.matrix.duration_s[i, j]):
            raise ValueError(f"no road leads from site {from_site!r} to site {to_site!r}")
        if self.snap is None or self.source_row is None or self.predecessors is None:
            return []
        start, node = int(self.snap.node_index[i]), int(self.snap.node_index[j])
        tree = self.predecessors[self.source_row[i]]
        nodes = [node]
        while node != start:
            node = int(tree[node])
            nodes.append(node)
        nodes.reverse()
        return nodes


def build_network(scenario: Scenario) -> RoadNetwork:
    """The travel matrix between all of ``scenario.sites`` and the paths behind it.

    With roads, entries run along fastest road paths (see the module docstring); pairs no
    road joins, including sites farther than :data:`~networks.snap.MAX_SNAP_M` from any
    road node, are ``inf``. Without roads, great-circle distance × the terrain's detour
    factor at the terrain's speed. The diagonal is 0.

    Examples
    --------
    >>> from logistics import Scenario, Site, SiteKind
    >>> w = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
    >>> v = Site("V", "village", SiteKind.VILLAGE_POINT, 109.0, 29.0)
    >>> net = build_network(Scenario(name="demo", sites=(w, v), orders=(), fleet=()))
    >>> round(float(net.matrix.distance_m[0, 1]))  # 1° of latitude × 1.6 (mountain)
    177912
    >>> net.path("W", "V")
    ((109.0, 28.0), (109.0, 29.0))
    """
    site_ids = tuple(s.site_id for s in scenario.sites)
    lon = frozen(np.array([s.lon for s in scenario.sites], dtype=np.float64))
    lat = frozen(np.array([s.lat for s in scenario.sites], dtype=np.float64))
    if not scenario.has_roads:
        distance_m, duration_s = _great_circle(lon, lat, scenario.terrain)
        return RoadNetwork(TravelMatrix(site_ids, distance_m, duration_s), lon, lat)

    arcs = RoadArcs.from_scenario(scenario)
    snap = snap_sites(scenario.sites, arcs)
    sources, source_row = np.unique(snap.node_index[snap.snapped], return_inverse=True)
    rows = np.full(len(site_ids), -1, dtype=np.intp)
    rows[snap.snapped] = source_row
    node_s, node_m, predecessors = _fastest_from(arcs, sources)

    # Site-to-site = access leg + road between the two nodes + access leg.
    has = snap.snapped
    duration_s = np.full((len(site_ids), len(site_ids)), np.inf)
    distance_m = np.full_like(duration_s, np.inf)
    block = np.ix_(has, has)
    to_node = snap.node_index[has]
    duration_s[block] = (
        snap.access_s[has, None] + node_s[rows[has]][:, to_node] + snap.access_s[None, has]
    )
    distance_m[block] = (
        snap.access_m[has, None] + node_m[rows[has]][:, to_node] + snap.access_m[None, has]
    )
    np.fill_diagonal(duration_s, 0.0)
    np.fill_diagonal(distance_m, 0.0)
    return RoadNetwork(
        TravelMatrix(site_ids, distance_m, duration_s),
        lon,
        lat,
        arcs=arcs,
        snap=snap,
        source_row=frozen(rows),
        predecessors=frozen(predecessors),
    )


def travel_matrix(scenario: Scenario) -> TravelMatrix:
    """Metres and seconds between all of ``scenario.sites`` (see :func:`build_network`).

    Examples
    --------
    >>> from logistics import Scenario, Site, SiteKind, Terrain
    >>> w = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
    >>> v = Site("V", "village", SiteKind.VILLAGE_POINT, 109.0, 29.0)
    >>> m = travel_matrix(Scenario(name="d", sites=(w, v), orders=(), fleet=(),
    ...                            terrain=Terrain.FLAT))
    >>> round(float(m.duration_s[m.index("V"), m.index("W")]))  # 139 km at 50 km/h
    10008
    """
    return build_network(scenario).matrix


def _great_circle(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], terrain: Terrain
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    distance_m = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    distance_m = distance_m * TERRAIN_DETOUR[terrain]
    np.fill_diagonal(distance_m, 0.0)
    return distance_m, duration_s_of(distance_m, TERRAIN_SPEED_KMH[terrain])


def _fastest_from(
    arcs: RoadArcs, sources: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Seconds, metres along the fastest path, and predecessors from each source node.

    Each result has one row per source and one column per road node.
    """
    n = arcs.n_nodes
    if len(sources) == 0:
        empty = np.empty((0, n))
        return empty, empty.copy(), np.empty((0, n), dtype=np.int32)
    graph = csr_matrix((arcs.duration_s, (arcs.tail, arcs.head)), shape=(n, n))
    duration_s, predecessors = dijkstra(
        graph, directed=True, indices=sources, return_predecessors=True
    )
    predecessors = predecessors.astype(np.int32, copy=False)
    return duration_s, _length_along_trees(arcs, sources, predecessors), predecessors


def _length_along_trees(
    arcs: RoadArcs, sources: npt.NDArray[np.intp], predecessors: npt.NDArray[np.int32]
) -> npt.NDArray[np.float64]:
    """Metres from each tree's root ``sources[r]`` to every node, along the tree's arcs.

    Nodes a tree does not reach get ``inf``.
    """
    k, n = predecessors.shape
    width = n + 1
    has_parent = predecessors != _NO_PREDECESSOR
    rows, cols = np.nonzero(has_parent)
    tails = predecessors[rows, cols]
    # Look arcs up head-major: queries then come in ascending order within each tree row,
    # which keeps the binary search cache-friendly (3-4x faster than tail-major).
    head_major = arcs.head.astype(np.int64) * n + arcs.tail
    by_head = np.argsort(head_major)
    found = by_head[np.searchsorted(head_major[by_head], cols.astype(np.int64) * n + tails)]
    # Column n of every row is a sentinel ancestor of the root and of unreached nodes: it
    # adds 0 and points to itself, so the jumps need no masks. Indices are flat over the
    # (k, n + 1) layout.
    step_m = np.zeros(k * width)
    step_m[rows * width + cols] = arcs.length_m[found]
    row_start = np.arange(k, dtype=np.intp) * width
    parent = np.repeat(row_start + n, width)
    parent[rows * width + cols] = row_start[rows] + tails
    while True:
        grandparent = np.take(parent, parent)
        step_m += np.take(step_m, parent)
        if (grandparent == parent).all():
            break
        parent = grandparent
    length_m = step_m.reshape(k, width)[:, :n]
    length_m[~has_parent] = np.inf
    length_m[np.arange(k), sources] = 0.0
    return length_m
