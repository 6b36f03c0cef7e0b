"""Inbox, notices (督办单) and their printable page, preferences, unit robots."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.text import WD_ALIGN_PARAGRAPH

from taizhang.core.downloads import attachment
from taizhang.core.filtering import whole_number
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import MANAGE_ORG, grants
from taizhang.core.redirects import safe_next
from taizhang.documents import gbt9704 as G
from taizhang.documents import pdf
from taizhang.notify import actions
from taizhang.notify.engine import deadline_words
from taizhang.notify.models import Channel, Delivery, Level, Notice, Preference, UnitChannel
from taizhang.org.forms import UnitChoiceField
from taizhang.org.models import Unit
from taizhang.tasks.models import Task


@login_required
def inbox(request):
    if request.method == "POST":
        item = request.POST.get("item")
        number = whole_number(item)
        if item and number is None:
            return safe_next(request, "notify:inbox")  # not an item of anyone's: nothing to mark
        actions.mark_read(request.user, number)
        return safe_next(request, "notify:inbox")
    items = Delivery.objects.filter(user=request.user, channel=Channel.INBOX).select_related(
        "sender__unit", "sender__person"
    )
    page = Paginator(items.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page": page})


class SuperviseForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("level"),
        required=False,
        choices=[("", gettext_lazy("Reminder only (催办, no notice)")), *Level.choices],
    )
    text = forms.CharField(label=gettext_lazy("what the unit is asked to do"), widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def supervise(request):
    """督办 / 催办 by hand on one task (its page) or several (a list's selection): POST only."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ids = {n for n in (whole_number(v) for v in request.POST.getlist("task")) if n is not None}
    tasks = list(Task.objects.restrict(request.user).filter(pk__in=ids).select_related("lead_unit", "source"))
    if not ids or len(tasks) != len(ids):
        raise Http404  # a task the user cannot see is not theirs to supervise
    form = SuperviseForm(request.POST)
    back = tasks[0] if len(tasks) == 1 else None
    try:
        if not form.is_valid():
            raise ValidationError([e["message"] for errs in form.errors.get_json_data().values() for e in errs])
        done = actions.supervise(
            tasks, by=request.user, level=form.cleaned_data["level"], text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["level"]:
            numbers = "、".join(n.number for n in done)
            messages.success(
                request, _("Notices issued: %(numbers)s; the units have been told.") % {"numbers": numbers}
            )
        else:
            messages.success(request, _("Reminders sent on %(n)d tasks; the units have been told.") % {"n": len(done)})
    if back is not None and request.POST.get("next") is None:
        return redirect("tasks:detail", pk=back.pk)
    return safe_next(request, "tasks:list")


@login_required
def notices(request):
    """Notices of the tasks the user may see, newest first; filter by unit and level."""
    items = Notice.objects.filter(task__in=Task.objects.restrict(request.user)).select_related("task", "unit")
    if request.GET.get("level") in ("blue", "yellow", "red"):
        items = items.filter(level=request.GET["level"])
    if (unit_id := whole_number(request.GET.get("unit"))) is not None:
        items = items.filter(unit_id=unit_id)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "notify/notices.html", {"page": page, "level": request.GET.get("level")})


@login_required
def notice_document(request, pk):
    """One notice as a one-page official document (.docx)."""
    notice = get_object_or_404(Notice.objects.filter(task__in=Task.objects.restrict(request.user)), pk=pk)
    task = notice.task
    document = G.new_document()
    G.title(document, "督 办 单")
    G.body(document, notice.number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    G.body(document, f"{notice.unit.name}：", indent=False)
    level = actions.LEVEL_WORDS[notice.level]
    task_words = f"你单位牵头负责的整改任务“{task.measure}”（{deadline_words(task)}）"
    if notice.rule == "manual":  # issued by hand: the office's own words
        G.body(document, f"{task_words}，现予{level}督办。督办意见：{notice.reason}")
    else:
        why = notice.reason.split("：")[0].removeprefix("【台账督办】")
        G.body(document, f"{task_words}，{why}，现予{level}督办。")
    G.body(
        document,
        "请接此督办单后，立即研究推进，并于3个工作日内在台账系统报送整改进展；确有困难的，请说明原因及下一步措施。",
    )
    G.signature(document, "督查室", G.date_text(notice.issued_on))
    buffer = io.BytesIO()
    document.save(buffer)
    content, ext = buffer.getvalue(), "docx"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if request.GET.get("format") == "pdf":
        try:
            content, ext, content_type = pdf.docx_to_pdf(content), "pdf", "application/pdf"
        except pdf.ConverterMissing as exc:
            messages.error(request, str(exc))
            return redirect("notify:notices")
    return attachment(content, f"{notice.number}.{ext}", content_type)


class PreferenceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "digest", "quiet_start", "quiet_end"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }


@login_required
def preferences(request):
    instance = Preference.objects.filter(user=request.user).first()
    form = PreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        actions.save_preference(request.user, form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form})


class RobotForm(StyledFormMixin, forms.ModelForm):
    unit = UnitChoiceField(queryset=Unit.objects.all(), label=gettext_lazy("unit"))

    class Meta:
        model = UnitChannel
        fields = ["unit", "kind", "webhook", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@login_required
def robots(request):
    if not grants(request.user, MANAGE_ORG):
        raise PermissionDenied
    form = RobotForm(request.POST or None)
    form.fields["unit"].queryset = Unit.objects.restrict(request.user, MANAGE_ORG)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_robot(None, form.cleaned_data, by=request.user)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            return redirect("notify:robots")
    items = UnitChannel.objects.filter(unit__in=Unit.objects.restrict(request.user)).select_related("unit")
    return render(request, "notify/robots.html", {"form": form, "items": items})
