from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from taizhang.core.filtering import whole_number
from taizhang.dashboard.figures import figures
from taizhang.rectification.models import Source
from taizhang.tasks.models import Task


@login_required
def home(request):
    """Everyone's home page: the figures of what they may see, for one source or all of them."""
    sources = Source.objects.restrict(request.user).order_by("-feedback_date", "-pk")
    source_id = whole_number(request.GET.get("source"))
    source = sources.filter(pk=source_id).first() if source_id is not None else None
    data = figures(Task.objects.restrict(request.user), source=source)
    return render(request, "dashboard/home.html", {"sources": sources, "source": source, "f": data})
