"""Reading spreadsheet files into rows of cell values, whatever the format.

xlsx / xls / ods through python-calamine (merged cells come back as the value in their first cell
and empty elsewhere; the layout code fills them); CSV with UTF-8, UTF-8 with BOM or GB18030.
"""

import csv
import io
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from taizhang.sheets.extent import TooLarge, check_extent

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # an xlsx whose parts inflate beyond this is refused (zip bomb)


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for a person."""


HEAD_ROWS = 60  # rows kept in memory for layout detection, titles, dates and the preview


@dataclass
class Sheet:
    """A sheet's first rows in memory, and all its rows as a stream (row i is the spreadsheet's row i+1).

    Merged cells read as their first cell's value everywhere they span, as the user sees them.
    """

    name: str
    head: list[list]
    stream: Callable[[], Iterator[list]]
    hidden_columns: frozenset = frozenset()  # 0-based indexes
    height: int = 0  # rows, as far as the file tells before reading them
    hidden_rows: frozenset = frozenset()  # 0-based indexes (xlsx, ods)
    index: int = 0  # its place in the workbook

    def iter_rows(self) -> Iterator[list]:
        return self.stream()

    @cached_property
    def rows(self) -> list[list]:
        """Every row at once: for small files and tests; imports read `iter_rows()`."""
        return list(self.iter_rows())


@dataclass
class Workbook:
    """A checked spreadsheet file and its sheets' names; `sheet(i)` reads one (each sheet's extent is
    checked before calamine builds its grid)."""

    path: Path
    kind: str
    names: list[str]
    hidden: frozenset = frozenset()  # indexes of sheets hidden in the workbook
    max_rows: int = 0
    _book: object = None
    _extents: dict = None
    name: str = ""  # the file as its user named it

    def sheet(self, index: int = 0) -> "Sheet":
        if self.kind == "csv":
            return _csv_sheet(self.path, self.max_rows, self.name)
        extent = self._extents.pop(index, None) or _checked_extent(self.path, self.kind, index, self.name)
        return _calamine_sheet(self, index, extent)

    def index_of(self, name_or_number: str) -> int | None:
        """A sheet the user names (`--sheet 汇总表` or `--sheet 2`, counted from 1)."""
        text = str(name_or_number).strip()
        if text in self.names:
            return self.names.index(text)
        if text.isdigit() and 1 <= int(text) <= len(self.names):
            return int(text) - 1
        return None


def open_workbook(path: Path, *, max_rows: int | None = None, name: str | None = None) -> Workbook:
    """The file checked and its sheets listed. `name` is the file as its user named it (an upload is
    stored under another): every message names that, never the stored file."""
    path = Path(path)
    name = name or path.name
    max_rows = max_rows or settings.TAIZHANG_IMPORT_MAX_ROWS
    size = path.stat().st_size
    if size > settings.TAIZHANG_IMPORT_MAX_MB * 1048576:
        raise UnreadableFile(
            _("%(name)s is %(size).1f MB; the limit is %(limit)s MB.")
            % {"name": name, "size": size / 1048576, "limit": settings.TAIZHANG_IMPORT_MAX_MB}
        )
    kind = _kind(path, name)
    if kind == "csv":
        return Workbook(path, kind, [Path(name).stem], max_rows=max_rows, name=name)
    if kind != "xls":
        _check_zip(path, name)
    with ThreadPoolExecutor(max_workers=1) as pool:
        inflated = pool.submit(_inflate_parts, path) if kind != "xls" else None
        extent = _checked_extent(path, kind, 0, name)  # the first sheet's scan beside the other parts' inflation
        if inflated:
            _damaged_is_unreadable(name, inflated.result)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        hidden = frozenset(i for i, m in enumerate(book.sheets_metadata) if str(m.visible).lower().endswith("hidden"))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(
            _("%(name)s cannot be read as a spreadsheet: %(error)s") % {"name": name, "error": exc}
        ) from exc
    return Workbook(path, kind, names, hidden, max_rows, book, {0: extent}, name)


def read_sheet(path: Path, *, max_rows: int | None = None, index: int = 0) -> Sheet:
    return open_workbook(path, max_rows=max_rows).sheet(index)


def _damaged_is_unreadable(name: str, call):
    try:
        return call()
    except TooLarge as exc:
        raise UnreadableFile(str(exc)) from exc
    except (
        zipfile.BadZipFile,
        ET.ParseError,
        KeyError,
        OSError,
        EOFError,
        NotImplementedError,
        struct.error,
        ValueError,
    ) as exc:
        raise UnreadableFile(_("%(name)s is damaged or truncated.") % {"name": name}) from exc


def _checked_extent(path: Path, kind: str, index: int, name: str):
    return _damaged_is_unreadable(name, lambda: check_extent(path, kind, name, index))


def _calamine_sheet(workbook: Workbook, index: int, extent) -> Sheet:
    name = workbook.name
    try:
        sheet = workbook._book.get_sheet_by_index(index)
        height = sheet.end[0] + 1 if sheet.end else 0  # rows from the first, used or not
        merges = sheet.merged_cell_ranges or extent.merges  # calamine gives none for .ods: the scan does
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(
            _("%(name)s cannot be read as a spreadsheet: %(error)s") % {"name": name, "error": exc}
        ) from exc
    if height > workbook.max_rows:
        raise UnreadableFile(_too_many_rows(name, workbook.max_rows))

    def stream() -> Iterator[list]:
        pad = [""] * (sheet.start[1] if sheet.start else 0)  # calamine's rows begin at the first used column
        try:
            rows = (pad + row for row in sheet.iter_rows()) if pad else sheet.iter_rows()
            yield from _fill_merges(rows, merges) if merges else rows
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(
                _("%(name)s cannot be read as a spreadsheet: %(error)s") % {"name": name, "error": exc}
            ) from exc

    return Sheet(
        workbook.names[index],
        list(islice(stream(), HEAD_ROWS)),
        stream,
        frozenset(extent.hidden_columns),
        height,
        frozenset(extent.hidden_rows),
        index,
    )


def _too_many_rows(name: str, max_rows: int) -> str:
    return _("%(name)s has more than %(limit)s rows; split it or raise the limit.") % {
        "name": name,
        "limit": max_rows,
    }


def _kind(path: Path, name: str) -> str:
    """xlsx, ods, xls or csv, by the file's content (its name may lie); refused if it claims a
    spreadsheet format its content is not."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise UnreadableFile(_("%(name)s is empty.") % {"name": name})
    suffix = Path(name).suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                return "ods" if "content.xml" in archive.namelist() else "xlsx"
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(_("%(name)s is damaged or truncated.") % {"name": name}) from exc
    if suffix in (".xlsx", ".xls", ".ods", ".xlsm"):
        raise UnreadableFile(
            _("%(name)s is not a spreadsheet file (its content does not match %(suffix)s).")
            % {"name": name, "suffix": suffix}
        )
    return "csv"


def _fill_merges(rows: Iterable[list], merges) -> Iterator[list]:
    """Give every cell of a merged range its first cell's value, a row at a time.

    Ranges are swept in row order: a range becomes active on its first row (where its value is read)
    and is dropped after its last, so memory holds the ranges that span the current row only.
    """
    pending = sorted(merges, key=lambda m: m[0][0], reverse=True)  # popped from the end, first rows first
    active = []  # (last row, first column, last column, value)
    for r, row in enumerate(rows):
        while pending and pending[-1][0][0] == r:
            (r0, c0), (r1, c1) = pending.pop()
            active.append((r1, c0, c1, row[c0] if c0 < len(row) else ""))
        while pending and pending[-1][0][0] < r:  # a range starting on a row calamine did not yield
            pending.pop()
        if active:
            active = [a for a in active if a[0] >= r]
            for _r1, c0, c1, value in active:
                for c in range(c0, min(c1 + 1, len(row))):
                    row[c] = value
        yield row


def _check_zip(path: Path, name: str) -> None:
    """Refuse a zip bomb by the sizes the archive declares (the parts are then inflated for real by
    `_inflate_parts`, beside the extent scan)."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(_("%(name)s is damaged or truncated.") % {"name": name}) from exc
    if total > MAX_UNCOMPRESSED:
        raise UnreadableFile(
            _("%(name)s inflates to %(mb)s MB; refused as a possible zip bomb.")
            % {"name": name, "mb": total // 1048576}
        )


def _inflate_parts(path: Path) -> None:
    """Inflate each part calamine reads besides the sheet (the extent scan inflates the sheet itself):
    zipfile stops a part at its declared size and checks its CRC, so a part that inflates past what it
    declares raises BadZipFile. Runs in a thread while the sheet is scanned (zlib releases the GIL)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") or info.filename == "content.xml":
                continue
            with archive.open(info) as part:
                while part.read(1 << 20):
                    pass


CSV_FIELD_CHARS = 32767  # Excel's own limit for a cell's text


def _csv_sheet(path: Path, max_rows: int, name: str) -> Sheet:
    """Text exported by an office suite: UTF-8 (with or without BOM), UTF-16 with BOM ("Unicode text"),
    or GB18030; comma-, tab-, semicolon- or bar-separated, as the first lines show."""
    text = _decode(path.read_bytes(), name)
    if "\x00" in text:
        raise UnreadableFile(_("%(name)s is not a text (CSV) file.") % {"name": name})
    dialect = _dialect(text[:65536])

    def stream() -> Iterator[list]:
        return csv.reader(io.StringIO(text), dialect)

    height = _check_csv(name, stream(), max_rows)  # refused before anything is read into memory or written
    return Sheet(Path(name).stem, list(islice(stream(), HEAD_ROWS)), stream, frozenset(), height)


def _decode(data: bytes, name: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_("%(name)s is damaged or truncated.") % {"name": name}) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("%(name)s: unknown text encoding.") % {"name": name})  # pragma: no cover


class _Dialect(csv.excel):
    pass


def _dialect(sample: str) -> type[csv.Dialect]:
    """The delimiter the sample's lines agree on (the sniffer, else the most frequent of , \\t ; |)."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        lines = [line for line in sample.splitlines()[:20] if line.strip()]
        counts = {d: sum(line.count(d) for line in lines) for d in ",\t;|"}
        dialect = type(
            "Sniffed", (_Dialect,), {"delimiter": max(counts, key=counts.get) if any(counts.values()) else ","}
        )
        return dialect


def _check_csv(name: str, rows: Iterator[list], max_rows: int) -> int:
    """Every row counted and measured once: row count, fields per row, characters per field."""
    max_columns = settings.TAIZHANG_IMPORT_MAX_COLUMNS
    previous = csv.field_size_limit(CSV_FIELD_CHARS)
    height = 0
    try:
        for height, row in enumerate(rows, 1):
            if height > max_rows:
                raise UnreadableFile(_too_many_rows(name, max_rows))
            if len(row) > max_columns:
                raise UnreadableFile(
                    _("Row %(row)s of %(name)s has %(fields)s fields; the limit is %(limit)s columns.")
                    % {"row": height, "name": name, "fields": len(row), "limit": max_columns}
                )
    except csv.Error as exc:
        values = {"row": height + 1, "name": name, "limit": CSV_FIELD_CHARS}
        if "field larger" in str(exc):
            message = _("Row %(row)s of %(name)s cannot be read: a cell is longer than %(limit)s characters.")
        else:
            message = _("Row %(row)s of %(name)s cannot be read as CSV.")
        raise UnreadableFile(message % values) from exc
    finally:
        csv.field_size_limit(previous)
    return height
