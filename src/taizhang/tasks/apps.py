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
        self._connect_tallies()

    def _connect_tallies(self):
        """Writes outside the engine's actions that change what tasks count under (see tasks.tally)."""
        from django.apps import apps as django_apps
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

        from taizhang.org.actions import subtree_moved
        from taizhang.org.models import UnitGroup
        from taizhang.tasks import tally
        from taizhang.tasks.origins import Category, Origin, Source

        post_migrate.connect(tally.after_migrate, sender=self, dispatch_uid="tasks.tally.migrate")
        subtree_moved.connect(tally.follow_move, dispatch_uid="tasks.tally.move")
        m2m_changed.connect(tally.follow_members, sender=UnitGroup.members.through, dispatch_uid="tasks.tally.members")
        # The modules save and delete these through proxies (a finding, a ledger): each is its own sender.
        # (Not a receiver without a sender: it would keep Django from fast-deleting every other model.)
        for model in django_apps.get_models():
            if issubclass(model, Origin):
                post_save.connect(tally.follow_origin, sender=model, dispatch_uid=f"tasks.tally.save.{model}")
            if issubclass(model, (Source, Category)):
                post_delete.connect(tally.follow_delete, sender=model, dispatch_uid=f"tasks.tally.delete.{model}")
            if issubclass(model, Source):
                pre_delete.connect(tally.note_tasks_before_delete, sender=model, dispatch_uid=f"tasks.tally.pre{model}")
