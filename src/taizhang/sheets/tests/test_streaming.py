"""Imports stream: rows are read, planned and written a batch at a time, and still all or nothing."""

import csv
import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from taizhang.core.models import AuditEvent
from taizhang.rectification.models import Finding, Source
from taizhang.sheets.importer import WRITE_BATCH
from taizhang.sheets.reader import HEAD_ROWS, read_sheet
from taizhang.tasks.models import Task

HEADER = ["序号", "问题描述", "整改措施", "牵头单位", "整改时限"]


def write_csv(path, rows):
    with path.open("w", encoding="gb18030", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])


def measures(count):
    return [[str(i // 2 + 1), f"问题{i // 2 + 1}", f"措施{i + 1}", "市委办公室", "2024年6月底前"] for i in range(count)]


def run(path, capsys):
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_ledger", str(path), "--json", "--feedback-date", "2024-01-15")
        raise SystemExit(0)
    return exit_code.value.code, json.loads(capsys.readouterr().out)


@pytest.mark.django_db
def test_a_refused_row_after_several_written_batches_leaves_nothing(people, tmp_path, capsys):
    rows = measures(WRITE_BATCH * 2 + 10)
    rows[-1][3] = ""  # the very last row has no lead unit
    path = tmp_path / "ledger.csv"
    write_csv(path, rows)
    events = AuditEvent.objects.count()
    code, result = run(path, capsys)
    assert code == 1
    row = len(rows) + 1  # under the header row
    assert [{k: e[k] for k in ("code", "row", "column")} for e in result["errors"]] == [
        {"code": "no_lead_unit", "row": row, "column": f"D{row}"}
    ]
    assert result["errors"][0]["message"] == "牵头单位为空。"
    assert not Source.objects.exists() and not Task.objects.exists() and not Finding.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_long_ledger_imports_in_batches_with_its_findings(people, tmp_path, capsys):
    rows = measures(WRITE_BATCH * 2 + 11)
    path = tmp_path / "ledger.csv"
    write_csv(path, rows)
    code, result = run(path, capsys)
    assert code == 0 and (result["findings"], result["tasks"]) == (WRITE_BATCH + 6, len(rows))
    source = Source.objects.get()
    assert Task.objects.filter(source=source).count() == len(rows)
    # a finding's measures stay together even where a batch boundary falls between them
    assert all(f.tasks.count() in (1, 2) for f in Finding.objects.filter(source=source))
    last = Task.objects.get(measure=f"措施{len(rows)}")
    assert last.origin.text == f"问题{(len(rows) - 1) // 2 + 1}" and last.position == len(rows)


def test_merged_cells_read_as_the_user_sees_them_beyond_the_head(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["B2"] = "台账"
    for r in range(3, HEAD_ROWS + 40):
        sheet.cell(row=r, column=3, value=f"r{r}")
    sheet["B80"] = "合并"
    sheet.merge_cells("B80:C82")  # below the rows kept in memory
    path = tmp_path / "merged.xlsx"
    book.save(path)
    read = read_sheet(path)
    rows = list(read.iter_rows())
    assert read.head == rows[:HEAD_ROWS] and read.height == len(rows) == HEAD_ROWS + 39
    assert rows[1][1] == "台账" and rows[0] == ["", "", ""]  # columns before the first used one are kept
    assert [rows[r][1:3] for r in (79, 80, 81)] == [["合并"] * 2] * 3
    assert rows[78][2] == "r79" and rows[82][2] == "r83"  # a cell after the merged range is its own


@pytest.mark.django_db
def test_hidden_rows_are_read_and_reported(people, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *measures(30)]:
        sheet.append(row)
    for number in (5, 28):
        sheet.row_dimensions[number].hidden = True
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    assert read_sheet(path).hidden_rows == {4, 27}
    code, result = run(path, capsys)
    assert code == 0 and result["tasks"] == 30
    warning = next(w for w in result["warnings"] if w["code"] == "hidden_rows_read")
    assert "2" in warning["message"] and "5、28" in warning["message"]
