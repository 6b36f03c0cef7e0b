"""Set the provider up: its tables, a CAS service pattern that sends every attribute, an OIDC client for
Taizhang's callback (PKCE, RS256), and a Django account per person for the provider's own login form."""

import os
import sys

import django


def main(client_secret: str, redirect_uri: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.sso.provider.settings")
    django.setup()
    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.sso.provider.people import people

    call_command("migrate", verbosity=0)
    pattern = ServicePattern.objects.create(pos=1, name="taizhang", pattern=r"^https?://.*")
    ReplaceAttributName.objects.create(name="*", service_pattern=pattern)
    Application.objects.create(
        name="taizhang",
        client_id="taizhang",
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for username, person in people().items():
        User.objects.create_user(username, password=person["password"])


if __name__ == "__main__":
    main(*sys.argv[1:3])
