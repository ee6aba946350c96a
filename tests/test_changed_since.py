"""check --changed-since REF (issue #15 item 2): findings only in changed files, in real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

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


def test_a_staged_edit_counts_as_changed(repo, capsys):
    (repo / "c.md").write_text((repo / "c.md").read_text().replace("  -\n", "  - x\n  -\n"))
    git(repo, "add", "c.md")
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert (code, found) == (1, [("./c.md", "CL102", 7)])


def test_the_checkouts_git_config_runs_no_program(repo, capsys, tmp_path_factory):
    """Filters and textconv drivers named by .git/config and .gitattributes run
    when git compares the working tree: --changed-since never asks it to."""
    marks = tmp_path_factory.mktemp("marks")
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    git(repo, "config", "filter.evil.clean", f"sh -c 'touch {marks}/clean; cat'")
    git(repo, "config", "filter.evil.process", f"sh -c 'touch {marks}/process'")
    git(repo, "config", "diff.evil.textconv", f"sh -c 'touch {marks}/textconv; cat \"$1\"' --")
    git(repo, "config", "diff.external", f"sh -c 'touch {marks}/external'")
    (repo / "d.md").write_text((repo / "d.md").read_text().replace("  -\n", "  - x\n  -\n"))  # unstaged
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert list(marks.iterdir()) == []
    # d.md's edit is found by its bytes; .gitattributes is new (untracked, no record).
    assert (code, found) == (1, [("./d.md", "CL102", 7)])


def test_a_file_with_its_committed_bytes_is_unchanged_though_touched(repo, capsys):
    # Same bytes, new stat: git would have to hash the file; it counts as unchanged.
    (repo / "c.md").write_bytes((repo / "c.md").read_bytes())
    os.utime(repo / "c.md", (1, 1))
    assert report(capsys, "--changed-since", "HEAD", ".")[:2] == (0, [])


def test_a_bare_repository_inside_the_checkout_is_not_used(repo, capsys, monkeypatch):
    """A folder laid out as a repository of its own (HEAD, objects/, refs/ and
    a config naming the checkout as its work tree) would decide what counts
    as changed: it is not used (safe.bareRepository=explicit)."""
    version = tuple(int(p) for p in git(repo, "--version").split()[2].split(".")[:2])
    if version < (2, 38):
        pytest.skip("safe.bareRepository needs git 2.38")
    bare = repo / "posts"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    for key, value in (("core.worktree", str(repo)), ("core.bare", "false")):
        subprocess.run(["git", "config", "--file", str(bare / "config"), key, value], check=True)
    (bare / "a.md").write_text(RECORD.format(title="a", url="https://example.com/x"))
    monkeypatch.chdir(bare)
    code, out, err = run_cli(["check", "--no-cache", "--changed-since", "HEAD", "."], capsys)
    assert (code, out) == (2, "") and "is 'explicit'" in err and "Traceback" not in err


def test_a_crlf_checkout_of_unchanged_files_is_unchanged(repo, capsys):
    """`core.autocrlf=true` (Git for Windows' default) checks files out with
    CRLF while the index holds LF: git calls them unchanged, and so does this."""
    git(repo, "config", "core.autocrlf", "true")
    for name in "abcd":
        path = repo / f"{name}.md"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert report(capsys, "--changed-since", "HEAD", ".")[:2] == (0, [])
    (repo / "c.md").write_bytes((repo / "c.md").read_bytes().replace(b"  -\r\n", b"  - x\r\n  -\r\n"))
    assert report(capsys, "--changed-since", "HEAD", ".")[:2] == (1, [("./c.md", "CL102", 7)])


def test_a_partial_clone_fetches_nothing_lazily(repo, capsys, tmp_path_factory):
    """A missing object of a partial clone is fetched from its promisor remote,
    which runs `core.sshCommand` from .git/config: never asked for."""
    marks = tmp_path_factory.mktemp("marks")
    tree = git(repo, "rev-parse", "HEAD~1^{tree}").strip()
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    for key, value in (("core.repositoryformatversion", "1"), ("extensions.partialClone", "origin"),
                       ("remote.origin.promisor", "true"), ("remote.origin.url", "ssh://example.invalid/x"),
                       ("core.sshCommand", f"touch {marks}/ssh; false")):
        git(repo, "config", key, value)
    run_cli(["check", "--no-cache", "--changed-since", "HEAD~1", "."], capsys)
    assert list(marks.iterdir()) == []


def test_what_git_cannot_vouch_for_counts_as_changed(repo, capsys):
    # A FIFO where a record was: changed (not a hang); so is a link made a file.
    os.unlink(repo / "c.md")
    os.mkfifo(repo / "c.md")
    os.symlink("a.md", repo / "link.md")
    git(repo, "add", "link.md")
    git(repo, "commit", "-qm", "link")
    os.unlink(repo / "link.md")
    (repo / "link.md").write_text((repo / "d.md").read_text())
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert ("./link.md", "CL102", 6) in found
    # The FIFO has a finding (CL008): hashing it must not wait for a writer.
    done = subprocess.run([sys.executable, "-m", "contentlint", "check", "--no-cache", "--select", "CL008",
                           "--changed-since", "HEAD", "c.md"], cwd=repo, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.splitlines()[0]) == (
        1, "c.md:1:1: error: CL008 not a regular file (a FIFO, socket or device)"), done.stderr
    # A work tree git is told is a subfolder: the files outside it are changed.
    git(repo, "config", "core.worktree", str(repo / "sub"))
    (repo / "sub").mkdir()
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert ("./d.md", "CL102", 6) in found


def test_records_in_a_nested_clone_or_a_submodule_count_as_changed(repo, capsys):
    """The superproject's git lists a nested clone as one folder and cannot
    vouch for a submodule's files one by one: their findings are shown."""
    clone = repo / "vendored" / "clone"
    clone.mkdir(parents=True)
    git(clone, "init", "-q")
    (clone / "x.md").write_text(RECORD.format(title="x", url="https://example.com/x"))
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert ("./vendored/clone/x.md", "CL102", 6) in found
    # A submodule, committed: its records are its own repository's.
    theme = repo.parent / "theme"
    theme.mkdir()
    git(theme, "init", "-q")
    (theme / "t.md").write_text(RECORD.format(title="t", url="https://example.com/t"))
    git(theme, "add", ".")
    git(theme, "commit", "-qm", "theme")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(theme), "themes/sub")
    git(repo, "commit", "-qm", "submodule")
    code, found, _ = report(capsys, "--changed-since", "HEAD", ".")
    assert ("./themes/sub/t.md", "CL102", 6) in found
