"""The matrix page: the organisation's scheme and any other (a campaign may choose one: another 5 × 5,
or LEC), each family's versions, and, for an administrator or an office of the whole organisation,
the form that edits one (a version in use is frozen: saving makes the next) or starts another."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from taizhang.core.errors import Conflict
from taizhang.core.permissions import MANAGE_LEDGER, MANAGE_SYSTEM, grants, unrestricted
from taizhang.org.views import _attach_errors
from taizhang.risks import actions
from taizhang.risks import matrix as schemes
from taizhang.risks.forms import LecForm, MatrixForm, NewSchemeForm
from taizhang.risks.matrix import COLOUR, Scheme
from taizhang.risks.models import RiskMatrix

FORM_OF = {Scheme.MATRIX: MatrixForm, Scheme.LEC: LecForm}


def may_edit_matrix(user) -> bool:
    return unrestricted(user) and (grants(user, MANAGE_SYSTEM) or grants(user, MANAGE_LEDGER))


def _chosen(request) -> RiskMatrix | None:
    """The family asked for (?family=), else the organisation's; None before anything was assessed."""
    family = request.GET.get("family")
    if not family:
        return actions.default_matrix_if_any()
    found = RiskMatrix.objects.filter(family=family[:40], current=True).first()
    if found is None:
        raise Http404
    return found


def _page_url(matrix: RiskMatrix) -> str:
    return reverse("risks:matrix") + ("" if matrix.is_default else "?" + urlencode({"family": matrix.family}))


def level_grid(matrix: RiskMatrix) -> dict:
    """A 5 × 5 family's cells with the level and colour each gives (for LEC: its three lists instead)."""
    config = matrix.config
    if matrix.scheme != Scheme.MATRIX:
        return {"lec": [(axis, config[axis]) for axis in ("likelihood", "exposure", "consequence")]}
    cells = []
    for lk in range(1, len(config["likelihood"]) + 1):
        for im in range(1, len(config["impact"]) + 1):
            level = schemes.assess(matrix.scheme, config, lk, im)[1]
            cells.append({"l": lk, "i": im, "colour": COLOUR[level]})
    return {"cells": cells, "likelihood": config["likelihood"], "impact": config["impact"]}


def _edit_form(request, matrix: RiskMatrix | None):
    scheme = matrix.scheme if matrix else Scheme.MATRIX
    config = matrix.config if matrix else schemes.default_config(scheme)
    name = matrix.name if matrix else str(Scheme(scheme).label)
    form_class = FORM_OF[scheme]
    data = request.POST if request.method == "POST" and "new_scheme" not in request.POST else None
    return form_class(data, initial=form_class.initial_of(name, config, actions.REVIEW_MONTHS))


def _save(request, matrix, form):
    try:
        data = {"name": form.cleaned_data["name"], "config": form.config()}
        saved = actions.save_matrix(matrix or actions.default_matrix(), data, by=request.user)
    except ValidationError as exc:
        _attach_errors(form, exc)
    except (PermissionDenied, Conflict) as exc:
        form.add_error(None, str(exc))
    else:
        messages.success(request, _("Saved as version %(v)d.") % {"v": saved.version})
        return redirect(_page_url(saved))
    return None


def _start(request, new_form):
    scheme = new_form.cleaned_data["scheme"]
    data = {"scheme": scheme, "name": new_form.cleaned_data["name"], "config": schemes.default_config(scheme)}
    try:
        made = actions.save_matrix(None, data, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        new_form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        return None
    messages.success(request, _("Scheme %(name)s started with the default scales: edit them below.") % {"name": made})
    return redirect(_page_url(made))


@login_required
def matrix_page(request):
    matrix = _chosen(request)
    editor = may_edit_matrix(request.user)
    if request.method == "POST" and not editor:
        raise PermissionDenied
    form = _edit_form(request, matrix) if editor else None
    new_form = NewSchemeForm(request.POST if "new_scheme" in request.POST else None) if editor else None
    if request.method == "POST":
        if new_form.is_bound:
            done = _start(request, new_form) if new_form.is_valid() else None
        else:
            done = _save(request, matrix, form) if form.is_valid() else None
        if done:
            return done
    families = RiskMatrix.objects.filter(current=True).order_by("-is_default", "family")
    versions = RiskMatrix.objects.filter(family=matrix.family) if matrix else RiskMatrix.objects.none()
    context = {
        "matrix": matrix,
        "form": form,
        "new_form": new_form,
        "families": [(m, _page_url(m)) for m in families],
        "versions": versions,
        "grid": level_grid(matrix or actions.matrix_for_forms()),
    }
    return render(request, "risks/matrix.html", context)
