"""The actions check the object's scope themselves: called directly (as an importer, a job or another
module's API would call them), a county never reaches another county's task and a subtree office never
reaches outside its subtree. Each refusal changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from taizhang.core.audit import history
from taizhang.core.errors import OutOfScope
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets.importer import import_prepared
from taizhang.sheets.pipeline import prepare
from taizhang.tasks import actions
from taizhang.tasks.models import Status, Step, Task
from taizhang.testing import exported_with, unit

pytestmark = pytest.mark.django_db


def county_task(ledger, lead: str) -> Task:
    return actions.save_task(
        None, {"measure": f"{lead}整改措施", "lead_unit": unit(lead), "deadline": "2030年底前"}, by=None, source=ledger
    )


def unchanged(task: Task):
    """The task's state, to compare before and after a refused action."""
    task.refresh_from_db()
    return (task.status, task.version, task.latest_progress, task.lead_unit_id, history(task).count())


def test_county_liaison_cannot_report_on_another_countys_task(people, ledger):
    west = county_task(ledger, "西城区委")
    before = unchanged(west)
    with pytest.raises(OutOfScope):
        actions.report_progress(west, by=people["county"], text="越权报送")
    with pytest.raises(OutOfScope):
        actions.request_extension(west, by=people["county"], new_date=west.deadline_date, reason="越权")
    assert unchanged(west) == before
    actions.report_progress(west, by=people["westliaison"], text="西城区已完成摸排")
    west.refresh_from_db()
    assert west.latest_progress == "西城区已完成摸排"


def test_subtree_office_cannot_reopen_or_reassign_outside_its_subtree(people, ledger):
    outside = Task.objects.get(measure__startswith="制定年度意识形态工作要点")  # 市委办公室, closed
    before = unchanged(outside)
    with pytest.raises(OutOfScope):
        actions.transition(outside, Step.REOPEN, by=people["countyoffice"], note="越权", version=outside.version)
    with pytest.raises(OutOfScope):
        actions.save_task(outside, {"lead_unit": unit("东城区委")}, by=people["countyoffice"], source=ledger)
    assert unchanged(outside) == before


def test_subtree_office_manages_its_own_units_tasks_only_inside(people, ledger):
    east = county_task(ledger, "东城区委宣传部")
    office = people["countyoffice"]
    east = actions.transition(east, Step.START, by=office, version=east.version)
    assert east.status == Status.IN_PROGRESS
    before = unchanged(east)
    with pytest.raises(PermissionDenied):  # handing it to a unit outside the subtree
        actions.save_task(east, {"lead_unit": unit("市委宣传部")}, by=office, source=ledger, version=east.version)
    with pytest.raises(PermissionDenied):
        actions.save_task(
            None, {"measure": "x", "lead_unit": unit("市委宣传部"), "deadline": "长期坚持"}, by=office, source=ledger
        )
    assert unchanged(east) == before


def test_subtree_office_cannot_change_a_ledger_it_only_partly_sees(people, ledger):
    county_task(ledger, "东城区委宣传部")  # makes the city's ledger visible to the county office
    title = ledger.title
    with pytest.raises(PermissionDenied):
        ledger_actions.save_source(ledger, {"title": "改名"}, by=people["countyoffice"])
    with pytest.raises(PermissionDenied):
        ledger_actions.save_finding(None, {"text": "新问题"}, by=people["countyoffice"], source=ledger)
    ledger.refresh_from_db()
    assert ledger.title == title


def test_subtree_office_owns_the_ledgers_it_creates(people):
    office = people["countyoffice"]
    source = ledger_actions.save_source(None, {"title": "东城区自查", "feedback_date": dt.date(2026, 1, 10)}, by=office)
    assert source.inspected_unit == office.unit
    finding = ledger_actions.save_finding(None, {"text": "台账不全"}, by=office, source=source)
    assert finding.source == source


def test_admin_may_reimport_a_ledger_whose_progress_cell_changed(people, ledger, tmp_path):
    """The importer records the ledger's progress text with the office's own right to change the ledger."""
    task = Task.objects.get(measure="编发基层党支部学习参考书目和专题清单")
    path = tmp_path / "ledger.xlsx"
    exported_with(ledger, path, task.measure, 12, "已编发书目并下发各支部")
    reports = task.progress_reports.count()
    import_prepared(prepare(path), ledger, by=people["admin"])
    task.refresh_from_db()
    assert task.latest_progress == "已编发书目并下发各支部"
    assert task.progress_reports.count() == reports + 1
    assert history(task).last().actor_name == "admin"


def test_subtree_office_names_no_group_or_person_outside_its_subtree(people, ledger, clients):
    from taizhang.org.models import Person, UnitGroup

    office = people["countyoffice"]
    data = {"measure": "东城措施", "lead_unit": unit("东城区委宣传部"), "deadline": "2030年底前"}
    with pytest.raises(PermissionDenied):  # 各县（区）委 reaches every county
        actions.save_task(
            None, data | {"partner_groups": [UnitGroup.objects.get(name="各县（区）委")]}, by=office, source=ledger
        )
    with pytest.raises(PermissionDenied):  # 陈静 works in 市委督查室
        actions.save_task(None, data | {"leader": Person.objects.get(name="陈静")}, by=office, source=ledger)
    assert not Task.objects.filter(measure="东城措施").exists()
    page = clients["countyoffice"].get(f"/ledger/sources/{ledger.pk}/tasks/new/").content.decode()
    assert "陈静" not in page and "各县（区）委" not in page and "周杰" in page
