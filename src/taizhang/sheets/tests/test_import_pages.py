"""The web import: upload → truthful preview → confirm; re-import shows updates; problems point at cells."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from taizhang.rectification.demo import SAMPLE
from taizhang.rectification.models import Source
from taizhang.sheets.export import write_xlsx
from taizhang.sheets.models import ImportJob, ImportTemplate
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db


def upload(client, data, name="台账.xlsx", **fields):
    response = client.post("/sheets/import/", {"file": SimpleUploadedFile(name, data), "kind": "tour", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_upload_preview_confirm(clients):
    office = clients["office"]
    preview_url = upload(office, SAMPLE.read_bytes(), title="省委巡视整改", feedback_date="2024-01-15")
    page = office.get(preview_url).content.decode()
    assert 'id="task-count">19<' in page and 'id="to-create">19<' in page
    assert "2024年预算调整时" in page  # the unreadable deadline is named as a warning
    assert not Task.objects.exists()  # nothing written by the preview
    response = office.post(preview_url, {"do": "confirm"})
    assert response.status_code == 302
    done = office.get(response["Location"]).content.decode()
    assert 'id="import-done"' in done
    source = Source.objects.get(title="省委巡视整改")
    assert source.tasks.count() == 19


def test_reimport_preview_counts_updates(clients, ledger, tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx(ledger, path)
    book = load_workbook(path)
    book.active["K3"] = "申请销号"
    book.save(path)
    office = clients["office"]
    preview_url = upload(office, path.read_bytes(), source=ledger.pk)
    page = office.get(preview_url).content.decode()
    assert 'id="to-create">0<' in page and 'id="to-update">1<' in page
    office.post(preview_url, {"do": "confirm"})
    assert Task.objects.filter(source=ledger).count() == 19
    assert Task.objects.filter(source=ledger, status="applied").count() == 1


def test_problems_point_at_cells_and_refused_rows_download(clients):
    csv = (
        "序号,问题描述,整改措施,牵头单位,整改时限\n1,问题一,措施一,市委办公室,2024年底前\n2,问题二,措施二,,2024年底前\n"
    )
    office = clients["office"]
    preview_url = upload(office, csv.encode("gb18030"), name="ledger.csv", title="测试", feedback_date="2024-01-15")
    page = office.get(preview_url).content.decode()
    assert "D3" in page and 'id="confirm" disabled' in page
    response = office.get(preview_url + "refused.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == [3, "单元格 D3：牵头单位为空。"]
    assert office.post(preview_url, {"do": "confirm"}).status_code == 302
    assert not Source.objects.filter(title="测试").exists()


def test_mapping_can_be_corrected_and_saved_as_template(clients):
    # 具体内容 is not a known header: the measure column is found only when the user maps it.
    csv = "序号,问题描述,具体内容,牵头单位,整改时限\n1,问题一,措施一,市委办公室,2024年底前\n"
    office = clients["office"]
    preview_url = upload(office, csv.encode(), name="ledger.csv", title="映射", feedback_date="2024-01-15")
    assert "没有“整改措施”列" in office.get(preview_url).content.decode()
    mapping = {"col-number": 0, "col-finding": 1, "col-measure": 2, "col-lead_unit": 3, "col-deadline": 4}
    office.post(preview_url, {"do": "mapping", **mapping})
    page = office.get(preview_url).content.decode()
    assert 'id="task-count">1<' in page
    office.post(preview_url, {"do": "template", "template_name": "县委格式"})
    template = ImportTemplate.objects.get(name="县委格式")
    assert template.columns["measure"] == 2
    # the next file with the same headers is offered the template
    second = upload(office, csv.encode(), name="again.csv", title="映射二", feedback_date="2024-01-15")
    assert "县委格式" in office.get(second).content.decode()
    office.post(second, {"do": "use_template"})
    assert 'id="task-count">1<' in office.get(second).content.decode()


def test_unreadable_upload_is_explained(clients):
    preview_url = upload(clients["office"], b"not a spreadsheet at all", name="x.xlsx", title="坏文件")
    assert "不是表格文件" in clients["office"].get(preview_url).content.decode()


def test_messages_name_the_file_as_uploaded_never_as_stored(clients):
    job_url = upload(clients["office"], SAMPLE.read_bytes()[:3000], name="东城区台账.xlsx", title="截断")
    page = clients["office"].get(job_url).content.decode()
    job = ImportJob.objects.get()
    assert "东城区台账.xlsx" in page and str(job.uid) not in page and "imports/" not in page


@pytest.mark.parametrize("persona", ["liaison", "viewer", "leader"])
def test_only_the_office_imports(clients, persona):
    assert clients[persona].get("/sheets/import/").status_code == 403


def test_a_file_without_a_feedback_date_asks_for_it_on_the_preview(clients):
    """The sample ledger names no 填报日期 and none was typed: the preview asks, and one step fixes it."""
    office = clients["office"]
    preview_url = upload(office, SAMPLE.read_bytes(), title="没有日期的台账")
    page = office.get(preview_url).content.decode()
    assert "请填写该台账的反馈日期" in page and 'id="feedback-date-form"' in page
    assert 'id="confirm" disabled' in page
    response = office.post(preview_url, {"do": "feedback_date", "feedback_date": "2024年1月"}, follow=True)
    assert "请输入日期" in response.content.decode()  # refused with a message
    assert ImportJob.objects.get().feedback_date is None  # and nothing else lost: the mapping, the file
    response = office.post(preview_url, {"do": "feedback_date", "feedback_date": "2024-01-15"})
    assert response.status_code == 302
    page = office.get(preview_url).content.decode()
    assert 'id="feedback-date-form"' not in page and 'id="task-count">19<' in page and "2024-01-15" in page
    job = ImportJob.objects.get()
    assert job.feedback_date.isoformat() == "2024-01-15"
    from taizhang.core.models import AuditEvent

    event = AuditEvent.objects.get(action="import.feedback_date")
    assert event.after == {"feedback_date": "2024-01-15"} and event.before == {"feedback_date": None}
