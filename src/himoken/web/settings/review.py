"""The review site (each organisation's isolated network): holds personal data."""

import os

from himoken.web.settings.base import *  # noqa: F403
from himoken.web.settings.base import DATA_DIR, INSTALLED_APPS, databases

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "ninja",  # the entry-check API's docs page from its own static files, not a CDN
    "himoken.web.review",
    "himoken.web.entry",
    "himoken.web.residual",
]
ROOT_URLCONF = "himoken.web.urls_review"
DATABASES = databases("review")

# Collations started from the UI: "subprocess" (default), "thread" or "inline" (tests).
REVIEW_TASKS = os.environ.get("HIMOKEN_REVIEW_TASKS", "subprocess")
# OUT_DIRs may be imported only from under this folder.
REVIEW_IMPORT_ROOT = os.environ.get("HIMOKEN_REVIEW_IMPORT_ROOT", str(DATA_DIR / "imports"))
# Scheduled re-collations (manage.py review_recollate) keep one history folder per 事務 here.
REVIEW_RECOLLATION_ROOT = os.environ.get(
    "HIMOKEN_REVIEW_RECOLLATION_ROOT", str(DATA_DIR / "recollation")
)
# Finished runs' personal data is purged after this many days (manage.py review_purge).
REVIEW_RETENTION_DAYS = int(os.environ.get("HIMOKEN_REVIEW_RETENTION_DAYS", "365"))
# The register index entry checks read (himoken verify index builds it from the register).
ENTRY_REGISTER_INDEX = os.environ.get("HIMOKEN_ENTRY_INDEX", str(DATA_DIR / "register.index"))
