"""A sign-in platform for the tests: a CAS server (django-cas-server) and an OIDC provider
(django-oauth-toolkit) in one small Django project, run by gunicorn on 127.0.0.1. Its people and their
attributes come from the JSON file named by SSO_PROVIDER_PEOPLE (provider/people.py)."""

import os
from pathlib import Path

HERE = Path(__file__).parent
DATA = Path(os.environ["SSO_PROVIDER_DIR"])
SECRET_KEY = "provider-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.sso.provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "provider.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"

CAS_AUTH_CLASS = "tests.sso.provider.people.PeopleAuthUser"
CAS_SHOW_POWERED = False
CAS_NEW_VERSION_HTML_WARNING = False
CAS_INFO_MESSAGES_ORDER = []

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (DATA / "oidc.key").read_text() if (DATA / "oidc.key").exists() else "",
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "tests.sso.provider.people.ClaimsValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "profile"},
}
