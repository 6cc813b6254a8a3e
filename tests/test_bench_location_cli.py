"""``lognet bench cflp`` and ``lognet bench pmed``: solve one OR-Library file, write the
JSON result, map errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import cli

#: Two sites of capacity 10 opening for 5 each; customers of demand 4, 3 and 8 (15 in
#: all, so both open), costing [1, 3, 4] from site 0 and [2, 1, 2] from site 1. Single
#: source: 0 to site 0, 1 to site 0, 2 to site 1: 10 + 1 + 3 + 2 = 16. Split: site 1
#: takes all of 1 (saves 2/3 per unit) and 7 of 8 units of 2 (saves 1/4 per unit):
#: 10 + 1 + 1 + 2 * 7/8 + 4 * 1/8 = 14.25. Numbers break across lines, as in OR-Library.
TINY_CAP = "2 3\n10 5\n10 5\n4 1 2\n3 3\n1 8 4 2\n"
#: A path 1-2-3-4 (edge 1-2 listed twice: the last cost, 1, counts); p = 1: vertex 2
#: or 3 is the median, 1 + 0 + 2 + 3 = 6 from vertex 2, 3 + 2 + 0 + 1 = 6 from vertex 3.
TINY_PMED = "4 4 1\n1 2 7\n2 3 2\n3 4 1\n1 2 1\n"


def invoke(args: list[str | Path]) -> Result:
    return CliRunner().invoke(cli.app, [str(a) for a in args])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("extra", "objective"), [([], 14.25), (["--single-source"], 16.0)])
def test_bench_cflp_writes_the_optimum(tmp_path: Path, extra: list[str], objective: float) -> None:
    cap = write(tmp_path, "tiny.txt", TINY_CAP)
    out = tmp_path / "tiny.json"
    result = invoke(["bench", "cflp", cap, "--out", out, "--time-limit", "10", *extra])
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["status"] == "optimal"
    assert answer["open"] == [0, 1]
    assert answer["objective"] == pytest.approx(objective)
    assert answer["bound"] == pytest.approx(objective)
    assert answer["runtime_s"] > 0
    served = {}
    for customer, _, fraction in answer["assignment"]:
        served[customer] = served.get(customer, 0.0) + fraction
    assert served == pytest.approx({0: 1.0, 1: 1.0, 2: 1.0})


def test_bench_cflp_capacity_override_lets_one_site_serve_all(tmp_path: Path) -> None:
    cap = write(tmp_path, "tiny.txt", TINY_CAP)
    out = tmp_path / "tiny.json"
    result = invoke(["bench", "cflp", cap, "--out", out, "--capacity", "100"])
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["open"] == [1] and answer["objective"] == pytest.approx(5 + 2 + 1 + 2)


def test_bench_pmed_writes_the_median(tmp_path: Path) -> None:
    pmed = write(tmp_path, "tiny.txt", TINY_PMED)
    out = tmp_path / "tiny.json"
    result = invoke(["bench", "pmed", pmed, "--out", out])
    assert result.exit_code == 0, result.output
    answer = json.loads(out.read_text(encoding="utf-8"))
    assert answer["objective"] == pytest.approx(6.0)
    assert answer["open"] in ([1], [2])


@pytest.mark.parametrize("command", ["cflp", "pmed"])
def test_a_broken_file_exits_3_and_writes_nothing(tmp_path: Path, command: str) -> None:
    broken = write(tmp_path, "broken.txt", "2 3\n10 five\n")
    out = tmp_path / "x.json"
    result = invoke(["bench", command, broken, "--out", out])
    assert result.exit_code == 3
    assert "broken.txt" in result.output
    assert not out.exists()


def test_an_unknown_engine_exits_2(tmp_path: Path) -> None:
    cap = write(tmp_path, "tiny.txt", TINY_CAP)
    result = invoke(["bench", "cflp", cap, "--out", tmp_path / "x.json", "--engine", "gurobi"])
    assert result.exit_code == 2
