from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from taizhang.core import maintenance, startup, workers  # noqa: F401 - startup registers the static files check
        from taizhang.core.audit import anchor_if_due
        from taizhang.core.models import StoredFile

        maintenance.register_task("audit_anchor", anchor_if_due)
        maintenance.register_task("jobs_lost", workers.reap)  # (every worker reaps too, every few seconds)
        maintenance.register_files("files", lambda: set(StoredFile.objects.values_list("storage_name", flat=True)))
        from taizhang.core import jobs
        from taizhang.core.timeline import register_phrases

        maintenance.register_task("expire_job_files", jobs.expire)
        maintenance.register_files(jobs.PREFIX, jobs.kept_files)
        register_phrases(jobs.EVENT_PHRASES)
