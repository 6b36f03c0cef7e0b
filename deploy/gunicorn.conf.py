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
