"""The facility location MIP (:mod:`solvers.location`) against brute force and by hand.

The brute force takes the model's cost coefficients (``F_i``, ``c_ij``, ``e_jk``, read
from the built :class:`~solvers.mip.LinearModel` through its handles) but nothing else: it
works out from the scenario alone which assignments are allowed, what loads they put on
each facility, and which facilities must open, then enumerates every set of open
candidates and every single-source assignment.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from _fixtures import (
    PENALTY,
    county,
    delivery,
    facility,
    km_matrix,
    line_matrix,
    pickup,
    vehicle,
    village,
)

from logistics.matrix import TravelMatrix
from logistics.plans import LocationPlan, SolveStatus
from logistics.scenario import Order, Scenario, Site, SiteKind, SiteStatus, Temperature
from solvers.location import FLEET_UTILISATION, LocateParams, _LocationData, is_cold_flow, locate

CHILLED = Temperature.CHILLED
CANDIDATE = SiteStatus.CANDIDATE
TOWNSHIP, COLD_STORE = SiteKind.TOWNSHIP_STATION, SiteKind.COLD_STORE


def solve(scenario: Scenario, matrix: TravelMatrix, engine: str = "highs") -> LocationPlan:
    """``locate`` with a short limit; every instance here is proven optimal at once."""
    plan = locate(scenario, matrix, LocateParams(time_limit_s=3, engine=engine))
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.gap <= 1e-6
    return plan


# --- the brute force ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Costs:
    """The model's cost coefficients, by facility and (village, facility)."""

    fixed: dict[str, float]  # F_i of each candidate
    serve: dict[tuple[str, str], float]  # c_ij: village j's orders served from i
    cold: dict[tuple[str, str], float]  # e_jk: village j's cold produce to cold store k


def model_costs(scenario: Scenario, matrix: TravelMatrix) -> Costs:
    data = _LocationData(scenario, matrix)
    model, h = data.build()
    return Costs(
        fixed={f: model.cost[var] for f, var in h.y.items()},
        serve={key: model.cost[var] for key, var in h.x.items()},
        cold={key: model.cost[var] for key, var in h.z.items()},
    )


def orders_at(scenario: Scenario, site_id: str) -> list[Order]:
    return [o for o in scenario.orders if o.site_id == site_id]


def ambient_kg(scenario: Scenario, site_id: str) -> float:
    return sum(o.weight_kg for o in orders_at(scenario, site_id) if not is_cold_flow(o))


def cold_kg(scenario: Scenario, site_id: str) -> float:
    return sum(o.weight_kg for o in orders_at(scenario, site_id) if is_cold_flow(o))


def hubs(scenario: Scenario) -> list[str]:
    """Facilities with a vehicle: the ones that can serve villages."""
    return [s.site_id for s in scenario.sites if any(v.depot == s.site_id for v in scenario.fleet)]


def villages_with(scenario: Scenario, *, cold: bool) -> list[str]:
    return [
        s.site_id
        for s in scenario.sites
        if s.kind is SiteKind.VILLAGE_POINT
        and any(is_cold_flow(o) == cold for o in orders_at(scenario, s.site_id))
    ]


def stores_within_limit(scenario: Scenario, matrix: TravelMatrix, village_id: str) -> list[str]:
    """Cold stores within every cold order's ``max_transit_min`` of ``village_id``, counted
    from the start of loading (the village's service time) to arrival."""
    limit_s = min(
        (o.max_transit_min or math.inf) * 60
        for o in orders_at(scenario, village_id)
        if is_cold_flow(o)
    )
    limit_s -= scenario.site(village_id).service_min * 60
    i = matrix.index(village_id)
    return [
        s.site_id
        for s in scenario.sites
        if s.kind is COLD_STORE and matrix.duration_s[i, matrix.index(s.site_id)] <= limit_s
    ]


def powerset(items: list[str]) -> Iterator[tuple[str, ...]]:
    return itertools.chain.from_iterable(
        itertools.combinations(items, k) for k in range(len(items) + 1)
    )


@dataclass(frozen=True, slots=True)
class Choices:
    """Every combination of one option per village: its cost, and per facility the kg it
    puts there and whether it uses it at all."""

    cost: npt.NDArray[np.float64]
    load_kg: dict[str, npt.NDArray[np.float64]]
    uses: dict[str, npt.NDArray[np.bool_]]


def enumerate_choices(
    villages: list[str],
    options: list[list[str | None]],
    cost: Callable[[str, str | None], float],
    weight_kg: Callable[[str], float],
    facilities: list[str],
) -> Choices:
    """All combinations of one of ``options[j]`` (facility ids; ``None`` = unserved) for
    each of ``villages[j]``, one row each."""
    grid = np.stack(
        np.meshgrid(*[np.arange(len(o)) for o in options], indexing="ij"), axis=-1
    ).reshape(-1, len(options))
    out = Choices(
        np.zeros(len(grid)),
        {f: np.zeros(len(grid)) for f in facilities},
        {f: np.zeros(len(grid), dtype=bool) for f in facilities},
    )
    for j, (v, opts) in enumerate(zip(villages, options, strict=True)):
        column = grid[:, j]
        out.cost[:] += np.array([cost(v, f) for f in opts])[column]
        for o, f in enumerate(opts):
            if f is not None:
                out.load_kg[f][:] += (column == o) * weight_kg(v)
                out.uses[f][:] |= column == o
    return out


def cold_penalty(scenario: Scenario, village_id: str) -> float:
    """``P_j``: the penalty of leaving a village's cold produce unserved."""
    return PENALTY * sum(is_cold_flow(o) for o in orders_at(scenario, village_id))


def ambient_penalty(scenario: Scenario, village_id: str) -> float:
    """The penalty of leaving a village's other orders unserved (no facility for them)."""
    return PENALTY * sum(not is_cold_flow(o) for o in orders_at(scenario, village_id))


def brute_force_optimum(scenario: Scenario, matrix: TravelMatrix, costs: Costs) -> float:
    """Least cost over every set of open candidates and every single-source assignment.

    Each village with ambient work picks one hub or leaves that work unserved (its
    penalty); each village with cold produce picks one cold store within its transit
    limit or leaves the produce unserved (``P_j``).
    Assignments are enumerated once, ambient × cold; each open set then keeps those that
    use open facilities only and fit every ``capacity_kg`` (ambient and cold kg) and
    ``cold_capacity_kg`` (cold kg).
    """
    facilities = [s for s in scenario.sites if s.is_facility]
    ids = [f.site_id for f in facilities]
    candidates = [f.site_id for f in facilities if f.status is CANDIDATE]

    def serve(v: str, f: str | None) -> float:
        return ambient_penalty(scenario, v) if f is None else costs.serve[v, f]

    def store(v: str, k: str | None) -> float:
        return cold_penalty(scenario, v) if k is None else costs.cold[v, k]

    warm = villages_with(scenario, cold=False)
    w = enumerate_choices(
        warm,
        [[*hubs(scenario), None] for _ in warm],
        serve,
        lambda v: ambient_kg(scenario, v),
        ids,
    )
    cold = villages_with(scenario, cold=True)
    c = enumerate_choices(
        cold,
        [[*stores_within_limit(scenario, matrix, v), None] for v in cold],
        store,
        lambda v: cold_kg(scenario, v),
        ids,
    )
    best = math.inf
    for opened in powerset(candidates):
        ok = np.ones((len(w.cost), len(c.cost)), dtype=bool)
        for closed in set(candidates) - set(opened):
            ok &= ~w.uses[closed][:, None] & ~c.uses[closed][None, :]
        for f in facilities:
            if f.capacity_kg is not None:
                kg = w.load_kg[f.site_id][:, None] + c.load_kg[f.site_id][None, :]
                ok &= kg <= f.capacity_kg + 1e-9
            if f.cold_capacity_kg is not None:
                ok &= (c.load_kg[f.site_id] <= f.cold_capacity_kg + 1e-9)[None, :]
        if ok.any():
            total = w.cost[:, None] + c.cost[None, :] + sum(costs.fixed[f] for f in opened)
            best = min(best, float(total[ok].min()))
    return best


def plan_cost(scenario: Scenario, plan: LocationPlan, costs: Costs) -> float:
    """The model's objective for a decoded plan."""
    fixed = sum(costs.fixed.get(f, 0.0) for f in plan.open_facilities)
    serve = sum(costs.serve[v, f] for v, f in plan.assignment.items())
    cold = sum(costs.cold[v, k] for v, k in plan.cold_assignment.items())
    unserved = sum(
        cold_penalty(scenario, v)
        for v in villages_with(scenario, cold=True)
        if v not in plan.cold_assignment
    )
    unserved += sum(ambient_penalty(scenario, v) for v in plan.unserved_sites)
    return fixed + serve + cold + unserved


# --- instances ------------------------------------------------------------------------


def random_county(seed: int, *, villages: int = 8) -> tuple[Scenario, TravelMatrix]:
    """A random county for the brute-force comparison: 5 candidates, ``villages`` villages.

    County warehouse ``W`` at the origin (a shared van and a shared reefer), candidate
    townships ``T1``–``T3`` (a minivan each; some with ``capacity_kg``), candidate cold
    stores ``C1``, ``C2`` (``cold_capacity_kg`` 60–120, and ``C2`` with a ``capacity_kg``
    so that both capacity rows count cold produce). Every village has a delivery, some an
    ambient pickup, three a chilled pickup with a 15–25 min transit limit. Roads are
    Manhattan distances in whole km on a 40 km square. The fleets are large, so that their
    workload rows in the model never bind (the brute force does not model them;
    :func:`assert_fleet_limits_slack` checks the kg part).
    """
    rng = np.random.default_rng(seed)
    ids = ["W", "T1", "T2", "T3", "C1", "C2"] + [f"V{k}" for k in range(1, villages + 1)]
    xy = {"W": (0, 0)} | {s: tuple(rng.integers(0, 41, size=2)) for s in ids[1:]}
    km = [[abs(xy[a][0] - xy[b][0]) + abs(xy[a][1] - xy[b][1]) for b in ids] for a in ids]

    def kg(lo: int, hi: int) -> float:
        return float(rng.integers(lo, hi + 1))

    sites: list[Site] = [facility("W")]
    for t in ("T1", "T2", "T3"):
        cap = [None, 100.0, 180.0][int(rng.integers(0, 3))]
        sites.append(
            facility(t, TOWNSHIP, status=CANDIDATE, fixed_cost=kg(10, 60), capacity_kg=cap)
        )
    sites.append(
        facility("C1", COLD_STORE, status=CANDIDATE, fixed_cost=kg(20, 80), cold_capacity_kg=60.0)
    )
    c2_caps = {"capacity_kg": 100.0, "cold_capacity_kg": 120.0}
    sites.append(facility("C2", COLD_STORE, status=CANDIDATE, fixed_cost=kg(20, 80), **c2_caps))
    sites += [village(v, service_min=5) for v in ids[6:]]
    orders: list[Order] = []
    chilled = set(rng.choice(ids[6:], size=3, replace=False))
    for v in ids[6:]:
        orders.append(delivery(f"D-{v}", v, kg(10, 60)))
        if rng.random() < 0.4:
            orders.append(pickup(f"P-{v}", v, kg(10, 40)))
        if v in chilled:
            limit = float(rng.integers(15, 26))
            orders.append(
                pickup(f"K-{v}", v, kg(20, 50), temperature=CHILLED, max_transit_min=limit)
            )
    fleet = [
        vehicle("van", count=5, capacity_kg=2000, cost_per_km=1.5, max_trips=2),
        vehicle("reefer", count=3, capacity_kg=2000, refrigerated=True, cost_per_km=2.0),
    ]
    fleet += [
        vehicle(f"{t}-minivan", t, count=3, capacity_kg=1000, fixed_cost=30, cost_per_km=0.8)
        for t in ("T1", "T2", "T3")
    ]
    return county(sites, orders, fleet), km_matrix(ids, km)


def assert_fleet_limits_slack(scenario: Scenario) -> None:
    """Every vehicle type could carry all the county's kg: its workload row never binds."""
    total = sum(o.weight_kg for o in scenario.orders)
    for v in scenario.fleet:
        assert v.count * v.max_trips * FLEET_UTILISATION * v.capacity_kg > total


def hub_county(
    *, hub_fixed_cost: float = 10.0, hub_capacity_kg: float | None = None
) -> tuple[Scenario, TravelMatrix]:
    """Three villages 1–3 km past candidate hub ``H``, 20 km up the road from ``W``.

    Serving a village from ``H`` saves about 7 a day over ``W``, so ``H`` (fixed cost 10)
    opens and takes all three, unless its fixed cost is prohibitive or its
    ``capacity_kg`` (40 kg per village) forces some back to ``W``. ``E`` is an existing
    station 50 km the other way, of no use to anyone: it stays open all the same.
    """
    sites = [
        facility("W"),
        facility(
            "H", TOWNSHIP, status=CANDIDATE, fixed_cost=hub_fixed_cost, capacity_kg=hub_capacity_kg
        ),
        facility("E", TOWNSHIP),
        *(village(v) for v in ("V1", "V2", "V3")),
    ]
    orders = [delivery(f"D{k}", f"V{k}", 40.0) for k in (1, 2, 3)]
    fleet = [
        vehicle("van", count=2, capacity_kg=1000, cost_per_km=2.0),
        vehicle("H-minivan", "H", capacity_kg=1000, cost_per_km=1.0),
        vehicle("E-minivan", "E", capacity_kg=1000, cost_per_km=1.0),
    ]
    matrix = line_matrix({"W": 0, "H": 20, "E": -50, "V1": 21, "V2": 22, "V3": 23})
    return county(sites, orders, fleet), matrix


def cold_county() -> tuple[Scenario, TravelMatrix]:
    """Chilled produce at three villages, transit limit 20 min, two existing cold stores.

    ``C1`` is 10 min from ``V1`` and ``V2`` but holds 50 kg of cold produce, less than the
    80 kg they have together, so one of them goes to ``C2`` (15 and 18 min away). ``V3`` is
    25 and 30 min from the cold stores, beyond its limit: its produce gets no cold store
    (its delivery is still assigned to ``W``).
    """
    sites = [
        facility("W"),
        facility("C1", COLD_STORE, cold_capacity_kg=50.0),
        facility("C2", COLD_STORE),
        *(village(v) for v in ("V1", "V2", "V3")),
    ]
    orders = [
        pickup("K1", "V1", 40.0, temperature=CHILLED, max_transit_min=20),
        pickup("K2", "V2", 40.0, temperature=CHILLED, max_transit_min=20),
        pickup("K3", "V3", 10.0, temperature=CHILLED, max_transit_min=20),
        delivery("D3", "V3", 10.0),
    ]
    fleet = [
        vehicle("van", capacity_kg=500),
        vehicle("reefer", capacity_kg=500, refrigerated=True, cost_per_km=2.0),
    ]
    ids = ["W", "C1", "C2", "V1", "V2", "V3"]
    km = [
        # W  C1  C2  V1  V2  V3
        [0, 12, 14, 15, 15, 20],  # W
        [12, 0, 8, 10, 10, 25],  # C1
        [14, 8, 0, 15, 18, 30],  # C2
        [15, 10, 15, 0, 6, 12],  # V1
        [15, 10, 18, 6, 0, 14],  # V2
        [20, 25, 30, 12, 14, 0],  # V3
    ]
    return county(sites, orders, fleet), km_matrix(ids, km)


# --- tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["highs", "scip"])
@pytest.mark.parametrize(("seed", "villages"), [(0, 8), (1, 8), (2, 7), (3, 6), (4, 8)])
def test_optimum_equals_brute_force(seed: int, villages: int, engine: str) -> None:
    scenario, matrix = random_county(seed, villages=villages)
    assert_fleet_limits_slack(scenario)
    costs = model_costs(scenario, matrix)
    # The model offers exactly the assignments the brute force enumerates.
    warm, cold = villages_with(scenario, cold=False), villages_with(scenario, cold=True)
    assert set(costs.serve) == {(v, h) for v in warm for h in hubs(scenario)}
    assert set(costs.cold) == {
        (v, k) for v in cold for k in stores_within_limit(scenario, matrix, v)
    }
    best = brute_force_optimum(scenario, matrix, costs)
    plan = solve(scenario, matrix, engine)
    assert plan.objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert plan_cost(scenario, plan, costs) == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert plan.bound == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert set(plan.assignment) | set(plan.unserved_sites) == set(warm)


def test_objective_of_one_village_by_hand() -> None:
    """W → V (10 km, 60 km/h) with one 30 kg delivery on a 300 kg van at 2 per km; the
    driver costs 36 an hour; the stop takes 6 min. The call takes a tenth of the van
    (30 / 300 > 1 / 15) and there is no neighbour to hop to: 0.1 × 20 km × 2 = 4 for the
    distance, 0.1 × 1200 s + 360 s = 480 s × 0.01 = 4.8 for the driver."""
    scenario = county(
        [facility("W"), village("V", service_min=6)],
        [delivery("D", "V", 30.0)],
        [vehicle("van", capacity_kg=300, cost_per_km=2.0)],
    )
    plan = solve(scenario, line_matrix({"W": 0, "V": 10}))
    assert plan.objective == pytest.approx(8.8)
    assert plan.assignment == {"V": "W"}
    assert plan.open_facilities == ("W",)


def test_existing_facilities_are_always_open() -> None:
    scenario, matrix = hub_county()
    plan = solve(scenario, matrix)
    assert {"W", "E"} <= set(plan.open_facilities)
    assert "E" not in plan.assignment.values()


def test_a_worthwhile_hub_opens_and_takes_its_villages() -> None:
    scenario, matrix = hub_county()
    plan = solve(scenario, matrix)
    assert plan.open_facilities == ("W", "H", "E")
    assert plan.assignment == {"V1": "H", "V2": "H", "V3": "H"}
    assert plan.fixed_cost == 10.0


def test_candidate_with_huge_fixed_cost_stays_closed() -> None:
    scenario, matrix = hub_county(hub_fixed_cost=1e6)
    plan = solve(scenario, matrix)
    assert "H" not in plan.open_facilities
    assert set(plan.assignment.values()) == {"W"}
    assert plan.fixed_cost == 0.0


def test_hub_capacity_forces_a_split() -> None:
    scenario, matrix = hub_county(hub_capacity_kg=80.0)
    plan = solve(scenario, matrix)
    assert "H" in plan.open_facilities
    at_hub = [v for v, f in plan.assignment.items() if f == "H"]
    assert sum(ambient_kg(scenario, v) for v in at_hub) <= 80.0
    assert len(at_hub) == 2
    assert sorted(plan.assignment.values()) == ["H", "H", "W"]


def test_chilled_produce_goes_to_a_cold_store_within_limit_and_capacity() -> None:
    scenario, matrix = cold_county()
    plan = solve(scenario, matrix)
    for v, k in plan.cold_assignment.items():
        assert scenario.site(k).kind is COLD_STORE
        assert matrix.duration_s[matrix.index(v), matrix.index(k)] <= 20 * 60
    for k in ("C1", "C2"):
        cap = scenario.site(k).cold_capacity_kg
        kg = sum(cold_kg(scenario, v) for v, store in plan.cold_assignment.items() if store == k)
        assert cap is None or kg <= cap
    assert {plan.cold_assignment["V1"], plan.cold_assignment["V2"]} == {"C1", "C2"}


def test_no_cold_store_within_limit_means_no_cold_assignment() -> None:
    scenario, matrix = cold_county()
    plan = solve(scenario, matrix)
    assert "V3" not in plan.cold_assignment
    assert plan.assignment == {"V3": "W"}  # its delivery is still served
    assert plan.objective >= PENALTY  # K3's penalty is part of the objective


def test_every_village_keeps_one_hub_on_both_engines() -> None:
    scenario, matrix = random_county(5)
    highs, scip = solve(scenario, matrix, "highs"), solve(scenario, matrix, "scip")
    assert highs.objective == pytest.approx(scip.objective, rel=1e-6)
    for plan in (highs, scip):
        assert set(plan.assignment.values()) <= set(plan.open_facilities)
        assert set(plan.cold_assignment.values()) <= set(plan.open_facilities)


def test_a_county_with_nothing_to_decide_is_solved() -> None:
    """Only an existing warehouse and no orders: nothing to decide, trivially optimal."""
    scenario = county([facility("W")], [], [vehicle("van")])
    plan = locate(scenario, line_matrix({"W": 0}), LocateParams(time_limit_s=1))
    assert plan.status is SolveStatus.OPTIMAL
