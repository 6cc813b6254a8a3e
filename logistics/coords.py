"""Coordinate transforms between WGS-84, GCJ-02 and BD-09.

Chinese map services publish coordinates in GCJ-02 (the state-mandated offset used by
AMap/Gaode, Tencent and Google China) or BD-09 (Baidu's further offset of GCJ-02); GPS
gives WGS-84. A :class:`~logistics.scenario.Scenario` always holds WGS-84, so readers
convert input with :func:`to_wgs84` at load.

The forward transforms are the published formulas (Krasovsky 1940 ellipsoid,
``a = 6378245``); as they are, points outside the rough bounding box of China
(:func:`is_outside_china_box`) are not offset. The inverses have no closed form and are
solved by fixed-point iteration to better than ``1e-9`` degrees, far inside the ``1e-7``
degrees (about a centimetre) that the data contract asks for.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from logistics.scenario import Crs

__all__ = [
    "bd09_to_gcj02",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "is_outside_china_box",
    "to_wgs84",
    "wgs84_to_gcj02",
]

Array = npt.NDArray[np.float64]
_Forward = Callable[[Array, Array], tuple[Array, Array]]

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, metres
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # Baidu's angular constant
_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 50


def _arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    x = np.array(lon, dtype=np.float64)
    y = np.array(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"lon and lat must have the same shape, not {x.shape} and {y.shape}")
    return x, y


def is_outside_china_box(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether each point lies outside the box where GCJ-02 offsets apply.

    The box (lon 72.004–137.8347, lat 0.8293–55.8271) is the one of the published
    formulas, so results agree with other implementations.
    """
    x, y = _arrays(lon, lat)
    return np.asarray((x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271))


def _offset_deg(lon: Array, lat: Array) -> tuple[Array, Array]:
    """GCJ-02 minus WGS-84 at WGS-84 point ``(lon, lat)``; zero outside the box."""
    x = lon - 105.0
    y = lat - 35.0
    wave = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += wave
    d_lat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += wave
    d_lon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = is_outside_china_box(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 ``(lon, lat)`` of WGS-84 points, in degrees.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02([116.377817], [39.911954])
    >>> print(f"{lon[0]:.6f} {lat[0]:.6f}")
    116.384047 39.913345
    """
    x, y = _arrays(lon, lat)
    d_lon, d_lat = _offset_deg(x, y)
    return x + d_lon, y + d_lat


def _invert(
    forward: _Forward, lon: npt.ArrayLike, lat: npt.ArrayLike, start: tuple[Array, Array]
) -> tuple[Array, Array]:
    """The point that ``forward`` maps to ``(lon, lat)``, by fixed-point iteration.

    The offsets vary slowly (their derivatives are ~1e-4), so each step gains about four
    digits and a few steps reach the tolerance.
    """
    x, y = _arrays(lon, lat)
    u, v = start
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(u, v)
        ex, ey = fx - x, fy - y
        u, v = u - ex, v - ey
        # NaN compares False, so unparseable points do not keep the loop going.
        if not (np.any(np.abs(ex) > _TOLERANCE_DEG) or np.any(np.abs(ey) > _TOLERANCE_DEG)):
            break
    return u, v


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """WGS-84 ``(lon, lat)`` of GCJ-02 points, in degrees (iterative inverse).

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84([116.38404722455657], [39.91334545536069])
    >>> print(f"{lon[0]:.7f} {lat[0]:.7f}")
    116.3778170 39.9119540
    """
    x, y = _arrays(lon, lat)
    d_lon, d_lat = _offset_deg(x, y)
    return _invert(wgs84_to_gcj02, x, y, (x - d_lon, y - d_lat))


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """BD-09 ``(lon, lat)`` of GCJ-02 points, in degrees."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 ``(lon, lat)`` of BD-09 points, in degrees.

    Starts from the usual closed-form approximation (good to about 1e-6 degrees) and
    refines it by fixed-point iteration.
    """
    x, y = _arrays(lon, lat)
    u = x - 0.0065
    v = y - 0.006
    z = np.sqrt(u * u + v * v) - 0.00002 * np.sin(v * _X_PI)
    theta = np.arctan2(v, u) - 0.000003 * np.cos(u * _X_PI)
    return _invert(gcj02_to_bd09, x, y, (z * np.cos(theta), z * np.sin(theta)))


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, *, crs: Crs) -> tuple[Array, Array]:
    """WGS-84 ``(lon, lat)`` of points given in ``crs``, as float64 arrays.

    Examples
    --------
    >>> lon, lat = to_wgs84([109.0], [28.4], crs=Crs.WGS84)
    >>> float(lon[0]), float(lat[0])
    (109.0, 28.4)
    >>> lon, lat = to_wgs84(*from_wgs84([109.0], [28.4], crs=Crs.BD09), crs=Crs.BD09)
    >>> bool(abs(lon[0] - 109.0) < 1e-8 and abs(lat[0] - 28.4) < 1e-8)
    True
    """
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return _arrays(lon, lat)
    if crs is Crs.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def from_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, *, crs: Crs) -> tuple[Array, Array]:
    """``(lon, lat)`` in ``crs`` of WGS-84 points, as float64 arrays."""
    crs = Crs(crs)
    if crs is Crs.WGS84:
        return _arrays(lon, lat)
    if crs is Crs.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
