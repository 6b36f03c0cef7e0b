from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "taizhang.risks"
    label = "risks"
    verbose_name = _("Risks")

    def ready(self):
        from taizhang.core import maintenance
        from taizhang.core.audit_objects import register_state
        from taizhang.core.timeline import register_phrases
        from taizhang.risks import actions, actions_campaign, views_import
        from taizhang.risks.actions_campaign import closed_by_record
        from taizhang.risks.models import Return, Risk
        from taizhang.risks.todo import RETURNS_TO_DECIDE
        from taizhang.tasks import kinds, todo
        from taizhang.tasks.origins import OriginKind, SourceKind

        # what the engine's pages link to for a risk and for a campaign's chased tasks
        kinds.register_origin(OriginKind.RISK, kinds.OriginPages(label=_("risk point (风险点)"), detail="risks:detail"))
        kinds.register(
            [SourceKind.CAMPAIGN],
            kinds.SourcePages(
                report="risks:campaign",
                report_label=_("Special investigation (专项排查)"),
                record="risks:task_return",
                record_label=_("Open the return"),
            ),
        )
        todo.register(RETURNS_TO_DECIDE)  # the office's returns to accept or send back
        kinds.register_record_closed(closed_by_record)
        register_phrases(actions.EVENT_PHRASES, actions.EVENT_KEYS)
        register_phrases(actions_campaign.EVENT_PHRASES)
        register_state(Risk, actions.AUDITED)  # replayed by `verify_audit --objects`
        register_state(Return, actions_campaign.RETURN_FIELDS)
        from taizhang.core import jobs

        jobs.register("risks.import", views_import.run_import)  # a confirmed import runs on the queue
        from taizhang.risks import views as register_views

        jobs.register("risks.file", register_views.make_file)  # the register page's export and report
        maintenance.register_task("expire_risk_uploads", views_import.expire_uploads)
        maintenance.register_files(views_import.PREFIX, set)  # a preview's upload: referenced by no record
