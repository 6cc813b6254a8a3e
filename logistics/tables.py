"""The bundle's tables: their column schemas, and parsing a table into records (DESIGN.md §3).

The rules that involve a whole record or several tables live in :mod:`logistics.validate`;
here each row becomes a record, cell by cell (:mod:`logistics.cells`).

A cell that cannot be parsed is reported and replaced by a *stand-in*, a harmless value
chosen so that the record can still be built and checked by the record-level rules
without producing follow-on findings (for example a site whose ``kind`` is misspelt stands
in as a county warehouse, so fleets based there are not also reported).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from logistics.cells import CellError, CellKind, is_empty_cell, parse_cell, show_cell
from logistics.errors import Problem
from logistics.scenario import (
    Direction,
    Order,
    Road,
    RoadNode,
    Site,
    SiteKind,
    SiteStatus,
    Temperature,
    VehicleType,
)

__all__ = [
    "TABLES",
    "Column",
    "ParsedTable",
    "RawTable",
    "TableSchema",
    "parse_table",
]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table: its name, kind, whether required, and its stand-in."""

    name: str
    kind: CellKind
    required: bool = False
    choices: type[enum.StrEnum] | None = None
    stand_in: Any = None


@dataclass(frozen=True, slots=True)
class TableSchema:
    """A table of the bundle: the record type it holds and its columns in contract order."""

    name: str
    record: type[Any]
    id_column: str
    columns: tuple[Column, ...]

    def defaults(self) -> dict[str, Any]:
        """Values of optional columns when their cell or column is absent."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self.record):
            if f.default is not dataclasses.MISSING:
                out[f.name] = f.default
        return out


def _id(name: str) -> Column:
    return Column(name, CellKind.ID, required=True, stand_in="")


def _number(name: str, *, required: bool = False, stand_in: float = 1.0) -> Column:
    return Column(name, CellKind.FLOAT, required=required, stand_in=stand_in)


def _whole(name: str, *, required: bool = False) -> Column:
    return Column(name, CellKind.INT, required=required, stand_in=1)


def _time(name: str) -> Column:
    return Column(name, CellKind.TIME, stand_in=None)


def _choice(name: str, choices: type[enum.StrEnum], stand_in: enum.StrEnum, **kw: bool) -> Column:
    return Column(name, CellKind.ENUM, choices=choices, stand_in=stand_in, **kw)


# Stand-ins are the most permissive values (a facility kind, a pickup, a point in China),
# so that a cell already reported does not also trip a rule elsewhere.
SITES = TableSchema(
    "sites",
    Site,
    "site_id",
    (
        _id("site_id"),
        Column("name", CellKind.TEXT, required=True, stand_in=""),
        _choice("kind", SiteKind, SiteKind.COUNTY_WAREHOUSE, required=True),
        _number("lon", required=True, stand_in=105.0),
        _number("lat", required=True, stand_in=35.0),
        Column("township", CellKind.TEXT, stand_in=""),
        _choice("status", SiteStatus, SiteStatus.EXISTING),
        _number("capacity_kg"),
        _number("cold_capacity_kg"),
        _number("fixed_cost"),
        _time("open_time"),
        _time("close_time"),
        _number("service_min"),
    ),
)
ORDERS = TableSchema(
    "orders",
    Order,
    "order_id",
    (
        _id("order_id"),
        _id("site_id"),
        _id("carrier"),
        _choice("direction", Direction, Direction.PICKUP, required=True),
        _whole("parcels", required=True),
        _number("weight_kg", required=True),
        _number("volume_m3", required=True),
        _choice("temperature", Temperature, Temperature.AMBIENT),
        _time("ready_time"),
        _time("due_time"),
        _number("max_transit_min"),
        Column("destination", CellKind.ID, stand_in=None),
    ),
)
FLEET = TableSchema(
    "fleet",
    VehicleType,
    "vehicle_type",
    (
        _id("vehicle_type"),
        _whole("count", required=True),
        _id("depot"),
        _id("carrier"),
        _number("capacity_kg", required=True),
        _number("capacity_m3", required=True),
        _whole("capacity_parcels"),
        Column("refrigerated", CellKind.BOOL, stand_in=False),
        _number("fixed_cost"),
        _number("cost_per_km"),
        _number("max_shift_min"),
        _whole("max_trips"),
    ),
)
ROAD_NODES = TableSchema(
    "road_nodes",
    RoadNode,
    "node_id",
    (
        _id("node_id"),
        _number("lon", required=True, stand_in=105.0),
        _number("lat", required=True, stand_in=35.0),
    ),
)
ROADS = TableSchema(
    "roads",
    Road,
    "",
    (
        _id("u"),
        _id("v"),
        _number("length_m", required=True),
        Column("road_class", CellKind.TEXT, required=True, stand_in=""),
        _number("speed_kmh", required=True),
        Column("oneway", CellKind.BOOL, stand_in=False),
    ),
)

#: The tables of a bundle, in file order.
TABLES: dict[str, TableSchema] = {t.name: t for t in (SITES, ORDERS, FLEET, ROAD_NODES, ROADS)}


@dataclass(slots=True)
class RawTable:
    """A table as read from a file: header and cells, each row with its spreadsheet row.

    ``problems`` are defects the file reader found in the table's structure.
    """

    label: str
    header: tuple[str, ...]
    rows: Sequence[tuple[int, Sequence[object]]]
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class ParsedTable:
    """Records of one table (with stand-ins for bad cells) and what was wrong with it.

    ``reported`` holds the ``(row, column)`` cells already reported (row ``None``: the
    whole column is missing), so rules on them are not reported a second time; ``shown``
    the raw text of every cell read, for messages.
    """

    label: str
    records: list[Any] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reported: set[tuple[int | None, str]] = field(default_factory=set)
    shown: dict[tuple[int, str], str] = field(default_factory=dict)
    has_ids: bool = True


def _positions(raw: RawTable, schema: TableSchema, out: ParsedTable) -> dict[str, int]:
    known = {c.name for c in schema.columns}
    positions: dict[str, int] = {}
    for j, name in enumerate(raw.header):
        if name == "":
            continue
        if name in positions:
            if name in known:
                out.problems.append(Problem(raw.label, 1, name, name, "duplicate column"))
            continue
        positions[name] = j
    for column in schema.columns:
        if column.required and column.name not in positions:
            rule = f"required column {column.name!r} is missing"
            out.problems.append(Problem(raw.label, None, column.name, "", rule))
            out.reported.add((None, column.name))
    return positions


def parse_table(raw: RawTable, schema: TableSchema) -> ParsedTable:
    """Parse every non-blank row of ``raw`` into a record of ``schema``."""
    out = ParsedTable(raw.label, problems=list(raw.problems))
    positions = _positions(raw, schema, out)
    out.has_ids = schema.id_column == "" or schema.id_column in positions
    defaults = schema.defaults()
    for row, cells in raw.rows:
        if all(is_empty_cell(c) for c in cells):
            continue
        values: dict[str, Any] = {}
        for column in schema.columns:
            j = positions.get(column.name)
            if j is None:
                values[column.name] = column.stand_in if column.required else defaults[column.name]
                continue
            cell = cells[j] if j < len(cells) else None
            out.shown[(row, column.name)] = show_cell(cell)
            if is_empty_cell(cell):
                if column.required:
                    out.problems.append(
                        Problem(raw.label, row, column.name, "", "required value is missing")
                    )
                    out.reported.add((row, column.name))
                    values[column.name] = column.stand_in
                else:
                    values[column.name] = defaults[column.name]
                continue
            try:
                values[column.name] = parse_cell(cell, column.kind, choices=column.choices)
            except CellError as err:
                out.problems.append(Problem(raw.label, row, column.name, show_cell(cell), err.rule))
                out.reported.add((row, column.name))
                values[column.name] = column.stand_in
        out.records.append(schema.record(**values))
        out.rows.append(row)
    return out
