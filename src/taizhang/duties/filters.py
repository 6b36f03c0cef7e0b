"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from taizhang.core.filtering import UNIT_SELECT, FilterSet, IdFilter, SearchFilter, YearFilter
from taizhang.duties.models import Body, BodyKind, DutyList, Meeting, MeetingKind, Training, TrainingLayer
from taizhang.org.models import Unit


class DutyListFilter(FilterSet):
    q = SearchFilter(field_name="source__title", lookup_expr="icontains", label=_("search"))
    year = YearFilter(field_name="year", label=_("year"))

    class Meta:
        model = DutyList
        fields = ["q", "year"]


def _units(request):
    return Unit.objects.restrict(request.user).order_by("path") if request else Unit.objects.none()


class MeetingFilter(FilterSet):
    q = SearchFilter(field_name="origin__text", lookup_expr="icontains", label=_("search"))
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("kind"))
    unit = IdFilter(queryset=_units, label=_("unit"), **UNIT_SELECT)
    body = IdFilter(
        queryset=lambda request: Body.objects.restrict(request.user) if request else Body.objects.none(),
        label=_("working body"),
    )
    year = YearFilter(field_name="date__year", label=_("year"))

    class Meta:
        model = Meeting
        fields = ["q", "kind", "unit", "body", "year"]


class TrainingFilter(FilterSet):
    q = SearchFilter(field_name="topic", lookup_expr="icontains", label=_("search"))
    layer = IdFilter(queryset=TrainingLayer.objects.all(), label=_("layer"))
    unit = IdFilter(queryset=_units, label=_("unit"), **UNIT_SELECT)
    year = YearFilter(field_name="date__year", label=_("year"))

    class Meta:
        model = Training
        fields = ["q", "layer", "unit", "year"]


class BodyFilter(FilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("search"))
    kind = django_filters.ChoiceFilter(choices=BodyKind.choices, label=_("kind"))
    lead_unit = IdFilter(queryset=_units, label=_("lead unit"), **UNIT_SELECT)

    class Meta:
        model = Body
        fields = ["q", "kind", "lead_unit"]
