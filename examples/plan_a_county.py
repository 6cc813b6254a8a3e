"""Plan a county from Python, as in a notebook: three imports, one bundle, one plan.

    python examples/plan_a_county.py [BUNDLE]

Without BUNDLE it plans a small synthetic county made by the demo generator.
"""

from __future__ import annotations

import sys

import logistics
import networks
import solvers


def main() -> None:
    if len(sys.argv) > 1:
        scenario = logistics.load_scenario(sys.argv[1])
    else:
        scenario = logistics.make_demo_county(villages=60, townships=6, seed=7)

    matrix = networks.travel_matrix(scenario)  # metres and seconds along the fastest roads
    plan = solvers.plan_county(scenario, time_limit_s=20, seed=0)

    print(plan.kpis().to_dict())
    print(plan.location.to_dataframe().groupby("facility_id").size())  # villages per hub
    print(plan.routes.to_dataframe().head(12))
    for u in plan.routes.unserved:
        print(f"unserved {u.order_id}: {u.reason} ({u.detail})")

    # The independent checker recomputes every cost and lists every broken rule.
    report = logistics.check_plan(scenario, matrix, plan.routes, plan.location)
    print("checker:", report.summary())


if __name__ == "__main__":
    main()
