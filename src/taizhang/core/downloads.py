from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    """A download under its own (often Chinese) name, with an ASCII fallback for old clients."""
    response = HttpResponse(content, content_type=content_type)
    ext = name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f"attachment; filename=\"download.{ext}\"; filename*=UTF-8''{quote(name)}"
    return response
