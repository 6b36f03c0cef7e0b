"""Where tasks come from, as the engine sees it: a `Source` (an inspection round, a risk register, a
special investigation, a meeting), its categories, and each task's `Origin` (a finding, a risk, a
decision).

The engine knows an origin by its kind, number, text, category and unit, nothing more; each module
keeps what only it needs in its own table, one-to-one with the origin (`risks.Risk`), or as a proxy
when it needs nothing more (`rectification.Finding`). Lists, filters, lights, reminders, exports and
figures read these columns for every kind alike. (Until the risk register, these tables belonged to
`rectification`; their audit events still carry its labels through its proxies.)
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.permissions import RestrictedQuerySet, Scope
from taizhang.org.models import Unit, unit_scope_q


class SourceKind(models.TextChoices):
    TOUR = "tour", _("Inspection tour (巡视)")
    PATROL = "patrol", _("Patrol inspection (巡察)")
    AUDIT = "audit", _("Audit (审计)")
    SPECIAL = "special", _("Special supervision (专项督查)")
    SELF = "self", _("Self-inspection (自查)")
    ASSIGNED = "assigned", _("Assigned by higher level (上级交办)")
    MEETING = "meeting", _("Meeting decision (会议议定)")
    RISK_REGISTER = "risk_register", _("Risk register (风险台账)")
    CAMPAIGN = "campaign", _("Special investigation (专项排查)")
    DUTY_LIST = "duty_list", _("Responsibility list (责任清单)")
    MEETINGS = "meetings", _("Meeting decisions (会议议定事项)")
    LESSONS = "lessons", _("Lessons drawn (举一反三自查)")


class OriginKind(models.TextChoices):
    FINDING = "finding", _("problem")
    RISK = "risk", _("risk")
    DUTY = "duty", _("responsibility item")
    MEETING = "meeting", _("meeting")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


class SourceQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        # A source is visible to whoever can see at least one of its tasks, or the unit it concerns.
        from taizhang.tasks import tally
        from taizhang.tasks.models import Task

        visible = tally.sources_seen(user)
        if visible is None:
            visible = Task.objects.restrict(user).values("source_id")
        q = Q(pk__in=visible)
        if user.scope != Scope.OWN and user.unit_id:
            q |= unit_scope_q(user, "inspected_unit__")
        return q

    def managed_by(self, user):
        """The ledgers `user` may change as a whole (title, categories, findings, imports): every ledger in
        view for an all-scope office; for a scoped one, those inspecting a unit in its scope. Seeing a
        ledger through one of its tasks is not owning it."""
        from taizhang.core.permissions import MANAGE_LEDGER, unrestricted

        visible = self.restrict(user, MANAGE_LEDGER)
        if unrestricted(user):
            return visible
        return visible.filter(inspected_unit__in=Unit.objects.restrict(user, MANAGE_LEDGER))


class Source(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices, default=SourceKind.PATROL)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    # The unit whose ledger this is: the unit an inspection inspected, the organisation of a register.
    inspected_unit = models.ForeignKey(
        Unit, verbose_name=_("inspected unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedback_date = models.DateField(_("feedback date"))
    report_due_date = models.DateField(_("report due date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-feedback_date", "-pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    def default_report_due(self) -> dt.date:
        return add_months(self.feedback_date, settings.TAIZHANG_REPORT_DUE_MONTHS)


class Category(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("category"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["source", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="category_unique_per_source")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class OriginQuerySet(RestrictedQuerySet):
    def scope_q(self, user):
        from taizhang.tasks.models import Task

        return Q(pk__in=Task.objects.restrict(user).values("origin_id"))


def origin_visible(user, column: str) -> Exists:
    """The origin another table's `column` points at is in `user`'s view: Origin's scope (one of its
    tasks is), asked per row. For a table of few rows pointing at origins (repeat flags) this reads a
    task or two per row, where the scope's list of visible origins reads every task of the user's
    subtree (173 ms against 1 ms at 10^5 tasks)."""
    from taizhang.tasks.models import Task

    return Exists(Task.objects.restrict(user).filter(origin_id=OuterRef(column)))


class Origin(models.Model):
    """What a task answers: a finding of an inspection, a risk, a decision. Its kind says which module
    owns it; everything the engine shows of it is here."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="origins")
    # Rectification's findings were the first origins; every other module sets its own kind.
    kind = models.CharField(max_length=20, choices=OriginKind.choices, default=OriginKind.FINDING)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="origins")
    number = models.CharField(_("number"), max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(_("problem"))
    found_in = models.ForeignKey(
        Unit, verbose_name=_("found in"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = OriginQuerySet.as_manager()

    class Meta:
        ordering = ["source", "position", "pk"]
        verbose_name = _("origin")
        verbose_name_plural = _("origins")

    def __str__(self):
        return self.label(self.number, self.text)

    @staticmethod
    def label(number: str, text: str) -> str:
        """How an origin is named in lists and the audit trail (bulk imports name it without an instance)."""
        return f"{number}. {text[:60]}" if number else text[:60]
