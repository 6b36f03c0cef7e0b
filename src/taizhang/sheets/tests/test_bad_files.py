"""Bad files are refused with one clear message, and nothing is written."""

import json
import zipfile

import pytest
from django.core.management import call_command

from taizhang.rectification.demo import SAMPLE
from taizhang.rectification.models import Source
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def run_import(path, capsys):
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_ledger", str(path), "--json", "--feedback-date", "2024-01-15")
    captured = capsys.readouterr()
    return exit_code.value.code, captured.out, captured.err


def assert_nothing_written():
    assert not Source.objects.exists() and not Task.objects.exists()


def test_truncated_xlsx(people, tmp_path, capsys):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(SAMPLE.read_bytes()[:3000])
    code, _out, err = run_import(path, capsys)
    assert code == 2 and "已损坏或不完整" in err
    assert_nothing_written()


def test_text_file_named_xlsx(people, tmp_path, capsys):
    path = tmp_path / "fake.xlsx"
    path.write_text("序号,整改措施\n1,x\n")
    code, _out, err = run_import(path, capsys)
    assert code == 2 and "不是表格文件" in err
    assert_nothing_written()


def test_zip_bomb(people, tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                member.write(chunk)
    assert path.stat().st_size < 2_000_000
    code, _out, err = run_import(path, capsys)
    assert code == 2 and "疑似压缩炸弹" in err
    assert_nothing_written()


def test_sheet_without_a_recognisable_header(people, tmp_path, capsys):
    path = tmp_path / "shopping.csv"
    path.write_text("名称,数量\n苹果,3\n", encoding="utf-8")
    code, out, _err = run_import(path, capsys)
    assert code == 1
    assert [e["code"] for e in json.loads(out)["errors"]] == ["no_header"]
    assert "未找到台账表头" in out
    assert_nothing_written()


def test_too_many_rows(people, tmp_path, capsys, settings):
    rows = ["序号,问题描述,整改措施,牵头单位,整改时限"] + [
        f"{i},问题{i},措施{i},市委办公室,2024年底前" for i in range(200_001)
    ]
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    code, _out, err = run_import(path, capsys)
    assert code == 2 and "超过 100000 行" in err
    assert_nothing_written()


def test_rows_with_problems_refuse_the_whole_import(people, tmp_path, capsys):
    path = tmp_path / "partial.csv"
    path.write_text(
        "序号,问题描述,整改措施,牵头单位,整改时限\n1,问题一,措施一,市委办公室,2024年底前\n2,问题二,措施二,,2024年底前\n",
        encoding="utf-8",
    )
    code, out, _err = run_import(path, capsys)
    assert code == 1
    assert '"row": 3' in out and '"column": "D3"' in out
    assert_nothing_written()
