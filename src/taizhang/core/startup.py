"""What a server must have before it answers its first request.

Without the collected static files' manifest, every page would answer 500 (`Missing staticfiles
manifest entry`): the WSGI application refuses to start instead, with one line that says what to run.
The same problem is a system check, so `taizhang check --deploy` names it too.
"""

import sys

from django.conf import settings
from django.core import checks


def static_problem() -> str | None:
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in backend:
        return None
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if manifest.is_file():
        return None
    return (
        f"Static files are not collected in {settings.STATIC_ROOT}: run `taizhang collectstatic --noinput` "
        "(make install does), or point TAIZHANG_STATIC_ROOT at the collected files."
    )


@checks.register(checks.Tags.staticfiles, deploy=True)  # not for collectstatic itself
def check_static(app_configs, **kwargs):
    problem = static_problem()
    return [checks.Error(problem, id="taizhang.E001")] if problem else []


def refuse_without_static() -> None:
    """Stop a server process with one line on standard error (gunicorn then halts: exit code 3 is its
    "worker failed to boot")."""
    problem = static_problem()
    if problem:
        print(f"taizhang: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(3)
