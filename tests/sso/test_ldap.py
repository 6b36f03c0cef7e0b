"""LDAP sign-in against a real directory on loopback (Debian's slapd, started through python-ldap's
slapdtest): the password form binds as the person's own entry, the first sign-in creates the account the
group mapping gives, a disabled account and a local one are refused, a wrong password and a filter
injected through the user name let nobody in, and each step is in the audit chain."""

import os

import pytest
from django.core.management import call_command
from django.test import Client

from taizhang.core.audit import verify_chain
from taizhang.core.models import AuditEvent
from taizhang.org import actions
from taizhang.org.models import Person, Unit, User
from taizhang.org.sso import LDAP_BACKEND

if os.environ.get("TAIZHANG_REQUIRE_LDAP") != "1":
    pytest.importorskip("ldap", reason="python-ldap is an optional extra (uv sync --extra ldap)")
from slapdtest import SlapdObject  # noqa: E402  (python-ldap's own test server helper)

pytestmark = pytest.mark.django_db
SUFFIX = "dc=taizhang,dc=test"
PEOPLE = {
    # uid: (cn, departmentNumber, groups)
    "lisi": ("李四", "XC-001", ["jw-office"]),
    "zhangsan": ("张三", "XC-001", ["liaison"]),
    "wangwu": ("王五", "XC-001", []),
    "zhaoliu": ("赵六", "NO-SUCH", ["jw-office"]),
    "admin": ("冒名", "", ["jw-office"]),
}


def directory_ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: taizhang\no: Taizhang test",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: ou=units,{SUFFIX}\nobjectClass: organizationalUnit\nou: units",
        f"dn: ou=SW,ou=units,{SUFFIX}\nobjectClass: organizationalUnit\nou: SW\ndescription: 中共示范市委员会",
        f"dn: ou=XC-001,ou=SW,ou=units,{SUFFIX}\nobjectClass: organizationalUnit\nou: XC-001\ndescription: 市委宣传部",
        f"dn: ou=XB,ou=SW,ou=units,{SUFFIX}\nobjectClass: organizationalUnit\nou: XB\ndescription: 市委新成立办公室",
    ]
    for uid, (cn, dept, _groups) in PEOPLE.items():
        entry = f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {cn}\nsn: {cn[0]}"
        entry += f"\nuserPassword: pw-{uid}" + (f"\ndepartmentNumber: {dept}" if dept else "")
        entries.append(entry)
    for group in ("jw-office", "liaison"):
        members = [f"member: uid={uid},ou=people,{SUFFIX}" for uid, (*_, groups) in PEOPLE.items() if group in groups]
        head = f"dn: cn={group},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {group}\n"
        entries.append(head + "\n".join(members))
    return "\n\n".join(entries) + "\n"


class Directory(SlapdObject):
    suffix = SUFFIX
    openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif")


@pytest.fixture(scope="module")
def directory():
    server = Directory()
    server.start()
    try:
        server.ldapadd(directory_ldif())
        yield server
    finally:
        server.stop()


@pytest.fixture
def ldap_on(settings, directory, people):
    settings.TAIZHANG_LDAP_SERVER_URI = directory.ldap_uri
    settings.TAIZHANG_LDAP_BIND_DN = directory.root_dn
    settings.TAIZHANG_LDAP_BIND_PASSWORD = directory.root_pw
    settings.TAIZHANG_LDAP_USER_BASE = f"ou=people,{SUFFIX}"
    settings.TAIZHANG_LDAP_GROUP_BASE = f"ou=groups,{SUFFIX}"
    settings.TAIZHANG_LDAP_ATTRIBUTES = {"name": "cn", "unit_code": "departmentNumber"}
    settings.TAIZHANG_SSO_ROLES = {"jw-office": "office/subtree", "liaison": "liaison/unit"}
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, LDAP_BACKEND]
    actions.save_unit(Unit.objects.get(name="市委宣传部"), {"code": "XC-001"}, by=None)
    return directory


def sign_in(username: str, password: str) -> tuple[Client, object]:
    client = Client()
    return client, client.post("/login/", {"username": username, "password": password, "next": "/ledger/"})


def test_first_sign_in_creates_the_mapped_account_from_the_directory(ldap_on):
    client, response = sign_in("lisi", "pw-lisi")
    assert response.status_code == 302 and response["Location"] == "/ledger/"
    account = User.objects.get(username="lisi")
    assert (account.role, account.scope, account.unit.name) == ("office", "subtree", "市委宣传部")
    assert account.person.name == "李四" and not account.has_usable_password()
    assert client.get("/").wsgi_request.user == account  # the session holds on the next request
    events = list(AuditEvent.objects.filter(object_id=str(account.pk)).values_list("action", flat=True))
    assert events[-3:] == ["account.create", "auth.sso_provision", "auth.sign_in"]
    provision = AuditEvent.objects.get(action="auth.sso_provision", object_id=str(account.pk))
    assert provision.after["groups"] == ["jw-office"] and provision.after["provider"] == "ldap"
    assert AuditEvent.objects.get(action="auth.sign_in", object_id=str(account.pk)).after["provider"] == "ldap"


def test_a_second_sign_in_keeps_the_local_role_and_a_wrong_password_is_refused(ldap_on, people):
    sign_in("zhangsan", "pw-zhangsan")
    account = User.objects.get(username="zhangsan")
    assert (account.role, account.scope) == ("liaison", "unit")
    actions.save_account(account, {"role": "viewer"}, by=people["admin"])
    client, response = sign_in("zhangsan", "pw-zhangsan")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.role == "viewer"  # the directory's groups gave the first role only
    client, wrong = sign_in("zhangsan", "not-the-password")
    assert wrong.status_code == 200 and not client.get("/").wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sign_in_failed", after__username="zhangsan").exists()


def test_no_mapped_group_means_no_account_and_a_clear_page(ldap_on):
    client, response = sign_in("wangwu", "pw-wangwu")
    assert response.status_code == 302 and response["Location"] == "/sso/refused/"
    text = client.get(response["Location"]).content.decode()
    assert "尚未为您开通" in text and "wangwu" in text
    assert not User.objects.filter(username="wangwu").exists()
    refusal = AuditEvent.objects.filter(action="auth.sso_refused").get()
    assert (refusal.after["reason"], refusal.after["provider"]) == ("no_account", "ldap")


def test_an_unknown_unit_code_is_named(ldap_on):
    client, response = sign_in("zhaoliu", "pw-zhaoliu")
    assert "NO-SUCH" in client.get(response["Location"]).content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()


def test_a_locally_disabled_account_stays_disabled(ldap_on, people):
    sign_in("lisi", "pw-lisi")
    actions.save_account(User.objects.get(username="lisi"), {"is_active": False}, by=people["admin"])
    client, response = sign_in("lisi", "pw-lisi")
    assert "已停用" in client.get(response["Location"]).content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sso_refused").last().after["reason"] == "disabled"


def test_the_directory_cannot_take_over_an_account_with_its_own_password(ldap_on):
    client, response = sign_in("admin", "pw-admin")  # the directory's admin, not the local one's password
    assert response.status_code == 200 and not client.get("/").wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sso_refused").last().after["reason"] == "local_account"
    client, local = sign_in("admin", "taizhang-demo")  # the local password still works
    assert local.status_code == 302


@pytest.mark.parametrize("username", ["*", "lisi)(uid=*", "*)(|(uid=*"])
def test_a_filter_in_the_user_name_finds_nobody(ldap_on, username):
    client, response = sign_in(username, "pw-lisi")
    assert response.status_code == 200 and not client.get("/").wsgi_request.user.is_authenticated
    assert not User.objects.filter(username__in=set(PEOPLE) - {"admin"}).exists()


def test_the_sign_in_page_mentions_the_directory_only_when_configured(ldap_on, settings):
    assert 'id="ldap-hint"' in Client().get("/login/").content.decode()
    settings.TAIZHANG_LDAP_SERVER_URI = ""
    assert 'id="ldap-hint"' not in Client().get("/login/").content.decode()
    client, response = sign_in("lisi", "pw-lisi")
    assert response.status_code == 200 and not User.objects.filter(username="lisi").exists()


def test_the_organisation_syncs_from_the_directory(ldap_on, settings, capsys):
    settings.TAIZHANG_LDAP_UNIT_BASE = f"ou=units,{SUFFIX}"
    actions.save_unit(Unit.objects.get(parent=None), {"code": "SW"}, by=None)
    call_command("sync_org", "--from", "ldap", "--dry-run")
    out, err = capsys.readouterr()
    assert "新增单位  市委新成立办公室（上级：中共示范市委员会）" in out
    assert "新增人员  李四（lisi）" in out and "开通账号  李四（lisi）：督查室 · 本单位及下级" in out
    assert "NO-SUCH" in err  # 赵六's unit code names no unit: a warning, not a guess
    assert not Unit.objects.filter(code="XB").exists() and not User.objects.filter(username="lisi").exists()
    call_command("sync_org", "--from", "ldap")
    capsys.readouterr()
    assert Unit.objects.get(code="XB").parent.code == "SW"
    li = Person.objects.get(code="lisi")
    assert (li.name, li.unit.code) == ("李四", "XC-001")
    account = User.objects.get(username="lisi")
    assert (account.role, account.scope, account.person) == ("office", "subtree", li)
    client, response = sign_in("lisi", "pw-lisi")  # the synchronised account signs in with the directory
    assert response.status_code == 302 and client.get("/").wsgi_request.user == account
    assert verify_chain().ok
    call_command("sync_org", "--from", "ldap", "--dry-run")
    assert "没有变化" in capsys.readouterr().out


def test_a_directory_that_does_not_answer_is_named_not_taken_for_a_wrong_password(ldap_on, settings):
    settings.TAIZHANG_LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # nothing listens there
    client, response = sign_in("lisi", "pw-lisi")
    text = response.content.decode()
    assert response.status_code == 200 and "目录服务（LDAP）暂时没有响应" in text
    assert "请输入一个正确的用户名和密码" not in text  # (what a wrong password says)
    assert not client.get("/").wsgi_request.user.is_authenticated
