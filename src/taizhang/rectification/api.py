from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.rectification.filters import FindingFilter
from taizhang.rectification.models import Finding, Source
from taizhang.similar.panel import similar_for


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "kind", "title", "issuer", "inspected_unit", "feedback_date", "report_due_date"]


class FindingSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True, default="")

    class Meta:
        model = Finding
        fields = ["id", "source", "category", "category_name", "number", "text", "found_in"]


class SimilarFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="origin.pk")
    text = serializers.CharField(source="origin.text")
    source = serializers.IntegerField(source="origin.source_id")
    source_title = serializers.CharField(source="origin.source.title")
    unit = serializers.CharField()
    score = serializers.FloatField()
    same_unit_line = serializers.BooleanField(source="same_line")
    measures = serializers.IntegerField()
    measures_done = serializers.IntegerField(source="closed")


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SourceSerializer
    queryset = Source.objects.all()

    def get_queryset(self):
        return Source.objects.restrict(self.request.user)


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FindingSerializer
    queryset = Finding.objects.all()
    filterset_class = FindingFilter

    def get_queryset(self):
        return Finding.objects.restrict(self.request.user).select_related("category")

    @extend_schema(responses=SimilarFindingSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def similar(self, request, pk=None):
        """The findings of other rounds most like this one that the reader may see, best first."""
        return Response(SimilarFindingSerializer(similar_for(self.get_object(), request.user), many=True).data)
