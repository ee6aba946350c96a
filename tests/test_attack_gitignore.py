"""A pattern is data from the checkout: a `.gitignore` line or a kind's glob
built to make a backtracking regex engine take exponential time must not
hang the run (gitignore.spec matches with RE2, in linear time)."""

from __future__ import annotations

import json
import subprocess
import sys

from contentlint import gitignore
from contentlint.linear_regex import matchable

EVIL = "*a" * 21 + "c"  # Python's `re` (pathspec's default backend) takes hours on a long name of `a`s
NAME = "a" * 200 + ".md"
RECORD = "---\ntitle: x\n---\n"


def test_an_exponential_pattern_matches_in_linear_time():
    spec = gitignore.spec([EVIL, "*.tmp", "!keep.tmp"])
    assert spec.check_file(NAME).include is None  # not matched, and answered at once
    assert spec.check_file("x.tmp").include is True and spec.check_file("keep.tmp").include is False


def _check(folder, *args):
    return subprocess.run([sys.executable, "-m", "contentlint", "check", "--no-cache", "--format", "json",
                           "--select", "CL0", *args, "."], cwd=folder, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_a_hostile_gitignore_line_does_not_hang_the_run(tmp_path):
    (tmp_path / ".gitignore").write_text(EVIL + "\n" * 1 + (EVIL + "\n") * 200)
    for i in range(20):
        (tmp_path / f"{i}{NAME}").write_text(RECORD)
    done = _check(tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_a_hostile_kind_glob_does_not_hang_the_run(tmp_path):
    (tmp_path / "contentlint.toml").write_text(f'[[kinds]]\nname = "n"\ninclude = ["{EVIL}", "*.md"]\n'
                                               f'exclude = ["{EVIL}"]\n')
    for i in range(20):
        (tmp_path / f"{i}{NAME}").write_text("no front matter\n")
    done = _check(tmp_path)
    assert done.returncode == 1, done.stderr  # every file is claimed by `*.md`: CL002 each
    assert done.stdout.count('"CL002"') == 20


def test_a_fifo_named_like_an_ignore_file_does_not_block_the_walk(tmp_path):
    import os

    import pytest

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / ".gitignore")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / ".ignore")
    (tmp_path / "sub" / "a.md").write_text(RECORD)
    done = _check(tmp_path)  # bounded: a blocking open() would hang until the timeout
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_init_does_not_block_on_a_fifo_named_like_a_record(tmp_path):
    import os

    import pytest

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    posts = tmp_path / "posts"
    posts.mkdir()
    for i in range(3):
        (posts / f"p{i}.md").write_text(f"---\ntitle: Post {i}\n---\n")
    os.mkfifo(posts / "trap.md")
    done = subprocess.run([sys.executable, "-m", "contentlint", "init", "--dry-run", "."], cwd=tmp_path,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_a_name_that_is_not_utf8_is_matched_not_a_traceback(tmp_path):
    """RE2 takes no surrogate: a file name's bytes that are not UTF-8 (kept
    as surrogate escapes) are matched as U+FFFD, one per byte, as git's globs
    match bytes; the file is checked like any other."""
    import os

    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"bad\xff.md"), "wb") as handle:
        handle.write(b"\xef\xbb\xbf---\ntitle: x\n---\n")  # a BOM: one CL005
    with open(os.path.join(folder, b"skip\xfe.md"), "wb") as handle:
        handle.write(b"\xef\xbb\xbf---\ntitle: x\n---\n")
    (tmp_path / ".gitignore").write_text("skip?.md\n*.log\n")
    done = _check(tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr  # CL005 is a warning
    assert [(f["path"], f["code"]) for f in json.loads(done.stdout)] == [("./bad\udcff.md", "CL005")]
    (tmp_path / "contentlint.toml").write_text('[[kinds]]\nname = "a"\ninclude = ["bad*.md"]\n')
    done = _check(tmp_path)
    assert [(f["path"], f["code"]) for f in json.loads(done.stdout)] == [("./bad\udcff.md", "CL005")], done.stderr
    assert matchable("bad\udcff.md") == "bad\ufffd.md" and matchable("a\ud800") == "a\ufffd"
