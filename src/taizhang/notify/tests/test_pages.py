"""Inbox with the unread count in the header, notices within scope, the printable notice, preferences."""

import datetime as dt
import io

import pytest
from docx import Document

from taizhang.notify.engine import run
from taizhang.notify.models import Notice, Preference, UnitChannel
from taizhang.notify.tests.test_engine import at, quarter  # noqa: F401  (fixture)
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def test_inbox_and_unread_count(quarter, clients):  # noqa: F811
    run(at(dt.date(2024, 2, 16)))
    page = clients["liaison"].get("/").content.decode()
    assert 'id="unread-count">1<' in page
    inbox = clients["liaison"].get("/notify/inbox/").content.decode()
    assert "已逾期1天" in inbox and "/ledger/tasks/" in inbox
    clients["liaison"].post("/notify/inbox/", {})
    assert 'id="unread-count"' not in clients["liaison"].get("/").content.decode()
    assert "已逾期1天" not in clients["county"].get("/notify/inbox/").content.decode()  # not theirs


def test_notices_follow_scope_and_print(quarter, clients):  # noqa: F811
    run(at(dt.date(2024, 2, 16)))
    notice = Notice.objects.get()
    assert notice.number in clients["office"].get("/notify/notices/").content.decode()
    assert notice.number in clients["liaison"].get("/notify/notices/?level=red").content.decode()
    assert notice.number not in clients["county"].get("/notify/notices/").content.decode()
    response = clients["liaison"].get(f"/notify/notices/{notice.pk}.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "督 办 单" in text and notice.number in text and "市委宣传部" in text and "2024年2月16日" in text
    assert clients["county"].get(f"/notify/notices/{notice.pk}.docx").status_code == 404


def test_preferences_and_robots(clients, people):
    response = clients["liaison"].post(
        "/notify/preferences/", {"email": "on", "digest": "on", "quiet_start": "22:00", "quiet_end": "07:30"}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=people["liaison"])
    assert preference.digest and preference.quiet_start == dt.time(22, 0)
    assert clients["liaison"].get("/notify/robots/").status_code == 403
    response = clients["office"].post(
        "/notify/robots/",
        {
            "unit": unit("市委宣传部").pk,
            "kind": "dingtalk",
            "webhook": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "secret": "SEC1",
            "active": "on",
        },
    )
    assert response.status_code == 302 and UnitChannel.objects.get().secret == "SEC1"


def test_notice_as_pdf_when_libreoffice_is_installed(quarter, clients):  # noqa: F811
    from taizhang.documents import pdf

    run(at(dt.date(2024, 2, 16)))
    notice = Notice.objects.get()
    response = clients["office"].get(f"/notify/notices/{notice.pk}.docx", {"format": "pdf"})
    if pdf.converter():
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    else:
        assert response.status_code == 302  # back to the list, with the message saying what to install


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_inbox_never_redirects_off_site(clients, target):
    response = clients["liaison"].post("/notify/inbox/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/notify/inbox/"


def test_inbox_returns_to_a_local_page(clients):
    response = clients["liaison"].post("/notify/inbox/", {"next": "/ledger/mine/"})
    assert response["Location"] == "/ledger/mine/"


def test_robot_page_explains_a_refused_address(clients, settings):
    settings.TAIZHANG_WEBHOOK_PRIVATE = False
    response = clients["admin"].post(
        "/notify/robots/",
        {"unit": unit("市委宣传部").pk, "kind": "wecom", "webhook": "http://10.0.0.8/hook", "active": "on"},
    )
    assert response.status_code == 200 and "白名单" in response.content.decode()
    assert not UnitChannel.objects.exists()
