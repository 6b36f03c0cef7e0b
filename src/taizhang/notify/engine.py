"""The supervision engine behind `taizhang remind`: which reminders, notices and escalations are due
at a moment, who gets them through which channel, and sending each exactly once.

Selecting work: one query per rule (and per source with its own rules) with date conditions on
indexed columns, so tasks that need nothing cost nothing. Exactly once: a Delivery row is unique
per subject, rule, period, channel and recipient (inserted with ignore-conflicts), and senders claim
rows with a conditional UPDATE, so two runs on two machines never send the same message.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.deadlines import DeadlineKind
from taizhang.core.permissions import Role, Scope
from taizhang.notify import actions as notify_actions
from taizhang.notify import channels
from taizhang.notify.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Level,
    Notice,
    Preference,
    RuleSet,
    UnitChannel,
)
from taizhang.org.models import User, unit_in_scope
from taizhang.tasks.actions import answers_for
from taizhang.tasks.models import DONE, Status, Task
from taizhang.tasks.origins import Source

RULE_TEXT = {
    "before": "距整改时限还有{days}天",
    "due_today": "今天是整改时限",
    "overdue": "已逾期{days}天",
    "lagging": "已{days}天未报送进展",
    "periodic": "请报送本月进展",
    "review_wait": "销号申请已等待审核{days}天",
    "report_due": "整改报告将于{days}天后到期",
}
LIGHT_TEXT = {"before": "蓝灯", "due_today": "蓝灯", "overdue": "红灯", "lagging": "黄灯"}
LONG_TERM = (DeadlineKind.LONG_TERM, DeadlineKind.PERIODIC)
OVERDUE_WEEKS_DAYS = 3653
STEP_RULE = "step."  # the rule of a message telling the next person about a step (notify/steps.py)


@dataclass
class Rules:
    before_days: list
    on_the_day: bool
    overdue_daily_days: int
    lagging_days: int
    periodic_day: int
    review_wait_days: int
    report_due_days: int
    escalate_head_days: int
    escalate_leader_days: int
    escalate_office_days: int


def _merge(base: dict, ruleset: RuleSet | None) -> dict:
    merged = dict(base)
    if ruleset:
        for name in RuleSet.DEFAULTS:
            value = getattr(ruleset, name)
            if value not in (None, []):
                merged[name] = value
    return merged


def rule_sets() -> tuple[Rules, dict[int, Rules]]:
    """The organisation's rules and each overriding source's rules."""
    sets = {r.source_id: r for r in RuleSet.objects.all()}
    base = _merge(RuleSet.DEFAULTS, sets.pop(None, None))
    return Rules(**base), {source_id: Rules(**_merge(base, r)) for source_id, r in sets.items()}


@dataclass
class Firing:
    task: Task | None
    source: Source | None
    rule: str
    period: str
    days: int
    level: str = ""
    overdue_days: int = 0

    @property
    def subject(self) -> str:
        return f"t{self.task.pk}" if self.task else f"s{self.source.pk}"


def _open(queryset):
    return queryset.exclude(status__in=DONE)


def firings(on: dt.date) -> list[Firing]:
    default, per_source = rule_sets()
    found: list[Firing] = []
    groups = [(default, ~Q(source_id__in=list(per_source)))] + [(r, Q(source_id=s)) for s, r in per_source.items()]
    base = Task.objects.select_related("lead_unit", "leader", "owner", "source")
    for rules, scope in groups:
        tasks = _open(base.filter(scope))
        for days in rules.before_days:
            for task in tasks.filter(deadline_date=on + dt.timedelta(days=days)):
                found.append(
                    Firing(
                        task,
                        None,
                        "before",
                        f"{task.deadline_date}-{days}d",
                        days,
                        Level.BLUE,
                    )
                )
        if rules.on_the_day:
            for task in tasks.filter(deadline_date=on):
                found.append(Firing(task, None, "due_today", str(on), 0))
        # overdue: daily for the first days, then weekly — as a list of deadline dates, one indexed query
        overdue_dates = [on - dt.timedelta(days=d) for d in range(1, rules.overdue_daily_days + 1)]
        # then weekly for as long as it stays open (ten years of weeks: an old ledger's items never go quiet)
        overdue_dates += [on - dt.timedelta(days=d) for d in range(rules.overdue_daily_days + 7, OVERDUE_WEEKS_DAYS, 7)]
        for task in tasks.filter(deadline_date__in=overdue_dates):
            days = (on - task.deadline_date).days
            found.append(Firing(task, None, "overdue", str(on), days, Level.RED, days))
        # lagging: no progress for lagging_days (then again every lagging_days), deadline not near
        lag = rules.lagging_days
        lag_dates = [on - dt.timedelta(days=lag * k) for k in range(1, 25)]
        lagging = tasks.filter(activity_on__in=lag_dates).filter(
            Q(deadline_date__isnull=True) | Q(deadline_date__gte=on)
        )
        for task in lagging:
            days = (on - task.activity_on).days
            found.append(Firing(task, None, "lagging", str(on), days, Level.YELLOW))
        if on.day == rules.periodic_day:
            for task in tasks.filter(deadline_kind__in=LONG_TERM):
                found.append(Firing(task, None, "periodic", on.strftime("%Y-%m"), 0))
        wait_since = on - dt.timedelta(days=rules.review_wait_days)
        for task in base.filter(scope).filter(
            status__in=[Status.APPLIED, Status.CONFIRMED], updated_at__date=wait_since
        ):
            found.append(Firing(task, None, "review_wait", str(on), rules.review_wait_days))
    default_sources = Source.objects.exclude(pk__in=list(per_source))
    for source in default_sources.filter(report_due_date=on + dt.timedelta(days=default.report_due_days)):
        found.append(Firing(None, source, "report_due", str(source.report_due_date), default.report_due_days))
    for source_id, rules in per_source.items():
        for source in Source.objects.filter(
            pk=source_id, report_due_date=on + dt.timedelta(days=rules.report_due_days)
        ):
            found.append(Firing(None, source, "report_due", str(source.report_due_date), rules.report_due_days))
    return found


@dataclass
class Audience:
    """Accounts by unit and role, loaded once per run (the recipients of every firing come from here)."""

    liaisons: dict = field(default_factory=lambda: defaultdict(list))
    heads: dict = field(default_factory=lambda: defaultdict(list))
    by_person: dict = field(default_factory=dict)
    office: list = field(default_factory=list)

    @classmethod
    def load(cls) -> "Audience":
        audience = cls()
        for user in User.objects.filter(is_active=True).select_related("unit"):
            if user.person_id:
                audience.by_person[user.person_id] = user
            if user.role == Role.LIAISON and user.unit_id:
                audience.liaisons[user.unit_id].append(user)
            elif user.role == Role.LEADER and user.scope in (Scope.UNIT, Scope.SUBTREE) and user.unit_id:
                audience.heads[user.unit_id].append(user)
            elif user.role == Role.OFFICE:
                audience.office.append(user)
        return audience


def recipients(firing: Firing, audience: Audience, rules: Rules) -> list[tuple[User, str]]:
    """Owner and liaisons first; the longer a task is overdue, the further up the chain it goes."""
    if firing.task is None:
        # a ledger's own message (its report due) goes to the offices whose scope holds its inspected unit
        unit = firing.source.inspected_unit
        return [(u, "office") for u in audience.office if unit_in_scope(u, unit)]
    task = firing.task
    offices = [(u, "office") for u in audience.office if answers_for(u, task)]  # a scoped office: its own units
    people = [(u, "liaison") for u in audience.liaisons.get(task.lead_unit_id, [])]
    if task.owner_id in audience.by_person:
        people.append((audience.by_person[task.owner_id], "owner"))
    if firing.rule == "review_wait":
        return offices
    days = firing.overdue_days
    if days >= rules.escalate_head_days:
        people += [(u, "unit_head") for u in audience.heads.get(task.lead_unit_id, [])]
    if days >= rules.escalate_leader_days and task.leader_id in audience.by_person:
        people.append((audience.by_person[task.leader_id], "leader"))
    if days >= rules.escalate_office_days:
        people += offices
    unique = {}
    for user, role in people:
        unique.setdefault(user.pk, (user, role))
    return list(unique.values())


def task_link(task) -> str:
    """The task page at the configured base URL (a button in the inbox; appended to e-mail and robot text)."""
    return f"{settings.TAIZHANG_BASE_URL}/ledger/tasks/{task.pk}/"


def message(firing: Firing) -> tuple[str, str]:
    """The reminder's text (without its link, which each channel shows its own way) and the link."""
    what = RULE_TEXT[firing.rule].format(days=firing.days)
    if firing.task is None:
        link = f"{settings.TAIZHANG_BASE_URL}/ledger/sources/{firing.source.pk}/"
        return f"【台账督办】{firing.source.title}：{what}。", link
    task = firing.task
    light = LIGHT_TEXT.get(firing.rule, "")
    text = (
        f"【台账督办】{what}{'（' + light + '）' if light else ''}：{task.measure[:60]}。"
        f"牵头单位：{task.lead_unit.name}；{deadline_words(task)}。"
    )
    return text, task_link(task)


def deadline_words(task) -> str:
    """The deadline in force, and the original one when an extension moved it."""
    words = f"时限：{task.deadline_text or '未定'}"
    if task.extension_count and task.original_deadline_text:
        words += f"（原定{task.original_deadline_text}，已延期{task.extension_count}次）"
    return words


def _in_quiet_hours(moment: dt.datetime, pref: Preference | None) -> dt.datetime | None:
    """When quiet hours hold at `moment`, the moment they end; else None."""
    if not pref or pref.quiet_start is None or pref.quiet_end is None:
        return None
    local = timezone.localtime(moment)
    start, end, now = pref.quiet_start, pref.quiet_end, local.time()
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    end_day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(end_day, end), timezone.get_current_timezone())


def _next_digest(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    at = local.replace(hour=settings.TAIZHANG_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


def personal_rows(user, role: str, pref: Preference | None, now: dt.datetime, common: dict) -> list[Delivery]:
    """One message to one account: the inbox always, e-mail as the account's preferences say (a daily
    digest, quiet hours)."""
    person = {"user": user, "recipient_key": f"u{user.pk}", "audience": role}
    rows = [Delivery(channel=Channel.INBOX, not_before=now, **person, **common)]
    if (pref is None or pref.email) and user.email:
        later = _next_digest(now) if pref and pref.digest else now
        quiet_until = _in_quiet_hours(later, pref)
        rows.append(Delivery(channel=Channel.EMAIL, not_before=quiet_until or later, **person, **common))
    return rows


def told_now(people, audience: str, now: dt.datetime, common: dict) -> list[Delivery]:
    """A message a person's step sends to other people: each person's rows (`personal_rows`), the inbox
    item already delivered (the row is the item, nothing to send); e-mail waits for the loop."""
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=[u.pk for u in people])}
    rows = [row for user in people for row in personal_rows(user, audience, prefs.get(user.pk), now, common)]
    for row in rows:
        if row.channel == Channel.INBOX:
            row.status, row.sent_at = DeliveryStatus.SENT, now
    return rows


def plan_deliveries(found: list[Firing], now: dt.datetime) -> list[Delivery]:
    default, per_source = rule_sets()
    audience = Audience.load()
    prefs = {p.user_id: p for p in Preference.objects.all()}
    robots = defaultdict(list)
    for robot in UnitChannel.objects.filter(active=True):
        robots[robot.unit_id].append(robot)
    rows = []
    for firing in found:
        rules = per_source.get(firing.task.source_id if firing.task else firing.source.pk, default)
        text, link = message(firing)
        common = {
            "task": firing.task,
            "source": firing.source,
            "rule": firing.rule,
            "period": firing.period,
            "level": firing.level,
            "subject_key": firing.subject,
            "text": text,
            "link": link,
            "created_at": now,
        }
        for user, role in recipients(firing, audience, rules):
            rows += personal_rows(user, role, prefs.get(user.pk), now, common)
        if firing.task is not None:
            for robot in robots.get(firing.task.lead_unit_id, []):
                robot_target = {"robot": robot, "recipient_key": f"r{robot.pk}", "audience": "unit"}
                rows.append(Delivery(channel=robot.kind, not_before=now, **robot_target, **common))
    return rows


@transaction.atomic
def issue_notice(firing: Firing, on: dt.date) -> Notice | None:
    """The 督办单 for a firing that carries a level: once per task, level and deadline as written
    (a missed day still gets its notice the next day; a new deadline after an extension gets a new one)."""
    task = firing.task
    period = task.deadline_text or firing.period
    if Notice.objects.filter(task=task, level=firing.level, period=period).exists():
        return None
    return notify_actions.issue_notice(
        task, level=firing.level, rule=firing.rule, period=period, reason=message(firing)[0], on=on
    )


def claim(now: dt.datetime, token: str) -> int:
    """Claim every due pending delivery for this run: a conditional UPDATE, so no row goes to two runs."""
    return Delivery.objects.filter(status=DeliveryStatus.PENDING, not_before__lte=now).update(
        status=DeliveryStatus.SENDING, claimed_by=token, claimed_at=timezone.now()
    )


def release_stale_claims(now: dt.datetime) -> int:
    """Deliveries claimed by a run that died (killed, restarted) go back to pending and are retried.

    A run sends and marks each delivery within seconds; a claim older than
    TAIZHANG_DELIVERY_CLAIM_MINUTES lost its run. Its message may have gone out just before the run
    died, so a retried one can arrive twice: at least once, never never.
    """
    cutoff = timezone.now() - dt.timedelta(minutes=settings.TAIZHANG_DELIVERY_CLAIM_MINUTES)
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.PENDING, claimed_by="", claimed_at=None
    )


def send_claimed(token: str, now: dt.datetime) -> dict:
    counts = defaultdict(int)
    claimed = list(
        Delivery.objects.filter(claimed_by=token, status=DeliveryStatus.SENDING).select_related("user", "robot", "task")
    )
    digests = defaultdict(list)
    prefs = {p.user_id: p for p in Preference.objects.filter(digest=True)}
    for delivery in claimed:
        if delivery.channel == Channel.EMAIL and delivery.user_id in prefs:
            digests[delivery.user_id].append(delivery)
            continue
        _attempt(delivery, lambda d=delivery: channels.send(d), now, counts)
    for items in digests.values():
        # One message a day listing every item, instead of one message per item.
        lines = "\n".join(f"{i}. {channels.outside_text(d)}" for i, d in enumerate(items, start=1))
        first = items[0]
        digest = Delivery(channel=Channel.EMAIL, user=first.user, text=f"【台账】今日消息共{len(items)}条：\n{lines}")
        ok = _attempt(first, lambda digest=digest: channels.send(digest), now, counts, siblings=items[1:])
        if ok:
            counts["digests"] += 1
    _timeline([d for d in claimed if d.status == DeliveryStatus.SENT])
    return counts


def _attempt(delivery, send, now, counts, siblings=()) -> bool:
    group = [delivery, *siblings]
    try:
        send()
    except channels.DeliveryError as exc:
        for d in group:
            d.attempts += 1
            d.last_error = str(exc)[:1000]
            if d.attempts >= settings.TAIZHANG_DELIVERY_ATTEMPTS:
                d.status = DeliveryStatus.FAILED
            else:  # retried later, waiting longer each time
                d.status, d.claimed_by = DeliveryStatus.PENDING, ""
                d.not_before = now + dt.timedelta(minutes=2**d.attempts)
            d.save(update_fields=["attempts", "last_error", "status", "claimed_by", "not_before"])
        counts["failed" if group[0].status == DeliveryStatus.FAILED else "retry"] += len(group)
        return False
    for d in group:
        d.status, d.sent_at = DeliveryStatus.SENT, now
        d.save(update_fields=["status", "sent_at"])
        counts[d.channel] += 1
    return True


def _timeline(sent: list[Delivery]) -> None:
    """Each reminder on its task's timeline: one audit event per task, rule and period sent in this run."""
    grouped = defaultdict(list)
    for d in sent:
        if d.task_id and not d.rule.startswith(STEP_RULE):  # a step's message is in the step's own event
            grouped[(d.task_id, d.rule, d.period)].append(d)
    with transaction.atomic():
        for (_task_id, rule, period), items in grouped.items():
            recipients = sorted({d.recipient_key for d in items})
            channels_used = sorted({d.channel for d in items})
            escalated = {d.audience for d in items} & {"unit_head", "leader", "office"}
            action = "task.escalation" if rule == "overdue" and escalated else "task.reminder"
            audit.record(
                None,
                action,
                items[0].task,
                after={
                    "rule": rule,
                    "period": period,
                    "recipients": recipients,
                    "channels": channels_used,
                    "text": items[0].text,
                },
            )


def run(now: dt.datetime, *, dry_run: bool = False) -> dict:
    """One pass: work out what is due at `now`, record it, send it. Returns a summary."""
    on = timezone.localdate(now)
    found = firings(on)
    rows = plan_deliveries(found, now)
    if dry_run:
        return {"firings": len(found), "would_send": len(rows), "rows": rows, "found": found}
    notices = 0
    for firing in found:
        if firing.level and firing.task is not None and issue_notice(firing, on):
            notices += 1
    # Delivery rows are written here, not through an action per row: see notify/actions.py.
    planned = len(Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000))
    released = release_stale_claims(now)
    token = uuid.uuid4().hex
    claimed = claim(now, token)
    counts = send_claimed(token, now)
    summary = {"firings": len(found), "notices": notices, "claimed": claimed, "released": released, **counts}
    notify_actions.record_run(token, now, summary | {"planned": planned})
    return summary
