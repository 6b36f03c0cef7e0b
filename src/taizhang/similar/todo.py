"""The office's to-do list of possible repeat findings waiting for its decision (tasks.todo's extras)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from taizhang.core.permissions import MANAGE_LEDGER, grants
from taizhang.similar.figures import pending_q
from taizhang.similar.models import RepeatFlag
from taizhang.tasks.todo import Extra


def flags_to_decide(user):
    """Pending flags on ledgers the user's office manages (one query on the flags' status)."""
    if not grants(user, MANAGE_LEDGER):
        return None
    return RepeatFlag.objects.filter(pending_q(user)).select_related("later__source").order_by("created_at", "pk")


def _link(flag):
    return (
        reverse("rectification:finding", args=[flag.later_id]),
        flag.later.text,
        flag.later.source.title,
    )


FLAGS_TO_DECIDE = Extra(
    "repeats",
    _("Possible repeat findings to decide"),
    flags_to_decide,
    lambda f: _("similarity %(p)s%%") % {"p": round(f.score * 100)},
    "",
    link=_link,
)
