from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from expedite.common.env import (
    database_from_url,
    envbool,
    envhours,
    envint,
    huey_from_url,
    secret_key,
)


def test_booleans_fail_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", default=False)
    monkeypatch.setenv("X_FLAG", "yes")
    assert envbool("X_FLAG", default=False) is True


def test_integers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        envint("X_NUM", 1)


def test_hours_by_key_merge_over_the_default_and_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_HOURS", "resolution=2, license=15")
    assert envhours("X_HOURS", {"*": 7.5, "resolution": 3.75}) == {
        "*": 7.5,
        "resolution": 2.0,
        "license": 15.0,
    }
    for bad in ("resolution", "resolution=0", "=3", "resolution=soon"):
        monkeypatch.setenv("X_HOURS", bad)
        with pytest.raises(ImproperlyConfigured, match="X_HOURS"):
            envhours("X_HOURS", {"*": 7.5})


def test_database_urls(tmp_path):
    sqlite = database_from_url(f"sqlite:///{tmp_path}/a.sqlite3", base_dir=Path("/nowhere"))
    assert sqlite["NAME"] == f"{tmp_path}/a.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    pg = database_from_url("postgres://u:p%40ss@db.example:6543/expedite", base_dir=tmp_path)
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u",
        "p@ss",
        "db.example",
        "6543",
        "expedite",
    )
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x/y", base_dir=tmp_path)


def test_queue_urls(tmp_path):
    assert (
        huey_from_url("redis://127.0.0.1:6379/3", base_dir=tmp_path, name="e")["huey_class"]
        == "huey.RedisHuey"
    )
    assert (
        huey_from_url(f"sqlite:///{tmp_path}/q.db", base_dir=tmp_path, name="e")["huey_class"]
        == "huey.SqliteHuey"
    )
    with pytest.raises(ImproperlyConfigured):
        huey_from_url("amqp://x", base_dir=tmp_path, name="e")


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(production=False, var_dir=tmp_path)
    assert secret_key(production=False, var_dir=tmp_path) == first
    assert len(first) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        secret_key(production=True, var_dir=tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        secret_key(production=True, var_dir=tmp_path)


def test_cache_urls(tmp_path):
    from expedite.common.env import cache_from_url

    redis = cache_from_url("redis://cache.example:6380/2", key_prefix="firm-a")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert (redis["LOCATION"], redis["KEY_PREFIX"]) == ("redis://cache.example:6380/2", "firm-a")
    database = cache_from_url("db://", key_prefix="firm-a")
    assert database["BACKEND"] == "expedite.web.cache.DatabaseCache"
    assert database["LOCATION"] == "expedite_cache"
    with pytest.raises(ImproperlyConfigured, match="memcached"):
        cache_from_url("memcached://x", key_prefix="e")


def _settings_in_subprocess(tmp_path, expression: str, **env: str):
    """Build the settings from `env` in a fresh interpreter; the value of `expression`."""
    import json
    import os
    import subprocess
    import sys

    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "EXPEDITE_", "DJANGO_", "SECRET_KEY", "DEBUG"))
    }
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({expression}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "expedite.web.settings",
            "EXPEDITE_VAR_DIR": str(tmp_path / "var"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, (json.loads(done.stdout) if done.returncode == 0 else None)


def test_the_cache_is_shared_by_default_and_redis_by_environment(tmp_path):
    _done, default = _settings_in_subprocess(tmp_path, "settings.CACHES['default']['BACKEND']")
    assert default == "expedite.web.cache.DatabaseCache"
    _done, redis = _settings_in_subprocess(
        tmp_path,
        "settings.CACHES['default']",
        EXPEDITE_CACHE_URL="redis://127.0.0.1:6379/4",
        EXPEDITE_QUEUE_NAME="firm-b",
    )
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert (redis["LOCATION"], redis["KEY_PREFIX"]) == ("redis://127.0.0.1:6379/4", "firm-b")
