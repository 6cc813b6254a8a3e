"""The rules of the data contract (DESIGN.md §3) over typed records.

Readers turn cells into records and report what they cannot parse (missing columns, wrong
types, values outside an enum); every other rule lives here, once, and runs both for
bundles read from files and for scenarios built in code. Rows are spreadsheet rows: the
header is row 1, so the record at index ``i`` of a table is row ``i + 2`` unless a reader
says otherwise through ``locate``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from logistics.errors import Problem, ScenarioError
from logistics.scenario import (
    SHARED,
    Costs,
    Direction,
    Order,
    Planning,
    Road,
    RoadNode,
    Site,
    SiteKind,
    SolverSettings,
    VehicleType,
)

if TYPE_CHECKING:
    from logistics.scenario import Scenario

__all__ = ["CHINA_LAT", "CHINA_LON", "Locate", "find_problems", "validate_scenario"]

#: Bounding box of China (with its islands), degrees WGS-84.
CHINA_LON = (73.0, 135.5)
CHINA_LAT = (3.0, 54.0)

#: ``locate(table, index)`` gives the file label and spreadsheet row of a record.
Locate = Callable[[str, int], tuple[str, int | None]]


def _default_locate(table: str, index: int) -> tuple[str, int | None]:
    return table, index + 2


def validate_scenario(scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` if ``scenario`` breaks any rule."""
    problems = find_problems(
        sites=scenario.sites,
        orders=scenario.orders,
        fleet=scenario.fleet,
        road_nodes=scenario.road_nodes,
        roads=scenario.roads,
        planning=scenario.planning,
        costs=scenario.costs,
        solver=scenario.solver,
    )
    if problems:
        raise ScenarioError(problems)


class _Collector:
    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.problems: list[Problem] = []

    def add(self, table: str, index: int | None, column: str | None, value: Any, rule: str) -> None:
        if index is None:
            file, row = self.locate(table, -1)[0], None
        else:
            file, row = self.locate(table, index)
        shown = "" if value is None else _show(value)
        self.problems.append(Problem(file, row, column, shown, rule))


def _show(value: Any) -> str:
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return str(value.strftime("%H:%M"))
    return str(value)


def find_problems(
    *,
    sites: Sequence[Site],
    orders: Sequence[Order],
    fleet: Sequence[VehicleType],
    road_nodes: Sequence[RoadNode] = (),
    roads: Sequence[Road] = (),
    planning: Planning | None = None,
    costs: Costs | None = None,
    solver: SolverSettings | None = None,
    locate: Locate = _default_locate,
    settings_file: str = "scenario.toml",
) -> list[Problem]:
    """Every rule the records break, in table order.

    ``sites`` etc. may hold only the records that parsed; ``locate`` maps a record's
    index in its sequence to the file and row it came from.
    """
    out = _Collector(locate)
    site_ids = _check_sites(out, sites)
    _check_orders(out, orders, site_ids)
    _check_fleet(out, fleet, site_ids)
    _check_roads(out, road_nodes, roads)
    _check_settings(out, settings_file, planning, costs, solver)
    return out.problems


def _duplicates(out: _Collector, table: str, column: str, ids: Iterable[str]) -> None:
    ids = list(ids)
    counts = Counter(ids)
    seen: set[str] = set()
    for i, key in enumerate(ids):
        if key == "":
            out.add(table, i, column, key, "must not be empty")
        elif counts[key] > 1 and key in seen:
            out.add(table, i, column, key, f"duplicate {column}")
        seen.add(key)


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def _non_negative(out: _Collector, table: str, i: int, column: str, x: float | None) -> None:
    if x is not None and (not _finite(x) or x < 0):
        out.add(table, i, column, x, "must be a finite number ≥ 0")


def _positive(out: _Collector, table: str, i: int, column: str, x: float | None) -> None:
    if x is not None and (not _finite(x) or x <= 0):
        out.add(table, i, column, x, "must be a finite number > 0")


def _in_china(out: _Collector, table: str, i: int, lon: float, lat: float) -> None:
    if not (_finite(lon) and CHINA_LON[0] <= lon <= CHINA_LON[1]):
        out.add(table, i, "lon", lon, "coordinates outside China (lon 73–135.5)")
    if not (_finite(lat) and CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
        out.add(table, i, "lat", lat, "coordinates outside China (lat 3–54)")


def _check_sites(out: _Collector, sites: Sequence[Site]) -> dict[str, Site]:
    _duplicates(out, "sites", "site_id", (s.site_id for s in sites))
    for i, s in enumerate(sites):
        if s.name == "":
            out.add("sites", i, "name", s.name, "must not be empty")
        _in_china(out, "sites", i, s.lon, s.lat)
        for column in ("capacity_kg", "cold_capacity_kg", "fixed_cost", "service_min"):
            _non_negative(out, "sites", i, column, getattr(s, column))
        if s.is_candidate and not s.is_facility:
            out.add("sites", i, "status", s.status, "only facilities can be candidates")
        if s.open_time is not None and s.close_time is not None and s.close_time < s.open_time:
            out.add("sites", i, "close_time", s.close_time, "reversed time window")
    if sites and not any(s.kind is SiteKind.COUNTY_WAREHOUSE for s in sites):
        out.add("sites", None, "kind", None, "a scenario needs at least one county_warehouse")
    return {s.site_id: s for s in sites}


def _check_orders(out: _Collector, orders: Sequence[Order], site_ids: dict[str, Site]) -> None:
    _duplicates(out, "orders", "order_id", (o.order_id for o in orders))
    for i, o in enumerate(orders):
        if o.site_id not in site_ids:
            out.add("orders", i, "site_id", o.site_id, "unknown site")
        if o.carrier == "":
            out.add("orders", i, "carrier", o.carrier, "must not be empty")
        elif o.carrier == SHARED:
            out.add(
                "orders", i, "carrier", o.carrier, "'shared' names a vehicle pool, not a carrier"
            )
        if not isinstance(o.parcels, int) or o.parcels < 0:
            out.add("orders", i, "parcels", o.parcels, "must be a whole number ≥ 0")
        _non_negative(out, "orders", i, "weight_kg", o.weight_kg)
        _non_negative(out, "orders", i, "volume_m3", o.volume_m3)
        _positive(out, "orders", i, "max_transit_min", o.max_transit_min)
        if o.ready_time is not None and o.due_time is not None and o.due_time < o.ready_time:
            out.add("orders", i, "due_time", o.due_time, "reversed time window")
        if o.destination is not None:
            if o.destination not in site_ids:
                out.add("orders", i, "destination", o.destination, "unknown destination site")
            if o.direction is Direction.DELIVERY:
                out.add(
                    "orders", i, "destination", o.destination, "only pickups have a destination"
                )
        if o.max_transit_min is not None and o.direction is Direction.DELIVERY:
            out.add(
                "orders", i, "max_transit_min", o.max_transit_min,
                "max_transit_min limits pickups (pickup to destination) only",
            )  # fmt: skip


def _check_fleet(out: _Collector, fleet: Sequence[VehicleType], site_ids: dict[str, Site]) -> None:
    _duplicates(out, "fleet", "vehicle_type", (v.vehicle_type for v in fleet))
    for i, v in enumerate(fleet):
        depot = site_ids.get(v.depot)
        if depot is None:
            out.add("fleet", i, "depot", v.depot, "unknown depot site")
        elif not depot.is_facility:
            out.add("fleet", i, "depot", v.depot, "a depot must be a facility, not a village")
        if v.carrier == "":
            out.add("fleet", i, "carrier", v.carrier, "must not be empty")
        if not isinstance(v.count, int) or v.count < 0:
            out.add("fleet", i, "count", v.count, "must be a whole number ≥ 0")
        _positive(out, "fleet", i, "capacity_kg", v.capacity_kg)
        _positive(out, "fleet", i, "capacity_m3", v.capacity_m3)
        if v.capacity_parcels is not None and (
            not isinstance(v.capacity_parcels, int) or v.capacity_parcels <= 0
        ):
            out.add(
                "fleet", i, "capacity_parcels", v.capacity_parcels, "must be a whole number > 0"
            )
        _non_negative(out, "fleet", i, "fixed_cost", v.fixed_cost)
        _non_negative(out, "fleet", i, "cost_per_km", v.cost_per_km)
        _positive(out, "fleet", i, "max_shift_min", v.max_shift_min)
        if not isinstance(v.max_trips, int) or v.max_trips < 1:
            out.add("fleet", i, "max_trips", v.max_trips, "must be a whole number ≥ 1")


def _check_roads(out: _Collector, road_nodes: Sequence[RoadNode], roads: Sequence[Road]) -> None:
    _duplicates(out, "road_nodes", "node_id", (n.node_id for n in road_nodes))
    for i, n in enumerate(road_nodes):
        _in_china(out, "road_nodes", i, n.lon, n.lat)
    node_ids = {n.node_id for n in road_nodes}
    for i, r in enumerate(roads):
        for column in ("u", "v"):
            node = getattr(r, column)
            if node not in node_ids:
                out.add("roads", i, column, node, "unknown road node")
        if r.road_class == "":
            out.add("roads", i, "road_class", r.road_class, "must not be empty")
        _positive(out, "roads", i, "length_m", r.length_m)
        _positive(out, "roads", i, "speed_kmh", r.speed_kmh)
    if road_nodes and not roads:
        out.add("roads", None, None, None, "road_nodes are given but no roads")
    if roads and not road_nodes:
        out.add("road_nodes", None, None, None, "roads are given but no road_nodes")


def _check_settings(
    out: _Collector,
    file: str,
    planning: Planning | None,
    costs: Costs | None,
    solver: SolverSettings | None,
) -> None:
    def add(column: str, value: Any, rule: str) -> None:
        out.problems.append(Problem(file, None, column, _show(value), rule))

    if planning is not None and planning.end <= planning.start:
        add("planning.end", planning.end, "reversed time window: end must be after start")
    if costs is not None:
        for name in ("unserved_penalty", "driver_cost_per_hour", "co2_kg_per_km"):
            value = getattr(costs, name)
            if not _finite(value) or value < 0:
                add(f"costs.{name}", value, "must be a finite number ≥ 0")
    if solver is not None:
        if not _finite(solver.time_limit_s) or solver.time_limit_s <= 0:
            add("solver.time_limit_s", solver.time_limit_s, "must be a finite number > 0")
        if not isinstance(solver.seed, int) or solver.seed < 0:
            add("solver.seed", solver.seed, "must be a whole number ≥ 0")
