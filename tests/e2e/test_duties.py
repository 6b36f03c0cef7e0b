"""The responsibility system in the browser: the liaison minutes a 专题研究 meeting with two decisions
on a phone and counts it for the unit's list item; both decisions are tasks of their lead unit in
the liaison's own list; the office sees the unit's occurrence turn green."""

import datetime as dt

import pytest

from taizhang.duties import actions
from taizhang.duties.models import Meeting
from taizhang.org.models import User
from taizhang.tasks.models import Status, Task
from taizhang.testing import DEMO_PASSWORD, build_demo_org, unit

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_meeting_minuted_on_a_phone_becomes_tasks_and_carries_out_the_list(live_server, page, phone, screenshot):
    build_demo_org()
    base, year = live_server.url, dt.date.today().year
    office = User.objects.get(username="office")
    duty_list = actions.issue_list(
        {
            "title": f"{year}年度意识形态工作责任清单",
            "year": year,
            "units": [unit("市委宣传部")],
            "starts_on": dt.date(year, 1, 1),
        },
        by=office,
    )
    item = actions.add_item(duty_list, {"text": "党委专题研究意识形态工作", "frequency": "每半年至少2次"}, by=office)

    login(phone, base, "liaison", DEMO_PASSWORD)
    phone.goto(f"{base}/duties/")
    phone.click("#record-meeting")
    phone.wait_for_selector("#id_topics")
    phone.select_option("#id_kind", "committee")
    phone.fill("#id_date", dt.date.today().isoformat())
    phone.fill("#id_topics", "研究部署意识形态工作，分析研判形势")
    phone.fill("#id_chair", "孙敏")
    with phone.expect_navigation():
        phone.click("#save")
    assert "会议已登记" in phone.locator(".alert-success").inner_text()
    meeting = Meeting.objects.get()
    for measure, deadline in (("修订网络阵地管理办法", "年底前"), ("开展宣传文化阵地专项检查", "2027年3月31日前")):
        phone.fill("#decision-form #id_measure", measure)
        phone.fill("#decision-form #id_deadline", deadline)
        with phone.expect_navigation():
            phone.click("#add-decision")
        assert "议定事项已录入" in phone.locator(".alert-success").inner_text()
    assert phone.locator("#decisions li").count() == 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the meeting page scrolls sideways on a phone ({width}px)"
    with phone.expect_navigation():
        phone.click("#count-meeting")
    assert "已计入" in phone.locator(".alert-success").inner_text()
    screenshot(phone, "duties-1-meeting-phone")

    decisions = Task.objects.filter(origin_id=meeting.pk)
    assert sorted(decisions.values_list("measure", flat=True)) == ["修订网络阵地管理办法", "开展宣传文化阵地专项检查"]
    assert set(decisions.values_list("lead_unit__name", flat=True)) == {"市委宣传部"}
    phone.goto(f"{base}/ledger/mine/")
    mine = phone.content()
    assert "修订网络阵地管理办法" in mine and "开展宣传文化阵地专项检查" in mine

    done = Task.objects.get(origin_id=item.pk, status=Status.CLOSED)
    assert done.deadline_date >= dt.date.today()
    login(page, base, "office", DEMO_PASSWORD)
    page.goto(f"{base}/duties/?unit={unit('市委宣传部').pk}&year={year}")
    assert page.locator(f'[data-occurrence="{done.pk}"]').get_attribute("data-light") == "green"
    page.goto(f"{base}/duties/lists/{duty_list.pk}/")
    assert "1 / 2" in page.locator("#list-done").inner_text()
    screenshot(page, "duties-2-office-list")
