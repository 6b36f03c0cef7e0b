"""Sign-in, token authentication, lockout and CSRF."""

import pytest
from django.test import Client

from taizhang.testing import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_a_good_password_and_authenticates(people, client):
    response = client.post("/api/auth/token/", {"username": "liaison", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    units = api.get("/api/units/").json()["results"]
    assert [u["name"] for u in units] == ["市委宣传部"]
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").get("/api/units/").status_code == 401


def test_token_refused_for_a_bad_password(people, client):
    response = client.post("/api/auth/token/", {"username": "liaison", "password": "wrong"})
    assert response.status_code == 401
    assert "错误" in response.json()["detail"]


def issue(client) -> str:
    response = client.post("/api/auth/token/", {"username": "liaison", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def works(token: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/units/").status_code == 200


def test_each_issue_is_a_new_token_stored_only_as_a_hash(people, client):
    from taizhang.org.models import ApiToken

    first, second = issue(client), issue(client)
    assert first != second and works(first) and works(second)
    assert not ApiToken.objects.filter(key_hash__in=[first, second]).exists()  # the key itself is not stored


def test_tokens_die_with_a_password_change(people, clients, client):
    token = issue(client)
    response = clients["liaison"].post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "another-long-pass-2026",
            "new_password2": "another-long-pass-2026",
        },
    )
    assert response.status_code == 302 and not works(token)


def test_tokens_die_with_an_admin_reset_and_a_deactivation(people, client):
    from taizhang.org import actions

    liaison = people["liaison"]
    token = issue(client)
    actions.save_account(liaison, {}, by=people["admin"], password="reset-by-admin-2026")
    assert not works(token)
    liaison.set_password(DEMO_PASSWORD)
    liaison.save()
    token = issue(client)
    actions.save_account(liaison, {"is_active": False}, by=people["admin"])
    assert not works(token)


def test_tokens_expire(people, client, settings):
    import datetime as dt

    from taizhang.org.models import ApiToken

    token = issue(client)
    row = ApiToken.objects.get()
    assert (row.expires_at - row.created_at) == dt.timedelta(days=settings.TAIZHANG_TOKEN_DAYS)
    ApiToken.objects.update(expires_at=row.created_at)
    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/units/")
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_token_page_lists_issues_and_revokes(people, clients, client):
    from taizhang.core.models import AuditEvent
    from taizhang.org.models import ApiToken

    token = issue(client)
    page = clients["liaison"].get("/tokens/").content.decode()
    assert token[:8] in page and token not in page  # the key is shown once, when issued
    response = clients["liaison"].post("/tokens/", {"label": "报表脚本"})
    assert "报表脚本" in response.content.decode() and ApiToken.objects.count() == 2
    fresh = ApiToken.objects.get(label="报表脚本")
    assert response.content.decode().count(fresh.prefix) >= 2  # in the one-time banner and the list
    # another user's token cannot be revoked from this page
    other = clients["office"].post("/tokens/", {"revoke": ApiToken.objects.get(prefix=token[:8]).pk})
    assert other.status_code == 302 and works(token)
    clients["liaison"].post("/tokens/", {"revoke": ApiToken.objects.get(prefix=token[:8]).pk})
    assert not works(token)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"token.issue", "token.revoke"} <= actions


def test_password_change_form_is_throttled(people, clients, settings):
    client = clients["liaison"]
    wrong = {
        "old_password": "guess",
        "new_password1": "another-long-pass-2026",
        "new_password2": "another-long-pass-2026",
    }
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.post("/password/", wrong).status_code == 200
    right = wrong | {"old_password": DEMO_PASSWORD}
    response = client.post("/password/", right)
    assert response.status_code == 429 and "次数过多" in response.content.decode()
    people["liaison"].refresh_from_db()
    assert people["liaison"].check_password(DEMO_PASSWORD)


def test_sign_in_flow_is_in_the_audit_chain(people):
    from taizhang.core.audit import verify_chain
    from taizhang.core.models import AuditEvent

    client = Client()
    client.post("/login/", {"username": "office", "password": "wrong"})
    client.post("/login/", {"username": "nobody", "password": "wrong"})
    client.post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    client.post("/logout/")
    events = [(e.action, e.after["username"]) for e in AuditEvent.objects.filter(action__startswith="auth.")]
    assert events == [
        ("auth.sign_in_failed", "office"),
        ("auth.sign_in_failed", "nobody"),
        ("auth.sign_in", "office"),
        ("auth.sign_out", "office"),
    ]
    assert verify_chain().ok


def test_lockout_is_audited_and_keyed_on_the_client_behind_a_trusted_proxy(people, settings):
    """Behind the proxy every request comes from its address: the client is read from X-Forwarded-For,
    so one user's failures lock only that user from that client, not everyone."""
    from taizhang.core.models import AuditEvent

    settings.TAIZHANG_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").post("/login/", {"username": "office", "password": "x"})
    locked = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").post(
        "/login/", {"username": "office", "password": DEMO_PASSWORD}
    )
    assert locked.status_code == 429
    elsewhere = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").post(
        "/login/", {"username": "office", "password": DEMO_PASSWORD}
    )
    assert elsewhere.status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_forged_forwarded_for_is_ignored_without_a_trusted_proxy(people, settings):
    from taizhang.core.middleware import client_ip

    settings.TAIZHANG_TRUSTED_PROXIES = []
    request = type("R", (), {"META": {"REMOTE_ADDR": "192.0.2.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}})()
    assert client_ip(request) == "192.0.2.5"
    settings.TAIZHANG_TRUSTED_PROXIES = ["192.0.2.0/24"]
    request.META["HTTP_X_FORWARDED_FOR"] = "1.2.3.4, 192.0.2.9"
    assert client_ip(request) == "1.2.3.4"


def test_username_alone_locks_after_the_higher_limit(people, settings):
    settings.TAIZHANG_LOGIN_USERNAME_LIMIT = 6
    for i in range(6):  # from six addresses, never reaching the per-address limit
        for _ in range(1):
            Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post("/login/", {"username": "office", "password": "x"})
    response = Client(REMOTE_ADDR="192.0.2.100").post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    assert response.status_code == 200 and "已暂时锁定" in response.content.decode()


def test_lockout_after_repeated_failures(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/login/", {"username": "office", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post("/login/", {"username": "office", "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # other accounts are unaffected
    ok = Client().post("/login/", {"username": "viewer", "password": DEMO_PASSWORD})
    assert ok.status_code == 302


def test_login_and_logout(people):
    client = Client()
    response = client.post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_form_posts_require_csrf(people):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "office", "password": DEMO_PASSWORD}).status_code == 403
    client.get("/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/login/", {"username": "office", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_password_change_is_audited(people, clients):
    from taizhang.core.models import AuditEvent

    response = clients["liaison"].post(
        "/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
    )
    assert response.status_code == 302
    people["liaison"].refresh_from_db()
    assert people["liaison"].check_password("a-much-longer-passphrase-2026")
    event = AuditEvent.objects.filter(action="account.password_change").get()
    assert "password" not in str(event.after).replace("password_changed", "")


def test_token_api_honours_the_username_lock(people, settings):
    settings.TAIZHANG_LOGIN_USERNAME_LIMIT = 6
    for i in range(6):
        Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post("/api/auth/token/", {"username": "office", "password": "x"})
    response = Client(REMOTE_ADDR="192.0.2.200").post(
        "/api/auth/token/", {"username": "office", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 401 and "锁定" in response.json()["detail"]
