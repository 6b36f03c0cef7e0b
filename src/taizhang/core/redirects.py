"""Redirects after a form: only to a path on this site, never to an address the request names."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str, *, field: str = "next"):
    """Redirect to the posted `next` if it is a local URL of this site, else to `default`."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect(default)
