"""Table rows built in Python: the ledger's, the task list's, and the traffic light both draw (the
`light` template tag draws it too, so a light looks the same on every page).

The template engine costs about half a millisecond per ledger row (a dozen lookups, a URL, filters);
a 200-row page spent most of its time there. The same markup built in Python is several times
faster and escapes the same way.
"""

from html import escape

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.tasks import kinds
from taizhang.tasks.actions import may_manage
from taizhang.tasks.models import LIGHT_OF, Light, Schedule, Status, today


def ledger_body(groups, user) -> str:
    """The rows; a task the user may manage carries its edit link (`may_manage`: no query per row)."""
    needs_date, extended, edit = _("needs a date"), _("extended"), _("Edit")
    edit_url = reverse("tasks:task_edit", args=[0, 0])  # "/ledger/sources/0/tasks/0/edit/"
    manager = grants(user, MANAGE_LEDGER)
    lights, schedules, statuses = _escaped(Light), _escaped(Schedule), labels(Status)
    detail = reverse("tasks:detail", args=[0])[:-2]  # "/ledger/tasks/" without the placeholder id
    on = today()  # one date for the page (and one clock read, not one per row)
    links: dict = {}  # origin kind → its module's page address with a placeholder id
    parts = []
    for category, findings in groups:
        parts.append(
            format_html(
                '<tr class="table-secondary"><th colspan="9">{}</th></tr>',
                category.name if category else _("Uncategorised"),
            )
        )
        for finding, tasks in findings:
            for index, task in enumerate(tasks):
                lead = ""
                if index == 0:
                    lead = format_html(
                        '<td rowspan="{}">{}</td><td rowspan="{}" class="small">{}</td>',
                        len(tasks),
                        finding.number if finding else "",
                        len(tasks),
                        _origin_link(finding, links),
                    )
                badges = mark_safe("")  # SafeString + format_html stays safe
                if task.needs_date:
                    badges += format_html(' <span class="badge text-bg-warning">{}</span>', needs_date)
                if task.extension_count:
                    badges += format_html(
                        ' <span class="badge text-bg-info">{} ×{}</span>', extended, task.extension_count
                    )
                light = mark_safe(_light(task.schedule_on(on), lights, schedules))  # noqa: S308 - see _light
                edit_link = ""
                if manager and may_manage(user, task):
                    url = edit_url.replace("/0/tasks/0/", f"/{task.source_id}/tasks/{task.pk}/")
                    edit_link = format_html(' <a class="small text-nowrap" href="{}">{}</a>', url, edit)
                parts.append(
                    format_html(
                        '<tr>{}<td><a href="{}{}/">{}</a>{}</td><td class="small">{}</td><td class="small">{}</td>'
                        '<td class="small deadline">{}{}</td><td class="small text-nowrap">{}</td>'
                        '<td>{}</td><td class="small">{}</td></tr>',
                        lead,
                        detail,
                        task.pk,
                        task.measure,
                        edit_link,
                        task.lead_unit.name,
                        task.leader or task.leader_text,
                        task.deadline_text,
                        badges,
                        statuses[task.status],
                        light,
                        Truncator(task.latest_progress).chars(60),
                    )
                )
    if not parts:
        return format_html('<tr><td colspan="9" class="text-muted">{}</td></tr>', _("Nothing here."))
    return mark_safe("\n".join(parts))  # every part came from format_html


def _origin_link(origin, links: dict) -> str:
    """The origin's text, linked to its module's page of it when the module registered one."""
    if origin is None:
        return ""
    if origin.kind not in links:
        detail = kinds.origin_pages(origin.kind).detail
        links[origin.kind] = reverse(detail, args=[0]) if detail else ""
    url = links[origin.kind]
    if not url:
        return origin.text
    head, _zero, tail = url.rpartition("/0/")
    return format_html('<a href="{}/{}/{}">{}</a>', head, origin.pk, tail, origin.text)


def light_html(task) -> str:
    """A task's traffic light (the template tag `light`): one schedule computation for both words."""
    return mark_safe(_light(task.schedule_on(), _escaped(Light), _escaped(Schedule)))  # noqa: S308 - see _light


def _light(schedule: str, lights: dict, schedules: dict) -> str:
    """The light's colour (one of LIGHT_OF's values), with the light and the schedule state in words
    (`lights` and `schedules` hold escaped labels)."""
    light = LIGHT_OF[schedule]
    return (
        f'<span class="light light-{light}" title="{lights[light]} · {schedules[schedule]}" role="img" '
        f'aria-label="{lights[light]}"></span>'
    )


def labels(choices) -> dict:
    """value → label in the request's language, translated once per page rather than once per row."""
    return {value: str(label) for value, label in choices.choices}


def _escaped(choices) -> dict:
    return {value: escape(label) for value, label in labels(choices).items()}


def task_list_body(page, *, choosable: bool) -> str:
    """The task list's rows (`tasks/_task_table.html`): the light, the measure linked to its page with
    its ledger, the lead unit, the deadline and the status; a box to choose it for supervising.

    Written with f-strings and `html.escape` (what Django's escaping runs): format_html's lazy-text
    checks on ten values a row cost as much as fetching the rows. Every text is escaped; ids are ints."""
    on = today()
    detail = reverse("tasks:detail", args=[0])[:-2]
    lights, schedules, statuses = _escaped(Light), _escaped(Schedule), _escaped(Status)
    choose, ledger = escape(_("choose")), escape(_("ledger"))
    parts = []
    for task in page:
        pk = int(task.pk)
        box = (
            f'<td><input class="form-check-input" type="checkbox" name="task" value="{pk}" form="urge-form" '
            f'id="choose-{pk}" aria-label="{choose}"></td>'
            if choosable
            else ""
        )
        parts.append(
            f"<tr>{box}<td>{_light(task.schedule_on(on), lights, schedules)}</td>"
            f'<td><a href="{detail}{pk}/">{escape(task.measure)}</a>'
            f'<div class="small text-muted">{ledger}：{escape(task.source.title)}</div></td>'
            f'<td class="small">{escape(task.lead_unit.name)}</td><td class="small">{escape(task.deadline_text)}</td>'
            f'<td class="small text-nowrap">{statuses[task.status]}</td></tr>'
        )
    if not parts:
        return format_html('<tr><td colspan="6" class="text-muted">{}</td></tr>', _("Nothing here."))
    return mark_safe("\n".join(parts))  # noqa: S308 - every text escaped, every id an int
