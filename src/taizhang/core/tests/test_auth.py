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
    assert response.status_code == 400
    assert "detail" in response.json() or "non_field_errors" in response.json()


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
