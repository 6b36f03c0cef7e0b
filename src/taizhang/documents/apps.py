from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "taizhang.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from taizhang.core import jobs
        from taizhang.documents.views import make_report

        jobs.register("documents.report", make_report)
