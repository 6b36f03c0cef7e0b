"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.filtering import NO_MATCH, FilterSet, IdFilter, YearFilter
from taizhang.core.forms import QuickSelect
from taizhang.org.models import Unit
from taizhang.similar.models import FlagStatus, RepeatFlag
from taizhang.tasks.origins import Source


class RepeatFlagFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=FlagStatus.choices, label=_("status"), widget=QuickSelect, empty_label=_("all")
    )
    # ids from links (the home page, a ledger): hidden, so no list of every ledger's title is offered
    source = IdFilter(
        field_name="later__source", queryset=Source.objects.all(), label=_("source"), widget=forms.HiddenInput
    )
    year = YearFilter(field_name="later__source__feedback_date", lookup_expr="year", label=_("year"))
    unit = IdFilter(
        field_name="later__found_in",  # the schema's type; the filter reads the inspected unit too
        method="by_unit",
        queryset=Unit.objects.all(),
        label=_("unit"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = RepeatFlag
        fields = ["status", "source", "year", "unit"]

    def by_unit(self, queryset, name, value):
        if value is NO_MATCH:  # an id that names no unit: no rows, as every id filter answers
            return queryset.none()
        if not value:
            return queryset
        return queryset.filter(
            Q(later__found_in=value) | Q(later__found_in__isnull=True, later__source__inspected_unit=value)
        )
