r"""County facility location: which hubs and cold stores open, and who serves each village.

Formulation (single sourcing, one commodity for parcels and ambient produce, a second for
chilled/frozen produce that may only go to cold stores)::

    min  Σ_i F_i y_i + Σ_ij c_ij x_ij + Σ_jk e_jk z_jk + Σ_j P_j u_j
    s.t. Σ_i x_ij = 1                        every village j is served from one facility i
         x_ij ≤ y_i                          only from open facilities
         Σ_j w_j x_ij + Σ_j q_j z_ji ≤ K_i y_i   daily throughput capacity (kg)
         Σ_k z_jk + u_j = 1                  cold produce of j goes to one cold store k, or
                                             stays unserved (u_j, penalty P_j per order)
         Σ_j q_j z_jk ≤ Q_k y_k              cold capacity of cold store k (kg)
         Σ_ij a^r_ijt x_ij ≤ ρ A^r_t y_depot(t)   fleet workload: for each vehicle type t
                                             and measure r (kg, m3, parcels: count ×
                                             max_trips × capacity; time: count × shift)
         x, y, z, u ∈ {0, 1};  y_i = 1 for existing facilities and named destinations

``F_i`` is the candidate's fixed cost plus the fixed cost of one of its vehicles. ``c_ij``
estimates the routing cost of serving village ``j`` from ``i``: for each vehicle that
would call (one for a shared pool, one per carrier otherwise) the line-haul share of a
round trip, ``2 d_ij`` × the vehicle's per-km and driver cost × max(load share, 1 /
stops per trip), plus a local hop to the neighbouring villages and the stop's service
time. Pooling parcels on shared hub vehicles shows up as fewer calls. ``e_jk`` is the same
estimate for a refrigerated vehicle carrying ``j``'s produce to cold store ``k``; only cold
stores within the produce's ``max_transit_min`` are eligible. ``a^r_ijt`` is the load and
vehicle time that serving ``j`` from ``i`` gives vehicle type ``t`` (the vehicles that
would call, as in ``c_ij``); ``ρ`` (:data:`FLEET_UTILISATION`) leaves room for imperfect
packing, so that the routes can carry what the assignment promises.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from logistics.clock import seconds_of_day
from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, SolveStatus
from logistics.scenario import Order, Scenario, SiteKind, SiteStatus, VehicleType
from solvers.fleet import allowed_types
from solvers.mip import LinearModel, MipResult, solve_mip

__all__ = ["LocateParams", "is_cold_flow", "locate", "open_everything"]

#: Villages a vehicle typically calls at per trip (share of a trip's line haul per call).
STOPS_PER_TRIP = 15
#: Neighbouring villages averaged for the local hop estimate.
HOP_NEIGHBOURS = 3
#: Share of a fleet's capacity and shift time that routes can fill (packing is imperfect).
FLEET_UTILISATION = 0.7


@dataclass(frozen=True, slots=True)
class LocateParams:
    """Solve settings of :func:`locate`."""

    time_limit_s: float
    seed: int = 0
    engine: str = "highs"
    relative_gap: float = 1e-6


def run_mip(
    model: LinearModel,
    params: LocateParams,
    *,
    cutoff: float | None = None,
    heuristics: bool = True,
    presolve: bool = True,
) -> MipResult:
    """``model`` solved by :func:`~solvers.mip.solve_mip` with the engine, time limit, seed
    and gap of ``params``; ``cutoff``, ``heuristics`` and ``presolve`` as there."""
    return solve_mip(
        model,
        engine=params.engine,
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        relative_gap=params.relative_gap,
        cutoff=cutoff,
        heuristics=heuristics,
        presolve=presolve,
    )


def open_everything(
    scenario: Scenario, *, cold_assignment: Mapping[str, str] | None = None
) -> LocationPlan:
    """A location plan that decides nothing: every facility open, no village tied to a
    hub (benchmarks, and the question which orders no plan at all could serve)."""
    facilities = [s for s in scenario.sites if s.is_facility]
    return LocationPlan(
        open_facilities=tuple(s.site_id for s in facilities),
        assignment={},
        cold_assignment=dict(cold_assignment or {}),
        status=SolveStatus.FEASIBLE,
        objective=0.0,
        bound=0.0,
        fixed_cost=sum(s.fixed_cost for s in facilities if s.is_candidate),
        runtime_s=0.0,
        engine="none",
    )


def is_cold_flow(order: Order) -> bool:
    """Chilled or frozen produce with no named destination: it goes to a cold store."""
    return order.is_pickup and order.temperature.needs_refrigeration and order.destination is None


def locate(scenario: Scenario, matrix: TravelMatrix, params: LocateParams) -> LocationPlan:
    """Open facilities and assign villages; see the module docstring for the model."""
    t0 = time.perf_counter()
    data = _LocationData(scenario, matrix)
    model, handles = data.build()
    result = run_mip(model, params)
    # Without an incumbent: keep every existing facility, open no candidate.
    solved = result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    plan = data.decode(handles, result.values if solved else None)
    return LocationPlan(
        open_facilities=plan[0],
        assignment=plan[1],
        cold_assignment=plan[2],
        unserved_sites=plan[3],
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        fixed_cost=sum(
            scenario.site(f).fixed_cost for f in plan[0] if scenario.site(f).is_candidate
        ),
        runtime_s=time.perf_counter() - t0,
        engine=result.engine,
        seed=params.seed,
    )


@dataclass(slots=True)
class _Handles:
    y: dict[str, int]
    x: dict[tuple[str, str], int]
    z: dict[tuple[str, str], int]
    u: dict[str, int]


class _LocationData:
    def __init__(self, scenario: Scenario, matrix: TravelMatrix) -> None:
        self.s = scenario
        self.m = matrix
        self.facilities = [x for x in scenario.sites if x.is_facility]
        forced = {o.destination for o in scenario.orders if o.destination is not None}
        self.fixed_open = {
            f.site_id
            for f in self.facilities
            if f.status is SiteStatus.EXISTING or f.site_id in forced
        }
        self.candidates = [f for f in self.facilities if f.site_id not in self.fixed_open]
        self.fleet = tuple(v for v in scenario.fleet if v.count > 0)
        self.types = {v.vehicle_type: v for v in self.fleet}
        self.by_site: dict[str, list[Order]] = defaultdict(list)
        for o in scenario.orders:
            if not scenario.site(o.site_id).is_facility:
                self.by_site[o.site_id].append(o)
        self.hop_m, self.hop_s = self._hops()

    def _d(self, a: str, b: str) -> float:
        return float(self.m.distance_m[self.m.index(a), self.m.index(b)])

    def _t(self, a: str, b: str) -> float:
        return float(self.m.duration_s[self.m.index(a), self.m.index(b)])

    def _hops(self) -> tuple[dict[str, float], dict[str, float]]:
        """Mean distance (m) and time (s) from each village to its nearest neighbours."""
        villages = list(self.by_site)
        if len(villages) < 2:
            return dict.fromkeys(villages, 0.0), dict.fromkeys(villages, 0.0)
        idx = np.array([self.m.index(v) for v in villages])
        k = min(HOP_NEIGHBOURS, len(villages) - 1)
        out = []
        for full in (self.m.distance_m, self.m.duration_s):
            d = full[np.ix_(idx, idx)].copy()
            np.fill_diagonal(d, np.inf)
            near = np.sort(d, axis=1)[:, :k]
            finite = np.isfinite(near)
            hop = np.where(finite, near, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
            out.append({v: float(h) for v, h in zip(villages, hop, strict=True)})
        return out[0], out[1]

    def _call(
        self, depot: str, village: str, vt: VehicleType, weight_kg: float
    ) -> tuple[float, float]:
        """Estimated cost and vehicle time (s) of one call at ``village`` from ``depot``."""
        out_d, back_d = self._d(depot, village), self._d(village, depot)
        out_t, back_t = self._t(depot, village), self._t(village, depot)
        if not all(math.isfinite(x) for x in (out_d, back_d, out_t, back_t)):
            return math.inf, math.inf
        share = max(weight_kg / vt.capacity_kg, 1 / STOPS_PER_TRIP)
        seconds = (
            share * (out_t + back_t) + self.hop_s[village] + self.s.site(village).service_min * 60
        )
        km = share * (out_d + back_d) / 1000 + self.hop_m[village] / 1000
        cost = km * vt.cost_per_km + seconds * self.s.costs.driver_cost_per_hour / 3600
        return cost, seconds

    def _serve(
        self, hub: str, village: str
    ) -> tuple[float, dict[str, tuple[float, float, float, float]]]:
        """Estimated cost of serving ``village``'s non-cold orders when assigned to ``hub``,
        and the work (kg, m3, parcels, seconds) it gives each vehicle type."""
        calls: dict[str, list[Order]] = defaultdict(list)
        served_here = False
        for o in self.by_site[village]:
            if is_cold_flow(o):
                continue
            types = allowed_types(o, self.fleet, hub=hub)
            if not types:
                continue
            best = min(types, key=lambda v: (v.cost_per_km, v.vehicle_type))
            served_here |= best.depot == hub
            calls[best.vehicle_type].append(o)
        if not served_here:
            return math.inf, {}
        total = 0.0
        work: dict[str, tuple[float, float, float, float]] = {}
        for name, orders in calls.items():
            vt = self.types[name]
            kg = sum(o.weight_kg for o in orders)
            m3 = sum(o.volume_m3 for o in orders)
            parcels = sum(o.parcels for o in orders)
            cost, seconds = self._call(vt.depot, village, vt, kg)
            total += cost
            work[name] = (kg, m3, parcels, seconds)
        return total, work

    def build(self) -> tuple[LinearModel, _Handles]:
        model = LinearModel()
        h = _Handles({}, {}, {}, {})
        # Cost estimates assume every facility could be open; y_i decides which are.
        all_open = self.fleet
        for f in self.candidates:
            vehicle_fixed = min(
                (v.fixed_cost for v in self.fleet if v.depot == f.site_id), default=0.0
            )
            h.y[f.site_id] = model.add_var(cost=f.fixed_cost + vehicle_fixed, integer=True)
        load_terms: dict[str, list[tuple[int, float]]] = defaultdict(list)
        cold_terms: dict[str, list[tuple[int, float]]] = defaultdict(list)
        # Per vehicle type, the work each assignment gives it: kg, m3, parcels, seconds.
        work_terms: dict[str, list[list[tuple[int, float]]]] = defaultdict(lambda: [[], [], [], []])
        hubs = [f.site_id for f in self.facilities if any(v.depot == f.site_id for v in all_open)]
        for village, orders in self.by_site.items():
            options = {hub: self._serve(hub, village) for hub in hubs}
            eligible = {hub: o for hub, o in options.items() if math.isfinite(o[0])}
            ambient = [o for o in orders if not is_cold_flow(o)]
            if eligible and ambient:
                row = []
                for hub, (c, work) in eligible.items():
                    var = model.add_var(cost=c, integer=True)
                    h.x[(village, hub)] = var
                    row.append((var, 1.0))
                    for name, amounts in work.items():
                        # Throughput counts at the depot of the vehicles that serve it.
                        load_terms[self.types[name].depot].append((var, amounts[0]))
                        for terms, amount in zip(work_terms[name], amounts, strict=True):
                            terms.append((var, amount))
                    if hub in h.y:
                        model.add_row([(var, 1.0), (h.y[hub], -1.0)], hi=0.0)
                penalty = self.s.costs.unserved_penalty * len(ambient)
                h.u[village] = model.add_var(cost=penalty, integer=True)
                model.add_row([*row, (h.u[village], 1.0)], lo=1.0, hi=1.0)
            self._cold_vars(model, h, village, orders, cold_terms, load_terms)
        for vt in self.fleet:
            y = [(h.y[vt.depot], 1.0)] if vt.depot in h.y else []
            loads = vt.count * vt.max_trips * FLEET_UTILISATION
            parcels = math.inf if vt.capacity_parcels is None else vt.capacity_parcels
            limits = (
                loads * vt.capacity_kg,
                loads * vt.capacity_m3,
                loads * parcels,
                vt.count * self._shift_s(vt) * FLEET_UTILISATION,
            )
            for terms, cap in zip(work_terms[vt.vehicle_type], limits, strict=True):
                if terms and math.isfinite(cap):
                    model.add_row(terms + [(v, -cap) for v, _ in y], hi=0.0 if y else cap)
        for f in self.facilities:
            fid = f.site_id
            y = [(h.y[fid], 1.0)] if fid in h.y else []
            if f.capacity_kg is not None and load_terms[fid]:
                cap = f.capacity_kg
                rhs = 0.0 if y else cap
                model.add_row(load_terms[fid] + [(v, -cap) for v, _ in y], hi=rhs)
            if f.kind is SiteKind.COLD_STORE and f.cold_capacity_kg is not None and cold_terms[fid]:
                cap = f.cold_capacity_kg
                rhs = 0.0 if y else cap
                model.add_row(cold_terms[fid] + [(v, -cap) for v, _ in y], hi=rhs)
        return model, h

    def _cold_vars(
        self,
        model: LinearModel,
        h: _Handles,
        village: str,
        orders: list[Order],
        cold_terms: dict[str, list[tuple[int, float]]],
        load_terms: dict[str, list[tuple[int, float]]],
    ) -> None:
        cold = [o for o in orders if is_cold_flow(o)]
        reefers = [v for v in self.fleet if any(v.can_carry(o) and v.fits(o) for o in cold)]
        if not cold or not reefers:
            return
        q = sum(o.weight_kg for o in cold)
        limit_s = min((o.max_transit_min or math.inf) * 60 for o in cold)
        # The refrigerated pool that collects it, as the router will choose it.
        pool = allowed_types(cold[0], self.fleet, hub=None) or reefers
        cheapest = min(pool, key=lambda v: v.cost_per_km)
        loading_s = self.s.site(village).service_min * 60
        row = []
        for k in self.facilities:
            if k.kind is not SiteKind.COLD_STORE:
                continue
            # max_transit_min runs from the start of loading to arrival at the cold store.
            t = self._t(village, k.site_id)
            if not math.isfinite(t) or loading_s + t > limit_s:
                continue
            share = max(q / cheapest.capacity_kg, 1 / STOPS_PER_TRIP)
            cost = share * self._d(village, k.site_id) / 1000 * cheapest.cost_per_km
            cost += self.hop_m[village] / 1000 * cheapest.cost_per_km
            var = model.add_var(cost=cost, integer=True)
            h.z[(village, k.site_id)] = var
            row.append((var, 1.0))
            cold_terms[k.site_id].append((var, q))
            load_terms[k.site_id].append((var, q))
            if cheapest.depot != k.site_id:
                load_terms[cheapest.depot].append((var, q))
            if k.site_id in h.y:
                model.add_row([(var, 1.0), (h.y[k.site_id], -1.0)], hi=0.0)
        unserved = model.add_var(cost=self.s.costs.unserved_penalty * len(cold), integer=True)
        model.add_row([*row, (unserved, 1.0)], lo=1.0, hi=1.0)

    def _shift_s(self, vt: VehicleType) -> float:
        day = seconds_of_day(self.s.planning.end) - seconds_of_day(self.s.planning.start)
        return min(day, vt.max_shift_min * 60 if vt.max_shift_min is not None else day)

    def decode(
        self, h: _Handles, values: np.ndarray | None
    ) -> tuple[tuple[str, ...], dict[str, str], dict[str, str], tuple[str, ...]]:
        def on(var: int) -> bool:
            return values is not None and values[var] > 0.5

        opened = set(self.fixed_open) | {f for f, var in h.y.items() if on(var)}
        assignment = {v: f for (v, f), var in h.x.items() if on(var)}
        cold = {v: k for (v, k), var in h.z.items() if on(var)}
        unserved = tuple(v for v, var in h.u.items() if on(var))
        order = [f.site_id for f in self.facilities if f.site_id in opened]
        return tuple(order), assignment, cold, unserved
