"""The sign-in platforms' doors: CAS (a redirect out, a ticket back), OIDC (mozilla-django-oidc's
request and callback views), and the page that says why a verified person was not let in.

These GETs sign in and may create an account: the protocols hand the ticket or code back on a redirect,
so this is the one place a GET writes (like the password form's POST, through the actions layer)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc import views as oidc_views

from taizhang.core.redirects import local_next
from taizhang.org import sso
from taizhang.org.actions import SignInRefused, sso_sign_in

REFUSAL = sso.REFUSAL
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LoginView(auth_views.LoginView):
    """The password form, with a button for each sign-in platform this installation is configured for;
    with LDAP configured, the same form also takes a directory password."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(sso_providers=sso.enabled(), ldap=sso.ldap_enabled(), **kwargs)

    def post(self, request, *args, **kwargs):
        request.session.pop(REFUSAL, None)  # a refusal shown is about this attempt, never an earlier one
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if getattr(self.request, "sso_refused", False):
            # The directory checked the password, and the account rules refused: say why, not "wrong password".
            return redirect("sso-refused")
        if getattr(self.request, "ldap_unreachable", False):
            form.errors.clear()  # (not "wrong password": the password was never checked)
            form.add_error(
                None, _("The directory (LDAP) does not answer just now: try again shortly, or tell the administrator.")
            )
        return super().form_invalid(form)


def cas_login(request):
    """Out to the CAS server without a ticket; back with one, validated by the server, then signed in."""
    if "cas" not in sso.enabled():
        raise Http404
    following = local_next(request)
    service = request.build_absolute_uri(reverse("sso-cas"))
    if following:
        service += "?" + urlencode({"next": following})
    ticket = request.GET.get("ticket", "")
    if not ticket:
        request.session.pop(REFUSAL, None)  # a new attempt: an earlier refusal is not this one's
        return redirect(sso.cas_client(service).get_login_url())
    identity = sso.cas_identity(ticket, service)
    if identity is None:
        request.session[REFUSAL] = {"reason": "bad_ticket", "provider": "cas"}
        return redirect("sso-refused")
    try:
        account = sso_sign_in(identity)
    except SignInRefused as refused:
        sso.remember_refusal(request, refused)
        return redirect("sso-refused")
    request.sso_provider = "cas"
    login(request, account, backend=MODEL_BACKEND)
    return redirect(following or settings.LOGIN_REDIRECT_URL)


class OIDCRequest(oidc_views.OIDCAuthenticationRequestView):
    def dispatch(self, request, *args, **kwargs):
        if "oidc" not in sso.enabled():
            raise Http404
        request.session.pop(REFUSAL, None)  # a new attempt: an earlier refusal is not this one's
        return super().dispatch(request, *args, **kwargs)


class OIDCCallback(oidc_views.OIDCAuthenticationCallbackView):
    def dispatch(self, request, *args, **kwargs):
        if "oidc" not in sso.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self):
        self.request.session.setdefault(REFUSAL, {"reason": "bad_token", "provider": "oidc"})
        return redirect("sso-refused")


def refused(request):
    """Why the platform's sign-in did not let this person in, and whom to ask."""
    return render(request, "registration/sso_refused.html", {"refusal": request.session.get(REFUSAL) or {}})
