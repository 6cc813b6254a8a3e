"""Snapping sites to the road graph.

Every site joins the road graph at its nearest road node (nearest on the sphere, among
nodes that carry at least one road). The access leg between site and node is not on any
road, so it counts as the straight line × :data:`ACCESS_DETOUR` at
:data:`ACCESS_SPEED_KMH`, the same both ways. A site farther than :data:`MAX_SNAP_M` from
every road node is reached by no road.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from logistics.scenario import Site
from networks.geodesy import haversine_m, unit_vectors
from networks.roads import RoadArcs, duration_s_of, frozen

__all__ = ["ACCESS_DETOUR", "ACCESS_SPEED_KMH", "MAX_SNAP_M", "SiteSnap", "snap_sites"]

#: A site farther than this from every road node is not reached by any road (metres).
MAX_SNAP_M = 3000.0
#: Detour factor of the off-road access leg between a site and its road node.
ACCESS_DETOUR = 1.2
#: Speed on the access leg (tracks, lanes, on foot with a trolley), km/h.
ACCESS_SPEED_KMH = 15.0


@dataclass(frozen=True, slots=True, eq=False)
class SiteSnap:
    """Where each site joins the road graph, in site order.

    ``node_index`` indexes the road nodes (``-1``: no node within the snapping limit);
    ``offset_m`` is the straight-line distance to the nearest road node, kept even when it
    is beyond the limit so that reports can say how far off the road a site lies (``inf``
    when the graph has no roads at all). ``access_m`` and ``access_s`` are the access
    leg, ``inf`` for sites not snapped.
    """

    node_index: npt.NDArray[np.intp]
    offset_m: npt.NDArray[np.float64]
    access_m: npt.NDArray[np.float64]
    access_s: npt.NDArray[np.float64]

    @property
    def snapped(self) -> npt.NDArray[np.bool_]:
        """Whether each site is within the snapping limit of a road node."""
        return np.asarray(self.node_index >= 0)


def snap_sites(
    sites: Sequence[Site], arcs: RoadArcs, *, max_snap_m: float = MAX_SNAP_M
) -> SiteSnap:
    """Snap each site to its nearest road node that carries a road.

    Parameters
    ----------
    sites
        The sites, in the order of the result.
    arcs
        The road graph.
    max_snap_m
        Sites farther than this from every road node stay unsnapped.

    Examples
    --------
    >>> from logistics import Road, RoadNode, Scenario, Site, SiteKind
    >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.0)
    >>> far = Site("F", "far village", SiteKind.VILLAGE_POINT, 109.0, 28.5)
    >>> nodes = (RoadNode("a", 109.0, 28.0), RoadNode("b", 109.0, 28.01))
    >>> s = Scenario(name="t", sites=(wh, far), orders=(), fleet=(),
    ...              road_nodes=nodes, roads=(Road("a", "b", 1200.0, "county", 36.0),))
    >>> snap = snap_sites(s.sites, RoadArcs.from_scenario(s))
    >>> snap.node_index.tolist(), snap.access_m.tolist()
    ([0, -1], [0.0, inf])
    """
    n = len(sites)
    lon = np.array([s.lon for s in sites], dtype=np.float64)
    lat = np.array([s.lat for s in sites], dtype=np.float64)
    node_index = np.full(n, -1, dtype=np.intp)
    offset_m = np.full(n, np.inf)
    # Isolated nodes carry no road: snapping to one would cut a site off needlessly.
    candidates = np.unique(np.concatenate((arcs.tail, arcs.head)))
    if n and len(candidates):
        tree = cKDTree(unit_vectors(arcs.lon[candidates], arcs.lat[candidates]))
        _, nearest = tree.query(unit_vectors(lon, lat), k=1)
        node_index = candidates[np.asarray(nearest, dtype=np.intp)]
        offset_m = haversine_m(lon, lat, arcs.lon[node_index], arcs.lat[node_index])
        node_index = np.where(offset_m <= max_snap_m, node_index, -1)
    snapped = node_index >= 0
    access_m = np.where(snapped, offset_m * ACCESS_DETOUR, np.inf)
    access_s = np.where(snapped, duration_s_of(access_m, ACCESS_SPEED_KMH), np.inf)
    return SiteSnap(
        node_index=frozen(node_index.astype(np.intp)),
        offset_m=frozen(np.asarray(offset_m, dtype=np.float64)),
        access_m=frozen(access_m),
        access_s=frozen(access_s),
    )
