from django import template

from taizhang.tasks.models import Light, Schedule, Status

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


@register.inclusion_tag("tasks/_light.html")
def light(task):
    return {"light": task.light, "label": light_label(task.light), "schedule": schedule_label(task.schedule)}
