from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "taizhang.tasks"
    label = "tasks"
    verbose_name = _("Tasks")

    def ready(self):
        from taizhang.core.timeline import register_phrases
        from taizhang.tasks.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        from taizhang.core.audit_objects import register_state
        from taizhang.tasks.actions import TASK_FIELDS
        from taizhang.tasks.models import Task

        # replayed by `verify_audit --objects`; a task's origin was its finding in events before risks
        register_state(Task, [*TASK_FIELDS, "version"], renamed={"finding": "origin"})
