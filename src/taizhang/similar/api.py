"""Repeat flags (屡查屡犯) in the API: read them, decide them, and the appraisal's indicator per unit.
The similar findings of one finding are `GET /api/findings/{id}/similar/` (rectification.api)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from taizhang.core.api import validated
from taizhang.core.filtering import whole_number
from taizhang.similar import actions, figures
from taizhang.similar.filters import RepeatFlagFilter
from taizhang.similar.models import FlagStatus, RepeatFlag


class RepeatFlagSerializer(serializers.ModelSerializer):
    earlier_text = serializers.CharField(source="earlier.text", read_only=True)
    later_text = serializers.CharField(source="later.text", read_only=True)
    earlier_source = serializers.IntegerField(source="earlier.source_id", read_only=True)
    later_source = serializers.IntegerField(source="later.source_id", read_only=True)

    class Meta:
        model = RepeatFlag
        fields = [
            "id",
            "earlier",
            "later",
            "earlier_text",
            "later_text",
            "earlier_source",
            "later_source",
            "score",
            "status",
            "note",
            "decided_at",
        ]


class RepeatDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[FlagStatus.CONFIRMED.value, FlagStatus.DISMISSED.value])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class IndicatorSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    repeat_findings = serializers.IntegerField()


class RepeatFlagViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = RepeatFlagSerializer
    filterset_class = RepeatFlagFilter
    queryset = RepeatFlag.objects.all()

    def get_queryset(self):
        return RepeatFlag.objects.restrict(self.request.user).select_related("earlier", "later").order_by("pk")

    @extend_schema(request=RepeatDecisionInput, responses=RepeatFlagSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request, pk=None):
        flag, data = self.get_object(), validated(RepeatDecisionInput, request)
        confirm = data["decision"] == FlagStatus.CONFIRMED
        flag = actions.decide(flag, by=request.user, confirm=confirm, note=data["note"])
        return Response(RepeatFlagSerializer(self.get_queryset().get(pk=flag.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": 1, "maximum": 9999},
                description="the rounds' year (default: this year)",
            )
        ],
        responses=IndicatorSerializer(many=True),
        description="The appraisal's indicator: confirmed repeat findings of the year's rounds, by unit.",
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def indicator(self, request):
        given = (request.query_params.get("year") or "").strip()
        year = whole_number(given) if given else timezone.localdate().year
        if not year or not 1 <= year <= 9999:
            raise ApiValidationError({"year": ["年份应为 1 至 9999 之间的整数，例如 2026。"]})
        counts = figures.by_unit(year, request.user)
        return Response([{"unit": unit, "repeat_findings": n} for unit, n in sorted(counts.items())])
