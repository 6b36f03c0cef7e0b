"""Task API: list/detail within scope, progress with files, lifecycle transitions, extensions."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from taizhang.core.api import FormDateField, FormIntegerField
from taizhang.core.api_history import AuditEventSerializer
from taizhang.core.audit import history
from taizhang.tasks import actions
from taizhang.tasks.filters import TaskFilter
from taizhang.tasks.models import Extension, Step, Task


class TaskListSerializer(serializers.ModelSerializer):
    """A list row: everything but the partners (the detail has them), so a page is one query plus a count."""

    schedule = serializers.CharField(read_only=True)
    light = serializers.CharField(read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    needs_date = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "source",
            "origin",
            "number",
            "measure",
            "lead_unit",
            "lead_unit_name",
            "leader",
            "leader_text",
            "owner",
            "owner_text",
            "deadline_kind",
            "deadline_text",
            "deadline_date",
            "needs_date",
            "extension_count",
            "status",
            "closed_on",
            "latest_progress",
            "schedule",
            "light",
            "version",
        ]


class TaskSerializer(TaskListSerializer):
    """The whole task: the list row plus its origin (a finding, a risk), target, partners and deadline details."""

    origin_kind = serializers.CharField(source="origin.kind", read_only=True, default="")
    origin_text = serializers.CharField(source="origin.text", read_only=True, default="")
    category = serializers.CharField(source="origin.category.name", read_only=True, default="")

    class Meta(TaskListSerializer.Meta):
        fields = [
            *TaskListSerializer.Meta.fields,
            "origin_kind",
            "origin_text",
            "category",
            "target",
            "partner_units",
            "partner_groups",
            "deadline_precision",
            "deadline_period",
            "original_deadline_text",
            "next_review_date",
        ]


class ProgressInput(serializers.Serializer):
    text = serializers.CharField()
    percent = FormIntegerField(required=False, min_value=0, max_value=100)
    date = FormDateField(required=False)
    version = FormIntegerField(min_value=1)
    files = serializers.ListField(child=serializers.FileField(), required=False)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=Step.values)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField()
    next_review_date = serializers.DateField(required=False)


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Extension
        fields = [
            "id",
            "task",
            "new_date",
            "reason",
            "previous_text",
            "previous_date",
            "status",
            "requested_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = [
            "task",
            "previous_text",
            "previous_date",
            "status",
            "requested_at",
            "decided_at",
            "decision_note",
        ]


class ExtensionInput(serializers.Serializer):
    new_date = serializers.DateField()
    reason = serializers.CharField()
    version = serializers.IntegerField(min_value=1)


class DecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    queryset = Task.objects.all()

    def get_queryset(self):
        queryset = Task.objects.restrict(self.request.user).select_related("lead_unit").order_by("deadline_date", "pk")
        if self.action == "list":
            return queryset
        return queryset.select_related("origin__category").prefetch_related("partner_units", "partner_groups")

    def get_serializer_class(self):
        return TaskListSerializer if self.action == "list" else TaskSerializer

    def _respond(self, task):
        return Response(TaskSerializer(self.get_queryset().get(pk=task.pk)).data)

    @extend_schema(request={"multipart/form-data": ProgressInput}, responses=TaskSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser], filter_backends=[])
    def progress(self, request, pk=None):
        task = self.get_object()
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actions.report_progress(
            task,
            by=request.user,
            text=values["text"],
            percent=values.get("percent"),
            date=values.get("date"),
            uploads=request.FILES.getlist("files"),
            version=values["version"],
        )
        return self._respond(task)

    @extend_schema(request=TransitionInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        task = self.get_object()
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actions.transition(
            task,
            values["action"],
            by=request.user,
            note=values["note"],
            version=values["version"],
            next_review_date=values.get("next_review_date"),
        )
        return self._respond(task)

    @extend_schema(methods=["GET"], responses=ExtensionSerializer(many=True))
    @extend_schema(methods=["POST"], request=ExtensionInput, responses={201: ExtensionSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def extensions(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(ExtensionSerializer(task.extensions.all(), many=True).data)
        data = ExtensionInput(data=request.data)
        data.is_valid(raise_exception=True)
        extension = actions.request_extension(task, by=request.user, **data.validated_data)
        return Response(ExtensionSerializer(extension).data, status=201)

    @extend_schema(request=DecisionInput, responses=ExtensionSerializer)
    @action(detail=True, methods=["post"], url_path=r"extensions/(?P<extension_id>\d+)/decide", filter_backends=[])
    def decide_extension(self, request, pk=None, extension_id=None):
        task = self.get_object()
        extension = get_object_or_404(task.extensions, pk=extension_id)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        extension = actions.decide_extension(extension, by=request.user, **data.validated_data)
        return Response(ExtensionSerializer(extension).data)

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        return Response(AuditEventSerializer(history(self.get_object()), many=True).data)
