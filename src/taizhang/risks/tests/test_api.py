"""The risk API's writes: the same steps as the pages, through the same actions, with the API's answers
(the loop from identification to clearing, a stale version, a bad value, a return's nil attestation)."""

import datetime as dt

import pytest

from taizhang.core.models import AuditEvent
from taizhang.risks import actions, actions_campaign
from taizhang.risks.models import Return, Risk, RiskStatus
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Step
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_a_risk_from_identification_to_clearing_through_the_api(clients, people):
    office = clients["office"]
    made = post(
        office, "/api/risks/", {"text": "新闻稿发布前未经三审", "unit": unit("市委宣传部").pk, "posts": "编辑岗"}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "identified" and body["posts"] == "编辑岗"
    pk = body["origin"]

    assessed = post(office, f"/api/risks/{pk}/assess/", {"likelihood": 4, "impact": 5, "version": body["version"]})
    assert assessed.status_code == 200, assessed.content
    assert assessed.json()["level"] == "major" and assessed.json()["score"] == "20.00"
    assert [a["kind"] for a in assessed.json()["assessments"]] == ["inherent"]

    risk = Risk.objects.get(pk=pk)
    task = actions.add_disposal(
        risk, {"measure": "建立三审制度", "lead_unit": risk.unit, "deadline": "2030年底前"}, by=people["office"]
    )
    for step, who in ((Step.APPLY_CLOSE, "liaison"), (Step.CONFIRM, "unithead"), (Step.VERIFY, "office")):
        task = task_actions.transition(task, step, by=people[who], note="已完成")
    version = Risk.objects.get(pk=pk).version
    early = post(office, f"/api/risks/{pk}/clear/", {"note": "已建立制度", "version": version})
    assert early.status_code == 400 and "剩余风险" in early.json()["detail"]

    residual = {"kind": "residual", "likelihood": 1, "impact": 2, "version": version}
    assert post(office, f"/api/risks/{pk}/assess/", residual).status_code == 200
    cleared = post(office, f"/api/risks/{pk}/clear/", {"note": "已建立制度", "version": version + 1})
    assert cleared.status_code == 200, cleared.content
    assert (
        cleared.json()["status"] == RiskStatus.CLEARED and cleared.json()["cleared_on"] == dt.date.today().isoformat()
    )
    steps = AuditEvent.objects.filter(object_id=str(pk), action__startswith="risk.").values_list("action", flat=True)
    assert list(steps.order_by("seq")) == ["risk.create", "risk.assess", "risk.dispose", "risk.assess", "risk.cleared"]


def test_a_stale_version_is_a_409_and_changes_nothing(clients, people):
    risk = actions.save_risk(None, {"text": "岗位权力缺少制约", "unit": unit("市委宣传部")}, by=people["office"])
    stale = risk.version
    actions.assess(risk, {"likelihood": 2, "impact": 2}, by=people["office"])
    response = post(
        clients["liaison"], f"/api/risks/{risk.pk}/assess/", {"likelihood": 5, "impact": 5, "version": stale}
    )
    assert response.status_code == 409 and response.json()["current_version"] == stale + 1
    assert Risk.objects.get(pk=risk.pk).level == "low"


def test_a_value_off_the_matrix_is_a_400_in_chinese(clients, people):
    risk = actions.save_risk(None, {"text": "制度执行不到位", "unit": unit("市委宣传部")}, by=people["office"])
    response = post(clients["liaison"], f"/api/risks/{risk.pk}/assess/", {"likelihood": 9, "impact": 2, "version": 1})
    assert response.status_code == 400
    assert "可能性" in response.json()["detail"]
    assert not risk.assessments.exists()


def test_the_unit_head_attests_a_nil_return_and_the_office_accepts_it(clients, people):
    campaign = actions_campaign.launch(
        {
            "title": "意识形态领域风险专项排查",
            "starts_on": dt.date.today(),
            "due_on": dt.date.today() + dt.timedelta(days=7),
            "scope_units": [unit("市委宣传部")],
        },
        by=people["office"],
    )
    ret = Return.objects.get(campaign=campaign)
    by_liaison = post(clients["liaison"], f"/api/returns/{ret.pk}/submit/", {"nil": True, "version": ret.version})
    assert by_liaison.status_code == 403
    done = post(clients["unithead"], f"/api/returns/{ret.pk}/submit/", {"nil": True, "version": ret.version})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted" and done.json()["nil"] is True and done.json()["late"] is False
    decided = post(
        clients["office"], f"/api/returns/{ret.pk}/decide/", {"accept": True, "version": done.json()["version"]}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
