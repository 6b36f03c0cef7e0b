"""Responsibility lists in and out in the office layout: an exported list reads back as the same list,
the layouts offices write (their wordings, section rows for the subject, a side column, column numbers)
are read right, and a bad row refuses the whole file at its cell with nothing written."""

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from taizhang.core.models import AuditEvent
from taizhang.duties import actions, sheets
from taizhang.duties.models import DutyItem, Subject
from taizhang.org.models import Person
from taizhang.tasks.models import Task
from taizhang.testing import client_for, unit

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def _list(people, title="责任清单"):
    return actions.issue_list(
        {
            "title": f"{YEAR}年度{title}",
            "year": YEAR,
            "units": [unit("市委宣传部"), unit("市教育局")],
            "starts_on": dt.date(YEAR, 1, 1),
        },
        by=people["office"],
    )


def _workbook(rows, path):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _items(duty_list):
    found = duty_list.items.select_related("origin", "person").order_by("origin__position")
    return [(i.subject, i.person_id, i.areas, i.origin.text, i.frequency, i.supervisor, i.done_when) for i in found]


def test_an_exported_list_reads_back_as_the_same_list(people, tmp_path):
    member = Person.objects.filter(unit=unit("市委宣传部")).first()
    source = _list(people)
    for data in (
        {
            "text": "专题研究意识形态工作",
            "frequency": "每半年至少2次",
            "supervisor": "市委宣传部",
            "done_when": "会议纪要",
        },
        {"text": "带头讲授专题党课", "frequency": "每年至少1次", "subject": Subject.SECRETARY},
        {
            "text": "抓好分管领域意识形态工作",
            "frequency": "每季度",
            "subject": Subject.MEMBER,
            "person": member,
            "areas": "宣传、网信",
        },
    ):
        actions.add_item(source, data, by=people["office"])
    path = tmp_path / "清单.xlsx"
    with open(path, "wb") as out:
        assert sheets.write_xlsx(source, out) == 3
    target = _list(people, "另一份清单")
    plan = sheets.import_file(path, target, by=people["office"])
    assert not plan.errors and _items(target) == _items(source)
    assert (
        Task.objects.filter(source_id=target.pk).count()
        == Task.objects.filter(source_id=source.pk).count()
        == 2 * (2 + 1 + 4)
    )
    assert AuditEvent.objects.filter(action="duty_list.import", object_id=str(target.pk)).count() == 1


def test_an_office_layout_with_its_own_wordings_and_section_rows(people, tmp_path):
    member = Person.objects.filter(unit=unit("市委宣传部")).first()
    rows = [
        [f"{YEAR}年度意识形态工作责任清单"],
        ["填报单位：市委宣传部"],
        ["序号", "工作任务", "完成\n时限", "班子成员", "分管工作", "监督单位", "佐证材料（附件）"],
        ["1", "2", "3", "4", "5", "6", "7"],
        ["一、主体责任"],
        ["1", "每半年专题研究意识形态工作", "每半年至少2次", "", "", "市委宣传部", "会议纪要"],
        ["二、第一责任人责任"],
        ["2", "年底前向上级报告履职情况", "年底前", "", "", "", ""],
        ["三、一岗双责"],
        ["3", "抓好分管领域阵地管理", "每季度", member.name, "网信", "", ""],
    ]
    duty_list = _list(people)
    plan = sheets.plan_file(_workbook(rows, tmp_path / "清单.xlsx"), duty_list)
    assert not plan.errors
    got = [(item["subject"], item["person"], item["frequency"], item["areas"]) for _row, item in plan.rows]
    assert got == [
        (Subject.ORGANISATION, None, "每半年至少2次", ""),
        (Subject.SECRETARY, None, "年底前", ""),
        (Subject.MEMBER, member, "每季度", "网信"),
    ]
    assert plan.rows[0][1]["done_when"] == "会议纪要" and plan.rows[0][1]["supervisor"] == "市委宣传部"


def test_a_merged_side_column_gives_the_subject(people, tmp_path):
    rows = [
        ["责任主体", "序号", "责任内容", "频次", "监督主体"],
        ["党委（党组）主体责任", "1", "研究部署意识形态工作", "每年至少1次", "市委宣传部"],
        ["", "2", "开展意识形态领域风险排查", "每半年", ""],
        ["党委（党组）书记", "3", "听取意识形态工作汇报", "每季度", ""],
    ]
    duty_list = _list(people)
    plan = sheets.plan_file(_workbook(rows, tmp_path / "side.xlsx"), duty_list)
    assert not plan.errors
    assert [item["subject"] for _row, item in plan.rows][0::2] == [Subject.ORGANISATION, Subject.SECRETARY]


def test_a_bad_row_refuses_the_file_at_its_cells_and_writes_nothing(people, tmp_path):
    rows = [
        ["序号", "责任主体", "责任人", "责任内容", "频次或时限"],
        ["1", "党委（党组）", "", "研究部署意识形态工作", "每季度"],
        ["2", "班子成员", "查无此人", "抓好分管领域工作", "每季度"],
        ["3", "党委（党组）", "", "开展专题学习", "有空的时候"],
    ]
    duty_list = _list(people)
    events = AuditEvent.objects.count()
    with pytest.raises(sheets.ListRefused) as refused:
        sheets.import_file(_workbook(rows, tmp_path / "bad.xlsx"), duty_list, by=people["office"])
    wheres = [e["where"].rsplit(" ", 1)[-1] for e in refused.value.plan.errors]
    assert wheres == ["C3", "E4"]
    assert not DutyItem.objects.filter(duty_list=duty_list).exists() and AuditEvent.objects.count() == events


def test_a_file_without_a_list_header_says_so(people, tmp_path):
    plan = sheets.plan_file(_workbook([["姓名", "电话"], ["张三", "123"]], tmp_path / "x.xlsx"), _list(people))
    assert [e["code"] for e in plan.errors] == ["no_header"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30).filter(str.strip))
def test_any_frequency_text_is_read_or_refused_at_its_cell(people, tmp_path_factory, text):
    """Whatever an office writes in the frequency column: the item's occurrences, or an error at its cell."""
    rows = [["序号", "责任内容", "频次或时限", "监督主体"], ["1", "研究部署意识形态工作", text, ""]]
    duty_list = _list(people)
    path = _workbook(rows, tmp_path_factory.mktemp("f") / "f.xlsx")
    plan = sheets.plan_file(path, duty_list)
    assert bool(plan.rows) != bool(plan.errors)
    assert all(e["where"].endswith("C2") for e in plan.errors)


def test_the_pages_export_preview_and_import(people):
    source = _list(people)
    actions.add_item(source, {"text": "专题研究意识形态工作", "frequency": "每半年至少2次"}, by=people["office"])
    client = client_for(people["office"])
    exported = client.get(f"/duties/lists/{source.pk}/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd.openxmlformats")
    target = _list(people, "新清单")
    upload = io.BytesIO(exported.content)
    upload.name = "清单.xlsx"
    preview = client.post(f"/duties/lists/{target.pk}/import/", {"file": upload})
    assert preview.status_code == 200 and len(preview.context["plan"].rows) == 1
    assert not target.items.exists()  # the preview writes nothing
    done = client.post(f"/duties/lists/{target.pk}/import/", {"upload": preview.context["token"]})
    assert done.status_code == 302 and target.items.get().origin.text == "专题研究意识形态工作"
    job_page = client.get(done["Location"]).content.decode()  # the import ran as a job of the queue
    assert "已导入 1 个事项" in job_page and f'href="/duties/lists/{target.pk}/"' in job_page
    again = client.post(f"/duties/lists/{target.pk}/import/", {"upload": preview.context["token"]})
    assert again.status_code == 302 and target.items.count() == 1  # the upload is gone: nothing twice


@pytest.mark.parametrize("text", ["合计2次", "总计每季度1次", "小计"])
def test_a_numbered_row_whose_frequency_starts_like_a_subtotal_is_data(people, tmp_path, text):
    """Found by the property test above: a numbered item's frequency cell beginning 合计/总计/小计 was
    taken for a subtotal row and skipped, so the item was neither read nor refused."""
    rows = [["序号", "责任内容", "频次或时限", "监督主体"], ["1", "研究部署意识形态工作", text, ""]]
    plan = sheets.plan_file(_workbook(rows, tmp_path / "f.xlsx"), _list(people))
    assert bool(plan.rows) != bool(plan.errors)
    assert all(e["where"].endswith("C2") for e in plan.errors)
