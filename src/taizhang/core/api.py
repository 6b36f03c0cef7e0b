"""API plumbing shared by every app: pagination and readable JSON errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.functional import cached_property
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from taizhang.core.errors import Conflict


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: at a million tasks an exact count of a broad filter costs many times more
    than the page itself. Past the cap, `count` is the cap and `count_capped` says so."""

    COUNT_CAP = 1_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        paginator = self.page.paginator
        response.data["count"] = min(paginator.count, paginator.COUNT_CAP)
        response.data["count_capped"] = paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        # A serializer's errors by field, plus one sentence a person can read, as the other errors have.
        errors = response.data
        detail = "; ".join(
            f"{name}: {m}" if name != "non_field_errors" else str(m)
            for name, msgs in errors.items()
            for m in (msgs if isinstance(msgs, list) else [msgs])
        )
        response.data = {"detail": detail, "errors": errors}
    return response
