"""hr_clinic settings: one file, configured only from the environment.

Every variable read here is listed, with its meaning, in `.env.example`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything but an obvious true or false value is an error."""
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r}: use a whole number") from exc


def env_secret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name) or None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off."
        )
    # Development only: never used with DEBUG off (see above).
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# No django.contrib.admin: it changed roles and passwords past the staff history
# and the audit trail (issue #18). Staff accounts change only in staff/services.py.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "staff",
    "clients",
    "goals",
    # Our "sessions" app; its AppConfig sets label = "therapy_sessions".
    "sessions",
    "audit",
    "consents",
    "records",
    "appointments",
    "measures",
    "screens",
    "reports",
    "groups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A request id, the source address and user agent for the audit trail.
    "audit.middleware.AuditContextMiddleware",
    # One JSON line per request: request id, staff id, route, status, time.
    "hr_clinic.lib.logs.RequestLogMiddleware",
    # Headers (CSP, Permissions-Policy, no-store) on every page Django renders;
    # static files are answered by WhiteNoise above and carry no clinical data.
    "hr_clinic.lib.security_headers.SecurityHeadersMiddleware",
    # Database down: a plain 503 (and /healthz's JSON), whichever layer below
    # found out first; the session is the first to read the database.
    "hr_clinic.lib.outage.DatabaseOutageMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: a clear 413, not a bare 400.
    "sessions.middleware.RequestTooLargeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A device handed to the client: every page but the screen's answers with
    # the screen; just before the time-outs, so one that ends the session
    # ends on a neutral page, not the sign-in page.
    "screens.middleware.ClientScreenMiddleware",
    # Idle and absolute time-outs: an ended session is signed out here, so the
    # login requirement below sends the request to sign in.
    "hr_clinic.lib.session_timeout.SessionTimeoutMiddleware",
    # "Last use" on the person's list of signed-in sessions, once a minute.
    "staff.middleware.SignedInSessionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # django-otp's OTPMiddleware, trusting a verified session's own stamp
    # instead of reading the device on every request.
    "staff.middleware.SessionVerifiedOTPMiddleware",
    # After the password, a second factor: nothing else is reachable until then.
    "staff.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into the ordinary sign-in page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hr_clinic.urls"
WSGI_APPLICATION = "hr_clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hr_clinic.lib.session_timeout.idle_timeout",
                "hr_clinic.lib.part2.part2_statements",
            ],
        },
    },
    # The content of the pages that draw many rows (hr_clinic/jinja2.py), asked
    # for by name (`using="jinja2"`); every page's frame is the one base.html.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "hr_clinic.jinja2.environment"},
    },
]

# Database: real PostgreSQL, always. Persistent connections (about 5x the throughput
# of reconnecting per request, measured here).
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES: dict[str, dict[str, Any]]
# Two roles (docs/deployment.md, "The database role"): the app connects as a role
# that owns nothing (DATABASE_URL), so it cannot TRUNCATE, ALTER a table or switch
# a trigger off; only `migrate` connects as the owner (DATABASE_OWNER_URL, the
# same database). DATABASE_OWNER holds what differs in the owner's connection;
# empty: one role does both (not the hardened setup). The embedded server makes
# both roles itself.
DATABASE_OWNER: dict[str, Any]
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dict(
            dj_database_url.config(conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
        )
    }
    _owner_url = env_secret("DATABASE_OWNER_URL")
    DATABASE_OWNER = {}
    if _owner_url:
        _owner = dj_database_url.parse(_owner_url)
        if _owner.get("NAME") != DATABASES["default"].get("NAME"):
            raise ImproperlyConfigured(
                "DATABASE_OWNER_URL must name the same database as DATABASE_URL."
            )
        DATABASE_OWNER = {
            key: _owner[key]  # type: ignore[literal-required]
            for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
            if _owner.get(key) not in (None, "", {})
        }
else:
    from hr_clinic import embedded_db

    DATABASES = {"default": embedded_db.database_settings(BASE_DIR, CONN_MAX_AGE)}
    DATABASE_OWNER = embedded_db.owner_settings()
# The role the app's grants go to (migration audit `app_role_grants`): the
# DATABASE_URL role when an owner is set apart, else the embedded server's name.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE") or (
    str(DATABASES["default"].get("USER") or "")
    if os.environ.get("DATABASE_URL") and DATABASE_OWNER
    else "hr_clinic_app"
)
DATABASES["default"].setdefault("TEST", {})
# An unreachable server fails a request within seconds (a 503 page) instead of
# holding a worker until the system's TCP time-out; a DATABASE_URL's own
# ?connect_timeout= wins.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
)
# Behind PgBouncer in transaction pooling mode (docs/scaling.md).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DISABLE_SERVER_SIDE_CURSORS", False
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"

AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its username and address are cooling off.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading with the person whether they hold an
    # emergency-access grant (clients/auth.py).
    "clients.auth.StaffBackend",
]

# Argon2id first; the others only check (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The username or a part of the name anywhere in the password.
    {"NAME": "staff.validators.NotYourNameValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Second factor (TOTP, with single-use recovery codes) for every staff member.
# Turning it off is for a local demo only.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
if not MFA_REQUIRED and not DEBUG:
    raise ImproperlyConfigured("MFA_REQUIRED=false is allowed only with DEBUG on.")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "hr_clinic")

# The service is a 42 CFR Part 2 program (it holds itself out as providing
# substance-use care): the notice and consents carry the Part 2 statements, and
# every print, PDF and CSV with client data the §2.32 statement
# (hr_clinic/lib/part2.py). Off: HIPAA alone, the statements left out.
PART2_PROGRAM = env_bool("PART2_PROGRAM", True)
MFA_RECOVERY_CODES = 10

# Encryption at rest (hr_clinic/lib/sealed.py). FIELD_ENCRYPTION_KEY seals the
# authenticator secrets in the database: a long random string, kept apart from
# the database and its backups (a stolen dump then holds no usable secret).
# Rotating: the new key here, the old one in FIELD_ENCRYPTION_OLD_KEYS (comma-
# separated, still opened), `manage.py reseal_secrets`, then drop the old one.
# With DEBUG on and no key, a development key derived from SECRET_KEY (warned).
_MIN_KEY = 32
FIELD_ENCRYPTION_KEY = env_secret("FIELD_ENCRYPTION_KEY") or ""
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEY_FILE) is required when "
            "DEBUG is off: it encrypts the second-factor secrets."
        )
    import warnings

    warnings.warn(
        "FIELD_ENCRYPTION_KEY is not set: second-factor secrets are sealed with a "
        "development key derived from SECRET_KEY (DEBUG only).",
        stacklevel=1,
    )
    FIELD_ENCRYPTION_KEY = "development-field-key:" + SECRET_KEY
FIELD_ENCRYPTION_OLD_KEYS = env_list("FIELD_ENCRYPTION_OLD_KEYS", [])
for _key in [FIELD_ENCRYPTION_KEY, *FIELD_ENCRYPTION_OLD_KEYS]:
    if len(_key) < _MIN_KEY:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY and FIELD_ENCRYPTION_OLD_KEYS: at least {_MIN_KEY} "
            "characters each (e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')."
        )
# Optional: encrypts backup archives (`manage.py backup`; restore needs it too).
# A passphrase or a random key, at least 32 characters; unset, archives are
# plain pg_dump files (mode 0600).
BACKUP_KEY = env_secret("BACKUP_KEY") or ""
if BACKUP_KEY and len(BACKUP_KEY) < _MIN_KEY:
    raise ImproperlyConfigured(f"BACKUP_KEY: at least {_MIN_KEY} characters.")

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures in a row for
# one username from one address, that pair waits AXES_COOLOFF_MINUTES. Per pair,
# not per address (a clinic's staff share one public address) and not per
# username alone (anyone could then lock a clinician out from anywhere).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the lockout and is never extended: a try during it (wrong
# or right) is refused without being counted. With axes' default (True) every
# wrong try from the clinic's shared address restarted the 15 minutes, so one
# person could keep a named colleague out all day.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Axes' admin pages: the Django admin is not installed.
AXES_ENABLE_ADMIN = False
# A locked-out sign-in gets the same page and message as a wrong password.
AXES_LOCKOUT_CALLABLE = "staff.auth_events.lockout_response"
AXES_CLIENT_IP_CALLABLE = "hr_clinic.lib.http.client_address"
# Axes would log the typed username; staff.auth_events logs ids only.
AXES_VERBOSE = False
# Axes keeps each failed try's form fields (AccessAttempt.post_data), masking only
# these: "Change my password" checks the current password through axes too, so
# its fields are masked as well (no password is ever stored readable).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "old_password",
    "new_password1",
    "new_password2",
]
AXES_DISABLE_ACCESS_LOG = True
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# English only, and no string is marked for translation: without the i18n
# machinery every template variable and date skips a per-thread language lookup
# (about 10% of template time, measured on the caseload).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Sessions: a clinical workstation may be shared; the cookie ends with the browser
# and never outlives a working day.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
# Enforced on the server (hr_clinic.lib.session_timeout): signed out after this
# many minutes without a request, and SESSION_COOKIE_AGE after signing in at most.
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 15)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Database sessions, plus the person's own list of where they are signed in
# (staff.SignedInSession, kept in step when a session's key changes).
# Read from a cache, written through to the database (issue #25): a signed-in
# page costs no session query. Every app process must share that cache, so that
# a session one of them ends is gone for all: files in a private folder on one
# machine (the default), or a shared cache server for several app servers
# (SESSION_CACHE_URL, docs/deployment.md). Never the local-memory cache with
# more than one process: another worker would keep a signed-out session alive.
SESSION_ENGINE = "staff.session_store"
SESSION_CACHE_ALIAS = "sessions"
_SESSION_CACHE_URL = os.environ.get("SESSION_CACHE_URL", "")
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The program figures a process has counted, kept under the version
    # PostgreSQL moves with any change they count (reports.selectors
    # .report_figures): numbers only, no name or word. Always this process's
    # own memory, so a deploy's new code never reads figures an older one
    # counted; each app server counts a period once per change.
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # Markup the Jinja2 pages draw the same way every time and keep
    # (`{% cache %}`, hr_clinic.jinja2.FragmentCache): the new-note form's empty
    # parts for each format (docs/design.md). Never a person's words or a
    # request's values. Always this process's own memory, so a deploy's new
    # templates and forms never read what an older one drew.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 100},
    },
    "sessions": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _SESSION_CACHE_URL,
        }
        if _SESSION_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            # Made with mode 0700 by the backend: a session holds ids and the
            # words of a note search, like its database row.
            "LOCATION": os.environ.get(
                "SESSION_CACHE_DIR", str(BASE_DIR / ".cache" / "sessions")
            ),
            "TIMEOUT": SESSION_COOKIE_AGE,
            # Django's file cache lists the whole directory on every write to
            # cull it, and an ended or expired session's file stays until
            # culled: a session write cost 0.7 ms at 300 files, 3 ms at 2,000
            # and 38 ms at 16,500 (measured, docs/performance.md). Past this,
            # a third of the files go; a live session among them is read from
            # its database row again (cached_db).
            "OPTIONS": {"MAX_ENTRIES": 1_000},
        }
    ),
}

# Transport and headers. Secure by default whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
if not DEBUG:
    # Secure unless explicitly switched off: only `make bench`, which serves plain
    # http on the loopback interface, turns these off.
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# The `__Host-` prefix (ASVS V3.3.1): the browser keeps such a cookie only if it
# is Secure, has Path=/ and no Domain, so a sibling subdomain or a plain-http
# page cannot plant or overwrite it. Only where the cookies are Secure (HTTPS);
# local http development and the test client use the plain names, which a
# browser would otherwise drop. Django sets no Domain and Path=/ by default.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a TLS proxy that sets this header and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail. With EMAIL_HOST set, mail goes out over SMTP and one-time password links are
# emailed to the person; without it, mail is only printed to the console and the
# admin is shown the link to pass on (EMAIL_CONFIGURED decides which).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_CONFIGURED = env_bool("EMAIL_CONFIGURED", bool(EMAIL_HOST))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hr-clinic@localhost")

# One-time links to set a password (new staff, or a reset an admin starts) work once
# and expire after this many days.
PASSWORD_LINK_DAYS = env_int("PASSWORD_LINK_DAYS", 3)
PASSWORD_RESET_TIMEOUT = PASSWORD_LINK_DAYS * 24 * 60 * 60
# Every this many audit events, the chain's head goes to the log (logger
# hr_clinic.audit_head), so `verify_audit --log` finds a cut-off tail. 0: never.
AUDIT_HEAD_LOG_EVERY = env_int("AUDIT_HEAD_LOG_EVERY", 1000)

# Product settings
REACH_OUT_AFTER_DAYS = env_int("REACH_OUT_AFTER_DAYS", 30)
# How long an emergency-access grant lasts (docs/design.md, "Emergency access"):
# set by the database clock when it is made; PostgreSQL refuses more than 24.
EMERGENCY_ACCESS_HOURS = env_int("EMERGENCY_ACCESS_HOURS", 3)
if not 1 <= EMERGENCY_ACCESS_HOURS <= 24:
    raise ImproperlyConfigured("EMERGENCY_ACCESS_HOURS must be between 1 and 24.")
# Who a client contacts to report a privacy violation, on the notice (42 CFR
# 2.22(b)); the whole notice text can be replaced through the template
# consents/_notice_text.html.
PRIVACY_CONTACT = os.environ.get(
    "PRIVACY_CONTACT", "the program's privacy officer, at the front desk"
)
# The program's name as records that leave it give it ("From ..." on a
# disclosure package).
PROGRAM_NAME = os.environ.get("PROGRAM_NAME", "This program")
# The client's copy of their record (docs/design.md, "The client's own
# copy"): a made PDF is kept this long for download, then emptied; an export
# that has not moved for EXPORT_STALE_SECONDS was lost with its process.
# RECORD_EXPORT_INLINE makes the PDF in the request (the test suite).
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
EXPORT_STALE_SECONDS = env_int("EXPORT_STALE_SECONDS", 120)
RECORD_EXPORT_INLINE = env_bool("RECORD_EXPORT_INLINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hr_clinic.lib.logs.JsonFormatter"}},
    "filters": {"redact": {"()": "hr_clinic.lib.logs.RedactRequestDetails"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Never log SQL or its parameters: they can carry names and note text.
        "django.db.backends": {"level": "WARNING"},
        # runserver's access log prints query strings; the JSON request log
        # (hr_clinic.requests) replaces it.
        "django.server": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # PDF writing (hr_clinic/lib/pdf.py): fontTools lists every glyph it
        # keeps and fpdf2 names the characters a font lacks, both taken from
        # the record's text (names, notes), so neither may reach the log.
        "fontTools": {"level": "ERROR"},
        "fpdf": {"level": "ERROR"},
        # The audit chain's head, kept outside the table: whatever LOG_LEVEL says.
        "hr_clinic.audit_head": {"level": "INFO"},
    },
}
