"""Spreadsheet downloads and the import flow: upload → preview (mapping, problems) → confirm."""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from taizhang.core.permissions import EXPORT
from taizhang.rectification.models import Source
from taizhang.sheets.export import write_csv, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(source, ext):
    return f"{source.title}-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
def export_ledger(request, pk, ext):
    """What the user sees, exported: the same scope as the ledger page."""
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    if ext == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(source, buffer, user=request.user)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        buffer = io.StringIO()
        write_csv(source, buffer, user=request.user)
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _content_disposition(_filename(source, ext))
    return response


def _content_disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"ledger.{name.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(name)}"
