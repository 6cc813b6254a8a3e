"""OR-Library facility location instances: capacitated warehouse location (``cap*``) and
p-median (``pmed*``) files, read into plain cost data.

``cap`` files (Beasley 1988) are a stream of numbers that may run over lines: ``m n``
(sites, customers); ``m`` pairs ``capacity fixed_cost``; then per customer its ``demand``
followed by ``m`` costs, each the cost of allocating *all* of that customer's demand to
that site. ``pmed`` files (Beasley 1985) hold ``n edges p`` and then one undirected edge
``i j cost`` per line (1-based); an edge listed again replaces the earlier cost (the
OR-Library rule), and the distance between vertices is the shortest-path length.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from logistics.benchmark_instance import BenchmarkFileError

__all__ = [
    "CapacitatedInstance",
    "PMedianInstance",
    "parse_cap",
    "parse_pmed",
    "read_cap",
    "read_pmed",
]

Array = npt.NDArray[np.float64]


def _frozen(values: object) -> Array:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True)
class CapacitatedInstance:
    """A capacitated facility location instance: ``cost[i, j]`` serves all of customer
    ``j``'s ``demand[j]`` from site ``i``, which opens for ``fixed_cost[i]`` and supplies
    at most ``capacity[i]``."""

    name: str
    capacity: Array
    fixed_cost: Array
    demand: Array
    cost: Array


@dataclass(frozen=True, slots=True)
class PMedianInstance:
    """A p-median instance on a graph: ``distance[i, j]`` is the shortest-path length
    between vertices ``i`` and ``j`` (0-based); choose ``p`` medians."""

    name: str
    p: int
    distance: Array


def read_cap(path: str | os.PathLike[str], *, capacity: float | None = None) -> CapacitatedInstance:
    """Read an OR-Library ``cap`` file; ``capacity`` replaces every site's capacity (the
    capa/capb/capc files leave it to the user).

    Raises
    ------
    BenchmarkFileError
        If the file is not a ``cap`` instance (see :func:`parse_cap`).
    """
    path = Path(path)
    try:
        return parse_cap(path.read_text(encoding="utf-8"), name=path.stem, capacity=capacity)
    except ValueError as err:
        raise BenchmarkFileError(path, str(err)) from err


def parse_cap(text: str, *, name: str, capacity: float | None = None) -> CapacitatedInstance:
    """Parse the text of a ``cap`` file.

    Examples
    --------
    Two sites, three customers; numbers may break lines anywhere:

    >>> text = "2 3\\n10 100\\n10 200\\n4 1 2\\n3 3\\n1 5 4 2\\n"
    >>> instance = parse_cap(text, name="tiny")
    >>> instance.demand.tolist(), instance.cost.tolist()
    ([4.0, 3.0, 5.0], [[1.0, 3.0, 4.0], [2.0, 1.0, 2.0]])
    >>> parse_cap(text, name="tiny", capacity=50).capacity.tolist()
    [50.0, 50.0]
    """
    tokens = text.split()
    if len(tokens) < 2:
        raise ValueError("the file does not start with 'm n' (sites, customers)")
    m, n = (_count(t, what) for t, what in zip(tokens[:2], ("sites", "customers"), strict=True))
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise ValueError(
            f"{m} sites and {n} customers need {expected} numbers, the file has {len(tokens)}"
        )
    sites = tokens[2 : 2 + 2 * m]
    caps = [capacity if capacity is not None else _number(t, "capacity") for t in sites[0::2]]
    fixed = [_number(t, "fixed cost") for t in sites[1::2]]
    rows = np.array(
        [_number(t, "demand or cost") for t in tokens[2 + 2 * m :]], dtype=np.float64
    ).reshape(n, 1 + m)
    if np.any(rows < 0) or any(c < 0 for c in caps) or any(f < 0 for f in fixed):
        raise ValueError("capacities, fixed costs, demands and costs may not be negative")
    return CapacitatedInstance(
        name=name,
        capacity=_frozen(caps),
        fixed_cost=_frozen(fixed),
        demand=_frozen(rows[:, 0]),
        cost=_frozen(rows[:, 1:].T),
    )


def read_pmed(path: str | os.PathLike[str]) -> PMedianInstance:
    """Read an OR-Library ``pmed`` file.

    Raises
    ------
    BenchmarkFileError
        If the file is not a ``pmed`` instance (see :func:`parse_pmed`).
    """
    path = Path(path)
    try:
        return parse_pmed(path.read_text(encoding="utf-8"), name=path.stem)
    except ValueError as err:
        raise BenchmarkFileError(path, str(err)) from err


def parse_pmed(text: str, *, name: str) -> PMedianInstance:
    """Parse the text of a ``pmed`` file into shortest-path distances.

    Examples
    --------
    A path 1-2-3 whose edge 1-2 is listed twice: the last cost (4) counts.

    >>> instance = parse_pmed("3 3 1\\n1 2 9\\n2 3 1\\n1 2 4\\n", name="tiny")
    >>> instance.p, instance.distance.tolist()
    (1, [[0.0, 4.0, 5.0], [4.0, 0.0, 1.0], [5.0, 1.0, 0.0]])
    """
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines or len(lines[0]) != 3:
        raise ValueError("line 1 is not 'n edges p'")
    n, edges, p = (_count(t, what) for t, what in zip(lines[0], ("n", "edges", "p"), strict=True))
    if not 1 <= p <= n:
        raise ValueError(f"line 1: p = {p} is not between 1 and n = {n}")
    if len(lines) - 1 != edges:
        raise ValueError(f"line 1 announces {edges} edges, the file has {len(lines) - 1}")
    cost: dict[tuple[int, int], float] = {}
    for k, fields in enumerate(lines[1:], start=2):
        if len(fields) != 3:
            raise ValueError(f"line {k} is not 'i j cost'")
        i, j = (_count(t, f"line {k} vertex") for t in fields[:2])
        if not (1 <= i <= n and 1 <= j <= n):
            raise ValueError(f"line {k}: vertex outside 1..{n}")
        c = _number(fields[2], f"line {k} cost")
        if c < 0:
            raise ValueError(f"line {k}: negative edge cost")
        cost[min(i, j) - 1, max(i, j) - 1] = c  # a repeated edge: the last one wins
    rows = [i for i, _ in cost]
    cols = [j for _, j in cost]
    # csgraph reads an explicit 0 as "no edge": a zero-cost edge becomes the least float.
    data = np.maximum(np.array(list(cost.values()), dtype=np.float64), np.finfo(np.float64).tiny)
    graph = csr_matrix((data, (rows, cols)), shape=(n, n))
    distance = shortest_path(graph, method="D", directed=False)
    distance[distance < 1e-300] = 0.0
    if not np.all(np.isfinite(distance)):
        raise ValueError("the graph is not connected")
    return PMedianInstance(name=name, p=p, distance=_frozen(distance))


def _count(token: str, what: str) -> int:
    value = _number(token, what)
    if value != int(value) or value < 0:
        raise ValueError(f"{what} {token!r} is not a whole number")
    return int(value)


def _number(token: str, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise ValueError(f"{what} {token!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} {token!r} is not finite")
    return value
