"""WSGI entry point of the review site, for a WSGI server (`gunicorn himoken.web.wsgi`).
The progress site sets DJANGO_SETTINGS_MODULE=himoken.web.settings.progress."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himoken.web.settings.review")
application = get_wsgi_application()
