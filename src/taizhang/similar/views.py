"""The office's list of repeat findings (屡查屡犯) to confirm or dismiss, and the decision itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core.filtering import filtered_page
from taizhang.core.redirects import safe_next
from taizhang.similar import actions, figures
from taizhang.similar.filters import RepeatFlagFilter
from taizhang.similar.forms import DecideForm
from taizhang.similar.models import RepeatFlag


@login_required
def repeat_list(request):
    flags = RepeatFlag.objects.restrict(request.user)
    filterset = RepeatFlagFilter(request.GET or None, queryset=flags, request=request)
    rows = (
        filtered_page(filterset)
        .select_related(
            "earlier__source", "later__source", "earlier__found_in", "later__found_in", "decided_by__person"
        )
        .select_related("later__source__inspected_unit", "earlier__source__inspected_unit")
        .order_by("status", "-later__source__feedback_date", "-score", "pk")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    shown = filtered_page(filterset)
    context = {
        "filter": filterset,
        "page": page,
        "rows": [(f, actions.may_decide(request.user, f)) for f in page.object_list],
        "decide_form": DecideForm(),
        "confirmed": figures.findings_in(shown),
    }
    return render(request, "similar/repeat_list.html", context)


@login_required
@require_POST
def repeat_decide(request, pk):
    flag = get_object_or_404(RepeatFlag.objects.restrict(request.user).select_related("earlier", "later"), pk=pk)
    form = DecideForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    try:
        if not form.is_valid():
            raise ValidationError("；".join(e for errors in form.errors.values() for e in errors))
        actions.decide(flag, by=request.user, confirm=confirm, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            _("Confirmed as a repeat finding.") if confirm else _("The flag was dismissed; it stays dismissed."),
        )
    return safe_next(request, reverse("rectification:finding", args=[flag.later_id]))
