"""Redirects after a form: only to a path on this site, never to an address the request names."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request, field: str = "next") -> str:
    """The posted or asked-for `next` if it is a local URL of this site, else ""."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def safe_next(request, default: str, *, field: str = "next"):
    """Redirect to the posted `next` if it is a local URL of this site, else to `default`."""
    return redirect(local_next(request, field) or default)
