"""The responsibility system's pages: a unit's year (its items with their occurrences lit, its
meetings and their decisions), the lists with the office's units × items matrix, and the forms that
issue a list, add an item and copy a list into the next year."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from taizhang.core.filtering import filtered_page
from taizhang.core.forms import unit_options
from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.duties import actions, progress
from taizhang.duties.filters import DutyListFilter
from taizhang.duties.forms import InclusionsForm, ItemForm, LettersForm, ListForm, SignForm
from taizhang.duties.models import DutyList, Letter, ListKind, Meeting, RecordLink
from taizhang.duties.pages import form_page
from taizhang.org.models import Unit
from taizhang.org.views import _attach_errors
from taizhang.tasks.actions import OPEN
from taizhang.tasks.models import Light, Task


def _year(request) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else dt.date.today().year


@login_required
def year_view(request):
    """A unit's year: every item asked of it with its occurrences, its meetings and their decisions."""
    user, year = request.user, _year(request)
    units = Unit.objects.restrict(user).filter(is_active=True).order_by("path")
    asked = request.GET.get("unit", "")
    unit = units.filter(pk=asked).first() if asked.isdigit() else None
    unit = unit or units.filter(pk=user.unit_id).first() or units.first()
    found = progress.year_of(unit, year, user) if unit is not None else progress.year_of_nothing()
    context = {
        "year": year,
        "unit": unit,
        "units": units,
        "unit_options": unit_options(units, unit),
        **found,
        "can_minute": unit is not None and actions.may_minute(user, unit),
        "can_issue": grants(user, MANAGE_LEDGER),
    }
    return render(request, "duties/year.html", context)


@login_required
def list_index(request):
    filterset = DutyListFilter(request.GET, queryset=DutyList.objects.restrict(request.user), request=request)
    rows = filtered_page(filterset).select_related("source").order_by("-year", "source__title")
    context = {"filter": filterset, "lists": rows, "can_issue": grants(request.user, MANAGE_LEDGER)}
    return render(request, "duties/list_index.html", context)


@login_required
def list_new(request):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied

    def run(data):
        made = actions.issue_list(data, by=request.user)
        messages.success(request, _("The list is issued; add its items."))
        return redirect("duties:list", pk=made.pk)

    form = ListForm(request.POST or None, editor=request.user)
    return form_page(request, form, run, title=_("Issue a responsibility list"), back=reverse("duties:lists"))


@login_required
def inclusions_new(request):
    """The year's 四纳入 · 四同 checklist for a set of units: eight items, each a task of every unit."""
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied

    def run(data):
        made = actions.issue_inclusions(data["year"], data["units"], by=request.user, deadline=data["deadline"])
        messages.success(request, _("Issued: eight items for each of %(n)d units.") % {"n": len(data["units"])})
        return redirect("duties:list", pk=made.pk)

    form = InclusionsForm(request.POST or None, editor=request.user)
    return form_page(request, form, run, title=_("Issue the four inclusions checklist"), back=reverse("duties:lists"))


@login_required
def letters_new(request):
    """The year's responsibility letters for a set of units: a signing task each, chased until signed."""
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied

    def run(data):
        units = data["units"]
        made = actions.issue_letters(
            data["year"], units, by=request.user, subject=data["subject"], deadline=data["deadline"]
        )
        messages.success(request, _("Letters issued to %(n)d units; each signing is chased.") % {"n": len(units)})
        return redirect("duties:list", pk=made.pk)

    form = LettersForm(request.POST or None, editor=request.user)
    return form_page(request, form, run, title=_("Issue responsibility letters"), back=reverse("duties:lists"))


def _letter_task(request, task_pk):
    task = get_object_or_404(Task.objects.restrict(request.user).select_related("source", "lead_unit"), pk=task_pk)
    if not actions.is_letter_task(task):
        raise Http404
    return task


@login_required
def letter(request, task_pk):
    """A unit's letter: signed (who, when, the scan), or the form that records it."""
    task = _letter_task(request, task_pk)
    signed = Letter.objects.filter(task=task).first()
    may = signed is None and actions.may_minute(request.user, task.lead_unit)
    form = SignForm(request.POST or None, request.FILES or None) if may else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.sign_letter(task, data, by=request.user, scan=data["scan"])
            except ValidationError as exc:
                _attach_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The signed letter is recorded; the signing is done."))
                return redirect("duties:letter", task_pk=task.pk)
    context = {"task": task, "letter": signed, "form": form, "duty_list": DutyList.objects.get(pk=task.source_id)}
    return render(request, "duties/letter.html", context)


@login_required
def letter_scan(request, task_pk):
    from django.http import FileResponse

    from taizhang.core import files

    signed = get_object_or_404(Letter, task=_letter_task(request, task_pk))
    return FileResponse(files.open_stored(signed.scan), as_attachment=True, filename=signed.scan_name)


def manages_list(user, duty_list) -> bool:
    from taizhang.tasks.origins import Source

    return grants(user, MANAGE_LEDGER) and Source.objects.managed_by(user).filter(pk=duty_list.pk).exists()


@login_required
def list_detail(request, pk, item_form=None):
    duty_list = get_object_or_404(DutyList.objects.restrict(request.user).select_related("source"), pk=pk)
    manages = manages_list(request.user, duty_list)
    takes_items = duty_list.kind == ListKind.LIST  # the letters and the 四纳入 have their fixed items
    if manages and takes_items and item_form is None:
        item_form = ItemForm(editor=request.user, duty_list=duty_list)
    matrix = progress.list_matrix(duty_list, request.user, page=request.GET.get("page") or 1)
    unsigned = []
    if duty_list.kind == ListKind.LETTERS:  # who has not signed, lit, each a link to its letter
        waiting = Task.objects.restrict(request.user).filter(source_id=duty_list.pk, status__in=OPEN)
        unsigned = list(waiting.select_related("lead_unit").order_by("lead_unit__path"))
    context = {
        "duty_list": duty_list,
        "matrix": matrix,
        "matrix_body": matrix_body(matrix["rows"], duty_list.year),
        "unsigned": unsigned,
        "item_form": item_form if manages and takes_items else None,
        "can_manage": manages,
    }
    return render(request, "duties/list_detail.html", context)


@login_required
def item_add(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    duty_list = get_object_or_404(DutyList.objects.restrict(request.user), pk=pk)
    if not manages_list(request.user, duty_list):
        raise PermissionDenied
    form = ItemForm(request.POST, editor=request.user, duty_list=duty_list)
    if form.is_valid():
        try:
            item = actions.add_item(duty_list, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            n = Task.objects.filter(origin_id=item.pk).count()
            messages.success(request, _("Item added: %(n)d occurrences assigned to the units.") % {"n": n})
            return redirect("duties:list", pk=pk)
    messages.error(request, _("The item was not added: see the reasons beside the fields."))
    return list_detail(request, pk, item_form=form)


@login_required
def list_copy(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    duty_list = get_object_or_404(DutyList.objects.restrict(request.user), pk=pk)
    if not manages_list(request.user, duty_list):
        raise PermissionDenied
    try:
        made = actions.copy_list(duty_list, duty_list.year + 1, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("duties:list", pk=pk)
    messages.success(request, _("Copied into %(year)d with its items and their occurrences.") % {"year": made.year})
    return redirect("duties:list", pk=made.pk)


@login_required
def task_record(request, task_pk):
    """From an occurrence's task page: the meeting counted as its record, else the unit's year."""
    task = get_object_or_404(Task.objects.restrict(request.user).select_related("source"), pk=task_pk)
    if actions.is_letter_task(task):
        return redirect("duties:letter", task_pk=task.pk)
    link = RecordLink.objects.filter(task=task).select_related("meeting").first()
    if link and Meeting.objects.restrict(request.user).filter(pk=link.meeting_id).exists():
        return redirect("duties:meeting", pk=link.meeting_id)
    year = task.deadline_date.year if task.deadline_date else dt.date.today().year
    return redirect(f"{reverse('duties:year')}?unit={task.lead_unit_id}&year={year}")


@login_required
def calendar_page(request):
    from taizhang.duties import calendar

    return render(request, "duties/calendar.html", {"url": calendar.feed_url(request.user)})


def calendar_feed(request, token):
    """The feed a calendar app fetches: no session, the signed token names the user (404 when stale)."""
    from django.http import HttpResponse

    from taizhang.duties import calendar

    user = calendar.user_of(token)
    if user is None or request.method != "GET":
        raise Http404
    response = HttpResponse(calendar.feed(user, dt.date.today()), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=600"
    return response


def matrix_body(rows, year: int) -> str:
    """The matrix's table body written in Python: 100 units × 30 items are 3,000 cells, and the template
    engine spent twice the page's queries on them. Names are escaped; everything else is a number or a
    light's own value."""
    labels = {light: str(Light(light).label) for light in Light.values}
    base = reverse("duties:year")
    out = []
    for unit, cells in rows:
        name = escape(unit.name)
        out.append(
            f'<tr data-unit="{name}"><th class="text-start text-nowrap">'
            f'<a href="{base}?unit={int(unit.pk)}&amp;year={int(year)}">{name}</a></th>'
        )
        for c in cells:
            if c.total:
                light = f'<span class="light light-{c.light}" role="img" aria-label="{labels.get(c.light, "")}"></span>'
                out.append(f'<td data-light="{c.light}">{light} {int(c.done)}/{int(c.total)}</td>')
            else:
                out.append(f'<td data-light="{c.light}">—</td>')
        out.append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 - names escaped, the rest numbers and lights
