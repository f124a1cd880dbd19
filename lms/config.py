"""Configuration, read once from LMS_* environment variables with safe defaults."""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from lms.core.files import private_dir, write_private

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def _secret_key(instance: Path) -> str:
    """Use LMS_SECRET_KEY, else a key generated once and kept under instance/."""
    key = os.environ.get("LMS_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if not path.exists():
        private_dir(instance)
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            write_private(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str) -> str:
    """A PostgreSQL URL as people write it (postgres://, postgresql://, as Heroku and psql do)
    for the driver we install, psycopg 3: SQLAlchemy would otherwise look for psycopg2 and fail
    with "No module named 'psycopg2'", or find no dialect named postgres at all."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


class Config:
    """Settings for a real deployment; every value can be overridden by its variable."""

    def __init__(self) -> None:
        instance = Path(os.environ.get("LMS_INSTANCE_PATH", DEFAULT_INSTANCE))
        self.INSTANCE_PATH = str(instance)
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ.get(
            "LMS_DATABASE_URL", f"sqlite:///{instance / 'lms.sqlite3'}"
        ))
        self.SECRET_KEY = _secret_key(instance)
        # Ed25519 key (PEM) that signs certificate credentials; empty: instance/signing_key.pem
        self.SIGNING_KEY_FILE = os.environ.get("LMS_SIGNING_KEY_FILE", "")
        # Earlier signing keys (PEM files, comma-separated), still published so that the
        # credentials they signed keep verifying after a key change.
        self.RETIRED_SIGNING_KEYS = [p.strip() for p in os.environ.get("LMS_RETIRED_SIGNING_KEYS", "").split(",")
                                     if p.strip()]
        self.BASE_URL = os.environ.get("LMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.BUREAU_NAME = os.environ.get("LMS_BUREAU_NAME", "相山区市场监督管理局")
        # The bureau as English pages name it (certificates and official papers keep the Chinese).
        self.BUREAU_NAME_EN = os.environ.get("LMS_BUREAU_NAME_EN",
                                             "Xiangshan District Administration for Market Regulation")
        self.CONTENT_ROOT = os.environ.get("LMS_CONTENT_ROOT", str(PROJECT_ROOT))
        self.UPLOAD_FOLDER = os.environ.get("LMS_UPLOAD_FOLDER", str(instance / "uploads"))
        # Uploads waiting for their confirmation are deleted after this long (they hold personal data).
        self.UPLOAD_KEEP_HOURS = float(os.environ.get("LMS_UPLOAD_KEEP_HOURS", "24"))
        self.MAX_CONTENT_LENGTH = int(os.environ.get("LMS_MAX_UPLOAD_MB", "50")) * 1024 * 1024
        self.RATELIMIT_STORAGE_URI = os.environ.get("LMS_RATELIMIT_STORAGE_URI", "memory://")
        self.LOGIN_RATE_LIMIT = os.environ.get("LMS_LOGIN_RATE_LIMIT", "5 per minute")
        # A whole office or a workshop's Wi-Fi signs in from one address: its officers' typing
        # slips add up there, so the address alone is allowed more than one account from it.
        self.LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LMS_LOGIN_ADDRESS_RATE_LIMIT", "30 per minute")
        self.RESET_LINK_HOURS = int(os.environ.get("LMS_RESET_LINK_HOURS", "48"))
        # Served over HTTPS (the base URL says so): cookies are sent over HTTPS only, and
        # browsers are told to keep to HTTPS (Strict-Transport-Security).
        self.HTTPS = self.BASE_URL.startswith("https://")
        self.SESSION_COOKIE_SECURE = _bool("LMS_SECURE_COOKIES", self.HTTPS)
        # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto/-Host are
        # believed, so that limits count per visitor rather than per proxy; 0 believes none.
        self.PROXY_COUNT = int(os.environ.get("LMS_PROXY_COUNT", "0"))
        # Reading time before a lesson can be marked done: characters per minute, bounded.
        self.READING_CHARS_PER_MINUTE = int(os.environ.get("LMS_READING_CHARS_PER_MINUTE", "600"))
        self.MIN_READ_SECONDS = int(os.environ.get("LMS_MIN_READ_SECONDS", "60"))
        self.MAX_READ_SECONDS = int(os.environ.get("LMS_MAX_READ_SECONDS", "300"))
        self.SMTP_HOST = os.environ.get("LMS_SMTP_HOST", "")  # empty: reminders stay in the outbox
        self.SMTP_PORT = int(os.environ.get("LMS_SMTP_PORT", "25"))
        self.MAIL_FROM = os.environ.get("LMS_MAIL_FROM", "cqo-training@localhost")
        self.PASSWORD_HASH_METHOD = os.environ.get("LMS_PASSWORD_HASH_METHOD", "scrypt")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


# Values that are not deployment choices.
Config.SQLALCHEMY_ENGINE_OPTIONS = {}  # idle connections are pinged before use: lms/extensions.py
Config.SESSION_COOKIE_HTTPONLY = True
Config.SESSION_COOKIE_SAMESITE = "Lax"
Config.REMEMBER_COOKIE_HTTPONLY = True
Config.REMEMBER_COOKIE_SAMESITE = "Lax"
Config.PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
Config.REMEMBER_COOKIE_DURATION = timedelta(days=14)  # "remember me" on a shared office PC: two weeks, not a year
Config.BABEL_DEFAULT_LOCALE = "zh_CN"
Config.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
Config.LANGUAGES = {"zh_CN": "中文", "en": "English"}
Config.BOOTSTRAP_SERVE_LOCAL = True
Config.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead: long forms must not expire
Config.RATELIMIT_HEADERS_ENABLED = True
Config.TESTING = False
