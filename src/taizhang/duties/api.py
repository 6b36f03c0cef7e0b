"""Responsibility system API: lists (with their items), meetings (with their absences and their
decisions' task ids), trainings and working bodies (with their members), scoped as the pages are (out
of scope: 404), filtered by the pages' FilterSets. Writes are the pages' steps (issue a list and add its
items, minute a meeting and add its decisions, record a training, set up a body and add its members),
each through the same action, so the API can do nothing a page could not and every write is in the
audit chain. The decisions and occurrences themselves are tasks, reported on through /api/tasks/."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from taizhang.core.api import validated
from taizhang.core.filtering import ID_MAX
from taizhang.duties import actions, bodies, training
from taizhang.duties.filters import BodyFilter, DutyListFilter, MeetingFilter, TrainingFilter
from taizhang.duties.models import (
    Absence,
    Body,
    BodyKind,
    BodyMember,
    DutyItem,
    DutyList,
    Meeting,
    MeetingKind,
    Subject,
    Training,
    TrainingLayer,
)
from taizhang.org.models import Person, Unit
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


class TrainingSerializer(serializers.ModelSerializer):
    layer_name = serializers.CharField(source="layer.name", read_only=True)

    class Meta:
        model = Training
        fields = ["id", "layer", "layer_name", "unit", "date", "hours", "organiser", "topic", "attendees", "materials"]


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


# --- inputs of the writes -------------------------------------------------------------------------


def _units():
    return serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())


def _person(**extra):
    return serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True, **extra)


class ListInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    issuer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    starts_on = serializers.DateField(required=False)
    common = serializers.BooleanField(default=True)
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True)


class ItemInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    subject = serializers.ChoiceField(choices=Subject.choices, default=Subject.ORGANISATION)
    person = _person()
    areas = serializers.CharField(max_length=300, required=False, allow_blank=True)
    frequency = serializers.CharField(max_length=100)
    supervisor = serializers.CharField(max_length=200, required=False, allow_blank=True)
    done_when = serializers.CharField(required=False, allow_blank=True)


class AbsenceInput(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MeetingInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.COMMITTEE)
    unit = _units()
    body = serializers.PrimaryKeyRelatedField(queryset=Body.objects.all(), required=False, allow_null=True)
    date = serializers.DateField()
    topics = serializers.CharField(max_length=2000)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chair = serializers.CharField(max_length=100, required=False, allow_blank=True)
    attendees = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    absences = AbsenceInput(many=True, required=False)
    absence_note = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    materials = serializers.CharField(required=False, allow_blank=True)

    def validate_absences(self, value):
        return [(row["person"], row["reason"]) for row in value]


class MeetingDecisionInput(serializers.Serializer):
    measure = serializers.CharField(max_length=2000)
    lead_unit = _units()
    leader = _person()
    owner = _person()
    deadline = serializers.CharField(max_length=200)
    target = serializers.CharField(required=False, allow_blank=True)


class CountInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=ID_MAX)  # a longer number names nothing: a 400


class TrainingInput(serializers.Serializer):
    layer = serializers.PrimaryKeyRelatedField(queryset=TrainingLayer.objects.all())
    unit = _units()
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    topic = serializers.CharField(max_length=300)
    organiser = serializers.CharField(max_length=200, required=False, allow_blank=True)
    attendees = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    materials = serializers.CharField(required=False, allow_blank=True)


class BodyInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=BodyKind.choices, default=BodyKind.JOINT)
    lead_unit = _units()
    duties = serializers.CharField(required=False, allow_blank=True)
    set_up_on = serializers.DateField(required=False, allow_null=True)


class MemberInput(serializers.Serializer):
    unit = _units()
    representative = _person()
    part = serializers.CharField(max_length=50, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False)


class DutyListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"  # a longer number names nothing: 404, not an overflow
    serializer_class = DutyListSerializer
    filterset_class = DutyListFilter
    queryset = DutyList.objects.all()

    def get_queryset(self):
        lists = DutyList.objects.restrict(self.request.user).select_related("source").order_by("-year", "pk")
        return lists.prefetch_related("units", "items__origin")

    @extend_schema(request=ListInput, responses={201: DutyListSerializer})
    def create(self, request, *args, **kwargs):
        made = actions.issue_list(validated(ListInput, request), by=request.user)
        return Response(DutyListSerializer(self.get_queryset().get(pk=made.pk)).data, status=201)

    @extend_schema(request=ItemInput, responses={201: DutyListSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def items(self, request, pk=None):
        duty_list = self.get_object()
        actions.add_item(duty_list, validated(ItemInput, request), by=request.user)
        return Response(DutyListSerializer(self.get_queryset().get(pk=duty_list.pk)).data, status=201)


class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    queryset = Meeting.objects.all()

    def get_queryset(self):
        seen = Task.objects.restrict(self.request.user).order_by("pk").only("pk", "origin_id")
        meetings = Meeting.objects.restrict(self.request.user).select_related("origin", "unit")
        decisions = Prefetch("origin__tasks", queryset=seen, to_attr="seen_tasks")
        return meetings.prefetch_related("attendees", "absences", decisions).order_by("-date", "pk")

    @extend_schema(request=MeetingInput, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        made = actions.record_meeting(validated(MeetingInput, request), by=request.user)
        return Response(MeetingSerializer(self.get_queryset().get(pk=made.pk)).data, status=201)

    @extend_schema(request=MeetingDecisionInput, responses={201: MeetingSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def decisions(self, request, pk=None):
        meeting = self.get_object()
        actions.add_decision(meeting, validated(MeetingDecisionInput, request), by=request.user)
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=201)

    @extend_schema(request=CountInput, responses=MeetingSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def count(self, request, pk=None):
        meeting = self.get_object()
        item = actions.countable_items(meeting).filter(pk=validated(CountInput, request)["item"]).first()
        if item is None:
            raise serializers.ValidationError({"item": _("Choose one of the items the unit still has to carry out.")})
        actions.count_meeting(meeting, item, by=request.user)
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


class TrainingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    queryset = Training.objects.all()

    def get_queryset(self):
        trainings = Training.objects.restrict(self.request.user)
        return trainings.select_related("layer").prefetch_related("attendees").order_by("-date", "pk")

    @extend_schema(request=TrainingInput, responses={201: TrainingSerializer})
    def create(self, request, *args, **kwargs):
        made = training.record_training(validated(TrainingInput, request), by=request.user)
        return Response(TrainingSerializer(self.get_queryset().get(pk=made.pk)).data, status=201)


class BodyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = BodySerializer
    filterset_class = BodyFilter
    queryset = Body.objects.all()

    def get_queryset(self):
        return Body.objects.restrict(self.request.user).prefetch_related("members__unit").order_by("name")

    @extend_schema(request=BodyInput, responses={201: BodySerializer})
    def create(self, request, *args, **kwargs):
        made = bodies.create_body(validated(BodyInput, request), by=request.user)
        return Response(BodySerializer(self.get_queryset().get(pk=made.pk)).data, status=201)

    @extend_schema(request=MemberInput, responses={201: BodySerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def members(self, request, pk=None):
        body, data = self.get_object(), validated(MemberInput, request)
        bodies.add_member(body, data, by=request.user, version=data.get("version"))
        return Response(BodySerializer(self.get_queryset().get(pk=body.pk)).data, status=201)
