"""Meetings: the list, minuting one (phone-usable: the liaison records it on the day), its page with
its decisions as tasks, the form that adds a decision, and counting it for an item's occurrence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.core import files, timeline
from taizhang.core.audit import history
from taizhang.core.filtering import filtered_page
from taizhang.duties import actions
from taizhang.duties.filters import MeetingFilter
from taizhang.duties.forms import CountForm, DecisionForm, MeetingForm, minuting_units
from taizhang.duties.models import Body, BodyKind, Meeting, MeetingKind
from taizhang.duties.pages import count_record, form_page
from taizhang.org.views import _attach_errors
from taizhang.tasks.models import Task

PAGE = 100


def scoped_meetings(user):
    return Meeting.objects.restrict(user).select_related("origin", "unit", "body")


@login_required
def meeting_list(request):
    filterset = MeetingFilter(request.GET, queryset=scoped_meetings(request.user), request=request)
    page = Paginator(filtered_page(filterset).order_by("-date", "-pk"), PAGE).get_page(request.GET.get("page"))
    can_minute = minuting_units(request.user).exists()
    return render(request, "duties/meeting_list.html", {"filter": filterset, "page": page, "can_minute": can_minute})


@login_required
def meeting_new(request):
    if not minuting_units(request.user).exists():
        raise PermissionDenied

    def run(data):
        made = actions.record_meeting(data, by=request.user, minutes_file=data.get("minutes_file"))
        messages.success(request, _("Meeting recorded: add its decisions, each becomes a supervised task."))
        return redirect("duties:meeting", pk=made.pk)

    form = MeetingForm(request.POST or None, request.FILES or None, editor=request.user, initial=_of_body(request))
    return form_page(request, form, run, title=_("Record a meeting"), back=reverse("duties:meetings"))


def _of_body(request) -> dict:
    """A meeting of a working body (?body=, from its page): its kind, lead unit and representatives, ready."""
    wanted = request.GET.get("body", "")
    body = Body.objects.restrict(request.user).filter(pk=wanted).first() if wanted.isdigit() else None
    if body is None:
        return {}
    kind = MeetingKind.JOINT if body.kind == BodyKind.JOINT else MeetingKind.GROUP
    people = list(body.members.exclude(representative=None).values_list("representative", flat=True))
    return {"body": body.pk, "kind": kind, "unit": body.lead_unit_id, "attendees": people}


def _page(request, meeting, decision_form=None):
    user = request.user
    may = actions.may_minute(user, meeting.unit)
    items = list(actions.countable_items(meeting)) if may else []
    context = {
        "meeting": meeting,
        "decisions": actions.decisions(meeting).filter(pk__in=Task.objects.restrict(user).values("pk")),
        "counted": meeting.links.select_related("task__origin").order_by("task__deadline_date"),
        "decision_form": (decision_form or DecisionForm(editor=user, meeting=meeting)) if may else None,
        "count_form": CountForm(items=items) if items else None,
        "attendees": meeting.attendees.order_by("name"),
        "absences": meeting.absences.select_related("person"),
        "events": timeline.entries(history(meeting)),
    }
    return render(request, "duties/meeting_detail.html", context)


@login_required
def meeting_detail(request, pk):
    return _page(request, get_object_or_404(scoped_meetings(request.user), pk=pk))


@login_required
def decision_add(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    meeting = get_object_or_404(scoped_meetings(request.user), pk=pk)
    if not actions.may_minute(request.user, meeting.unit):
        raise PermissionDenied
    form = DecisionForm(request.POST, editor=request.user, meeting=meeting)
    if form.is_valid():
        try:
            task = actions.add_decision(meeting, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            words = {"unit": task.lead_unit.name, "date": task.deadline_text}
            messages.success(request, _("Decision added: a task for %(unit)s, due %(date)s.") % words)
            return redirect("duties:meeting", pk=pk)
    messages.error(request, _("The decision was not added: see the reasons beside the fields."))
    return _page(request, meeting, decision_form=form)


@login_required
def meeting_count(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    meeting = get_object_or_404(scoped_meetings(request.user), pk=pk)
    if not actions.may_minute(request.user, meeting.unit):
        raise PermissionDenied
    said = _("Counted: %(task)s is done, this meeting its record.")
    return count_record(request, meeting, actions.count_meeting, page="duties:meeting", said=said)


@login_required
def minutes_file(request, pk):
    meeting = get_object_or_404(scoped_meetings(request.user), pk=pk)
    if meeting.minutes_file is None:
        raise Http404
    return FileResponse(files.open_stored(meeting.minutes_file), as_attachment=True, filename=meeting.minutes_file_name)
