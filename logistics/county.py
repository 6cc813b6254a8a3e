"""A county's plan as a whole: location, routes, the checker's report and the KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logistics.checker import CheckReport
from logistics.plans import CostBreakdown, LocationPlan, RoutePlan
from logistics.scenario import Direction, Scenario

__all__ = ["CountyPlan", "Kpis"]


@dataclass(frozen=True, slots=True)
class Kpis:
    """Headline figures of a plan; costs are the checker's recomputation."""

    currency: str
    cost: CostBreakdown
    distance_km: float
    vehicles_used: int
    trips: int
    parcels_delivered: int
    parcels_to_deliver: int
    produce_picked_kg: float
    produce_to_pick_kg: float
    orders_served: int
    orders_unserved: int
    co2_kg: float
    facilities_opened: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total_cost": round(self.cost.total, 2),
            "cost": {k: round(v, 2) for k, v in self.cost.to_dict().items()},
            "distance_km": round(self.distance_km, 3),
            "vehicles_used": self.vehicles_used,
            "trips": self.trips,
            "parcels_delivered": self.parcels_delivered,
            "parcels_to_deliver": self.parcels_to_deliver,
            "produce_picked_kg": round(self.produce_picked_kg, 1),
            "produce_to_pick_kg": round(self.produce_to_pick_kg, 1),
            "orders_served": self.orders_served,
            "orders_unserved": self.orders_unserved,
            "co2_kg": round(self.co2_kg, 1),
            "facilities_opened": list(self.facilities_opened),
        }


@dataclass(frozen=True, slots=True)
class CountyPlan:
    """Everything :func:`solvers.plan_county` decided about one county, checked."""

    scenario: Scenario
    location: LocationPlan
    routes: RoutePlan
    check: CheckReport
    runtime_s: float
    seed: int

    def kpis(self) -> Kpis:
        s = self.scenario
        orders = {o.order_id: o for o in s.orders}
        served = self.routes.served_order_ids
        delivered = [orders[o] for o in served if orders[o].direction is Direction.DELIVERY]
        picked = [orders[o] for o in served if orders[o].direction is Direction.PICKUP]
        distance_km = self.routes.distance_m / 1000
        opened = tuple(f for f in self.location.open_facilities if s.site(f).is_candidate)
        return Kpis(
            currency=s.costs.currency,
            cost=self.check.cost,
            distance_km=distance_km,
            vehicles_used=len(self.routes.vehicles_used),
            trips=len(self.routes.routes),
            parcels_delivered=sum(o.parcels for o in delivered),
            parcels_to_deliver=sum(o.parcels for o in s.orders if not o.is_pickup),
            produce_picked_kg=sum(o.weight_kg for o in picked),
            produce_to_pick_kg=sum(o.weight_kg for o in s.orders if o.is_pickup),
            orders_served=len(served),
            orders_unserved=len(self.routes.unserved),
            co2_kg=distance_km * s.costs.co2_kg_per_km,
            facilities_opened=opened,
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-ready account of the plan: KPIs, unserved orders, solvers, check."""
        return {
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "day": self.scenario.planning.day.isoformat(),
            "kpis": self.kpis().to_dict(),
            "unserved": [
                {"order_id": u.order_id, "reason": str(u.reason), "detail": u.detail}
                for u in self.routes.unserved
            ],
            "location": self.location.summary(),
            "routing": self.routes.summary(),
            "check": self.check.summary(),
            "runtime_s": round(self.runtime_s, 3),
            "seed": self.seed,
        }

    def to_geojson(self) -> dict[str, Any]:
        """Sites (Points) and routes (LineStrings) as one RFC 7946 FeatureCollection."""
        s = self.scenario
        open_ = set(self.location.open_facilities)
        serving = dict(self.location.assignment)
        unserved_at: dict[str, int] = {}
        orders = {o.order_id: o for o in s.orders}
        for u in self.routes.unserved:
            at = orders[u.order_id].site_id
            unserved_at[at] = unserved_at.get(at, 0) + 1
        features: list[dict[str, Any]] = []
        for site in s.sites:
            props: dict[str, Any] = {
                "site_id": site.site_id,
                "name": site.name,
                "kind": str(site.kind),
                "township": site.township,
            }
            if site.is_facility:
                props["status"] = str(site.status)
                props["open"] = site.site_id in open_
            else:
                props["served_from"] = serving.get(site.site_id, "")
                props["unserved_orders"] = unserved_at.get(site.site_id, 0)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                    "properties": props,
                }
            )
        features.extend(self.routes.to_geojson()["features"])
        return {"type": "FeatureCollection", "features": features}
