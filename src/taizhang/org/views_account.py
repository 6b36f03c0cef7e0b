"""A user's own account: password change (throttled) and API tokens (issued, listed, revoked)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from taizhang.core.audit import object_type
from taizhang.core.filtering import whole_number
from taizhang.core.forms import StyledFormMixin, username_locked
from taizhang.core.models import AuditEvent
from taizhang.org import actions
from taizhang.org.models import ApiToken, User


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


def password_failures(user: User) -> int:
    """Wrong old passwords typed on the change form within the cool-off period (from the audit chain)."""
    since = timezone.now() - dt.timedelta(minutes=settings.TAIZHANG_LOGIN_COOLOFF_MINUTES)
    return AuditEvent.objects.filter(
        action="auth.password_change_failed", object_type=object_type(User), object_id=str(user.pk), at__gte=since
    ).count()


@login_required
def password_change(request):
    """A stolen session must not become a way to guess the password: wrong old passwords are counted and,
    past the sign-in failure limit, the form refuses to check any more until the cool-off ends."""
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if password_failures(request.user) >= settings.AXES_FAILURE_LIMIT:
            messages.error(
                request,
                _("Too many wrong passwords. Try again in %(minutes)d minutes.")
                % {"minutes": settings.TAIZHANG_LOGIN_COOLOFF_MINUTES},
            )
            form = StyledPasswordChangeForm(request.user)
            return render(request, "registration/password_change.html", {"form": form}, status=429)
        if form.is_valid():
            actions.change_own_password(request.user, form.cleaned_data["new_password1"])
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("home")
        if "old_password" in form.errors:
            actions.record_sign_in(request.user, event="password_change_failed")
    return render(request, "registration/password_change.html", {"form": form})


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("username"))
    password = serializers.CharField(label=gettext_lazy("password"), style={"input_type": "password"})
    label = serializers.CharField(label=gettext_lazy("label"), required=False, allow_blank=True, default="")


@extend_schema(
    request=TokenRequest,
    responses=inline_serializer(
        "TokenResponse", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
    ),
    description="Exchange a username and password for a new API token, sent as `Authorization: Token <token>`. "
    "Each call issues a new token; it expires after the configured days and is revoked by a password change.",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def obtain_token(request):
    data = TokenRequest(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    refused = {"detail": _("The username or password is wrong, or the account is locked.")}
    if username_locked(values["username"]):  # the same per-username limit as the sign-in page
        return Response(refused, status=401)
    user = authenticate(request._request, username=values["username"], password=values["password"])
    if user is None:
        return Response(refused, status=401)
    token, key = actions.issue_token(user, label=values["label"] or "API")
    return Response({"token": key, "expires": token.expires_at})


class TokenForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=gettext_lazy("label"), max_length=100, required=False)


@login_required
def tokens(request):
    """The user's own tokens: what exists, when each expires; issue one (shown once) or revoke."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = request.POST.get("revoke", "")
            if whole_number(token_id) is not None:
                actions.revoke_tokens(request.user, by=request.user, reason="revoked", token_id=int(token_id))
            messages.success(request, _("The token was revoked."))
            return redirect("tokens")
        if form.is_valid():
            _token, new_key = actions.issue_token(request.user, label=form.cleaned_data["label"])
            form = TokenForm()
    items = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "org/tokens.html",
        {"form": form, "items": items, "new_key": new_key, "now": timezone.now(), "days": settings.TAIZHANG_TOKEN_DAYS},
    )
