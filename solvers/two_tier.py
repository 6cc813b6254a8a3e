r"""Two-tier network design: county warehouses supply township hubs, which serve villages.

Notation as in :mod:`solvers.facility_mip` for the hubs ``i`` and villages ``j``;
warehouses ``k`` open for ``F_k`` with capacity ``S_k``, and ``t_ki`` is the trunk cost
of moving one unit of demand from warehouse ``k`` to hub ``i``. ``w_k`` opens warehouse
``k`` and ``g_ki ≥ 0`` is the amount it sends to hub ``i``::

    min  Σ_k F_k w_k + Σ_i f_i y_i + Σ_ij c_ij x_ij + Σ_ki t_ki g_ki
    s.t. Σ_i x_ij = 1                    ∀ j
         x_ij ≤ y_i                      ∀ i, j
         Σ_j d_j x_ij ≤ s_i y_i          ∀ i            (hub capacity)
         Σ_k g_ki = Σ_j d_j x_ij         ∀ i            (what a hub hands out, it receives)
         Σ_i g_ki ≤ S_k w_k              ∀ k            (warehouse capacity)
         g_ki ≤ min(S_k, s_i, D) w_k     ∀ k, i         (only from open warehouses)
         Σ_i s_i y_i ≥ D,  Σ_k S_k w_k ≥ D             (aggregate capacity cuts, D = Σ_j d_j)
         w, y ∈ {0, 1};  x ∈ [0, 1] (or {0, 1} with single sourcing);  g ≥ 0

Existing or required facilities of either tier are fixed open, forbidden ones closed.
The design moves one commodity, the hubs' ``demand``; chilled and frozen goods
(``cold_demand``) go to cold stores in :func:`solvers.facility_models.solve_cflp`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logistics.matrix import TravelMatrix
from logistics.plans import SolveStatus
from logistics.scenario import Scenario, SiteKind, SiteStatus
from solvers.facility import FacilityProblem, FacilityResult, SiteChoice
from solvers.location import LocateParams, run_mip
from solvers.mip import LinearModel

__all__ = ["TwoTierProblem", "TwoTierResult", "solve_two_tier"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TwoTierProblem:
    """Warehouses (the upper tier) and the hub-and-village problem below them.

    ``trunk_cost[k, i]`` moves one unit of demand from warehouse ``k`` to hub ``i``
    (``inf``: no trunk line). Build with :meth:`from_arrays` or :meth:`from_scenario`.
    """

    warehouse_ids: tuple[str, ...]
    warehouse_fixed_cost: Array
    warehouse_capacity: Array
    warehouse_choice: tuple[SiteChoice, ...]
    trunk_cost: Array
    hubs: FacilityProblem

    @classmethod
    def from_arrays(
        cls,
        hubs: FacilityProblem,
        trunk_cost: npt.ArrayLike,
        *,
        fixed_cost: npt.ArrayLike | None = None,
        capacity: npt.ArrayLike | None = None,
        required: Iterable[int] = (),
        forbidden: Iterable[int] = (),
        warehouse_ids: Sequence[str] | None = None,
    ) -> TwoTierProblem:
        """A two-tier problem from a hub problem and a warehouses × hubs trunk matrix.

        Examples
        --------
        >>> hubs = FacilityProblem.from_cost_matrix([[1, 9], [9, 1]], fixed_cost=[3, 3])
        >>> problem = TwoTierProblem.from_arrays(hubs, [[1, 1]], fixed_cost=[10])
        >>> problem.warehouse_ids, problem.trunk_cost.shape
        (('K0',), (1, 2))
        """
        trunk = np.array(trunk_cost, dtype=np.float64)
        if trunk.ndim != 2 or trunk.shape[1] != hubs.n_sites or trunk.shape[0] == 0:
            raise ValueError("trunk_cost must be a warehouses × hubs matrix")
        if np.any(np.isnan(trunk)) or np.any(trunk < 0):
            raise ValueError("trunk_cost must be non-negative numbers")
        k = trunk.shape[0]
        required, forbidden = set(required), set(forbidden)
        if required & forbidden or not all(0 <= i < k for i in required | forbidden):
            raise ValueError("required and forbidden warehouses must be distinct indices")
        ids = (
            tuple(warehouse_ids) if warehouse_ids is not None else tuple(f"K{i}" for i in range(k))
        )
        if len(ids) != k:
            raise ValueError("warehouse_ids must match the trunk matrix")

        def vector(values: npt.ArrayLike | None, default: float, what: str) -> Array:
            array = np.full(k, default) if values is None else np.array(values, dtype=np.float64)
            if array.shape != (k,) or np.any(np.isnan(array)) or np.any(array < 0):
                raise ValueError(f"{what} must be {k} non-negative numbers")
            array.flags.writeable = False
            return array

        trunk.flags.writeable = False
        return cls(
            warehouse_ids=ids,
            warehouse_fixed_cost=vector(fixed_cost, 0.0, "fixed_cost"),
            warehouse_capacity=vector(capacity, math.inf, "capacity"),
            warehouse_choice=tuple(_choice(i, required, forbidden) for i in range(k)),
            trunk_cost=trunk,
            hubs=hubs,
        )

    @classmethod
    def from_scenario(cls, scenario: Scenario, matrix: TravelMatrix) -> TwoTierProblem:
        """The county's two tiers: county warehouses above township stations above
        villages (see :meth:`FacilityProblem.from_scenario` for the lower tier's costs).
        A trunk line costs ``2 × km`` per kg at the cheapest per-km cost per kg of
        capacity among the county warehouses' vehicles (all vehicles if they have none).
        """
        hubs = FacilityProblem.from_scenario(
            scenario, matrix, kinds=(SiteKind.TOWNSHIP_STATION, SiteKind.COLD_STORE)
        )
        warehouses = scenario.sites_of_kind(SiteKind.COUNTY_WAREHOUSE)
        if not warehouses:
            raise ValueError("the scenario has no county warehouse")
        depots = {w.site_id for w in warehouses}
        trunk_fleet = [v for v in scenario.fleet if v.depot in depots] or list(scenario.fleet)
        rate = min(v.cost_per_km / v.capacity_kg for v in trunk_fleet)
        rows = [matrix.index(w.site_id) for w in warehouses]
        cols = [matrix.index(h) for h in hubs.site_ids]
        km = matrix.distance_m[np.ix_(rows, cols)] / 1000
        return cls.from_arrays(
            hubs,
            np.where(np.isfinite(km), 2 * km * rate, math.inf),
            fixed_cost=[w.fixed_cost if w.is_candidate else 0.0 for w in warehouses],
            capacity=[math.inf if w.capacity_kg is None else w.capacity_kg for w in warehouses],
            required=[k for k, w in enumerate(warehouses) if w.status is SiteStatus.EXISTING],
            warehouse_ids=[w.site_id for w in warehouses],
        )


def _choice(i: int, required: set[int], forbidden: set[int]) -> SiteChoice:
    if i in required:
        return SiteChoice.OPEN
    return SiteChoice.CLOSED if i in forbidden else SiteChoice.FREE


@dataclass(frozen=True, slots=True)
class TwoTierResult:
    """The warehouses opened, their trunk flows ``(warehouse, hub, amount)``, and the
    hub tier's answer (``hubs.objective`` and ``hubs.bound`` are the whole design's)."""

    warehouses: tuple[str, ...]
    trunk: tuple[tuple[str, str, float], ...]
    hubs: FacilityResult

    @property
    def objective(self) -> float:
        return self.hubs.objective

    @property
    def bound(self) -> float:
        return self.hubs.bound

    @property
    def status(self) -> SolveStatus:
        return self.hubs.status


def solve_two_tier(
    problem: TwoTierProblem, params: LocateParams, *, single_source: bool = False
) -> TwoTierResult:
    """Design both tiers at once (module docstring).

    Examples
    --------
    One village near each hub; the warehouse is needed to supply either:

    >>> hubs = FacilityProblem.from_cost_matrix(
    ...     [[1, 9], [9, 1]], demand=[2, 2], fixed_cost=[3, 3])
    >>> problem = TwoTierProblem.from_arrays(hubs, [[1, 1]], fixed_cost=[10])
    >>> result = solve_two_tier(problem, LocateParams(time_limit_s=10))
    >>> result.warehouses, result.hubs.open, result.objective
    (('K0',), ('0', '1'), 22.0)
    """
    t0 = time.perf_counter()
    lower = problem.hubs
    model = LinearModel()
    w: dict[int, int] = {}
    for k, choice in enumerate(problem.warehouse_choice):
        if choice is not SiteChoice.CLOSED:
            lb = 1.0 if choice is SiteChoice.OPEN else 0.0
            w[k] = model.add_var(cost=float(problem.warehouse_fixed_cost[k]), lb=lb, integer=True)
    y: dict[int, int] = {}
    for i, choice in enumerate(lower.choice):
        if choice is not SiteChoice.CLOSED:
            lb = 1.0 if choice is SiteChoice.OPEN else 0.0
            y[i] = model.add_var(cost=float(lower.fixed_cost[i]), lb=lb, integer=True)
    x: dict[tuple[int, int], int] = {}
    out: dict[int, list[tuple[int, float]]] = {i: [] for i in y}
    unserved = []
    for j in range(lower.n_customers):
        sites = [i for i in y if math.isfinite(lower.cost[i, j])]
        if not sites:
            unserved.append(j)
            continue
        for i in sites:
            x[i, j] = model.add_var(cost=float(lower.cost[i, j]), integer=single_source)
            model.add_row([(x[i, j], 1.0), (y[i], -1.0)], hi=0.0)
            out[i].append((x[i, j], float(lower.demand[j])))
        model.add_row([(x[i, j], 1.0) for i in sites], lo=1.0, hi=1.0)
    total = sum(float(lower.demand[j]) for j in range(lower.n_customers) if j not in unserved)
    g: dict[tuple[int, int], int] = {}
    for i in y:
        s_i = float(lower.capacity[i])
        if math.isfinite(s_i) and out[i]:
            model.add_row([*out[i], (y[i], -s_i)], hi=0.0)
        supply = []
        for k in w:
            t = float(problem.trunk_cost[k, i])
            if not math.isfinite(t):
                continue
            g[k, i] = model.add_var(cost=t, ub=math.inf)
            cap = min(float(problem.warehouse_capacity[k]), s_i, total)
            model.add_row([(g[k, i], 1.0), (w[k], -cap)], hi=0.0)
            supply.append((g[k, i], 1.0))
        model.add_row([*supply, *((v, -d) for v, d in out[i])], lo=0.0, hi=0.0)
    for k in w:
        s_k = float(problem.warehouse_capacity[k])
        flows = [(g[k, i], 1.0) for i in y if (k, i) in g]
        if math.isfinite(s_k) and flows:
            model.add_row([*flows, (w[k], -s_k)], hi=0.0)
    for caps, opened in ((lower.capacity, y), (problem.warehouse_capacity, w)):
        if all(math.isfinite(float(caps[i])) for i in opened):
            model.add_row([(v, float(caps[i])) for i, v in opened.items()], lo=total)
    result = run_mip(model, params)
    values = result.values
    found = values.size > 0

    def picked(handles: dict[int, int], ids: Sequence[str]) -> tuple[str, ...]:
        return tuple(ids[i] for i, v in handles.items() if found and values[v] > 0.5)

    def shares(handles: dict[tuple[int, int], int], rows: Sequence[str], cols: Sequence[str],
               *, by_column: bool) -> tuple[tuple[str, str, float], ...]:  # fmt: skip
        if not found:
            return ()
        keyed = sorted(handles.items(), key=lambda kv: kv[0][::-1] if by_column else kv[0])
        return tuple(
            (cols[b], rows[a], round(float(values[v]), 9)) if by_column
            else (rows[a], cols[b], round(float(values[v]), 9))
            for (a, b), v in keyed
            if values[v] > 1e-9
        )  # fmt: skip

    hubs = FacilityResult(
        model="two-tier",
        open=picked(y, lower.site_ids),
        assignment=shares(x, lower.site_ids, lower.customer_ids, by_column=True),
        objective=result.objective,
        bound=result.bound,
        status=result.status,
        runtime_s=time.perf_counter() - t0,
        engine=result.engine,
        seed=params.seed,
        unserved=tuple(lower.customer_ids[j] for j in unserved),
    )
    return TwoTierResult(
        warehouses=picked(w, problem.warehouse_ids),
        trunk=shares(g, problem.warehouse_ids, lower.site_ids, by_column=False),
        hubs=hubs,
    )
