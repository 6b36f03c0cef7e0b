"""The product's URLs plus one bare view, for `bench_request.py`: the same task, the same JSON, the same
token sign-in and scope as GET /api/tasks/<id>/, without DRF's view, serializer or filter machinery.
Loaded only by the benchmark's own gunicorn (`_bare_settings`); never part of the product."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.exceptions import AuthenticationFailed

from taizhang.org.auth import TokenAuthentication
from taizhang.tasks.models import Task

_PLAIN = [
    "id", "number", "measure", "leader_text", "owner_text", "deadline_kind", "deadline_text", "extension_count",
    "status", "latest_progress", "version", "target", "deadline_precision", "deadline_period",
    "original_deadline_text",
]  # fmt: skip
_IDS = ["source", "origin", "lead_unit", "leader", "owner"]
_DATES = ["deadline_date", "closed_on", "next_review_date"]


def bare_task(request, pk):
    try:
        signed_in = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        signed_in = None
    if signed_in is None:
        return JsonResponse({"detail": "unauthorised"}, status=401)
    task = (
        Task.objects.restrict(signed_in[0])
        .select_related("lead_unit", "origin__category")
        .prefetch_related("partner_units", "partner_groups")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        return JsonResponse({"detail": "not found"}, status=404)
    data = {name: getattr(task, name) for name in _PLAIN}
    data |= {name: getattr(task, f"{name}_id") for name in _IDS}
    data |= {name: (value.isoformat() if (value := getattr(task, name)) else None) for name in _DATES}
    origin = task.origin
    data |= {
        "status": str(task.status),
        "lead_unit_name": task.lead_unit.name,
        "needs_date": task.needs_date,
        "schedule": task.schedule,
        "light": task.light,
        "origin_kind": origin.kind if origin else "",
        "origin_text": origin.text if origin else "",
        "category": origin.category.name if origin and origin.category else "",
        "partner_units": [u.pk for u in task.partner_units.all()],
        "partner_groups": [g.pk for g in task.partner_groups.all()],
    }
    return JsonResponse(data)


urlpatterns = [path("bare/tasks/<int:pk>/", bare_task), path("", include("taizhang.urls"))]
handler400 = "taizhang.core.api.bad_request"
handler500 = "taizhang.core.api.server_error"
