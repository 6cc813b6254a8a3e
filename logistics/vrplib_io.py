"""VRPLIB files: CVRP and VRPTW instances, and solutions, read and written with ``vrplib``.

An instance becomes a :class:`~logistics.benchmark_instance.BenchmarkInstance` (the mapping
is set out in :mod:`logistics.benchmark_instance`). The distance convention belongs to the
benchmark family, not to the file's ``EDGE_WEIGHT_TYPE``: Solomon files say ``EUC_2D``, but
their best-known values use arcs truncated to one decimal. So the default is
:attr:`~Rounding.TRUNCATE_1` for an instance with time windows and :attr:`~Rounding.ROUND`
(TSPLIB ``EUC_2D``) for one without; ``rounding=`` overrides it.

A solution file lists one route a line, ``Route #k: i j ...`` with the instance's node
indices (the depot, 0, is not listed), then ``Cost X``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import vrplib

from logistics.benchmark_instance import (
    BenchmarkFileError,
    BenchmarkInstance,
    Rounding,
    build_instance,
)

__all__ = ["read_vrplib_instance", "read_vrplib_solution", "write_vrplib_solution"]

#: Values of ``TYPE`` that this reader understands fully (missing ``TYPE`` reads as CVRP).
_TYPES = frozenset({"CVRP", "VRPTW", "CVRPTW"})


def read_vrplib_instance(
    path: str | os.PathLike[str], *, rounding: Rounding | None = None
) -> BenchmarkInstance:
    """Read a VRPLIB CVRP or VRPTW instance (one depot, node coordinates).

    The fleet has ``VEHICLES`` vehicles (one per customer when the file gives none, as in
    the X instances, whose ``kNN`` is no fleet limit) of ``CAPACITY``; a ``DISTANCE``
    limit becomes the vehicles' ``max_shift_min`` (instance units of time).

    Parameters
    ----------
    path
        The ``.vrp`` file.
    rounding
        The distance convention; by default :attr:`~Rounding.TRUNCATE_1` when the file has
        a ``TIME_WINDOW_SECTION`` (Solomon) and :attr:`~Rounding.ROUND` otherwise.

    Raises
    ------
    BenchmarkFileError
        If the file is not a VRPLIB CVRP or VRPTW instance with one depot at node 1 and
        node coordinates, or a time lies outside one day.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = '''NAME : tiny
    ... TYPE : CVRP
    ... DIMENSION : 3
    ... CAPACITY : 10
    ... EDGE_WEIGHT_TYPE : EUC_2D
    ... NODE_COORD_SECTION
    ... 1 0 0
    ... 2 3 4
    ... 3 0 1
    ... DEMAND_SECTION
    ... 1 0
    ... 2 5
    ... 3 5
    ... DEPOT_SECTION
    ... 1
    ... -1
    ... EOF
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "tiny.vrp")
    ...     _ = path.write_text(text)
    ...     instance = read_vrplib_instance(path)
    >>> instance.family, instance.rounding, float(instance.matrix.distance_m[0, 1])
    ('cvrp', <Rounding.ROUND: 'round'>, 5.0)
    """
    try:
        data = vrplib.read_instance(path, compute_edge_weights=False)
    except (ValueError, RuntimeError, IndexError, TypeError, UnicodeDecodeError) as err:
        raise BenchmarkFileError(path, f"not a VRPLIB instance ({err})") from err
    kind = str(data.get("type", "CVRP")).strip().upper()
    if kind not in _TYPES:
        raise BenchmarkFileError(path, f"TYPE {kind} is not supported (CVRP or VRPTW only)")
    for key in ("node_coord", "demand", "capacity"):
        if key not in data:
            raise BenchmarkFileError(path, f"no {key.upper()} (needs coordinates and demands)")
    depots = np.atleast_1d(np.asarray(data.get("depot", [0])))
    if depots.tolist() != [0]:
        raise BenchmarkFileError(path, "only one depot, at node 1, is supported")
    coords = np.asarray(data["node_coord"], dtype=np.float64)
    windows = data.get("time_window")
    family = "vrptw" if windows is not None else "cvrp"
    if rounding is None:
        rounding = Rounding.TRUNCATE_1 if windows is not None else Rounding.ROUND
    vehicles = _whole(path, "VEHICLES", data.get("vehicles", len(coords) - 1))
    distance = data.get("distance")
    return build_instance(
        path,
        name=str(data.get("name") or _stem(path)).strip(),
        family=family,
        coords=coords,
        demand=_numbers(path, "DEMAND", data["demand"]),
        capacity=_number(path, "CAPACITY", data["capacity"]),
        vehicles=vehicles,
        rounding=rounding,
        vehicles_first=False,
        windows=None if windows is None else _numbers(path, "TIME_WINDOW", windows),
        service=_service_times(path, data.get("service_time", 0), len(coords)),
        max_duration=None if distance is None else _number(path, "DISTANCE", distance),
    )


def write_vrplib_solution(
    path: str | os.PathLike[str], routes: Sequence[Sequence[int]], cost: float
) -> None:
    """Write ``routes`` (instance node indices, depot 0 not listed) and ``cost``.

    One line ``Route #k: i j ...`` per route, then ``Cost X`` (an integral cost without a
    decimal point).

    Raises
    ------
    ValueError
        If a route is empty or lists the depot or a negative index, or the cost is not
        finite.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "tiny.sol")
    ...     write_vrplib_solution(path, [[2, 1], [3]], 24.0)
    ...     print(path.read_text(), end="")
    Route #1: 2 1
    Route #2: 3
    Cost 24
    """
    lines = []
    for k, route in enumerate(routes, start=1):
        clients = [int(i) for i in route]
        if not clients:
            raise ValueError(f"route #{k} is empty")
        if min(clients) <= 0:
            raise ValueError(f"route #{k} lists the depot (0) or a negative node index")
        lines.append(" ".join([f"Route #{k}:", *map(str, clients)]))
    if not math.isfinite(cost):
        raise ValueError(f"the cost must be finite, not {cost}")
    shown = str(int(cost)) if float(cost).is_integer() else repr(float(cost))
    lines.append(f"Cost {shown}")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def read_vrplib_solution(path: str | os.PathLike[str]) -> tuple[list[list[int]], float]:
    """The routes (node indices, depot not listed) and cost of a VRPLIB solution file.

    Raises
    ------
    BenchmarkFileError
        If the file names no cost.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "tiny.sol")
    ...     write_vrplib_solution(path, [[2, 1], [3]], 24.5)
    ...     read_vrplib_solution(path)
    ([[2, 1], [3]], 24.5)
    """
    try:
        data = vrplib.read_solution(path)
    except (ValueError, UnicodeDecodeError) as err:
        raise BenchmarkFileError(path, f"not a VRPLIB solution ({err})") from err
    if "cost" not in data:
        raise BenchmarkFileError(path, "no Cost line")
    routes = [[int(i) for i in route] for route in data["routes"]]
    return routes, _number(path, "Cost", data["cost"])


def _stem(path: str | os.PathLike[str]) -> str:
    return os.path.splitext(os.path.basename(os.fspath(path)))[0]


def _number(path: str | os.PathLike[str], key: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise BenchmarkFileError(path, f"{key} must be a number, not {value!r}") from err
    if not math.isfinite(x):
        raise BenchmarkFileError(path, f"{key} must be finite, not {value!r}")
    return x


def _whole(path: str | os.PathLike[str], key: str, value: Any) -> int:
    x = _number(path, key, value)
    if not x.is_integer() or x < 0:
        raise BenchmarkFileError(path, f"{key} must be a whole number ≥ 0, not {value!r}")
    return int(x)


def _service_times(path: str | os.PathLike[str], value: Any, n: int) -> np.ndarray[Any, Any]:
    """A ``SERVICE_TIME_SECTION``, or a ``SERVICE_TIME`` given once for every customer."""
    times = _numbers(path, "SERVICE_TIME", value)
    if times.ndim == 0:
        times = np.full(n, float(times))
        times[0] = 0.0  # the depot is not served
    return times


def _numbers(path: str | os.PathLike[str], key: str, value: Any) -> np.ndarray[Any, Any]:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise BenchmarkFileError(path, f"{key}_SECTION must hold numbers") from err
