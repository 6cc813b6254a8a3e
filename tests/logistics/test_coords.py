"""Coordinate transforms WGS-84 <-> GCJ-02 <-> BD-09 (logistics.coords)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logistics.coords import (
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    is_outside_china_box,
    to_wgs84,
    wgs84_to_gcj02,
)
from logistics.scenario import Crs


def reference_wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    """The published GCJ-02 formula, written out scalar with :mod:`math` as a cross-check."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y**2 + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x**2 + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    d_lat = d_lat * 180.0 / ((a * (1 - ee)) / (magic * math.sqrt(magic)) * math.pi)
    d_lon = d_lon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def reference_gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    x_pi = math.pi * 3000.0 / 180.0
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def test_tiananmen_shift_matches_the_formula_written_out() -> None:
    """Beijing: GCJ-02 lies about 0.006 deg east and 0.0013 deg north of WGS-84."""
    lon, lat = wgs84_to_gcj02([116.397], [39.908])
    ref_lon, ref_lat = reference_wgs_to_gcj(116.397, 39.908)
    assert lon[0] == pytest.approx(ref_lon, abs=1e-12)
    assert lat[0] == pytest.approx(ref_lat, abs=1e-12)
    assert 0.005 < lon[0] - 116.397 < 0.007
    assert 0.001 < lat[0] - 39.908 < 0.0016


# Published test vectors of googollee/eviltransform (test.py): (wgs lat, lng, gcj lat, lng).
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM)
def test_published_vectors(wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float) -> None:
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert (float(lon), float(lat)) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert (float(back_lon), float(back_lat)) == pytest.approx((wgs_lon, wgs_lat), abs=1e-7)


def test_bd09_matches_the_formula_written_out() -> None:
    lon, lat = gcj02_to_bd09([109.0], [28.4])
    assert (lon[0], lat[0]) == pytest.approx(reference_gcj_to_bd(109.0, 28.4), abs=1e-12)


def test_outside_the_box_nothing_moves() -> None:
    """Tokyo and Paris are outside the GCJ-02 box: the published formulas leave them."""
    lon = np.array([139.767, 2.35])
    lat = np.array([35.681, 48.85])
    assert is_outside_china_box(lon, lat).all()
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        assert out_lon.tolist() == lon.tolist() and out_lat.tolist() == lat.tolist()


def test_shapes_and_nan_pass_through() -> None:
    lon, lat = to_wgs84(np.array([[109.0, np.nan]]), np.array([[28.4, np.nan]]), crs=Crs.BD09)
    assert lon.shape == (1, 2) and np.isnan(lon[0, 1]) and np.isnan(lat[0, 1])
    with pytest.raises(ValueError, match="same shape"):
        to_wgs84([1.0, 2.0], [1.0], crs=Crs.GCJ02)


china_lon = st.floats(min_value=74.0, max_value=134.5)
china_lat = st.floats(min_value=18.0, max_value=53.0)


@given(lon=china_lon, lat=china_lat, crs=st.sampled_from(list(Crs)))
def test_round_trip_inside_china(lon: float, lat: float, crs: Crs) -> None:
    x, y = from_wgs84([lon], [lat], crs=crs)
    back_lon, back_lat = to_wgs84(x, y, crs=crs)
    assert abs(back_lon[0] - lon) < 1e-6 and abs(back_lat[0] - lat) < 1e-6
    if crs is not Crs.WGS84:  # and the offset is real: tens to hundreds of metres
        assert 1e-4 < math.hypot(x[0] - lon, y[0] - lat) < 0.05


@given(lon=china_lon, lat=china_lat)
def test_gcj_inverse_converges_below_1e7(lon: float, lat: float) -> None:
    w_lon, w_lat = gcj02_to_wgs84([lon], [lat])
    f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
    assert abs(f_lon[0] - lon) < 1e-7 and abs(f_lat[0] - lat) < 1e-7
    g_lon, g_lat = bd09_to_gcj02(*gcj02_to_bd09([lon], [lat]))
    assert abs(g_lon[0] - lon) < 1e-7 and abs(g_lat[0] - lat) < 1e-7
