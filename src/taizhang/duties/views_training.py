"""Training: the list, recording a session (phone-usable), its page with its attendees, the attendance
sheet's import and counting it for an item; and the year's hours per person and per unit."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from taizhang.core import timeline
from taizhang.core.audit import history
from taizhang.core.filtering import filtered_page
from taizhang.core.forms import unit_options
from taizhang.duties import actions, training
from taizhang.duties.filters import TrainingFilter
from taizhang.duties.forms import AttendanceForm, CountForm, LayerForm, TrainingForm, minuting_units
from taizhang.duties.models import Training, TrainingLayer
from taizhang.duties.pages import count_record, form_page
from taizhang.org.models import Unit
from taizhang.org.views import _attach_errors

PAGE = 100


def scoped_trainings(user):
    return Training.objects.restrict(user).select_related("layer", "unit")


@login_required
def training_list(request):
    filterset = TrainingFilter(request.GET, queryset=scoped_trainings(request.user), request=request)
    page = Paginator(filtered_page(filterset).order_by("-date", "-pk"), PAGE).get_page(request.GET.get("page"))
    can_record = minuting_units(request.user).exists()
    return render(request, "duties/training_list.html", {"filter": filterset, "page": page, "can_record": can_record})


@login_required
def training_new(request):
    if not minuting_units(request.user).exists():
        raise PermissionDenied

    def run(data):
        made = training.record_training(data, by=request.user)
        messages.success(request, _("Training recorded: import its attendance sheet if you have one."))
        return redirect("duties:training", pk=made.pk)

    form = TrainingForm(request.POST or None, editor=request.user)
    return form_page(request, form, run, title=_("Record a training"), back=reverse("duties:trainings"))


@login_required
def training_detail(request, pk, attendance_form=None, unknown=()):
    record = get_object_or_404(scoped_trainings(request.user), pk=pk)
    may = actions.may_minute(request.user, record.unit)
    items = list(actions.countable_items(record)) if may else []
    context = {
        "training": record,
        "attendees": record.attendees.select_related("unit").order_by("unit__path", "name"),
        "attendance_form": (attendance_form or AttendanceForm()) if may else None,
        "unknown": unknown,
        "count_form": CountForm(items=items) if items else None,
        "counted": record.links.select_related("task").order_by("task__deadline_date"),
        "events": timeline.entries(history(record)),
    }
    return render(request, "duties/training_detail.html", context)


def _post_record(request, pk):
    if request.method != "POST":
        return None, HttpResponseNotAllowed(["POST"])
    record = get_object_or_404(scoped_trainings(request.user), pk=pk)
    if not actions.may_minute(request.user, record.unit):
        raise PermissionDenied
    return record, None


@login_required
def attendance_import(request, pk):
    record, refused = _post_record(request, pk)
    if refused:
        return refused
    form = AttendanceForm(request.POST, request.FILES)
    if not form.is_valid():
        return training_detail(request, pk, attendance_form=form)
    try:
        added, unknown = training.import_attendance(record, form.cleaned_data["file"], by=request.user)
    except ValidationError as exc:
        _attach_errors(form, exc)
        return training_detail(request, pk, attendance_form=form)
    messages.success(request, _("%(n)d attendees added from the sheet.") % {"n": len(added)})
    if unknown:
        messages.warning(
            request, _("Not added, as no one in your scope has the name: %(rows)s") % {"rows": "；".join(unknown)}
        )
    return redirect("duties:training", pk=pk)


@login_required
def training_count(request, pk):
    record, refused = _post_record(request, pk)
    if refused:
        return refused
    said = _("Counted: %(task)s is done, this training its record.")
    return count_record(request, record, actions.count_training, page="duties:training", said=said)


@login_required
def training_hours(request):
    """The year's hours per person (by layer, against the layer's requirement) and per unit."""
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else dt.date.today().year
    units = Unit.objects.restrict(request.user).filter(is_active=True).order_by("path")
    asked = request.GET.get("unit", "")
    unit = units.filter(pk=asked).first() if asked.isdigit() else None
    data = training.hours(year, request.user, units=[unit] if unit else None)
    context = {"year": year, "unit_options": unit_options(units, unit), "unit": unit, **data}
    return render(request, "duties/training_hours.html", context)


def _layers_page(request, form=None, failed=None):
    rows = [
        (layer, LayerForm(initial=_layer_data(layer), prefix=f"l{layer.pk}")) for layer in TrainingLayer.objects.all()
    ]
    if failed is not None:
        rows = [(layer, failed[1] if layer.pk == failed[0] else f) for layer, f in rows]
    for layer, f in rows:  # a row's inputs sit in its cells, owned by the row's form (the `form` attribute)
        for field in f.fields.values():
            field.widget.attrs["form"] = f"layer-{layer.pk}"
    context = {
        "rows": rows,
        "form": form or LayerForm(prefix="new"),
        "can_edit": training.may_edit_layers(request.user),
    }
    return render(request, "duties/layers.html", context)


def _layer_data(layer) -> dict:
    return {"name": layer.name, "required_hours": layer.required_hours, "position": layer.position}


def _save_layer(request, layer, form):
    """Run the action on a valid form; the form as typed, with the reason, when it is refused."""
    if not form.is_valid():
        return False
    try:
        training.save_layer(layer, form.cleaned_data, by=request.user)
    except ValidationError as exc:
        _attach_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return False
    return True


@login_required
def layers(request):
    """The training layers and the hours a year each requires: everyone reads them, an office of all units sets them."""
    if request.method != "POST":
        return _layers_page(request)
    if not training.may_edit_layers(request.user):
        raise PermissionDenied
    form = LayerForm(request.POST, prefix="new")
    if _save_layer(request, None, form):
        messages.success(request, _("Layer added."))
        return redirect("duties:layers")
    return _layers_page(request, form=form)


@login_required
def layer_edit(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not training.may_edit_layers(request.user):
        raise PermissionDenied
    layer = get_object_or_404(TrainingLayer, pk=pk)
    form = LayerForm(request.POST, prefix=f"l{layer.pk}")
    if _save_layer(request, layer, form):
        messages.success(request, _("Layer saved: the hours totals follow it."))
        return redirect("duties:layers")
    messages.error(request, _("The layer was not saved: see the reasons beside the fields."))
    return _layers_page(request, failed=(layer.pk, form))
