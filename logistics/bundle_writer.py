"""Writing a :class:`~logistics.scenario.Scenario` as a bundle (DESIGN.md §3).

The bundle reads back, with :func:`logistics.bundle.load_scenario`, to an equal
scenario: floats are written as their shortest exact text (``repr``), times as ``HH:MM``
(``HH:MM:SS`` when they have seconds), optional values left out as empty cells, and
coordinates in WGS-84.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from logistics.cells import CellKind, format_time
from logistics.scenario import Scenario
from logistics.scenario_toml import SETTINGS_FILE, format_settings
from logistics.table_files import write_csv, write_parquet, write_xlsx
from logistics.tables import TABLES, TableSchema

__all__ = ["TABLE_FORMATS", "WORKBOOK_FILE", "save_scenario", "scenario_to_frames"]

#: Values of ``table_format``: one file per table (CSV, Parquet) or one Excel workbook.
TABLE_FORMATS = ("csv", "parquet", "xlsx")

#: The workbook :func:`save_scenario` writes for ``table_format="xlsx"``.
WORKBOOK_FILE = "tables.xlsx"

_ARROW_TYPES = {
    CellKind.ID: pa.string(),
    CellKind.TEXT: pa.string(),
    CellKind.ENUM: pa.string(),
    CellKind.TIME: pa.string(),
    CellKind.FLOAT: pa.float64(),
    CellKind.INT: pa.int64(),
    CellKind.BOOL: pa.bool_(),
}


def _tables_of(scenario: Scenario) -> dict[str, tuple[Any, ...]]:
    tables: dict[str, tuple[Any, ...]] = {
        "sites": scenario.sites,
        "orders": scenario.orders,
        "fleet": scenario.fleet,
    }
    if scenario.road_nodes or scenario.roads:
        tables["road_nodes"] = scenario.road_nodes
        tables["roads"] = scenario.roads
    return tables


def _dtype(schema: TableSchema, name: str) -> str:
    column = next(c for c in schema.columns if c.name == name)
    if column.kind is CellKind.FLOAT:
        return "float64"
    if column.kind is CellKind.INT:
        return "int64" if column.required else "Int64"
    if column.kind is CellKind.BOOL:
        return "bool"
    if column.kind is CellKind.TIME:
        return "object"
    return "string"


def scenario_to_frames(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The scenario's tables as data frames, one column per contract column.

    Road tables are included only when the scenario has a road graph. Missing optional
    values are ``NA``; times of day are :class:`datetime.time`; enums are their text.

    Examples
    --------
    >>> from logistics.scenario import Scenario, Site, SiteKind
    >>> wh = Site("W", "县仓", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4)
    >>> frames = scenario_to_frames(Scenario(name="t", sites=(wh,), orders=(), fleet=()))
    >>> list(frames), frames["sites"].loc[0, "kind"]
    (['sites', 'orders', 'fleet'], 'county_warehouse')
    """
    frames: dict[str, pd.DataFrame] = {}
    for name, records in _tables_of(scenario).items():
        schema = TABLES[name]
        data: dict[str, pd.Series[Any]] = {}
        for column in schema.columns:
            values = [getattr(r, column.name) for r in records]
            if column.kind is CellKind.ENUM:
                values = [v.value for v in values]
            data[column.name] = pd.Series(values, dtype=_dtype(schema, column.name))
        frames[name] = pd.DataFrame(data, columns=[c.name for c in schema.columns])
    return frames


def _plain(value: Any) -> Any:
    """A frame cell as a plain Python value, ``None`` when missing."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.time):
        return format_time(value)
    return str(value)


def _as_excel(value: Any) -> Any:
    if isinstance(value, dt.time):
        return format_time(value)
    # openpyxl writes numbers with 16 significant digits; the few floats that need 17
    # go in as text so that they read back exactly.
    if isinstance(value, float) and float(f"{value:.16g}") != value:
        return repr(value)
    return value


def _as_arrow(value: Any) -> Any:
    return format_time(value) if isinstance(value, dt.time) else value


def save_scenario(
    scenario: Scenario,
    folder: str | os.PathLike[str],
    *,
    table_format: str = "csv",
    overwrite: bool = False,
) -> Path:
    """Write ``scenario`` as a bundle in ``folder`` and return the folder.

    ``table_format`` is ``"csv"`` (UTF-8), ``"parquet"`` (one file per table) or
    ``"xlsx"`` (one workbook, one sheet per table). Coordinates are written in WGS-84.

    Raises
    ------
    FileExistsError
        If ``folder`` exists and is not empty, unless ``overwrite`` is true (files of the
        same names are then replaced; others are left alone).
    ValueError
        For an unknown ``table_format``.

    Examples
    --------
    >>> import tempfile
    >>> from logistics.scenario import Scenario, Site, SiteKind
    >>> wh = Site("W", "县仓", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4)
    >>> s = Scenario(name="tiny", sites=(wh,), orders=(), fleet=())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sorted(p.name for p in save_scenario(s, folder).iterdir())
    ['fleet.csv', 'orders.csv', 'scenario.toml', 'sites.csv']
    """
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"table_format must be one of {TABLE_FORMATS}, not {table_format!r}")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    files = _write_tables(scenario, out, table_format)
    (out / SETTINGS_FILE).write_text(format_settings(scenario, files), encoding="utf-8")
    return out


def _write_tables(scenario: Scenario, out: Path, table_format: str) -> dict[str, str]:
    """Write the tables in ``table_format``; return the ``[files]`` of scenario.toml."""
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for name, frame in scenario_to_frames(scenario).items():
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        tables[name] = (list(frame.columns), rows)
    if table_format == "xlsx":
        sheets = {
            name: (header, [[_as_excel(v) for v in row] for row in rows])
            for name, (header, rows) in tables.items()
        }
        write_xlsx(out / WORKBOOK_FILE, sheets)
        return {"workbook": WORKBOOK_FILE}
    files: dict[str, str] = {}
    for name, (header, rows) in tables.items():
        files[name] = f"{name}.{table_format}"
        if table_format == "csv":
            write_csv(out / files[name], header, [[_as_text(v) for v in row] for row in rows])
        else:
            types = [_ARROW_TYPES[c.kind] for c in TABLES[name].columns]
            cells = [[_as_arrow(v) for v in row] for row in rows]
            write_parquet(out / files[name], header, types, cells)
    return files
