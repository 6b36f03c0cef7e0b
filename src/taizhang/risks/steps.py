"""The one way a risk's or a return's page takes a step: POST only, the object within the user's scope
(404 outside), the form checked, the action run; a refusal goes back to the page with the reason, a
mistake in what was typed brings the page back with the form as typed and the error beside its field."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from taizhang.core.errors import Conflict
from taizhang.tasks.views import _error_text
from taizhang.tasks.views_task import _form_messages


@dataclass
class Page:
    """Where a step happens: the objects in scope, the page's URL name and template, its context."""

    objects: Callable  # user → queryset in scope
    url_name: str
    template: str
    context: Callable  # (request, obj, bound forms) → dict


def take(request, page: Page, pk, form_name: str, make_form, run):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = get_object_or_404(page.objects(request.user), pk=pk)
    form = make_form(obj)
    try:
        if not form.is_valid():
            raise ValidationError(_form_messages(form))
        said = run(obj, form.cleaned_data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        messages.error(request, _error_text(exc))
    except (PermissionDenied, Conflict) as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return redirect(page.url_name, pk=obj.pk)
    else:
        messages.success(request, said)
        return redirect(page.url_name, pk=obj.pk)
    obj = get_object_or_404(page.objects(request.user), pk=pk)
    return render(request, page.template, page.context(request, obj, {form_name: form}))
