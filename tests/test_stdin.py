"""`contentlint check -` and `fix -`: the same findings and bytes as on the file.

Each case runs the real command in a subprocess with the text on its
standard input, and the same command on a file holding the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEEDS

CASES = {
    "mojibake": (SEEDS / "004_55d079596040aeb8.txt").read_bytes(),
    "duplicate": (SEEDS / "000_b69a69cbeae9117f.txt").read_bytes(),
    "bom-crlf": b"\xef\xbb\xbf---\r\ntitle: \"Securit\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s &amp; co \"\r\n---\r\nbody\r\n",
    "not-utf8": b"---\ntitle: \xff\n---\n",
    "yaml-error": b"---\ntitle: [x\n---\n",
    "no-front-matter": b"# Notes\n",
    "empty": b"",
}


def contentlint(args, cwd: Path, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "contentlint", *map(str, args)], cwd=cwd, input=data,
                          capture_output=True, timeout=120)


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "news").mkdir()
    (tmp_path / "contentlint.toml").write_text(
        '[per-file-ignores]\n"news/*" = ["CL201"]\n', encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("where", ["a.md", "news/b.md"])
def test_check_stdin_gives_the_files_findings(repo, name, where):
    (repo / where).write_bytes(CASES[name])
    on_file = contentlint(["check", "--no-cache", "--format", "json", where], repo)
    on_stdin = contentlint(["check", "--format", "json", "--stdin-filename", where, "-"], repo, CASES[name])
    assert on_stdin.returncode == on_file.returncode
    assert json.loads(on_stdin.stdout) == json.loads(on_file.stdout)
    assert b"Traceback" not in on_stdin.stderr
    if name == "bom-crlf":  # the per-file ignore applies by the given name
        assert ("CL201" in on_stdin.stdout.decode()) == (where == "a.md")


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("unsafe", [[], ["--unsafe-fixes"]])
def test_fix_stdin_writes_the_bytes_fixing_the_file_gives(repo, name, unsafe):
    (repo / "a.md").write_bytes(CASES[name])
    on_file = contentlint(["fix", "--no-cache", *unsafe, "a.md"], repo)
    on_stdin = contentlint(["fix", *unsafe, "--stdin-filename", "a.md", "-"], repo, CASES[name])
    assert on_stdin.stdout == (repo / "a.md").read_bytes()  # the text and nothing else
    assert on_stdin.returncode == on_file.returncode
    assert b"Traceback" not in on_stdin.stderr
    assert on_stdin.stderr.decode().splitlines()[-1].startswith("Fixed ")


def test_fix_stdin_summary_and_diff(repo):
    data = CASES["mojibake"]
    fixed = contentlint(["fix", "-"], repo, data)
    assert fixed.returncode == 0
    assert fixed.stderr.decode() == "Fixed 1 finding; no findings remain.\n"
    assert contentlint(["fix", "--exit-non-zero-on-fix", "-"], repo, data).returncode == 1
    diff = contentlint(["fix", "--diff", "--stdin-filename", "x.md", "-"], repo, data)
    assert diff.returncode == 1
    assert diff.stdout.decode().splitlines()[:2] == ["--- a/x.md", "+++ b/x.md"]
    assert "+title: \"ACLU Calls for Halt of Homeland Security’s Use" in diff.stdout.decode()
    assert contentlint(["fix", "--diff", "-"], repo, fixed.stdout).stdout == b""


def test_check_stdin_without_a_name_reports_dash(repo):
    out = contentlint(["check", "-"], repo, CASES["mojibake"])
    assert out.returncode == 1
    assert out.stdout.decode().splitlines()[0].startswith("-:3:49: error: CL200 mojibake ")
    assert contentlint(["check", "-"], repo, b"---\ntitle: x\n---\n").returncode == 1  # schema findings


def test_force_exclude_applies_to_the_stdin_name(repo):
    (repo / "contentlint.toml").write_text('exclude = ["drafts"]\n', encoding="utf-8")
    data = CASES["mojibake"]
    args = ["--force-exclude", "--stdin-filename", "drafts/a.md", "-"]
    check = contentlint(["check", "--format", "json", *args], repo, data)
    assert (check.returncode, json.loads(check.stdout)) == (0, [])
    fix = contentlint(["fix", *args], repo, data)
    assert (fix.returncode, fix.stdout) == (0, data)
    assert json.loads(contentlint(["check", "--format", "json", "--stdin-filename", "drafts/a.md", "-"],
                                  repo, data).stdout)[0]["code"] == "CL200"


@pytest.mark.parametrize("args, message", [
    (["check", "-", "a.md"], "`-` (standard input) cannot be combined with other paths"),
    (["fix", "--stdin-filename", "x.md", "a.md"], "--stdin-filename is for `-` (standard input) alone"),
])
def test_usage_errors(repo, args, message):
    out = contentlint(args, repo, b"")
    assert out.returncode == 2
    assert out.stderr.decode() == f"contentlint: error: {message}\n"
