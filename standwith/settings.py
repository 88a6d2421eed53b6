"""standwith settings: one module, everything from the environment.

Every variable is documented in README.md. The embedded default (no
variables set) is SQLite in WAL mode under var/, the database as task queue,
a local-memory cache and mail written to var/mail/.
"""

import hmac
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from standwith.env import env_bool, env_int, env_key, env_list, env_str

_T = TypeVar("_T", str, bytes)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("STANDWITH_DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)

# Secrets. The development fallbacks exist only so that a developer can run
# with DEBUG=1 and nothing else; with DEBUG off they are refused outright.
_DEV_SECRET_KEY = "insecure-development-secret-key-do-not-use-in-production"  # noqa: S105
_DEV_MASTER_KEY = b"insecure-dev-master-key-32-bytes"
_DEV_DIGEST_KEY = b"insecure-dev-digest-key-32-bytes"


def _secret(value: _T | None, development: _T, name: str) -> _T:
    if DEBUG:
        return value or development
    if not value or value == development:
        raise ImproperlyConfigured(f"{name} is missing or the development default; see `standwith genkeys`.")
    return value


SECRET_KEY: str = _secret(env_str("SECRET_KEY"), _DEV_SECRET_KEY, "SECRET_KEY")
MASTER_KEY: bytes = _secret(env_key("STANDWITH_MASTER_KEY"), _DEV_MASTER_KEY, "STANDWITH_MASTER_KEY")
DIGEST_KEY: bytes = _secret(env_key("STANDWITH_DIGEST_KEY"), _DEV_DIGEST_KEY, "STANDWITH_DIGEST_KEY")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
if MASTER_KEY == DIGEST_KEY:
    raise ImproperlyConfigured("STANDWITH_MASTER_KEY and STANDWITH_DIGEST_KEY must differ.")
# Signs the proof-of-work challenges (standwith/shield/challenge.py). Unset, a key
# derived from SECRET_KEY serves, so a machine whose secrets were made before
# this key existed still starts; a challenge lives minutes, so changing it costs nothing.
CHALLENGE_KEY: bytes = env_key("STANDWITH_CHALLENGE_KEY") or hmac.digest(
    SECRET_KEY.encode(), b"standwith proof-of-work challenge key", "sha256"
)
if CHALLENGE_KEY in {MASTER_KEY, DIGEST_KEY}:
    raise ImproperlyConfigured("STANDWITH_CHALLENGE_KEY must differ from the master and digest keys.")

PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
SITE_URL = env_str("STANDWITH_SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(f"STANDWITH_SITE_URL must be an http(s) URL; got {SITE_URL!r}")
SITE_ORIGIN = f"{_site.scheme}://{_site.netloc}"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if _site.hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site.hostname)

# Other sites allowed to post the sign form (partner embeds), as origins.
EMBED_ORIGINS = env_list("STANDWITH_EMBED_ORIGINS")

# Behind a proxy: which peers are trusted to say who the client is, and how.
TRUSTED_PROXIES = env_list("STANDWITH_TRUSTED_PROXIES")
CLIENT_IP_HEADER = env_str("STANDWITH_CLIENT_IP_HEADER", "X-Forwarded-For")
if env_str("STANDWITH_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env_str("STANDWITH_PROXY_SSL_HEADER").upper().replace("-", "_"),
        "https",
    )

INSTALLED_APPS = [
    # The admin site, behind a second factor (standwith/staff/adminsite.py).
    "standwith.staff.adminsite.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "standwith",
    "standwith.campaigns",
    "standwith.signing",
    "standwith.outreach",
    "standwith.outreach.embeds",
    "standwith.outreach.webhooks",
    "standwith.api",
    "standwith.reports",
    # The API's browsable documentation, served from the site itself (no CDN).
    "ninja",
    "standwith.staff",
    "standwith.proposals",
    "standwith.shield",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "standwith.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "standwith.middleware.negotiate_language",
    "django.middleware.locale.LocaleMiddleware",
    "standwith.middleware.explain_refused_methods",
    "standwith.middleware.AnswerRemovedPetitions",
    "standwith.middleware.refuse_changes_when_read_only",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "standwith.urls"
WSGI_APPLICATION = "standwith.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "standwith.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write
    # lock up front so two writers queue on busy_timeout instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    _sqlite_options: dict[str, Any] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["OPTIONS"] = _sqlite_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The sources screen's covering index (signing.Signature) carries its counted columns on PostgreSQL; SQLite, the
# small embedded default, indexes the petition alone, which is all it needs: said once here, not on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Cache: Redis in production, local memory in the embedded default.
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "standwith.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("STANDWITH_CACHE_PREFIX", "sw"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Mail: EMAIL_URL as smtp://user:password@host:587 (STARTTLS when the port
# is 587 or ?tls=1), smtps://... (implicit TLS), or file:///path. Unset: one
# .eml file per message under var/mail/.
EMAIL_URL = env_str("EMAIL_URL")
_mail = urlsplit(EMAIL_URL)
if not EMAIL_URL:
    EMAIL_BACKEND = "standwith.outreach.mailfiles.MessageFileBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
elif _mail.scheme == "file":
    EMAIL_BACKEND = "standwith.outreach.mailfiles.MessageFileBackend"
    EMAIL_FILE_PATH = Path(unquote(_mail.path))
elif _mail.scheme in {"smtp", "smtps"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and (EMAIL_PORT == 587 or "tls=1" in _mail.query)
    EMAIL_TIMEOUT = 20
else:
    raise ImproperlyConfigured(f"EMAIL_URL must start with smtp://, smtps:// or file://; got {EMAIL_URL!r}")
DEFAULT_FROM_EMAIL = env_str("STANDWITH_FROM_EMAIL", "standwith <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Mailings to signers (standwith/outreach/sending.py). The rate is messages per
# second for each mailing unless staff set one; batches are leased to one
# worker at a time, and a dead worker's batch is taken over once its lease ends.
MAILING_RATE = env_int("STANDWITH_MAILING_RATE", 50, minimum=1, maximum=1_000_000)
MAILING_LANES = env_int("STANDWITH_MAILING_LANES", 4, minimum=1, maximum=256)
# SMTP connections each task worker sends a mailing on side by side (threads waiting on the server's answers).
MAILING_CONNECTIONS = env_int("STANDWITH_MAILING_CONNECTIONS", 4, minimum=1, maximum=64)
MAILING_BATCH_SIZE = env_int("STANDWITH_MAILING_BATCH_SIZE", 200, minimum=1, maximum=10_000)
MAILING_LEASE_SECONDS = env_int("STANDWITH_MAILING_LEASE_SECONDS", 60, minimum=5, maximum=3600)
# Bounces come back to this address with the delivery in its local part
# (bounces+<delivery>@example.org, VERP); unset, the From address serves.
BOUNCE_ADDRESS = env_str("STANDWITH_BOUNCE_ADDRESS")
# The shared secret a mail provider sends to POST /outreach/bounces; unset, the endpoint is off.
BOUNCE_WEBHOOK_SECRET = env_str("STANDWITH_BOUNCE_WEBHOOK_SECRET")

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("de", _("German")),
    # Partly translated: the interface falls back to English string by string.
    ("ar", _("Arabic")),
]
# Interface catalogues that must have every string translated (a test checks).
COMPLETE_LANGUAGES = ["en", "ru", "es", "fr", "de"]
LOCALE_PATHS = [BASE_DIR / "standwith" / "locale"]
FORMAT_MODULE_PATH = ["standwith.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served straight from the apps' folders by whitenoise;
# there are few of them and this spares a collectstatic step on every deploy.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

# Campaign pictures uploaded by staff, under STANDWITH_DATA_DIR. In production let nginx serve
# MEDIA_URL from this folder; the site serves it too, for the embedded default.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Requests: bodies stay small; a sign form is well under a kilobyte.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _site.scheme == "https"
CSRF_COOKIE_SECURE = _site.scheme == "https"
CSRF_TRUSTED_ORIGINS = [SITE_ORIGIN]
SESSION_COOKIE_AGE = 8 * 3600
# A staff session ends with the browser too, so a shared computer does not stay signed in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Staff sign-in: a password, then a code from an authenticator app (or a
# recovery code); see standwith/staff/signin.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
OTP_TOTP_ISSUER = "standwith"
# Nobody reads another person's authenticator secret or recovery codes in the admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Five failed sign-ins (wrong passwords, or wrong codes, counted apart) for one
# account from one address lock that pair for 15 minutes; someone guessing
# from elsewhere cannot lock a staff member out of their own network.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "standwith.shield.network.client_ip"
AXES_LOCKOUT_CALLABLE = "standwith.staff.signin.locked_out"
# Axes keeps the raw address of a failed staff sign-in (never a signer's), as
# it must to count failures per address, until the next sign-in after the
# cool-off clears it; the codes typed are masked, and no log of sign-ins or
# of failures beyond that is kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# No banner on every command; a failed sign-in is still logged, name and address masked.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Baseline views for `make bench` (never in production).
BENCH_VIEWS = env_bool("STANDWITH_BENCH_VIEWS", False)

# Product rules.
CONFIRM_TOKEN_MAX_AGE_DAYS = env_int("STANDWITH_CONFIRM_DAYS", 30, minimum=1, maximum=365)
IP_DIGEST_RETENTION_DAYS = env_int("STANDWITH_IP_RETENTION_DAYS", 30, minimum=1, maximum=365)
# A task still running after this long is taken to have lost its worker.
TASK_STALLED_AFTER_SECONDS = env_int("STANDWITH_TASK_STALLED_SECONDS", 900, minimum=10)
COUNT_SLOTS = 16
# How long anonymous pages and counts may be served from cache, in seconds;
# short enough that the public count is visible within 2 seconds.
PUBLIC_CACHE_SECONDS = env_int("STANDWITH_PUBLIC_CACHE_SECONDS", 1, minimum=0, maximum=2)
# Signature counts at which a petition's staff are told and its page says so,
# after the UK Parliament's thresholds for a government response and a debate.
try:
    MILESTONES = sorted({int(value) for value in env_list("STANDWITH_MILESTONES", ["10000", "100000"])})
except ValueError:
    raise ImproperlyConfigured(
        f"STANDWITH_MILESTONES must be whole numbers separated by commas; got {env_str('STANDWITH_MILESTONES')!r}"
    ) from None
if any(threshold < 1 for threshold in MILESTONES):
    raise ImproperlyConfigured(f"STANDWITH_MILESTONES must be above zero; got {MILESTONES}")

# Sign rate limits (standwith/shield/limits.py), each "count/window" with the
# window in s, m, h or d ("30/10m": 30 attempts in any 10 minutes), or "off".
_WINDOW_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(name: str, default: str) -> tuple[int, int] | None:
    raw = env_str(name) or default
    if raw.lower() == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", raw)
    seconds = int(match[2] or 1) * _WINDOW_UNITS[match[3]] if match else 0
    if not match or int(match[1]) < 1 or not 1 <= seconds <= 7 * 86400:
        raise ImproperlyConfigured(
            f"{name} must be a count per window such as 30/10m (s, m, h or d, up to 7d), or off; got {raw!r}"
        )
    return int(match[1]), seconds


# Defaults let a busy household, office or mobile carrier's shared address
# through and stay above the peaks of real viral petitions; see README.
SIGN_LIMITS = {
    "ip": _rate("STANDWITH_LIMIT_IP", "30/10m"),
    "network": _rate("STANDWITH_LIMIT_NETWORK", "300/10m"),
    "domain": _rate("STANDWITH_LIMIT_DOMAIN", "1000/10m"),
    "petition": _rate("STANDWITH_LIMIT_PETITION", "6000/1m"),
}
# Automatic shields (standwith/shield/shields.py): raised when one petition
# takes this many signatures a minute, or when one network or (non-exempt)
# domain brings this share of the last 5 minutes' signatures, counting from
# a small floor; lowered after this many calm minutes. While up, signing
# needs the proof-of-work challenge and per-source limits are divided.
SHIELD_RATE = env_int("STANDWITH_SHIELD_RATE", 600, minimum=1)
SHIELD_SHARE_PERCENT = env_int("STANDWITH_SHIELD_SHARE_PERCENT", 25, minimum=1, maximum=100)
SHIELD_MIN_SIGNATURES = env_int("STANDWITH_SHIELD_MIN_SIGNATURES", 50, minimum=1)
SHIELD_CALM_MINUTES = env_int("STANDWITH_SHIELD_CALM_MINUTES", 15, minimum=1, maximum=1440)
SHIELD_LIMIT_DIVISOR = env_int("STANDWITH_SHIELD_LIMIT_DIVISOR", 5, minimum=1, maximum=1000)
# The challenge's work, in PBKDF2-SHA256 rounds a browser runs on average to
# solve it: the default takes a recent phone about a second, a laptop less.
CHALLENGE_COMPLEXITY = env_int("STANDWITH_CHALLENGE_COMPLEXITY", 1_000_000, minimum=1, maximum=100_000_000)

# Providers with millions of users each: a popular petition's honest signers
# would fill any per-domain limit, and nobody mints addresses there at will
# (the canonical form already folds Gmail's dots and +tags).
_BIG_MAIL_PROVIDERS = (
    "gmail.com,outlook.com,hotmail.com,live.com,yahoo.com,icloud.com,aol.com,"
    "proton.me,protonmail.com,mail.ru,yandex.ru,gmx.de,web.de"
)
SIGN_LIMIT_EXEMPT_DOMAINS = frozenset(
    domain.lower() for domain in env_list("STANDWITH_LIMIT_EXEMPT_DOMAINS", _BIG_MAIL_PROVIDERS.split(","))
)

# The API (standwith/api): requests per organisation token, and what the public statistics may show.
API_TOKEN_LIMIT = _rate("STANDWITH_LIMIT_API_TOKEN", "600/1m")
# A country with fewer confirmed signers than this is folded into "other" wherever figures are public, so a
# lone signer from a small place cannot be singled out.
PUBLIC_MIN_GROUP_SIZE = env_int("STANDWITH_PUBLIC_MIN_GROUP_SIZE", 10, minimum=1, maximum=10_000)
# How long public statistics (by country, by day) are reused before they are counted again.
STATISTICS_CACHE_SECONDS = env_int("STANDWITH_STATISTICS_CACHE_SECONDS", 300, minimum=1, maximum=86_400)
# How long an Idempotency-Key's answer is kept for a retry.
IDEMPOTENCY_KEY_HOURS = env_int("STANDWITH_IDEMPOTENCY_KEY_HOURS", 24, minimum=1, maximum=24 * 30)

# A proposal from the public reaches the moderators once this many people besides its proposer back it.
PROPOSAL_SUPPORTERS = env_int("STANDWITH_PROPOSAL_SUPPORTERS", 5, minimum=0, maximum=1000)
# How long a published proposal stays open, when its moderators set no deadline.
PROPOSAL_OPEN_DAYS = env_int("STANDWITH_PROPOSAL_OPEN_DAYS", 182, minimum=1, maximum=3650)
# Webhook endpoints may be on a private or loopback network, and plain http: tests and local development only.
WEBHOOK_ALLOW_PRIVATE = env_bool("STANDWITH_WEBHOOK_ALLOW_PRIVATE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
