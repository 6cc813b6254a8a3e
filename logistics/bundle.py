"""Scenario bundles: tables in CSV, Parquet or Excel plus ``scenario.toml`` (DESIGN.md §3).

:func:`load_scenario` reads a bundle into a validated :class:`~logistics.scenario.Scenario`
in WGS-84, or raises one :class:`~logistics.errors.ScenarioError` listing every defect
with its file, spreadsheet row, column and raw value. :func:`save_scenario` writes a
bundle that reads back to an equal scenario. A road graph may also come from an
OpenStreetMap file (``osm`` in ``[files]``, read by :func:`~logistics.osm.read_osm_roads`);
such a scenario is saved with ``road_nodes`` and ``roads`` tables instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from logistics.bundle_writer import save_scenario, scenario_to_frames
from logistics.coords import to_wgs84
from logistics.errors import Problem, ScenarioError
from logistics.osm import OsmFileError, read_osm_roads
from logistics.scenario import Crs, Road, RoadNode, Scenario
from logistics.scenario_toml import SETTINGS_FILE, BundleSettings, parse_settings
from logistics.table_files import TableFileError, Workbook, decode_text, read_table_file
from logistics.tables import TABLES, ParsedTable, RawTable, parse_table
from logistics.validate import CHINA_LAT, CHINA_LON, find_problems

__all__ = ["SETTINGS_FILE", "load_scenario", "save_scenario", "scenario_to_frames"]

_DEFAULT_FILES = {"sites": "sites.csv", "orders": "orders.csv", "fleet": "fleet.csv"}
_ROAD_TABLES = ("road_nodes", "roads")
_EITHER_RULE = "give either an osm file or road_nodes and roads, not both"
_PAIR_RULE = "road_nodes and roads go together: give both or neither"
#: Columns that refer to the ids of another table; when that table could not be read,
#: findings on them would only repeat the first problem.
_REFERENCES = {
    "sites": (("orders", "site_id"), ("orders", "destination"), ("fleet", "depot")),
    "road_nodes": (("roads", "u"), ("roads", "v")),
}


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read the scenario bundle at ``path`` (its folder, or its ``scenario.toml``).

    ``[files]`` names each table's file, relative to the bundle and inside it
    (``sites.csv``, ``orders.csv`` and ``fleet.csv`` when not named), or a ``workbook``
    with one sheet per table; a table named on its own overrides the workbook's sheet.
    Coordinates are converted from the bundle's ``crs`` to WGS-84. The road graph comes
    from ``road_nodes`` and ``roads`` tables or from an OpenStreetMap file named by
    ``osm`` (``.osm``, ``.osm.pbf``; see :mod:`logistics.osm`), whose coordinates are
    always WGS-84.

    Raises
    ------
    ScenarioError
        Listing every defect found, sorted by file and row.

    Examples
    --------
    >>> import tempfile
    >>> from logistics.scenario import Scenario, Site, SiteKind
    >>> wh = Site("W", "县仓", SiteKind.COUNTY_WAREHOUSE, 109.0, 28.4)
    >>> s = Scenario(name="tiny", sites=(wh,), orders=(), fleet=())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     load_scenario(save_scenario(s, folder)) == s
    True
    """
    settings_path = _settings_path(Path(path))
    root = settings_path.parent
    label = settings_path.name
    try:
        text = decode_text(settings_path.read_bytes())
    except OSError as err:
        rule = f"cannot read the file: {err.strerror}"
        raise ScenarioError([Problem(label, None, None, "", rule)]) from err
    except TableFileError as err:
        raise ScenarioError([Problem(label, None, None, "", err.rule)]) from err
    settings, problems = parse_settings(text, label=label)
    loader = _Loader(root, label, settings)
    loader.read_tables()
    problems += loader.problems
    problems += loader.rule_problems()
    if problems:
        raise ScenarioError(sorted(problems, key=loader.sort_key))
    return loader.scenario()


def _settings_path(path: Path) -> Path:
    if path.is_dir():
        candidate = path / SETTINGS_FILE
        if candidate.is_file():
            return candidate
        rule = f"no {SETTINGS_FILE} in the bundle folder"
        raise ScenarioError([Problem(SETTINGS_FILE, None, None, str(path), rule)])
    if path.is_file():
        return path
    raise ScenarioError([Problem(path.name, None, None, str(path), "no such file or folder")])


@dataclass(slots=True)
class _Source:
    """Where a table comes from: a file, or a sheet of the bundle's workbook."""

    label: str
    ref: str
    sheet: str | None = None


class _Loader:
    """Reads the tables of one bundle, keeping where every record came from."""

    def __init__(self, root: Path, label: str, settings: BundleSettings) -> None:
        self.root = root
        self.label = label
        self.settings = settings
        self.problems: list[Problem] = []
        self.parsed: dict[str, ParsedTable] = {}
        self.labels: dict[str, str] = {name: name for name in TABLES}
        self.unavailable: set[str] = set()
        self.rank: dict[str, int] = {label: 0}
        self._workbooks: dict[str, Workbook | None] = {}
        self.osm: tuple[tuple[RoadNode, ...], tuple[Road, ...]] | None = None

    def _problem(self, file: str, column: str | None, value: str, rule: str) -> None:
        self.problems.append(Problem(file, None, column, value, rule))

    def _fail(self, name: str, file: str, rule: str) -> None:
        self._problem(file, None, "", rule)
        self.unavailable.add(name)

    def _sources(self) -> dict[str, _Source]:
        files = self.settings.files
        workbook = files.get("workbook")
        sources: dict[str, _Source] = {}
        for name in TABLES:
            ref = files.get(name)
            if ref is not None:
                sources[name] = _Source(_file_label(ref), ref)
            elif workbook is not None:
                sources[name] = _Source(f"{_file_label(workbook)}[{name}]", workbook, name)
            elif name in _DEFAULT_FILES:
                sources[name] = _Source(_DEFAULT_FILES[name], _DEFAULT_FILES[name])
        if workbook is None and sum(name in files for name in _ROAD_TABLES) == 1:
            missing = next(name for name in _ROAD_TABLES if name not in files)
            self._problem(self.label, f"files.{missing}", "", _PAIR_RULE)
            self.unavailable.add(missing)
        for name, source in sources.items():
            self.labels[name] = source.label
            if source.sheet is not None:
                self.rank.setdefault(_file_label(source.ref), len(self.rank))
            self.rank.setdefault(source.label, len(self.rank))
        return sources

    def _resolve(self, key: str, ref: str) -> Path | None:
        """The file ``ref`` names, or ``None`` (reported) when it leaves the bundle."""
        posix = PurePosixPath(ref.replace("\\", "/"))
        root = self.root.resolve()
        if posix.is_absolute() or PureWindowsPath(ref).drive or ".." in posix.parts:
            escaped = True
        else:
            escaped = not (root / posix).resolve().is_relative_to(root)  # symlink outside
        if escaped:
            rule = "file reference leaves the bundle: name a file inside the bundle folder"
            self._problem(self.label, f"files.{key}", ref, rule)
            return None
        return root / posix

    def _workbook(self, ref: str) -> Workbook | None:
        if ref not in self._workbooks:
            book = None
            path = self._resolve("workbook", ref)
            if path is not None and not path.is_file():
                self._problem(_file_label(ref), None, "", "file not found")
            elif path is not None:
                try:
                    book = Workbook(path)
                except TableFileError as err:
                    self._problem(_file_label(ref), None, "", err.rule)
            self._workbooks[ref] = book
        return self._workbooks[ref]

    def _read(self, name: str, source: _Source) -> RawTable | None:
        """The raw table, or ``None``: failures are reported and mark it unavailable."""
        if source.sheet is not None:
            book = self._workbook(source.ref)
            if book is None:
                self.unavailable.add(name)
                return None
            if source.sheet not in book.sheet_names:
                if name not in _ROAD_TABLES:  # a workbook without road sheets has no roads
                    sheets = ", ".join(book.sheet_names)
                    self._fail(name, source.label, f"sheet not found; the workbook has: {sheets}")
                return None
            try:
                return book.read_sheet(source.sheet, source.label)
            except TableFileError as err:
                self._fail(name, source.label, err.rule)
                return None
        path = self._resolve(name, source.ref)
        if path is None:
            self.unavailable.add(name)
            return None
        if not path.is_file():
            self._fail(name, source.label, "file not found")
            return None
        try:
            return read_table_file(path, source.label)
        except TableFileError as err:
            self._fail(name, source.label, err.rule)
            return None

    def read_tables(self) -> None:
        sources = self._sources()
        for name, source in sources.items():
            if name in self.unavailable:
                continue
            raw = self._read(name, source)
            if raw is not None:
                self.parsed[name] = parse_table(raw, TABLES[name])
                self.problems += self.parsed[name].problems
        present = [name for name in _ROAD_TABLES if name in self.parsed]
        if len(present) == 1:
            missing = next(name for name in _ROAD_TABLES if name not in present)
            if missing not in self.unavailable:  # a workbook with one road sheet only
                self._fail(missing, self.labels[missing], f"sheet not found; {_PAIR_RULE}")
        if "osm" in self.settings.files:
            self._read_osm(self.settings.files["osm"])
        self._convert_coordinates()

    def _read_osm(self, ref: str) -> None:
        """Take the road graph from an OpenStreetMap file; failures are reported."""
        files = self.settings.files
        if any(name in files or name in self.parsed for name in _ROAD_TABLES):
            self._problem(self.label, "files.osm", ref, _EITHER_RULE)
            return
        path = self._resolve("osm", ref)
        if path is None:
            return
        label = _file_label(ref)
        self.rank.setdefault(label, len(self.rank))
        if not path.is_file():
            self._problem(label, None, "", "file not found")
            return
        try:
            road_nodes, roads = read_osm_roads(path)
        except OsmFileError as err:
            self._problem(label, None, "", f"cannot read the OpenStreetMap file: {err.cause}")
            return
        if not roads:
            rule = "no drivable roads in the file (highway ways open to motor vehicles)"
            self._problem(label, None, "", rule)
            return
        outside = [
            n
            for n in road_nodes
            if not (CHINA_LON[0] <= n.lon <= CHINA_LON[1] and CHINA_LAT[0] <= n.lat <= CHINA_LAT[1])
        ]
        if outside:
            # One finding for the file, not one per node: an extract of the wrong region
            # would otherwise bury every other problem.
            first = outside[0]
            rule = (
                f"{len(outside)} of {len(road_nodes)} road nodes lie outside China "
                f"(lon 73–135.5, lat 3–54), the first at lon {first.lon}, lat {first.lat}; "
                "OpenStreetMap coordinates are WGS-84"
            )
            self._problem(label, None, f"node {first.node_id}", rule)
            return
        self.osm = (road_nodes, roads)
        self.labels["road_nodes"] = self.labels["roads"] = label

    def _convert_coordinates(self) -> None:
        crs = self.settings.crs
        if crs is Crs.WGS84:
            return
        for name in ("sites", "road_nodes"):
            parsed = self.parsed.get(name)
            if parsed is None or not parsed.records:
                continue
            lon, lat = to_wgs84(
                [r.lon for r in parsed.records], [r.lat for r in parsed.records], crs=crs
            )
            parsed.records = [
                replace(r, lon=float(x), lat=float(y))
                for r, x, y in zip(parsed.records, lon, lat, strict=True)
            ]

    def records(self, name: str) -> list[Any]:
        if self.osm is not None and name in _ROAD_TABLES:
            return list(self.osm[_ROAD_TABLES.index(name)])
        parsed = self.parsed.get(name)
        return [] if parsed is None else parsed.records

    def _locate(self, table: str, index: int) -> tuple[str, int | None]:
        parsed = self.parsed.get(table)
        if parsed is None or index < 0:
            return self.labels[table], None
        return self.labels[table], parsed.rows[index]

    def _blind(self) -> set[tuple[str, str]]:
        """``(table, column)`` pairs whose references cannot be judged: target unreadable."""
        blind: set[tuple[str, str]] = set()
        for target, referrers in _REFERENCES.items():
            parsed = self.parsed.get(target)
            if target in self.unavailable or (parsed is not None and not parsed.has_ids):
                blind.update(referrers)
        return blind

    def rule_problems(self) -> list[Problem]:
        """Findings of the record-level rules, less those that repeat a reported defect."""
        s = self.settings
        found = find_problems(
            sites=self.records("sites"),
            orders=self.records("orders"),
            fleet=self.records("fleet"),
            road_nodes=self.records("road_nodes"),
            roads=self.records("roads"),
            planning=s.planning,
            costs=s.costs,
            solver=s.solver,
            locate=self._locate,
            settings_file=self.label,
        )
        blind = self._blind()
        table_of = {label: name for name, label in self.labels.items()}
        kept: list[Problem] = []
        for problem in found:
            table = table_of.get(problem.file)
            if table is None:  # scenario.toml
                kept.append(problem)
                continue
            parsed = self.parsed.get(table)
            column = problem.column or ""
            if problem.row is None:
                if table not in self.unavailable:
                    kept.append(problem)
            elif (
                parsed is not None
                and (table, column) not in blind
                and {(problem.row, column), (None, column)}.isdisjoint(parsed.reported)
            ):
                shown = parsed.shown.get((problem.row, column), problem.value)
                kept.append(replace(problem, value=shown))
        return kept

    def sort_key(self, problem: Problem) -> tuple[int, int, int]:
        """File order, then row (file-level first), then column order in the table."""
        table = next((n for n, label in self.labels.items() if label == problem.file), None)
        columns = [c.name for c in TABLES[table].columns] if table is not None else []
        column = columns.index(problem.column) if problem.column in columns else -1
        row = -1 if problem.row is None else problem.row
        return self.rank.get(problem.file, len(self.rank)), row, column

    def scenario(self) -> Scenario:
        s = self.settings
        return Scenario(
            name=s.name,
            sites=tuple(self.records("sites")),
            orders=tuple(self.records("orders")),
            fleet=tuple(self.records("fleet")),
            title=s.title,
            terrain=s.terrain,
            planning=s.planning,
            costs=s.costs,
            solver=s.solver,
            road_nodes=tuple(self.records("road_nodes")),
            roads=tuple(self.records("roads")),
        )


def _file_label(ref: str) -> str:
    return PurePosixPath(ref.replace("\\", "/")).as_posix()
