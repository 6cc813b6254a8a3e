"""Plan types: where facilities open, how vehicles run, and what was left unserved.

Plans are keyed by the scenario's string ids and carry how they were made (status,
objective, bound where known, runtime, engine, seed). Times are seconds since midnight of
the planning day; loads are what is on board after a visit.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from logistics.clock import format_clock

__all__ = [
    "CostBreakdown",
    "LocationPlan",
    "Route",
    "RoutePlan",
    "SolveStatus",
    "StopKind",
    "Unserved",
    "UnservedReason",
    "Visit",
]


class SolveStatus(enum.StrEnum):
    OPTIMAL = "optimal"  # proven optimal (relative gap ≤ 1e-6)
    FEASIBLE = "feasible"  # a plan, not proven optimal
    INFEASIBLE = "infeasible"  # proven to have no plan
    NOT_SOLVED = "not_solved"  # no plan found within the limits


class StopKind(enum.StrEnum):
    START = "start"  # leave the depot, loaded with the trip's deliveries
    DELIVERY = "delivery"  # hand over a delivery order
    PICKUP = "pickup"  # load produce
    DROP = "drop"  # unload produce at its destination (cold store or named site)
    END = "end"  # back at the depot; remaining produce is unloaded there


class UnservedReason(enum.StrEnum):
    UNREACHABLE = "unreachable by road"
    NO_COMPATIBLE_VEHICLE = "no compatible vehicle"
    EXCEEDS_CAPACITY = "exceeds every capacity"
    TIME_WINDOW = "time window unreachable"
    TRANSIT_LIMIT = "no cold store within max_transit_min"
    NO_FACILITY = "no open facility with capacity"  # full, or not worth opening
    FLEET_EXHAUSTED = "fleet exhausted"


@dataclass(frozen=True, slots=True)
class Unserved:
    """An order no route serves, with the reason and a sentence of detail."""

    order_id: str
    reason: UnservedReason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop of a route."""

    site_id: str
    kind: StopKind
    order_id: str | None
    arrival_s: float
    start_s: float
    departure_s: float
    load_kg: float
    load_m3: float
    load_parcels: int


@dataclass(frozen=True, slots=True)
class Route:
    """One trip of one vehicle: starts and ends at the vehicle's depot.

    ``vehicle_id`` is ``"<vehicle_type>#<k>"`` with ``k`` from 1 to the type's count;
    ``trip`` counts from 1. ``geometry`` is the lon/lat polyline along the roads, attached
    by the pipeline (empty when not attached).
    """

    vehicle_id: str
    vehicle_type: str
    trip: int
    visits: tuple[Visit, ...]
    distance_m: float
    geometry: tuple[tuple[float, float], ...] = ()

    @property
    def depot(self) -> str:
        return self.visits[0].site_id

    @property
    def departure_s(self) -> float:
        return self.visits[0].departure_s

    @property
    def return_s(self) -> float:
        return self.visits[-1].arrival_s

    @property
    def duration_s(self) -> float:
        return self.return_s - self.departure_s

    @property
    def order_ids(self) -> tuple[str, ...]:
        return tuple(
            v.order_id
            for v in self.visits
            if v.order_id is not None and v.kind is not StopKind.DROP
        )


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Cost of a plan in the scenario's currency (DESIGN.md §3).

    ``total`` = facilities + vehicles + distance + driver; ``unserved_penalty`` is reported
    beside it, never inside it.
    """

    facilities: float = 0.0
    vehicles: float = 0.0
    distance: float = 0.0
    driver: float = 0.0
    unserved_penalty: float = 0.0

    @property
    def total(self) -> float:
        return self.facilities + self.vehicles + self.distance + self.driver

    def to_dict(self) -> dict[str, float]:
        return {**asdict(self), "total": self.total}


@dataclass(frozen=True, slots=True)
class LocationPlan:
    """Which facilities are open and which facility serves each village.

    ``assignment`` maps a village site to the facility (hub or county warehouse) its orders
    are served from; ``cold_assignment`` maps a village to the cold store its chilled or
    frozen produce goes to; ``unserved_sites`` are villages whose orders the plan leaves
    unserved because the facilities that could serve them are full (or cost more to open
    than the unserved penalty). ``gap`` is relative, ``(objective - bound) / |objective|``.
    """

    open_facilities: tuple[str, ...]
    assignment: Mapping[str, str]
    cold_assignment: Mapping[str, str]
    status: SolveStatus
    objective: float
    bound: float
    fixed_cost: float
    runtime_s: float
    engine: str
    seed: int = 0
    unserved_sites: tuple[str, ...] = ()

    @property
    def gap(self) -> float:
        if not math.isfinite(self.bound) or not math.isfinite(self.objective):
            return math.inf
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per assignment: ``site_id``, ``facility_id``, ``flow`` (ambient | cold)."""
        rows = [(v, f, "ambient") for v, f in sorted(self.assignment.items())]
        rows += [(v, f, "cold") for v, f in sorted(self.cold_assignment.items())]
        return pd.DataFrame(rows, columns=["site_id", "facility_id", "flow"])

    def summary(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "open_facilities": list(self.open_facilities),
            "unserved_sites": list(self.unserved_sites),
            "objective": _finite_or_none(self.objective),
            "bound": _finite_or_none(self.bound),
            "gap": _finite_or_none(self.gap),
            "fixed_cost": self.fixed_cost,
            "runtime_s": self.runtime_s,
            "engine": self.engine,
            "seed": self.seed,
        }


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """Vehicle routes and unserved orders.

    ``cost`` is the plan's own account of its vehicle, distance and driver cost (the
    facilities part is the location plan's); :func:`logistics.check_plan` recomputes it.
    """

    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    status: SolveStatus
    cost: CostBreakdown
    objective: float
    runtime_s: float
    engine: str
    seed: int = 0
    engine_versions: Mapping[str, str] = field(default_factory=dict)

    @property
    def served_order_ids(self) -> frozenset[str]:
        return frozenset(o for r in self.routes for o in r.order_ids)

    @property
    def vehicles_used(self) -> tuple[str, ...]:
        return tuple(sorted({r.vehicle_id for r in self.routes}))

    @property
    def distance_m(self) -> float:
        return sum(r.distance_m for r in self.routes)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per visit, in route order."""
        rows = []
        for r in self.routes:
            for seq, v in enumerate(r.visits):
                rows.append(
                    {
                        "vehicle_id": r.vehicle_id,
                        "vehicle_type": r.vehicle_type,
                        "trip": r.trip,
                        "seq": seq,
                        "site_id": v.site_id,
                        "action": str(v.kind),
                        "order_id": v.order_id or "",
                        "arrival": format_clock(v.arrival_s),
                        "start": format_clock(v.start_s),
                        "departure": format_clock(v.departure_s),
                        # + 0.0 turns a rounded -0.0 into 0.0
                        "load_kg": round(v.load_kg, 3) + 0.0,
                        "load_m3": round(v.load_m3, 4) + 0.0,
                        "load_parcels": v.load_parcels,
                    }
                )
        columns = [
            "vehicle_id", "vehicle_type", "trip", "seq", "site_id", "action", "order_id",
            "arrival", "start", "departure", "load_kg", "load_m3", "load_parcels",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def unserved_dataframe(self) -> pd.DataFrame:
        rows = [(u.order_id, str(u.reason), u.detail) for u in self.unserved]
        return pd.DataFrame(rows, columns=["order_id", "reason", "detail"])

    def to_geojson(self) -> dict[str, Any]:
        """Routes as an RFC 7946 FeatureCollection of LineStrings (lon, lat)."""
        features = []
        for r in self.routes:
            if len(r.geometry) < 2:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [list(p) for p in r.geometry],
                    },
                    "properties": {
                        "vehicle_id": r.vehicle_id,
                        "vehicle_type": r.vehicle_type,
                        "trip": r.trip,
                        "stops": len(r.visits) - 2,
                        "distance_m": round(r.distance_m, 1),
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def summary(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for u in self.unserved:
            reasons[str(u.reason)] = reasons.get(str(u.reason), 0) + 1
        return {
            "status": str(self.status),
            "routes": len(self.routes),
            "vehicles_used": len(self.vehicles_used),
            "distance_km": self.distance_m / 1000,
            "cost": self.cost.to_dict(),
            "unserved": len(self.unserved),
            "unserved_by_reason": reasons,
            "objective": _finite_or_none(self.objective),
            "runtime_s": self.runtime_s,
            "engine": self.engine,
            "seed": self.seed,
            "engine_versions": dict(self.engine_versions),
        }


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None
