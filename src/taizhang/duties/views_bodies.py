"""Working groups and joint meetings: the list, setting one up, its page (member units and the people
they send, its rules, its meetings with their decisions), and the forms that change its members and rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taizhang.core import files, timeline
from taizhang.core.audit import history
from taizhang.core.errors import Conflict
from taizhang.core.filtering import filtered_page
from taizhang.core.permissions import MANAGE_LEDGER, Scope, grants, unrestricted
from taizhang.duties import bodies
from taizhang.duties.filters import BodyFilter
from taizhang.duties.forms import BodyForm, MemberForm, RulesForm, minuting_units
from taizhang.duties.models import Body
from taizhang.duties.pages import form_page
from taizhang.org.models import Unit
from taizhang.org.views import _attach_errors
from taizhang.tasks.models import Task


def scoped_bodies(user):
    return Body.objects.restrict(user).select_related("lead_unit")


def _may_set_up(user) -> bool:
    if not grants(user, MANAGE_LEDGER):
        return False
    return unrestricted(user) or (user.scope != Scope.OWN and Unit.objects.restrict(user, MANAGE_LEDGER).exists())


@login_required
def body_list(request):
    filterset = BodyFilter(request.GET, queryset=scoped_bodies(request.user), request=request)
    found = filtered_page(filterset).annotate(member_count=Count("members", distinct=True))
    context = {"bodies": found.order_by("name"), "filter": filterset, "can_set_up": _may_set_up(request.user)}
    return render(request, "duties/body_list.html", context)


@login_required
def body_new(request):
    if not _may_set_up(request.user):
        raise PermissionDenied

    def run(data):
        made = bodies.create_body(data, by=request.user, rules=data.get("rules"))
        messages.success(request, _("Working body set up: add its member units and their representatives."))
        return redirect("duties:body", pk=made.pk)

    form = BodyForm(request.POST or None, request.FILES or None, editor=request.user)
    return form_page(request, form, run, title=_("Set up a working body"), back=reverse("duties:bodies"))


def _page(request, body, member_form=None, rules_form=None):
    user = request.user
    runs = bodies.may_run(user, body)
    meetings = body.meetings.select_related("origin", "unit").order_by("-date", "-pk")
    decisions = Task.objects.restrict(user).filter(origin_id__in=meetings.values("pk")).select_related("lead_unit")
    context = {
        "body": body,
        "members": body.members.select_related("unit", "representative").order_by("unit__path"),
        "meetings": meetings,
        "decisions": decisions.order_by("deadline_date", "pk"),
        "member_form": (member_form or MemberForm(editor=user)) if runs else None,
        "rules_form": (rules_form or RulesForm()) if runs else None,
        "runs": runs,
        "can_minute": minuting_units(user).exists(),
        "events": timeline.entries(history(body)),
    }
    return render(request, "duties/body_detail.html", context)


@login_required
def body_detail(request, pk):
    return _page(request, get_object_or_404(scoped_bodies(request.user), pk=pk))


def _run_by(request, pk) -> Body:
    body = get_object_or_404(scoped_bodies(request.user), pk=pk)
    if not bodies.may_run(request.user, body):
        raise PermissionDenied
    return body


@login_required
@require_POST
def member_add(request, pk):
    body = _run_by(request, pk)
    form = MemberForm(request.POST, editor=request.user)
    if form.is_valid():
        try:
            member = bodies.add_member(body, form.cleaned_data, by=request.user, version=request.POST.get("version"))
        except ValidationError as exc:
            _attach_errors(form, exc)
        except (PermissionDenied, Conflict) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(unit)s is a member now.") % {"unit": member.unit.name})
            return redirect("duties:body", pk=body.pk)
    messages.error(request, _("The member was not added: see the reasons beside the fields."))
    return _page(request, body, member_form=form)


@login_required
@require_POST
def member_remove(request, pk):
    body = _run_by(request, pk)
    try:
        bodies.remove_member(
            body, int(request.POST.get("member") or 0), by=request.user, version=request.POST.get("version")
        )
    except (ValidationError, PermissionDenied, Conflict, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The member unit was removed."))
    return redirect("duties:body", pk=body.pk)


@login_required
@require_POST
def rules_upload(request, pk):
    body = _run_by(request, pk)
    form = RulesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            bodies.attach_rules(body, form.cleaned_data["rules"], by=request.user, version=request.POST.get("version"))
        except ValidationError as exc:
            _attach_errors(form, exc)
        except (PermissionDenied, Conflict) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The rules were attached."))
            return redirect("duties:body", pk=body.pk)
    messages.error(request, _("The rules were not attached: see the reasons beside the fields."))
    return _page(request, body, rules_form=form)


@login_required
def rules_file(request, pk):
    body = get_object_or_404(scoped_bodies(request.user), pk=pk)
    if body.rules is None:
        raise Http404
    return FileResponse(files.open_stored(body.rules), as_attachment=True, filename=body.rules_name)
