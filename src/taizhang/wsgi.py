import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
application = get_wsgi_application()

from taizhang.core.startup import refuse_without_static  # noqa: E402 - needs the settings loaded above

refuse_without_static()
