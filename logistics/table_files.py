"""Reading and writing table files: CSV, Parquet and Excel workbooks.

Readers return a :class:`~logistics.tables.RawTable` of untouched cells with their true
spreadsheet rows (the header is row 1; blank lines count, as they do in Excel), or raise
:class:`TableFileError` when the file cannot be read at all. Cells are parsed later, in
:mod:`logistics.tables`, so that every message can name the raw value.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from logistics.cells import is_empty_cell
from logistics.errors import Problem
from logistics.tables import RawTable

__all__ = [
    "CSV_ENCODINGS",
    "TableFileError",
    "Workbook",
    "decode_text",
    "read_csv",
    "read_parquet",
    "read_table_file",
    "write_csv",
    "write_parquet",
    "write_xlsx",
]

#: Encodings tried in turn; GB18030 is a superset of GBK, so one try covers both.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


class TableFileError(Exception):
    """A table file that cannot be read; ``rule`` says why."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def read_table_file(path: Path, label: str) -> RawTable:
    """Read a table from ``path``, by its extension (the first sheet of a workbook)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, label)
    if suffix == ".parquet":
        return read_parquet(path, label)
    if suffix in _XLSX_SUFFIXES:
        workbook = Workbook(path)
        return workbook.read_sheet(workbook.sheet_names[0], label)
    raise TableFileError(f"unsupported file type {path.suffix!r}: use .csv, .parquet or .xlsx")


def decode_text(data: bytes) -> str:
    """``data`` decoded as UTF-8 (BOM or not), else as GB18030 (which includes GBK)."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError("cannot decode the file: save it as UTF-8, GBK or GB18030")


def read_csv(path: Path, label: str) -> RawTable:
    """Read a CSV file in UTF-8 (with or without BOM), GBK or GB18030, all cells as text.

    Parsed with :mod:`csv` rather than pandas so that each record keeps its true
    spreadsheet row even around blank lines and cells with line breaks.
    """
    try:
        text = decode_text(path.read_bytes())
    except OSError as err:
        raise TableFileError(f"cannot read the file: {err.strerror}") from err
    records: list[tuple[int, list[str]]] = []
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            records.append((row, cells))
    except csv.Error as err:
        raise TableFileError(f"not a readable CSV file: {err}") from err
    if not records or all(is_empty_cell(c) for c in records[0][1]):
        raise TableFileError("the file has no header row")
    header = tuple(c.strip() for c in records[0][1])
    table = RawTable(label, header, records[1:])
    for row, values in table.rows:
        extra = [str(c) for c in values[len(header) :] if not is_empty_cell(c)]
        if extra:
            table.problems.append(
                Problem(
                    label, row, None, ",".join(extra),
                    "the row has more cells than the header (an unquoted comma?)",
                )
            )  # fmt: skip
    return table


def read_parquet(path: Path, label: str) -> RawTable:
    """Read a Parquet file; record ``i`` is reported as row ``i + 2``, as in a spreadsheet."""
    try:
        data = pq.read_table(path)
    except (OSError, pa.ArrowException) as err:
        raise TableFileError(f"not a readable Parquet file: {err}") from err
    header = tuple(str(name).strip() for name in data.column_names)
    columns = [data.column(i).to_pylist() for i in range(data.num_columns)]
    rows = [(i + 2, cells) for i, cells in enumerate(zip(*columns, strict=True))]
    return RawTable(label, header, rows)


class Workbook:
    """An Excel workbook opened once, read one sheet at a time."""

    def __init__(self, path: Path) -> None:
        import openpyxl  # only bundles with Excel files pay for the import

        try:
            with warnings.catch_warnings():
                # openpyxl warns about styles and extensions it ignores; they do not
                # affect the cell values read here.
                warnings.simplefilter("ignore", UserWarning)
                self._book = openpyxl.load_workbook(path, data_only=True)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
            raise TableFileError(f"not a readable .xlsx workbook: {err}") from err
        self.sheet_names: tuple[str, ...] = tuple(self._book.sheetnames)

    def read_sheet(self, name: str, label: str) -> RawTable:
        sheet = self._book[name]
        rows = list(sheet.iter_rows(values_only=True))
        if not rows or all(is_empty_cell(c) for c in rows[0]):
            raise TableFileError("the sheet has no header row")
        header = tuple("" if h is None else str(h).strip() for h in rows[0])
        return RawTable(label, header, [(i + 2, cells) for i, cells in enumerate(rows[1:])])


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write text cells as CSV in UTF-8 with a byte-order mark (which Excel needs to read
    Chinese text right), quoting only where needed."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_parquet(
    path: Path,
    header: Sequence[str],
    types: Sequence[pa.DataType],
    rows: Sequence[Sequence[object]],
) -> None:
    """Write a Parquet file with one typed column per header name (``None`` = null)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    arrays = [pa.array(list(values), type=t) for values, t in zip(columns, types, strict=True)]
    pq.write_table(pa.Table.from_arrays(arrays, names=list(header)), path)


def write_xlsx(
    path: Path, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]
) -> None:
    """Write one sheet per table; text cells stay text even when they start with ``=``."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        for i, values in enumerate(rows, start=2):
            for j, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=i, column=j, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    book.save(path)
