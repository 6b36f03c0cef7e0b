"""The risk figures of the home page, each linked to the register's list that counts the same rows
(the same FilterSet conditions: `tests/test_pages.py` checks every figure against its list)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from taizhang.risks import progress
from taizhang.risks.filters import overdue_review_q
from taizhang.risks.matrix import COLOUR, LEVELS, Level
from taizhang.risks.models import OPEN_RISK, Campaign, Risk, RiskStatus
from taizhang.tasks.models import today


def _link(**query) -> str:
    return f"{reverse('risks:register')}?{urlencode(query)}"


def counts(user, year: int) -> dict:
    """The register's figures in one aggregate: all, open, open by level, being disposed of, review
    overdue, cleared in `year` (the home panel and the report read the same)."""
    open_q = Q(status__in=OPEN_RISK)
    return (
        Risk.objects.restrict(user)
        .order_by()
        .aggregate(
            total=Count("pk"),
            open=Count("pk", filter=open_q),
            disposing=Count("pk", filter=Q(status=RiskStatus.DISPOSING)),
            overdue=Count("pk", filter=overdue_review_q()),
            cleared=Count("pk", filter=Q(status=RiskStatus.CLEARED, cleared_on__year=year)),
            **{level: Count("pk", filter=open_q & Q(level=level)) for level in LEVELS},
        )
    )


def home_figures(user) -> dict | None:
    """None when the user sees no risk and no campaign (the home page then shows no risk panel)."""
    risks = Risk.objects.restrict(user)
    year = today().year
    open_q = Q(status__in=OPEN_RISK)
    counts_ = counts(user, year)
    campaigns = list(Campaign.objects.restrict(user).select_related("source").order_by("-due_on", "-pk")[:3])
    if not counts_["total"] and not campaigns:
        return None
    by_unit = (
        risks.filter(open_q)
        .order_by()
        .values("unit", "unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__name")[:8]
    )
    rates = progress.return_rates([c.pk for c in campaigns], user)
    return {
        "open": {"n": counts_["open"], "link": _link(status="open")},
        "levels": [
            {
                "level": lv,
                "label": Level(lv).label,
                "colour": COLOUR[lv],
                "n": counts_[lv],
                "link": _link(level=lv, status="open"),
            }
            for lv in LEVELS
        ],
        "overdue": {"n": counts_["overdue"], "link": _link(overdue_review="true")},
        "cleared": {"n": counts_["cleared"], "year": year, "link": _link(status=RiskStatus.CLEARED, cleared_year=year)},
        "by_unit": [
            {"name": row["unit__name"], "n": row["n"], "link": _link(unit=row["unit"], status="open")}
            for row in by_unit
        ],
        "campaigns": [
            {
                "campaign": c,
                "rate": rates.get(c.pk, {"rate": 0, "done": 0, "total": 0}),
                "link": reverse("risks:campaign", args=[c.pk]),
            }
            for c in campaigns
        ],
    }
