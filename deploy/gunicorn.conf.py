"""gunicorn settings for Taizhang: `gunicorn -c deploy/gunicorn.conf.py taizhang.wsgi`.

gunicorn writes `Server: gunicorn` on every response and has no setting for it; renaming it here keeps
the stack out of the headers (behind nginx, also set `server_tokens off;`).
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "taizhang"

bind = "127.0.0.1:8000"
workers = 4
threads = 4
forwarded_allow_ips = "127.0.0.1"


def on_starting(server):
    """Refuse to start, in one line, before any worker boots, when the static files are not collected
    (every page would otherwise answer 500)."""
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    django.setup(set_prefix=False)
    from taizhang.core.startup import static_problem

    if problem := static_problem():
        print(f"taizhang: {problem}", file=sys.stderr, flush=True)
        os._exit(1)
