"""A task is a task whatever it answers: a finding's measure, a risk's disposal, a meeting's decision
and a responsibility item's occurrence each appear in the liaison's own list, the all-tasks list,
the API, its ledger's export and the home page's figures, light up the same way and are reminded by
the same engine. The same checks run over every origin."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from taizhang.duties import actions as duty_actions
from taizhang.notify import engine
from taizhang.notify.models import Channel, Delivery
from taizhang.rectification import actions as ledger_actions
from taizhang.risks import actions as risk_actions
from taizhang.tasks.models import Task
from taizhang.testing import unit

pytestmark = pytest.mark.django_db
DUE = dt.date.today() + dt.timedelta(days=7)  # the engine's first reminder falls today


def finding_measure(people, measure):
    source = ledger_actions.save_source(
        None,
        {"kind": "patrol", "title": "市委第一巡察组反馈问题", "feedback_date": dt.date.today()},
        by=people["office"],
    )
    finding = ledger_actions.save_finding(
        None, {"text": "意识形态工作责任制落实不到位"}, by=people["office"], source=source
    )
    data = {"origin": finding, "measure": measure, "lead_unit": unit("市委宣传部"), "deadline": DUE}
    from taizhang.tasks import actions as task_actions

    return task_actions.save_task(None, data, by=people["office"], source=source)


def risk_disposal(people, measure):
    risk = risk_actions.save_risk(
        None, {"text": "网站信息发布审核不严", "unit": unit("市委宣传部")}, by=people["office"]
    )
    risk_actions.assess(risk, {"likelihood": 4, "impact": 4}, by=people["office"])
    return risk_actions.add_disposal(
        risk, {"measure": measure, "lead_unit": unit("市委宣传部"), "deadline": DUE}, by=people["office"]
    )


def meeting_decision(people, measure):
    meeting = duty_actions.record_meeting(
        {"unit": unit("市委宣传部"), "date": dt.date.today(), "topics": "专题研究意识形态工作"}, by=people["liaison"]
    )
    return duty_actions.add_decision(
        meeting, {"measure": measure, "lead_unit": unit("市委宣传部"), "deadline": DUE}, by=people["liaison"]
    )


def duty_occurrence(people, measure):
    year = DUE.year
    duty_list = duty_actions.issue_list(
        {
            "title": "责任清单",
            "year": year,
            "units": [unit("市委宣传部")],
            "starts_on": dt.date.today() if dt.date.today().year == year else dt.date(year, 1, 1),
        },
        by=people["office"],
    )
    item = duty_actions.add_item(
        duty_list, {"text": measure, "frequency": f"{DUE.month}月{DUE.day}日前"}, by=people["office"]
    )
    return Task.objects.get(origin_id=item.pk)


ORIGINS = [finding_measure, risk_disposal, meeting_decision, duty_occurrence]


@pytest.mark.parametrize("make", ORIGINS, ids=lambda f: f.__name__)
def test_every_origins_task_is_in_every_list_export_figure_and_reminder(people, clients, make):
    task = make(people, "建立网络意识形态阵地巡查制度")
    assert task.deadline_date == DUE and task.lead_unit == unit("市委宣传部")
    liaison = clients["liaison"]
    assert "网络意识形态阵地巡查制度" in liaison.get("/ledger/mine/").content.decode()
    assert "网络意识形态阵地巡查制度" in clients["office"].get("/ledger/tasks/?q=巡查制度").content.decode()
    api = liaison.get("/api/tasks/?page_size=200").json()
    assert task.pk in [row["id"] for row in api["results"]]
    assert clients["county"].get(f"/ledger/tasks/{task.pk}/").status_code == 404  # another county's: out of scope

    export = clients["office"].get(f"/sheets/sources/{task.source_id}/export.xlsx")
    assert export.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert any("网络意识形态阵地巡查制度" in str(c) for c in cells if c)

    figures = liaison.get("/").context["f"]
    assert figures["due_30"]["n"] == 1  # the one task due this month (a risk also has its review, due later)
    listed = liaison.get("/ledger/tasks/?" + figures["due_30"]["link"]).content.decode()
    assert "网络意识形态阵地巡查制度" in listed  # the figure's list holds it
    assert task.light == "blue"  # due within the week: the engine's light, whatever the origin

    engine.run(timezone.now())
    told = Delivery.objects.filter(task=task, channel=Channel.INBOX, user=people["liaison"])
    assert told.count() == 1 and told.get().rule == "before"
    engine.run(timezone.now())
    assert told.count() == 1  # exactly once per rule and period
