"""The one settings module. Every value comes from an ONEWINDOW_* environment variable with a safe
default for the embedded (single machine, SQLite) mode. Bad values fail loudly at start-up."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"ONEWINDOW_{name}", default)


def envbool(name: str, default: str) -> bool:
    value = env(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"ONEWINDOW_{name}={value!r}: expected true or false")


def envint(name: str, default: str) -> int:
    value = env(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"ONEWINDOW_{name}={value!r}: expected an integer") from None


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()
DEBUG = envbool("DEBUG", "false")


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    # Embedded mode: one random key per installation, kept beside the database so sessions survive
    # restarts. Several app servers must share ONEWINDOW_SECRET_KEY instead.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Serves the API docs' Swagger UI from our own static files (no CDN, so the CSP holds).
    "ninja",
    # Sign-in lockout after repeated failures (django-axes).
    "axes",
    "onewindow.core",
    "onewindow.orgs",
    "onewindow.calendar",
    "onewindow.catalog",
    "onewindow.audit",
    "onewindow.cases",
    "onewindow.portal",
    "onewindow.workbench",
    "onewindow.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, Permissions-Policy and no-store for signed-in pages (core/security.py).
    "onewindow.core.security.SecurityHeadersMiddleware",
    # 400 for a NUL character in a path, query or text body (PostgreSQL refuses them: a 500 otherwise).
    "onewindow.core.security.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Per-IP limit on sign-in POSTs (password spraying across many user names).
    "onewindow.core.security.LoginThrottleMiddleware",
    # django-axes must come last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

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
                "django.template.context_processors.i18n",
                "onewindow.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads of one server share the file: wait for the writer instead of failing, and take
    # the write lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if not str(DATABASES["default"]["NAME"]).startswith(":memory:") and not env("DATABASE_URL"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
# Parallel runs on one PostgreSQL server (several developers, CI) need distinct test databases.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "workbench:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploads are never served from a public URL: views check permission and stream them.
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# -- Security ----------------------------------------------------------------------------------------
# ONEWINDOW_SECURE_COOKIES (default false): send the session and CSRF cookies over HTTPS only. Turn on
#   for every deployment behind TLS; off only for the embedded mode on http://127.0.0.1.
# ONEWINDOW_SESSION_HOURS (default 8): a staff session ends after one working day; the browser cookie
#   also ends when the browser closes (ONEWINDOW_SESSION_EXPIRE_AT_BROWSER_CLOSE, default true).
# ONEWINDOW_HSTS_SECONDS (default 0): Strict-Transport-Security max-age; set e.g. 31536000 once the
#   site is served only over HTTPS (it cannot be taken back for browsers that saw it).
# ONEWINDOW_SSL_REDIRECT (default false): redirect http:// to https:// in Django (usually nginx does it).
# ONEWINDOW_BEHIND_TLS_PROXY (default false): trust X-Forwarded-Proto: https from the reverse proxy.
# ONEWINDOW_PROXY_COUNT (default 0): how many reverse proxies in front of the app append to
#   X-Forwarded-For; 0 = use the socket's address. Throttles and the sign-in lockout count per client
#   address, so this must match the deployment (1 behind one nginx) or every client looks the same.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_HOURS", "8") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
# htmx reads the token from the page (base.html hx-headers), so the cookie need not be readable by JS.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_SSL_REDIRECT = envbool("SSL_REDIRECT", "false")
if envbool("BEHIND_TLS_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PROXY_COUNT = envint("PROXY_COUNT", "0")
# Content-Security-Policy sent on every response (core/security.py): scripts only from our own origin
# (htmx 2 needs no eval), no inline scripts or event handlers. Inline style attributes are allowed:
# templates use them, and htmx inserts its indicator <style>.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# ONEWINDOW_CSP_REPORT_ONLY (default false): send the policy as Content-Security-Policy-Report-Only
#   (violations are reported in the browser console but not blocked) while trying a new template.
CSP_REPORT_ONLY = envbool("CSP_REPORT_ONLY", "false")


def _cache_from_url(url: str) -> dict:
    """ONEWINDOW_CACHE_URL: `db://` (default: Django's DatabaseCache in table onewindow_cache, shared
    by every app server using the database; `onewindow init` creates the table), `redis://host:port/db`
    (Django's RedisCache, needs the redis package; the choice for several app servers under load) or
    `locmem://` (one process only: tests, a single-process embedded server)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "ow"}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "onewindow_cache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "onewindow"}
    raise ImproperlyConfigured(f"ONEWINDOW_CACHE_URL={url!r}: expected db://, redis://host:port/N or locmem://")


# ONEWINDOW_CACHE_URL (default db://): the cache shared by the throttles and the sign-in lockout.
CACHES = {"default": _cache_from_url(env("CACHE_URL", "db://"))}

# Sign-in lockout (django-axes): 5 failed sign-ins for one user name from one address lock that pair
# for 15 minutes; a correct password is refused while locked. Kept in the cache (no table writes).
# ONEWINDOW_LOGIN_FAILURE_LIMIT (default 5) and ONEWINDOW_LOGIN_LOCKOUT_MINUTES (default 15).
AUTHENTICATION_BACKENDS = [
    # axes' AxesStandaloneBackend, minus the refusal of request-less calls (CLI, test client).
    "onewindow.core.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A wrong password typed during the lockout does not restart the 15 minutes (a person who waits
# gets back in; an attacker still gets nothing).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "onewindow.core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "onewindow.core.throttle.client_ip"
AXES_VERBOSE = False

# Rate limits per client address (core/throttle.py), "N/period" with period s, m, h, d or e.g. 10m.
# Each is ONEWINDOW_THROTTLE_<SCOPE>: PROGRESS (public progress query, page and API share it; default
# 20/m), CERTIFICATE (certificate verification, page and API; 30/m), APPLY (online applications per
# account; 20/h), PUBLIC_FORM (complaints, surveys and other anonymous forms; 10/h), LOGIN (sign-in
# POSTs per address, whatever the user name; 30/10m), APPLICANT_LOOKUP (the window's "who holds this
# number?" look-up, per clerk account; 120/h). "off" disables one.
THROTTLE_RATES = {
    "progress": env("THROTTLE_PROGRESS", "20/m"),
    "certificate": env("THROTTLE_CERTIFICATE", "30/m"),
    "apply": env("THROTTLE_APPLY", "20/h"),
    "public_form": env("THROTTLE_PUBLIC_FORM", "10/h"),
    "login": env("THROTTLE_LOGIN", "30/10m"),
    "applicant_lookup": env("THROTTLE_APPLICANT_LOOKUP", "120/h"),
}
NINJA_NUM_PROXIES = PROXY_COUNT

# Uploads (core/uploads.py): the type is read from the file's first bytes, never from its name.
# ONEWINDOW_UPLOAD_TYPES (default pdf,jpeg,png,ofd): the accepted kinds, from pdf, jpeg, png, ofd.
# ONEWINDOW_MAX_UPLOAD_BYTES (above) caps each file.
UPLOAD_ALLOWED_TYPES = envlist("UPLOAD_TYPES", "pdf,jpeg,png,ofd")
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
