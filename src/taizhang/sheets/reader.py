"""Reading spreadsheet files into rows of cell values, whatever the format.

xlsx / xls / ods through python-calamine (merged cells come back as the value in their first cell
and empty elsewhere; the layout code fills them); CSV with UTF-8, UTF-8 with BOM or GB18030.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path

from django.conf import settings
from python_calamine import CalamineWorkbook

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
    hidden_rows: frozenset = frozenset()  # 0-based indexes (xlsx)

    def iter_rows(self) -> Iterator[list]:
        return self.stream()

    @cached_property
    def rows(self) -> list[list]:
        """Every row at once: for small files and tests; imports read `iter_rows()`."""
        return list(self.iter_rows())


def read_sheet(path: Path, *, max_rows: int | None = None) -> Sheet:
    path = Path(path)
    max_rows = max_rows or settings.TAIZHANG_IMPORT_MAX_ROWS
    size = path.stat().st_size
    if size > settings.TAIZHANG_IMPORT_MAX_MB * 1048576:
        raise UnreadableFile(
            f"{path.name} is {size / 1048576:.1f} MB; the limit is {settings.TAIZHANG_IMPORT_MAX_MB} MB."
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise UnreadableFile(f"{path.name} is empty.")
    suffix = path.suffix.lower()
    if suffix == ".csv" or not (head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0")):
        if suffix in (".xlsx", ".xls", ".ods", ".xlsm"):
            raise UnreadableFile(f"{path.name} is not a spreadsheet file (its content does not match {suffix}).")
        return _csv_sheet(path, max_rows)
    zipped = head.startswith(b"PK")
    if zipped:
        _check_zip(path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Hidden rows and columns are read from the sheet's XML while calamine parses the sheet (it
        # releases the interpreter lock): on two cores the scan adds nothing to the import's time.
        scan = pool.submit(_hidden_rows_and_columns, path) if zipped else None
        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
            height = sheet.end[0] + 1 if sheet.end else 0  # rows from the first, used or not
            merges = sheet.merged_cell_ranges or []
        except Exception as exc:  # calamine raises its own error types for every kind of damage
            raise UnreadableFile(f"{path.name} cannot be read as a spreadsheet: {exc}") from exc
        hidden_rows, hidden = scan.result() if scan else (frozenset(), frozenset())
    if height > max_rows:
        raise UnreadableFile(f"{path.name} has more than {max_rows} rows; split it or raise the limit.")

    def stream() -> Iterator[list]:
        pad = [""] * (sheet.start[1] if sheet.start else 0)  # calamine's rows begin at the first used column
        try:
            rows = (pad + row for row in sheet.iter_rows()) if pad else sheet.iter_rows()
            yield from _fill_merges(rows, merges) if merges else rows
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(f"{path.name} cannot be read as a spreadsheet: {exc}") from exc

    return Sheet(workbook.sheet_names[0], list(islice(stream(), HEAD_ROWS)), stream, hidden, height, hidden_rows)


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


_COL = re.compile(rb"<col\b[^>]*>")


_HIDDEN_ROW = re.compile(
    rb'<row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"|<row\b[^>]*?\bhidden="(?:1|true)"[^>]*?\br="(\d+)"'
)


def _hidden_rows_and_columns(path: Path) -> tuple[frozenset, frozenset]:
    """Hidden rows (<row hidden="1">) and columns (<cols>, before <sheetData>) of an xlsx's first sheet,
    its XML read a chunk at a time."""
    rows, columns, carry, in_head = set(), set(), b"", True
    try:
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")), None)
            if not name:
                return frozenset(), frozenset()
            with archive.open(name) as part:
                while chunk := part.read(1 << 20):
                    data = carry + chunk
                    cut = data.rfind(b"<")  # a tag cut by the chunk's end is read with the next chunk
                    if cut > 0:
                        data, carry = data[:cut], data[cut:]
                    else:
                        carry = b""
                    if in_head:
                        head, body_starts, _body = data.partition(b"<sheetData")
                        columns.update(_hidden_columns(head))
                        in_head = not body_starts
                    if b"hidden=" in data:
                        rows.update(int(a or b) - 1 for a, b in _HIDDEN_ROW.findall(data))
    except (zipfile.BadZipFile, OSError):
        return frozenset(), frozenset()
    return frozenset(rows), frozenset(columns)


def _hidden_columns(head: bytes) -> set:
    hidden = set()
    for tag in _COL.findall(head):
        if re.search(rb'hidden="(1|true)"', tag):
            low = int(re.search(rb'min="(\d+)"', tag).group(1))
            high = int(re.search(rb'max="(\d+)"', tag).group(1))
            hidden.update(range(low - 1, min(high, 16384)))
    return hidden


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name} is damaged or truncated ({exc}).") from exc
    if total > MAX_UNCOMPRESSED:
        raise UnreadableFile(f"{path.name} inflates to {total // 1048576} MB; refused as a possible zip bomb.")


def _csv_sheet(path: Path, max_rows: int) -> Sheet:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise UnreadableFile(f"{path.name}: unknown text encoding.")
    del data
    if "\x00" in text:
        raise UnreadableFile(f"{path.name} is not a text (CSV) file.")

    def stream() -> Iterator[list]:
        return csv.reader(io.StringIO(text))

    height = sum(1 for _row in stream())  # refused before anything is read into memory or written
    if height > max_rows:
        raise UnreadableFile(f"{path.name} has more than {max_rows} rows; split it or raise the limit.")
    return Sheet(path.stem, list(islice(stream(), HEAD_ROWS)), stream, frozenset(), height)
