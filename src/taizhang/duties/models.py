"""The responsibility system (意识形态工作责任制) on the supervision engine: a year's responsibility
lists (责任清单) and the meetings that carry it out (专题研究, 中心组学习, 联席会议).

A list is a `Source` of kind duty_list; each item is an `Origin` of kind duty in it, and each time
the item falls due for a unit (`frequency.occurrences`) is a task of that origin for that unit: the
engine reminds, lights, escalates and closes the occurrence like any task. A meeting is an `Origin`
of kind meeting in the organisation's decisions ledger (a `Source` of kind meeting): each decision
(议定事项) is a task of it, in every list, light, reminder, export and figure. A meeting linked to an
occurrence is that occurrence's evidence: the record itself, not a copy of it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import StoredFile
from taizhang.core.permissions import RestrictedQuerySet, Scope
from taizhang.org.models import Person, Unit, unit_scope_q
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Origin, Source


class Subject(models.TextChoices):
    ORGANISATION = "organisation", _("Party organisation (主体责任)")
    SECRETARY = "secretary", _("Secretary (第一责任人)")
    MEMBER = "member", _("Leadership member (一岗双责)")


class DutyListQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        """A list is seen by whoever sees one of its occurrences, or a unit it is issued to."""
        q = Q(pk__in=Task.objects.restrict(user).values("source_id"))
        if user.scope != Scope.OWN and user.unit_id:
            q |= Q(pk__in=DutyList.units.through.objects.filter(unit_scope_q(user, "unit__")).values("dutylist_id"))
        return q


class ListKind(models.TextChoices):
    LIST = "list", _("Responsibility list (责任清单)")
    INCLUSIONS = "inclusions", _("Four inclusions and four togethers (四纳入 · 四同)")
    LETTERS = "letters", _("Responsibility letters (责任书)")


class DutyList(models.Model):
    """A year's list: a common one ("1", issued by the office to a set of units) or a unit's own ("X");
    or the year's checklist of the four inclusions (四纳入) and 同部署同落实同检查同考核, the same shape."""

    source = models.OneToOneField(Source, primary_key=True, on_delete=models.CASCADE, related_name="duty_list")
    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=ListKind.choices, default=ListKind.LIST)
    common = models.BooleanField(_("common list (issued to a set of units)"), default=True)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="+")
    starts_on = models.DateField(_("counts from"))  # a list issued mid-year asks for what is still to come
    version = models.PositiveIntegerField(default=1)

    objects = DutyListQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "source__title"]
        verbose_name = _("responsibility list")

    def __str__(self):
        return self.source.title


class DutyItem(models.Model):
    """One requirement of a list for a subject; its text is the origin's, its occurrences its tasks."""

    origin = models.OneToOneField(Origin, primary_key=True, on_delete=models.CASCADE, related_name="duty_item")
    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="items")
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices, default=Subject.ORGANISATION)
    person = models.ForeignKey(
        Person, verbose_name=_("leadership member"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    areas = models.CharField(_("areas in charge"), max_length=300, blank=True)
    frequency = models.CharField(_("frequency or deadline"), max_length=100)
    supervisor = models.CharField(_("supervised by (监督主体)"), max_length=200, blank=True)
    done_when = models.TextField(_("what counts as done"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["origin__position", "pk"]
        verbose_name = _("responsibility item")

    def __str__(self):
        return self.origin.text[:60]


class MeetingKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee meeting on the subject (专题研究)")
    STUDY = "study", _("Theory-study group session (中心组学习)")
    JOINT = "joint", _("Joint meeting (联席会议)")
    GROUP = "group", _("Working group meeting (工作组会议)")
    DEPLOY = "deploy", _("Deployment meeting (专题部署会)")
    OTHER = "other", _("Other meeting")


class BodyKind(models.TextChoices):
    GROUP = "group", _("Special working group (专项工作组)")
    JOINT = "joint", _("Joint meeting (联席会议)")


class BodyQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        """A body is seen by the people of its lead unit or of a member unit; an own-items account by
        the representatives it names."""
        if user.scope == Scope.OWN:
            named = BodyMember.objects.filter(representative=user.person_id).values("body_id")
            return Q(pk__in=named) if user.person_id else Q(pk__in=[])
        return unit_scope_q(user, "lead_unit__") | Q(
            pk__in=BodyMember.objects.filter(unit_scope_q(user, "unit__")).values("body_id")
        )


class Body(models.Model):
    """A standing body that coordinates the work: a special working group or an inter-department joint
    meeting (联席会议), with its lead unit, member units and their representatives, its rules (a file),
    and its meetings (`Meeting.body`)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices, default=BodyKind.JOINT)
    lead_unit = models.ForeignKey(Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+")
    duties = models.TextField(_("remit (职责)"), blank=True)
    set_up_on = models.DateField(_("set up on"), null=True, blank=True)
    rules = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rules_name = models.CharField(_("rules (工作规则)"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("working body")

    def __str__(self):
        return self.name


class BodyMember(models.Model):
    """A member unit of a body, with the person it sends and its part (召集单位, 成员单位, …)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(Unit, verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="+")
    representative = models.ForeignKey(
        Person, verbose_name=_("representative"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("part"), max_length=50, blank=True)

    class Meta:
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["body", "unit"], name="body_member_once")]

    def __str__(self):
        return f"{self.body} · {self.unit}"


class MeetingQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            if not user.person_id:
                return Q(pk__in=[])
            # as a subquery, not a join: a join repeats a meeting per attendee and the list would need a
            # DISTINCT over every column (135 ms for 50,000 meetings, whatever the scope)
            attended = Meeting.objects.filter(attendees=user.person_id).values("pk")
            return Q(pk__in=attended) | Q(pk__in=Task.objects.restrict(user).values("origin_id"))
        return unit_scope_q(user, "unit__")


class Meeting(models.Model):
    """A meeting as minuted: its topics are its origin's text; its decisions are its origin's tasks."""

    origin = models.OneToOneField(Origin, primary_key=True, on_delete=models.CASCADE, related_name="meeting")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.COMMITTEE)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        Body, verbose_name=_("working body"), null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chaired by"), max_length=100, blank=True)
    attendees = models.ManyToManyField(Person, verbose_name=_("attendees"), blank=True, related_name="+")
    # absences as written of people the organisation does not hold (a guest, a retired member); before
    # absences were rows per person (`Absence`), every absence was written here
    absence_note = models.TextField(_("other absences, as written"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    minutes_file_name = models.CharField(_("minutes file"), max_length=200, blank=True)
    materials = models.TextField(_("study materials"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("meeting")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.origin.text[:40]}"


class Absence(models.Model):
    """Someone expected at a meeting who was not there, and why (请假事由)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="absences")
    person = models.ForeignKey(Person, verbose_name=_("absent"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="absence_once")]

    def __str__(self):
        return f"{self.person}：{self.reason}"


class TrainingLayer(models.Model):
    """Who a training is for (领导干部, 宣传思想干部, 联络员, 全体党员, 新任职干部; editable), and the
    hours a year each person of the layer is to attend."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    required_hours = models.DecimalField(_("required hours a year"), max_digits=5, decimal_places=1, default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("training layer")

    def __str__(self):
        return self.name


class TrainingQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            # a subquery, not a join (see MeetingQuerySet): the lists need no DISTINCT
            attended = Training.objects.filter(attendees=user.person_id).values("pk")
            return Q(pk__in=attended) if user.person_id else Q(pk__in=[])
        return unit_scope_q(user, "unit__")


class Training(models.Model):
    """A training session as held: its layer, organiser, topic, hours and who attended."""

    layer = models.ForeignKey(TrainingLayer, verbose_name=_("layer"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    organiser = models.CharField(_("organised by"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    attendees = models.ManyToManyField(
        Person, verbose_name=_("trainees"), blank=True, related_name="trainings_attended"
    )
    materials = models.TextField(_("materials"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("training")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic[:40]}"


class RecordLink(models.Model):
    """A meeting or a training counted as the evidence of an item's occurrence (履责记实): linking it
    fulfils the task; the record is the evidence, never a copy of it."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="duty_record")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    training = models.ForeignKey(Training, null=True, blank=True, on_delete=models.PROTECT, related_name="links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, training__isnull=True)
                | Q(meeting__isnull=True, training__isnull=False),
                name="record_link_one_record",
            )
        ]

    def __str__(self):
        return f"{self.task_id} ← {self.meeting or self.training}"


class Letter(models.Model):
    """A signed responsibility letter (责任书): the record that fulfils its unit's signing task (the
    engine chased it until then), with the scan as signed and sealed."""

    task = models.OneToOneField(Task, primary_key=True, on_delete=models.CASCADE, related_name="duty_letter")
    signer = models.CharField(_("signed by"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    scan = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    scan_name = models.CharField(_("scan"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.signer} {self.signed_on:%Y-%m-%d}"


class Inspection(models.Model):
    """An inspection of how the responsibility system is carried out (责任制落实情况检查): a ledger of
    the rectification module (a `Source` of kind special supervision) over a set of units; its checklist
    is what their lists ask of them in the year, and the findings it records are that ledger's, with
    their measures as tasks, so nothing is typed twice."""

    source = models.OneToOneField(Source, primary_key=True, on_delete=models.CASCADE, related_name="duty_inspection")
    year = models.PositiveIntegerField(_("year"))
    units = models.ManyToManyField(Unit, verbose_name=_("units inspected"), related_name="+")

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("responsibility inspection")

    def __str__(self):
        return self.source.title
