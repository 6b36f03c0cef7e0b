"""Administration pages for units, groups, people and accounts.

The four kinds share one list, one form and one detail template; what differs is in `KINDS`.
Every queryset goes through `restrict()`, so an object outside the user's scope is a 404.
"""

import copy
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.core import timeline
from taizhang.core.audit import history
from taizhang.core.errors import Conflict
from taizhang.core.filtering import filtered
from taizhang.core.permissions import MANAGE_ACCOUNTS, MANAGE_ORG, VIEW, grants
from taizhang.org import actions, filters, forms
from taizhang.org.models import Person, Unit, UnitGroup, User
from taizhang.org.views_sync import may_sync


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    form: type
    filterset: type
    save: callable
    manage_action: str
    title: str
    columns: list = field(default_factory=list)  # (label, attribute)


KINDS = {
    "units": Kind(
        "units",
        Unit,
        forms.UnitForm,
        filters.UnitFilter,
        actions.save_unit,
        MANAGE_ORG,
        gettext_lazy("Units"),
        [
            (gettext_lazy("name"), "indented_name"),
            (gettext_lazy("short name"), "short_name"),
            (gettext_lazy("unit code"), "code"),
            (gettext_lazy("kind"), "get_kind_display"),
            (gettext_lazy("active"), "is_active"),
        ],
    ),
    "groups": Kind(
        "groups",
        UnitGroup,
        forms.GroupForm,
        filters.GroupFilter,
        actions.save_group,
        MANAGE_ORG,
        gettext_lazy("Unit groups"),
        [(gettext_lazy("name"), "name"), (gettext_lazy("member units"), "member_count")],
    ),
    "people": Kind(
        "people",
        Person,
        forms.PersonForm,
        filters.PersonFilter,
        actions.save_person,
        MANAGE_ORG,
        gettext_lazy("People"),
        [
            (gettext_lazy("name"), "name"),
            (gettext_lazy("post"), "post"),
            (gettext_lazy("staff number"), "code"),
            (gettext_lazy("unit"), "unit"),
            (gettext_lazy("active"), "is_active"),
        ],
    ),
    "accounts": Kind(
        "accounts",
        User,
        forms.AccountForm,
        filters.AccountFilter,
        actions.save_account,
        MANAGE_ACCOUNTS,
        gettext_lazy("Accounts"),
        [
            (gettext_lazy("username"), "username"),
            (gettext_lazy("name"), "get_full_name"),
            (gettext_lazy("role"), "get_role_display"),
            (gettext_lazy("data scope"), "get_scope_display"),
            (gettext_lazy("unit"), "unit"),
            (gettext_lazy("active"), "is_active"),
        ],
    ),
}


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def _queryset(kind: Kind, user, action: str):
    qs = kind.model.objects.restrict(user, action)
    if kind.model is UnitGroup:
        qs = qs.annotate(member_count=Count("members")).order_by("name")
    elif kind.model in (Person, User):
        qs = qs.select_related("unit")
    return qs


def _view_action(kind: Kind) -> str:
    # Accounts are visible only to those who manage them; the rest of the organisation to all.
    return MANAGE_ACCOUNTS if kind.model is User else VIEW


@login_required
def object_list(request, kind):
    kind = _kind(kind)
    if not grants(request.user, _view_action(kind)):
        raise PermissionDenied
    filterset = kind.filterset(request.GET, queryset=_queryset(kind, request.user, _view_action(kind)), request=request)
    page = Paginator(filtered(filterset), 100).get_page(request.GET.get("page"))
    rows = [(obj, [_cell(obj, attr) for _label, attr in kind.columns]) for obj in page]
    context = {
        "kind": kind,
        "filter": filterset,
        "page": page,
        "rows": rows,
        "can_manage": grants(request.user, kind.manage_action),
        "can_sync": may_sync(request.user),
    }
    template = "org/_table.html" if request.htmx else "org/list.html"
    return render(request, template, context)


def _cell(obj, attr):
    if attr == "indented_name":
        return f"{'　' * obj.depth}{obj.name}"
    value = getattr(obj, attr, "")
    return value() if callable(value) else value


@login_required
def object_detail(request, kind, pk):
    kind = _kind(kind)
    obj = get_object_or_404(_queryset(kind, request.user, _view_action(kind)), pk=pk)
    fields = [
        (f.verbose_name, _display(obj, f))
        for f in kind.form._meta.model._meta.fields
        if f.name in kind.form._meta.fields
    ]
    extra = {}
    if kind.model is UnitGroup:
        extra["members"] = obj.members.restrict(request.user)
    if kind.model is Unit:
        extra["children"] = Unit.objects.restrict(request.user).filter(parent=obj)
    return render(
        request,
        "org/detail.html",
        {
            "kind": kind,
            "obj": obj,
            "fields": fields,
            "events": timeline.entries(history(obj)),
            **extra,
            "can_manage": grants(request.user, kind.manage_action),
        },
    )


def _display(obj, model_field):
    display = getattr(obj, f"get_{model_field.name}_display", None)
    if display:
        return display()
    return getattr(obj, model_field.name)


@login_required
def object_edit(request, kind, pk=None):
    kind = _kind(kind)
    if not grants(request.user, kind.manage_action):
        raise PermissionDenied
    obj = get_object_or_404(_queryset(kind, request.user, kind.manage_action), pk=pk) if pk else None
    # The form gets its own copy: validating a ModelForm writes the posted values into its instance, and
    # the action must see the object as stored (its audit "before", a unit's old parent).
    form = kind.form(request.POST or None, instance=copy.copy(obj), editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in kind.form._meta.fields}
        extra = {"password": form.cleaned_data.get("password")} if kind.model is User else {}
        if obj is not None:
            extra["version"] = form.cleaned_data["version"]
        try:
            saved = kind.save(obj, data, by=request.user, **extra)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("org:detail", kind=kind.slug, pk=saved.pk)
    return render(request, "org/form.html", {"kind": kind, "form": form, "obj": obj})


def _attach_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
