"""Without --online nothing touches the network; the online rules are registered and documented."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import contentlint.rules.online  # noqa: F401  (registers the rules until registry lists the module)
from contentlint import registry
from contentlint.model import Applicability, Severity
from tests.test_online_support import document

REPO = Path(__file__).resolve().parents[1]

# Loaded by every interpreter started with this folder on PYTHONPATH (worker
# processes included): any IPv4/IPv6 connect or name lookup is logged and fails.
SITECUSTOMIZE = textwrap.dedent("""
    import os, socket
    _LOG = os.environ["CONTENTLINT_SOCKET_LOG"]
    def _record(what):
        with open(_LOG, "a") as handle:
            handle.write(what + "\\n")
    def _guard(original):
        def attempt(self, *args, **kwargs):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _record(f"{original.__name__} {args!r}")
                raise OSError("network disabled by the test")
            return original(self, *args, **kwargs)
        return attempt
    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)
    _getaddrinfo = socket.getaddrinfo
    def getaddrinfo(host, *args, **kwargs):
        _record(f"getaddrinfo {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, "network disabled by the test")
    socket.getaddrinfo = getaddrinfo
""")


def run_guarded(tmp_path, code: str) -> tuple[subprocess.CompletedProcess, str]:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "sockets.log"
    env = {"PYTHONPATH": f"{tmp_path}:{REPO}", "CONTENTLINT_SOCKET_LOG": str(log), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    return result, log.read_text() if log.exists() else ""


def test_the_socket_guard_of_this_test_really_catches_connections(tmp_path):
    code = textwrap.dedent("""
        import socket
        for attempt in (lambda: socket.socket().connect(("127.0.0.1", 9)),
                        lambda: socket.getaddrinfo("example.com", 80)):
            try:
                attempt()
            except OSError as exc:
                print(exc)
    """)
    result, log = run_guarded(tmp_path, code)
    assert result.stdout.count("network disabled") == 2
    assert log.splitlines() == ["connect (('127.0.0.1', 9),)", "getaddrinfo 'example.com'"]


def test_offline_check_opens_no_socket_and_never_loads_httpx(tmp_path):
    code = textwrap.dedent(f"""
        import sys
        from contentlint.cli import main
        from contentlint import registry
        from contentlint.document import load
        import contentlint.rules.online
        status = main(["check", "--no-cache", "--format", "json", {str(REPO / "seeds")!r}])
        rules = {{r.code: r for r in registry.all_rules()}}
        doc = load("x.md", open({str(next((REPO / "seeds").iterdir()))!r}, "rb").read())
        assert all(list(rules[c].check(doc, None)) == [] for c in ("CL402", "CL503", "CL900", "CL901", "CL902"))
        print("STATUS", status, "HTTPX", "httpx" in sys.modules, "CHECKS", "contentlint.online.checks" in sys.modules)
    """)
    result, log = run_guarded(tmp_path, code)
    assert "STATUS" in result.stdout, result.stderr
    assert log == ""
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("STATUS 0 ") or last.startswith("STATUS 1 ")
    assert last.endswith("HTTPX False CHECKS False")


def test_importing_the_online_package_loads_no_network_code():
    code = ("import sys, contentlint.online, contentlint.online.settings, contentlint.rules.online\n"
            "print(sorted(m for m in ('httpx', 'httpcore', 'contentlint.online.client') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


# -- the rules ------------------------------------------------------------------------

EXPECTED = {
    "CL402": ("amp-variant-not-recorded", Severity.WARNING, Applicability.SAFE),
    "CL503": ("image-dimension-mismatch", Severity.ERROR, Applicability.UNSAFE),
    "CL900": ("broken-link", Severity.ERROR, None),
    "CL901": ("redirected-link", Severity.WARNING, Applicability.UNSAFE),
    "CL902": ("unverifiable-link", Severity.INFO, None),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_online_rules_are_registered_with_full_docs(code):
    rule = registry.get(code)
    assert rule is not None and rule.online and rule.default_enabled
    assert (rule.name, rule.severity, rule.fix) == EXPECTED[code]
    sections = ["## What it does", "## Why is this bad?", "## Example"]
    if rule.fix is not None:
        sections.append("## Fix safety")
    positions = [rule.doc.find(s) for s in sections]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    assert ("## Fix safety" in rule.doc) == (rule.fix is not None)
    assert list(rule.check(document("---\na: 1\n---\n"), None)) == []


RECORD = ('---\nwebUrl: "http://a.example/x#top"\nrelated:\n  - webUrl: "https://b.example/y"\n'
          '    ampWebUrl: "https://b.example/y/amp"\nimages:\n  - url: "https://c.example/i.png"\n'
          '    width: 10\n    height: 20\n  - url: "https://c.example/j.png"\n    width: 10\n    height: true\n---\n')
VALUES = {"webUrl": ("webUrl",), "related webUrl": ("related", 0, "webUrl"),
          "sized image": ("images", 0, "url"), "image with a bool height": ("images", 1, "url")}


@pytest.mark.parametrize("code, fetch, wanted", [
    ("CL402", "page", {"webUrl"}),  # the related entry records its AMP URL already
    ("CL503", "image", {"sized image"}),
    ("CL900", "head", set(VALUES)), ("CL901", "head", set(VALUES)), ("CL902", "head", set(VALUES)),
])
def test_each_online_rule_says_which_values_it_checks_and_how_to_fetch_them(code, fetch, wanted):
    from contentlint.rules.online import value_at

    check = registry.get(code).online_check
    doc = document(RECORD)
    assert check.fetch == fetch
    assert {name for name, path in VALUES.items()
            if check.wants(value_at(doc.data, path[:-1]), path[-1])} == wanted


@pytest.mark.parametrize("kind, finding", [
    ("ok", {"CL402": "the page declares an AMP version (https://a.example/amp) but the entry records no "
                     "ampWebUrl/cdnAmpWebUrl"}),
    ("redirected", {"CL901": "link permanently moved", "CL402": "the page declares an AMP version "
                    "(https://a.example/amp) but the entry records no ampWebUrl/cdnAmpWebUrl"}),
    ("broken", {"CL900": "broken link: answered 404"}),
    ("unverifiable", {"CL902": "link could not be verified: timed out"}),
    ("refused", {"CL902": "link could not be verified: private address"}),
])
def test_each_online_rule_judges_an_answer_on_its_own(kind, finding):
    from contentlint.online.client import Hop
    from contentlint.online.outcome import Outcome
    from contentlint.rules.online import Answer

    message = {"broken": "answered 404", "unverifiable": "timed out", "refused": "private address",
               "redirected": "permanently moved"}.get(kind, "")
    doc = document(RECORD)
    span = doc.span(("webUrl",))
    answer = Answer(doc, ("webUrl",), span, Outcome(kind, message, "https://www.a.example/x"),
                    Hop("http://a.example/x", 200, amp="https://a.example/amp"))
    found = {code: registry.get(code).online_check.judge(answer) for code in EXPECTED}
    assert {code: v.message for code, v in found.items() if v is not None} == finding
    assert all((v.start, v.end) == (span.start, span.end) for v in found.values() if v is not None)
    if kind == "redirected":  # the fragment written is kept on the target
        assert [(e.start, e.end, e.content) for e in found["CL901"].fix.edits] == \
            [(span.start, span.end, '"https://www.a.example/x#top"')]
