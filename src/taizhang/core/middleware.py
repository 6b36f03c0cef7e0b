"""Health probes, the request id for the audit chain, and the interface language."""

import contextlib
import contextvars
import ipaddress
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

_request_id = contextvars.ContextVar("taizhang_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


@contextlib.contextmanager
def acting_as(request_id: str):
    """Work outside a request (a job of the queue) under an id of its own, in its log lines and events."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class ProbeMiddleware:
    """`/healthz` and `/readyz` (core/views.py), answered before anything else: a load balancer probes
    a server by its address (not an allowed host name), over plain HTTP, with no session or cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in ("/healthz", "/readyz"):
            return self.get_response(request)
        from taizhang.core import views

        return views.healthz(request) if request.path_info == "/healthz" else views.readyz(request)


class RequestIdMiddleware:
    """Tags each request with an id that every audit event written while serving it carries."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id  # for the lines Django logs after the response (core/logs.py)
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class LanguageMiddleware:
    """Simplified Chinese unless the user chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and an office PC with an
    English browser would then show English; the product's language is Chinese until switched.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


def _networks():
    return [ipaddress.ip_network(item, strict=False) for item in settings.TAIZHANG_TRUSTED_PROXIES]


def client_ip(request) -> str:
    """The client's address for lockout and the audit trail.

    REMOTE_ADDR, unless it is a configured trusted proxy: then X-Forwarded-For is read from the right,
    skipping trusted proxies, and the first other address is the client. A client cannot choose its own
    address by sending the header, and behind the documented proxy each user is counted separately.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks:
        return remote

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    if not trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            return hop
    return remote


class ServerHeaderMiddleware:
    """The Server header names the product, not the stack and its versions.

    Django's development server (`make run`) lets the application's header stand; gunicorn writes its
    own, renamed by deploy/gunicorn.conf.py, so the header is set here only for other servers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "gunicorn" not in request.META.get("SERVER_SOFTWARE", ""):
            response["Server"] = "taizhang"
        return response


class RequestSizeMiddleware:
    """Refuse a request body over TAIZHANG_UPLOAD_REQUEST_MB before any of it is read (Django spools
    uploads to disk as they arrive: 50 files of 50 MB would be written before a form saw them). Django
    reads no more than Content-Length, so the declared length is the bound."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.TAIZHANG_UPLOAD_REQUEST_MB * 1048576
        if length > limit:
            message = _("The upload is %(size).1f MB; one submission may carry at most %(limit)s MB.") % {
                "size": length / 1048576,
                "limit": settings.TAIZHANG_UPLOAD_REQUEST_MB,
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            title, advice = _("Upload too large"), _("Go back and send fewer or smaller files.")
            page = (
                f'<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{escape(title)}</title>'
                f"<p>{escape(message)}</p><p>{escape(advice)}</p></html>"
            )
            return HttpResponse(page, status=413)
        return self.get_response(request)
