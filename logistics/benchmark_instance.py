"""Benchmark instances (VRPLIB, Li & Lim) as lognet scenarios, and their distance conventions.

The readers (:mod:`logistics.vrplib_io`, :mod:`logistics.lilim_io`) parse a file into plain
node data and call :func:`build_instance`, which turns it into a
:class:`BenchmarkInstance`: a validated :class:`~logistics.scenario.Scenario` plus the
:class:`~logistics.matrix.TravelMatrix` of the family's distance convention, so the same
solvers and checker run on benchmarks and on county bundles.

The mapping, fixed so that every benchmark reads the same way:

Sites
    Instance node ``i`` is site ``str(i)``: node 0 (the depot) a ``county_warehouse``, every
    other node a ``village_point``. Instances are planar, so ``(x, y)`` is placed in China
    by a fixed affine map, ``lon = 109 + x / 1000``, ``lat = 28 + y / 1000`` (an instance
    too large for that is shrunk into the box lon 105–130, lat 25–50). Lon/lat are for
    display only: the matrix is authoritative.
Time
    One instance time unit is one second, so a window ``[ready, due]`` becomes the site's
    ``open_time``/``close_time`` and a service time ``s`` becomes ``service_min = s / 60``.
    The planning day runs from 00:00 to the depot's due time (23:59:59 without windows).
Distance
    ``distance_m`` and ``duration_s`` both hold the convention's arc length in instance
    units (travel at speed 1). Every vehicle's ``cost_per_km`` is 1000, so a route's
    distance cost equals its length in instance units.
Orders
    Without pairs, each customer ``i`` gets one delivery ``"D<i>"``; with pickup–delivery
    pairs ``(p, d)``, one pickup ``"P<p>"`` at ``p`` whose ``destination`` is ``d``. All
    orders belong to carrier ``"bench"``; ``weight_kg`` is the demand and ``parcels`` the
    demand rounded up to a whole number.
Fleet and costs
    One pooled vehicle type ``"vehicle"`` at the depot with the instance's capacity in kg,
    no volume limit, one trip, no fixed cost. No driver or CO2 cost; an unserved order costs
    :data:`UNSERVED_PENALTY`, far above any route.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logistics.errors import LogisticsError
from logistics.matrix import TravelMatrix
from logistics.scenario import (
    SHARED,
    Costs,
    Direction,
    Order,
    Planning,
    Scenario,
    Site,
    SiteKind,
    Terrain,
    VehicleType,
)

__all__ = [
    "BENCHMARK_CARRIER",
    "UNSERVED_PENALTY",
    "BenchmarkFileError",
    "BenchmarkInstance",
    "Rounding",
    "arc_lengths",
    "build_instance",
]

#: The carrier of every benchmark order.
BENCHMARK_CARRIER = "bench"
#: The penalty of an unserved benchmark order, far above the length of any route.
UNSERVED_PENALTY = 1e7
#: ``cost_per_km`` of benchmark vehicles: the matrix holds instance units as "metres".
_COST_PER_KM = 1000.0
#: The volume limit of benchmark vehicles: none.
_NO_VOLUME_LIMIT_M3 = 1e9
_DAY = dt.date(2026, 11, 22)
_LAST_SECOND = 86399.0
#: The fixed display map, and the box an instance too large for it is shrunk into.
_ORIGIN = (109.0, 28.0)
_DEGREES_PER_UNIT = 1e-3
_FIT_ORIGIN = (105.0, 25.0)
_FIT_SPAN_DEG = 25.0
_SAFE_LON = (74.0, 135.0)
_SAFE_LAT = (4.0, 53.0)


class Rounding(enum.StrEnum):
    """The distance convention of a benchmark family: how an arc's length is rounded."""

    EXACT = "exact"  # unrounded Euclidean (Li & Lim)
    ROUND = "round"  # nearest integer, TSPLIB EUC_2D nint (Uchoa et al. X instances)
    TRUNCATE_1 = "truncate1"  # floor(10 d) / 10 (Solomon, as in the exact-method literature)


class BenchmarkFileError(LogisticsError, ValueError):
    """A benchmark file that cannot be read; ``cause`` says why."""

    def __init__(self, path: str | os.PathLike[str], cause: str) -> None:
        super().__init__(f"cannot read the benchmark file {os.fspath(path)}: {cause}")
        self.cause = cause


@dataclass(frozen=True, slots=True)
class BenchmarkInstance:
    """A benchmark instance as a lognet scenario with the matrix of its convention.

    ``node_ids[i]`` is the site id of instance node ``i`` (``str(i)``; node 0 is the
    depot), so solutions can be written by node index. ``family`` is ``"cvrp"``,
    ``"vrptw"`` or ``"pdptw"``. ``vehicles_first`` says that the family's objective
    minimises the number of vehicles before distance (Li & Lim).
    """

    name: str
    family: str
    scenario: Scenario
    matrix: TravelMatrix
    node_ids: tuple[str, ...]
    rounding: Rounding
    vehicles_first: bool


def arc_lengths(coords: npt.ArrayLike, rounding: Rounding) -> npt.NDArray[np.float64]:
    """Euclidean distances between all points, rounded by ``rounding``.

    Examples
    --------
    >>> arc_lengths([[0, 0], [1, 1]], Rounding.TRUNCATE_1)[0, 1]
    np.float64(1.4)
    >>> arc_lengths([[0, 0], [1, 1]], Rounding.ROUND)[0, 1]
    np.float64(1.0)
    """
    xy = np.asarray(coords, dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    d = np.sqrt((diff**2).sum(axis=-1))
    if rounding is Rounding.ROUND:
        return np.floor(d + 0.5)  # TSPLIB nint; np.round would round halves to even
    if rounding is Rounding.TRUNCATE_1:
        # The nudge keeps an exact length that floating point puts a hair below k/10 at
        # k/10; integer coordinates never come within 1e-9 of such a boundary otherwise.
        return np.floor(10 * d + 1e-9) / 10
    return d


def build_instance(
    path: str | os.PathLike[str],
    *,
    name: str,
    family: str,
    coords: npt.ArrayLike,
    demand: npt.ArrayLike,
    capacity: float,
    vehicles: int,
    rounding: Rounding,
    vehicles_first: bool,
    windows: npt.ArrayLike | None = None,
    service: npt.ArrayLike | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
    max_duration: float | None = None,
) -> BenchmarkInstance:
    """The benchmark instance of parsed node data (node 0 is the depot).

    ``windows`` is ``(n, 2)`` ready and due times, ``service`` the ``n`` service times,
    ``pairs`` the pickup–delivery pairs (without them every customer is a delivery) and
    ``max_duration`` a route duration limit, all in instance units. ``path`` names the
    file in errors.

    Raises
    ------
    BenchmarkFileError
        If a time lies outside one day (0 to 86399 s) or the data are inconsistent.
    """
    xy = np.asarray(coords, dtype=np.float64)
    n = len(xy)
    q = np.asarray(demand, dtype=np.float64)
    if xy.shape != (n, 2) or n < 1 or not np.isfinite(xy).all():
        raise BenchmarkFileError(path, "coordinates must be n finite (x, y) pairs, n ≥ 1")
    if q.shape != (n,) or not np.isfinite(q).all():
        raise BenchmarkFileError(path, f"expected {n} finite demands, got shape {q.shape}")
    tw = None if windows is None else np.asarray(windows, dtype=np.float64)
    if tw is not None and tw.shape != (n, 2):
        raise BenchmarkFileError(path, f"expected {n} time windows, got shape {tw.shape}")
    st = np.zeros(n) if service is None else np.asarray(service, dtype=np.float64)
    if st.shape != (n,):
        raise BenchmarkFileError(path, f"expected {n} service times, got shape {st.shape}")

    lonlat = _display_lonlat(xy)
    sites = []
    for i in range(n):
        open_t = close_t = None
        if tw is not None:
            open_t, close_t = (_time_of_day(path, t, f"node {i}") for t in tw[i])
        sites.append(
            Site(
                site_id=str(i),
                name="depot" if i == 0 else f"customer {i}",
                kind=SiteKind.COUNTY_WAREHOUSE if i == 0 else SiteKind.VILLAGE_POINT,
                lon=float(lonlat[i, 0]),
                lat=float(lonlat[i, 1]),
                open_time=open_t,
                close_time=close_t,
                service_min=float(st[i]) / 60,
            )
        )
    if pairs is None:
        orders = [_order(f"D{i}", i, q[i], Direction.DELIVERY) for i in range(1, n)]
    else:
        orders = [_order(f"P{p}", p, q[p], Direction.PICKUP, destination=d) for p, d in pairs]
    fleet = VehicleType(
        vehicle_type="vehicle",
        count=vehicles,
        depot="0",
        carrier=SHARED,
        capacity_kg=float(capacity),
        capacity_m3=_NO_VOLUME_LIMIT_M3,
        cost_per_km=_COST_PER_KM,
        max_shift_min=None if max_duration is None else float(max_duration) / 60,
    )
    end = dt.time(23, 59, 59) if tw is None else _time_of_day(path, tw[0, 1], "the depot")
    scenario = Scenario(
        name=name,
        title=f"{family} benchmark {name}, {rounding} distances",
        sites=tuple(sites),
        orders=tuple(orders),
        fleet=(fleet,),
        terrain=Terrain.FLAT,
        planning=Planning(day=_DAY, start=dt.time(0, 0), end=end),
        costs=Costs(unserved_penalty=UNSERVED_PENALTY, driver_cost_per_hour=0.0, co2_kg_per_km=0.0),
    )
    node_ids = tuple(s.site_id for s in sites)
    d = arc_lengths(xy, rounding)
    return BenchmarkInstance(
        name=name,
        family=family,
        scenario=scenario,
        matrix=TravelMatrix(node_ids, d, d),
        node_ids=node_ids,
        rounding=rounding,
        vehicles_first=vehicles_first,
    )


def _order(
    order_id: str, node: int, demand: float, direction: Direction, *, destination: int | None = None
) -> Order:
    return Order(
        order_id=order_id,
        site_id=str(node),
        carrier=BENCHMARK_CARRIER,
        direction=direction,
        parcels=max(0, math.ceil(demand)),
        weight_kg=float(demand),
        volume_m3=0.0,
        destination=None if destination is None else str(destination),
    )


def _time_of_day(path: str | os.PathLike[str], seconds: float, what: str) -> dt.time:
    """The time of day ``seconds`` after midnight (1 instance time unit = 1 s)."""
    if not (0 <= seconds <= _LAST_SECOND):
        rule = f"time {seconds:g} of {what} lies outside one day (0 to 86399 s = 23:59:59)"
        raise BenchmarkFileError(path, rule)
    whole = math.floor(seconds)
    micro = min(round((seconds - whole) * 1e6), 999_999)
    return dt.time(whole // 3600, whole % 3600 // 60, whole % 60, micro)


def _display_lonlat(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Lon/lat for display: the fixed map, or the instance shrunk into a box in China."""
    lonlat = np.asarray(_ORIGIN) + xy * _DEGREES_PER_UNIT
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    if (
        lon.min() >= _SAFE_LON[0]
        and lon.max() <= _SAFE_LON[1]
        and lat.min() >= _SAFE_LAT[0]
        and lat.max() <= _SAFE_LAT[1]
    ):
        return lonlat
    low = xy.min(axis=0)
    span = float((xy.max(axis=0) - low).max())
    scale = _FIT_SPAN_DEG / span if span > 0 else 0.0
    return np.asarray(_FIT_ORIGIN) + (xy - low) * scale
