"""API sign-in by token: `Authorization: Token <key>`, checked against the stored hash and the expiry."""

import hashlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from taizhang.org.models import ApiToken


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's header format; the key is looked up by its hash, so a copy of the database holds no usable key."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user", "user__unit").filter(key_hash=key_hash(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired; issue a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account is disabled."))
        return token.user, token
