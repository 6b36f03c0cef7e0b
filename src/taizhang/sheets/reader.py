"""Reading spreadsheet files into rows of cell values, whatever the format.

xlsx / xls / ods through python-calamine (merged cells come back as the value in their first cell
and empty elsewhere; the layout code fills them); CSV with UTF-8, UTF-8 with BOM or GB18030.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from python_calamine import CalamineWorkbook

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # an xlsx whose parts inflate beyond this is refused (zip bomb)


class UnreadableFile(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for a person."""


@dataclass
class Sheet:
    name: str
    rows: list[list]  # row i is the spreadsheet's row i+1
    hidden_columns: frozenset = frozenset()  # 0-based indexes


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
        return Sheet(path.stem, _read_csv(path, max_rows))
    if head.startswith(b"PK"):
        _check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False, nrows=max_rows + 1)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"{path.name} cannot be read as a spreadsheet: {exc}") from exc
    if len(rows) > max_rows:
        raise UnreadableFile(f"{path.name} has more than {max_rows} rows; split it or raise the limit.")
    rows = [list(r) for r in rows]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        # A merged range shows its first cell's value everywhere it spans, as the user sees it.
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, len(rows[r]))):
                if (r, c) != (r0, c0):
                    rows[r][c] = value
    hidden = _hidden_columns(path) if head.startswith(b"PK") else frozenset()
    return Sheet(workbook.sheet_names[0], rows, hidden)


_COL = re.compile(rb"<col\b[^>]*>")


def _hidden_columns(path: Path) -> frozenset:
    """Hidden columns of the first sheet of an xlsx, read from its <cols> element."""
    hidden = set()
    try:
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")), None)
            if not name:
                return frozenset()
            with archive.open(name) as part:
                head = part.read(65536)  # <cols> precedes <sheetData>
    except (zipfile.BadZipFile, OSError):
        return frozenset()
    head = head.split(b"<sheetData", 1)[0]
    for tag in _COL.findall(head):
        if re.search(rb'hidden="(1|true)"', tag):
            low = int(re.search(rb'min="(\d+)"', tag).group(1))
            high = int(re.search(rb'max="(\d+)"', tag).group(1))
            hidden.update(range(low - 1, min(high, 16384)))
    return frozenset(hidden)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(f"{path.name} is damaged or truncated ({exc}).") from exc
    if total > MAX_UNCOMPRESSED:
        raise UnreadableFile(f"{path.name} inflates to {total // 1048576} MB; refused as a possible zip bomb.")


def _read_csv(path: Path, max_rows: int) -> list[list]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence
        raise UnreadableFile(f"{path.name}: unknown text encoding.")
    if "\x00" in text:
        raise UnreadableFile(f"{path.name} is not a text (CSV) file.")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(row)
        if len(rows) > max_rows:
            raise UnreadableFile(f"{path.name} has more than {max_rows} rows; split it or raise the limit.")
    return rows
