"""举一反三 pages: pushing a finding to units, the lesson's page (each unit's result), a unit's reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.org.views import _attach_errors
from taizhang.rectification import lessons
from taizhang.rectification.forms import LessonForm, ReplyForm
from taizhang.rectification.models import Finding, Lesson, LessonReply
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Source


@login_required
def lesson_push(request, pk):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied
    finding = get_object_or_404(Finding.objects.restrict(request.user), pk=pk)
    form = LessonForm(request.POST or None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lessons.push(finding, form.cleaned_data, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                form.add_error(None, str(exc))
            else:
                _attach_errors(form, exc)
        else:
            count = lesson.source.tasks.count()
            messages.success(request, _("Pushed to %(n)s units; each will report its self-check.") % {"n": count})
            return redirect("rectification:lesson", pk=lesson.pk)
    context = {"form": form, "title": _("Draw lessons (举一反三)"), "intro": finding.text}
    return render(request, "form_page.html", context)


@login_required
def lesson_detail(request, pk):
    source = get_object_or_404(Source.objects.restrict(request.user), pk=pk)
    lesson = get_object_or_404(Lesson.objects.select_related("finding__source", "created_by"), source=source)
    checks = (
        Task.objects.restrict(request.user)
        .filter(source=source, origin__isnull=True)
        .select_related("lead_unit")
        .order_by("lead_unit__path")
    )
    replies = {r.task_id: r for r in LessonReply.objects.filter(lesson=lesson)}
    found = Task.objects.restrict(request.user).filter(source=source, origin__isnull=False).select_related("origin")
    found_by_unit = {}
    for t in found:
        found_by_unit.setdefault(t.lead_unit_id, []).append(t)
    rows = [(t, replies.get(t.pk), found_by_unit.get(t.lead_unit_id, [])) for t in checks]
    context = {
        "lesson": lesson,
        "rows": rows,
        "reported": sum(1 for _t, r, _f in rows if r),
        "nil": sum(1 for _t, r, _f in rows if r and r.nil),
        "with_found": sum(1 for _t, r, _f in rows if r and not r.nil),
        "finding_visible": Finding.objects.restrict(request.user).filter(pk=lesson.finding_id).exists(),
    }
    return render(request, "rectification/lesson.html", context)


@login_required
def lesson_reply(request, task_pk):
    task = get_object_or_404(Task.objects.restrict(request.user).select_related("source", "lead_unit"), pk=task_pk)
    lesson = lessons.lesson_of(task)
    if lesson is None:
        raise PermissionDenied
    done = LessonReply.objects.filter(task=task).first()
    if done:
        return redirect("rectification:lesson", pk=lesson.pk)
    if not lessons.may_reply(request.user, task):
        raise PermissionDenied
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lessons.reply(task, by=request.user, found=form.cleaned_data["lines"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("The self-check result was reported to the office."))
            return redirect("rectification:lesson", pk=lesson.pk)
    context = {"form": form, "title": _("Report the self-check result"), "intro": lesson.finding.text}
    return render(request, "form_page.html", context)
