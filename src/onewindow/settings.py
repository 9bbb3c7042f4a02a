"""The one settings module. Every value comes from an ONEWINDOW_* environment variable with a safe
default for the embedded (single machine, SQLite) mode. Bad values fail loudly at start-up."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


@overload
def env(name: str, default: str) -> str: ...


@overload
def env(name: str, default: None = None) -> str | None: ...


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


def envfloat(name: str, default: str) -> float:
    value = env(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"ONEWINDOW_{name}={value!r}: expected a number") from None


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
    # Sign-in lockout after repeated failures (django-axes), under a Chinese name in the admin.
    "onewindow.core.axes_app.AxesConfig",
    "onewindow.core",
    "onewindow.orgs",
    "onewindow.calendar",
    "onewindow.catalog",
    "onewindow.audit",
    # The action engine (state machines, action registries) cases register their actions with.
    "onewindow.workflow",
    "onewindow.cases",
    # The hall: appointments, tickets and calling (预约、取号、叫号).
    "onewindow.hall",
    # Ratings of every service (好差评) with their rectifications, and the yearly public appraisal (社会评议).
    "onewindow.ratings",
    # The efficiency office: the supervision board, breaches, urging, inspections, accountability.
    "onewindow.supervision",
    # The sample history for the demo and the benchmarks (no models of its own).
    "onewindow.history",
    # Background work (Celery): notifications to applicants; the daily check and monthly reports.
    "onewindow.notify",
    "onewindow.jobs",
    "onewindow.portal",
    "onewindow.workbench",
    "onewindow.api",
    "onewindow.complaints",
    # Performance appraisal (绩效考评) and the reform dashboard, measured from the cases.
    "onewindow.appraisal",
    "onewindow.reform",
    # Engineering-construction projects and getting electricity: stages in order under one committed total.
    "onewindow.projects",
]

# Follow-ups across apps, wired here at the composition root (docs/architecture.md): a lower app runs
# the functions its list names after a change and imports none of them. After a calendar year is
# imported or edited (the `workdays import` command, the admin): recompute the provisional deadlines.
CALENDAR_CHANGE_FOLLOWUPS = ["onewindow.ops.followups.recompute_case_deadlines"]
# The yellow light (workflow/clock.py): a clock turns yellow when at most max(YELLOW_DAYS, ⌈YELLOW_SHARE ×
# its limit⌉) days remain — issue 17's "one working day or 20 %, whichever is larger". The stored dates
# (warn_on) are computed with it; after a change, `onewindow cases recompute-deadlines` restores them.
ONEWINDOW_YELLOW_DAYS = envint("YELLOW_DAYS", "1")
ONEWINDOW_YELLOW_SHARE = envfloat("YELLOW_SHARE", "0.2")
# Threads every server worker runs (core/server.py; wired here so core imports no app above it): the outbox
# delivers messages while the server runs when there is no broker (embedded mode).
SERVER_BACKGROUND_MODULES = ["onewindow.notify.dispatcher"]

MIDDLEWARE = [
    # X-Onewindow-Server (which app server answered) and the read-your-writes pin (core/scaleout.py).
    "onewindow.core.scaleout.ScaleOutMiddleware",
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
    # An applicant idle for ONEWINDOW_APPLICANT_IDLE_MINUTES is signed out (portal/account_session.py).
    "onewindow.portal.account_session.ApplicantIdleMiddleware",
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
        # Searched before the apps' templates: a few of django.contrib.admin's own, corrected (core/overrides).
        "DIRS": [BASE_DIR / "core" / "overrides"],
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

# Plain dicts (dj_database_url returns a TypedDict without Django's TEST key).
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onewindow.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    ))
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
# ONEWINDOW_DB_PREPARED_STATEMENTS (default true; PostgreSQL only): bind parameters on the server and
#   let psycopg prepare a statement once it has run 5 times on a connection, so PostgreSQL stops parsing
#   and planning the same INSERTs and lookups on every request (measured: a submission's database CPU
#   2.8 -> 1.6 ms, a case's whole workflow 9.7 -> 4.7 ms; bench/README.md). Set false behind a
#   transaction-pooling PgBouncer older than 1.21, which cannot carry prepared statements.
PREPARED_STATEMENTS = envbool("DB_PREPARED_STATEMENTS", "true")


def _with_prepared_statements(database: dict[str, Any]) -> dict[str, Any]:
    if PREPARED_STATEMENTS and database["ENGINE"] == "django.db.backends.postgresql":
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    return database


_with_prepared_statements(DATABASES["default"])
# Parallel runs on one PostgreSQL server (several developers, CI) need distinct test databases.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME")}

# -- Several app servers and a read replica (core/dbrouter.py, docs/scaling.md) -----------------------
# ONEWINDOW_REPLICA_DATABASE_URL (default empty): a streaming replica of the primary. Read-only GET
#   dashboards (views decorated with core.dbrouter.reads_from_replica) read there; every write and every
#   other read stays on `default`. Empty: no replica, the `replica` alias is the primary's settings and
#   is never used. In tests the alias mirrors `default` (no second test database is created).
# ONEWINDOW_REPLICA_PIN_SECONDS (default 10): after a browser writes (any non-GET request), its dashboard
#   reads stay on the primary this long (read-your-own-writes across the replica's lag).
# ONEWINDOW_SERVER_ID (default empty): a name for this app server, sent as the X-Onewindow-Server
#   response header (which server behind the load balancer answered); empty = no header.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", "").strip()
REPLICA_ENABLED = bool(REPLICA_DATABASE_URL)
if REPLICA_ENABLED:
    DATABASES["replica"] = _with_prepared_statements(dict(dj_database_url.parse(
        REPLICA_DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "60"), conn_health_checks=True)))
else:
    DATABASES["replica"] = {key: value for key, value in DATABASES["default"].items() if key != "TEST"}
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["onewindow.core.dbrouter.ReplicaRouter"]
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "10")
SERVER_ID = env("SERVER_ID", "").strip()

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
# ONEWINDOW_APPLICANT_IDLE_MINUTES (default 30): an applicant signed in on the public site is signed
#   out after this many minutes without a request (a hall's shared computer left signed in); 0 = only
#   the session length above applies (portal/account_session.py).
APPLICANT_IDLE_MINUTES = envint("APPLICANT_IDLE_MINUTES", "30")
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
    # Applicant registrations and code resends per address (each sends a text message); the service
    # also caps the codes sent to one phone number (orgs/registration.py).
    "register": env("THROTTLE_REGISTER", "20/h"),
}
# The accounts a throttle with by="applicant" does not count (a window clerk or an integration
# submitting all day is accountable staff): core/throttle.py calls this predicate, orgs defines it.
THROTTLE_EXEMPT_ACCOUNT = "onewindow.orgs.selectors.is_staff_member"
NINJA_NUM_PROXIES = PROXY_COUNT

# Uploads (core/uploads.py): the type is read from the file's first bytes, never from its name.
# ONEWINDOW_UPLOAD_TYPES (default pdf,jpeg,png,ofd): the accepted kinds, from pdf, jpeg, png, ofd.
# ONEWINDOW_MAX_UPLOAD_BYTES (above) caps each file.
UPLOAD_ALLOWED_TYPES = envlist("UPLOAD_TYPES", "pdf,jpeg,png,ofd")

# ONEWINDOW_PDF_FONT: a TrueType CJK font (.ttf, or a .ttc collection's first face) embedded in every PDF
# instead of the packaged WenQuanYi Micro Hei (core/pdf.py), e.g. one covering CJK Extension A for rare
# name characters. A missing file or a CFF-outline font (.otf) is refused when the first PDF is made.
PDF_FONT = (env("PDF_FONT", "") or "").strip()
if PDF_FONT and not Path(PDF_FONT).is_file():
    raise ImproperlyConfigured(f"ONEWINDOW_PDF_FONT={PDF_FONT!r}: no such file")
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# -- Background work (Celery: onewindow/celery.py) ---------------------------------------------------
# ONEWINDOW_BROKER_URL (default empty): the message broker, redis://host:6379/N or
#   amqp://user:pass@host:5672//. Empty = embedded mode: every task runs at once in the process that
#   calls it (no broker, no worker), and `onewindow beat` runs the schedule in its own process.
#   With a broker, run `onewindow worker` (any number, any machine) and exactly one `onewindow beat`.
# Tasks are idempotent (each writes under a unique constraint), so a task redelivered after a worker
#   died is harmless: acks late, one message prefetched at a time.
BROKER_URL = (env("BROKER_URL", "") or "").strip()
if BROKER_URL and BROKER_URL.split(":", 1)[0].lower() not in ("redis", "rediss", "amqp", "amqps", "pyamqp"):
    raise ImproperlyConfigured(f"ONEWINDOW_BROKER_URL={BROKER_URL!r}: expected redis://host:6379/N or "
                               "amqp://user:pass@host:5672//")
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # results are rows in the database (notifications, snapshots, reports)
CELERY_TASK_DEFAULT_QUEUE = "onewindow"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# ONEWINDOW_NOTIFY_DISPATCH_SECONDS (default 30): how often new case events become notifications: by
#   `onewindow beat` with a broker, and without one by a thread in every process of `onewindow serve`
#   (notify/dispatcher.py); 0 stops that thread (e.g. when `onewindow beat` runs beside the server).
NOTIFY_DISPATCH_SECONDS = envint("NOTIFY_DISPATCH_SECONDS", "30")
# The schedule `onewindow beat` keeps (onewindow/celery.py turns "crontab" into Celery's crontab, so
# web processes need not import Celery): notifications every NOTIFY_DISPATCH_SECONDS (a run not started
# within its interval is dropped, the next one does its work); the daily check at 07:00 (it skips days
# off); the reports of the month before at 06:30 on the 1st. Times in TIME_ZONE.
JOBS_SCHEDULE = {
    "notify-dispatch": {"task": "onewindow.notify.tasks.dispatch_notifications",
                        "schedule": float(NOTIFY_DISPATCH_SECONDS),
                        "options": {"expires": float(NOTIFY_DISPATCH_SECONDS)}},
    "jobs-daily-check": {"task": "onewindow.jobs.tasks.daily_check",
                         "crontab": {"minute": "0", "hour": "7"}},
    "jobs-monthly-reports": {"task": "onewindow.jobs.tasks.build_report",
                             "crontab": {"minute": "30", "hour": "6", "day_of_month": "1"}},
    "complaints-dispatch-refresh": {"task": "onewindow.complaints.tasks.refresh_dispatch_model", "crontab": {"minute": "40"}},
    # The hall: appointments not checked in by their half-day's end become no-shows; old tickets close.
    "hall-sweep": {"task": "onewindow.hall.tasks.sweep", "crontab": {"minute": "5"}},
    # The efficiency office's daily check: breach policies applied once per day (idempotent).
    "supervision-daily-check": {"task": "onewindow.supervision.tasks.daily_check",
                                "crontab": {"minute": "15", "hour": "7"}},
}
# ONEWINDOW_NOTIFY_BACKEND (default log): how notifications reach applicants. `log` stores them (the
#   applicant reads them under 我的消息) and logs each text message with the phone number masked; a dotted
#   path names another backend class (an SMS gateway: see notify/backends.py).
# ONEWINDOW_NOTIFY_MAX_ATTEMPTS (default 5): deliveries tried before a notification is given up
#   (retried after 1, 2, 4, … minutes). ONEWINDOW_NOTIFY_MAX_AGE_HOURS (default 72): case events older
#   than this when first seen (sample history, a backlog after a long outage) make no notification.
NOTIFY_BACKEND = env("NOTIFY_BACKEND", "log")
# Where the `log` backend writes the text messages it would send that are stored nowhere else (the
# confirmation codes of new accounts), with the phone masked; mode 600 (notify/backends.py).
NOTIFY_LOG_FILE = DATA_DIR / "sms-outbox.log"
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", "5")
NOTIFY_MAX_AGE_HOURS = envint("NOTIFY_MAX_AGE_HOURS", "72")
# ONEWINDOW_NOTIFY_EMAIL_BACKEND (default empty: none): messages about work orders to people with an
#   e-mail address and no phone go by e-mail through this Django mail backend — smtp (with
#   ONEWINDOW_EMAIL_HOST, _PORT, _HOST_USER, _HOST_PASSWORD, _USE_TLS), console, file, locmem or a dotted
#   path; without one they stay in the outbox (notify/orders.py).
NOTIFY_EMAIL_BACKEND = env("NOTIFY_EMAIL_BACKEND", "")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env("EMAIL_USE_TLS", "") in ("1", "true", "yes")
EMAIL_FILE_PATH = str(DATA_DIR / "mail-outbox")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "onewindow@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
