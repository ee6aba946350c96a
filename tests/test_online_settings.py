from __future__ import annotations

import dataclasses

import pytest

from contentlint.config import load_settings
from contentlint.online.settings import _KEYS, DEFAULT_FIELDS, OPTION_NAMES, NetworkAccess, OnlineSettings


def test_defaults_are_polite_and_guarded():
    s = OnlineSettings()
    assert (s.concurrency, s.per_host_concurrency, s.per_host_interval) == (16, 2, 0.2)
    assert NetworkAccess() == NetworkAccess((), ())  # the guard lets nothing private through by default
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
        "fields": ["webUrl"], "user-agent": "bot/1", "cache-path": False, "refresh": True,
    })
    assert (s.concurrency, s.per_host_concurrency, s.per_host_interval, s.deadline) == (8, 1, 0.5, 60.0)
    assert (s.retries, s.ttl_ok, s.ttl_broken) == (0, 7 * 86400.0, 3600.0)
    assert s.accepted_statuses == {200, 300, 301, 302, 401, 402, 403}
    assert s.excluded("https://example.com/x") and not s.excluded("https://example.org/x")
    assert s.cache_path is None and s.refresh and s.fields == ("webUrl",)


def test_unknown_key_is_named():
    with pytest.raises(ValueError) as info:
        OnlineSettings.from_mapping({"concurency": 3})
    assert str(info.value) == "unknown key `online.concurency`"


@pytest.mark.parametrize("key, value", [
    ("concurrency", "8"), ("concurrency", 0), ("concurrency", True), ("retries", -1),
    ("deadline", "soon"), ("deadline", -1), ("refresh", "yes"), ("exclude", "x"),
    ("exclude", ["("]), ("fields", [1]), ("accepted-statuses", ["2xx"]),
    ("accepted-statuses", 200), ("user-agent", ""), ("user-agent", "bot\r\nX-Evil: 1"), ("user-agent", "bot\u00e9"),
])
def test_wrong_value_types_are_errors_naming_the_key(key, value):
    with pytest.raises(ValueError) as info:
        OnlineSettings.from_mapping({key: value})
    assert f"`online.{key}`: " in str(info.value)


@pytest.mark.parametrize("key, value", [
    ("deadline", float("inf")), ("read-timeout", float("nan")), ("connect-timeout", "99999d"), ("deadline", 301),
    ("retry-after-cap", "6m"), ("backoff-cap", float("inf")), ("ttl-ok", "400d"), ("retries", 11),
    ("max-redirects", 31), ("per-host-interval", "1h"),
])
def test_a_config_cannot_make_a_request_wait_for_ever(key, value):
    # The config is data from the checkout: `deadline = inf` against a silent server would hang `--online`.
    with pytest.raises(ValueError) as info:
        OnlineSettings.from_mapping({key: value})
    assert f"`online.{key}`: " in str(info.value)
    assert "must be at most" in str(info.value) or "expected seconds" in str(info.value)
    OnlineSettings.from_mapping({"deadline": 300, "retries": 10, "ttl-ok": "366d", "max-redirects": 30})


def test_exclude_patterns_match_in_linear_time_with_rust_regex_syntax():
    # RE2, as lychee's Rust regex: `(a+)+$` answers at once where Python's engine backtracks for hours.
    s = OnlineSettings.from_mapping({"exclude": ["(a+)+$", r"^https://example\.com/", "(?i)LOCALHOST"]})
    assert not s.excluded("http://127.0.0.1/" + "a" * 5000 + "!")
    assert s.excluded("http://x/" + "a" * 50) and s.excluded("https://example.com/p") and s.excluded("http://localhost/")
    for unsupported in ("(?=a)", r"(a)\1"):
        with pytest.raises(ValueError) as info:
            OnlineSettings.from_mapping({"exclude": [unsupported]})
        assert "no lookaround, no backreferences" in str(info.value)


def test_settings_are_frozen_and_validated():
    s = OnlineSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.concurrency = 3  # type: ignore[misc]
    assert s.with_(refresh=True).refresh and not s.refresh
    with pytest.raises(ValueError):
        OnlineSettings(deadline=0)


# -- the SSRF guard's exceptions: the operator's, never a config file's ----------------


@pytest.mark.parametrize("table", [
    {"allow-networks": ["0.0.0.0/0", "::/0"], "resolve-override": {"www.example.com": "127.0.0.1"}},
    {"allow-networks": "junk", "resolve-override": 3},  # ignored, so never an error either
])
def test_operator_keys_in_a_config_table_have_no_effect(table):
    assert OnlineSettings.from_mapping({**table, "retries": 0}) == OnlineSettings(retries=0)
    assert not any("network" in name or "override" in name for name in OPTION_NAMES)


@pytest.mark.parametrize("name, text, where", [
    ("contentlint.toml", "[online]\n{keys}", ""),  # the path says where: not the file's name twice
    (".contentlint.toml", "[online]\n{keys}", ""),
    ("pyproject.toml", "[tool.contentlint.online]\n{keys}", " [tool.contentlint]:"),
])
def test_a_config_file_setting_operator_keys_loads_with_a_warning(tmp_path, name, text, where):
    keys = 'retries = 1\nallow-networks = ["0.0.0.0/0"]\nresolve-override = { "a.test" = "10.0.0.1" }\n'
    path = tmp_path / name
    path.write_text(text.format(keys=keys), encoding="utf-8")
    settings = load_settings(str(path))
    assert settings.online == {"retries": 1}
    assert settings.warnings == (
        f"{path}:{where} `online.allow-networks` is ignored: a config file cannot widen the SSRF guard; "
        "the operator sets it with --allow-network CIDR or CONTENTLINT_ALLOW_NETWORKS (see docs/online.md)",
        f"{path}:{where} `online.resolve-override` is ignored: a config file cannot widen the SSRF guard; "
        "the operator sets it with --resolve-override HOST=IP or CONTENTLINT_RESOLVE_OVERRIDE (see docs/online.md)",
    )
    assert load_settings(str(path)).warnings == settings.warnings  # stable, not accumulated


def test_operator_access_joins_the_environment_and_the_command_line():
    environ = {"CONTENTLINT_ALLOW_NETWORKS": " 127.0.0.0/8, ::1/128\n10.0.0.0/8 ",
               "CONTENTLINT_RESOLVE_OVERRIDE": "A.test=127.0.0.1, b.test=::1"}
    access = NetworkAccess.from_operator(["127.0.0.0/8", "192.168.1.0/24"], ["a.TEST = 127.0.0.2"], environ)
    assert access.allow_networks == ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "192.168.1.0/24")
    assert access.overrides == {"a.test": "127.0.0.2", "b.test": "::1"}  # the command line wins
    assert NetworkAccess.from_operator([], [], {}) == NetworkAccess()
    assert NetworkAccess.from_operator() == NetworkAccess()


@pytest.mark.parametrize("networks, overrides, environ, message", [
    (["localhost"], [], {}, "--allow-network: 'localhost' does not appear to be an IPv4 or IPv6 network"),
    ([], ["a.test"], {}, "--resolve-override: expected HOST=IP, got 'a.test'"),
    ([], ["=127.0.0.1"], {}, "--resolve-override: expected HOST=IP, got '=127.0.0.1'"),
    ([], [], {"CONTENTLINT_ALLOW_NETWORKS": "10.0.0.0/33"},
     "CONTENTLINT_ALLOW_NETWORKS: '10.0.0.0/33' does not appear to be an IPv4 or IPv6 network"),
    ([], [], {"CONTENTLINT_RESOLVE_OVERRIDE": "a.test=1.2.3"},
     "CONTENTLINT_RESOLVE_OVERRIDE: '1.2.3' does not appear to be an IPv4 or IPv6 address"),
])
def test_a_bad_operator_value_names_its_source(networks, overrides, environ, message):
    with pytest.raises(ValueError) as info:
        NetworkAccess.from_operator(networks, overrides, environ)
    assert str(info.value) == message
