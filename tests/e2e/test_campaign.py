"""A special investigation in the browser: the office launches it, a liaison returns two risks on a
phone, a unit head submits a nil return for their unit, the office accepts one return and sends the
other back; the campaign page tells each step."""

import datetime as dt

import pytest

from taizhang.risks.models import Campaign, Return, ReturnStatus, Risk
from taizhang.testing import DEMO_PASSWORD, build_demo_org

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def select_units(page, field, names):
    for name in names:
        page.locator(f"#id_{field} option", has_text=name).first.wait_for(state="attached")
    page.select_option(f"#id_{field}", label=names)


def test_a_campaign_from_launch_to_decision(live_server, page, phone, screenshot):
    build_demo_org()
    base = live_server.url
    due = dt.date.today() + dt.timedelta(days=10)

    login(page, base, "office", DEMO_PASSWORD)
    page.goto(f"{base}/risks/campaigns/new/")
    page.fill("#id_title", "宣传文化阵地风险专项排查")
    page.fill("#id_starts_on", dt.date.today().isoformat())
    page.fill("#id_due_on", due.isoformat())
    page.fill("#id_instructions", "请逐项排查本单位宣传文化阵地")
    select_units(page, "scope_units", ["市委宣传部", "市教育局"])
    page.click("#save")
    page.wait_for_load_state()
    assert "已发起：2个单位须在" in page.locator(".alert-success").inner_text()
    campaign = Campaign.objects.get()
    states = page.locator("#returns tr[data-state]")
    assert states.count() == 2 and set(states.evaluate_all("rows => rows.map(r => r.dataset.state)")) == {"not_started"}

    # the liaison, on a phone: two risks, then submit
    login(phone, base, "liaison", DEMO_PASSWORD)
    phone.goto(f"{base}/risks/returns/")
    phone.locator("#my-returns a").first.click()
    phone.wait_for_load_state()
    for text in ("阵地展板更换无审核记录", "讲座活动备案不及时"):
        phone.fill("#add-risk-form #id_text", text)
        phone.select_option("#add-risk-form #id_likelihood", "3")
        phone.select_option("#add-risk-form #id_impact", "4")
        phone.click("#add-risk")
        phone.wait_for_load_state()
        assert "风险已加入报送" in phone.locator(".alert-success").inner_text()
    assert phone.locator("#return-risks li").count() == 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the return page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "campaign-1-liaison-return-phone")
    phone.click("#submit-return")
    phone.wait_for_load_state()
    assert "已向督查部门报送" in phone.locator(".alert-success").inner_text()
    propaganda = Return.objects.get(unit__name="市委宣传部")
    assert propaganda.status == ReturnStatus.SUBMITTED and Risk.objects.filter(campaign_return=propaganda).count() == 2

    # the unit head of 市教育局: a nil return in one click
    phone.context.clear_cookies()
    login(phone, base, "eduhead", DEMO_PASSWORD)
    education = Return.objects.get(unit__name="市教育局")
    phone.goto(f"{base}/risks/returns/{education.pk}/")
    assert phone.locator("#submit-return").count() == 0  # the unit head attests; the liaison fills in
    phone.click("#submit-nil")
    phone.wait_for_load_state()
    assert "零报告已报送" in phone.locator(".alert-success").inner_text()
    assert phone.dialogs and "零报告" in phone.dialogs[-1]

    # the office: accept one, send the other back with the reason
    page.goto(f"{base}/risks/returns/{propaganda.pk}/")
    page.click("#accept-return")
    page.wait_for_load_state()
    assert "已采纳" in page.locator(".alert-success").inner_text()
    page.goto(f"{base}/risks/returns/{education.pk}/")
    page.fill("#decide-form #id_note", "请结合校园宣传阵地再排查一次")
    page.click("#send-back-return")
    page.wait_for_load_state()
    assert "已退回" in page.locator(".alert-success").inner_text()
    page.goto(f"{base}/risks/campaigns/{campaign.pk}/")
    rows = dict(
        page.locator("#returns tr[data-state]").evaluate_all("rows => rows.map(r => [r.dataset.unit, r.dataset.state])")
    )
    assert rows == {"市委宣传部": "accepted", "市教育局": "draft"}
    assert page.locator("#return-rate").inner_text() == "50.0%"
    screenshot(page, "campaign-2-office-campaign")

    # the unit head sees why, on top of the return
    phone.goto(f"{base}/risks/returns/{education.pk}/")
    assert "请结合校园宣传阵地再排查一次" in phone.locator("#sent-back").inner_text()


def test_a_returned_risk_disposed_of_and_cleared(live_server, page, phone, screenshot):
    """After the campaign: the office gives the risk a disposal task, the unit closes it through the
    engine's steps, the liaison records the residual assessment on a phone, the unit head clears it;
    the register and the heat map count it no more."""
    from taizhang.org.models import User
    from taizhang.risks import actions, actions_campaign
    from taizhang.tasks.models import Status, Task
    from taizhang.testing import unit

    build_demo_org()
    base = live_server.url
    office = User.objects.get(username="office")
    campaign = actions_campaign.launch(
        {
            "title": "阵地风险排查",
            "starts_on": dt.date.today(),
            "due_on": dt.date.today(),
            "scope_units": [unit("市委宣传部")],
        },
        by=office,
    )
    ret = campaign.returns.get()
    liaison = User.objects.get(username="liaison")
    risk = actions_campaign.add_risk(
        ret, {"text": "阵地展板更换无审核记录"}, by=liaison, assessment={"likelihood": 4, "impact": 4}
    )
    ret = actions_campaign.submit(ret, by=liaison)
    actions_campaign.decide(ret, by=office, accept=True)

    login(page, base, "office", DEMO_PASSWORD)
    page.goto(f"{base}/risks/{risk.pk}/")
    page.click("#add-disposal")
    page.fill("#id_measure", "建立展板更换三级审核制度")
    page.fill("#id_deadline", "2030年底前")
    page.click("#save")
    page.wait_for_load_state()
    task = Task.objects.get(origin_id=risk.pk, measure="建立展板更换三级审核制度")
    assert page.url.endswith(f"/ledger/tasks/{task.pk}/")

    login(phone, base, "liaison", DEMO_PASSWORD)
    phone.goto(f"{base}/ledger/tasks/{task.pk}/")
    phone.click("#step-apply_close")
    phone.wait_for_load_state()
    phone.context.clear_cookies()
    login(phone, base, "unithead", DEMO_PASSWORD)
    phone.goto(f"{base}/ledger/tasks/{task.pk}/")
    phone.click("#step-confirm")
    phone.wait_for_load_state()
    page.goto(f"{base}/ledger/tasks/{task.pk}/")
    page.fill("#id_note", "制度已印发")
    page.click("#step-verify")
    page.wait_for_load_state()
    assert Task.objects.get(pk=task.pk).status == Status.CLOSED

    # the residual assessment, on a phone, by the liaison
    phone.context.clear_cookies()
    login(phone, base, "liaison", DEMO_PASSWORD)
    phone.goto(f"{base}/risks/{risk.pk}/")
    phone.select_option("#assess-form #id_kind", "residual")
    phone.select_option("#assess-form #id_likelihood", "1")
    phone.select_option("#assess-form #id_impact", "3")
    phone.click("#assess-form button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("#clear-risk").count() == 0  # the liaison reports; clearing is the unit head's
    screenshot(phone, "campaign-3-residual-phone")

    phone.context.clear_cookies()
    login(phone, base, "unithead", DEMO_PASSWORD)
    phone.goto(f"{base}/risks/{risk.pk}/")
    phone.fill("#decide-form #id_note", "三级审核制度已执行")
    phone.click("#clear-risk")
    phone.wait_for_load_state()
    assert "已清零" in phone.locator("#risk-status").inner_text()
    assert phone.dialogs and "清零" in phone.dialogs[-1]
    risk = type(risk).objects.get(pk=risk.pk)
    assert risk.status == "cleared" and actions.disposal_tasks(risk).get() == Task.objects.get(pk=task.pk)

    page.goto(f"{base}/risks/?status=open")
    assert page.locator(f"#risk-{risk.pk}").count() == 0
    page.goto(f"{base}/risks/?status=cleared")
    assert page.locator(f"#risk-{risk.pk}").count() == 1
    screenshot(page, "campaign-4-register-cleared")
