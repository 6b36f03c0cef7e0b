"""专项排查's pages: the campaigns, launching one, a campaign's per-unit table and figures, a unit's
return (its risks, the nil return, submitting, the office's decision), a liaison's "my returns"."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core import files
from taizhang.core.downloads import XLSX, attachment
from taizhang.core.filtering import filtered_page
from taizhang.core.permissions import EXPORT, MANAGE_LEDGER, REPORT_PROGRESS, SIGN_OFF, grants
from taizhang.org.views import _attach_errors
from taizhang.risks import actions, actions_campaign, export, progress, steps
from taizhang.risks.filters import CampaignFilter, ReturnFilter
from taizhang.risks.forms import AssessmentForm, CampaignForm, DecisionForm, NoteForm, RiskForm
from taizhang.risks.matrix import COLOUR
from taizhang.risks.models import Campaign, Return, ReturnStatus, Risk
from taizhang.tasks.views_task import _form_messages


def scoped_campaigns(user, action="view"):
    return Campaign.objects.restrict(user, action).select_related("source")


@login_required
def campaign_list(request):
    filterset = CampaignFilter(request.GET, queryset=scoped_campaigns(request.user), request=request)
    page = Paginator(filtered_page(filterset).order_by("-due_on", "-pk"), 50).get_page(request.GET.get("page"))
    rates = progress.return_rates([c.pk for c in page], request.user)
    rows = [(c, rates.get(c.pk)) for c in page]
    context = {"filter": filterset, "page": page, "rows": rows, "can_launch": grants(request.user, MANAGE_LEDGER)}
    return render(request, "risks/campaign_list.html", context)


@login_required
def campaign_new(request):
    if not grants(request.user, MANAGE_LEDGER):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, request.FILES or None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        notice = data.pop("notice")
        try:
            campaign = actions_campaign.launch(data, by=request.user, notice=notice)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            count = campaign.returns.count()
            messages.success(
                request,
                _("Launched: %(n)d units are asked to return by %(date)s.") % {"n": count, "date": campaign.due_on},
            )
            return redirect("risks:campaign", pk=campaign.pk)
    return render(
        request, "form_page.html", {"form": form, "title": _("Launch a special investigation"), "multipart": True}
    )


@login_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(scoped_campaigns(request.user), pk=pk)
    filterset = ReturnFilter(request.GET, queryset=progress.returns_in_scope(campaign, request.user), request=request)
    returns = filtered_page(filterset)
    table = progress.unit_table(returns)
    context = {
        "campaign": campaign,
        "filter": filterset,
        "table": table,
        "figures": progress.figures(progress.returns_in_scope(campaign, request.user)),
        "can_decide": actions_campaign.may_decide(request.user, campaign),
        "areas": campaign.areas.all(),
    }
    return render(request, "risks/_return_rows.html" if request.htmx else "risks/campaign_detail.html", context)


@login_required
def campaign_notice(request, pk):
    campaign = get_object_or_404(scoped_campaigns(request.user), pk=pk)
    if not campaign.notice_file_id:
        raise Http404
    return FileResponse(files.open_stored(campaign.notice_file), as_attachment=True, filename=campaign.notice_name)


@login_required
def campaign_export(request, pk):
    campaign = get_object_or_404(scoped_campaigns(request.user, EXPORT), pk=pk)
    buffer = io.BytesIO()
    export.write_campaign(campaign, buffer, user=request.user)
    return attachment(buffer.getvalue(), f"{campaign.source.title}-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


def scoped_returns(user):
    return Return.objects.restrict(user).select_related("campaign__source", "unit", "task", "submitted_by")


@login_required
def my_returns(request):
    """The returns the user's units owe or have made, the open ones first."""
    rows = scoped_returns(request.user).order_by("status", "campaign__due_on", "unit__path")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "risks/my_returns.html", {"page": page, "today": timezone.localdate()})


def _return_context(request, ret, bound=None) -> dict:
    user = request.user
    matrix = ret.campaign.matrix or actions.matrix_for_forms()
    editable = actions_campaign.editable(ret)
    may_fill = editable and actions._allowed(user, ret.unit, REPORT_PROGRESS, MANAGE_LEDGER)
    version = {"version": ret.version}
    forms = {
        "risk_form": RiskForm(editor=user, fixed_unit=ret.unit),
        "submit_form": NoteForm(initial=version),
        "decision_form": DecisionForm(initial=version),
    }
    if matrix is not None:
        forms["assess_form"] = AssessmentForm(matrix=matrix, with_kind=False)
    forms |= bound or {}
    return {
        "ret": ret,
        "new_risks": ret.new_risks.select_related("origin__category").order_by("origin__position"),
        "reassessed": ret.reassessed.select_related("origin__category"),
        "existing": Risk.objects.filter(unit=ret.unit, status__in=["identified", "assessed", "disposing"])
        .exclude(pk__in=ret.reassessed.values("pk"))
        .exclude(campaign_return=ret)
        .select_related("origin")[:50],
        "may_fill": may_fill,
        "may_attest": editable and actions._allowed(user, ret.unit, SIGN_OFF),
        "may_decide": ret.status == ReturnStatus.SUBMITTED and actions_campaign.may_decide(user, ret.campaign),
        "colour": COLOUR,
        "matrix": matrix,
        **forms,
    }


@login_required
def return_detail(request, pk):
    ret = get_object_or_404(scoped_returns(request.user), pk=pk)
    return render(request, "risks/return_detail.html", _return_context(request, ret))


def _on_return(request, pk, form_name, make_form, run):
    page = steps.Page(scoped_returns, "risks:return", "risks/return_detail.html", _return_context)
    return steps.take(request, page, pk, form_name, make_form, run)


def _assessment(request, ret):
    matrix = ret.campaign.matrix or actions.matrix_for_forms()
    if not request.POST.get("likelihood"):
        return None
    form = AssessmentForm(request.POST, matrix=matrix, with_kind=False)
    if not form.is_valid():
        raise ValidationError(_form_messages(form))
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


@login_required
def return_add_risk(request, pk):
    def run(ret, data):
        new_area = data.pop("new_category", "").strip()
        if new_area:
            data["category"] = actions.ensure_area(new_area, by=request.user)
        actions_campaign.add_risk(ret, data, by=request.user, assessment=_assessment(request, ret))
        return _("Risk added to the return.")

    return _on_return(
        request, pk, "risk_form", lambda r: RiskForm(request.POST, editor=request.user, fixed_unit=r.unit), run
    )


@login_required
def return_reassess(request, pk, risk_pk):
    def run(ret, data):
        risk = get_object_or_404(Risk.objects.restrict(request.user), pk=risk_pk)
        found = _assessment(request, ret)
        if found is None:
            raise ValidationError(_("Choose the likelihood and the impact."))
        actions_campaign.reassess(ret, risk, found, by=request.user)
        return _("Re-assessed for the return.")

    def make(ret):
        matrix = ret.campaign.matrix or actions.default_matrix()
        return AssessmentForm(request.POST, matrix=matrix, with_kind=False)

    return _on_return(request, pk, "assess_form", make, run)


@login_required
def return_submit(request, pk):
    def run(ret, data):
        nil = request.POST.get("nil") == "1"
        done = actions_campaign.submit(ret, by=request.user, nil=nil, note=data["note"], version=data["version"])
        if done.late:
            return _("Submitted after the due date; the office will see it as late.")
        return _("Nil return (零报告) submitted.") if nil else _("Return submitted to the office.")

    return _on_return(request, pk, "submit_form", lambda r: NoteForm(request.POST), run)


@login_required
def return_decide(request, pk):
    def run(ret, data):
        accept = data["decision"] == "accept"
        actions_campaign.decide(ret, by=request.user, accept=accept, note=data["note"], version=data["version"])
        return _("Accepted.") if accept else _("Sent back; the unit has been told.")

    return _on_return(request, pk, "decision_form", lambda r: DecisionForm(request.POST), run)


@login_required
def task_return(request, task_pk):
    """A chased task's return: where its task page (and the to-do list) sends the unit and the office."""
    ret = get_object_or_404(scoped_returns(request.user), task_id=task_pk)
    return redirect("risks:return", pk=ret.pk)
