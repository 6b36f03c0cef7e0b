"""Sign-in events into the audit chain.

Django and axes announce sign-in, sign-out, failure and lockout only as signals, from inside the
authentication machinery; each handler hands the event to one action (`record_sign_in`) and does
nothing else, so the write still goes through the one door.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from taizhang.core.middleware import client_ip
from taizhang.org.actions import record_sign_in
from taizhang.org.models import User


def _detail(request, username: str) -> dict:
    return {"username": username, "address": client_ip(request) if request is not None else ""}


def _account(username: str | None) -> User:
    return User.objects.filter(username=username).first() or User(username=(username or "")[:150])


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    detail = _detail(request, user.username)
    if getattr(request, "sso_provider", ""):
        detail["provider"] = request.sso_provider  # signed in through CAS or OIDC, not the password form
    record_sign_in(user, event="sign_in", detail=detail)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_sign_in(user, event="sign_out", detail=_detail(request, user.username))


@receiver(user_login_failed)
def _failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    record_sign_in(_account(username), event="sign_in_failed", detail=_detail(request, username))


@receiver(user_locked_out)
def _locked(sender, request, username, ip_address, **kwargs):
    record_sign_in(_account(username), event="locked_out", detail=_detail(request, username))
