"""The one way a page of the responsibility system creates a record: the action runs on a valid POST
and answers the redirect; a refusal or a mistake brings the form back as typed, the reason beside its
field (or on top)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from taizhang.org.views import _attach_errors


def form_page(request, form, run, *, title: str, back: str):
    if request.method == "POST" and form.is_valid():
        try:
            return run(form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "form_page.html", {"form": form, "title": title, "back": back})
