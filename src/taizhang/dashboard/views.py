from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from taizhang.core.filtering import whole_number
from taizhang.dashboard.figures import figures_for, lead_units_for
from taizhang.risks.figures import home_figures
from taizhang.similar.figures import home_figures as repeat_figures
from taizhang.tasks import todo
from taizhang.tasks.origins import Source


def _sources(request):
    """The ledgers the user may see, newest first, and the one the request chose (None: all)."""
    sources = Source.objects.restrict(request.user).order_by("-feedback_date", "-pk")
    source_id = whole_number(request.GET.get("source"))
    return sources, sources.filter(pk=source_id).first() if source_id is not None else None


@login_required
def home(request):
    """Everyone's home page: what waits for them (待办) first, then the figures of what they may see."""
    sources, source = _sources(request)
    data = figures_for(request.user, source=source)
    context = {
        "sources": sources,
        "source": source,
        "f": data,
        "sections": todo.sections_of(request),
        "risk_figures": None if source else home_figures(request.user),
        "repeat_figures": repeat_figures(request.user, source),
    }
    return render(request, "dashboard/home.html", context)


@login_required
def lead_units(request):
    """Every lead unit's completion, most tasks first: the home page shows the first few."""
    sources, source = _sources(request)
    rows = lead_units_for(request.user, source=source)
    return render(request, "dashboard/lead_units.html", {"sources": sources, "source": source, "rows": rows})
