from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "taizhang.duties"
    label = "duties"
    verbose_name = _("Responsibility system")

    def ready(self):
        from taizhang.core import maintenance
        from taizhang.core.audit_objects import register_state
        from taizhang.core.timeline import register_phrases
        from taizhang.duties import actions, bodies, training, views_sheets
        from taizhang.duties.models import Body, DutyItem, DutyList, Letter, Meeting, Training
        from taizhang.tasks import kinds
        from taizhang.tasks.origins import OriginKind, SourceKind

        # what the engine's pages link to for a list's occurrences and for a meeting's decisions
        kinds.register_origin(OriginKind.DUTY, kinds.OriginPages(label=_("responsibility item")))
        kinds.register_origin(OriginKind.MEETING, kinds.OriginPages(label=_("meeting"), detail="duties:meeting"))
        kinds.register(
            [SourceKind.DUTY_LIST],
            kinds.SourcePages(
                report="duties:list",
                report_label=_("Responsibility list (责任清单)"),
                record="duties:task_record",
                record_label=_("Record of carrying it out (履责记实)"),
            ),
        )
        kinds.register_record_closed(actions.is_letter_task)  # signing the letter closes it, no close-out steps
        register_phrases(actions.EVENT_PHRASES, actions.EVENT_KEYS)
        from taizhang.core import jobs

        jobs.register("duties.import", views_sheets.run_import)  # a confirmed import runs on the queue
        maintenance.register_task("expire_duty_uploads", views_sheets.expire_uploads)
        register_state(DutyList, actions.LIST_FIELDS)  # replayed by `verify_audit --objects`
        register_state(DutyItem, actions.ITEM_FIELDS)
        register_state(Meeting, actions.MEETING_FIELDS, renamed={"absences": "absence_note"})
        register_state(Letter, actions.LETTER_FIELDS)
        register_state(Training, training.TRAINING_FIELDS)
        register_state(Body, bodies.BODY_FIELDS)
