"""Risk API: risks (with their assessments and reviews), campaigns and returns, scoped as the pages
are (out of scope: 404), filtered by the pages' FilterSets; writes stay in the pages' actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.api_history import AuditEventSerializer
from taizhang.core.audit import history
from taizhang.risks import progress
from taizhang.risks.filters import CampaignFilter, ReturnFilter, RiskFilter
from taizhang.risks.models import Assessment, Campaign, Return, Review, Risk


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "kind", "matrix", "likelihood", "impact", "exposure", "score", "level", "reason", "assessed_on"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "date", "participants", "conclusion", "assessment", "task"]


class RiskSerializer(serializers.ModelSerializer):
    """A risk; its id is its origin's (`origin`), the id tasks name it by."""

    text = serializers.CharField(source="origin.text", read_only=True)
    number = serializers.CharField(source="origin.number", read_only=True)
    area = serializers.CharField(source="origin.category.name", read_only=True, default="")
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Risk
        fields = [
            "origin",
            "number",
            "text",
            "area",
            "unit",
            "unit_name",
            "forms",
            "posts",
            "controls",
            "owner",
            "owner_text",
            "leader",
            "leader_text",
            "status",
            "close_reason",
            "likelihood",
            "impact",
            "score",
            "level",
            "review_task",
            "campaign_return",
            "cleared_on",
            "version",
        ]


class RiskDetailSerializer(RiskSerializer):
    assessments = AssessmentSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "assessments", "reviews"]


class RiskViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    queryset = Risk.objects.all()

    def get_queryset(self):
        risks = Risk.objects.restrict(self.request.user).select_related("origin__category", "unit").order_by("pk")
        return risks.prefetch_related("assessments", "reviews") if self.action == "retrieve" else risks

    def get_serializer_class(self):
        return RiskDetailSerializer if self.action == "retrieve" else RiskSerializer

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        return Response(AuditEventSerializer(history(self.get_object()), many=True).data)


class CampaignSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="source.title", read_only=True)

    class Meta:
        model = Campaign
        fields = ["source", "title", "instructions", "starts_on", "due_on", "areas", "matrix"]


class CampaignDetailSerializer(CampaignSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "figures"]

    def get_figures(self, campaign) -> dict:
        return progress.figures(progress.returns_in_scope(campaign, self.context["request"].user))


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    queryset = Campaign.objects.all()

    def get_queryset(self):
        return (
            Campaign.objects.restrict(self.request.user)
            .select_related("source")
            .prefetch_related("areas")
            .order_by("-due_on", "pk")
        )

    def get_serializer_class(self):
        return CampaignDetailSerializer if self.action == "retrieve" else CampaignSerializer


class ReturnSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Return
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_name",
            "task",
            "status",
            "nil",
            "note",
            "submitted_on",
            "late",
            "decision_note",
            "version",
        ]


class ReturnViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    queryset = Return.objects.all()

    def get_queryset(self):
        return (
            Return.objects.restrict(self.request.user)
            .select_related("unit", "campaign")
            .order_by("campaign", "unit__path")
        )
