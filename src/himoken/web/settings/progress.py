"""The progress-management site (administrative network): never holds personal data."""

from himoken.web.settings.base import *  # noqa: F403
from himoken.web.settings.base import INSTALLED_APPS, databases

INSTALLED_APPS = [*INSTALLED_APPS, "himoken.web.progress"]
ROOT_URLCONF = "himoken.web.urls_progress"
DATABASES = databases("progress")
