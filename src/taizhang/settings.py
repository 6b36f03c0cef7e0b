"""All settings, from environment variables (TAIZHANG_*, DATABASE_URL; secrets also from *_FILE).

The embedded default needs no configuration: SQLite in WAL mode and a generated secret key, both
under ./var/. Bad values stop the process at start with a message naming the variable.
"""

import importlib.util
import ipaddress
import json
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

PACKAGE_DIR = Path(__file__).resolve().parent
# The installation: the checkout `make install` ran in (src/taizhang → ../..), whatever the working
# directory, so a command run from another folder finds the same data, keys and static files.
_CHECKOUT = PACKAGE_DIR.parent.parent
BASE_DIR = Path(
    os.environ.get("TAIZHANG_HOME") or (_CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd())
).resolve()
VAR_DIR = Path(os.environ.get("TAIZHANG_VAR_DIR", BASE_DIR / "var")).resolve()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    """A setting from NAME, or from the file named by NAME_FILE (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "1" if default else "0").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = env(name, str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_choice(name: str, default: str, choices: list[str]) -> str:
    raw = env(name, default).strip().lower()
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}.")
    return raw


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    key = env("TAIZHANG_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("TAIZHANG_SECRET_KEY must be at least 32 characters long.")
        return key
    # Embedded default: generate once and keep it under ./var so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def _audit_keys() -> tuple[str, list[str]]:
    """The key that seals the audit chain (never stored in the database) and retired keys, kept so that
    events and anchors sealed before a rotation still verify."""
    key = env("TAIZHANG_AUDIT_KEY")
    old = env_list("TAIZHANG_AUDIT_OLD_KEYS", "")
    for value in [key, *old]:
        if value and len(value) < 32:
            raise ImproperlyConfigured("TAIZHANG_AUDIT_KEY and TAIZHANG_AUDIT_OLD_KEYS need 32 characters or more.")
    if key:
        return key, old
    key_file = VAR_DIR / "audit_key"  # the embedded default, beside the database but not in it
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip(), old


DEBUG = env_bool("TAIZHANG_DEBUG", False)
SECRET_KEY = _secret_key()
TAIZHANG_AUDIT_KEY, TAIZHANG_AUDIT_OLD_KEYS = _audit_keys()
# Anchors of the chain's head: an append-only file outside the database (and, if set, an e-mail).
TAIZHANG_AUDIT_ANCHOR_FILE = Path(env("TAIZHANG_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl")))
TAIZHANG_AUDIT_ANCHOR_EMAIL = env_list("TAIZHANG_AUDIT_ANCHOR_EMAIL", "")
ALLOWED_HOSTS = env_list("TAIZHANG_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("TAIZHANG_CSRF_TRUSTED_ORIGINS", "")
HTTPS = env_bool("TAIZHANG_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "taizhang.core",
    "taizhang.org",
    "taizhang.rectification",
    "taizhang.tasks",
    "taizhang.sheets",
    "taizhang.dashboard",
    "taizhang.documents",
    "taizhang.notify",
    "taizhang.risks",
    "taizhang.duties",
    "taizhang.similar",
]

MIDDLEWARE = [
    "taizhang.core.middleware.ProbeMiddleware",  # /healthz and /readyz: no host check, no session
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "taizhang.core.middleware.ServerHeaderMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "taizhang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "taizhang.core.middleware.LanguageMiddleware",
    "taizhang.core.middleware.RequestSizeMiddleware",  # before anything reads the body (CSRF does)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "taizhang.urls"
WSGI_APPLICATION = "taizhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taizhang.core.context.shell",
                "taizhang.notify.context.unread",
                "taizhang.tasks.context.todo_count",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'taizhang.sqlite3'}"
_db_url = env("DATABASE_URL", _default_db)
try:
    # Kept connections (seconds; 0 opens one per request) are checked before reuse: a PostgreSQL restart
    # costs one reconnect, not a failed request. On PostgreSQL a kept connection takes 40 % off a one-row request.
    _db = dj_database_url.parse(_db_url, conn_max_age=env_int("TAIZHANG_DB_CONN_MAX_AGE", 0), conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be used: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so two writers queue instead of
        # failing with "database is locked" halfway through (the audit chain needs serial writes).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # The test database is a file, not memory, so tests can run `taizhang` commands in other processes
    # against it (two reminder runs at once, as on two machines).
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-taizhang.sqlite3")}
elif _db["ENGINE"] not in ("django.db.backends.postgresql",):
    raise ImproperlyConfigured(f"DATABASE_URL: unsupported database {_db['ENGINE']!r}; use sqlite or postgres.")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"


def env_json(name: str, default: str) -> dict:
    """A mapping given as JSON in NAME (the sign-in platforms' attribute and role mappings)."""
    raw = env(name, default) or "{}"
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw!r}")
    return value


# Single sign-on (统一身份认证), each off until its server is named; the password form stays for the
# administrator. Attribute mappings name where each of username, name, unit_code and groups is read:
# an attribute, or "attribute.key" inside an attribute that carries JSON (docs/deployment.md).
TAIZHANG_CAS_SERVER_URL = env("TAIZHANG_CAS_SERVER_URL", "")
TAIZHANG_CAS_VERSION = env_choice("TAIZHANG_CAS_VERSION", "3", ["2", "3"])
TAIZHANG_CAS_ATTRIBUTES = env_json("TAIZHANG_CAS_ATTRIBUTES", "")
TAIZHANG_OIDC_CLAIMS = env_json("TAIZHANG_OIDC_CLAIMS", "")
# Groups (CAS attribute, OIDC claim, LDAP group) to "role/scope", in order: the first group a person
# is in gives the role of an account created at first sign-in. Without a match, TAIZHANG_SSO_DEFAULT_ROLE
# ("" = no account: the person is asked to see an administrator).
TAIZHANG_SSO_ROLES = env_json("TAIZHANG_SSO_ROLES", "")
TAIZHANG_SSO_DEFAULT_ROLE = env("TAIZHANG_SSO_DEFAULT_ROLE", "")
OIDC_RP_CLIENT_ID = env("TAIZHANG_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("TAIZHANG_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("TAIZHANG_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("TAIZHANG_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("TAIZHANG_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("TAIZHANG_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env_choice("TAIZHANG_OIDC_SIGN_ALGO", "rs256", ["rs256", "es256", "hs256"]).upper()
OIDC_RP_SCOPES = env("TAIZHANG_OIDC_SCOPES", "openid profile")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "sso-refused"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("taizhang.org.sso.OIDCBackend")

# LDAP (a directory's password on the password form): off until its server is named. The person's entry
# is found by the service account's search (TAIZHANG_LDAP_USER_FILTER, %(user)s the name typed, escaped),
# the password checked by a bind as that entry; groups (for TAIZHANG_SSO_ROLES) from TAIZHANG_LDAP_GROUP_BASE.
TAIZHANG_LDAP_SERVER_URI = env("TAIZHANG_LDAP_SERVER_URI", "")
TAIZHANG_LDAP_BIND_DN = env("TAIZHANG_LDAP_BIND_DN", "")
TAIZHANG_LDAP_BIND_PASSWORD = env("TAIZHANG_LDAP_BIND_PASSWORD", "")
TAIZHANG_LDAP_START_TLS = env_bool("TAIZHANG_LDAP_START_TLS", False)
TAIZHANG_LDAP_USER_BASE = env("TAIZHANG_LDAP_USER_BASE", "")
TAIZHANG_LDAP_USER_FILTER = env("TAIZHANG_LDAP_USER_FILTER", "(uid=%(user)s)")
TAIZHANG_LDAP_GROUP_BASE = env("TAIZHANG_LDAP_GROUP_BASE", "")
TAIZHANG_LDAP_GROUP_TYPE = env_choice(  # the object class of the directory's groups (case does not matter)
    "TAIZHANG_LDAP_GROUP_TYPE", "groupofnames", ["groupofnames", "groupofuniquenames", "posixgroup"]
)
TAIZHANG_LDAP_ATTRIBUTES = env_json("TAIZHANG_LDAP_ATTRIBUTES", "")
# Organisation sync (`taizhang sync_org --from ldap`): units are the entries under TAIZHANG_LDAP_UNIT_BASE
# (their parent the entry above), read through TAIZHANG_LDAP_UNIT_ATTRIBUTES (code, name).
TAIZHANG_LDAP_UNIT_BASE = env("TAIZHANG_LDAP_UNIT_BASE", "")
TAIZHANG_LDAP_UNIT_FILTER = env("TAIZHANG_LDAP_UNIT_FILTER", "(objectClass=organizationalUnit)")
TAIZHANG_LDAP_UNIT_ATTRIBUTES = env_json("TAIZHANG_LDAP_UNIT_ATTRIBUTES", "")
if TAIZHANG_LDAP_SERVER_URI:
    if not TAIZHANG_LDAP_USER_BASE:
        raise ImproperlyConfigured("TAIZHANG_LDAP_USER_BASE is needed with TAIZHANG_LDAP_SERVER_URI")
    if "%(user)s" not in TAIZHANG_LDAP_USER_FILTER:
        raise ImproperlyConfigured("TAIZHANG_LDAP_USER_FILTER must contain %(user)s")
    if importlib.util.find_spec("django_auth_ldap") is None or importlib.util.find_spec("ldap") is None:
        raise ImproperlyConfigured(
            "TAIZHANG_LDAP_SERVER_URI is set but python-ldap is not installed: "
            "install libldap2-dev and libsasl2-dev, then `uv sync --locked --extra ldap`"
        )
    AUTHENTICATION_BACKENDS.append("taizhang.org.ldap_backend.LDAPBackend")

# Lockout: after this many failures for one username from one address, sign-in is refused for a while;
# after TAIZHANG_LOGIN_USERNAME_LIMIT failures from any addresses, the username alone is locked.
AXES_FAILURE_LIMIT = env_int("TAIZHANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
TAIZHANG_LOGIN_COOLOFF_MINUTES = env_int("TAIZHANG_LOGIN_COOLOFF_MINUTES", 30, minimum=1)
AXES_COOLOFF_TIME = TAIZHANG_LOGIN_COOLOFF_MINUTES / 60
TAIZHANG_LOGIN_USERNAME_LIMIT = env_int("TAIZHANG_LOGIN_USERNAME_LIMIT", 20, minimum=AXES_FAILURE_LIMIT)
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks); without them the
# client is REMOTE_ADDR, so a forged header cannot choose whose failures are counted.
TAIZHANG_TRUSTED_PROXIES = env_list("TAIZHANG_TRUSTED_PROXIES", "")
for _proxy in TAIZHANG_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TAIZHANG_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None
AXES_CLIENT_IP_CALLABLE = "taizhang.core.middleware.client_ip"
TAIZHANG_TOKEN_DAYS = env_int("TAIZHANG_TOKEN_DAYS", 30, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "taizhang.core.api.lockout"  # registration/locked_out.html, or JSON for the API
CSRF_FAILURE_VIEW = "taizhang.core.api.csrf_failure"
AXES_VERBOSE = False

# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default-compatible
SESSION_COOKIE_AGE = env_int("TAIZHANG_SESSION_HOURS", 12, minimum=1) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a webhook typed without a scheme is https
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (scripts and styles are static files; data reaches scripts through
# json_script and data- attributes). data: images are Bootstrap's own SVG icons inside its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Nothing in the product needs a device or a sensor.
PERMISSIONS_POLICY = {
    name: []
    for name in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
    )
}
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("TAIZHANG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("TAIZHANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Each language by its own name (the switch reads 简体中文 to an English reader, English to a Chinese one).
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "taizhang_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("TAIZHANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "/static/"
# Collected into the installation, not the data directory: any data directory serves the same pages.
STATIC_ROOT = Path(env("TAIZHANG_STATIC_ROOT", str(BASE_DIR / "build" / "static")))
# Front-end packages come from npm at install time and are copied here by `make install`.
VENDOR_DIR = Path(env("TAIZHANG_VENDOR_DIR", str(BASE_DIR / "build" / "vendor")))
STATICFILES_DIRS = [("vendor", VENDOR_DIR)] if VENDOR_DIR.is_dir() else []
MEDIA_ROOT = Path(env("TAIZHANG_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
_testing = "pytest" in sys.modules
# Files (evidence, imports, generated reports) on the local disk under MEDIA_ROOT, or in an S3-compatible
# object store (华为 OBS, 阿里 OSS, 腾讯 COS, Ceph, MinIO). Never public: every download goes through a
# permission-checked view that streams the file, so the bucket needs no public access and no URL leaks.
TAIZHANG_STORAGE = env_choice("TAIZHANG_STORAGE", "local", ["local", "s3"])


def _file_storage() -> dict:
    if TAIZHANG_STORAGE == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config

    bucket = env("TAIZHANG_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("TAIZHANG_STORAGE=s3 needs TAIZHANG_S3_BUCKET (and the endpoint and keys).")
    addressing = env_choice("TAIZHANG_S3_ADDRESSING", "path", ["path", "virtual"])
    # Providers other than AWS reject or mis-sign the checksums newer botocore adds to every request.
    checksums = {"request_checksum_calculation": "when_required", "response_checksum_validation": "when_required"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env("TAIZHANG_S3_ENDPOINT") or None,
            "access_key": env("TAIZHANG_S3_ACCESS_KEY") or None,
            "secret_key": env("TAIZHANG_S3_SECRET_KEY") or None,
            "region_name": env("TAIZHANG_S3_REGION") or None,
            "location": env("TAIZHANG_S3_PREFIX", "").strip("/"),
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": True,
            "file_overwrite": False,  # as on disk: a second file of the same name gets a name of its own
            "client_config": Config(s3={"addressing_style": addressing}, signature_version="s3v4", **checksums),
        },
    }


def _cache() -> dict:
    """TAIZHANG_CACHE: "local" (one process: the embedded default), "database" (a table every app
    server shares; `taizhang createcachetable` once), or a redis:// URL. Nothing the servers must agree on
    (sessions, locks, progress) lives in this cache; it is there for what may be recomputed."""
    value = env("TAIZHANG_CACHE", "local").strip()
    if value == "local":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if value == "database":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "taizhang_cache"}
    if value.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    raise ImproperlyConfigured(f"TAIZHANG_CACHE={value!r} is not local, database or a redis:// URL.")


CACHES = {"default": _cache()}

STORAGES = {
    "default": _file_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or _testing
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or _testing

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env("TAIZHANG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("TAIZHANG_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TAIZHANG_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env("TAIZHANG_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("TAIZHANG_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("TAIZHANG_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("TAIZHANG_EMAIL_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("TAIZHANG_EMAIL_TLS and TAIZHANG_EMAIL_SSL cannot both be true.")
DEFAULT_FROM_EMAIL = env("TAIZHANG_EMAIL_FROM", "taizhang@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API -----------------------------------------------------------------------------------------
# Every filter select's empty choice reads 全部 (django-filter's default is "---------"); lazy, so each
# request's language applies.
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("all")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated API calls then get 401 with a WWW-Authenticate header.
        "taizhang.org.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["taizhang.core.api.ListFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "taizhang.core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "taizhang.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "taizhang.core.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Taizhang API",
    "DESCRIPTION": "The ledger, its tasks and the organisation, within the caller's data scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # the API's shape is not public
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No schema validator badge: it would call validator.swagger.io, and intranets have no internet.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "taizhang.core.api.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "taizhang.tasks.models.Status",
        "ExtensionStatusEnum": "taizhang.tasks.models.ExtensionStatus",
        "RiskStatusEnum": "taizhang.risks.models.RiskStatus",
        "ReturnStatusEnum": "taizhang.risks.models.ReturnStatus",
        "AssessmentKindEnum": "taizhang.risks.models.AssessmentKind",
        "MeetingKindEnum": "taizhang.duties.models.MeetingKind",
        "BodyKindEnum": "taizhang.duties.models.BodyKind",
    },
}

# Every line names its request (or job) by the id its audit events carry (core/logs.py).
TAIZHANG_LOG_FORMAT = env_choice("TAIZHANG_LOG_FORMAT", "text", ["text", "json"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "taizhang.core.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "taizhang.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": TAIZHANG_LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env("TAIZHANG_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

if _testing:
    # Tests create many accounts; a fast hash keeps the suite quick. Never used outside pytest.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Ledger ----------------------------------------------------------------------------------------
TAIZHANG_UPLOAD_MAX_MB = env_int("TAIZHANG_UPLOAD_MAX_MB", 50, minimum=1)
TAIZHANG_IMMEDIATE_DAYS = env_int("TAIZHANG_IMMEDIATE_DAYS", 30, minimum=1)  # 立行立改: days after feedback
# The longest progress report, step note or extension reason, in characters (forms count down to it).
TAIZHANG_TEXT_MAX_CHARS = env_int("TAIZHANG_TEXT_MAX_CHARS", 5000, minimum=100)
TAIZHANG_DUE_SOON_DAYS = env_int("TAIZHANG_DUE_SOON_DAYS", 7, minimum=0)
TAIZHANG_LAGGING_DAYS = env_int("TAIZHANG_LAGGING_DAYS", 30, minimum=1)  # no progress for this long → lagging
TAIZHANG_REPORT_DUE_MONTHS = env_int("TAIZHANG_REPORT_DUE_MONTHS", 2, minimum=0)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body other than uploaded files (forms, JSON) beyond this is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TAIZHANG_BODY_MAX_KB", 2560, minimum=64) * 1024
TAIZHANG_JSON_MAX_DEPTH = 20
TAIZHANG_IMPORT_MAX_MB = env_int("TAIZHANG_IMPORT_MAX_MB", 20, minimum=1)
TAIZHANG_IMPORT_MAX_ROWS = env_int("TAIZHANG_IMPORT_MAX_ROWS", 100_000, minimum=10)
# A sheet is read as a dense grid (about 30 bytes a cell): columns and rows × columns bound its memory.
TAIZHANG_IMPORT_MAX_COLUMNS = env_int("TAIZHANG_IMPORT_MAX_COLUMNS", 200, minimum=10)
TAIZHANG_IMPORT_MAX_CELLS = env_int("TAIZHANG_IMPORT_MAX_CELLS", 5_000_000, minimum=1000)
# An import with no progress for this long has lost its worker: marked failed, nothing written, retryable.
TAIZHANG_IMPORT_STALE_MINUTES = env_int("TAIZHANG_IMPORT_STALE_MINUTES", 15, minimum=1)
# Uploaded ledgers are deleted when imported, and when abandoned (not imported) after this many hours.
TAIZHANG_IMPORT_KEEP_HOURS = env_int("TAIZHANG_IMPORT_KEEP_HOURS", 72, minimum=1)
# Uploads: one request's body, and what one account may upload in a day (evidence and ledgers).
TAIZHANG_UPLOAD_REQUEST_MB = env_int("TAIZHANG_UPLOAD_REQUEST_MB", 100, minimum=1)
TAIZHANG_UPLOAD_DAY_MB = env_int("TAIZHANG_UPLOAD_DAY_MB", 1000, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("TAIZHANG_UPLOAD_MAX_FILES", 20, minimum=1)  # files in one submission

# --- Jobs ----------------------------------------------------------------------------------------------
# Long work (an import confirmed on the web, …) is a job in the database, run by `taizhang worker`
# (`make run` starts one); "immediate" runs each job inside the call that enqueues it (tests, benchmarks).
TAIZHANG_JOBS = env_choice("TAIZHANG_JOBS", "immediate" if _testing else "queue", ["queue", "immediate"])
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if TAIZHANG_JOBS == "queue"
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}
# A worker is alive while it holds its lock (an advisory lock on PostgreSQL, a file lock beside SQLite's
# database): the kernel or the server releases it when the process dies, however it dies.
TAIZHANG_WORKER_POLL_SECONDS = env_int("TAIZHANG_WORKER_POLL_SECONDS", 1, minimum=1)

# --- Reminders -------------------------------------------------------------------------------------
TAIZHANG_BASE_URL = env("TAIZHANG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in messages
TAIZHANG_WEBHOOK_TIMEOUT = env_int("TAIZHANG_WEBHOOK_TIMEOUT", 5, minimum=1)
# The hosts group robots may be reached at (".example.gov.cn" admits its subdomains); intranet
# deployments name their own gateway and set TAIZHANG_WEBHOOK_PRIVATE to reach a private address.
TAIZHANG_WEBHOOK_HOSTS = env_list(
    "TAIZHANG_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com,open.feishu.cn,open.larksuite.com"
)
TAIZHANG_WEBHOOK_PRIVATE = env_bool("TAIZHANG_WEBHOOK_PRIVATE", False)
TAIZHANG_DELIVERY_ATTEMPTS = env_int("TAIZHANG_DELIVERY_ATTEMPTS", 5, minimum=1)
TAIZHANG_DELIVERY_CLAIM_MINUTES = env_int("TAIZHANG_DELIVERY_CLAIM_MINUTES", 10, minimum=1)
TAIZHANG_DIGEST_HOUR = env_int("TAIZHANG_DIGEST_HOUR", 8, minimum=0)
