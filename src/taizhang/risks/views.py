"""The risk register's pages: the register (filters, htmx, 200 a page), the heat map, a risk's page with
its assessments, reviews, disposal tasks and history, the forms of each step, the matrix."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from taizhang.core import timeline
from taizhang.core.audit import history
from taizhang.core.errors import Conflict
from taizhang.core.filtering import filtered_page
from taizhang.core.permissions import EXPORT, MANAGE_LEDGER, REPORT_PROGRESS, grants, unrestricted
from taizhang.org.views import _attach_errors
from taizhang.risks import actions, steps
from taizhang.risks.filters import RiskFilter
from taizhang.risks.forms import AssessmentForm, NoteForm, ReviewForm, RiskForm
from taizhang.risks.matrix import COLOUR, LEVELS, Level, assess
from taizhang.risks.models import AssessmentKind, Risk, RiskStatus
from taizhang.tasks.forms import TaskForm
from taizhang.tasks.models import DONE, Schedule, today
from taizhang.tasks.views_edit import _unreadable, _warn_unreadable

REGISTER_PAGE = 200


def scoped_risks(user):
    return Risk.objects.restrict(user).select_related("origin__category", "unit", "review_task", "matrix")


def may_identify(user) -> bool:
    return grants(user, REPORT_PROGRESS) and (unrestricted(user) or user.scope != "own")


@login_required
def register(request):
    filterset = RiskFilter(request.GET, queryset=scoped_risks(request.user), request=request)
    rows = filtered_page(filterset).order_by("-score", "origin__position", "pk")
    page = Paginator(rows, REGISTER_PAGE).get_page(request.GET.get("page"))
    # the engine's rule for one row in memory (the review task is selected with the risk)
    overdue = {r.pk for r in page if r.review_task and r.review_task.schedule_on() == Schedule.OVERDUE}
    context = {
        "filter": filterset,
        "page": page,
        "overdue": overdue,
        "colour": COLOUR,
        "can_identify": may_identify(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "risks/_register_table.html" if request.htmx else "risks/register.html", context)


def heat_cells(user) -> dict:
    """Open risks in scope assessed on the organisation's matrix family: (likelihood, impact) → count,
    each cell with the level its matrix gives it and the register's link (the same filter counts them)."""
    matrix = actions.default_matrix_if_any()
    if matrix is None:
        return {"matrix": None, "cells": [], "likelihood": [], "impact": []}
    rows = (
        Risk.objects.restrict(user)
        .filter(
            status__in=[RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.DISPOSING], matrix__family=matrix.family
        )
        .order_by()
        .values("likelihood", "impact")
        .annotate(n=Count("pk"))
    )
    counts = {(r["likelihood"], r["impact"]): r["n"] for r in rows}
    cells = []
    for lk in range(1, len(matrix.config["likelihood"]) + 1):
        for im in range(1, len(matrix.config["impact"]) + 1):
            level = assess(matrix.scheme, matrix.config, lk, im)[1]
            query = urlencode({"likelihood": lk, "impact": im, "status": "open", "family": matrix.family})
            cells.append(
                {"l": lk, "i": im, "n": counts.get((lk, im), 0), "level": level, "colour": COLOUR[level], "link": query}
            )
    return {
        "matrix": matrix,
        "cells": cells,
        "likelihood": matrix.config["likelihood"],
        "impact": matrix.config["impact"],
    }


@login_required
def heatmap(request):
    data = heat_cells(request.user)
    by_level = Counter()
    for cell in data["cells"]:
        by_level[cell["level"]] += cell["n"]
    data["levels"] = [{"level": lv, "label": Level(lv).label, "colour": COLOUR[lv], "n": by_level[lv]} for lv in LEVELS]
    chart = {
        "cells": [[c["i"] - 1, c["l"] - 1, c["n"], c["colour"], c["link"]] for c in data["cells"]],
        "likelihood": data["likelihood"],
        "impact": data["impact"],
    }
    return render(request, "risks/heatmap.html", data | {"chart": chart})


def _risk_context(request, risk, bound=None) -> dict:
    matrix = risk.matrix if risk.matrix and risk.matrix.current else actions.matrix_for_forms()
    version = {"version": risk.version}
    user = request.user
    forms = {}
    if matrix is not None:
        forms["assess_form"] = AssessmentForm(initial=version, matrix=matrix)
        forms["review_form"] = ReviewForm(initial=version | {"date": today()}, matrix=matrix)
    forms["note_form"] = NoteForm(initial=version)
    forms |= bound or {}
    disposal = list(actions.disposal_tasks(risk).select_related("lead_unit").order_by("pk"))
    return {
        "risk": risk,
        "matrix": matrix,
        "assessments": risk.assessments.select_related("assessed_by__unit", "assessed_by__person", "matrix"),
        "reviews": risk.reviews.select_related("recorded_by__unit", "recorded_by__person", "assessment"),
        "disposal": disposal,
        "review_due": risk.review_task if risk.review_task and risk.review_task.status not in DONE else None,
        "events": timeline.entries(history(risk)),
        "colour": COLOUR,
        "can_edit": actions.may_edit(user, risk),
        "can_decide": actions.may_decide(user, risk),
        "can_dispose": grants(user, MANAGE_LEDGER)
        and actions.may_edit(user, risk)
        and risk.status != RiskStatus.IDENTIFIED,
        "can_reopen": grants(user, MANAGE_LEDGER) and not risk.is_open and actions.may_decide(user, risk),
        "can_clear": risk.status == RiskStatus.DISPOSING and actions.may_decide(user, risk),
        "residual_kind": AssessmentKind.RESIDUAL,
        **forms,
    }


@login_required
def risk_detail(request, pk):
    risk = get_object_or_404(scoped_risks(request.user), pk=pk)
    return render(request, "risks/risk_detail.html", _risk_context(request, risk))


@login_required
def risk_edit(request, pk=None):
    risk = get_object_or_404(scoped_risks(request.user), pk=pk) if pk else None
    if risk is None and not may_identify(request.user):
        raise PermissionDenied
    if risk is not None and not actions.may_edit(request.user, risk):
        raise PermissionDenied
    initial = {}
    if risk:
        o = risk.origin
        initial = {
            "text": o.text,
            "category": o.category_id,
            "number": o.number,
            "unit": risk.unit_id,
            "version": risk.version,
        }
        initial |= {f: getattr(risk, f) for f in ("forms", "posts", "controls", "owner_text", "leader_text")}
        initial |= {"owner": risk.owner_id, "leader": risk.leader_id}
    form = RiskForm(request.POST or None, initial=initial, editor=request.user, editing=risk is not None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        new_area = data.pop("new_category", "").strip() if "new_category" in data else ""
        try:
            if new_area:
                data["category"] = actions.ensure_area(new_area, by=request.user)
            saved = actions.save_risk(risk, data, by=request.user, version=version)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, _("Saved."))
            return redirect("risks:detail", pk=saved.pk)
    title = _("Edit the risk") if risk else _("Identify a risk")
    return render(request, "form_page.html", {"form": form, "title": title, "back": reverse("risks:register")})


def _step(request, pk, form_name, make_form, run):
    page = steps.Page(scoped_risks, "risks:detail", "risks/risk_detail.html", _risk_context)
    return steps.take(request, page, pk, form_name, make_form, run)


def _matrix_for(risk):
    return risk.matrix if risk.matrix and risk.matrix.current else actions.default_matrix()


@login_required
def risk_assess(request, pk):
    def run(risk, data):
        version = data.pop("version")
        made = actions.assess(risk, data, by=request.user, version=version)
        return _("Assessed: %(level)s (score %(score)s).") % {"level": made.get_level_display(), "score": made.score}

    return _step(request, pk, "assess_form", lambda r: AssessmentForm(request.POST, matrix=_matrix_for(r)), run)


@login_required
def risk_review(request, pk):
    def run(risk, data):
        version = data.pop("version")
        review = actions.record_review(risk, data, by=request.user, version=version)
        nxt = Risk.objects.get(pk=risk.pk).review_task
        return _("Review recorded; the next is due on %(date)s.") % {"date": nxt.deadline_date} if nxt else str(review)

    return _step(request, pk, "review_form", lambda r: ReviewForm(request.POST, matrix=_matrix_for(r)), run)


@login_required
def risk_clear(request, pk):
    def run(risk, data):
        actions.clear(risk, by=request.user, note=data["note"], version=data["version"])
        return _("The risk is cleared (清零).")

    return _step(request, pk, "note_form", lambda r: NoteForm(request.POST), run)


@login_required
def risk_close(request, pk):
    def run(risk, data):
        actions.close(risk, by=request.user, reason=data["note"], version=data["version"])
        return _("The risk is closed.")

    return _step(request, pk, "note_form", lambda r: NoteForm(request.POST), run)


@login_required
def risk_reopen(request, pk):
    def run(risk, data):
        actions.reopen(risk, by=request.user, reason=data["note"], version=data["version"])
        return _("The risk is open again.")

    return _step(request, pk, "note_form", lambda r: NoteForm(request.POST), run)


@login_required
def risk_dispose(request, pk):
    """A disposal task for the risk: the engine's task form, its origin fixed to the risk."""
    risk = get_object_or_404(scoped_risks(request.user), pk=pk)
    if not grants(request.user, MANAGE_LEDGER) or not actions.may_edit(request.user, risk):
        raise PermissionDenied
    source = risk.origin.source
    form = TaskForm(request.POST or None, initial={"lead_unit": risk.unit_id}, source=source, editor=request.user)
    del form.fields["origin"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        accept_unread = data.pop("accept_unread")
        if _unreadable(data["deadline"], source) and not accept_unread:
            return _warn_unreadable(request, form, source)
        try:
            task = actions.add_disposal(risk, data, by=request.user)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Disposal task added; the risk is being disposed of."))
            return redirect("tasks:detail", pk=task.pk)
    context = {"form": form, "title": _("Add a disposal task"), "back": reverse("risks:detail", args=[risk.pk])}
    return render(request, "form_page.html", context)


def register_bytes(user, what: str, issuer: str = "") -> tuple[bytes, str]:
    """The register as `user` sees it: exported (xlsx), or its report (风险防控工作情况报告) as docx or pdf
    (pdf.ConverterMissing without LibreOffice). One writer for the plain addresses and the job."""
    import io

    from taizhang.core.downloads import XLSX
    from taizhang.documents import pdf
    from taizhang.org.models import Unit
    from taizhang.risks.export import write_register
    from taizhang.risks.report import build

    buffer = io.BytesIO()
    if what == "export":
        write_register(buffer, user=user)
        return buffer.getvalue(), XLSX
    if not issuer:
        root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
        issuer = root.name if root else ""
    build(user, on=today(), issuer=issuer).save(buffer)
    if what == "pdf":
        return pdf.docx_to_pdf(buffer.getvalue()), "application/pdf"
    return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


PDF_MISSING = gettext_lazy("PDF needs LibreOffice on the server: choose Word (.docx), or ask the administrator.")


@login_required
def register_export(request):
    from taizhang.core.downloads import attachment

    if not grants(request.user, EXPORT):
        raise PermissionDenied
    content, content_type = register_bytes(request.user, "export")
    return attachment(content, f"风险防控台账-{today():%Y%m%d}.xlsx", content_type)


@login_required
def register_report(request):
    """风险防控工作情况报告 (docx, or PDF with ?format=pdf), from the register within the reader's scope."""
    from taizhang.core.downloads import attachment
    from taizhang.documents import pdf
    from taizhang.risks.report import TITLE

    if not grants(request.user, EXPORT):
        raise PermissionDenied
    what = "pdf" if request.GET.get("format") == "pdf" else "docx"
    try:
        content, content_type = register_bytes(request.user, what, (request.GET.get("issuer") or "").strip()[:200])
    except pdf.ConverterMissing:
        messages.error(request, str(PDF_MISSING))
        return redirect("risks:register")
    return attachment(content, f"{TITLE}.{what}", content_type)


@require_POST
@login_required
def register_file(request):
    """The register page's export and report, made by the queue's worker (a provincial register holds
    hundreds of thousands of risks) and offered on the job's page; the plain addresses above still
    answer scripts at once."""
    from taizhang.core import jobs
    from taizhang.risks.report import TITLE

    if not grants(request.user, EXPORT):
        raise PermissionDenied
    what = request.POST.get("what", "export")
    if what not in ("export", "docx", "pdf"):
        raise Http404
    title = f"风险防控台账-{today():%Y%m%d}.xlsx" if what == "export" else f"{TITLE}.{what}"
    job = jobs.start(
        "risks.file", by=request.user, title=title, params={"what": what}, back_url=reverse("risks:register")
    )
    return redirect("job", uid=job.uid)


def make_file(job, user, progress):
    """The register exported, or its report written, as `user` sees the register (core/jobs.py)."""
    from taizhang.core import jobs
    from taizhang.documents import pdf

    try:
        return jobs.Made(*register_bytes(user, job.params["what"]))
    except pdf.ConverterMissing as exc:
        raise ValidationError(str(PDF_MISSING)) from exc
