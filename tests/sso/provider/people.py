"""The provider's people: {username: {"password": …, "attributes": {…}}} in SSO_PROVIDER_DIR/people.json,
read on every request so a test can add someone while the server runs."""

import json

from cas_server.auth import AuthUser
from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict:
    return json.loads((settings.DATA / "people.json").read_text(encoding="utf-8"))


class PeopleAuthUser(AuthUser):
    """django-cas-server's user source: the JSON file, attributes sent as they are written there."""

    def test_password(self, password):
        return people().get(self.username, {}).get("password") == password

    def attributs(self):
        return dict(people().get(self.username, {}).get("attributes", {}))


class ClaimsValidator(OAuth2Validator):
    """The ID token and the userinfo endpoint carry the person's attributes as claims."""

    oidc_claim_scope = None  # every claim, whatever the scope

    def get_additional_claims(self, request):
        return dict(people().get(request.user.username, {}).get("attributes", {}))
