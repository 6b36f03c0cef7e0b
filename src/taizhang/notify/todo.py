"""The notification module's list in the to-do centre (tasks/todo.py): 督办单 not yet answered.

A notice waits for the unit that leads its task until the unit reports progress on or after the day it
was issued (the task's activity date catches up) or the task is closed.
"""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.deadlines import DeadlineKind
from taizhang.core.permissions import MANAGE_LEDGER, REPORT_PROGRESS, grants
from taizhang.notify.models import Notice
from taizhang.tasks.actions import answers_q
from taizhang.tasks.models import DONE, Task
from taizhang.tasks.todo import Extra


def notices_to_answer(user):
    if not grants(user, REPORT_PROGRESS) or grants(user, MANAGE_LEDGER):
        return None
    notices = Notice.objects.exclude(task__status__in=DONE).filter(task__activity_on__lt=F("issued_on"))
    q = answers_q(user)
    if q is not None:
        notices = notices.filter(task__in=Task.objects.filter(q))
    return notices.select_related("task__lead_unit", "task__source").order_by("issued_on", "pk")


def monthly_report_due(on):
    """Long-term tasks owe a report each month from the rules' day (RuleSet.periodic_day, per ledger where
    a ledger has its own rules) until one is made that month."""
    from taizhang.notify.engine import LONG_TERM, rule_sets

    default, per_source = rule_sets()
    late = [source for source, rules in per_source.items() if rules.periodic_day > on.day]
    early = [source for source, rules in per_source.items() if rules.periodic_day <= on.day]
    ledgers = ~Q(source_id__in=late) if default.periodic_day <= on.day else Q(source_id__in=early)
    kinds = [*LONG_TERM, DeadlineKind.DATED_LONG_TERM]
    return Q(deadline_kind__in=kinds, activity_on__lt=on.replace(day=1)) & ledgers


def _reason(notice) -> str:
    return f"{notice.number}（{notice.get_level_display()}）"


NOTICES_TO_ANSWER = Extra("notices", _("Notices to answer"), notices_to_answer, _reason, "progress-form")
