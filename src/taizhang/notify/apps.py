from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "taizhang.notify"
    label = "notify"
    verbose_name = _("Reminders")

    def ready(self):
        from taizhang.core.timeline import register_phrases
        from taizhang.notify.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        # The engine below tells of its steps; this module tells the next person (notify/steps.py).
        from taizhang.notify.steps import tell_next
        from taizhang.tasks.signals import task_event

        task_event.connect(tell_next, dispatch_uid="notify.tell_next")

        from taizhang.notify.todo import NOTICES_TO_ANSWER, monthly_report_due
        from taizhang.tasks import todo

        todo.register(NOTICES_TO_ANSWER)
        todo.register_due(monthly_report_due)
