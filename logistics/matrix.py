"""The travel matrix between sites, built by :mod:`networks`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["TravelMatrix"]


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Road distance and travel time from every site to every other.

    ``distance_m[i, j]`` and ``duration_s[i, j]`` run from ``site_ids[i]`` to
    ``site_ids[j]`` along the fastest road path; ``inf`` where no road leads. Arrays are
    read-only float64 copies.

    Examples
    --------
    >>> m = TravelMatrix(("a", "b"), [[0, 1000], [1000, 0]], [[0, 60], [60, 0]])
    >>> float(m.duration_s[m.index("a"), m.index("b")])
    60.0
    """

    site_ids: tuple[str, ...]
    distance_m: npt.NDArray[np.float64]
    duration_s: npt.NDArray[np.float64]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = tuple(self.site_ids)
        n = len(ids)
        if len(set(ids)) != n:
            raise ValueError("TravelMatrix site_ids must be unique")
        object.__setattr__(self, "site_ids", ids)
        for name in ("distance_m", "duration_s"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            if arr.shape != (n, n):
                raise ValueError(f"{name} must have shape ({n}, {n}), not {arr.shape}")
            if np.isnan(arr).any() or (arr < 0).any():
                raise ValueError(f"{name} must hold non-negative numbers or inf")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "_index", {s: i for i, s in enumerate(ids)})

    def index(self, site_id: str) -> int:
        """Row/column of ``site_id``."""
        return self._index[site_id]

    def __contains__(self, site_id: object) -> bool:
        return site_id in self._index

    def submatrix(self, site_ids: tuple[str, ...]) -> TravelMatrix:
        """The matrix restricted (and reordered) to ``site_ids``."""
        idx = np.array([self._index[s] for s in site_ids], dtype=np.intp)
        return TravelMatrix(
            site_ids,
            self.distance_m[np.ix_(idx, idx)],
            self.duration_s[np.ix_(idx, idx)],
        )
