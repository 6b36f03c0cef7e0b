"""Pages people work in every day: the ledger renders and offers what the viewer may do, the filter bar
says what it did not apply, forms come back as typed, and deadlines move only the way they should."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from taizhang.tasks import actions
from taizhang.tasks.models import DONE, Extension, Status, Task
from taizhang.testing import arrange_tasks

pytestmark = pytest.mark.django_db


def test_the_ledger_renders_badges_and_offers_the_office_its_buttons(clients, ledger):
    task = Task.objects.filter(source=ledger).exclude(status__in=DONE).first()
    arrange_tasks(Task.objects.filter(pk=task.pk), deadline_kind="unread", extension_count=1)  # both badges
    page = clients["office"].get(f"/ledger/sources/{ledger.pk}/").content.decode()
    assert "&lt;span" not in page and '<span class="badge text-bg-warning">待定时限</span>' in page
    assert 'id="add-finding"' in page and 'id="add-task"' in page
    assert f"/ledger/sources/{ledger.pk}/tasks/{task.pk}/edit/" in page
    assert 'id="light-legend"' in page and "<th>亮灯</th>" in page
    assert '<span class="light light-red" title="红灯 · 逾期" role="img" aria-label="红灯"></span>' in page
    liaison = clients["liaison"].get(f"/ledger/sources/{ledger.pk}/").content.decode()
    assert 'id="add-task"' not in liaison and "/edit/" not in liaison


def test_a_bad_filter_value_is_named_and_the_others_still_apply(clients, ledger):
    response = clients["office"].get("/ledger/tasks/", {"due_after": "2024-13-01", "status": "open"})
    page = response.content.decode()
    assert 'data-filter-error="due_after"' in page and 'id="filter-errors"' in page
    open_tasks = Task.objects.filter(source=ledger).exclude(status__in=DONE).count()
    assert response.context["count"] == open_tasks < Task.objects.filter(source=ledger).count()


def test_several_unit_names_and_categories_named_by_their_ledger(clients, ledger):
    response = clients["office"].get("/ledger/tasks/", {"unit_name": "市委宣传部、市财政局"})
    expected = Task.objects.filter(lead_unit__name__in=["市委宣传部", "市财政局"]).count()
    assert response.context["count"] == expected > Task.objects.filter(lead_unit__name="市委宣传部").count()
    page = response.content.decode()
    category = ledger.categories.first()
    assert f"{category.name}（{ledger.title}）" in page
    assert "---------" not in page and ">全部</option>" in page


def test_a_refused_progress_report_comes_back_as_typed(clients, ledger, settings):
    settings.TAIZHANG_TEXT_MAX_CHARS = 100
    task = Task.objects.filter(source=ledger, lead_unit__name="市委宣传部").exclude(status__in=DONE).first()
    text = "已召开专题会议研究部署" * 12  # 132 characters
    response = clients["liaison"].post(f"/ledger/tasks/{task.pk}/progress/", {"text": text, "version": task.version})
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page and 'maxlength="100"' in page and "最多100字" in page
    assert not task.progress_reports.filter(text=text).exists()
    with pytest.raises(ValidationError):  # the action itself refuses it (the API, an importer)
        actions.report_progress(task, by=None, text=text)


def test_a_refused_step_keeps_its_note(clients, ledger):
    task = Task.objects.filter(source=ledger, lead_unit__name="市委宣传部", status=Status.IN_PROGRESS).first()
    stale = task.version
    task = actions.report_progress(task, by=None, text="别人刚报送的进展").task
    note = "请补充会议纪要后再核验"
    response = clients["liaison"].post(f"/ledger/tasks/{task.pk}/step/apply_close/", {"note": note, "version": stale})
    page = response.content.decode()
    assert response.status_code == 200 and f"{note}</textarea>" in page and "已被他人修改" in page
    task.refresh_from_db()
    assert task.status == Status.IN_PROGRESS


def test_the_batch_report_keeps_what_was_ticked_and_typed(clients, ledger):
    task = Task.objects.filter(source=ledger, lead_unit__name="市委宣传部").exclude(status__in=DONE).first()
    data = {
        f"report-{task.pk}": "1",
        f"text-{task.pk}": "本项单独说明",
        "text": "统一说明",
        f"version-{task.pk}": "999",
    }
    page = clients["liaison"].post("/ledger/mine/", data).content.decode()
    assert f'id="report-{task.pk}" checked' in page and "本项单独说明</textarea>" in page
    assert "统一说明</textarea>" in page


def test_an_overdue_deadline_moves_only_by_extension(clients, ledger, people):
    overdue = Task.objects.filter(source=ledger, deadline_date__lt=dt.date.today(), lead_unit__name="市委宣传部")
    task = overdue.exclude(status__in=DONE).first()
    later = dt.date.today() + dt.timedelta(days=200)
    data = {
        "measure": task.measure,
        "lead_unit": task.lead_unit_id,
        "deadline": later.isoformat(),
        "version": task.version,
    }
    response = clients["office"].post(f"/ledger/sources/{ledger.pk}/tasks/{task.pk}/edit/", data)
    assert response.status_code == 200 and "申请延期" in response.content.decode()
    task.refresh_from_db()
    assert task.deadline_date < dt.date.today()
    actions.request_extension(task, by=people["liaison"], new_date=later, reason="需协调资金")
    task.refresh_from_db()
    actions.decide_extension(Extension.objects.get(task=task), by=people["office"], approve=True, version=task.version)
    task.refresh_from_db()
    assert task.deadline_date == later and task.original_deadline_date < dt.date.today()


def test_an_unreadable_deadline_warns_before_saving(clients, ledger):
    finding = ledger.findings.first()
    data = {"origin": finding.pk, "measure": "新增的措施", "lead_unit": finding.tasks.first().lead_unit_id}
    first = clients["office"].post(f"/ledger/sources/{ledger.pk}/tasks/new/", data | {"deadline": "尽快吧"})
    assert (
        first.status_code == 200
        and "无法识别" in first.content.decode()
        and 'name="accept_unread"' in first.content.decode()
    )
    assert not Task.objects.filter(measure="新增的措施").exists()
    second = clients["office"].post(
        f"/ledger/sources/{ledger.pk}/tasks/new/", data | {"deadline": "尽快吧", "accept_unread": "on"}
    )
    assert second.status_code == 302
    assert Task.objects.get(measure="新增的措施").needs_date


def test_a_task_entered_by_mistake_is_deleted_with_its_reason_in_the_history(clients, ledger, people):
    from taizhang.core.models import AuditEvent
    from taizhang.testing import unit

    task = actions.save_task(
        None,
        {"measure": "重复录入的措施", "lead_unit": unit("市委宣传部"), "deadline": "长期坚持"},
        by=None,
        source=ledger,
    )
    page = clients["office"].get(f"/ledger/tasks/{task.pk}/").content.decode()
    assert 'id="delete-task"' in page and "data-confirm=" in page
    assert 'id="delete-task"' not in clients["liaison"].get(f"/ledger/tasks/{task.pk}/").content.decode()
    refused = clients["liaison"].post(f"/ledger/tasks/{task.pk}/delete/", {"reason": "x", "version": task.version})
    assert refused.status_code == 302 and Task.objects.filter(pk=task.pk).exists()
    response = clients["office"].post(
        f"/ledger/tasks/{task.pk}/delete/", {"reason": "与第3项重复", "version": task.version}
    )
    assert response.status_code == 302 and response.url == f"/ledger/sources/{ledger.pk}/"
    assert not Task.objects.filter(pk=task.pk).exists()
    event = AuditEvent.objects.get(action="task.delete", object_id=str(task.pk))
    assert event.before["measure"] == "重复录入的措施" and event.after == {"reason": "与第3项重复"}
    assert event.actor_id == people["office"].pk


def test_a_task_with_a_record_is_never_deleted(ledger, people):
    task = Task.objects.filter(source=ledger, lead_unit__name="市委宣传部").exclude(status__in=DONE).first()
    actions.report_progress(task, by=people["liaison"], text="已有进展")
    with pytest.raises(ValidationError):
        actions.delete_task(task, by=people["office"], reason="误删")
    assert Task.objects.filter(pk=task.pk).exists()


def test_the_latest_opinion_is_on_top(clients, ledger, people):
    task = Task.objects.filter(source=ledger, lead_unit__name="市委宣传部", status=Status.IN_PROGRESS).first()
    task = actions.transition(task, "apply_close", by=people["liaison"], version=task.version)
    actions.transition(task, "confirm", by=people["unithead"], note="经核实已整改到位", version=task.version)
    page = clients["office"].get(f"/ledger/tasks/{task.pk}/").content.decode()
    top = page[page.index('id="stage"') : page.index("</div>", page.index('id="latest-opinion"'))]
    assert "待陈静（市委督查室）核验销号" in top and "经核实已整改到位（孙敏（市委宣传部）" in top


def test_the_task_list_rows_escape_text_and_show_each_tasks_light_and_schedule(clients, ledger):
    """The list's rows are written in Python (`rows.task_list_body`): what a template would escape is
    escaped, each row's light says its state in words, and only a supervisor gets the boxes."""
    task = Task.objects.filter(source=ledger).exclude(status__in=DONE).first()
    past = dt.date.today() - dt.timedelta(days=3)
    arrange_tasks(Task.objects.filter(pk=task.pk), measure='<img src=x onerror="alert(1)">整改', deadline_date=past)
    page = clients["office"].get("/ledger/tasks/", {"q": "onerror"}).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;整改" in page
    assert f'<a href="/ledger/tasks/{task.pk}/">' in page and f"台账：{ledger.title}" in page
    assert '<span class="light light-red" title="红灯 · 逾期" role="img" aria-label="红灯">' in page
    assert f'value="{task.pk}" form="urge-form" id="choose-{task.pk}"' in page
    liaison = clients["liaison"].get("/ledger/tasks/").content.decode()
    assert 'form="urge-form"' not in liaison and "light light-" in liaison
    empty = clients["office"].get("/ledger/tasks/", {"q": "没有这样的措施"}).content.decode()
    assert '<td colspan="6" class="text-muted">暂无数据。</td>' in empty


def test_the_filter_selects_keep_the_choice_and_name_categories_without_building_rows(clients, ledger):
    category = ledger.categories.order_by("position").last()
    page = clients["office"].get("/ledger/tasks/", {"category": category.pk, "status": "open"}).content.decode()
    assert f'<option value="{category.pk}" selected>{category.name}（{ledger.title}）</option>' in page
    bar = page[page.index('id="filters"') :].split("</form>")[0]
    assert bar.count(" selected>") - bar.count('value="" selected>') == 2 and '<option value="open" selected>' in bar
    assert f'<option value="{ledger.pk}">{ledger.title}</option>' in page
    own = clients["office"].get(f"/ledger/sources/{ledger.pk}/", {"category": category.pk}).content.decode()
    assert f'<option value="{category.pk}" selected>{category.name}</option>' in own
    # what the ledger page changed on its own filters (filters are copied per request) does not stay
    again = clients["office"].get("/ledger/tasks/", {"category": category.pk}).content.decode()
    assert f'<option value="{category.pk}" selected>{category.name}（{ledger.title}）</option>' in again
