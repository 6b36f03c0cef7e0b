from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.api_history import AuditEventSerializer
from taizhang.core.audit import history
from taizhang.org import filters
from taizhang.org.models import Person, Unit, UnitGroup


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "code", "aliases", "kind", "parent", "path", "depth", "is_active"]


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitGroup
        fields = ["id", "name", "description", "members"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "code", "post", "unit", "is_active"]


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, within the caller's scope; `history` serves an object's audit timeline."""

    def get_queryset(self):
        return self.queryset.restrict(self.request.user)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        events = history(self.get_object())
        return Response(AuditEventSerializer(events, many=True).data)


class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = filters.UnitFilter


class GroupViewSet(ScopedViewSet):
    queryset = UnitGroup.objects.prefetch_related("members")
    serializer_class = GroupSerializer
    filterset_class = filters.GroupFilter


class PersonViewSet(ScopedViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = filters.PersonFilter
