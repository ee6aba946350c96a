"""`contentlint check --online` end to end, against a real server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytest.importorskip("pytest_httpserver")


def _record(base: str) -> str:
    return (
        "---\n"
        f'webUrl: "{base}/gone"\n'
        "related:\n"
        f'  - webUrl: "{base}/ok"\n'
        "    quality: 5\n"
        f'  - webUrl: "{base}/moved"\n'
        "    quality: 4\n"
        "---\n"
    )


def _base(site) -> str:
    """The server's address as an IP literal: "localhost" may also name ::1."""
    return f"http://127.0.0.1:{site.port}"


@pytest.fixture
def site(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/ok").respond_with_data("<html><head></head></html>", content_type="text/html")
    httpserver.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/ok"})
    return httpserver


FAST = '[online]\nretries = 0\nper-host-interval = 0\nper-host-concurrency = 4\n'
ONLINE = ["check", "--online", "--no-cache", "--format", "json", "--select", "CL9", "a.md"]


@pytest.fixture(autouse=True)
def no_operator_env(monkeypatch):
    """The operator's variables come from each test, never from the machine running them."""
    monkeypatch.delenv("CONTENTLINT_ALLOW_NETWORKS", raising=False)
    monkeypatch.delenv("CONTENTLINT_RESOLVE_OVERRIDE", raising=False)


def test_online_findings_through_the_cli(site, write, tmp_path, monkeypatch, capsys):
    base = _base(site)
    write("contentlint.toml", FAST)
    write("a.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([*ONLINE, "--allow-network", "127.0.0.1/32"], capsys)
    found = [(f["code"], f["line"], f["column"]) for f in json.loads(out)]
    assert found == [("CL900", 2, 9), ("CL901", 6, 13)]
    assert code == 1
    moved = json.loads(out)[1]
    assert moved["fix"]["edits"][0]["content"] == f'"{base}/ok"'
    # Every request the server saw was one of ours, each URL once or twice (HEAD, then GET fallback).
    assert {r.path for r, _ in site.log} <= {"/gone", "/ok", "/moved"}
    assert len(site.log) <= 6


def test_without_online_no_request_is_made(site, write, tmp_path, monkeypatch, capsys):
    base = site.url_for("").rstrip("/")
    write("a.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL9", "a.md"], capsys)
    assert site.log == []
    assert out.startswith("All checks passed")


def test_bad_online_config_is_a_usage_error(write, tmp_path, monkeypatch, capsys):
    write("contentlint.toml", '[online]\nconcurency = 3\n')
    write("a.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "a.md"], capsys)
    assert code == 2 and "concurency" in err


# -- only the operator widens the SSRF guard ---------------------------------------

WIDE_OPEN = FAST + 'allow-networks = ["0.0.0.0/0", "::/0"]\nresolve-override = { "site.test" = "127.0.0.1" }\n'


@pytest.mark.parametrize("name, text", [
    ("contentlint.toml", WIDE_OPEN),
    ("pyproject.toml", WIDE_OPEN.replace("[online]", "[tool.contentlint.online]")),
])
def test_a_repository_config_cannot_let_online_checks_reach_loopback(site, write, tmp_path, monkeypatch,
                                                                    capsys, name, text):
    base = _base(site)
    write(name, text)
    write("a.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(ONLINE, capsys)
    assert site.log == []  # not one request reached the server
    found = json.loads(out)
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("CL902", 2, 9), ("CL902", 4, 13), ("CL902", 6, 13)]
    assert {f["message"] for f in found} == {
        "link could not be verified: refused by the SSRF guard: 127.0.0.1 is a loopback address"}
    assert code == 0  # CL902 is information, and the config is not an error
    where = " [tool.contentlint]:" if name == "pyproject.toml" else ""  # a contentlint.toml's path says where
    for key, how in (("allow-networks", "--allow-network CIDR or CONTENTLINT_ALLOW_NETWORKS"),
                     ("resolve-override", "--resolve-override HOST=IP or CONTENTLINT_RESOLVE_OVERRIDE")):
        assert (f"contentlint: warning: {tmp_path / name}:{where} `online.{key}` is ignored: a config file "
                f"cannot widen the SSRF guard; the operator sets it with {how} (see docs/online.md)\n") in err
    assert "Traceback" not in err


def test_the_ignored_keys_do_not_break_an_offline_run(site, write, tmp_path, monkeypatch, capsys):
    write("contentlint.toml", '[online]\nallow-networks = "not a list"\nresolve-override = 3\n')
    write("a.md", _record(_base(site)))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL9", "a.md"], capsys)
    assert (code, out) == (0, "All checks passed (1 file checked).\n")
    assert [line.split("`")[1] for line in err.splitlines()] == ["online.allow-networks", "online.resolve-override"]
    assert all(line.startswith("contentlint: warning: ") for line in err.splitlines())
    assert site.log == []


def test_the_operator_environment_lets_online_checks_reach_loopback(site, write, tmp_path, monkeypatch, capsys):
    write("contentlint.toml", FAST)
    write("a.md", _record(_base(site)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONTENTLINT_ALLOW_NETWORKS", "127.0.0.0/8,::1/128")
    code, out, err = run_cli(ONLINE, capsys)
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in json.loads(out)] == [("CL900", 2, 9), ("CL901", 6, 13)]
    assert {r.path for r, _ in site.log} == {"/gone", "/ok", "/moved"}


def test_an_operator_resolve_override_is_still_checked_by_the_guard(site, write, tmp_path, monkeypatch, capsys):
    base = f"http://site.test:{site.port}"  # site.test is in no DNS: only the override reaches the server
    write("contentlint.toml", FAST)
    write("a.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([*ONLINE, "--resolve-override", "site.test=127.0.0.1"], capsys)
    assert site.log == []
    assert {f["message"] for f in json.loads(out)} == {
        "link could not be verified: refused by the SSRF guard: site.test (127.0.0.1) is a loopback address"}
    assert code == 0

    monkeypatch.setenv("CONTENTLINT_RESOLVE_OVERRIDE", "site.test=127.0.0.1")
    code, out, err = run_cli([*ONLINE, "--allow-network", "127.0.0.1/32"], capsys)
    assert [(f["code"], f["line"], f["column"]) for f in json.loads(out)] == [("CL900", 2, 9), ("CL901", 6, 13)]
    assert code == 1
    assert {r.headers["Host"] for r, _ in site.log} == {f"site.test:{site.port}"}


@pytest.mark.parametrize("flags, env, message", [
    (["--allow-network", "localhost"], {},
     "--allow-network: 'localhost' does not appear to be an IPv4 or IPv6 network"),
    ([], {"CONTENTLINT_ALLOW_NETWORKS": "127.0.0.0/8,intranet"},
     "CONTENTLINT_ALLOW_NETWORKS: 'intranet' does not appear to be an IPv4 or IPv6 network"),
    (["--resolve-override", "site.test"], {}, "--resolve-override: expected HOST=IP, got 'site.test'"),
    ([], {"CONTENTLINT_RESOLVE_OVERRIDE": "a.test=home"},
     "CONTENTLINT_RESOLVE_OVERRIDE: 'home' does not appear to be an IPv4 or IPv6 address"),
])
def test_a_bad_operator_value_is_a_usage_error_naming_its_source(write, tmp_path, monkeypatch, capsys,
                                                                flags, env, message):
    write("a.md", "---\na: 1\n---\n")
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(["check", "--online", *flags, "a.md"], capsys)
    assert (code, err) == (2, f"contentlint: error: {message}\n")


def test_a_kinds_selection_reaches_the_network_findings(site, write, tmp_path, monkeypatch, capsys):
    """A kind that ignores CL900 gets no CL900 from the network checks either;
    its other findings, and other kinds' files, are as before."""
    base = _base(site)
    write("contentlint.toml", FAST + '[[kinds]]\nname = "drafts"\ninclude = ["drafts/*.md"]\nignore = ["CL900"]\n'
                                     '[[kinds]]\nname = "news"\ninclude = ["*.md"]\n')
    write("a.md", _record(base))
    write("drafts/b.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([*ONLINE[:-1], "--allow-network", "127.0.0.1/32", "a.md", "drafts/b.md"], capsys)
    found = [(f["path"], f["code"], f["line"]) for f in json.loads(out)]
    assert found == [("a.md", "CL900", 2), ("a.md", "CL901", 6), ("drafts/b.md", "CL901", 6)]
