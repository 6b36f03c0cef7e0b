"""Inspecting the responsibility system: the checklist is what each unit's lists asked this year (the
same figures as the list's matrix), and a finding recorded there is a finding of the inspection's
rectification ledger with its measure a task of the unit: nothing is typed twice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.duties import actions, inspection, progress
from taizhang.rectification.models import Finding, Source
from taizhang.tasks.models import Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


def _world(people):
    units = [unit("市委宣传部"), unit("市教育局")]
    duty_list = actions.issue_list(
        {"title": "清单", "year": YEAR, "units": units, "starts_on": dt.date(YEAR, 1, 1)}, by=people["office"]
    )
    actions.add_item(duty_list, {"text": "专题研究意识形态工作", "frequency": "每半年至少2次"}, by=people["office"])
    actions.issue_inclusions(YEAR, units, by=people["office"])
    return duty_list, inspection.open_inspection({"year": YEAR, "units": units}, by=people["office"])


def test_the_checklist_is_what_the_lists_asked_of_each_unit(people):
    duty_list, made = _world(people)
    assert Source.objects.get(pk=made.pk).kind == "special"  # a rectification ledger of 专项督查
    rows = {r["unit"].name: r for r in inspection.checklist(made, people["office"])}
    assert set(rows) == {"市委宣传部", "市教育局"}
    assert rows["市教育局"]["total"] == 2 + 8  # two half-years, and the eight 四纳入 · 四同 items
    matrix = progress.list_matrix(duty_list, people["office"])
    in_list = {u.name: sum(c.total for c in row) for u, row in matrix["rows"]}
    assert rows["市委宣传部"]["total"] - 8 == in_list["市委宣传部"]


def test_a_finding_lands_in_the_ledger_with_its_measure_a_task_of_the_unit(people):
    _list, made = _world(people)
    task = inspection.record_finding(
        made,
        {
            "unit": unit("市教育局"),
            "text": "未按要求专题研究意识形态工作",
            "measure": "下半年召开专题会议",
            "deadline": "年底前",
        },
        by=people["office"],
    )
    finding = Finding.objects.get(source_id=made.pk)
    assert (finding.text, finding.found_in) == ("未按要求专题研究意识形态工作", unit("市教育局"))
    assert (task.origin_id, task.source_id, task.lead_unit) == (finding.pk, made.pk, unit("市教育局"))
    assert Task.objects.filter(source_id=made.pk).count() == 1
    rows = {r["unit"].name: r for r in inspection.checklist(made, people["office"])}
    assert [f.text for f in rows["市教育局"]["findings"]] == ["未按要求专题研究意识形态工作"]


def test_a_finding_for_a_unit_not_inspected_is_refused(people):
    _list, made = _world(people)
    with pytest.raises(ValidationError):
        inspection.record_finding(
            made,
            {"unit": unit("东城区委"), "text": "问题", "measure": "措施", "deadline": "年底前"},
            by=people["office"],
        )
    assert not Finding.objects.filter(source_id=made.pk).exists()


@pytest.mark.parametrize("persona", ["liaison", "viewer", "countyoffice"])
def test_only_an_office_over_the_units_opens_an_inspection(people, persona):
    with pytest.raises(PermissionDenied):
        inspection.open_inspection({"year": YEAR, "units": [unit("市委宣传部")]}, by=people[persona])
