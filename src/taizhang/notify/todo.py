"""The notification module's list in the to-do centre (tasks/todo.py): 督办单 not yet answered.

A notice waits for the unit that leads its task until the unit reports progress on or after the day it
was issued (the task's activity date catches up) or the task is closed.
"""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

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


def _reason(notice) -> str:
    return f"{notice.number}（{notice.get_level_display()}）"


NOTICES_TO_ANSWER = Extra("notices", _("Notices to answer"), notices_to_answer, _reason, "progress-form")
