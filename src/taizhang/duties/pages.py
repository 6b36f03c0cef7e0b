"""The one way a page of the responsibility system creates a record: the action runs on a valid POST
and answers the redirect; a refusal or a mistake brings the form back as typed, the reason beside its
field (or on top)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from taizhang.core.errors import Conflict
from taizhang.duties import actions
from taizhang.org.views import _attach_errors


def form_page(request, form, run, *, title: str, back: str):
    if request.method == "POST" and form.is_valid():
        try:
            return run(form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    context = {"form": form, "title": title, "back": back, "multipart": form.is_multipart()}
    return render(request, "form_page.html", context)


def count_record(request, record, count, *, page: str, said: str):
    """Count a meeting or a training (`count`: its action) for the list item chosen on its page."""
    item = actions.countable_items(record).filter(pk=request.POST.get("item") or 0).first()
    if item is None:
        messages.error(request, _("Choose one of the items the unit still has to carry out."))
        return redirect(page, pk=record.pk)
    try:
        task = count(record, item, by=request.user)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, said % {"task": task.measure[:60]})
    return redirect(page, pk=record.pk)
