"""The ledger page's export runs as a job: its page offers the same file the plain address gives, made
within the asker's scope; a GET starts nothing."""

import pytest

from taizhang.core.models import Job

pytestmark = pytest.mark.django_db


def test_the_ledger_pages_export_is_made_by_a_job_within_scope(clients, ledger):
    page = clients["liaison"].get(f"/ledger/sources/{ledger.pk}/").content.decode()
    assert f'action="/sheets/sources/{ledger.pk}/export/"' in page and 'id="export-csv"' in page
    assert clients["liaison"].get(f"/sheets/sources/{ledger.pk}/export/").status_code == 405
    started = clients["liaison"].post(f"/sheets/sources/{ledger.pk}/export/", {"ext": "csv", "back": "/ledger/"})
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert job.title.endswith(".csv") and job.back_url == "/ledger/"
    made = b"".join(clients["liaison"].get(started["Location"] + "file/").streaming_content)
    direct = clients["liaison"].get(f"/sheets/sources/{ledger.pk}/export.csv").content
    assert made == direct  # the liaison's own rows, as the plain export gives them
    office = clients["office"].get(f"/sheets/sources/{ledger.pk}/export.csv").content
    assert len(office) > len(made)  # the office sees the whole ledger; the job kept to the liaison's scope


def test_the_monthly_table_from_the_ledger_page_is_made_by_a_job(clients, ledger):
    from io import BytesIO

    from openpyxl import load_workbook

    started = clients["office"].post(f"/sheets/sources/{ledger.pk}/export/", {"ext": "monthly"})
    made = b"".join(clients["office"].get(started["Location"] + "file/").streaming_content)
    direct = clients["office"].get(f"/documents/sources/{ledger.pk}/monthly.xlsx").content
    sheet, expected = load_workbook(BytesIO(made)).active, load_workbook(BytesIO(direct)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        [c.value for c in row] for row in expected.iter_rows()
    ]
