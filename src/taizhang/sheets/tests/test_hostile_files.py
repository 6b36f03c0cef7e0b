"""Files that claim or hold a huge grid are refused before any grid is built, within bounded memory.

Each file is read in a child process whose address space is capped (`resource.setrlimit`) at a size
the dense grid calamine would build could never fit in: the child must answer with a refusal, not die.
The .xls files were written once with xlwt (a cell at IV65536; at EU65536) and are kept under `files/`.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from taizhang.sheets.extent import scan_ods, scan_xls, scan_xlsx
from taizhang.sheets.reader import UnreadableFile, read_sheet

FILES = Path(__file__).parent / "files"
MEMORY_MB = 512  # the 1.4 KB file alone would need about 10 GB as a grid

CHILD = """
import json, resource, sys
limit = int(sys.argv[2]) * 1048576
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import django
django.setup()
from taizhang.sheets.reader import UnreadableFile, read_sheet
try:
    out = {"rows": read_sheet(sys.argv[1]).height}
except UnreadableFile as exc:
    out = {"refused": str(exc)}
# VmHWM starts again at exec (ru_maxrss would carry the forking test process's peak)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
out["peak_mb"] = int(peak.split()[1]) // 1024
print(json.dumps(out, ensure_ascii=False))
"""

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def tiny_xlsx(path: Path, sheet_data: str, dimension: str | None = None) -> Path:
    """The smallest xlsx calamine reads: four parts and one sheet, inline strings."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            archive.writestr(name, text)
    return path


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def tiny_ods(path: Path, rows: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="台账">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return path


def ods_row(*texts: str, rows: int = 1, columns: int = 1) -> str:
    cells = "".join(
        f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="string">'
        f"<text:p>{t}</text:p></table:table-cell>"
        for t in texts
    )
    return f'<table:table-row table:number-rows-repeated="{rows}">{cells}</table:table-row>'


def read_in_child(path: Path) -> dict:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(MEMORY_MB)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def hostile_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, the words its refusal must contain)."""
    header = cell("A1", "序号")
    return {
        # The probe's file: one cell at XFD20000, 1.4 KB on disk.
        "far column": (
            tiny_xlsx(tmp / "xfd.xlsx", f'<row r="1">{header}</row><row r="20000">{cell("XFD20000", "x")}</row>'),
            "16384",
        ),
        "lying dimension": (
            tiny_xlsx(
                tmp / "liar.xlsx", f'<row r="1">{header}</row><row r="20000">{cell("XFD20000", "x")}</row>', "A1"
            ),
            "16384",
        ),
        "declared dimension": (
            tiny_xlsx(tmp / "declared.xlsx", f'<row r="1">{header}</row>', "A1:XFD1048576"),
            "1048576",
        ),
        "far row": (tiny_xlsx(tmp / "row.xlsx", f'<row r="1048576">{cell("A1048576", "x")}</row>'), "1048576"),
        "cell below its row": (tiny_xlsx(tmp / "below.xlsx", f'<row r="1">{cell("A999999", "x")}</row>'), "999999"),
        "area": (
            tiny_xlsx(tmp / "area.xlsx", f'<row r="1">{header}</row><row r="90000">{cell("GR90000", "x")}</row>'),
            "5000000",
        ),
        "xls far column": (FILES / "sparse-bomb.xls", "256"),
        "xls area": (FILES / "area-bomb.xls", "5000000"),
        "ods repeated cell": (tiny_ods(tmp / "cols.ods", ods_row("序号", columns=16384)), "16384"),
        "ods repeated row": (tiny_ods(tmp / "rows.ods", ods_row("序号") + ods_row("x", rows=1_000_000)), "1000001"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "far column",
        "lying dimension",
        "declared dimension",
        "far row",
        "cell below its row",
        "area",
        "xls far column",
        "xls area",
        "ods repeated cell",
        "ods repeated row",
    ],
)
def test_hostile_file_is_refused_within_bounded_memory(name, tmp_path):
    path, words = hostile_files(tmp_path)[name]
    if path.suffix == ".xlsx":
        assert path.stat().st_size < 1600  # the 1.4 KB of the probe
    result = read_in_child(path)
    assert "refused" in result, result
    assert words in result["refused"] and path.name in result["refused"]
    assert result["peak_mb"] < 200, result


def test_ordinary_files_pass_the_extent_check(tmp_path):
    # LibreOffice ends every sheet with repeated empty rows and cells: those count for nothing.
    empty_tail = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    ods = tiny_ods(tmp_path / "ok.ods", ods_row("序号", "整改措施") + ods_row("1", "建立制度", rows=3) + empty_tail)
    extent = scan_ods(ods)
    assert (extent.rows, extent.columns) == (4, 2)
    assert read_sheet(ods).rows[3][:2] == ["1", "建立制度"]
    assert (scan_xls(FILES / "ledger.xls").rows, scan_xls(FILES / "ledger.xls").columns) == (4, 5)
    xlsx = tiny_xlsx(
        tmp_path / "ok.xlsx",
        f'<row r="1">{cell("A1", "序号")}{cell("AB1", "备注")}</row><row r="7">{cell("B7", "x")}</row>',
    )
    extent = scan_xlsx(xlsx)
    assert (extent.rows, extent.columns) == (7, 28)
    assert read_sheet(xlsx).height == 7
    assert read_sheet(FILES / "ledger.xls").head[1][:4] == [1.0, "问题1", "措施1", "市委办公室"]


def test_prefixed_and_unordered_xml_takes_the_general_scan(tmp_path):
    # Some generators prefix every tag and put `r` after other attributes.
    data = '<x:row spans="1:2" r="3"><x:c t="inlineStr" r="AC3"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
    path = tiny_xlsx(tmp_path / "prefixed.xlsx", data)
    extent = scan_xlsx(path)
    assert (extent.rows, extent.columns) == (3, 29)


def test_csv_with_too_many_fields_or_an_endless_cell(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("序号," + ",".join(["x"] * 500) + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="501") as caught:
        read_sheet(wide)
    assert "wide.csv" in str(caught.value)
    endless = tmp_path / "endless.csv"
    endless.write_text('序号,"' + "长" * 40000 + '"\n', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="32767"):
        read_sheet(endless)
