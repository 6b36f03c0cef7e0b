"""The core loop in a browser: a liaison reports on two tasks at once with a file and applies for
close-out; the unit head confirms; the office verifies; the task is 已销号 and the ledger's rate moves."""

import pytest

from taizhang.core.audit import verify_chain
from taizhang.rectification.demo import load_sample_ledger
from taizhang.tasks.models import Evidence, Status, Task
from taizhang.testing import DEMO_PASSWORD, build_demo_org

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = "统一中心组学习记录格式，开展学习档案专项检查"


def test_report_apply_confirm_verify(live_server, page, screenshot, tmp_path):
    build_demo_org()
    source = load_sample_ledger()
    task = Task.objects.get(measure=MEASURE)
    other = Task.objects.filter(lead_unit__name="市委宣传部", status=Status.IN_PROGRESS).exclude(pk=task.pk).first()
    evidence = tmp_path / "学习档案检查报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    login(page, live_server.url, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/sources/{source.pk}/")
    rate_before = page.locator("#completion-rate").inner_text()

    page.context.clear_cookies()
    login(page, live_server.url, "liaison", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/mine/")
    page.check(f"#report-{task.pk}")
    page.check(f"#report-{other.pk}")
    page.fill("#batch-text", "已完成学习档案专项检查，印发记录格式")
    page.set_input_files("#batch-files", str(evidence))
    screenshot(page, "lifecycle-1-batch-report")
    page.click("#batch-submit")
    page.wait_for_load_state()
    assert "已对 2 项任务报送进展" in page.content()
    assert Evidence.objects.filter(progress__task__in=[task, other]).count() == 2

    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.click("#step-apply_close")
    page.wait_for_load_state()
    assert page.locator("#task-status").inner_text() == "申请销号"

    page.context.clear_cookies()
    login(page, live_server.url, "unithead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.click("#step-confirm")
    page.wait_for_load_state()
    assert page.locator("#task-status").inner_text() == "单位负责人已确认"

    page.context.clear_cookies()
    login(page, live_server.url, "office", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.fill("#id_note", "材料齐全，同意销号")
    page.click("#step-verify")
    page.wait_for_load_state()
    assert page.locator("#task-status").inner_text() == "已销号"
    screenshot(page, "lifecycle-2-closed")

    page.goto(f"{live_server.url}/ledger/sources/{source.pk}/")
    rate_after = page.locator("#completion-rate").inner_text()
    assert float(rate_after.rstrip("%")) > float(rate_before.rstrip("%"))
    screenshot(page, "lifecycle-3-ledger")
    assert verify_chain().ok
