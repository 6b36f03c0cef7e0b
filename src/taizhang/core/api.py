"""API plumbing shared by every app: list filtering, pagination and readable JSON errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

from taizhang.core.errors import Conflict
from taizhang.core.filtering import whole_number


class StrictFormMixin:
    """For serializer fields read from a form or multipart body: an empty value is checked as a value
    (and refused if it is not one), not quietly read as "not given" as DRF does for optional fields."""

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            return dictionary[self.field_name]
        return super().get_value(dictionary)


class FormDateField(StrictFormMixin, serializers.DateField):
    pass


class FormIntegerField(StrictFormMixin, serializers.IntegerField):
    pass


class ListFilterBackend(DjangoFilterBackend):
    """Each model's FilterSet filters its lists; one object by id is found within the caller's scope
    alone (validating a FilterSet's form, with its unit choices, was a third of a one-row request)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "detail", False):
            return queryset
        return super().filter_queryset(request, queryset, view)


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
    max_page = 1_000_000  # past any real list; a larger number is refused, not looked up
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        paginator = self.page.paginator
        response.data["count"] = min(paginator.count, paginator.COUNT_CAP)
        response.data["count_capped"] = paginator.capped
        return response

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 to max_page_size is an error, not ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        size = whole_number(values[0]) if len(values) == 1 else None  # one page size, not several
        if size is None or not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return size

    def get_page_number(self, request, paginator):
        """A page number that is not a whole number from 1 is an error (DRF reads "" as page 1)."""
        values = request.query_params.getlist(self.page_query_param)
        if not values:
            return 1
        raw = values[0] if len(values) == 1 else ""  # one page number, not several
        if not 1 <= (whole_number(raw) or 0) <= self.max_page:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("A whole number from 1 to %(max)s.") % {"max": self.max_page}]}
            )
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
        return parameters

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "what went wrong, for a person"},
        "errors": {"type": "object", "additionalProperties": True, "description": "messages by field"},
        "current_version": {"type": "integer", "description": "409 only: the task's version now"},
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "The request is not valid: `detail` says why, `errors` by field.",
    "401": "Not signed in: no token, or an expired or revoked one.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object within your data scope (or no such page).",
    "409": "The object changed since you read it (a stale version), or its state does not allow this step.",
    "413": "The request body is larger than the upload limit.",
    "414": "The address is too long for the server (gunicorn reads at most 4,094 bytes of it).",
    "429": "Too many attempts: wait and try again.",
}


EMPTY = {"type": "string", "maxLength": 0}
PAGING = ("page", "page_size")


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the error answers it can give,
    all with the same JSON body (`exception_handler` below makes them), and that an empty filter value
    (what a filter form sends for "any") means no filter."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["name"] not in PAGING and "schema" in parameter:
                    schema = parameter["schema"]
                    if schema.get("type") != "string" or "format" in schema or "enum" in schema:
                        parameter["schema"] = {"anyOf": [parameter["schema"], EMPTY]}
            codes = ["400", "401", "403", "404", "414"]
            if method == "post":
                codes += ["409", "413", "429"]
            if path.endswith("/auth/token/"):
                codes = ["400", "401", "413", "429"]
            for code in codes:
                # gunicorn answers an over-long address itself, before the application: its own HTML page
                content = {"text/html": {"schema": {"type": "string"}}} if code == "414" else reference
                operation.setdefault("responses", {}).setdefault(
                    code, {"description": ERRORS[code], "content": content}
                )
    return result


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
        return Response({"detail": _("Not found.")}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or _("You may not do this.")}, status=403)
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


@csrf_exempt  # it changes nothing, and a POST with a session cookie must still get its JSON 404
def api_not_found(request, *args, **kwargs):
    """Any /api/ address that no route matches (an id that is not a number, a typo): JSON, like the rest."""
    from django.http import JsonResponse

    return JsonResponse({"detail": _("Not found.")}, status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON for the API (a client with a stale session cookie), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        detail = _("The request was refused (CSRF check failed): send the API token, not a session cookie.")
        return JsonResponse({"detail": detail}, status=403)
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"reason": reason}, status=403)


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: too many failed sign-ins answer 429, as JSON for the API."""
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("The username or password is wrong, or the account is locked.")}, status=429)
    return render(request, "registration/locked_out.html", status=429)


def bad_request(request, exception=None):
    """handler400: a body Django refuses before any view (too many files or fields): JSON for the API."""
    from django.views.defaults import bad_request as page

    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        detail = _("The request is not valid (too many files or fields, or a damaged form body).")
        return JsonResponse({"detail": detail}, status=400)
    return page(request, exception)


def server_error(request):
    """handler500: JSON for the API; the error page elsewhere."""
    from django.views.defaults import server_error as page

    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": _("Server error: the request was not completed.")}, status=500)
    return page(request)


def validated(input_class, request) -> dict:
    """A write's input checked by its serializer (400 with the fields' reasons when it is not valid)."""
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)
