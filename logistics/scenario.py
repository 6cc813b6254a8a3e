"""The scenario: a county's sites, orders, fleet, roads and settings (DESIGN.md §3).

A :class:`Scenario` is immutable and validated once, when it is built: every record is
checked against the rules of the data contract and all defects are raised together as one
:class:`~logistics.errors.ScenarioError`. Coordinates are always WGS-84; readers convert
GCJ-02 and BD-09 input at load.

Times of day are :class:`datetime.time`; durations keep the units of their contract column
(``service_min``, ``max_transit_min``, ``max_shift_min``).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

__all__ = [
    "FACILITY_KINDS",
    "SHARED",
    "Costs",
    "Crs",
    "Direction",
    "Order",
    "Planning",
    "Road",
    "RoadNode",
    "Scenario",
    "Site",
    "SiteKind",
    "SiteStatus",
    "SolverSettings",
    "Temperature",
    "Terrain",
    "VehicleType",
]

#: The ``carrier`` value of a pooled vehicle that serves every carrier.
SHARED = "shared"


class SiteKind(enum.StrEnum):
    COUNTY_WAREHOUSE = "county_warehouse"
    TOWNSHIP_STATION = "township_station"
    VILLAGE_POINT = "village_point"
    COLD_STORE = "cold_store"


#: Site kinds that can be depots, hubs or destinations (everything but villages).
FACILITY_KINDS = frozenset(
    {SiteKind.COUNTY_WAREHOUSE, SiteKind.TOWNSHIP_STATION, SiteKind.COLD_STORE}
)


class SiteStatus(enum.StrEnum):
    EXISTING = "existing"
    CANDIDATE = "candidate"


class Direction(enum.StrEnum):
    DELIVERY = "delivery"
    PICKUP = "pickup"


class Temperature(enum.StrEnum):
    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"

    @property
    def needs_refrigeration(self) -> bool:
        return self is not Temperature.AMBIENT


class Terrain(enum.StrEnum):
    """Terrain class; sets the detour factor and speed when no road graph is given."""

    MOUNTAIN = "mountain"
    HILLY = "hilly"
    FLAT = "flat"


class Crs(enum.StrEnum):
    """Coordinate reference systems found in Chinese map data."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


@dataclass(frozen=True, slots=True)
class Site:
    """A place in the network: county warehouse, township station, village or cold store.

    ``capacity_kg`` and ``cold_capacity_kg`` are per day; ``None`` means unlimited.
    ``fixed_cost`` is the cost per day of opening a candidate facility. Missing opening
    hours mean the planning day's start and end.
    """

    site_id: str
    name: str
    kind: SiteKind
    lon: float
    lat: float
    township: str = ""
    status: SiteStatus = SiteStatus.EXISTING
    capacity_kg: float | None = None
    cold_capacity_kg: float | None = None
    fixed_cost: float = 0.0
    open_time: dt.time | None = None
    close_time: dt.time | None = None
    service_min: float = 0.0

    @property
    def is_facility(self) -> bool:
        return self.kind in FACILITY_KINDS

    @property
    def is_candidate(self) -> bool:
        return self.status is SiteStatus.CANDIDATE


@dataclass(frozen=True, slots=True)
class Order:
    """Parcels to deliver to, or produce to pick up at, one site for one carrier.

    A pickup goes to ``destination`` when given; otherwise ambient produce goes back to the
    serving vehicle's depot and chilled or frozen produce to the nearest open cold store,
    within ``max_transit_min`` of pickup.
    """

    order_id: str
    site_id: str
    carrier: str
    direction: Direction
    parcels: int
    weight_kg: float
    volume_m3: float
    temperature: Temperature = Temperature.AMBIENT
    ready_time: dt.time | None = None
    due_time: dt.time | None = None
    max_transit_min: float | None = None
    destination: str | None = None

    @property
    def is_pickup(self) -> bool:
        return self.direction is Direction.PICKUP


@dataclass(frozen=True, slots=True)
class VehicleType:
    """``count`` identical vehicles based at ``depot``.

    ``carrier`` is the owning carrier, or :data:`SHARED` for a pool that serves every
    carrier. ``max_trips`` is how many times a vehicle may leave its depot in a day.
    """

    vehicle_type: str
    count: int
    depot: str
    carrier: str
    capacity_kg: float
    capacity_m3: float
    capacity_parcels: int | None = None
    refrigerated: bool = False
    fixed_cost: float = 0.0
    cost_per_km: float = 0.0
    max_shift_min: float | None = None
    max_trips: int = 1

    def can_carry(self, order: Order) -> bool:
        """Whether this vehicle type may carry ``order`` (carrier and temperature)."""
        if self.carrier != SHARED and self.carrier != order.carrier:
            return False
        return self.refrigerated or not order.temperature.needs_refrigeration

    def fits(self, order: Order) -> bool:
        """Whether ``order`` alone fits in one vehicle of this type."""
        return (
            order.weight_kg <= self.capacity_kg
            and order.volume_m3 <= self.capacity_m3
            and (self.capacity_parcels is None or order.parcels <= self.capacity_parcels)
        )


@dataclass(frozen=True, slots=True)
class RoadNode:
    node_id: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Road:
    """A road segment from ``u`` to ``v``; two-way unless ``oneway``."""

    u: str
    v: str
    length_m: float
    road_class: str
    speed_kmh: float
    oneway: bool = False


@dataclass(frozen=True, slots=True)
class Planning:
    """The planning day and its working window."""

    day: dt.date = dt.date(2026, 11, 22)
    start: dt.time = dt.time(7, 0)
    end: dt.time = dt.time(19, 0)


@dataclass(frozen=True, slots=True)
class Costs:
    """Cost rates; ``unserved_penalty`` is per order left unserved."""

    currency: str = "CNY"
    unserved_penalty: float = 300.0
    driver_cost_per_hour: float = 35.0
    co2_kg_per_km: float = 0.27


@dataclass(frozen=True, slots=True)
class SolverSettings:
    """``time_limit_s`` bounds a whole run (location and routing together)."""

    time_limit_s: float = 60.0
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated, immutable county scenario.

    Raises :class:`~logistics.errors.ScenarioError` listing every rule the records break.

    Examples
    --------
    >>> from logistics import Scenario, Site, SiteKind
    >>> wh = Site("W", "warehouse", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4)
    >>> Scenario(name="tiny", sites=(wh,), orders=(), fleet=()).carriers
    ()
    """

    name: str
    sites: tuple[Site, ...]
    orders: tuple[Order, ...]
    fleet: tuple[VehicleType, ...]
    title: str = ""
    terrain: Terrain = Terrain.MOUNTAIN
    planning: Planning = field(default_factory=Planning)
    costs: Costs = field(default_factory=Costs)
    solver: SolverSettings = field(default_factory=SolverSettings)
    road_nodes: tuple[RoadNode, ...] = ()
    roads: tuple[Road, ...] = ()
    _site_index: dict[str, Site] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from logistics.validate import validate_scenario  # validate imports this module

        for name in ("sites", "orders", "fleet", "road_nodes", "roads"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        validate_scenario(self)
        object.__setattr__(self, "_site_index", {s.site_id: s for s in self.sites})

    def site(self, site_id: str) -> Site:
        """The site with id ``site_id`` (``KeyError`` if there is none)."""
        return self._site_index[site_id]

    @property
    def carriers(self) -> tuple[str, ...]:
        """The carriers named by orders and fleet, sorted; ``shared`` is not one."""
        named = {o.carrier for o in self.orders} | {v.carrier for v in self.fleet}
        return tuple(sorted(named - {SHARED}))

    @property
    def has_roads(self) -> bool:
        return bool(self.roads)

    def sites_of_kind(self, kind: SiteKind) -> tuple[Site, ...]:
        return tuple(s for s in self.sites if s.kind is kind)
