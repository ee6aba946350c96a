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


@pytest.fixture
def site(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/ok").respond_with_data("<html><head></head></html>", content_type="text/html")
    httpserver.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/ok"})
    return httpserver


def test_online_findings_through_the_cli(site, write, tmp_path, monkeypatch, capsys):
    base = site.url_for("").rstrip("/")
    write("contentlint.toml", '[online]\nallow-networks = ["127.0.0.1/32"]\nretries = 0\n'
          'per-host-interval = 0\nper-host-concurrency = 4\n')
    write("a.md", _record(base))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "--online", "--no-cache", "--format", "json",
                              "--select", "CL9", "a.md"], capsys)
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
