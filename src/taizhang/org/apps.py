from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "taizhang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from taizhang.org import signals  # noqa: F401  (registers the sign-in audit handlers)
