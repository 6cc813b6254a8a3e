"""Li & Lim pickup-and-delivery (PDPTW) instances in their original text format.

Line 1 holds ``K Q speed`` (vehicles, capacity, speed); then one line per node, ``id x y
demand ready due service pickup_id delivery_id``, node 0 being the depot. A pickup has
``demand > 0`` and names its delivery in the last column; its delivery has the opposite
demand and names the pickup in the second-to-last column.

Each pair ``(p, d)`` becomes one pickup ``"P<p>"`` at site ``p`` with ``destination`` ``d``
(the rest of the mapping is set out in :mod:`logistics.benchmark_instance`). The family's
objective is hierarchical, vehicles first, then unrounded Euclidean distance with travel
time equal to distance; the ``speed`` column is ignored, as in the literature (some files
say 0).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from logistics.benchmark_instance import (
    BenchmarkFileError,
    BenchmarkInstance,
    Rounding,
    build_instance,
)

__all__ = ["read_lilim_instance"]

_COLUMNS = ("id", "x", "y", "demand", "ready", "due", "service", "pickup_id", "delivery_id")


def read_lilim_instance(
    path: str | os.PathLike[str], *, rounding: Rounding | None = None
) -> BenchmarkInstance:
    """Read a Li & Lim PDPTW instance.

    Parameters
    ----------
    path
        The ``.txt`` file; its stem is the instance's name.
    rounding
        The distance convention; by default :attr:`~Rounding.EXACT` (unrounded).

    Raises
    ------
    BenchmarkFileError
        If a line does not have the nine numbers, node ids do not run 0, 1, 2, …, a pair's
        two nodes disagree, or a time lies outside one day.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = "2 10 1\\n0 0 0 0 0 100 0 0 0\\n1 3 4 5 0 50 2 0 2\\n2 0 4 -5 0 60 2 1 0\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "tiny.txt")
    ...     _ = path.write_text(text)
    ...     instance = read_lilim_instance(path)
    >>> order = instance.scenario.orders[0]
    >>> order.order_id, order.site_id, order.destination, instance.vehicles_first
    ('P1', '1', '2', True)
    """
    rows = _rows(path)
    if len(rows) < 2 or len(rows[0][1]) < 2:
        raise BenchmarkFileError(path, "expected 'K Q speed' and then one line per node")
    for line, row in rows[1:]:
        if len(row) != len(_COLUMNS):
            rule = f"line {line} has {len(row)} numbers, not {len(_COLUMNS)} ({' '.join(_COLUMNS)})"
            raise BenchmarkFileError(path, rule)
    header, nodes = rows[0][1], np.asarray([row for _, row in rows[1:]], dtype=np.float64)
    if not np.array_equal(nodes[:, 0], np.arange(len(nodes))):
        raise BenchmarkFileError(path, "node ids must run 0, 1, 2, … in file order")
    vehicles = header[0]
    if not vehicles.is_integer() or vehicles < 0:
        raise BenchmarkFileError(path, f"the vehicle count must be a whole number, not {vehicles}")
    return build_instance(
        path,
        name=Path(path).stem,
        family="pdptw",
        coords=nodes[:, 1:3],
        demand=nodes[:, 3],
        capacity=header[1],
        vehicles=int(vehicles),
        rounding=Rounding.EXACT if rounding is None else rounding,
        vehicles_first=True,
        windows=nodes[:, 4:6],
        service=nodes[:, 6],
        pairs=_pairs(path, nodes),
    )


def _rows(path: str | os.PathLike[str]) -> list[tuple[int, list[float]]]:
    """The numbers of each non-blank line, with its line number."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise BenchmarkFileError(path, "not a text file") from err
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            try:
                rows.append((line, [float(token) for token in raw.split()]))
            except ValueError as err:
                raise BenchmarkFileError(path, f"line {line} holds a non-number") from err
    return rows


def _pairs(path: str | os.PathLike[str], nodes: np.ndarray) -> list[tuple[int, int]]:
    """The (pickup, delivery) pairs in the order of their pickups, checked both ways."""
    n = len(nodes)
    pairs = []
    for p in range(1, n):
        demand, sibling = nodes[p, 3], nodes[p, 8]
        if sibling == 0:
            continue
        d = int(sibling)
        if not (sibling.is_integer() and 0 < d < n):
            raise BenchmarkFileError(path, f"node {p} names delivery {sibling:g}: no such node")
        if nodes[d, 7] != p or nodes[d, 3] != -demand or demand < 0:
            rule = (
                f"pickup {p} (demand {demand:g}) and delivery {d} (demand {nodes[d, 3]:g}, "
                f"pickup {nodes[d, 7]:g}) do not match"
            )
            raise BenchmarkFileError(path, rule)
        pairs.append((p, d))
    paired = {i for pair in pairs for i in pair}
    for i in range(1, n):
        if nodes[i, 7] != 0 and i not in paired:
            rule = f"delivery {i} names pickup {nodes[i, 7]:g}, which does not name it back"
            raise BenchmarkFileError(path, rule)
    return pairs
