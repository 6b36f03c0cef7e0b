"""The risk register (风险台账) and special investigations (专项排查), on the supervision engine.

A risk is an `Origin` of kind risk in the organisation's register (a `Source` of kind risk_register):
its risk point is the origin's text, its area the origin's category, so every list of tasks shows a
disposal task's risk as it shows a finding. What only a risk has is here, one-to-one with its origin.
Each due review (研判) and each campaign return is a task, so reminders, notices, escalation and
lights come from the engine: recording the review, or submitting the return, fulfils the task.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import StoredFile
from taizhang.core.permissions import RestrictedQuerySet, Scope
from taizhang.org.models import Person, Unit, UnitGroup, unit_scope_q
from taizhang.risks.matrix import Level, Scheme
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Category, Origin, Source


class RiskMatrix(models.Model):
    """One version of an assessment scheme. A version an assessment used is never changed: an edit
    makes the next version of the same family, and old assessments keep theirs."""

    family = models.SlugField(max_length=40, default="default")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(_("name"), max_length=100)
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices, default=Scheme.MATRIX)
    config = models.JSONField(default=dict)
    current = models.BooleanField(default=True)  # the version new assessments of this family use
    is_default = models.BooleanField(default=False)  # the organisation's own matrix (one family)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="matrix_family_version"),
            models.UniqueConstraint(fields=["family"], condition=Q(current=True), name="matrix_one_current"),
        ]
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    DISPOSING = "disposing", _("Being disposed of")
    CLEARED = "cleared", _("Cleared")
    CLOSED = "closed", _("Closed without disposal")


OPEN_RISK = (RiskStatus.IDENTIFIED, RiskStatus.ASSESSED, RiskStatus.DISPOSING)


class RiskQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            if not user.person_id:
                return Q(pk__in=[])
            return Q(owner_id=user.person_id) | Q(leader_id=user.person_id)
        return unit_scope_q(user, "unit__")


class Risk(models.Model):
    origin = models.OneToOneField(Origin, primary_key=True, on_delete=models.CASCADE, related_name="risk")
    # Stable across exports and databases: an exported register edited offline is matched back by it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+")
    forms = models.TextField(_("how it shows (表现形式)"), blank=True)
    posts = models.CharField(_("posts concerned"), max_length=300, blank=True)
    controls = models.TextField(_("controls in place (防控措施)"), blank=True)
    owner = models.ForeignKey(
        Person, verbose_name=_("person responsible"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_text = models.CharField(_("person responsible (as written)"), max_length=200, blank=True)
    leader = models.ForeignKey(
        Person, verbose_name=_("responsible leader"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader_text = models.CharField(_("responsible leader (as written)"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    # The assessment in force (the latest; residual once recorded), copied here for the register's
    # filters and the heat map: one indexed row a risk, no join to the history.
    matrix = models.ForeignKey(RiskMatrix, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    review_task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign_return = models.ForeignKey(
        "Return", null=True, blank=True, on_delete=models.SET_NULL, related_name="new_risks"
    )
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["origin"]
        indexes = [
            models.Index(fields=["unit", "status", "level"], name="risk_unit_status_level"),
            models.Index(fields=["level", "status"], name="risk_level_status"),
            models.Index(fields=["likelihood", "impact"], name="risk_cell"),
        ]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self):
        return self.origin.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RISK


class AssessmentKind(models.TextChoices):
    INHERENT = "inherent", _("Inherent (before disposal)")
    RESIDUAL = "residual", _("Residual (after disposal)")


class Assessment(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices, default=AssessmentKind.INHERENT)
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="assessments")
    # empty for a level taken as written (an imported register that grades 高/中/低 without L and S)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    exposure = models.PositiveSmallIntegerField(_("exposure"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    reason = models.TextField(_("reason"), blank=True)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.get_kind_display()} {self.score} {self.get_level_display()}"


class Review(models.Model):
    """研判: the unit's periodic look at a risk. Recording it fulfils the review task it answers."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(_("date"))
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    conclusion = models.TextField(_("conclusion"))
    assessment = models.OneToOneField(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.date} {self.conclusion[:40]}"


class CampaignQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        returns = Return.objects.restrict(user).values("campaign_id")
        q = Q(pk__in=returns)
        if user.scope != Scope.OWN and user.unit_id:
            q |= unit_scope_q(user, "source__inspected_unit__")
        return q


class Campaign(models.Model):
    """专项排查: every unit in its scope returns its risks, or a nil return, by the due date."""

    source = models.OneToOneField(Source, primary_key=True, on_delete=models.CASCADE, related_name="campaign")
    instructions = models.TextField(_("instructions"), blank=True)
    notice_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice_name = models.CharField(_("notice file"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    areas = models.ManyToManyField(Category, verbose_name=_("risk areas asked about"), blank=True, related_name="+")
    scope_units = models.ManyToManyField(Unit, verbose_name=_("units"), blank=True, related_name="+")
    scope_subtrees = models.ManyToManyField(
        Unit, verbose_name=_("units and their subordinates"), blank=True, related_name="+"
    )
    scope_groups = models.ManyToManyField(UnitGroup, verbose_name=_("unit groups"), blank=True, related_name="+")
    matrix = models.ForeignKey(RiskMatrix, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("special investigation")
        verbose_name_plural = _("special investigations")

    def __str__(self):
        return self.source.title


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    SENT_BACK = "sent_back", _("Sent back")


class ReturnQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        if user.scope == Scope.OWN:
            return Q(pk__in=[])
        return unit_scope_q(user, "unit__")


class Return(models.Model):
    """One unit's return to a campaign: its risks (new, or existing ones re-assessed) or a nil return
    (零报告). Its task is what the engine chases; submitting fulfils it (late if after the due date)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="returns")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="campaign_return")
    status = models.CharField(_("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    nil = models.BooleanField(_("nil return (零报告)"), default=False)
    reassessed = models.ManyToManyField(Risk, blank=True, related_name="+")
    note = models.TextField(_("remarks"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("decision note"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="return_one_per_unit")]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return f"{self.campaign} · {self.unit}"

    @property
    def late(self) -> bool:
        return is_late(self.submitted_on, self.campaign.due_on)


def is_late(submitted_on, due_on) -> bool:
    """Submitted after the due date: accepted all the same, and shown as late (the one rule)."""
    return bool(submitted_on and submitted_on > due_on)
