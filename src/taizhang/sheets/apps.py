from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    name = "taizhang.sheets"
    label = "sheets"
    verbose_name = _("Spreadsheets")

    def ready(self):
        from taizhang.core.timeline import register_phrases
        from taizhang.sheets.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        from taizhang.core import maintenance
        from taizhang.sheets import actions

        maintenance.register_task("recover_imports", actions.recover_stale_imports)
        maintenance.register_task("expire_uploads", actions.expire_uploads)
        maintenance.register_files("imports", actions.referenced_uploads)
        from taizhang.core import jobs
        from taizhang.sheets import views

        jobs.register("sheets.export", views.make_export)  # the ledger page's export, on the queue
