from django import template

from taizhang.tasks.models import Light, Schedule, Status
from taizhang.tasks.rows import light_html

register = template.Library()


@register.filter
def light_label(value):
    return Light(value).label if value in Light.values else ""


@register.filter
def schedule_label(value):
    return Schedule(value).label if value in Schedule.values else ""


@register.filter
def status_label(value):
    return Status(value).label if value in Status.values else ""


@register.simple_tag
def light(task):
    """The task's traffic light (written in Python: lists show one per row)."""
    return light_html(task)
