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
    "himoken.web.accounts",
    "himoken.web.audit",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
            }
        }
    return {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / f"{name}.sqlite3"}
    }
