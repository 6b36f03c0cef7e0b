"""One FilterSet per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.filtering import UNIT_SELECT, FilterSet, IdFilter, SearchFilter
from taizhang.core.permissions import Role
from taizhang.org.models import Person, Unit, UnitGroup, UnitKind, User


def units_in_scope(request):
    return Unit.objects.restrict(request.user) if request else Unit.objects.none()


class UnitFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("kind"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent", "is_active"]

    parent = IdFilter(queryset=units_in_scope, label=_("parent unit"), **UNIT_SELECT)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code=value) | Q(aliases__icontains=value)
        )


class GroupFilter(FilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("search"))

    class Meta:
        model = UnitGroup
        fields = ["q"]


class PersonFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))

    class Meta:
        model = Person
        fields = ["q", "unit", "is_active"]

    unit = IdFilter(queryset=units_in_scope, label=_("unit"), **UNIT_SELECT)

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(post__icontains=value) | Q(code=value))


class AccountFilter(FilterSet):
    q = SearchFilter(method="search", label=_("search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    unit = IdFilter(queryset=units_in_scope, label=_("unit"), **UNIT_SELECT)

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(person__name__icontains=value))
