from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from taizhang.core.forms import StyledFormMixin
from taizhang.org.actions import change_own_password


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


@login_required
def password_change(request):
    form = StyledPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_own_password(request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form})


@extend_schema(
    request=AuthTokenSerializer,
    responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    description="Exchange a username and password for an API token, sent as `Authorization: Token <token>`.",
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def obtain_token(request):
    serializer = AuthTokenSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
    return Response({"token": token.key})
