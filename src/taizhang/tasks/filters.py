"""One FilterSet for tasks, used by the ledger page, the task lists and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.filtering import FilterSet, IdFilter, SearchFilter, StrictBooleanFilter, whole_number
from taizhang.core.forms import QuickSelect
from taizhang.org.models import Person, Unit
from taizhang.rectification.models import Category, Source
from taizhang.tasks.models import LIGHT_OF, Light, Schedule, Status, Task


def sources_in_scope(request):
    return Source.objects.restrict(request.user) if request else Source.objects.none()


def categories_in_scope(request):
    """Categories of the sources in scope; one source's only, when the filter is on that source."""
    sources = sources_in_scope(request)
    source = request.GET.get("source") if request else None
    if (source_id := whole_number(source)) is not None:
        sources = sources.filter(pk=source_id)
    return Category.objects.filter(source__in=sources).order_by("source", "position")


class TaskFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))
    source = IdFilter(queryset=sources_in_scope, label=_("source"), widget=QuickSelect)
    # Any unit: a task in scope may be led by a unit outside the user's own subtree (a partner's view).
    # Ids arrive from links (dashboard, ledger); a dropdown of thousands of units would be unusable, so
    # the form carries them hidden and offers a name search instead.
    lead_unit = IdFilter(queryset=Unit.objects.all(), label=_("lead unit"), widget=forms.HiddenInput)
    unit_name = SearchFilter(field_name="lead_unit__name", lookup_expr="icontains", label=_("lead unit"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"), widget=QuickSelect)
    light = django_filters.ChoiceFilter(choices=Light.choices, label=_("light"), method="by_light", widget=QuickSelect)
    schedule = django_filters.ChoiceFilter(
        choices=Schedule.choices, label=_("schedule"), method="by_schedule", widget=QuickSelect
    )
    leader = IdFilter(queryset=Person.objects.all(), label=_("responsible leader"), widget=forms.HiddenInput)
    category = IdFilter(
        field_name="finding__category", queryset=categories_in_scope, label=_("category"), widget=QuickSelect
    )
    kind = django_filters.ChoiceFilter(
        field_name="deadline_kind", choices=DeadlineKind.choices, label=_("deadline kind"), widget=QuickSelect
    )
    due_after = django_filters.DateFilter(field_name="deadline_date", lookup_expr="gte", label=_("due from"))
    due_before = django_filters.DateFilter(field_name="deadline_date", lookup_expr="lte", label=_("due until"))
    open = StrictBooleanFilter(method="only_open", label=_("open only"))

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
            Q(measure__icontains=value) | Q(finding__text__icontains=value) | Q(leader_text__icontains=value)
        )

    def by_light(self, queryset, name, value):
        return queryset.in_schedule([s for s, light in LIGHT_OF.items() if light == value])

    def by_schedule(self, queryset, name, value):
        return queryset.in_schedule([value])

    def only_open(self, queryset, name, value):
        if value is None:
            return queryset
        done = queryset.filter(status__in=(Status.CLOSED, Status.PHASE_DONE))
        return queryset.exclude(pk__in=done.values("pk")) if value else done
