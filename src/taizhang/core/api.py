"""API plumbing shared by every app: pagination and readable JSON errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from taizhang.core.errors import Conflict


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Every error is JSON with a `detail` a person can read.

    Domain errors raised by the actions layer map to HTTP statuses here, so views stay thin:
    Conflict (stale version) → 409, ValidationError → 400, PermissionDenied → 403.
    """
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc), "current_version": exc.current_version}, status=409)
    if isinstance(exc, ValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        detail = "; ".join(m for msgs in messages.values() for m in msgs)
        return Response({"detail": detail, "errors": messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": "Not found."}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or "You may not do this."}, status=403)
    return drf_exception_handler(exc, context)
