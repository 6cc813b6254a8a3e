"""``scenario.toml``: the settings of a bundle and the files of its tables (DESIGN.md §3).

Keys are pinned: an unknown key is an error, a missing optional key takes the default of
the dataclass it fills (:class:`~logistics.scenario.Planning`, ``Costs``,
``SolverSettings``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from logistics.cells import CellError, format_time, parse_time_text
from logistics.errors import Problem, ScenarioError
from logistics.scenario import Costs, Crs, Planning, Scenario, SolverSettings, Terrain

__all__ = ["FILE_KEYS", "SETTINGS_FILE", "BundleSettings", "format_settings", "parse_settings"]

#: The settings file of a bundle folder.
SETTINGS_FILE = "scenario.toml"

#: Keys of ``[files]``: one per table, plus ``workbook`` and ``osm``.
FILE_KEYS = ("sites", "orders", "fleet", "road_nodes", "roads", "osm", "workbook")

_TOP_KEYS = ("name", "title", "crs", "terrain", "planning", "files", "costs", "solver")
_TABLE_KEYS = {
    "planning": ("day", "start", "end"),
    "files": FILE_KEYS,
    "costs": ("currency", "unserved_penalty", "driver_cost_per_hour", "co2_kg_per_km"),
    "solver": ("time_limit_s", "seed"),
}


@dataclass(slots=True)
class BundleSettings:
    """What ``scenario.toml`` says; ``files`` maps the ``[files]`` keys given to their paths."""

    name: str = ""
    title: str = ""
    crs: Crs = Crs.WGS84
    terrain: Terrain = Terrain.MOUNTAIN
    planning: Planning = field(default_factory=Planning)
    costs: Costs = field(default_factory=Costs)
    solver: SolverSettings = field(default_factory=SolverSettings)
    files: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def problem(
        self, key: str | None, value: object, rule: str, *, line: int | None = None
    ) -> None:
        shown = "" if value is None else _show(value)
        self.problems.append(Problem(self.label, line, key, shown, rule))

    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                rule = "unknown key; allowed keys: " + ", ".join(allowed)
                self.problem(prefix + key, None, rule)

    def text(self, table: dict[str, Any], key: str, prefix: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problem(prefix + key, value, "must be a string")
            return default
        return value

    def number(self, table: dict[str, Any], key: str, prefix: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(prefix + key, value, "must be a number")
            return default
        return float(value)

    def time(self, table: dict[str, Any], key: str, prefix: str, default: dt.time) -> dt.time:
        value = table.get(key, default)
        if isinstance(value, dt.time) and value.tzinfo is None:
            return value
        if isinstance(value, str):
            try:
                return parse_time_text(value)
            except CellError as err:
                self.problem(prefix + key, value, err.rule)
                return default
        self.problem(prefix + key, value, 'must be a time of day such as "07:00"')
        return default


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(reader: _Reader, doc: dict[str, Any], name: str) -> dict[str, Any]:
    table = doc.get(name, {})
    if not isinstance(table, dict):
        reader.problem(name, table, f"must be a table [{name}]")
        return {}
    reader.keys(table, _TABLE_KEYS[name], name + ".")
    return table


def _syntax_error(label: str, err: tomllib.TOMLDecodeError) -> ScenarioError:
    message = str(err)
    match = re.search(r"\(at line (\d+), column \d+\)", message)
    line = int(match.group(1)) if match else None
    return ScenarioError([Problem(label, line, None, "", f"TOML syntax error: {message}")])


def parse_settings(
    text: str, *, label: str = "scenario.toml"
) -> tuple[BundleSettings, list[Problem]]:
    """The settings in ``text`` and every problem with them.

    A TOML syntax error raises :class:`ScenarioError` at once (its line, where tomllib
    gives one, is the problem's ``row``): nothing else can be read from such a file.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _syntax_error(label, err) from err
    reader = _Reader(label)
    reader.keys(doc, _TOP_KEYS, "")
    out = BundleSettings()
    if "name" not in doc:
        reader.problem("name", None, "required key is missing")
    else:
        out.name = reader.text(doc, "name", "", "")
        if doc["name"] == "":
            reader.problem("name", None, "must not be empty")
    out.title = reader.text(doc, "title", "", "")
    for key, enum_type in (("crs", Crs), ("terrain", Terrain)):
        value = doc.get(key, getattr(out, key).value)
        try:
            setattr(out, key, enum_type(value.strip().lower() if isinstance(value, str) else value))
        except (ValueError, TypeError):
            allowed = ", ".join(m.value for m in enum_type)
            reader.problem(key, value, f"must be one of: {allowed}")
    out.planning = _planning(reader, _table(reader, doc, "planning"))
    out.costs = _costs(reader, _table(reader, doc, "costs"))
    out.solver = _solver(reader, _table(reader, doc, "solver"))
    files = _table(reader, doc, "files")
    for key in FILE_KEYS:
        if key in files:
            ref = reader.text(files, key, "files.", "")
            if ref.strip() == "":
                reader.problem("files." + key, files[key], "must name a file")
            else:
                out.files[key] = ref.strip()
    return out, reader.problems


def _planning(reader: _Reader, table: dict[str, Any]) -> Planning:
    default = Planning()
    day = table.get("day", default.day)
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        reader.problem("planning.day", day, "must be a TOML date such as 2026-11-22 (no quotes)")
        day = default.day
    start = reader.time(table, "start", "planning.", default.start)
    end = reader.time(table, "end", "planning.", default.end)
    return Planning(day=day, start=start, end=end)


def _costs(reader: _Reader, table: dict[str, Any]) -> Costs:
    default = Costs()
    values: dict[str, Any] = {
        "currency": reader.text(table, "currency", "costs.", default.currency)
    }
    for key in ("unserved_penalty", "driver_cost_per_hour", "co2_kg_per_km"):
        values[key] = reader.number(table, key, "costs.", getattr(default, key))
    return Costs(**values)


def _solver(reader: _Reader, table: dict[str, Any]) -> SolverSettings:
    default = SolverSettings()
    time_limit_s = reader.number(table, "time_limit_s", "solver.", default.time_limit_s)
    seed = table.get("seed", default.seed)
    if isinstance(seed, bool) or not isinstance(seed, int):
        reader.problem("solver.seed", seed, "must be a whole number")
        seed = default.seed
    return SolverSettings(time_limit_s=time_limit_s, seed=seed)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # repr is the shortest text that reads back as the same float
    if isinstance(value, dt.time):
        return _toml_string(format_time(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {value!r} to TOML")


def format_settings(scenario: Scenario, files: dict[str, str]) -> str:
    """The ``scenario.toml`` text of ``scenario`` whose tables are in ``files``.

    Coordinates are always written in WGS-84, so ``crs`` is always ``"wgs84"``.
    """
    lines = [
        f"name = {_toml_value(scenario.name)}",
        f"title = {_toml_value(scenario.title)}",
        f"crs = {_toml_value(Crs.WGS84.value)}",
        f"terrain = {_toml_value(scenario.terrain.value)}",
    ]
    tables: list[tuple[str, dict[str, Any]]] = [
        ("planning", _fields(scenario.planning)),
        ("files", dict(files)),
        ("costs", _fields(scenario.costs)),
        ("solver", _fields(scenario.solver)),
    ]
    for name, values in tables:
        lines += ["", f"[{name}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
