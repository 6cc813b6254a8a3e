"""``lognet bench vrp``: solve one benchmark file, write its VRPLIB solution, map errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import cli
from logistics.benchmarks import read_vrplib_solution

#: Four customers of demand 4, vehicles of capacity 10, so two routes. The best pair is
#: 0-1-2-0 (10 + 10 + 14.14 → 14 rounded = 34) and 0-3-4-0 (10 + 10 + 20 = 40): 74.
TINY_CVRP = """NAME : tiny4
TYPE : CVRP
DIMENSION : 5
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 0 10
3 10 10
4 10 0
5 20 0
DEMAND_SECTION
1 0
2 4
3 4
4 4
5 4
DEPOT_SECTION
1
-1
EOF
"""


def invoke(args: list[str | Path]) -> Result:
    return CliRunner().invoke(cli.app, [str(a) for a in args])


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny4.vrp"
    path.write_text(TINY_CVRP, encoding="utf-8")
    return path


def test_bench_vrp_writes_the_optimal_solution(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny4.sol"
    result = invoke(["bench", "vrp", tiny, "--out", out, "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    routes, cost = read_vrplib_solution(out)
    assert cost == 74
    assert sorted(sorted(r) for r in routes) == [[1, 2], [3, 4]]
    assert "feasible" in result.stdout


@pytest.mark.parametrize("args", [["--rounding", "ceil"], ["--engine", "nope"]])
def test_bench_vrp_rejects_bad_options_with_exit_2(
    tiny: Path, tmp_path: Path, args: list[str]
) -> None:
    result = invoke(["bench", "vrp", tiny, "--out", tmp_path / "x.sol", *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "x.sol").exists()


def test_bench_vrp_of_a_broken_file_exits_3(tmp_path: Path) -> None:
    broken = tmp_path / "broken.vrp"
    broken.write_text("NAME : broken\nTYPE : CVRP\nDIMENSION : 3\n", encoding="utf-8")
    result = invoke(["bench", "vrp", broken, "--out", tmp_path / "x.sol"])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.sol").exists()
