"""Shared fixtures: the tiny hand-checkable bundle (see tests/data/tiny/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logistics.bundle import load_scenario
from logistics.scenario import Scenario

DATA = Path(__file__).parent / "data"


@pytest.fixture
def tiny_bundle() -> Path:
    """The folder of the tiny bundle: 7 sites, 7 orders, 4 vehicle types, a road graph.

    Read-only: copy it (``shutil.copytree``) before changing anything.
    """
    return DATA / "tiny"


@pytest.fixture
def tiny_scenario(tiny_bundle: Path) -> Scenario:
    """The tiny bundle, loaded."""
    return load_scenario(tiny_bundle)
