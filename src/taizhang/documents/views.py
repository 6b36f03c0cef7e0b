"""Report downloads: the same generators as `taizhang report`, within the user's scope."""

import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from taizhang.core import jobs
from taizhang.core.downloads import XLSX, attachment
from taizhang.core.forms import StyledFormMixin
from taizhang.core.permissions import EXPORT
from taizhang.documents import pdf, report, tables
from taizhang.rectification.models import Source

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    opening = forms.CharField(label=_("opening paragraph"), widget=forms.Textarea(attrs={"rows": 4}))
    closing = forms.CharField(label=_("closing paragraph"), widget=forms.Textarea(attrs={"rows": 3}))
    issuer = forms.CharField(label=_("issued by"), max_length=200)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    format = forms.ChoiceField(label=_("format"), choices=[("docx", "Word (.docx)"), ("pdf", "PDF")])


@login_required
def rectification_report(request, pk):
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    today = timezone.localdate()
    defaults = report.default_options(source, today)
    form = ReportForm(request.POST or None, initial=defaults.__dict__ | {"format": "docx"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["format"] == "pdf" and not pdf.converter():
            messages.error(
                request, gettext("PDF needs LibreOffice on the server: choose Word (.docx), or ask the administrator.")
            )
            return redirect("documents:report", pk=source.pk)
        params = {k: str(v) for k, v in data.items()} | {"source": source.pk, "on": today.isoformat()}
        job = jobs.start(
            "documents.report",
            by=request.user,
            title=f"{data['title']}.{data['format']}",
            params=params,
            back_url=request.path,
        )
        return redirect("job", uid=job.uid)
    figures = report.figures(source, on=today, user=request.user)
    return render(
        request,
        "documents/report_form.html",
        {
            "source": source,
            "form": form,
            "overall": report.overall_paragraph(figures, today),
            "pdf_available": bool(pdf.converter()),
        },
    )


@login_required
def summary_table(request):
    buffer = io.BytesIO()
    tables.write_summary(buffer, user=request.user)
    return attachment(buffer.getvalue(), f"整改情况汇总表-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


@login_required
def monthly_table(request, pk):
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        tables.month_bounds(month)
    except ValueError:
        month = dt.date.today().strftime("%Y-%m")
    buffer = io.BytesIO()
    tables.write_monthly(source, month, buffer, user=request.user)
    return attachment(buffer.getvalue(), f"{source.title}-{month}.xlsx", XLSX)


def make_report(job, user, progress):
    """The report a job asked for (core/jobs.py): built as `user` sees the ledger, as Word or PDF."""
    params = job.params
    source = Source.objects.restrict(user, EXPORT).get(pk=params["source"])
    options = report.ReportOptions(
        title=params["title"],
        opening=params["opening"],
        closing=params["closing"],
        issuer=params["issuer"],
        date=dt.date.fromisoformat(params["date"]),
    )
    progress(0, 2)
    document, _figures = report.build(source, on=dt.date.fromisoformat(params["on"]), options=options, user=user)
    buffer = io.BytesIO()
    document.save(buffer)
    progress(1, 2)
    if params["format"] == "pdf":
        return jobs.Made(pdf.docx_to_pdf(buffer.getvalue()), "application/pdf")
    return jobs.Made(buffer.getvalue(), DOCX)
