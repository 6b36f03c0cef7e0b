"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.filtering import (
    FilterSet,
    IdFilter,
    SearchFilter,
    StrictBooleanFilter,
    WholeNumberFilter,
    YearFilter,
    YesNoSelect,
)
from taizhang.core.forms import QuickSelect
from taizhang.org.models import Unit
from taizhang.risks.matrix import Level
from taizhang.risks.models import OPEN_RISK, Campaign, Return, ReturnStatus, Risk, RiskStatus
from taizhang.tasks.models import Schedule, schedule_q
from taizhang.tasks.origins import Category, SourceKind

OPEN_CHOICE = "open"


def register_areas(request):
    return Category.objects.filter(source__kind=SourceKind.RISK_REGISTER).order_by("position")


def overdue_review_q() -> Q:
    """Risks whose review due was not recorded in time: the engine's own definition of an overdue task,
    read on the risk's review task."""
    return schedule_q(Schedule.OVERDUE, prefix="review_task__")


class RiskFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))
    # ids from links (the heat map, the dashboard); a name search instead of a dropdown of every unit
    unit = IdFilter(queryset=Unit.objects.all(), label=_("responsible unit"), widget=forms.HiddenInput)
    unit_name = SearchFilter(field_name="unit__name", lookup_expr="icontains", label=_("responsible unit"))
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("level"), widget=QuickSelect, empty_label=_("all")
    )
    status = django_filters.ChoiceFilter(
        choices=[(OPEN_CHOICE, _("not cleared or closed")), *RiskStatus.choices],
        label=_("status"),
        method="by_status",
        widget=QuickSelect,
        empty_label=_("all"),
    )
    area = IdFilter(
        field_name="origin__category",
        queryset=register_areas,
        label=_("risk area"),
        widget=QuickSelect,
        empty_label=_("all"),
    )
    overdue_review = StrictBooleanFilter(method="by_overdue_review", label=_("review overdue"), widget=YesNoSelect)
    likelihood = WholeNumberFilter(label=_("likelihood"), widget=forms.HiddenInput)
    impact = WholeNumberFilter(label=_("impact"), widget=forms.HiddenInput)
    # (a search field: a NUL, which no column holds, is dropped, not a 400)
    family = SearchFilter(
        field_name="matrix__family", lookup_expr="exact", label=_("risk matrix"), widget=forms.HiddenInput
    )
    cleared_year = YearFilter(
        field_name="cleared_on", lookup_expr="year", label=_("cleared in"), widget=forms.HiddenInput
    )
    campaign = IdFilter(
        field_name="campaign_return__campaign",
        queryset=Campaign.objects.all(),
        label=_("special investigation"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Risk
        fields = ["q", "unit_name", "unit", "level", "status", "area", "overdue_review", "likelihood", "impact"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(origin__text__icontains=value) | Q(forms__icontains=value) | Q(posts__icontains=value))

    def by_status(self, queryset, name, value):
        if value == OPEN_CHOICE:
            return queryset.filter(status__in=OPEN_RISK)
        return queryset.filter(status=value)

    def by_overdue_review(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = overdue_review_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ReturnFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReturnStatus.choices, label=_("status"), widget=QuickSelect, empty_label=_("all")
    )
    campaign = IdFilter(queryset=Campaign.objects.all(), widget=forms.HiddenInput)
    unit = IdFilter(queryset=Unit.objects.all(), widget=forms.HiddenInput)

    class Meta:
        model = Return
        fields = ["campaign", "unit", "status"]


class CampaignFilter(FilterSet):
    q = SearchFilter(field_name="source__title", lookup_expr="icontains", label=_("search"))

    class Meta:
        model = Campaign
        fields = ["q"]
