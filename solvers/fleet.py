"""Which vehicles may serve which orders: one rule for the location and routing models.

The rules (DESIGN.md §3): vehicles based at a candidate facility exist only if it opens; a
carrier's own vehicles carry only its orders, ``shared`` ones every carrier's; chilled and
frozen goods ride only refrigerated vehicles; an order must fit in one vehicle. A village
assigned to a hub is served from that hub when the hub has a vehicle that may carry the
order. Otherwise the order is served from one depot: the one whose compatible vehicles
cost least per km (ties broken by depot id), so that the location model can count the
order against that depot's capacity and fleet, and the router keeps to it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from logistics.scenario import Order, Scenario, VehicleType

__all__ = ["allowed_types", "open_fleet"]


def open_fleet(scenario: Scenario, open_facilities: Collection[str]) -> tuple[VehicleType, ...]:
    """Vehicle types with at least one vehicle, based at an open facility."""
    return tuple(v for v in scenario.fleet if v.count > 0 and v.depot in open_facilities)


def allowed_types(
    order: Order, fleet: Sequence[VehicleType], *, hub: str | None
) -> tuple[VehicleType, ...]:
    """The vehicle types of ``fleet`` that may serve ``order`` when its site is assigned to
    ``hub`` (``None``: not assigned); all are based at one depot."""
    compatible = [v for v in fleet if v.can_carry(order) and v.fits(order)]
    at_hub = tuple(v for v in compatible if v.depot == hub)
    if at_hub or not compatible:
        return at_hub
    depot = min(compatible, key=lambda v: (v.cost_per_km, v.depot)).depot
    return tuple(v for v in compatible if v.depot == depot)
