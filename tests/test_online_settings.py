from __future__ import annotations

import dataclasses

import pytest

from contentlint.online.settings import _KEYS, DEFAULT_FIELDS, OPTION_NAMES, OnlineSettings


def test_defaults_are_polite_and_guarded():
    s = OnlineSettings()
    assert (s.concurrency, s.per_host_concurrency, s.per_host_interval) == (16, 2, 0.2)
    assert s.allow_networks == ()  # the guard lets nothing private through by default
    assert s.accepted_statuses == frozenset(range(200, 300))
    assert s.fields == DEFAULT_FIELDS and "related.*.cdnAmpWebUrl" not in s.fields
    assert s.cache_path == ".contentlint_cache/online.sqlite3" and not s.refresh
    assert s.user_agent.startswith("contentlint/")


def test_every_option_has_a_config_key():
    assert sorted(name for name, _ in _KEYS.values()) == sorted(OPTION_NAMES)
    for key, (name, _) in _KEYS.items():
        assert key == name.replace("_", "-")


def test_from_mapping_reads_kebab_case_keys():
    s = OnlineSettings.from_mapping({
        "concurrency": 8, "per-host-concurrency": 1, "per-host-interval": "500ms",
        "deadline": "1m", "retries": 0, "ttl-ok": "7d", "ttl-broken": 3600,
        "accepted-statuses": [200, "300..=302", "401-403"], "exclude": [r"^https://example\.com/"],
        "fields": ["webUrl"], "user-agent": "bot/1", "allow-networks": ["127.0.0.1", "::1/128"],
        "resolve-override": {"Host01.test": "127.0.0.1"}, "cache-path": False, "refresh": True,
    })
    assert (s.concurrency, s.per_host_concurrency, s.per_host_interval, s.deadline) == (8, 1, 0.5, 60.0)
    assert (s.retries, s.ttl_ok, s.ttl_broken) == (0, 7 * 86400.0, 3600.0)
    assert s.accepted_statuses == {200, 300, 301, 302, 401, 402, 403}
    assert s.excluded("https://example.com/x") and not s.excluded("https://example.org/x")
    assert s.overrides == {"host01.test": "127.0.0.1"}
    assert s.cache_path is None and s.refresh and s.fields == ("webUrl",)


def test_unknown_key_is_named():
    with pytest.raises(ValueError) as info:
        OnlineSettings.from_mapping({"concurency": 3})
    assert str(info.value) == "unknown key 'concurency' in [tool.contentlint.online]"


@pytest.mark.parametrize("key, value", [
    ("concurrency", "8"), ("concurrency", 0), ("concurrency", True), ("retries", -1),
    ("deadline", "soon"), ("deadline", -1), ("refresh", "yes"), ("exclude", "x"),
    ("exclude", ["("]), ("fields", [1]), ("accepted-statuses", ["2xx"]),
    ("accepted-statuses", 200), ("allow-networks", ["localhost"]),
    ("resolve-override", {"a.test": "not-an-ip"}), ("user-agent", ""),
])
def test_wrong_value_types_are_errors_naming_the_key(key, value):
    with pytest.raises(ValueError) as info:
        OnlineSettings.from_mapping({key: value})
    assert f"'{key}' in [tool.contentlint.online]" in str(info.value)


def test_settings_are_frozen_and_validated():
    s = OnlineSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.concurrency = 3  # type: ignore[misc]
    assert s.with_(refresh=True).refresh and not s.refresh
    with pytest.raises(ValueError):
        OnlineSettings(deadline=0)
