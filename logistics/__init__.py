"""lognet's vocabulary: scenarios, travel matrices, plans, readers, writers and checks.

This package imports none of :mod:`networks`, :mod:`solvers`, networkx, OR-Tools or PuLP.
"""

from logistics.benchmarks import (
    BenchmarkFileError,
    BenchmarkInstance,
    Rounding,
    read_benchmark_instance,
    read_lilim_instance,
    read_vrplib_instance,
    read_vrplib_solution,
    solution_cost,
    solution_routes,
    write_vrplib_solution,
)
from logistics.bundle import load_scenario, save_scenario, scenario_to_frames
from logistics.checker import CheckReport, Violation, check_plan
from logistics.coords import from_wgs84, to_wgs84
from logistics.county import CountyPlan, Kpis
from logistics.demo import demo_bundle_path, make_demo_county, write_demo_bundle
from logistics.errors import LogisticsError, Problem, ScenarioError
from logistics.matrix import TravelMatrix
from logistics.orlib import CapacitatedInstance, PMedianInstance, read_cap, read_pmed
from logistics.osm import DEFAULT_SPEED_KMH, OsmFileError, read_osm_roads
from logistics.outputs import PLAN_FILES, write_plan
from logistics.plans import (
    CostBreakdown,
    LocationPlan,
    Route,
    RoutePlan,
    SolveStatus,
    StopKind,
    Unserved,
    UnservedReason,
    Visit,
)
from logistics.scenario import (
    FACILITY_KINDS,
    SHARED,
    Costs,
    Crs,
    Direction,
    Order,
    Planning,
    Road,
    RoadNode,
    Scenario,
    Site,
    SiteKind,
    SiteStatus,
    SolverSettings,
    Temperature,
    Terrain,
    VehicleType,
)
from logistics.validate import find_problems, validate_scenario

__all__ = [
    "DEFAULT_SPEED_KMH",
    "FACILITY_KINDS",
    "PLAN_FILES",
    "SHARED",
    "BenchmarkFileError",
    "BenchmarkInstance",
    "CapacitatedInstance",
    "CheckReport",
    "CostBreakdown",
    "Costs",
    "CountyPlan",
    "Crs",
    "Direction",
    "Kpis",
    "LocationPlan",
    "LogisticsError",
    "Order",
    "OsmFileError",
    "PMedianInstance",
    "Planning",
    "Problem",
    "Road",
    "RoadNode",
    "Rounding",
    "Route",
    "RoutePlan",
    "Scenario",
    "ScenarioError",
    "Site",
    "SiteKind",
    "SiteStatus",
    "SolveStatus",
    "SolverSettings",
    "StopKind",
    "Temperature",
    "Terrain",
    "TravelMatrix",
    "Unserved",
    "UnservedReason",
    "VehicleType",
    "Violation",
    "Visit",
    "check_plan",
    "demo_bundle_path",
    "find_problems",
    "from_wgs84",
    "load_scenario",
    "make_demo_county",
    "read_benchmark_instance",
    "read_cap",
    "read_lilim_instance",
    "read_osm_roads",
    "read_pmed",
    "read_vrplib_instance",
    "read_vrplib_solution",
    "save_scenario",
    "scenario_to_frames",
    "solution_cost",
    "solution_routes",
    "to_wgs84",
    "validate_scenario",
    "write_demo_bundle",
    "write_plan",
    "write_vrplib_solution",
]
