"""Responsibility system API: lists (with their items) and meetings (with their decisions' task
ids), scoped as the pages are (out of scope: 404), filtered by the pages' FilterSets. Writes are the
pages' for now; the decisions themselves are tasks, reported on through /api/tasks/."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from taizhang.duties.filters import BodyFilter, DutyListFilter, MeetingFilter, TrainingFilter
from taizhang.duties.models import Absence, Body, BodyMember, DutyItem, DutyList, Meeting, Training
from taizhang.tasks.models import Task


class DutyItemSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="origin.text", read_only=True)

    class Meta:
        model = DutyItem
        fields = ["origin", "text", "subject", "person", "areas", "frequency", "supervisor", "done_when"]


class DutyListSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="source.title", read_only=True)
    items = DutyItemSerializer(many=True, read_only=True)

    class Meta:
        model = DutyList
        fields = ["source", "title", "year", "common", "starts_on", "units", "items"]


class DutyListViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = DutyListSerializer
    filterset_class = DutyListFilter
    queryset = DutyList.objects.all()

    def get_queryset(self):
        lists = DutyList.objects.restrict(self.request.user).select_related("source").order_by("-year", "pk")
        return lists.prefetch_related("units", "items__origin")


class AbsenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Absence
        fields = ["person", "reason"]


class MeetingSerializer(serializers.ModelSerializer):
    absences = AbsenceSerializer(many=True, read_only=True)
    topics = serializers.CharField(source="origin.text", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "origin",
            "kind",
            "unit",
            "unit_name",
            "date",
            "topics",
            "place",
            "chair",
            "body",
            "attendees",
            "absences",
            "absence_note",
            "minutes",
            "minutes_file_name",
            "materials",
            "decisions",
            "version",
        ]

    def get_decisions(self, meeting) -> list[int]:
        return [task.pk for task in meeting.origin.seen_tasks]  # prefetched, within the reader's scope


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    queryset = Meeting.objects.all()

    def get_queryset(self):
        seen = Task.objects.restrict(self.request.user).order_by("pk").only("pk", "origin_id")
        meetings = Meeting.objects.restrict(self.request.user).distinct().select_related("origin", "unit")
        decisions = Prefetch("origin__tasks", queryset=seen, to_attr="seen_tasks")
        return meetings.prefetch_related("attendees", "absences", decisions).order_by("-date", "pk")


class TrainingSerializer(serializers.ModelSerializer):
    layer_name = serializers.CharField(source="layer.name", read_only=True)

    class Meta:
        model = Training
        fields = ["id", "layer", "layer_name", "unit", "date", "hours", "organiser", "topic", "attendees", "materials"]


class TrainingViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    queryset = Training.objects.all()

    def get_queryset(self):
        trainings = Training.objects.restrict(self.request.user).distinct()
        return trainings.select_related("layer").prefetch_related("attendees").order_by("-date", "pk")


class BodyMemberSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = BodyMember
        fields = ["unit", "unit_name", "representative", "part"]


class BodySerializer(serializers.ModelSerializer):
    members = BodyMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = ["id", "name", "kind", "lead_unit", "duties", "set_up_on", "rules_name", "members", "version"]


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = BodySerializer
    filterset_class = BodyFilter
    queryset = Body.objects.all()

    def get_queryset(self):
        return Body.objects.restrict(self.request.user).distinct().prefetch_related("members__unit").order_by("name")
