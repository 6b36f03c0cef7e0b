"""Risk API: risks (with their assessments and reviews), campaigns and returns, scoped as the pages
are (out of scope: 404), filtered by the pages' FilterSets. Writes are the pages' steps (identify,
assess, review, clear, close, reopen; submit and decide a return), each through the same action, so
the API can do nothing a page could not and every write is in the audit chain."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.api import validated
from taizhang.core.api_history import AuditEventSerializer
from taizhang.core.audit import history
from taizhang.org.models import Person, Unit
from taizhang.risks import actions, actions_campaign, progress
from taizhang.risks.filters import CampaignFilter, ReturnFilter, RiskFilter
from taizhang.risks.matrix import Level
from taizhang.risks.models import Assessment, AssessmentKind, Campaign, Return, Review, Risk
from taizhang.tasks.origins import Category, SourceKind


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


class RiskInput(serializers.Serializer):
    """A risk as identified: the register's fields; scope and rights are the action's to check."""

    text = serializers.CharField(max_length=2000)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(source__kind=SourceKind.RISK_REGISTER), required=False, allow_null=True
    )
    number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    forms = serializers.CharField(required=False, allow_blank=True)
    posts = serializers.CharField(max_length=300, required=False, allow_blank=True)
    controls = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    owner_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    leader = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    leader_text = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssessInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssessmentKind.choices, default=AssessmentKind.INHERENT)
    likelihood = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    impact = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    exposure = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    level = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    assessed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1)


class ReviewInput(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True)
    participants = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    conclusion = serializers.CharField()
    likelihood = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    impact = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1)


class NoteInput(serializers.Serializer):
    note = serializers.CharField()
    version = serializers.IntegerField(min_value=1)


class RiskViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    queryset = Risk.objects.all()

    def get_queryset(self):
        risks = Risk.objects.restrict(self.request.user).select_related("origin__category", "unit").order_by("pk")
        return risks.prefetch_related("assessments", "reviews") if self.action != "list" else risks

    def get_serializer_class(self):
        return RiskSerializer if self.action == "list" else RiskDetailSerializer

    def _respond(self, risk, status=200):
        return Response(RiskDetailSerializer(self.get_queryset().get(pk=risk.pk)).data, status=status)

    @extend_schema(request=RiskInput, responses={201: RiskDetailSerializer})
    def create(self, request, *args, **kwargs):
        return self._respond(actions.save_risk(None, validated(RiskInput, request), by=request.user), status=201)

    @extend_schema(request=AssessInput, responses=RiskDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def assess(self, request, pk=None):
        risk, data = self.get_object(), validated(AssessInput, request)
        actions.assess(risk, data, by=request.user, version=data.pop("version"))
        return self._respond(risk)

    @extend_schema(request=ReviewInput, responses=RiskDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        risk, data = self.get_object(), validated(ReviewInput, request)
        actions.record_review(risk, data, by=request.user, version=data.pop("version"))
        return self._respond(risk)

    @extend_schema(request=NoteInput, responses=RiskDetailSerializer, description="清零: a signed step.")
    @action(detail=True, methods=["post"], filter_backends=[])
    def clear(self, request, pk=None):
        risk, data = self.get_object(), validated(NoteInput, request)
        return self._respond(actions.clear(risk, by=request.user, note=data["note"], version=data["version"]))

    @extend_schema(request=NoteInput, responses=RiskDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        risk, data = self.get_object(), validated(NoteInput, request)
        return self._respond(actions.close(risk, by=request.user, reason=data["note"], version=data["version"]))

    @extend_schema(request=NoteInput, responses=RiskDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request, pk=None):
        risk, data = self.get_object(), validated(NoteInput, request)
        return self._respond(actions.reopen(risk, by=request.user, reason=data["note"], version=data["version"]))

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


class SubmitInput(serializers.Serializer):
    nil = serializers.BooleanField(default=False, help_text="零报告: the unit head's attestation")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class DecideInput(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


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

    def _respond(self, ret):
        return Response(ReturnSerializer(self.get_queryset().get(pk=ret.pk)).data)

    @extend_schema(request=SubmitInput, responses=ReturnSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        ret, data = self.get_object(), validated(SubmitInput, request)
        return self._respond(actions_campaign.submit(ret, by=request.user, **data))

    @extend_schema(request=DecideInput, responses=ReturnSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        ret, data = self.get_object(), validated(DecideInput, request)
        return self._respond(actions_campaign.decide(ret, by=request.user, **data))
