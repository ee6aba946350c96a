"""check --add-suppressions (issue #15 item 1): a comment per finding, byte-exact, idempotent."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.conftest import CORPUS, needs_corpus, run_cli

COMMENT = re.compile(rb"  # contentlint: ignore\[[A-Z0-9, ]+\]")


def check(capsys, *args) -> tuple[int, list[tuple[str, str, int]]]:
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", *args], capsys)
    assert "Traceback" not in err
    return code, [(f["path"], f["code"], f["line"]) for f in json.loads(out)]


@needs_corpus
def test_every_finding_of_real_records_is_suppressed_and_nothing_else_changes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    news = CORPUS / "SmartableAI__diablo4" / "_news"
    (tmp_path / "news").mkdir()
    for path in sorted(news.iterdir())[:150]:
        shutil.copyfile(path, tmp_path / "news" / path.name)
    original = {p.name: p.read_bytes() for p in (tmp_path / "news").iterdir()}
    code, before = check(capsys, "news")
    assert code == 1 and len(before) > 20

    code, out, _ = run_cli(["check", "--no-cache", "--add-suppressions", "news"], capsys)
    files = len({path for path, _, _ in before})
    assert (code, out) == (0, f"Added suppression comments for {len(before)} findings in {files} files.\n")
    assert check(capsys, "news") == (0, [])
    for name, raw in original.items():  # only the comments were added, each at the end of a finding's line
        now = (tmp_path / "news" / name).read_bytes()
        assert COMMENT.sub(b"", now) == raw
        lines = {i + 1 for i, line in enumerate(now.splitlines()) if COMMENT.search(line)}
        assert lines == {line for path, _, line in before if path == f"news/{name}"}

    # Idempotent: a second run finds nothing to add and changes no byte.
    after = {p.name: p.read_bytes() for p in (tmp_path / "news").iterdir()}
    code, out, _ = run_cli(["check", "--no-cache", "--add-suppressions", "news"], capsys)
    assert (code, out) == (0, "Added suppression comments for 0 findings in 0 files.\n")
    assert {p.name: p.read_bytes() for p in (tmp_path / "news").iterdir()} == after


def test_crlf_kept_existing_comment_joined_block_scalar_left(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    raw = (b'---\r\ntitle: "Tom &amp; Jerry"\r\ntopics:\r\n  - # contentlint: ignore[CL2]\r\n'
           b'excerpt: |\r\n  Tom &amp; Jerry\r\n---\r\nbody &amp;\r\n')
    (tmp_path / "a.md").write_bytes(raw)
    args = ["--select", "CL102,CL201", "a.md"]
    assert check(capsys, *args) == (1, [("a.md", "CL201", 2), ("a.md", "CL102", 4), ("a.md", "CL201", 5)])
    code, out, _ = run_cli(["check", "--no-cache", "--add-suppressions", *args], capsys)
    assert code == 1
    assert out == ("Added suppression comments for 2 findings in 1 file. 1 finding left unsuppressed "
                   "(CL009, CL010, or where no comment can go: see docs/ci.md; the baseline covers it).\n")
    assert (tmp_path / "a.md").read_bytes() == (
        b'---\r\ntitle: "Tom &amp; Jerry"  # contentlint: ignore[CL201]\r\ntopics:\r\n'
        b'  - # contentlint: ignore[CL2, CL102]\r\nexcerpt: |\r\n  Tom &amp; Jerry\r\n---\r\nbody &amp;\r\n')
    # The finding in the block scalar (a `#` there would be text) remains.
    assert check(capsys, *args) == (1, [("a.md", "CL201", 5)])


def test_files_that_do_not_parse_are_left_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    raw = b'---\ntitle: [unclosed\n---\n'
    (tmp_path / "a.md").write_bytes(raw)
    code, out, _ = run_cli(["check", "--no-cache", "--add-suppressions", "a.md"], capsys)
    assert code == 1 and out.startswith("Added suppression comments for 0 findings in 0 files. 1 finding left")
    assert (tmp_path / "a.md").read_bytes() == raw


@pytest.mark.parametrize("other", ["--write-baseline=b.json"])
def test_add_suppressions_with_write_baseline_is_refused(tmp_path, monkeypatch, capsys, other):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text('---\ntitle: "Tom &amp; Jerry"\n---\n')
    code, _, err = run_cli(["check", "--no-cache", "--add-suppressions", other, "a.md"], capsys)
    assert code == 2 and "not with --changed-since or --add-suppressions" in err


def test_a_file_that_cannot_be_written_counts_each_finding_once(tmp_path, monkeypatch, capsys):
    """One line's comment refused, then the file refused for writing (a
    symlink out of the checkout): both findings are left, each counted once."""
    from contentlint import add_suppressions

    outside = tmp_path / "outside.md"
    raw = b'---\ntitle: "Tom &amp; Jerry"\nexcerpt: "Tom &amp; Jerry"\n---\n'
    outside.write_bytes(raw)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.md").symlink_to(outside)
    monkeypatch.chdir(repo)
    attempt = add_suppressions._attempt

    def refuse_line_3(doc, edit):
        new_doc, reason = attempt(doc, edit)
        return new_doc, ("refused for the test" if doc.position(edit.start).line == 3 else reason)

    monkeypatch.setattr(add_suppressions, "_attempt", refuse_line_3)
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL201", "--add-suppressions", "a.md"], capsys)
    assert code == 1
    assert out.startswith("Added suppression comments for 0 findings in 0 files. 2 findings left unsuppressed")
    assert "a.md:3: no suppression comment added: refused for the test" in err
    assert outside.read_bytes() == raw
