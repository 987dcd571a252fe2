"""Test settings: both sites' apps in one project, so one pytest run covers both. Progress
tests use the default urlconf; review tests mark themselves with
`pytest.mark.urls("himoken.web.urls_review")`."""

from himoken.web.settings.base import *  # noqa: F403
from himoken.web.settings.base import INSTALLED_APPS, databases

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "himoken.web.progress",
    "himoken.web.review",
    "ninja",
    "himoken.web.entry",
    "himoken.web.residual",
]
ROOT_URLCONF = "himoken.web.urls_progress"
DATABASES = databases("test")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast test logins
REVIEW_TASKS = "inline"
REVIEW_IMPORT_ROOT = "/"  # each test passes its own tmp_path
REVIEW_RETENTION_DAYS = 30
REVIEW_RECOLLATION_ROOT = ""  # DATA_DIR/recollation: each test's site sets DATA_DIR
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True  # no collectstatic before tests
# Tests' threads (live server, concurrency tests) must not keep connections open past the test
# database's teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0
ENTRY_REGISTER_INDEX = "/nonexistent/register.index"  # tests that check set their own
