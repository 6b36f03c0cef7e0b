from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "taizhang.rectification"
    label = "rectification"
    verbose_name = _("Rectification")

    def ready(self):
        from taizhang.rectification import lessons
        from taizhang.rectification.models import KINDS
        from taizhang.tasks import kinds
        from taizhang.tasks.origins import OriginKind, SourceKind

        kinds.register_origin(OriginKind.FINDING, kinds.OriginPages(label=_("problem"), detail="rectification:finding"))
        kinds.register(
            [k for k in KINDS if k != SourceKind.LESSONS],
            kinds.SourcePages(
                create="rectification:source_create",
                create_label=_("New source"),
                edit="rectification:source_edit",
                add_origin="rectification:finding_add",
                add_origin_label=_("Add finding"),
                report="documents:report",
                report_label=_("Rectification report"),
            ),
        )
        kinds.register(
            [SourceKind.LESSONS],
            kinds.SourcePages(
                report="rectification:lesson",
                report_label=_("Self-check results"),
                record="rectification:lesson_reply",
                record_label=_("Report the self-check result"),
            ),
        )
        kinds.register_record_closed(lessons.closed_by_record)
        from taizhang.tasks import todo

        todo.register_due(lessons.self_check_due)
        from taizhang.core.timeline import register_phrases
        from taizhang.rectification.actions import EVENT_PHRASES

        register_phrases(EVENT_PHRASES)
        register_phrases(lessons.EVENT_PHRASES)
        from taizhang.core.audit_objects import register_state
        from taizhang.rectification.actions import FINDING_FIELDS, SOURCE_FIELDS
        from taizhang.rectification.models import Finding, Source

        register_state(Source, SOURCE_FIELDS)  # replayed by `verify_audit --objects`
        register_state(Finding, FINDING_FIELDS)
