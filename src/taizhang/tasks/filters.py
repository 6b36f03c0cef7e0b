"""One FilterSet for tasks, used by the ledger page, the task lists and the API."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.filtering import (
    FilterSet,
    IdFilter,
    LenientModelChoiceField,
    SearchFilter,
    StrictBooleanFilter,
    whole_number,
)
from taizhang.core.forms import QuickSelect
from taizhang.org.models import Person, Unit
from taizhang.tasks.models import DONE, LIGHT_OF, Light, Schedule, Status, Task
from taizhang.tasks.origins import Category, Source

OPEN_CHOICE = "open"


def sources_in_scope(request):
    """The ledgers the user sees (built once per request: the ledger and category choices both need it)."""
    if request is None:
        return Source.objects.none()
    if getattr(request, "_sources_in_scope", None) is None:
        request._sources_in_scope = Source.objects.restrict(request.user)
    return request._sources_in_scope


def categories_in_scope(request):
    """Categories of the sources in scope; one source's only, when the filter is on that source."""
    sources = sources_in_scope(request)
    source = request.GET.get("source") if request else None
    if (source_id := whole_number(source)) is not None:
        sources = sources.filter(pk=source_id)
    return Category.objects.filter(source__in=sources).select_related("source").order_by("source", "position")


class CategoryField(LenientModelChoiceField):
    """Several ledgers' categories share names (第一方面…): each says whose it is, unless one ledger's own
    are offered (`with_source=False`, the ledger page)."""

    def __init__(self, *args, with_source=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_source = with_source

    label_columns = ("name", "source__title")

    def label_from_columns(self, name, source_title):
        return f"{name}（{source_title}）" if self.with_source else name


class CategoryFilter(IdFilter):
    field_class = CategoryField


class TaskFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))
    source = IdFilter(
        queryset=sources_in_scope, label=_("ledger"), widget=QuickSelect, empty_label=_("all"), label_columns=("title",)
    )
    # Any unit: a task in scope may be led by a unit outside the user's own subtree (a partner's view).
    # Ids arrive from links (dashboard, ledger); a dropdown of thousands of units would be unusable, so
    # the form carries them hidden and offers a name search instead.
    lead_unit = IdFilter(queryset=Unit.objects.all(), label=_("lead unit"), widget=forms.HiddenInput)
    # several names at once, separated by 、，, or spaces: tasks led by any of them
    unit_name = SearchFilter(method="by_unit_names", label=_("lead units (several: separate by 、)"))
    # One status filter: each status, or every one not yet closed (the API's `open` says the same).
    status = django_filters.ChoiceFilter(
        choices=[(OPEN_CHOICE, _("not closed yet")), *Status.choices],
        label=_("status"),
        method="by_status",
        widget=QuickSelect,
        empty_label=_("all"),
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, label=_("light"), method="by_light", widget=QuickSelect, empty_label=_("all")
    )
    # reached from the dashboard's links; the light says the same to a reader
    schedule = django_filters.ChoiceFilter(
        choices=Schedule.choices, label=_("schedule"), method="by_schedule", widget=forms.HiddenInput
    )
    leader = IdFilter(queryset=Person.objects.all(), label=_("responsible leader"), widget=forms.HiddenInput)
    category = CategoryFilter(
        field_name="origin__category",
        queryset=categories_in_scope,
        label=_("category"),
        widget=QuickSelect,
        empty_label=_("all"),
    )
    kind = django_filters.ChoiceFilter(
        field_name="deadline_kind",
        choices=DeadlineKind.choices,
        label=_("deadline kind"),
        widget=QuickSelect,
        empty_label=_("all"),
    )
    due_after = django_filters.DateFilter(
        field_name="deadline_date",
        lookup_expr="gte",
        label=_("due from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        field_name="deadline_date",
        lookup_expr="lte",
        label=_("due until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    open = StrictBooleanFilter(method="only_open", label=_("open only"), widget=forms.HiddenInput)

    class Meta:
        model = Task
        fields = [
            "q",
            "source",
            "lead_unit",
            "status",
            "light",
            "leader",
            "category",
            "kind",
            "due_after",
            "due_before",
            "open",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(measure__icontains=value) | Q(origin__text__icontains=value) | Q(leader_text__icontains=value)
        )

    def by_status(self, queryset, name, value):
        if value == OPEN_CHOICE:
            return queryset.exclude(status__in=DONE)
        return queryset.filter(status=value)

    def by_unit_names(self, queryset, name, value):
        names = [n for n in re.split(r"[、，,;；\s]+", value) if n]
        if not names:
            return queryset
        q = Q()
        for unit_name in names[:20]:
            q |= Q(lead_unit__name__icontains=unit_name)
        return queryset.filter(q)

    def by_light(self, queryset, name, value):
        return queryset.in_schedule([s for s, light in LIGHT_OF.items() if light == value])

    def by_schedule(self, queryset, name, value):
        return queryset.in_schedule([value])

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        done = queryset.filter(status__in=(Status.CLOSED, Status.PHASE_DONE))
        return queryset.exclude(pk__in=done.values("pk")) if value else done
