"""CAS sign-in against a real CAS server on loopback (django-cas-server): the first sign-in creates the
account the mapping gives, attributes read as plain values or from JSON inside the XML, a disabled account
and a local one are refused, a forged or replayed ticket is refused, and each step is in the audit chain."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from taizhang.core.models import AuditEvent
from taizhang.org import actions
from taizhang.org.models import Unit, User

from .conftest import hidden_fields, local

pytestmark = pytest.mark.django_db
JSON_MAPPING = {"name": "userInfo.name", "unit_code": "userInfo.deptCode", "groups": "userInfo.roles"}
PLAIN_MAPPING = {"name": "cn", "unit_code": "deptCode", "groups": "memberOf"}


@pytest.fixture
def cas(settings, provider, people):
    settings.TAIZHANG_CAS_SERVER_URL = f"{provider}/cas/"
    settings.TAIZHANG_CAS_ATTRIBUTES = PLAIN_MAPPING
    settings.TAIZHANG_SSO_ROLES = {"jw-office": "office/subtree", "liaison": "liaison/unit"}
    unit = Unit.objects.get(name="市委宣传部")
    actions.save_unit(unit, {"code": "XC-001"}, by=None)
    return provider


def ticket_for(client: Client, username: str, next_path: str = "/ledger/") -> str:
    """Walk the browser's part: out to the CAS server, its login form, back with a ticket (not yet used)."""
    out = client.get("/sso/cas/", {"next": next_path})
    assert out.status_code == 302 and "/cas/login?service=" in out["Location"]
    browser = requests.Session()
    form = browser.get(out["Location"], timeout=10)
    fields = hidden_fields(form.text) | {"username": username, "password": f"pw-{username}"}
    back = browser.post(out["Location"], data=fields, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    assert "ticket=ST-" in back.headers["Location"]
    return local(back.headers["Location"])


def test_first_sign_in_creates_the_mapped_account_from_json_attributes(cas, settings):
    settings.TAIZHANG_CAS_ATTRIBUTES = JSON_MAPPING
    client = Client()
    response = client.get(ticket_for(client, "zhangsan"))
    assert response.status_code == 302 and response["Location"] == "/ledger/"
    account = User.objects.get(username="zhangsan")
    assert (account.role, account.scope, account.unit.name) == ("liaison", "unit", "市委宣传部")
    assert account.person.name == "张三" and account.person.unit == account.unit
    assert not account.has_usable_password()
    assert client.get("/").wsgi_request.user == account
    events = list(AuditEvent.objects.filter(object_id=str(account.pk)).values_list("action", flat=True))
    assert events[-3:] == ["account.create", "auth.sso_provision", "auth.sign_in"]
    sign_in = AuditEvent.objects.filter(action="auth.sign_in", object_id=str(account.pk)).get()
    assert sign_in.after["provider"] == "cas"


def test_plain_attributes_and_a_second_sign_in_keeps_the_local_role(cas, people):
    client = Client()
    client.get(ticket_for(client, "lisi"))
    account = User.objects.get(username="lisi")
    assert (account.role, account.scope) == ("office", "subtree")
    actions.save_account(account, {"role": "viewer"}, by=people["admin"])  # the administrator narrows it
    again = Client()
    assert again.get(ticket_for(again, "lisi")).status_code == 302
    account.refresh_from_db()
    assert account.role == "viewer"  # the platform's groups gave the first role only


def test_no_mapped_role_means_no_account_and_a_clear_page(cas):
    client = Client()
    response = client.get(ticket_for(client, "wangwu"), follow=True)
    assert response.request["PATH_INFO"] == "/sso/refused/"
    text = response.content.decode()
    assert "尚未为您开通" in text and "wangwu" in text
    assert not User.objects.filter(username="wangwu").exists()
    refusal = AuditEvent.objects.filter(action="auth.sso_refused").get()
    assert refusal.after["reason"] == "no_account" and refusal.after["username"] == "wangwu"


def test_an_unknown_unit_code_is_named(cas):
    client = Client()
    text = client.get(ticket_for(client, "zhaoliu"), follow=True).content.decode()
    assert "NO-SUCH" in text and not User.objects.filter(username="zhaoliu").exists()


def test_a_locally_disabled_account_stays_disabled(cas, people):
    client = Client()
    client.get(ticket_for(client, "lisi"))
    account = User.objects.get(username="lisi")
    actions.save_account(account, {"is_active": False}, by=people["admin"])
    again = Client()
    response = again.get(ticket_for(again, "lisi"), follow=True)
    assert "已停用" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sso_refused").last().after["reason"] == "disabled"


def test_the_platform_cannot_take_over_an_account_with_its_own_password(cas, people):
    client = Client()
    response = client.get(ticket_for(client, "admin"), follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sso_refused").last().after["reason"] == "local_account"


def test_a_replayed_or_forged_ticket_is_refused(cas):
    client = Client()
    back = ticket_for(client, "lisi")
    assert client.get(back).status_code == 302
    thief = Client()
    replay = thief.get(back, follow=True)
    assert not replay.wsgi_request.user.is_authenticated
    assert "无法验证" in replay.content.decode()
    path = urlsplit(back).path
    query = parse_qs(urlsplit(back).query)
    forged = thief.get(path, {"next": query["next"][0], "ticket": "ST-1-forgedforgedforged"}, follow=True)
    assert not forged.wsgi_request.user.is_authenticated
    assert User.objects.filter(username="lisi").count() == 1


def test_the_sign_in_page_offers_the_platform_only_when_configured(cas, settings):
    assert 'id="sso-cas"' in Client().get("/login/").content.decode()
    settings.TAIZHANG_CAS_SERVER_URL = ""
    assert 'id="sso-cas"' not in Client().get("/login/").content.decode()
    assert Client().get("/sso/cas/").status_code == 404
