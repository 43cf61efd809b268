"""Django settings. Everything that differs between machines comes from the environment.

Embedded default (no variables set): SQLite and a SQLite-backed Huey queue under ./var/.
At scale: DATABASE_URL=postgres://…, EXPEDITE_QUEUE_URL=redis://…, SECRET_KEY, ALLOWED_HOSTS,
EXPEDITE_ENV=production. See docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from expedite.common.env import (
    cache_from_url,
    database_from_url,
    envbool,
    envfloat,
    envhours,
    envint,
    envlist,
    envnetworks,
    envstr,
    envtime,
    huey_from_url,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EXPEDITE_VAR_DIR", "var")).resolve()

EXPEDITE_ENV = envstr("EXPEDITE_ENV", "embedded")
if EXPEDITE_ENV not in {"embedded", "production", "test"}:
    raise ImproperlyConfigured(f"EXPEDITE_ENV={EXPEDITE_ENV!r}: use embedded, production or test.")
PRODUCTION = EXPEDITE_ENV == "production"

SECRET_KEY = secret_key(production=PRODUCTION, var_dir=VAR_DIR)
DEBUG = envbool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and source to anyone who reaches an error.
    raise ImproperlyConfigured("DEBUG must be off when EXPEDITE_ENV=production.")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when EXPEDITE_ENV=production.")
EXPEDITE_BEHIND_TLS_PROXY = envbool("EXPEDITE_BEHIND_TLS_PROXY", default=PRODUCTION)
if EXPEDITE_BEHIND_TLS_PROXY:
    # The TLS proxy in front says the original scheme, so links we build say https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# In production every page is HTTPS: a plain-HTTP request is redirected (except the health
# probe, which load balancers send in plain HTTP), and browsers are told to remember it (HSTS,
# one year by default; EXPEDITE_HSTS_SECONDS=0 turns it off while trying a new domain).
SECURE_SSL_REDIRECT = envbool("EXPEDITE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = envint("EXPEDITE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
# Whether HSTS covers every subdomain of the firm's domain, or goes on the browsers' preload
# list, is the firm's decision about its domain.
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("EXPEDITE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = envbool("EXPEDITE_HSTS_PRELOAD", default=False)
# Behind the proxy, the client is the right-most X-Forwarded-For entry that is not one of these
# (the firm's own load balancers and proxies); see expedite.common.addresses.
EXPEDITE_TRUSTED_PROXIES = envnetworks("EXPEDITE_TRUSTED_PROXIES", [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "expedite.accounts",
    "expedite.audit",
    "expedite.cases",
    "expedite.monitoring",
    "expedite.notify",
    "expedite.materials",
    "expedite.work",
    "expedite.batches",
    "expedite.reviews",
    "expedite.custody",
    "expedite.approvals",
    "expedite.delivery",
    "expedite.ops",
    "expedite.portal",
    "expedite.requests",
    "expedite.imports",
    "expedite.radar",
    "expedite.feeds",
    "expedite.learning",
    "expedite.kpi",
    "expedite.records",
    "expedite.desk",
    "expedite.workdays",
    "expedite.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "expedite.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "expedite.web.middleware.DefaultLanguageMiddleware",
    # Before anything reads the body (the CSRF check reads the form).
    "expedite.web.bodylimit.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "expedite.web.middleware.HtmxLoginRedirectMiddleware",
    "expedite.workdays.middleware.CalendarVersionMiddleware",
]

ROOT_URLCONF = "expedite.web.urls"
WSGI_APPLICATION = "expedite.web.wsgi.application"

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
                "expedite.web.context.staff_context",
                "expedite.notify.context.notifications",
                "expedite.learning.context.follow_ups",
                "expedite.delivery.context.signing",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR}/expedite.sqlite3"), base_dir=VAR_DIR.parent
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

HUEY = huey_from_url(
    envstr("EXPEDITE_QUEUE_URL", f"sqlite:///{VAR_DIR}/queue.sqlite3"),
    base_dir=VAR_DIR.parent,
    name=envstr("EXPEDITE_QUEUE_NAME", "expedite"),
)
# Rate limits count in this cache, so it is shared by every process: a table in the database
# by default (created by the migrations), Redis at scale. Keys carry the queue name, so
# installations sharing one Redis keep apart.
CACHES = {
    "default": cache_from_url(
        envstr("EXPEDITE_CACHE_URL", "db://"), key_prefix=envstr("EXPEDITE_QUEUE_NAME", "expedite")
    )
}
# Each worker records a heartbeat this often; one older than the stale limit means no worker
# is alive, and /healthz answers 503 wherever a worker is expected (everywhere but web-only
# test set-ups: the outbox, reports and the SLA watch depend on one).
EXPEDITE_HEARTBEAT_SECONDS = envint("EXPEDITE_HEARTBEAT_SECONDS", 10)
EXPEDITE_HEARTBEAT_STALE_SECONDS = envint(
    "EXPEDITE_HEARTBEAT_STALE_SECONDS", 3 * EXPEDITE_HEARTBEAT_SECONDS
)
EXPEDITE_EXPECT_WORKER = envbool("EXPEDITE_EXPECT_WORKER", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password check goes through the log-in throttle (expedite.accounts.throttle): tries per
# account from one address, and per address over all accounts, in 15 minutes.
AUTHENTICATION_BACKENDS = [
    "expedite.accounts.backends.ThrottledModelBackend",
    # Answers only an OpenID Connect callback, and only when single sign-on is configured.
    "expedite.accounts.oidc.StaffOIDCBackend",
]
EXPEDITE_LOGIN_TRIES_PER_ACCOUNT = envint("EXPEDITE_LOGIN_TRIES_PER_ACCOUNT", 5)
EXPEDITE_LOGIN_TRIES_PER_ADDRESS = envint("EXPEDITE_LOGIN_TRIES_PER_ADDRESS", 50)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "case_list"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on through the firm's OpenID Connect provider (企业微信 or any other); off unless
# a client id is set. Staff are matched, never created; roles stay here (accounts/oidc.py).
OIDC_RP_CLIENT_ID = envstr("EXPEDITE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envstr("EXPEDITE_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("EXPEDITE_OIDC_AUTHORIZATION_URL", "")
OIDC_OP_TOKEN_ENDPOINT = envstr("EXPEDITE_OIDC_TOKEN_URL", "")
OIDC_OP_USER_ENDPOINT = envstr("EXPEDITE_OIDC_USERINFO_URL", "")
OIDC_OP_JWKS_ENDPOINT = envstr("EXPEDITE_OIDC_JWKS_URL", "")
# When set, an ID token naming any other issuer is refused (the library does not check it).
EXPEDITE_OIDC_ISSUER = envstr("EXPEDITE_OIDC_ISSUER", "")
OIDC_RP_SIGN_ALGO = envstr("EXPEDITE_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = envstr("EXPEDITE_OIDC_SCOPES", "openid email profile")
OIDC_CREATE_USER = False
OIDC_TIMEOUT = envint("EXPEDITE_OIDC_TIMEOUT_SECONDS", 10)
LOGIN_REDIRECT_URL_FAILURE = "/login/"
EXPEDITE_OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
# The button's words on the log-in page, e.g. 企业微信登录.
EXPEDITE_OIDC_NAME = envstr("EXPEDITE_OIDC_NAME", "")
# A claim holding the person's id at the provider (e.g. "userid" for 企业微信), matched against
# the staff member's 企业微信账号; empty: match by verified e-mail only.
EXPEDITE_OIDC_USERID_CLAIM = envstr("EXPEDITE_OIDC_USERID_CLAIM", "")
# Password log-ins ask for a one-time code from an authenticator app: always for those who set
# one up; with this on, everyone signing in with a password must set one up first.
EXPEDITE_TOTP_REQUIRED = envbool("EXPEDITE_TOTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = "加急服务台 Expedite"

# Chinese first: zh-Hans regardless of the browser's Accept-Language; English on request.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # whitenoise warns about a missing root even when it serves from the app finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (embedded, tests) whitenoise serves straight from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Every handler masks secrets (portal link tokens, one-time codes, mobile numbers): see
# expedite.common.logredact. Django's own handlers are redefined here so that they do too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "expedite.common.logredact.RedactSecrets"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "huey": {"level": "INFO"},
    },
}

# Where clients and staff reach this installation: links in e-mails are built on it.
EXPEDITE_PUBLIC_URL = envstr("EXPEDITE_PUBLIC_URL", "http://127.0.0.1:8000")
EXPEDITE_FIRM_NAME = envstr("EXPEDITE_FIRM_NAME", "加喜财税")
# `expedite catalog check` warns of a legal basis last verified longer ago than this.
EXPEDITE_CATALOG_BASIS_MAX_AGE_DAYS = envint("EXPEDITE_CATALOG_BASIS_MAX_AGE_DAYS", 365)
# PDFs embed a CJK TrueType font (docs/delivery.md): a path, or the first Debian font found.
EXPEDITE_PDF_FONT = envstr("EXPEDITE_PDF_FONT", "")
EXPEDITE_PDF_FONT_INDEX = envint("EXPEDITE_PDF_FONT_INDEX", 0)
# The firm's signing certificate (PKCS#12). Without one, `expedite setup` generates a
# self-signed certificate under var/signing/ and the staff pages say so.
EXPEDITE_SIGNING_P12 = envstr("EXPEDITE_SIGNING_P12", "")
EXPEDITE_SIGNING_P12_PASSWORD = envstr("EXPEDITE_SIGNING_P12_PASSWORD", "")
# Extra trust roots (PEM or DER files) for `expedite verify-pdf`, e.g. the CA that issued it.
EXPEDITE_SIGNING_TRUST_ROOTS = envlist("EXPEDITE_SIGNING_TRUST_ROOTS", [])
EXPEDITE_SIGNING_DIR = VAR_DIR / "signing"

if EXPEDITE_ENV == "test":
    # Password hashing dominates test set-up time; tests never need it to be slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# Triage priority weights (urgency, impact, client value); see expedite.domain.triage.priority.
EXPEDITE_PRIORITY_WEIGHTS = (
    envfloat("EXPEDITE_PRIORITY_URGENCY", 0.5),
    envfloat("EXPEDITE_PRIORITY_IMPACT", 0.35),
    envfloat("EXPEDITE_PRIORITY_VALUE", 0.15),
)
# 日清: the process specialist syncs every track by EXPEDITE_SYNC_TIME; the liaison reports to
# the client by EXPEDITE_CLIENT_FEEDBACK_TIME (working days only).
EXPEDITE_SYNC_TIME = envtime("EXPEDITE_SYNC_TIME", "10:00")
EXPEDITE_CLIENT_FEEDBACK_TIME = envtime("EXPEDITE_CLIENT_FEEDBACK_TIME", "15:00")
# A case is at risk when its projected finish leaves less than this much working time.
EXPEDITE_AT_RISK_SLACK_HOURS = envfloat("EXPEDITE_AT_RISK_SLACK_HOURS", 7.5)
# A step projected to finish less than this many working minutes after its planned finish is
# not shown as late: a plan made at acceptance is minutes old by the time anyone looks.
EXPEDITE_SLIP_TOLERANCE_MINUTES = envint("EXPEDITE_SLIP_TOLERANCE_MINUTES", 10)
# Threads CP-SAT searches with for a proposal (the night's, or one asked for): one thread runs
# a single strategy; several run a portfolio of them with neighbourhood search.
EXPEDITE_SOLVER_THREADS = max(1, envint("EXPEDITE_SOLVER_THREADS", min(os.cpu_count() or 1, 8)))
# 日报: drafted EXPEDITE_REPORT_EDIT_MINUTES before EXPEDITE_REPORT_TIME (a case may set its
# own time), sent at the report time; risk warnings reach the client after the liaison
# approves them unless EXPEDITE_WARN_CLIENT_AUTOMATICALLY.
EXPEDITE_REPORT_TIME = envtime("EXPEDITE_REPORT_TIME", "17:00")
EXPEDITE_REPORT_EDIT_MINUTES = envint("EXPEDITE_REPORT_EDIT_MINUTES", 60)
EXPEDITE_WARN_CLIENT_AUTOMATICALLY = envbool("EXPEDITE_WARN_CLIENT_AUTOMATICALLY", default=False)
# 一次性告知: the client is asked to send the corrections within this much working time.
EXPEDITE_CORRECTION_HOURS = envfloat("EXPEDITE_CORRECTION_HOURS", 7.5)
# Reminders while its items stay open (docs/materials.md): working hours between two, by the
# checklist item's code ("*" for any other item: one working day; a resolution to be signed,
# half a day), and at most this many per case and day, only within the firm's working hours.
EXPEDITE_CORRECTION_REMINDER_HOURS = envhours(
    "EXPEDITE_CORRECTION_REMINDER_HOURS", {"*": 7.5, "resolution": 3.75}
)
EXPEDITE_CORRECTION_REMINDERS_PER_DAY = envint("EXPEDITE_CORRECTION_REMINDERS_PER_DAY", 2)
EXPEDITE_MAX_UPLOAD_BYTES = envint("EXPEDITE_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# The largest request body anywhere but the upload URLs, which take a file of
# EXPEDITE_MAX_UPLOAD_BYTES plus this (expedite.web.bodylimit); larger bodies are refused (413)
# before they are read.
EXPEDITE_MAX_REQUEST_BYTES = envint("EXPEDITE_MAX_REQUEST_BYTES", 1024 * 1024)

# Client portal (docs/portal.md): link lifetime, rate limits, a resend cooldown for codes,
# and the SMS sender used for contacts without e-mail.
EXPEDITE_PORTAL_LINK_DAYS = envint("EXPEDITE_PORTAL_LINK_DAYS", 90)
# (limit, window in seconds). Lookups count per link and per address; one-time codes per link
# and per recipient, never per address, so one office's NAT does not lock its clients out
# (docs/portal.md, "Rate limits").
EXPEDITE_PORTAL_RATE_LIMITS = {
    "lookup": (envint("EXPEDITE_PORTAL_LOOKUPS_PER_MINUTE", 30), 60),
    "code": (envint("EXPEDITE_PORTAL_CODES_PER_10_MINUTES", 5), 600),
    "code_recipient": (envint("EXPEDITE_PORTAL_CODES_PER_RECIPIENT_PER_HOUR", 10), 3600),
    "verify": (envint("EXPEDITE_PORTAL_FAILED_CHECKS_PER_10_MINUTES", 10), 600),
}
# A new code to the same recipient through the same link: not before this many seconds.
EXPEDITE_PORTAL_CODE_COOLDOWN_SECONDS = envint("EXPEDITE_PORTAL_CODE_COOLDOWN_SECONDS", 60)
# The public request page (/request/): codes asked and requests sent per client address
# (limit, window in seconds); each number's codes are limited by EXPEDITE_SMS_CODE_LIMITS too.
EXPEDITE_REQUEST_RATE_LIMITS = {
    "code": (envint("EXPEDITE_REQUEST_CODES_PER_HOUR", 20), 3600),
    "submit": (envint("EXPEDITE_REQUEST_SUBMITS_PER_HOUR", 20), 3600),
}

# Text messages (docs/notifications.md, "Text messages"): "log" only writes them to the log (the
# default, for the demo and development); "aliyun" or "tencent" sends them through that
# provider with the firm's key, 签名 and the 模板 it filed for each kind of message.
EXPEDITE_SMS_PROVIDER = envstr("EXPEDITE_SMS_PROVIDER", "log")
# The provider's API address; empty for its public one (dysmsapi.aliyuncs.com,
# sms.tencentcloudapi.com). "http://host:port" for a stand-in.
EXPEDITE_SMS_ENDPOINT = envstr("EXPEDITE_SMS_ENDPOINT", "")
EXPEDITE_SMS_KEY_ID = envstr("EXPEDITE_SMS_KEY_ID", "")
EXPEDITE_SMS_KEY_SECRET = envstr("EXPEDITE_SMS_KEY_SECRET", "")
EXPEDITE_SMS_SIGN_NAME = envstr("EXPEDITE_SMS_SIGN_NAME", "")
EXPEDITE_SMS_APP_ID = envstr("EXPEDITE_SMS_APP_ID", "")  # 腾讯云 SmsSdkAppId
EXPEDITE_SMS_REGION = envstr("EXPEDITE_SMS_REGION", "ap-guangzhou")  # 腾讯云
EXPEDITE_SMS_TEMPLATES = {
    kind: envstr(f"EXPEDITE_SMS_TEMPLATE_{kind.upper()}", "")
    for kind in ("code", "notice", "reminder", "delivery", "risk", "received")
}
EXPEDITE_SMS_TIMEOUT_SECONDS = envint("EXPEDITE_SMS_TIMEOUT_SECONDS", 10)
# One-time codes to one number: count/seconds, comma-separated (1 a minute, 5 an hour, 10 a day).
EXPEDITE_SMS_CODE_LIMITS = envstr("EXPEDITE_SMS_CODE_LIMITS", "1/60,5/3600,10/86400")
# The secret last part of the delivery-receipt address given to the provider
# (/hooks/sms/<provider>/<token>/); receipts are refused while it is empty.
EXPEDITE_SMS_RECEIPT_TOKEN = envstr("EXPEDITE_SMS_RECEIPT_TOKEN", "")

# E-mail: SMTP when EMAIL_HOST is set; otherwise messages are written as files under var/mail.
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "expedite@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Where the daily audit anchor goes: a file under var/anchors and this address.
# Notifications (see docs/notifications.md): every message goes through the outbox table.
# A worker holds a claimed message this long; a crashed worker's claim expires after it.
EXPEDITE_OUTBOX_LEASE_SECONDS = envint("EXPEDITE_OUTBOX_LEASE_SECONDS", 300)
# How long a webhook receiver may take to answer before the delivery is retried later.
EXPEDITE_WEBHOOK_TIMEOUT_SECONDS = envint("EXPEDITE_WEBHOOK_TIMEOUT_SECONDS", 10)
# 企业微信 group robot: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
EXPEDITE_WECOM_WEBHOOK_URL = envstr("EXPEDITE_WECOM_WEBHOOK_URL", "")
EXPEDITE_WECOM_TIMEOUT_SECONDS = envint("EXPEDITE_WECOM_TIMEOUT_SECONDS", 10)
# 企业微信 application messages to each staff member (their 企业微信账号 on the staff page):
# the firm's corp id, the application's secret and agent id. Off while the corp id is empty.
EXPEDITE_WECOM_CORP_ID = envstr("EXPEDITE_WECOM_CORP_ID", "")
EXPEDITE_WECOM_APP_SECRET = envstr("EXPEDITE_WECOM_APP_SECRET", "")
EXPEDITE_WECOM_AGENT_ID = envint("EXPEDITE_WECOM_AGENT_ID", 0)
EXPEDITE_WECOM_API_URL = envstr("EXPEDITE_WECOM_API_URL", "https://qyapi.weixin.qq.com")
# Each staff member's morning digest, on working days.
EXPEDITE_DIGEST_TIME = envtime("EXPEDITE_DIGEST_TIME", "08:30")

EXPEDITE_ANCHOR_DIR = VAR_DIR / "anchors"
EXPEDITE_ANCHOR_EMAIL = envstr("EXPEDITE_ANCHOR_EMAIL", "")

# Cases, their files and their events are kept at least this many years after closure.
EXPEDITE_RETENTION_YEARS = envint("EXPEDITE_RETENTION_YEARS", 3)
if EXPEDITE_RETENTION_YEARS < 3:
    raise ImproperlyConfigured("EXPEDITE_RETENTION_YEARS must be at least 3 (留痕存证至少 3 年).")
