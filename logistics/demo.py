"""The built-in demo county: a SYNTHETIC mountain county modelled on Xiushan, Chongqing.

Nothing here is real data. :func:`make_demo_county` puts a county warehouse at a seat near
lon 108.99, lat 28.45, township stations up about six valleys radiating from it, villages
chained up side valleys next to their township, two candidate cold stores, five carriers'
parcels (about 8 per village a day) and produce pickups at about 15 % of the villages
(citrus, kiwi, tea; chilled pork and vegetables). County roads run up the valleys with
cross links between neighbours, township and village roads up the side valleys; link roads
are then added, shortest first, wherever the road distance exceeds 2.5 times the straight
line (a greedy spanner), so road distances run about 1.3–1.8 times the straight line. One
village sits behind a landslide: its road ends at a bend that leads nowhere.

The county is a pure function of its arguments, the same on any machine: it draws only
integers and uniform doubles and combines them with ``+ − × ÷ √`` and :func:`round`, which
IEEE 754 rounds alike everywhere (no ``exp``, ``log`` or trigonometry). Coordinates are
rounded to 6 decimals, lengths to 0.1 m and weights to 0.1 kg, so CSV round trips are exact.
A test checks the shipped bundle against the generator, should numpy's streams ever change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import importlib.resources
import itertools
import math
import os
import pathlib

import numpy as np

from logistics.scenario import (
    SHARED,
    Direction,
    Order,
    Road,
    RoadNode,
    Scenario,
    Site,
    SiteKind,
    SiteStatus,
    SolverSettings,
    Temperature,
    Terrain,
    VehicleType,
)

__all__ = ["demo_bundle_path", "make_demo_county", "write_demo_bundle"]

SEAT_LON, SEAT_LAT = 108.99, 28.45
# Kilometres per degree at the seat's latitude: a flat local frame is exact enough for a
# county and keeps trigonometry (whose last bits differ between platforms) out.
KM_PER_DEG_LON, KM_PER_DEG_LAT = 97.95, 110.83

_CARRIERS = ("ems", "zto", "yto", "yunda", "jt")
# Upper ends of each carrier's slice of [0, 1): shares 30, 20, 18, 16 and 16 %.
_CARRIER_CUTS = (0.30, 0.50, 0.68, 0.84)
_PARCELS_PER_VILLAGE = 8
_VALLEYS = 6
_WINDING = (1.12, 1.28)  # road length over drawn length: curves too small to draw
_LINK_DETOUR = 2.5
_LINK_MAX_KM = 10.0
_SPEED_KMH = {"county": (45, 60), "township": (30, 40), "village": (20, 30)}
_FIRST = "清龙溶官宋峨洪雅石梅兰隘孝涌中里钟海大平桐岑膏妙凉金杨柏青白红高新长黄马凤水"
_SECOND = "溪坝桥口江田坪湾山岩寨沟塘坡林庄洞岭河场"

Point = tuple[float, float]  # (lon, lat), rounded
Vector = tuple[float, float]  # (east, north) in the local frame


def make_demo_county(*, villages: int = 250, townships: int = 25, seed: int = 0) -> Scenario:
    """Generate the synthetic demo county.

    Parameters
    ----------
    villages
        Number of village points (``V001`` …), at least 1.
    townships
        Number of township stations (``T01`` …), at least 1; about a third exist, the
        rest are candidates.
    seed
        Seed of :func:`numpy.random.default_rng`; the same arguments give the same
        scenario on any machine.

    Returns
    -------
    Scenario
        Sites, orders, fleet and a road graph; exactly one village has no road to the rest.

    Examples
    --------
    >>> county = make_demo_county(villages=30, townships=5)
    >>> len(county.sites_of_kind(SiteKind.VILLAGE_POINT)), county.carriers[:2]
    (30, ('ems', 'jt'))
    """
    if villages < 1 or townships < 1:
        raise ValueError("make_demo_county needs at least 1 village and 1 township")
    rng = np.random.default_rng(seed)
    net = _Network(rng)
    # Depot service times are the loading time of a vehicle between trips.
    net.add_site(
        Site("CW", "县电商公共仓", SiteKind.COUNTY_WAREHOUSE, SEAT_LON, SEAT_LAT, service_min=20.0)
    )
    axes = _valley_axes(rng, min(_VALLEYS, townships))
    towns = _add_townships(net, axes, townships)
    _add_cold_stores(net, axes, towns)
    chains = _add_villages(net, towns, villages)
    cut_off = _cut_off_one_village(net, chains)
    _add_link_roads(net, skip=cut_off)
    sites = _in_tier_order(net.sites, seat_township=min(towns, key=_Town.radius_km).site_id)
    orders = _make_orders(rng, [s for s in sites if s.kind is SiteKind.VILLAGE_POINT])
    return Scenario(
        name="xiushan-demo",
        title="Xiushan-like mountain county (synthetic)",
        sites=tuple(sites),
        orders=tuple(orders),
        fleet=tuple(_make_fleet(orders, towns)),
        terrain=Terrain.MOUNTAIN,
        solver=SolverSettings(time_limit_s=45.0, seed=0),
        road_nodes=tuple([RoadNode(s.site_id, s.lon, s.lat) for s in sites] + net.bends),
        roads=tuple(net.roads),
    )


def demo_bundle_path() -> pathlib.Path:
    """The folder of the demo bundle shipped inside the package.

    It holds ``make_demo_county()`` with default arguments as CSV files and
    ``scenario.toml``.

    Examples
    --------
    >>> (demo_bundle_path() / "scenario.toml").is_file()
    True
    """
    return pathlib.Path(str(importlib.resources.files("logistics.data") / "demo"))


def write_demo_bundle(
    folder: str | os.PathLike[str],
    *,
    villages: int = 250,
    townships: int = 25,
    seed: int = 0,
    overwrite: bool = False,
) -> pathlib.Path:
    """Write ``make_demo_county(...)`` to ``folder`` as CSV files and ``scenario.toml``.

    ``overwrite`` allows replacing an existing bundle there. Returns the folder.
    """
    # Imported here so that generating a county needs numpy only, not the table writers.
    from logistics.bundle import save_scenario

    scenario = make_demo_county(villages=villages, townships=townships, seed=seed)
    return save_scenario(scenario, folder, table_format="csv", overwrite=overwrite)


def _to_point(x_km: float, y_km: float) -> Point:
    """Local frame (km east and north of the seat) to rounded lon/lat."""
    return round(SEAT_LON + x_km / KM_PER_DEG_LON, 6), round(SEAT_LAT + y_km / KM_PER_DEG_LAT, 6)


def _to_km(p: Point) -> Vector:
    return (p[0] - SEAT_LON) * KM_PER_DEG_LON, (p[1] - SEAT_LAT) * KM_PER_DEG_LAT


def _distance_km(a: Point, b: Point) -> float:
    dx, dy = (a[0] - b[0]) * KM_PER_DEG_LON, (a[1] - b[1]) * KM_PER_DEG_LAT
    return math.sqrt(dx * dx + dy * dy)


def _unit(x: float, y: float) -> Vector:
    norm = math.sqrt(x * x + y * y)
    return x / norm, y / norm


def _offset(origin: Vector, axis: Vector, along_km: float, across_km: float) -> Point:
    """The point ``along_km`` along ``axis`` from ``origin`` and ``across_km`` to its left."""
    (x, y), (ax, ay) = origin, axis
    return _to_point(x + along_km * ax - across_km * ay, y + along_km * ay + across_km * ax)


def _uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return low + (high - low) * float(rng.random())


@dataclasses.dataclass
class _Town:
    """A township station while the county is built."""

    site_id: str
    name: str
    at: Vector
    axis: Vector
    valley: int
    villages: int = 0

    def radius_km(self) -> float:
        return math.sqrt(self.at[0] * self.at[0] + self.at[1] * self.at[1])


@dataclasses.dataclass
class _Network:
    """Sites and the road graph while the county is built; ``adjacency`` joins sites."""

    rng: np.random.Generator
    sites: list[Site] = dataclasses.field(default_factory=list)
    points: dict[str, Point] = dataclasses.field(default_factory=dict)
    bends: list[RoadNode] = dataclasses.field(default_factory=list)
    bends_made: int = 0
    roads: list[Road] = dataclasses.field(default_factory=list)
    paths: dict[tuple[str, str], list[str]] = dataclasses.field(default_factory=dict)
    adjacency: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)

    def add_site(self, site: Site) -> None:
        self.sites.append(site)
        self.points[site.site_id] = (site.lon, site.lat)
        self.adjacency[site.site_id] = {}

    def add_road(self, u: str, v: str, road_class: str) -> None:
        """Join sites ``u`` and ``v`` by a road that winds through 1–3 bends."""
        rng = self.rng
        speed_kmh = float(rng.integers(_SPEED_KMH[road_class][0], _SPEED_KMH[road_class][1] + 1))
        winding = _uniform(rng, *_WINDING)
        bends = int(rng.integers(1, 4))
        start, end = _to_km(self.points[u]), _to_km(self.points[v])
        chord = (end[0] - start[0], end[1] - start[1])
        side = 1.0 if rng.random() < 0.5 else -1.0
        path = [u]
        for i in range(bends):
            t = (i + 1 + _uniform(rng, -0.25, 0.25)) / (bends + 1)
            across = side * _uniform(rng, 0.05, 0.16)  # a fraction of the chord
            side = -side
            self.bends_made += 1
            node_id = f"B{self.bends_made:05d}"
            self.points[node_id] = _offset(start, chord, t, across)
            self.bends.append(RoadNode(node_id, *self.points[node_id]))
            path.append(node_id)
        path.append(v)
        total_m = 0.0
        for a, b in itertools.pairwise(path):
            length_m = round(1000.0 * _distance_km(self.points[a], self.points[b]) * winding, 1)
            self.roads.append(Road(a, b, length_m, road_class, speed_kmh))
            total_m += length_m
        self.paths[u, v] = path
        self.adjacency[u][v] = self.adjacency[v][u] = total_m


def _valley_axes(rng: np.random.Generator, n: int) -> list[Vector]:
    """Unit vectors of ``n`` valleys spread round the seat, each with a random twist."""
    while True:  # a random rotation (cos, sin), drawn without trigonometric functions
        cx, sx = _uniform(rng, -1.0, 1.0), _uniform(rng, -1.0, 1.0)
        if 0.04 < cx * cx + sx * sx <= 1.0:
            break
    c, s = _unit(cx, sx)
    h = math.sqrt(3.0) / 2.0
    sixths = [(1.0, 0.0), (0.5, h), (-0.5, h), (-1.0, 0.0), (-0.5, -h), (0.5, -h)]
    axes = []
    for k in range(n):
        bx, by = sixths[k * _VALLEYS // n]
        ax, ay = c * bx - s * by, s * bx + c * by
        twist = _uniform(rng, -0.15, 0.15)
        axes.append(_unit(ax - twist * ay, ay + twist * ax))
    return axes


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` two-character place names, distinct until the pool runs out."""
    pool = [a + b for a in _FIRST for b in _SECOND]
    order = rng.permutation(len(pool))
    return [pool[order[i % len(pool)]] + (str(i // len(pool) + 1) if i >= len(pool) else "")
            for i in range(n)]  # fmt: skip


def _add_townships(net: _Network, axes: list[Vector], townships: int) -> list[_Town]:
    """Township stations up the valleys, joined to the seat by county roads."""
    rng = net.rng
    names = [n + ("乡" if rng.random() < 0.25 else "镇") for n in _place_names(rng, townships)]
    existing = set(rng.choice(townships, size=(townships + 1) // 3, replace=False).tolist())
    width = max(2, len(str(townships)))
    towns: list[_Town] = []
    for valley, axis in enumerate(axes):
        count = townships // len(axes) + (valley < townships % len(axes))
        on_road = ["CW"]
        for j in range(count):
            i = len(towns)
            radius = 5.0 + 17.0 * (j + _uniform(rng, 0.15, 0.85)) / count
            point = _offset((0.0, 0.0), axis, radius, _uniform(rng, -2.0, 2.0))
            site_id = f"T{i + 1:0{width}d}"
            status = SiteStatus.EXISTING if i in existing else SiteStatus.CANDIDATE
            fixed_cost = float(rng.integers(60, 151)) if i not in existing else 0.0
            net.add_site(
                Site(site_id, f"{names[i]}服务站", SiteKind.TOWNSHIP_STATION, *point,
                     township=site_id, status=status, fixed_cost=fixed_cost,
                     capacity_kg=float(10 * rng.integers(60, 151)), service_min=10.0)
            )  # fmt: skip
            # The county road follows the valley: on from the nearest place already on it.
            parent = min(on_road, key=lambda s: _distance_km(net.points[s], point))
            net.add_road(parent, site_id, "county")
            on_road.append(site_id)
            towns.append(_Town(site_id, names[i], _to_km(point), axis, valley))
    outer = [(t.valley, t.site_id) for t in towns if t.radius_km() >= 9.0]
    for k in range(len(axes) if len(axes) >= 3 else 0):
        # A cross link where two neighbouring valleys' outer townships come closest.
        pairs = [(_distance_km(net.points[a], net.points[b]), a, b) for i, a in outer if i == k
                 for j, b in outer if j == (k + 1) % len(axes)]  # fmt: skip
        if pairs:
            net.add_road(*min(pairs)[1:], "county")
    return towns


def _add_cold_stores(net: _Network, axes: list[Vector], towns: list[_Town]) -> None:
    """Two candidate cold stores 10–20 km out, on a township road from the nearest town."""
    rng = net.rng
    for n, valley in enumerate(rng.choice(len(axes), size=2, replace=len(axes) < 2), start=1):
        point = _offset((0.0, 0.0), axes[valley], _uniform(rng, 10, 20), _uniform(rng, -2.5, 2.5))
        town = min(towns, key=lambda t: _distance_km(net.points[t.site_id], point))
        net.add_site(
            Site(f"CS{n}", f"{town.name}产地冷库", SiteKind.COLD_STORE, *point,
                 township=town.site_id, status=SiteStatus.CANDIDATE,
                 capacity_kg=float(100 * rng.integers(25, 36)),
                 cold_capacity_kg=float(100 * rng.integers(25, 36)),
                 fixed_cost=float(rng.integers(260, 341)), service_min=10.0)
        )  # fmt: skip
        net.add_road(town.site_id, f"CS{n}", "township")


def _add_villages(net: _Network, towns: list[_Town], villages: int) -> list[list[str]]:
    """Villages chained up 1–3 side valleys per township; returns the chains."""
    rng = net.rng
    for town in towns[:villages]:  # every township gets a village while they last
        town.villages = 1
    weights = [_uniform(rng, 0.5, 1.5) for _ in towns]
    cuts = list(itertools.accumulate(weights))
    for _ in range(villages - min(villages, len(towns))):
        u = cuts[-1] * float(rng.random())
        towns[min(sum(c <= u for c in cuts), len(towns) - 1)].villages += 1
    names = _place_names(rng, villages)
    width = max(3, len(str(villages)))
    chains: list[list[str]] = []
    for town in towns:
        n_side = min(3, (town.villages + 3) // 4)
        side = 1.0 if rng.random() < 0.5 else -1.0
        ax, ay = town.axis
        for k in range(n_side):
            lean = _uniform(rng, 0.2, 1.0)
            if k < 2:  # side valleys leave the main valley on either side, leaning outward
                axis = _unit(lean * ax - side * ay, lean * ay + side * ax)
                side = -side
            else:  # a third runs on up the main valley
                axis = _unit(ax - 0.3 * lean * ay, ay + 0.3 * lean * ax)
            chain, along = [town.site_id], 0.0
            for _ in range(town.villages // n_side + (k < town.villages % n_side)):
                along += _uniform(rng, 0.8, 2.2)
                point = _offset(town.at, axis, along, _uniform(rng, -0.35, 0.35))
                number = len(net.sites) - len(towns) - 2  # CW, CS1, CS2 came first
                site_id = f"V{number:0{width}d}"
                u = float(rng.random())  # most open all day, a few mornings or afternoons
                hours = (8, 18) if u < 0.9 else (9, 12) if u < 0.95 else (14, 17)
                net.add_site(
                    Site(site_id, f"{names[number - 1]}村", SiteKind.VILLAGE_POINT, *point,
                         township=town.site_id, open_time=dt.time(hours[0]),
                         close_time=dt.time(hours[1]), service_min=float(rng.integers(4, 9)))
                )  # fmt: skip
                net.add_road(chain[-1], site_id, "township" if len(chain) == 1 else "village")
                chain.append(site_id)
            chains.append(chain)
    return chains


def _cut_off_one_village(net: _Network, chains: list[list[str]]) -> str:
    """Close the road to the head of one side valley, all but its last bend (a landslide)."""
    rng = net.rng
    candidates = [c for c in chains if len(c) >= 3] or [c for c in chains if len(c) >= 2]
    chain = candidates[int(rng.integers(len(candidates)))]
    path = net.paths[chain[-2], chain[-1]]
    closed = set(itertools.pairwise(path[:-1]))
    net.roads = [r for r in net.roads if (r.u, r.v) not in closed]
    lost = set(path[1:-2])
    net.bends = [n for n in net.bends if n.node_id not in lost]
    del net.adjacency[chain[-2]][chain[-1]], net.adjacency[chain[-1]][chain[-2]]
    return chain[-1]


def _add_link_roads(net: _Network, *, skip: str) -> None:
    """Link roads, shortest first, between sites that the roads so far join too circuitously.

    A greedy spanner: two sites less than ``_LINK_MAX_KM`` apart get a road of their own
    when their road distance exceeds ``_LINK_DETOUR`` times the straight line. ``skip``,
    the cut-off village, gets none.
    """
    ids = [s.site_id for s in net.sites if s.site_id != skip]
    kinds = {s.site_id: s.kind for s in net.sites}
    pairs = [(_distance_km(net.points[a], net.points[b]), a, b)
             for i, a in enumerate(ids) for b in ids[i + 1 :]]  # fmt: skip
    for d_km, a, b in sorted(p for p in pairs if p[0] < _LINK_MAX_KM):
        if not _is_within(net.adjacency, a, b, limit_m=1000.0 * _LINK_DETOUR * d_km):
            both_villages = kinds[a] is kinds[b] is SiteKind.VILLAGE_POINT
            net.add_road(a, b, "village" if both_villages else "township")


def _is_within(
    adjacency: dict[str, dict[str, float]], source: str, target: str, *, limit_m: float
) -> bool:
    """Whether the road distance from ``source`` to ``target`` is at most ``limit_m``."""
    best = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if node == target:
            return True
        if d > best[node]:
            continue
        for nxt, length_m in adjacency[node].items():
            nd = d + length_m
            if nd <= limit_m and nd < best.get(nxt, math.inf):
                best[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return False


def _in_tier_order(sites: list[Site], *, seat_township: str) -> list[Site]:
    """County warehouse (put in the township nearest the seat), cold stores, towns, villages."""
    tiers = [SiteKind.COUNTY_WAREHOUSE, SiteKind.COLD_STORE, SiteKind.TOWNSHIP_STATION]
    ordered = sorted(sites, key=lambda s: tiers.index(s.kind) if s.kind in tiers else len(tiers))
    return [dataclasses.replace(ordered[0], township=seat_township), *ordered[1:]]


def _carrier(u: float) -> str:
    return _CARRIERS[sum(u >= cut for cut in _CARRIER_CUTS)]


def _make_orders(rng: np.random.Generator, villages: list[Site]) -> list[Order]:
    """Each carrier's parcels per village, then produce pickups at about 15 % of them."""
    # A product of uniform factors is close to lognormal (sigma about 0.85, mean 1).
    volume = [math.prod(0.4 + 1.2 * float(u) for u in rng.random(5)) for _ in villages]
    scale = _PARCELS_PER_VILLAGE * len(villages) / math.fsum(volume)
    main_carrier: dict[str, str] = {}
    orders = []
    for village, v in zip(villages, volume, strict=True):
        parcels = max(1, round(scale * v))
        main = main_carrier[village.site_id] = _carrier(float(rng.random()))
        # Half the parcels go to the village's main carrier, the rest by overall share.
        counts = dict.fromkeys(_CARRIERS, 0)
        for to_main, u in zip(rng.random(parcels) < 0.5, rng.random(parcels), strict=True):
            counts[main if to_main else _carrier(float(u))] += 1
        for carrier, n in counts.items():
            if n:
                orders.append(
                    Order(f"D-{village.site_id}-{carrier}", village.site_id, carrier,
                          Direction.DELIVERY, n, weight_kg=round(n * _uniform(rng, 0.8, 2.5), 1),
                          volume_m3=round(n * _uniform(rng, 0.008, 0.012), 3))
                )  # fmt: skip
    n_pickups = (15 * len(villages) + 50) // 100
    chosen = sorted(rng.choice(len(villages), size=n_pickups, replace=False).tolist())
    chilled = set(rng.choice(chosen, size=(n_pickups + 1) // 3, replace=False).tolist())
    for i in chosen:
        site_id = villages[i].site_id
        carrier = "ems" if rng.random() < 0.5 else main_carrier[site_id]
        cold = i in chilled
        weight_kg = round(_uniform(rng, 40.0, 200.0) if cold else _uniform(rng, 50.0, 300.0), 1)
        orders.append(
            Order(f"P-{site_id}-{carrier}", site_id, carrier, Direction.PICKUP,
                  parcels=math.ceil(weight_kg / 15.0),  # crates of about 15 kg
                  weight_kg=weight_kg, volume_m3=round(weight_kg * 0.004, 3),
                  temperature=Temperature.CHILLED if cold else Temperature.AMBIENT,
                  max_transit_min=float(10 * rng.integers(15, 25)) if cold else None)
        )  # fmt: skip
    return orders


def _make_fleet(orders: list[Order], towns: list[_Town]) -> list[VehicleType]:
    """Carriers' vans and shared refrigerated trucks at the warehouse; a minivan per town."""
    fleet = []
    for carrier in _CARRIERS:
        parcels = sum(o.parcels for o in orders if o.carrier == carrier and not o.is_pickup)
        fleet.append(
            VehicleType(f"{carrier}-van", min(4, max(2, -(-parcels // 180))), "CW", carrier,
                        capacity_kg=800.0, capacity_m3=6.0, capacity_parcels=350,
                        fixed_cost=120.0, cost_per_km=1.1, max_shift_min=600.0, max_trips=2)
        )  # fmt: skip
    fleet.append(
        VehicleType("reefer", 3, "CW", SHARED, capacity_kg=1500.0, capacity_m3=10.0,
                    refrigerated=True, fixed_cost=200.0, cost_per_km=1.8, max_shift_min=600.0,
                    max_trips=2)
    )  # fmt: skip
    for town in towns:
        fleet.append(
            VehicleType(f"{town.site_id}-minivan", 1, town.site_id, SHARED, capacity_kg=500.0,
                        capacity_m3=4.0, capacity_parcels=200, fixed_cost=60.0,
                        cost_per_km=0.7, max_shift_min=540.0, max_trips=2)
        )  # fmt: skip
    return fleet
