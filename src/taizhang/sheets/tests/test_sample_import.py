"""The shared sample ledger imports to 5 categories, 15 findings and 19 measures, deadlines as meant."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from taizhang.core.deadlines import DeadlineKind
from taizhang.rectification.demo import SAMPLE
from taizhang.rectification.models import Category, Finding
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_sample_ledger_counts_and_deadlines(ledger):
    assert Category.objects.filter(source=ledger).count() == 5
    assert Finding.objects.filter(source=ledger).count() == 15
    assert Task.objects.filter(source=ledger).count() == 19
    by_text = {t.measure: t for t in Task.objects.filter(source=ledger)}
    assert by_text["建立专题研究情况季度通报制度"].deadline_kind == DeadlineKind.LONG_TERM
    assert by_text["每季度开展一次信息发布规范性抽查"].deadline_kind == DeadlineKind.PERIODIC
    assert by_text["建立学习计划执行情况月度台账，未按计划开展的说明原因"].deadline_date == dt.date(2024, 4, 30)
    assert by_text["班子成员年度述职须专项报告分管领域意识形态工作"].deadline_date == dt.date(2024, 12, 31)
    dated_lt = by_text["明确联席会议每季度至少召开1次，议定事项纳入督办"]
    assert (dated_lt.deadline_kind, dated_lt.deadline_date) == (DeadlineKind.DATED_LONG_TERM, dt.date(2024, 12, 31))
    assert by_text["将相关工作经费列入年度财政预算"].needs_date
    # two measures under finding 1, and 各县（区）委 as a partner group
    assert Finding.objects.get(source=ledger, number="1").tasks.count() == 2
    assert by_text["逐人制定“一岗双责”责任清单并签订责任书"].partner_groups.get().name == "各县（区）委"


def test_import_command_json_and_dry_run(people, capsys):
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_ledger", str(SAMPLE), "--dry-run", "--json", "--feedback-date", "2024-01-15")
        raise SystemExit(0)
    assert exit_code.value.code == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["categories"], result["findings"], result["tasks"]) == (5, 15, 19)
    assert not Task.objects.exists()


def test_import_command_refuses_an_unreadable_file(people, tmp_path, capsys):
    bogus = tmp_path / "ledger.xlsx"
    bogus.write_text("this is not a spreadsheet")
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_ledger", str(bogus), "--json")
    assert exit_code.value.code == 2
    assert "不是表格文件" in capsys.readouterr().err


def test_import_command_takes_the_feedback_date_from_the_sheet(people, tmp_path, capsys):
    import csv

    path = tmp_path / "ledger.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["某巡察反馈问题整改台账"])
        writer.writerow(["填报单位：市委办公室", "", "填报日期：2024年3月1日"])
        writer.writerow(["序号", "问题描述", "整改措施", "牵头单位", "整改时限"])
        writer.writerow(["1", "制度执行不到位", "建立台账", "市委办公室", "10个工作日内"])
    with pytest.raises(SystemExit) as exit_code:
        call_command("import_ledger", str(path), "--json")
        raise SystemExit(0)
    assert exit_code.value.code == 0, capsys.readouterr()
    task = Task.objects.get()
    assert task.source.feedback_date == dt.date(2024, 3, 1)
    assert dt.date(2024, 3, 14) <= task.deadline_date <= dt.date(2024, 3, 20)  # ten working days after 1 March
