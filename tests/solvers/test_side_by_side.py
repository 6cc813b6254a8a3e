"""Side-by-side runs in forked processes: results in task order, a failing child raises,
a child that overruns is given up."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest
from _fixtures import location_plan
from test_pyvrp_engine import six_deliveries

from solvers.routing import RouteParams, route
from solvers.side_by_side import available_workers, run_side_by_side

two_cores = pytest.mark.skipif(available_workers() < 2, reason="needs two cores")


def _pid() -> int:
    return os.getpid()


def _square(x: int) -> int:
    return x * x


def _fail() -> int:
    raise ValueError("broken task")


def _sleep() -> int:
    time.sleep(60)
    return 1


def test_results_come_back_in_task_order() -> None:
    tasks = [lambda x=x: _square(x) for x in range(5)]
    assert run_side_by_side(tasks, workers=2, timeout_s=10) == [0, 1, 4, 9, 16]


def test_one_worker_runs_every_task_in_this_process() -> None:
    assert run_side_by_side([_pid, _pid, _pid], workers=1, timeout_s=10) == [os.getpid()] * 3


@two_cores
def test_the_other_tasks_run_in_children() -> None:
    here, there = run_side_by_side([_pid, _pid], workers=2, timeout_s=10)
    assert here == os.getpid()
    assert there not in (None, os.getpid())


@two_cores
def test_a_failing_child_raises_with_its_traceback() -> None:
    with pytest.raises(RuntimeError, match="broken task"):
        run_side_by_side([_pid, _fail], workers=2, timeout_s=10)


@two_cores
def test_a_child_that_overruns_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvers.side_by_side.GRACE_S", 0.5)
    t0 = time.perf_counter()
    assert run_side_by_side([_pid, _sleep], workers=2, timeout_s=0.5)[1] is None
    assert time.perf_counter() - t0 < 30


@pytest.mark.parametrize(
    "params",
    [
        RouteParams(time_limit_s=30, engine="pyvrp", max_iterations=50, seed=3),
        RouteParams(time_limit_s=30, engine="ortools", solution_limit=20),
    ],
    ids=["pyvrp", "ortools"],
)
def test_a_deterministic_run_gives_one_plan_with_any_number_of_workers(
    params: RouteParams,
) -> None:
    """The portfolio of a deterministic run does not depend on the cores it runs on."""
    scenario, matrix = six_deliveries()
    location = location_plan(scenario)
    plans = [route(scenario, matrix, location, replace(params, workers=w)) for w in (1, 2)]
    assert plans[0].routes == plans[1].routes
