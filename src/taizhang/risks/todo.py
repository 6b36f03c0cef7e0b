"""The office's to-do list of returns submitted and waiting for its decision (tasks.todo's extras)."""

from django.utils.translation import gettext_lazy as _

from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.risks.models import Return, ReturnStatus
from taizhang.tasks.origins import Source
from taizhang.tasks.todo import Extra


def returns_to_decide(user):
    """Submitted returns of the campaigns the user's office manages (one query on the returns' status)."""
    if not grants(user, MANAGE_LEDGER):
        return None
    campaigns = Source.objects.managed_by(user).values("pk")
    rows = Return.objects.filter(status=ReturnStatus.SUBMITTED, campaign_id__in=campaigns)
    return rows.select_related("task__lead_unit", "task__source").order_by("submitted_on", "pk")


RETURNS_TO_DECIDE = Extra(
    "returns",
    _("Returns to review"),
    returns_to_decide,
    lambda r: _("nil return") if r.nil else _("return submitted"),
    "task-record",
)
