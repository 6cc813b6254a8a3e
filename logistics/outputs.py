"""Write a county plan to files: routes.csv, assignments.csv, plan.geojson, summary.json."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from logistics.county import CountyPlan

__all__ = ["PLAN_FILES", "write_plan"]

PLAN_FILES = ("routes.csv", "assignments.csv", "unserved.csv", "plan.geojson", "summary.json")


def write_plan(plan: CountyPlan, folder: str | os.PathLike[str]) -> tuple[Path, ...]:
    """Write the plan's files into ``folder`` (created if needed); returns their paths.

    Files are first written to a temporary folder beside ``folder`` and then moved in, so
    a failure leaves no half-written plan behind.
    """
    out = Path(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as tmp:
        staging = Path(tmp)
        # UTF-8 with a byte-order mark: Excel on Chinese Windows then reads it right.
        for name, frame in (
            ("routes.csv", plan.routes.to_dataframe()),
            ("assignments.csv", plan.location.to_dataframe()),
            ("unserved.csv", plan.routes.unserved_dataframe()),
        ):
            frame.to_csv(staging / name, index=False, encoding="utf-8-sig")
        _write_json(staging / "plan.geojson", plan.to_geojson())
        _write_json(staging / "summary.json", plan.summary())
        out.mkdir(exist_ok=True)
        for name in PLAN_FILES:
            shutil.move(staging / name, out / name)
    return tuple(out / name for name in PLAN_FILES)


def _write_json(path: Path, data: object) -> None:
    with path.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2, allow_nan=False)
        f.write("\n")
