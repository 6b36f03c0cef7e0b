"""Single sign-on (统一身份认证): what a CAS ticket, an OIDC token or an LDAP directory says about a person,
read through the configured mapping into one `Identity`, handed to `actions.sso_sign_in`.

The protocol is verified here and only here: a CAS ticket by the CAS server's validation endpoint (single
use, so a replayed ticket is refused there), an OIDC code by the token endpoint with the PKCE verifier, its
ID token by the provider's keys and the nonce kept in the session (mozilla-django-oidc), an LDAP password
by a bind as the person's own entry (django-auth-ldap, `ldap_backend.py`). What the account may then do is
decided by the actions layer alone.
"""

import json
import logging
from dataclasses import dataclass, field

import requests
from cas import CASClient
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)
REFUSAL = "sso_refusal"  # the session key the refusal page reads


@dataclass
class Identity:
    provider: str
    username: str
    name: str = ""
    unit_code: str = ""
    groups: list[str] = field(default_factory=list)


def _lookup(attributes: dict, path: str):
    """The value at `path` ("attr" or "attr.key.key"): a step into a value that is JSON text decodes it
    first, as Chinese platforms often send one attribute holding a JSON object."""
    value = attributes
    for step in path.split("."):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def _groups(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = value.replace("；", ",").replace(";", ",").split(",")
        value = decoded if isinstance(decoded, list) else [decoded]
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip() for v in value if str(v).strip()]


def identity_from(provider: str, attributes: dict, mapping: dict, username: str = "") -> Identity:
    """The person the provider names, read through `mapping` (field → attribute path). The username
    comes from its mapped attribute (a 工号) or, unmapped, from the protocol's own user name."""
    if mapping.get("username"):
        username = _text(_lookup(attributes, mapping["username"]))
    return Identity(
        provider=provider,
        username=(username or "").strip()[:150],
        name=_text(_lookup(attributes, mapping["name"])) if mapping.get("name") else "",
        unit_code=_text(_lookup(attributes, mapping["unit_code"])) if mapping.get("unit_code") else "",
        groups=_groups(_lookup(attributes, mapping["groups"])) if mapping.get("groups") else [],
    )


def enabled() -> list[str]:
    """The providers this installation is configured for, in the order the sign-in page offers them."""
    on = []
    if settings.TAIZHANG_CAS_SERVER_URL:
        on.append("cas")
    if settings.OIDC_RP_CLIENT_ID and "taizhang.org.sso.OIDCBackend" in settings.AUTHENTICATION_BACKENDS:
        on.append("oidc")
    return on


def ldap_enabled() -> bool:
    """The password form also signs people in with their directory (LDAP) password."""
    return bool(settings.TAIZHANG_LDAP_SERVER_URI) and LDAP_BACKEND in settings.AUTHENTICATION_BACKENDS


LDAP_BACKEND = "taizhang.org.ldap_backend.LDAPBackend"


def cas_client(service_url: str) -> CASClient:
    return CASClient(
        version=settings.TAIZHANG_CAS_VERSION, server_url=settings.TAIZHANG_CAS_SERVER_URL, service_url=service_url
    )


def cas_identity(ticket: str, service_url: str) -> Identity | None:
    """The person a service ticket names, validated by the CAS server; None for a ticket it refuses."""
    username, attributes, _pgtiou = cas_client(service_url).verify_ticket(ticket)
    if not username:
        return None
    return identity_from("cas", attributes or {}, settings.TAIZHANG_CAS_ATTRIBUTES, username=username)


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code exchange and token checks; the account comes from our own rules.

    Only the OIDC callback calls it (with the nonce it kept): the password form's credentials pass by.
    """

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        if request is None or nonce is None:
            return None
        try:
            account = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except (requests.RequestException, SuspiciousOperation) as exc:
            # A code the provider refuses (used, forged, expired) or a token that fails its checks.
            logger.warning("OIDC sign-in refused: %s", exc)
            return None
        if account is not None:
            request.sso_provider = "oidc"
        return account

    def get_or_create_user(self, access_token, id_token, payload):
        from taizhang.org.actions import SignInRefused, sso_sign_in

        claims = dict(payload)
        claims.update(self.get_userinfo(access_token, id_token, payload) or {})
        mapping = settings.TAIZHANG_OIDC_CLAIMS or {"username": "sub", "name": "name"}
        try:
            return sso_sign_in(identity_from("oidc", claims, mapping))
        except SignInRefused as refused:
            remember_refusal(self.request, refused)
            return None


def remember_refusal(request, refused) -> None:
    """What the refusal page will say, kept in the session of the person refused."""
    request.session[REFUSAL] = {
        "reason": refused.reason,
        "provider": refused.identity.provider,
        "username": refused.identity.username,
        "unit_code": refused.identity.unit_code,
    }
