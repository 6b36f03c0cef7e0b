"""Spreadsheet downloads and the import flow: upload → preview (mapping, problems) → confirm."""

import io

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils import timezone

from taizhang.core.downloads import XLSX, attachment
from taizhang.core.permissions import EXPORT
from taizhang.sheets.export import write_csv, write_xlsx
from taizhang.tasks.origins import Source  # every ledger exports: findings, risks, decisions, occurrences


def _filename(source, ext):
    return f"{source.title}-{timezone.localdate():%Y%m%d}.{ext}"


@login_required
def export_ledger(request, pk, ext):
    """What the user sees, exported: the same scope as the ledger page."""
    source = get_object_or_404(Source.objects.restrict(request.user, EXPORT), pk=pk)
    if ext == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(source, buffer, user=request.user)
        return attachment(buffer.getvalue(), _filename(source, ext), XLSX)
    buffer = io.StringIO()
    write_csv(source, buffer, user=request.user)
    return attachment(buffer.getvalue().encode("utf-8"), _filename(source, ext), "text/csv; charset=utf-8")
