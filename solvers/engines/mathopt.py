"""OR-Tools MathOpt adapter for :class:`solvers.mip.LinearModel` (HiGHS and SCIP).

MathOpt bundles its own HiGHS, so lognet never installs ``highspy`` beside OR-Tools (the
two crash in one process).
"""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import numpy.typing as npt
from ortools.math_opt import model_pb2, result_pb2, solution_pb2
from ortools.math_opt.core.python import solver as core
from ortools.math_opt.python import callback, init_arguments, mathopt, model_parameters
from ortools.math_opt.solvers import highs_pb2

from logistics.plans import SolveStatus
from solvers.mip import LinearModel, MipResult

__all__ = ["solve_with_mathopt"]

_SOLVERS = {"highs": mathopt.SolverType.HIGHS, "scip": mathopt.SolverType.GSCIP}
#: HiGHS's heuristics that ``mip_heuristic_effort = 0`` leaves running.
_HIGHS_HEURISTICS = ("rins", "rens", "root_reduced_cost", "zi_round")
#: HiGHS's dual simplex pricing for models with no integer variable: Dantzig's rule
#: (0). On the strong relaxations of OR-Library's cap instances (50 × 50) it took half
#: the time of HiGHS's own choice; in its MIPs it made no difference.
_LP_PRICING = 0


def solve_with_mathopt(
    model: LinearModel,
    *,
    solver: str,
    time_limit_s: float,
    seed: int,
    relative_gap: float,
    cutoff: float | None = None,
    heuristics: bool = True,
    presolve: bool = True,
) -> MipResult:
    """Solve ``model`` with MathOpt's HiGHS or SCIP; with a ``cutoff``, only solutions
    below it are sought (HiGHS's ``objective_bound``, SCIP's cutoff), and when there are
    none the result is INFEASIBLE with the cutoff as its bound. ``heuristics=False``
    turns the solver's primal heuristics off, ``presolve=False`` its presolve. A model
    with no integer variable solved to optimality by HiGHS comes with its row duals."""
    t0 = time.perf_counter()
    engine = f"mathopt-{solver}"
    rows, cols, coefficients, lows, highs = model.triplets()
    if np.any(lows > highs):  # MathOpt refuses such a row outright
        runtime_s = time.perf_counter() - t0
        return MipResult(SolveStatus.INFEASIBLE, np.empty(0), math.inf, math.inf, runtime_s, engine)
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=max(time_limit_s - (time.perf_counter() - t0), 0.05)),
        relative_gap_tolerance=relative_gap,
        absolute_gap_tolerance=1e-9,
        random_seed=seed,
    )
    if not presolve:
        params.presolve = mathopt.Emphasis.OFF
    if solver == "highs":
        numbers = {} if cutoff is None else {"objective_bound": cutoff - model.offset}
        switches = {}
        if not heuristics:
            numbers["mip_heuristic_effort"] = 0.0
            switches = {f"mip_heuristic_run_{h}": False for h in _HIGHS_HEURISTICS}
        pricing = {} if any(model.integer) else {"simplex_dual_edge_weight_strategy": _LP_PRICING}
        params.highs = highs_pb2.HighsOptionsProto(
            double_options=numbers, bool_options=switches, int_options=pricing
        )
    else:
        if cutoff is not None:
            params.cutoff_limit = cutoff - model.offset
        if not heuristics:
            params.heuristics = mathopt.Emphasis.OFF
    # The proto-level call: no Python object per variable on the way in or out.
    answer = core.solve(
        _proto(model, rows, cols, coefficients, lows, highs),
        _SOLVERS[solver].value,
        init_arguments.StreamableSolverInitArguments().to_proto(),
        params.to_proto(),
        model_parameters.ModelSolveParameters().to_proto(),
        None,
        callback.CallbackRegistration().to_proto(),
        None,
        None,
    )
    reason = answer.termination.reason
    runtime_s = time.perf_counter() - t0
    bound = float(answer.termination.objective_bounds.dual_bound) + model.offset
    cut = answer.termination.limit == result_pb2.LIMIT_CUTOFF
    if reason == result_pb2.TERMINATION_REASON_INFEASIBLE or cut:
        floor = math.inf if cutoff is None else cutoff
        return MipResult(SolveStatus.INFEASIBLE, np.empty(0), math.inf, floor, runtime_s, engine)
    feasible = [
        s.primal_solution
        for s in answer.solutions
        if s.HasField("primal_solution")
        and s.primal_solution.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE
    ]
    if not feasible:
        return MipResult(SolveStatus.NOT_SOLVED, np.empty(0), math.inf, bound, runtime_s, engine)
    best = feasible[0]
    values = np.zeros(model.n_vars)
    values[np.array(best.variable_values.ids, dtype=np.int64)] = best.variable_values.values
    objective = float(best.objective_value) + model.offset
    gap = abs(objective - bound) / max(abs(objective), 1e-9)
    optimal = reason == result_pb2.TERMINATION_REASON_OPTIMAL and gap <= relative_gap + 1e-12
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE
    duals = np.empty(0)
    if optimal and solver == "highs" and answer.solutions[0].HasField("dual_solution"):
        row_duals = answer.solutions[0].dual_solution.dual_values
        duals = np.zeros(len(lows))
        duals[np.array(row_duals.ids, dtype=np.int64)] = row_duals.values
    return MipResult(status, values, objective, bound, runtime_s, engine, duals)


def _proto(
    model: LinearModel,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    coefficients: npt.NDArray[np.float64],
    lows: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
) -> model_pb2.ModelProto:
    """``model`` (its rows as :meth:`LinearModel.triplets`) as a MathOpt model proto,
    built from flat arrays: far faster than adding rows one expression at a time."""
    proto = model_pb2.ModelProto(name="lognet")
    n = model.n_vars
    proto.variables.ids.extend(range(n))
    proto.variables.lower_bounds.extend(model.lb)
    proto.variables.upper_bounds.extend(model.ub)
    proto.variables.integers.extend(model.integer)
    costs = np.asarray(model.cost, dtype=np.float64)
    nonzero = np.flatnonzero(costs)
    proto.objective.linear_coefficients.ids.extend(nonzero.tolist())
    proto.objective.linear_coefficients.values.extend(costs[nonzero].tolist())
    # The proto wants each row's columns sorted and once: sort, then add repeats up.
    order = np.lexsort((cols, rows))
    rows, cols, coefficients = rows[order], cols[order], coefficients[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    starts = np.flatnonzero(first)
    coefficients = np.add.reduceat(coefficients, starts) if len(starts) else coefficients
    rows, cols = rows[starts], cols[starts]
    keep = coefficients != 0.0
    rows, cols, coefficients = rows[keep], cols[keep], coefficients[keep]
    proto.linear_constraints.ids.extend(range(len(lows)))
    proto.linear_constraints.lower_bounds.extend(lows.tolist())
    proto.linear_constraints.upper_bounds.extend(highs.tolist())
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(rows.tolist())
    matrix.column_ids.extend(cols.tolist())
    matrix.coefficients.extend(coefficients.tolist())
    return proto
