"""Reminders, supervision notices (督办单), deliveries through channels, preferences, working days."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.org.models import Unit
from taizhang.tasks.models import Task
from taizhang.tasks.origins import Source


class RuleSet(models.Model):
    """The organisation's reminder rules (source=None), or one source's overrides."""

    source = models.OneToOneField(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    before_days = models.JSONField(_("days before the deadline"), default=list, blank=True)
    on_the_day = models.BooleanField(_("on the day"), null=True, blank=True)
    overdue_daily_days = models.PositiveSmallIntegerField(
        _("overdue: daily for this many days, then weekly"), null=True, blank=True
    )
    lagging_days = models.PositiveSmallIntegerField(_("lagging after days without progress"), null=True, blank=True)
    periodic_day = models.PositiveSmallIntegerField(_("long-term progress due on day of month"), null=True, blank=True)
    review_wait_days = models.PositiveSmallIntegerField(_("close-out waiting for review, days"), null=True, blank=True)
    report_due_days = models.PositiveSmallIntegerField(_("days before a source's report is due"), null=True, blank=True)
    escalate_head_days = models.PositiveSmallIntegerField(_("days overdue before the unit head"), null=True, blank=True)
    escalate_leader_days = models.PositiveSmallIntegerField(_("days overdue before the leader"), null=True, blank=True)
    escalate_office_days = models.PositiveSmallIntegerField(_("days overdue before the office"), null=True, blank=True)

    DEFAULTS = {
        "before_days": [7, 3, 1],
        "on_the_day": True,
        "overdue_daily_days": 7,
        "lagging_days": 30,
        "periodic_day": 25,
        "review_wait_days": 5,
        "report_due_days": 7,
        "escalate_head_days": 3,
        "escalate_leader_days": 7,
        "escalate_office_days": 14,
    }

    def __str__(self):
        return f"rules for {self.source or 'the organisation'}"


class Level(models.TextChoices):
    BLUE = "blue", _("Blue (due soon)")
    YELLOW = "yellow", _("Yellow (lagging)")
    RED = "red", _("Red (overdue)")


class Notice(models.Model):
    """督办单: a formal reminder at a level, numbered per year."""

    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notices")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notices")
    rule = models.CharField(max_length=30)
    period = models.CharField(max_length=20)
    reason = models.TextField(_("reason"))
    issued_on = models.DateField(_("date"))

    class Meta:
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="notice_number_unique"),
            models.UniqueConstraint(fields=["task", "level", "period"], name="notice_once_per_period"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"督办〔{self.year}〕{self.serial}号"


class NoticeCounter(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu robot")


ROBOTS = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU)


class UnitChannel(models.Model):
    """A group robot a unit reads (its webhook, and the signing secret where the robot has one)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="robots")
    kind = models.CharField(_("kind"), max_length=10, choices=[(c, c.label) for c in ROBOTS])
    webhook = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()}"


class Preference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference")
    email = models.BooleanField(_("also by e-mail"), default=True)
    digest = models.BooleanField(_("one daily digest instead of single messages"), default=False)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    def __str__(self):
        return f"preferences of {self.user}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message to one recipient (a user, or a unit's robot) through one channel.

    Unique per task, rule, period, recipient and channel: running the engine twice for the same moment
    inserts nothing new, and a conditional UPDATE claims each row for exactly one sender.
    """

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=30)
    period = models.CharField(max_length=20)
    level = models.CharField(max_length=10, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    robot = models.ForeignKey(UnitChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    # Who took the step a message tells of (None: the reminder engine's own messages).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_key = models.CharField(max_length=40)  # "t<task id>" or "s<source id>"
    recipient_key = models.CharField(max_length=40)  # "u<user id>" or "r<robot id>"
    audience = models.CharField(max_length=12, blank=True)  # liaison, owner, unit_head, leader, office, unit
    text = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField()
    claimed_by = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # a claim this old lost its run (see engine)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "rule", "period", "channel", "recipient_key"], name="delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "not_before"], name="delivery_due"),
            models.Index(fields=["user", "channel", "read_at"], name="delivery_inbox"),
        ]

    def __str__(self):
        return f"{self.channel}:{self.recipient_key} {self.rule}"

    @property
    def asks(self) -> bool:
        """The message asks its reader to act (a reminder, or a step that waits for them)."""
        return not self.rule.startswith("step.") or self.rule.removeprefix("step.") in ASKING_STEPS


# Steps whose message waits for its reader (notify/steps.py); the others only inform.
ASKING_STEPS = {"apply_close", "confirm", "reject", "reopen", "extension_request"}
