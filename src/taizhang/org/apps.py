from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "taizhang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from taizhang.core.timeline import register_phrases
        from taizhang.org.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        from taizhang.core.audit_objects import register_state
        from taizhang.org import (
            actions,
            models,
            signals,  # noqa: F401  (registers the sign-in audit handlers)
        )

        # replayed by `verify_audit --objects`
        register_state(models.Unit, actions.UNIT_FIELDS)
        register_state(models.UnitGroup, actions.GROUP_FIELDS)
        register_state(models.Person, actions.PERSON_FIELDS)
        register_state(models.User, actions.ACCOUNT_FIELDS)
        from taizhang.core import maintenance
        from taizhang.org import views_sync

        maintenance.register_task("expire_sync_uploads", views_sync.expire_uploads)
        maintenance.register_files(views_sync.PREFIX, set)  # a preview's upload: referenced by no record
        from taizhang.core import jobs

        jobs.register("org.sync", views_sync.run_sync)  # a previewed sync is applied on the queue
