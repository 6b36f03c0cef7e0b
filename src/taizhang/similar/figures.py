"""The one definition of a counted repeat finding (屡查屡犯): a finding with at least one confirmed
repeat flag as the later finding, counted once however many earlier findings it repeats. The round
summary, the report, the dashboard and the appraisal's indicator all count through here, and the
repeat list they link to filters with the same condition."""

from django.db.models import Count, Q

from taizhang.similar.models import FlagStatus, RepeatFlag


def confirmed(user=None):
    """Confirmed flags whose two findings `user` may see (None: everything)."""
    return RepeatFlag.objects.restrict(user).filter(status=FlagStatus.CONFIRMED)


def findings_in(flags) -> int:
    """How many repeat findings these flags count: their confirmed later findings, each once."""
    return flags.filter(status=FlagStatus.CONFIRMED).values("later").distinct().count()


def repeat_count(user=None, **filters) -> int:
    return findings_in(confirmed(user).filter(**filters))


def home_figures(user, source=None) -> dict | None:
    """The home page's panel: confirmed repeat findings and the flags waiting for a decision, each
    linked to the repeat list that counts them (None when there is nothing to show)."""
    from django.urls import reverse

    flags = RepeatFlag.objects.restrict(user)
    query = ""
    if source is not None:
        flags = flags.filter(later__source=source)
        query = f"&source={source.pk}"
    confirmed_n = findings_in(flags)
    pending_n = flags.filter(status=FlagStatus.PENDING).count()
    if not confirmed_n and not pending_n:
        return None
    base = reverse("similar:repeats")
    return {
        "confirmed": {"n": confirmed_n, "link": f"{base}?status=confirmed{query}"},
        "pending": {"n": pending_n, "link": f"{base}?status=pending{query}"},
    }


def by_source(source_ids, user=None) -> dict[int, int]:
    rows = (
        confirmed(user)
        .filter(later__source__in=list(source_ids))
        .values("later__source")
        .annotate(n=Count("later", distinct=True))
    )
    return {r["later__source"]: r["n"] for r in rows}


def by_unit(year: int, user=None) -> dict[int, int]:
    """The appraisal's indicator: per unit, the repeat findings of the rounds fed back in `year`, by the
    unit they were found in (or the unit the round inspected)."""
    rows = (
        confirmed(user)
        .filter(later__source__feedback_date__year=year)
        .values("later__found_in", "later__source__inspected_unit")
        .annotate(n=Count("later", distinct=True))
    )
    out: dict[int, int] = {}
    for r in rows:
        unit = r["later__found_in"] or r["later__source__inspected_unit"]
        if unit:
            out[unit] = out.get(unit, 0) + r["n"]
    return out


def pending_q(user) -> Q:
    """Flags waiting for this office's decision (its to-do list)."""
    from taizhang.tasks.origins import Source

    return Q(status=FlagStatus.PENDING, later__source__in=Source.objects.managed_by(user).values("pk"))
