"""Facility location problems and results, shared by every model of the location suite.

A :class:`FacilityProblem` is sites ``i`` that may open and customers ``j`` that they
serve, as plain arrays; it comes from a plain cost matrix (:meth:`FacilityProblem.from_cost_matrix`,
OR-Library files) or from a county scenario and its travel matrix
(:meth:`FacilityProblem.from_scenario`). The models in :mod:`solvers.facility_models`
take one and return a :class:`FacilityResult`: the sites opened, who serves whom, the
objective, the best bound and the gap, whether or not the solve was proven optimal.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from logistics.matrix import TravelMatrix
from logistics.plans import SolveStatus
from logistics.scenario import FACILITY_KINDS, Scenario, SiteKind, SiteStatus
from solvers.mip import LinearModel

__all__ = ["FacilityProblem", "FacilityResult", "SiteChoice"]

Array = npt.NDArray[np.float64]


class SiteChoice(enum.StrEnum):
    """What the model may decide about a site."""

    FREE = "free"  # open or not, as the objective says
    OPEN = "open"  # existing or required: open, at no fixed cost decision
    CLOSED = "closed"  # forbidden


def _array(values: Any, shape: tuple[int, ...], what: str, *, default: float) -> Array:
    if values is None:
        array = np.full(shape, default, dtype=np.float64)
    else:
        array = np.array(values, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{what} has shape {array.shape}, expected {shape}")
    if np.any(np.isnan(array)) or np.any(array < 0):
        raise ValueError(f"{what} must be non-negative numbers")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True)
class FacilityProblem:
    """Sites that may open and the customers they serve.

    ``cost[i, j]`` is the cost of serving all of customer ``j``'s ``demand[j]`` from site
    ``i`` (``inf``: ``i`` may not serve ``j``); ``distance[i, j]`` is what covering models
    compare with a radius (by default ``cost``). Site ``i`` opens for ``fixed_cost[i]``
    and supplies at most ``capacity[i]`` (``inf``: uncapacitated). ``cold_demand[j]`` is
    chilled or frozen goods, which may only go to a site with ``cold_capacity`` (a cold
    store), at ``cold_cost[i, j]``. Build with :meth:`from_cost_matrix` or
    :meth:`from_scenario`, which validate the arrays.
    """

    site_ids: tuple[str, ...]
    customer_ids: tuple[str, ...]
    cost: Array
    distance: Array
    demand: Array
    fixed_cost: Array
    capacity: Array
    choice: tuple[SiteChoice, ...]
    cold_demand: Array
    cold_cost: Array
    cold_capacity: Array

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_customers(self) -> int:
        return len(self.customer_ids)

    @property
    def has_cold(self) -> bool:
        return bool(np.any(self.cold_demand > 0))

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        *,
        demand: npt.ArrayLike | None = None,
        fixed_cost: npt.ArrayLike | None = None,
        capacity: npt.ArrayLike | None = None,
        distance: npt.ArrayLike | None = None,
        required: Iterable[int] = (),
        forbidden: Iterable[int] = (),
        site_ids: Sequence[str] | None = None,
        customer_ids: Sequence[str] | None = None,
        cold_demand: npt.ArrayLike | None = None,
        cold_cost: npt.ArrayLike | None = None,
        cold_capacity: npt.ArrayLike | None = None,
    ) -> FacilityProblem:
        """A problem from a sites × customers cost matrix; everything else optional.

        Defaults: demand 1 per customer, no fixed cost, no capacity limit, distance =
        cost, no cold goods. ``required`` and ``forbidden`` are site indices. Ids default
        to ``"0"``, ``"1"``, … (file order).

        Examples
        --------
        >>> problem = FacilityProblem.from_cost_matrix([[1, 4], [3, 2]], fixed_cost=[5, 5])
        >>> problem.site_ids, problem.capacity.tolist()
        (('0', '1'), [inf, inf])
        """
        matrix = np.array(cost, dtype=np.float64)
        if matrix.ndim != 2 or 0 in matrix.shape:
            raise ValueError("cost must be a non-empty sites × customers matrix")
        m, n = matrix.shape
        required, forbidden = set(required), set(forbidden)
        if required & forbidden:
            raise ValueError(f"sites {sorted(required & forbidden)} are required and forbidden")
        if not all(0 <= i < m for i in required | forbidden):
            raise ValueError(f"required and forbidden sites must be indices below {m}")
        choice = tuple(
            SiteChoice.OPEN if i in required else SiteChoice.CLOSED if i in forbidden
            else SiteChoice.FREE
            for i in range(m)
        )  # fmt: skip
        sites = tuple(site_ids) if site_ids is not None else tuple(str(i) for i in range(m))
        customers = (
            tuple(customer_ids) if customer_ids is not None else tuple(str(j) for j in range(n))
        )
        if len(sites) != m or len(customers) != n:
            raise ValueError("site_ids and customer_ids must match the cost matrix")
        costs = _array(matrix, (m, n), "cost", default=0.0)
        return cls(
            site_ids=sites,
            customer_ids=customers,
            cost=costs,
            distance=costs if distance is None else _array(distance, (m, n), "distance", default=0),
            demand=_array(demand, (n,), "demand", default=1.0),
            fixed_cost=_array(fixed_cost, (m,), "fixed_cost", default=0.0),
            capacity=_array(capacity, (m,), "capacity", default=math.inf),
            choice=choice,
            cold_demand=_array(cold_demand, (n,), "cold_demand", default=0.0),
            cold_cost=_array(cold_cost, (m, n), "cold_cost", default=0.0),
            cold_capacity=_array(cold_capacity, (m,), "cold_capacity", default=0.0),
        )

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, matrix: TravelMatrix, *, kinds: Iterable[SiteKind] | None = None
    ) -> FacilityProblem:
        """The county's facility question as a plain problem.

        Sites are the scenario's facilities of ``kinds`` (by default every facility:
        county warehouses, township stations and cold stores), customers its villages.
        A village's demand is the kg of its parcels and ambient produce, its cold demand
        the kg of its chilled and frozen produce without a named destination.
        Serving costs a round trip's share: ``2 × km × kg`` at the cheapest per-km cost
        per kg of capacity in the fleet (the same for cold goods on the cheapest
        refrigerated vehicle). Existing facilities are open; candidates may open at their
        ``fixed_cost``; ``capacity_kg`` and ``cold_capacity_kg`` bound what they take.
        Distance (for covering models) is the road distance in km.
        """
        wanted = set(kinds) if kinds is not None else set(FACILITY_KINDS)
        facilities = [s for s in scenario.sites if s.kind in wanted]
        villages = scenario.sites_of_kind(SiteKind.VILLAGE_POINT)
        if not facilities or not villages:
            raise ValueError("the scenario has no facilities of those kinds, or no villages")
        demand = dict.fromkeys((v.site_id for v in villages), 0.0)
        cold = dict.fromkeys(demand, 0.0)
        for o in scenario.orders:
            if o.site_id not in demand:
                continue
            chilled = o.is_pickup and o.temperature.needs_refrigeration and o.destination is None
            (cold if chilled else demand)[o.site_id] += o.weight_kg
        rate = min(v.cost_per_km / v.capacity_kg for v in scenario.fleet)
        reefers = [v.cost_per_km / v.capacity_kg for v in scenario.fleet if v.refrigerated]
        cold_rate = min(reefers) if reefers else math.inf
        rows = [matrix.index(s.site_id) for s in facilities]
        cols = [matrix.index(v.site_id) for v in villages]
        km = matrix.distance_m[np.ix_(rows, cols)] / 1000
        d = np.array(list(demand.values()))
        q = np.array(list(cold.values()))
        with np.errstate(invalid="ignore"):
            cost = np.where(np.isfinite(km), 2 * km * d[None, :] * rate, math.inf)
            cold_cost = np.where(np.isfinite(km), 2 * km * q[None, :] * cold_rate, math.inf)
        cold_cost = np.where(q[None, :] > 0, cold_cost, 0.0)
        return cls.from_cost_matrix(
            np.nan_to_num(cost, nan=0.0, posinf=math.inf),
            demand=d,
            fixed_cost=[s.fixed_cost if s.is_candidate else 0.0 for s in facilities],
            capacity=[math.inf if s.capacity_kg is None else s.capacity_kg for s in facilities],
            distance=np.where(np.isfinite(km), km, math.inf),
            required=[i for i, s in enumerate(facilities) if s.status is SiteStatus.EXISTING],
            site_ids=[s.site_id for s in facilities],
            customer_ids=[v.site_id for v in villages],
            cold_demand=q,
            cold_cost=np.nan_to_num(cold_cost, nan=0.0, posinf=math.inf),
            cold_capacity=[s.cold_capacity_kg or 0.0 for s in facilities],
        )


@dataclass(frozen=True, slots=True)
class FacilityResult:
    """A location model's answer, optimal or not.

    ``open`` holds site ids; ``assignment`` ``(customer, site, fraction)`` triples (one
    per customer under single sourcing), ``cold_assignment`` the same for cold goods.
    ``bound`` is a proven bound on the optimum (a lower bound when minimising, an upper
    bound when maximising); ``status`` is OPTIMAL when the relative gap is at most the
    requested tolerance. ``unserved`` lists customers no site may serve (every cost
    infinite, such as a village no road reaches); the model plans the others.
    """

    model: str
    open: tuple[str, ...]
    assignment: tuple[tuple[str, str, float], ...]
    objective: float
    bound: float
    status: SolveStatus
    runtime_s: float
    engine: str
    seed: int
    cold_assignment: tuple[tuple[str, str, float], ...] = ()
    sense: str = "min"
    unserved: tuple[str, ...] = ()

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)

    def to_dataframe(self) -> Any:
        """One row per (customer, site, fraction), cold goods flagged."""
        import pandas as pd

        rows = [(c, s, f, False) for c, s, f in self.assignment]
        rows += [(c, s, f, True) for c, s, f in self.cold_assignment]
        return pd.DataFrame(rows, columns=["customer", "site", "fraction", "cold"])

    def summary(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "open": list(self.open),
            "unserved": list(self.unserved),
            "runtime_s": self.runtime_s,
            "engine": self.engine,
            "seed": self.seed,
        }


def site_vars(
    problem: FacilityProblem, model: LinearModel, *, cost: bool
) -> tuple[LinearModel, dict[int, int]]:
    """Add to ``model`` an open-or-not variable ``y_i`` for every site of ``problem`` that
    is not forbidden: fixed to 1 when the site must open, and costing its fixed cost when
    ``cost``. Returns the model and the variables by site index."""
    y = {}
    for i, choice in enumerate(problem.choice):
        if choice is SiteChoice.CLOSED:
            continue
        lb = 1.0 if choice is SiteChoice.OPEN else 0.0
        f = float(problem.fixed_cost[i]) if cost else 0.0
        y[i] = model.add_var(cost=f, lb=lb, ub=1.0, integer=True)
    return model, y
