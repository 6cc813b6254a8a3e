"""Public benchmarks (VRPLIB CVRP and VRPTW, Li & Lim PDPTW) as lognet scenarios.

Every reader funnels into a :class:`BenchmarkInstance`: a validated
:class:`~logistics.scenario.Scenario` plus the :class:`~logistics.matrix.TravelMatrix` of
the family's distance convention (:class:`Rounding`), so the solvers and the checker run on
benchmarks as on county bundles. Solutions go back out by instance node index in the VRPLIB
solution format.

=====================  =========  ======================  ================
family                 reader     default ``rounding``    vehicles first
=====================  =========  ======================  ================
``cvrp`` (X)           VRPLIB     ``ROUND`` (nint)        no
``vrptw`` (Solomon)    VRPLIB     ``TRUNCATE_1``          no
``pdptw`` (Li & Lim)   Li & Lim   ``EXACT``               yes
=====================  =========  ======================  ================

The mapping of nodes, times and orders is set out in :mod:`logistics.benchmark_instance`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

from logistics.benchmark_instance import (
    BenchmarkFileError,
    BenchmarkInstance,
    Rounding,
    arc_lengths,
)
from logistics.lilim_io import read_lilim_instance
from logistics.plans import RoutePlan, StopKind
from logistics.vrplib_io import read_vrplib_instance, read_vrplib_solution, write_vrplib_solution

__all__ = [
    "BenchmarkFileError",
    "BenchmarkInstance",
    "Rounding",
    "arc_lengths",
    "read_benchmark_instance",
    "read_lilim_instance",
    "read_vrplib_instance",
    "read_vrplib_solution",
    "solution_cost",
    "solution_routes",
    "write_vrplib_solution",
]

_VRPLIB_SUFFIXES = frozenset({".vrp", ".vrptw"})


def read_benchmark_instance(
    path: str | os.PathLike[str], *, rounding: Rounding | None = None
) -> BenchmarkInstance:
    """Read a VRPLIB (``.vrp``) or Li & Lim (``.txt``) instance, told apart by content.

    A file whose first line is three numbers (``K Q speed``) is Li & Lim; any other is
    read as VRPLIB. ``rounding`` overrides the family's default convention.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> text = "2 10 1\\n0 0 0 0 0 100 0 0 0\\n1 3 4 5 0 50 2 0 2\\n2 0 4 -5 0 60 2 1 0\\n"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder, "tiny.txt")
    ...     _ = path.write_text(text)
    ...     instance = read_benchmark_instance(path)
    >>> instance.family, instance.rounding
    ('pdptw', <Rounding.EXACT: 'exact'>)
    """
    if Path(path).suffix.lower() in _VRPLIB_SUFFIXES or not _looks_like_lilim(path):
        return read_vrplib_instance(path, rounding=rounding)
    return read_lilim_instance(path, rounding=rounding)


def _looks_like_lilim(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, encoding="utf-8") as lines:
            first = next((line for line in lines if line.strip()), "")
    except UnicodeDecodeError as err:
        raise BenchmarkFileError(path, "not a text file") from err
    tokens = first.split()
    try:
        [float(t) for t in tokens]
    except ValueError:
        return False
    return len(tokens) == 3


def solution_routes(instance: BenchmarkInstance, plan: RoutePlan) -> list[list[int]]:
    """The routes of ``plan`` as instance node indices, one list per trip.

    The depot is not listed and a stop at the same site as the one before it (a drop and a
    pickup at one node) is listed once; trips that serve nothing are left out. Pass the
    result to :func:`write_vrplib_solution`.

    Raises
    ------
    ValueError
        If the plan visits a site that is not a node of ``instance``.

    Examples
    --------
    >>> from logistics.benchmark_instance import build_instance
    >>> from logistics.plans import CostBreakdown, Route, SolveStatus, Visit
    >>> instance = build_instance("tiny", name="tiny", family="cvrp",
    ...     coords=[[0, 0], [0, 3], [4, 0]], demand=[0, 1, 1], capacity=5, vehicles=2,
    ...     rounding=Rounding.EXACT, vehicles_first=False)
    >>> stops = [("0", StopKind.START), ("2", StopKind.DELIVERY), ("1", StopKind.DELIVERY),
    ...          ("0", StopKind.END)]
    >>> visits = tuple(Visit(site, kind, None, 0.0, 0.0, 0.0, 0.0, 0.0, 0) for site, kind in stops)
    >>> route = Route("vehicle#1", "vehicle", 1, visits, 12.0)
    >>> plan = RoutePlan((route,), (), SolveStatus.FEASIBLE, CostBreakdown(), 12.0, 0.0, "hand")
    >>> solution_routes(instance, plan)
    [[2, 1]]
    """
    index = {site_id: i for i, site_id in enumerate(instance.node_ids)}
    depot = instance.node_ids[0]
    routes = []
    for route in plan.routes:
        nodes: list[int] = []
        for visit in route.visits:
            if visit.kind in (StopKind.START, StopKind.END) or visit.site_id == depot:
                continue
            if visit.site_id not in index:
                raise ValueError(f"site {visit.site_id!r} is not a node of {instance.name}")
            node = index[visit.site_id]
            if not nodes or nodes[-1] != node:
                nodes.append(node)
        if nodes:
            routes.append(nodes)
    return routes


def solution_cost(instance: BenchmarkInstance, routes: Sequence[Sequence[int]]) -> float:
    """Total length of ``routes`` (node indices, depot not listed) under the instance's matrix.

    Each route starts and ends at the depot, node 0.

    Examples
    --------
    >>> from logistics.benchmark_instance import build_instance
    >>> instance = build_instance("tiny", name="tiny", family="cvrp",
    ...     coords=[[0, 0], [0, 3], [4, 0]], demand=[0, 1, 1], capacity=5, vehicles=2,
    ...     rounding=Rounding.EXACT, vehicles_first=False)
    >>> solution_cost(instance, [[2, 1]]), solution_cost(instance, [[1], [2]])
    (12.0, 14.0)
    """
    d = instance.matrix.distance_m
    total = 0.0
    for route in routes:
        total += float(sum(d[a, b] for a, b in itertools.pairwise([0, *route, 0])))
    return total
