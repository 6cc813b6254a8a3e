"""OR-Library readers: tokens across lines, capacity override, repeated edges, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from logistics.benchmark_instance import BenchmarkFileError
from logistics.orlib import parse_cap, parse_pmed, read_cap, read_pmed

SHARED = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="no shared benchmark data")


def test_cap_numbers_may_run_over_lines() -> None:
    one_line = parse_cap("2 2 10 1 20 2 5 7 8 6 9 4", name="a")
    broken = parse_cap("2\n2\n10 1\n20\n2 5 7\n8\n6 9\n4\n", name="b")
    for field in ("capacity", "fixed_cost", "demand", "cost"):
        assert np.array_equal(getattr(one_line, field), getattr(broken, field))
    assert one_line.cost.tolist() == [[7.0, 9.0], [8.0, 4.0]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "does not start"),
        ("2 2 10 1 20 2 5 7 8 6 9", "need 12 numbers"),
        ("2 2 10 1 20 two 5 7 8 6 9 4", "not a number"),
        ("2 2 10 1 20 2 5 -7 8 6 9 4", "negative"),
        ("2.5 2 10 1 20 2 5 7 8 6 9 4", "whole number"),
    ],
)
def test_broken_cap_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cap(text, name="broken")


def test_repeated_edges_keep_the_last_cost() -> None:
    instance = parse_pmed("3 3 1\n1 2 9\n2 3 1\n2 1 4\n", name="x")
    assert instance.distance[0, 1] == 4.0 and instance.distance[0, 2] == 5.0


def test_a_zero_cost_edge_joins_its_vertices() -> None:
    instance = parse_pmed("3 2 1\n1 2 0\n2 3 3\n", name="x")
    assert instance.distance.tolist() == [[0, 0, 3], [0, 0, 3], [3, 3, 0]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 2\n", "n edges p"),
        ("3 2 4\n1 2 1\n2 3 1\n", "p = 4"),
        ("3 3 1\n1 2 1\n2 3 1\n", "announces 3 edges"),
        ("3 2 1\n1 2 1\n2 5 1\n", "outside"),
        ("4 2 1\n1 2 1\n3 4 1\n", "not connected"),
    ],
)
def test_broken_pmed_text_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pmed(text, name="broken")


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("1 1 oops", encoding="utf-8")
    with pytest.raises(BenchmarkFileError, match=r"bad\.txt"):
        read_cap(path)
    with pytest.raises(BenchmarkFileError, match=r"bad\.txt"):
        read_pmed(path)


@needs_shared
def test_every_shared_file_reads() -> None:
    for path in sorted((SHARED / "cflp").glob("cap*.txt")):
        instance = read_cap(path)
        assert instance.cost.shape == (len(instance.capacity), len(instance.demand))
    assert read_cap(SHARED / "cflp" / "cap41.txt", capacity=1e5).capacity.min() == 1e5
    for path in sorted((SHARED / "pmed").glob("pmed*.txt")):
        instance = read_pmed(path)
        d = instance.distance
        assert np.allclose(d, d.T) and np.all(np.diag(d) == 0)
