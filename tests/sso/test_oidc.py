"""OIDC sign-in against a real provider on loopback (django-oauth-toolkit): the code flow with PKCE, the
username from a configured claim (a 工号), first sign-in provisioning, a replayed code and a forged ID token
refused."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory

from taizhang.core.models import AuditEvent
from taizhang.org import actions
from taizhang.org.models import Unit, User
from taizhang.org.sso import OIDCBackend

from .conftest import CLIENT_SECRET, hidden_fields, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def oidc(settings, provider, people):
    settings.OIDC_RP_CLIENT_ID = "taizhang"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/o/.well-known/jwks.json"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "taizhang.org.sso.OIDCBackend"]
    settings.TAIZHANG_OIDC_CLAIMS = {"username": "employee_no", "name": "cn", "unit_code": "deptCode"}
    settings.TAIZHANG_OIDC_CLAIMS |= {"groups": "memberOf"}
    settings.TAIZHANG_SSO_ROLES = {"jw-office": "office/subtree"}
    actions.save_unit(Unit.objects.get(name="市委宣传部"), {"code": "XC-001"}, by=None)
    return provider


def callback_for(client: Client, username: str) -> str:
    """The browser's part: out to the provider's authorize endpoint, its login, back with a code."""
    out = client.get("/sso/oidc/", {"next": "/ledger/"})
    assert out.status_code == 302
    query = parse_qs(urlsplit(out["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]  # PKCE
    browser = requests.Session()
    base = out["Location"].split("/o/authorize/")[0]
    form = browser.get(f"{base}/accounts/login/", timeout=10)
    login = hidden_fields(form.text) | {"username": username, "password": f"pw-{username}"}
    browser.post(f"{base}/accounts/login/", data=login, timeout=10)
    back = browser.get(out["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302 and "code=" in back.headers["Location"], back.text[:300]
    return local(back.headers["Location"])


def test_code_flow_with_pkce_provisions_by_the_configured_claim(oidc):
    client = Client()
    response = client.get(callback_for(client, "lisi"))
    assert response.status_code == 302 and response["Location"] == "/ledger/"
    account = User.objects.get(username="E20031")  # the 工号 claim, not the provider's subject
    assert (account.role, account.scope, account.unit.name, account.person.name) == (
        "office",
        "subtree",
        "市委宣传部",
        "李四",
    )
    assert client.get("/").wsgi_request.user == account
    assert AuditEvent.objects.filter(action="auth.sign_in", object_id=str(account.pk)).get().after["provider"] == "oidc"
    assert AuditEvent.objects.filter(action="auth.sso_provision", object_id=str(account.pk)).exists()


def test_a_replayed_code_is_refused(oidc):
    client = Client()
    back = callback_for(client, "lisi")
    assert client.get(back).status_code == 302
    thief = Client()
    fresh = thief.get("/sso/oidc/")  # a state of its own in the thief's session, then the stolen code
    state = parse_qs(urlsplit(fresh["Location"]).query)["state"][0]
    code = parse_qs(urlsplit(back).query)["code"][0]
    response = thief.get("/sso/oidc/callback/", {"code": code, "state": state}, follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert response.request["PATH_INFO"] == "/sso/refused/"


def test_the_local_administrator_is_not_taken_over(oidc):
    client = Client()
    response = client.get(callback_for(client, "admin"), follow=True)  # its 工号 claim says "admin"
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.sso_refused").last().after["reason"] == "local_account"


def test_an_id_token_signed_by_another_key_is_refused(oidc, settings):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {"iss": oidc, "aud": "taizhang", "sub": "1", "employee_no": "E20031", "nonce": "n", "exp": 4102444800},
        other,
        algorithm="RS256",
        headers={"kid": "forged"},
    )
    backend = OIDCBackend()
    backend.request = RequestFactory().get("/")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(forged, nonce="n")
