"""A message at every step: who is next after a close-out step or an extension, and what they are told.

Connected to `tasks.signals.task_event` (see `NotifyConfig.ready`), so the messages are written in the
step's own transaction: a step that rolls back tells nobody, and each step tells each person once (the
delivery's period is the step's key, unique under `delivery_once`). The inbox item exists at once; an
e-mail waits for the reminder loop, which sends pending deliveries on its next pass, after the
recipient's quiet hours or in their daily digest.

Who is next (`tasks.assignees`, which the task page's "当前环节" line reads too):
- applied for close-out → the unit heads of the lead unit (the nearest leaders whose scope holds it) and
  the task's responsible leader; when nobody can confirm, the office, which may return it;
- confirmed, extension requested → the office that manages the task (the nearest scoped office, else the
  all-scope offices; administrators only when there is no office);
- verified, returned, reopened, closed directly → the lead unit's liaisons, the person responsible and
  whoever applied for the close-out;
- extension approved or rejected → the account that asked.
The actor is never told of their own step.
"""

from django.utils import timezone

from taizhang.core.deadlines import format_date
from taizhang.notify.engine import STEP_RULE, task_link, told_now
from taizhang.notify.models import Delivery
from taizhang.tasks import signals
from taizhang.tasks.assignees import who_is_next
from taizhang.tasks.models import Status, Step


def _sentence(task, event: str, by, extension) -> str:
    """What happened and what is asked, in one sentence (the measure follows after a colon)."""
    who = by.signature if by else "系统"
    if event == Step.APPLY_CLOSE:
        return f"【台账待办】{who}提交了销号申请，请审核确认"
    if event == Step.CONFIRM:
        return f"【台账待办】{who}已确认销号申请，请核验销号"
    if event == Step.VERIFY:
        if task.status == Status.PHASE_DONE:
            review = format_date(task.next_review_date) if task.next_review_date else ""
            return f"【台账通知】{who}已核验本阶段整改完成，下次复核{review}"
        return f"【台账通知】{who}已核验销号"
    if event == Step.REJECT:
        return f"【台账待办】{who}退回了销号申请，请按意见继续整改后重新申请"
    if event == Step.REOPEN:
        return f"【台账待办】{who}重新打开了任务，请继续整改"
    if event == Step.CLOSE_DIRECTLY:
        return f"【台账通知】{who}已将立行立改任务直接销号"
    if event == Step.FULFIL:
        return f"【台账通知】{who}已办结"
    if event == signals.EXTENSION_REQUEST:
        return f"【台账待办】{who}申请延期至{format_date(extension.new_date)}，请审批"
    if event == signals.EXTENSION_APPROVED:
        return f"【台账通知】{who}批准了延期申请，新时限{format_date(extension.new_date)}"
    return f"【台账通知】{who}未批准延期申请（申请延期至{format_date(extension.new_date)}），原时限不变"


NOTE_WORD = {
    Step.REJECT: "退回理由",
    Step.REOPEN: "理由",
    signals.EXTENSION_REQUEST: "理由",
    signals.EXTENSION_APPROVED: "审批意见",
    signals.EXTENSION_REJECTED: "审批意见",
}


def text_of(task, event: str, by, note: str, extension=None) -> str:
    text = f"{_sentence(task, event, by, extension)}：{task.measure[:60]}（{task.lead_unit.name}）。"
    if note:
        text += f"{NOTE_WORD.get(event, '说明')}：{note[:200]}"
    return text


def tell_next(sender, *, task, event, by, note, key, extension=None, **kwargs) -> list[str]:
    """The receiver: one message to each next person, in the step's transaction; returns their names."""
    people, audience = who_is_next(task, event, extension)
    unique = {u.pk: u for u in people if by is None or u.pk != by.pk}
    if not unique:
        return []
    now = timezone.now()
    common = {
        "task": task,
        "rule": f"{STEP_RULE}{event}"[:30],
        "period": key,
        "subject_key": f"t{task.pk}",
        "text": text_of(task, event, by, note, extension),
        "link": task_link(task),
        "created_at": now,
        "sender": by,
    }
    rows = told_now(list(unique.values()), audience, now, common)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return [user.signature for user in unique.values()]
