"""Start-up settings: production refuses to start without its secrets; development makes them."""

import pytest

from registry.config import ConfigError, load_config


def test_production_names_every_missing_secret(tmp_path, monkeypatch):
    for name in ("REGISTRY_SECRET_KEY", "REGISTRY_KEYRING", "REGISTRY_KEYRING_DATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REGISTRY_ENV", "production")
    with pytest.raises(ConfigError) as caught:
        load_config(str(tmp_path))
    assert "REGISTRY_SECRET_KEY" in str(caught.value) and "REGISTRY_KEYRING" in str(caught.value)


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_ENV", "production")
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "s" * 64)
    monkeypatch.setenv("REGISTRY_KEYRING", str(tmp_path / "k.json"))
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_its_secret_once_into_instance(tmp_path, monkeypatch):
    for name in (
        "REGISTRY_SECRET_KEY",
        "REGISTRY_KEYRING",
        "REGISTRY_KEYRING_DATA",
        "REGISTRY_ENV",
    ):
        monkeypatch.delenv(name, raising=False)
    first = load_config(str(tmp_path))
    second = load_config(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["REGISTRY_KEYRING"] == str(tmp_path / "keyring.json")


def test_an_unknown_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_ENV", "staging")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))
