"""What both sites share. Embedded default: SQLite in HIMOKEN_DATA_DIR; PostgreSQL when
HIMOKEN_DB=postgresql (HIMOKEN_DB_NAME, _USER, _HOST, _PORT; trust or PGPASSWORD)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("HIMOKEN_DATA_DIR", "himoken-data"))
SECRET_KEY = os.environ.get("HIMOKEN_SECRET_KEY", "himoken-demo-only-not-secret")
DEBUG = os.environ.get("HIMOKEN_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("HIMOKEN_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "himoken.web.accounts",
    "himoken.web.audit",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_AGE = 8 * 3600  # one working day

# Mail (reminders): the console in the demo; HIMOKEN_EMAIL_BACKEND=smtp and EMAIL_HOST etc.
# in production.
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}.get(
    os.environ.get("HIMOKEN_EMAIL_BACKEND", "console"),
    "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("HIMOKEN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HIMOKEN_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("HIMOKEN_EMAIL_FROM", "himoken@localhost")

# Error pages and logs never show request data (a My Number could be in a form field).
DEFAULT_EXCEPTION_REPORTER_FILTER = "himoken.web.accounts.errors.NoRequestData"

# HIMOKEN_PRODUCTION=1: the settings `manage.py check --deploy` asks for. HTTPS is assumed to
# end at the server or a proxy in front of it (HIMOKEN_SSL_REDIRECT=0 when a proxy redirects).
PRODUCTION = os.environ.get("HIMOKEN_PRODUCTION", "") == "1"
if PRODUCTION:
    if SECRET_KEY.startswith("himoken-demo"):
        raise RuntimeError("HIMOKEN_SECRET_KEY must be set in production (50+ random characters)")
    DEBUG = False
    SECURE_SSL_REDIRECT = os.environ.get("HIMOKEN_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def databases(name: str) -> dict:
    """SQLite by default (one file per site); PostgreSQL when HIMOKEN_DB=postgresql."""
    if os.environ.get("HIMOKEN_DB") == "postgresql":
        return {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": os.environ.get("HIMOKEN_DB_NAME", f"himoken_{name}"),
                "USER": os.environ.get("HIMOKEN_DB_USER", "postgres"),
                "HOST": os.environ.get("HIMOKEN_DB_HOST", "127.0.0.1"),
                "PORT": os.environ.get("HIMOKEN_DB_PORT", "5432"),
                # Connections kept across requests (a new backend per request costs more
                # than most pages), checked before reuse.
                "CONN_MAX_AGE": int(os.environ.get("HIMOKEN_DB_CONN_MAX_AGE", "60")),
                "CONN_HEALTH_CHECKS": True,
            }
        }
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / f"{name}.sqlite3",
            # Writers take the lock when their transaction begins, so two workers appending
            # to the audit log wait for each other instead of failing.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
