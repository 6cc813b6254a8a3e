"""Distances on the sphere between WGS-84 lon/lat points.

A county spans a few tens of kilometres, so the spherical model (mean Earth radius) is
well within the accuracy of the road data it is compared with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_M", "haversine_m", "unit_vectors"]

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6371008.8


def haversine_m(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees (broadcasting).

    Examples
    --------
    >>> round(float(haversine_m(109.0, 28.0, 109.0, 29.0)))  # one degree of latitude
    111195
    """
    lam1, phi1, lam2, phi2 = (
        np.radians(np.asarray(x, dtype=np.float64)) for x in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    )
    return np.asarray(
        2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64
    )


def unit_vectors(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Points as unit vectors in 3-D, shape ``(n, 3)``.

    Straight-line (chord) distance between unit vectors grows monotonically with
    great-circle distance, so a k-d tree over them finds true nearest neighbours on the
    sphere without any map projection.
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
