"""Road graphs from OpenStreetMap files (``.osm``, ``.osm.pbf``), read with pyosmium.

:func:`read_osm_roads` turns the drivable ways of an OpenStreetMap extract into the
``road_nodes`` and ``roads`` records of the data contract (DESIGN.md §3): every pair of
consecutive nodes of a kept way becomes one :class:`~logistics.scenario.Road` between the
OSM node ids, as strings. OpenStreetMap coordinates are always WGS-84, so a bundle's
``crs`` never applies to them.

Which ways are kept
    Ways whose ``highway`` tag is in :data:`DEFAULT_SPEED_KMH`, except areas
    (``area=yes``) and ways closed to motor vehicles: the most specific of
    ``motor_vehicle``, ``vehicle`` and ``access`` (the OSM access hierarchy) is ``no`` or
    ``private``. A segment whose node is missing from the file (a way cut at the edge of
    an extract) is left out, and so is a repeated node. Two distinct nodes on the same
    spot stay joined (one may be a junction) by a segment of :data:`MIN_LENGTH_M`.

Length
    Great circle between the two nodes (haversine, mean Earth radius 6,371,008.8 m).

Speed
    A numeric ``maxspeed`` (km/h; ``"30 mph"`` is converted) is taken as the speed;
    otherwise the default of the road's class in :data:`DEFAULT_SPEED_KMH`. The defaults
    are typical running speeds of a loaded van on rural roads in a hilly or mountain
    county of China, below the legal limits (for roads outside towns 40 km/h without a
    centre line and 70 km/h with one lane each way): motorway 100, trunk 80, primary 60,
    secondary 50, tertiary 40, unclassified 30, residential 25, living_street 10,
    service 15 and track 15 km/h; each ``*_link`` 10 km/h below its class.

Direction
    ``oneway=yes``/``true``/``1`` keeps the way's direction, ``oneway=-1`` reverses it and
    ``oneway=no``/``false``/``0`` makes it two-way. Without one of those values, motorways
    and roundabouts (``junction=roundabout``/``circular``) are one-way and every other
    road is two-way.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import osmium

from logistics.scenario import Road, RoadNode

__all__ = [
    "DEFAULT_SPEED_KMH",
    "EARTH_RADIUS_M",
    "MIN_LENGTH_M",
    "OsmFileError",
    "read_osm_roads",
]

#: Length (m) of a segment between two distinct nodes on the same spot.
MIN_LENGTH_M = 0.1
#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6371008.8

_CLASS_SPEED_KMH = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 60.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "track": 15.0,
}
_LINKED = ("motorway", "trunk", "primary", "secondary", "tertiary")

#: Speed (km/h) by drivable ``highway`` class when a way has no numeric ``maxspeed``;
#: its keys are the classes kept.
DEFAULT_SPEED_KMH: Mapping[str, float] = types.MappingProxyType(
    _CLASS_SPEED_KMH | {f"{c}_link": _CLASS_SPEED_KMH[c] - 10.0 for c in _LINKED}
)

_CLOSED = frozenset({"no", "private"})
_FORWARD = frozenset({"yes", "true", "1"})
_TWO_WAY = frozenset({"no", "false", "0"})
_ONE_WAY_JUNCTIONS = frozenset({"roundabout", "circular"})
_KMH_PER_MPH = 1.609344
_MAXSPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?")


class OsmFileError(ValueError):
    """An OpenStreetMap file that cannot be read; ``cause`` says why."""

    def __init__(self, path: str | os.PathLike[str], cause: str) -> None:
        super().__init__(f"cannot read the OpenStreetMap file {os.fspath(path)}: {cause}")
        self.cause = cause


@dataclass(frozen=True, slots=True)
class _Point:
    node_id: str
    lon: float
    lat: float


def read_osm_roads(
    path: str | os.PathLike[str],
) -> tuple[tuple[RoadNode, ...], tuple[Road, ...]]:
    """The road nodes and roads of the drivable ways in an OpenStreetMap file.

    The file may be XML (``.osm``, ``.osm.bz2``, ``.osm.gz``) or PBF (``.osm.pbf``); its
    format is told from the name. The rules (classes kept, speeds, direction) are in the
    module docstring. Road nodes are those used by a road, in the order the ways first
    use them; their coordinates are WGS-84.

    Parameters
    ----------
    path
        The OpenStreetMap file.

    Returns
    -------
    road_nodes, roads
        Records ready for :class:`~logistics.scenario.Scenario`.

    Raises
    ------
    OsmFileError
        A :class:`ValueError` naming the file and the cause when it cannot be read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> xml = '''<osm version="0.6">
    ...   <node id="1" lon="109.0" lat="28.4"/><node id="2" lon="109.0" lat="28.41"/>
    ...   <way id="7"><nd ref="1"/><nd ref="2"/><tag k="highway" v="tertiary"/></way>
    ... </osm>'''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "county.osm"
    ...     _ = path.write_text(xml, encoding="utf-8")
    ...     nodes, roads = read_osm_roads(path)
    >>> [n.node_id for n in nodes]
    ['1', '2']
    >>> r = roads[0]
    >>> (r.u, r.v, round(r.length_m), r.road_class, r.speed_kmh, r.oneway)
    ('1', '2', 1112, 'tertiary', 40.0, False)
    """
    nodes: dict[str, RoadNode] = {}
    roads: list[Road] = []
    for tags, points in _drivable_ways(path):
        road_class = tags["highway"]
        speed_kmh = _maxspeed_kmh(tags.get("maxspeed"))
        if speed_kmh is None:
            speed_kmh = DEFAULT_SPEED_KMH[road_class]
        direction = _direction(tags)
        for a, b in itertools.pairwise(points):
            if a is None or b is None or a.node_id == b.node_id:
                continue
            length_m = max(_haversine_m(a.lon, a.lat, b.lon, b.lat), MIN_LENGTH_M)
            for p in (a, b):
                if p.node_id not in nodes:
                    nodes[p.node_id] = RoadNode(p.node_id, p.lon, p.lat)
            u, v = (b, a) if direction < 0 else (a, b)
            roads.append(
                Road(u.node_id, v.node_id, length_m, road_class, speed_kmh, oneway=direction != 0)
            )
    return tuple(nodes.values()), tuple(roads)


def _drivable_ways(
    path: str | os.PathLike[str],
) -> Iterator[tuple[dict[str, str], list[_Point | None]]]:
    """Tags and node points (``None``: not in the file) of each drivable way."""
    processor = (
        osmium.FileProcessor(os.fspath(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        # osmium objects live only during iteration: copy out what is needed.
        for way in processor:
            if not isinstance(way, osmium.osm.Way):  # the filters let only ways through
                continue
            tags = {tag.k: tag.v for tag in way.tags}
            if not _is_drivable(tags):
                continue
            points = [
                _Point(str(n.ref), n.location.lon, n.location.lat) if n.location.valid() else None
                for n in way.nodes
            ]
            yield tags, points
    except (RuntimeError, OSError) as err:
        raise OsmFileError(path, str(err)) from err


def _is_drivable(tags: Mapping[str, str]) -> bool:
    if tags.get("highway") not in DEFAULT_SPEED_KMH or tags.get("area") == "yes":
        return False
    for key in ("motor_vehicle", "vehicle", "access"):
        if key in tags:
            return tags[key] not in _CLOSED
    return True


def _maxspeed_kmh(value: str | None) -> float | None:
    """A numeric ``maxspeed`` in km/h, or ``None`` (missing, ``"none"``, ``"CN:rural"``...)."""
    match = None if value is None else _MAXSPEED.fullmatch(value.strip())
    if match is None:
        return None
    speed = float(match[1]) * (_KMH_PER_MPH if match[2] == "mph" else 1.0)
    return speed if 0 < speed < math.inf else None


def _direction(tags: Mapping[str, str]) -> int:
    """1: one-way along the way, -1: one-way against it, 0: two-way."""
    oneway = tags.get("oneway")
    if oneway in _FORWARD:
        return 1
    if oneway == "-1":
        return -1
    if oneway in _TWO_WAY:
        return 0
    implied = tags["highway"] == "motorway" or tags.get("junction") in _ONE_WAY_JUNCTIONS
    return 1 if implied else 0


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
