"""Run a few independent solves at once, one per core, in forked processes.

Solver objects (OR-Tools models, PyVRP data) cannot be pickled, so each task is a
closure that builds its own model: a forked child inherits the closure and everything it
refers to, runs it, and sends back only the (picklable) result. The first task runs in
this process, so one core's worth of work never pays for a fork.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar

__all__ = ["available_workers", "run_side_by_side"]

T = TypeVar("T")
#: Seconds a child may overrun the parent's own task before it is given up.
GRACE_S = 5.0


def available_workers() -> int:
    """Processes this one may run at once: the cores it may use, or 1 where it cannot
    start children (a daemonic process, such as a worker of a process pool, or a platform
    without ``fork``)."""
    if multiprocessing.current_process().daemon:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(len(os.sched_getaffinity(0)), 1)


def run_side_by_side(
    tasks: Sequence[Callable[[], T]], *, workers: int, timeout_s: float
) -> list[T | None]:
    """Each task's result, in order, running up to ``workers`` at once.

    Tasks run in waves of ``workers``: the first of a wave here, the others in forked
    children. A child that has not answered ``timeout_s`` + :data:`GRACE_S` after its
    wave began is stopped and its result is ``None``; an exception in a child is raised
    here, with the child's traceback in its message.
    """
    workers = max(1, min(workers, available_workers()))
    results: list[T | None] = []
    for first in range(0, len(tasks), workers):
        results.extend(_wave(tasks[first : first + workers], timeout_s))
    return results


def _wave(tasks: Sequence[Callable[[], T]], timeout_s: float) -> list[T | None]:
    if len(tasks) == 1:
        return [tasks[0]()]
    context = multiprocessing.get_context("fork")
    deadline = time.monotonic() + timeout_s + GRACE_S
    children = []
    for task in tasks[1:]:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(task, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    try:
        own = tasks[0]()
        results: list[T | None] = [own]
        for _, receive in children:
            results.append(_collect(receive, max(deadline - time.monotonic(), 0.0)))
    finally:
        for child, receive in children:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join()
    return results


def _child(task: Callable[[], object], send: Connection) -> None:
    try:
        send.send(("ok", task()))
    except BaseException:  # everything goes back to the parent, which raises it
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def _collect(receive: Connection, timeout_s: float) -> T | None:
    if not receive.poll(timeout_s):
        return None
    try:
        status, value = receive.recv()
    except EOFError:  # the child died without answering (killed, out of memory)
        return None
    if status == "error":
        raise RuntimeError(f"a side-by-side solve failed:\n{value}")
    return value
