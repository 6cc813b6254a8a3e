"""The integer units routing engines compute in, shared by every engine adapter.

Engines count loads, times and costs in integers. lognet scales kg by :data:`KG_SCALE`
and m3 by :data:`M3_SCALE` (amounts rounded up, capacities down), times and distances by
the least power of ten that makes the data whole (:func:`decimal_scale`), and costs by a
power of ten fine enough for every rate (:func:`cost_scale`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FINE_COST", "KG_SCALE", "M3_SCALE", "MAX_COST", "cost_scale", "decimal_scale"]

KG_SCALE = 100
M3_SCALE = 10_000
#: The cost of one time unit of driving is brought to at least this many cost units, so
#: that rounding the rates to integers costs under 1e-4 of the objective.
FINE_COST = 10_000
#: Cost units an objective may reach, far below the 64-bit integers engines compute in.
MAX_COST = 1e15


def decimal_scale(values: npt.ArrayLike) -> int | None:
    """The least of 1, 10 and 100 that makes every value whole, if any.

    >>> decimal_scale([1.5, 2.0]), decimal_scale([0.25]), decimal_scale([1 / 3])
    (10, 100, None)
    """
    array = np.asarray(values, dtype=np.float64)
    for scale in (1, 10, 100):
        scaled = array * scale
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return scale
    return None


def cost_scale(rates: list[float], *, driving: float, bound: float) -> int:
    """Cost units per currency unit: a power of ten that makes every rate whole if one
    does before driving one time unit costs :data:`FINE_COST` units, else the first that
    gets there; never so large that an objective could pass :data:`MAX_COST`.

    >>> cost_scale([0.5, 2.0], driving=0.5, bound=1e6), cost_scale([1 / 3], driving=1.0, bound=1e6)
    (10, 10000)
    """
    ceiling = max(MAX_COST / max(bound, 1.0), 1.0)
    scale = 1
    while scale * 10 <= ceiling:
        if all(abs(r * scale - round(r * scale)) <= 1e-9 * max(1.0, abs(r * scale)) for r in rates):
            return scale
        if driving * scale >= FINE_COST:
            return scale
        scale *= 10
    return scale
