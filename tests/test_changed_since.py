"""check --changed-since REF (issue #15 item 2): findings only in changed files, in real git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.conftest import run_cli

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]

RECORD = """---
category: news
title: "{title}"
webUrl: "{url}"
topics:
  -
---
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """Four records, each with a CL102 (a null topic), committed; then a commit touching two."""
    for name in "abcd":
        (tmp_path / f"{name}.md").write_text(RECORD.format(title=name, url=f"https://example.com/{name}"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "one")
    for name in "ab":
        path = tmp_path / f"{name}.md"
        path.write_text(path.read_text().replace(f'"{name}"', f'"{name} &amp; more"'))  # + CL201
    git(tmp_path, "commit", "-qam", "two")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(capsys, *args) -> tuple[int, list[tuple[str, str, int]], str]:
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL102,CL201,CL305", "--format", "json",
                              *args], capsys)
    assert "Traceback" not in err
    return code, [(f["path"], f["code"], f["line"]) for f in json.loads(out)], err


def test_only_the_files_changed_since_the_ref_are_reported(repo, capsys):
    code, found, err = report(capsys, "--changed-since", "HEAD~1", ".")
    assert code == 1
    assert found == [("./a.md", "CL201", 3), ("./a.md", "CL102", 6), ("./b.md", "CL201", 3), ("./b.md", "CL102", 6)]
    assert "2 findings in files not changed since HEAD~1 not shown." in err
    assert report(capsys, "--changed-since", "HEAD", ".")[:2] == (0, [])


def test_a_new_duplicate_of_an_unchanged_record_is_caught(repo, capsys):
    # An untracked record, and an edit not yet committed: both count as changed.
    (repo / "new.md").write_text(RECORD.format(title="copy", url="https://example.com/c").replace("  -\n", "  - x\n"))
    (repo / "d.md").write_text((repo / "d.md").read_text().replace("  -\n", "  - x\n"))
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    # CL305 in the new file (against the unchanged c.md, whose own CL305 and CL102 are not shown).
    assert (code, found) == (1, [("./new.md", "CL305", 4)])
    assert ("./c.md", "CL305", 4) in report(capsys, ".")[1]


def test_the_merge_base_decides_on_a_branch(repo, capsys):
    main = git(repo, "branch", "--show-current").strip()
    git(repo, "checkout", "-qb", "topic", "HEAD~1")
    (repo / "c.md").write_text((repo / "c.md").read_text().replace("  -\n", "  - x\n  -\n"))
    git(repo, "commit", "-qam", "on the branch")
    # Against the main branch: only the branch's own change (c.md), not main's edits of a and b.
    code, found, _ = report(capsys, "--changed-since", main, ".")
    assert (code, found) == (1, [("./c.md", "CL102", 7)])


@pytest.mark.parametrize("ref, message", [
    ("no-such-ref", "--changed-since: `no-such-ref` is not a commit in this repository"),
    ("--output=x", "--changed-since: `--output=x` is not a git revision"),
    ("HEAD:a.md", "is not a commit"),
])
def test_a_bad_ref_is_a_usage_error(repo, capsys, ref, message):
    code, out, err = run_cli(["check", "--no-cache", f"--changed-since={ref}", "."], capsys)
    assert (code, out) == (2, "") and message in err and "Traceback" not in err
    assert not (repo / "x").exists()


def test_outside_a_git_repository_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "a.md").write_text(RECORD.format(title="a", url="https://example.com/a"))
    code, _, err = run_cli(["check", "--no-cache", "--changed-since", "HEAD", "."], capsys)
    assert code == 2 and "--changed-since: not inside a git repository" in err


def test_write_baseline_with_changed_since_is_refused(repo, capsys):
    code, _, err = run_cli(["check", "--no-cache", "--changed-since", "HEAD", "--write-baseline", "b.json", "."],
                           capsys)
    assert code == 2 and "--write-baseline records every finding" in err and not (repo / "b.json").exists()
