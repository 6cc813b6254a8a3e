"""lognet's decisions: facility location, vehicle routing and the county pipeline."""

from solvers.benchmark import BenchmarkSolution, solve_benchmark
from solvers.covering_models import solve_lscp, solve_mclp
from solvers.facility import FacilityProblem, FacilityResult, SiteChoice
from solvers.facility_models import solve_cflp, solve_p_center, solve_p_median, solve_ufl
from solvers.location import LocateParams, locate
from solvers.mip import MIP_ENGINES, LinearModel, MipResult, solve_mip
from solvers.p_median_heuristic import PMedianBound, solve_p_median_heuristic
from solvers.pipeline import find_unservable, plan_county
from solvers.routing import ROUTING_ENGINES, RouteParams, route
from solvers.two_tier import TwoTierProblem, TwoTierResult, solve_two_tier

__all__ = [
    "MIP_ENGINES",
    "ROUTING_ENGINES",
    "BenchmarkSolution",
    "FacilityProblem",
    "FacilityResult",
    "LinearModel",
    "LocateParams",
    "MipResult",
    "PMedianBound",
    "RouteParams",
    "SiteChoice",
    "TwoTierProblem",
    "TwoTierResult",
    "find_unservable",
    "locate",
    "plan_county",
    "route",
    "solve_benchmark",
    "solve_cflp",
    "solve_lscp",
    "solve_mclp",
    "solve_mip",
    "solve_p_center",
    "solve_p_median",
    "solve_p_median_heuristic",
    "solve_two_tier",
    "solve_ufl",
]
