from rest_framework import serializers, viewsets

from taizhang.rectification.filters import FindingFilter
from taizhang.rectification.models import Finding, Source


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "kind", "title", "issuer", "inspected_unit", "feedback_date", "report_due_date"]


class FindingSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True, default="")

    class Meta:
        model = Finding
        fields = ["id", "source", "category", "category_name", "number", "text", "found_in"]


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
