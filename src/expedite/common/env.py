"""Typed helpers that read configuration from the environment and fail loudly."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def envtime(name: str, default: str) -> dt.time:
    raw = os.environ.get(name, default).strip()
    try:
        return dt.datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: use HH:MM, e.g. {default}.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envhours(name: str, default: dict[str, float]) -> dict[str, float]:
    """Comma-separated `key=hours` pairs (`*=7.5,resolution=3.75`), each a positive number,
    merged over the default; a malformed pair or a non-positive number is refused."""
    table = dict(default)
    for item in envlist(name, []):
        key, sep, raw = item.partition("=")
        try:
            hours = float(raw) if sep and key.strip() else 0.0
        except ValueError:
            hours = 0.0
        if hours <= 0:
            raise ImproperlyConfigured(f"{name}: {item!r} is not key=hours with hours above 0.")
        table[key.strip()] = hours
    return table


def envnetworks(
    name: str, default: list[str]
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks (10.0.0.0/8, 192.0.2.7, fd00::/8)."""
    networks = []
    for item in envlist(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or network.") from None
    return networks


def database_from_url(url: str, *, base_dir: Path) -> dict:
    """A Django DATABASES entry from `sqlite:///path` or `postgres://user:pw@host:port/name`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        raw_path = unquote(parsed.path)
        # sqlite:///relative/path and sqlite:////absolute/path, as in dj-database-url.
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                # Writers take the lock at BEGIN, so web and worker processes wait
                # for each other instead of failing halfway through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL names no database.")
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use sqlite:/// or postgres://)."
    )


def huey_from_url(url: str, *, base_dir: Path, name: str) -> dict:
    """djhuey settings from `sqlite:///path` (embedded) or `redis://host:port/db`."""
    parsed = urlparse(url)
    common = {"name": name, "immediate": False, "utc": True, "results": True}
    if parsed.scheme == "sqlite":
        raw_path = unquote(parsed.path)
        path = Path(raw_path[1:]) if raw_path.startswith("/") else Path(raw_path)
        if not path.is_absolute():
            path = base_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return {**common, "huey_class": "huey.SqliteHuey", "filename": str(path)}
    if parsed.scheme in {"redis", "rediss"}:
        return {**common, "huey_class": "huey.RedisHuey", "url": url}
    raise ImproperlyConfigured(
        f"EXPEDITE_QUEUE_URL scheme {parsed.scheme!r} is not supported (use sqlite:/// or redis://)."
    )


CACHE_TABLE = "expedite_cache"
# Rate-limit counters live in the cache; the backends' default of 300 entries would let a burst
# of new keys evict counters still in use.
_CACHE_MAX_ENTRIES = 100_000


def cache_from_url(url: str, *, key_prefix: str) -> dict:
    """Django's default cache from `db://` (a table in the database, the default),
    `redis://host:port/db` (or rediss://, unix://) or `locmem://` (this process only).

    Rate limits count in it, so every web process must name the same shared store: the
    database or Redis. `locmem://` is for tests and a single process."""
    parsed = urlparse(url)
    common = {"KEY_PREFIX": key_prefix}
    if parsed.scheme == "db":
        return {
            **common,
            "BACKEND": "expedite.web.cache.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": _CACHE_MAX_ENTRIES},
        }
    if parsed.scheme in {"redis", "rediss", "unix"}:
        return {**common, "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parsed.scheme == "locmem":
        return {
            **common,
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parsed.netloc or "expedite",
            "OPTIONS": {"MAX_ENTRIES": _CACHE_MAX_ENTRIES},
        }
    raise ImproperlyConfigured(
        f"EXPEDITE_CACHE_URL scheme {parsed.scheme!r} is not supported "
        "(use db://, redis://host:6379/1 or locmem://)."
    )


def secret_key(*, production: bool, var_dir: Path) -> str:
    """SECRET_KEY from the environment; in the embedded default, generated once under var/."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters.")
        return key
    if production:
        raise ImproperlyConfigured("SECRET_KEY is required when EXPEDITE_ENV=production.")
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Exclusive create: two processes starting together must agree on one key.
    try:
        with path.open("x") as fh:
            fh.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
