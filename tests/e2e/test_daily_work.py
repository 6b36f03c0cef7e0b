"""Daily work in a browser: at every step of the loop the next person's to-do count and messages show
the task, the step's flash says who is next, a return is on top of the liaison's task page on a phone,
and a failed form keeps what was typed."""

import datetime as dt

import pytest
from django.utils import timezone

from taizhang.org.models import User
from taizhang.rectification.demo import load_sample_ledger
from taizhang.tasks import todo
from taizhang.tasks.models import Status, Task
from taizhang.testing import DEMO_PASSWORD, build_demo_org

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = "统一中心组学习记录格式，开展学习档案专项检查"


def header_count(page) -> int:
    badge = page.locator("#todo-count")
    return int(badge.inner_text()) if badge.count() else 0


def sees_waiting(page, base, username, task) -> None:
    """The header counts what waits for the user, the to-do page lists the task, the inbox tells of it."""
    login(page, base, username, DEMO_PASSWORD)
    assert header_count(page) == todo.count(User.objects.get(username=username)) >= 1
    page.goto(f"{base}/ledger/todo/")
    assert page.locator(f'[data-todo-task="{task.pk}"]').count() == 1
    page.goto(f"{base}/notify/inbox/")
    first = page.locator("#inbox .list-group-item").first
    assert MEASURE in first.inner_text() and "【台账待办】" in first.inner_text()
    first.locator("a.btn").click()  # 去办理
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith(f"/ledger/tasks/{task.pk}/")


def test_each_step_reaches_the_next_person(live_server, page, phone, screenshot):
    build_demo_org()
    load_sample_ledger()
    task = Task.objects.get(measure=MEASURE)
    base = live_server.url

    login(page, base, "liaison", DEMO_PASSWORD)
    page.goto(f"{base}/ledger/tasks/{task.pk}/")
    assert "待市委宣传部报送进展或申请销号" in page.locator("#stage").inner_text()
    page.fill("#id_note", "已完成学习档案专项检查")
    page.click("#step-apply_close")
    page.wait_for_load_state()
    assert "已提交销号申请，等待孙敏（市委宣传部）" in page.locator(".alert-success").inner_text()

    page.context.clear_cookies()
    sees_waiting(page, base, "unithead", task)
    screenshot(page, "daily-1-unithead-task")
    page.click("#step-confirm")
    page.wait_for_load_state()
    assert page.dialogs and "确认" in page.dialogs[-1]
    assert "等待陈静（市委督查室）核验销号" in page.locator(".alert-success").inner_text()

    page.context.clear_cookies()
    sees_waiting(page, base, "office", task)
    page.fill("#id_note", "会议记录缺少签字页，请补充")
    page.click("#step-reject")
    page.wait_for_load_state()
    assert "已退回，已通知赵磊（市委宣传部）" in page.locator(".alert-success").inner_text()

    login(phone, base, "liaison", DEMO_PASSWORD)
    assert phone.locator("#todo-link").is_visible()  # the count without opening the menu
    phone.goto(f"{base}/notify/inbox/")
    assert "退回了销号申请" in phone.locator("#inbox .list-group-item").first.inner_text()
    phone.goto(f"{base}/ledger/tasks/{task.pk}/")
    returned = phone.locator("#returned")
    assert "会议记录缺少签字页，请补充" in returned.inner_text() and "陈静（市委督查室）" in returned.inner_text()
    box = returned.bounding_box()
    assert box["y"] < 300 and box["width"] <= 375  # on top, inside a phone's width
    screenshot(phone, "daily-2-returned-phone")

    # A form refused by the server comes back with what was typed, the error beside its field.
    reports = task.progress_reports.count()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    phone.fill("#id_date", tomorrow)
    phone.fill("#id_text", "已补充签字页并重新归档")
    phone.click("#progress-form button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("#id_text").input_value() == "已补充签字页并重新归档"
    assert "不能" in phone.locator("#progress-form .invalid-feedback").inner_text()
    screenshot(phone, "daily-3-form-kept-phone")
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS and task.progress_reports.count() == reports

    # Round two: reported and applied again, confirmed, verified; each person told in turn.
    phone.fill("#id_date", "")
    phone.click("#progress-form button[type=submit]")
    phone.wait_for_load_state()
    assert "进展已报送" in phone.locator(".alert-success").inner_text()
    assert phone.locator("#returned").count() == 1  # the return stays on top until the next step
    phone.click("#step-apply_close")
    phone.wait_for_load_state()
    assert phone.locator("#returned").count() == 0
    page.context.clear_cookies()
    sees_waiting(page, base, "unithead", task)
    page.click("#step-confirm")
    page.wait_for_load_state()
    page.context.clear_cookies()
    sees_waiting(page, base, "office", task)
    page.fill("#id_note", "材料齐全，同意销号")
    page.click("#step-verify")
    page.wait_for_load_state()
    assert page.locator("#task-status").inner_text() == "已销号"
    phone.goto(f"{base}/notify/inbox/")
    assert "已核验销号" in phone.locator("#inbox .list-group-item").first.inner_text()
    phone.goto(f"{base}/ledger/tasks/{task.pk}/")
    assert "销号" in phone.locator("#stage").inner_text() and phone.locator("#act").count() == 0
    screenshot(phone, "daily-5-closed-phone")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(live_server, page, settings, tmp_path):
    settings.TAIZHANG_UPLOAD_MAX_MB = 1
    build_demo_org()
    load_sample_ledger()
    task = Task.objects.get(measure=MEASURE)
    big = tmp_path / "会议纪要扫描件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    login(page, live_server.url, "liaison", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.set_input_files("#id_files", str(big))
    note = page.locator("[data-file-error]")
    assert "文件过大" in note.inner_text() and "1 MB" in note.inner_text()
    assert page.eval_on_selector("#id_files", "input => input.files.length") == 0


def test_the_ledger_is_readable_on_a_phone(live_server, phone, screenshot):
    build_demo_org()
    source = load_sample_ledger()
    login(phone, live_server.url, "office", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/ledger/sources/{source.pk}/")
    measure = phone.locator("table.ledger th.col-measure").bounding_box()
    assert measure["width"] >= 180  # a column people read, not one character wide
    box = phone.locator(".ledger-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls sideways instead
    assert "<span" not in phone.locator("table.ledger tbody").inner_text()
    assert phone.locator("#light-legend").is_visible()
    assert not phone.locator("#filters").is_visible()  # the filter bar folds away behind its button
    phone.click("[data-bs-target='#filter-box']")
    phone.locator("#filter-box.show:not(.collapsing)").wait_for()
    screenshot(phone, "daily-4-ledger-phone")
