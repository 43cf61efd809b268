from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from expedite.web.env import database_from_url, envbool, envint, huey_from_url, secret_key


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
