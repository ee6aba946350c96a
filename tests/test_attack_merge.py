"""Attack: a shard file is data from another CI job. A forged one may name
any path; `merge --format html` must not copy a file outside the checkout
(a secret, /etc/passwd, a symlink's target) into the report it publishes."""

from __future__ import annotations

import json
import os

from tests.conftest import run_cli

SECRET = "TOKEN=s3cr3t-do-not-publish"


def _shards(tmp_path, monkeypatch, capsys) -> list[str]:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.md").write_text("---\ntitle: a\n---\nbody\n")
    monkeypatch.chdir(repo)
    names = []
    for k in (1, 2):
        name = str(tmp_path / f"s{k}.json")
        code, _, err = run_cli(["check", "--no-cache", "--shard", f"{k}/2", "-o", name, "."], capsys)
        assert code == 0, err
        names.append(name)
    return names


def _forge_path(names: list[str], path: str) -> None:
    for name in names:
        data = json.loads(open(name).read())
        if data["files"]:
            data["files"][0][1] = path
            open(name, "w").write(json.dumps(data))
            return
    raise AssertionError("no shard holds the file")


def test_merge_html_does_not_copy_a_file_outside_the_root_named_by_a_forged_shard(tmp_path, monkeypatch, capsys):
    secret = tmp_path / "secret.md"  # outside the repository merge runs in
    secret.write_text(SECRET + "\n")
    names = _shards(tmp_path, monkeypatch, capsys)
    _forge_path(names, str(secret))
    code, out, err = run_cli(["merge", "--format", "html", *names], capsys)
    assert code == 1, err
    assert "secret.md" in out  # the finding is reported, under the path the shard gave
    assert "s3cr3t" not in out


def test_merge_html_does_not_follow_a_symlink_out_of_the_root(tmp_path, monkeypatch, capsys):
    secret = tmp_path / "secret.md"
    secret.write_text(SECRET + "\n")
    names = _shards(tmp_path, monkeypatch, capsys)
    os.symlink(secret, tmp_path / "repo" / "link.md")
    _forge_path(names, "./link.md")
    code, out, err = run_cli(["merge", "--format", "html", *names], capsys)
    assert code == 1, err
    assert "s3cr3t" not in out


def test_merge_html_still_shows_the_context_of_files_in_the_checkout(tmp_path, monkeypatch, capsys):
    names = _shards(tmp_path, monkeypatch, capsys)
    code, out, err = run_cli(["merge", "--format", "html", *names], capsys)
    assert code == 1, err
    assert "<mark>title: a</mark>" in out  # the context line the finding is on


def test_merge_html_takes_a_path_no_file_system_takes(tmp_path, monkeypatch, capsys):
    # A lone surrogate (not a name's byte escape) or a NUL: the shard file is
    # refused, naming it (no traceback, here or in SARIF's URIs and --changed-since).
    for case, path in enumerate(("./\ud800.md", "./a\x00.md")):
        folder = tmp_path / f"case{case}"
        folder.mkdir()
        names = _shards(folder, monkeypatch, capsys)
        _forge_path(names, path)
        code, out, err = run_cli(["merge", "--format", "html", *names], capsys)
        assert (code, out) == (2, "") and "Traceback" not in err and "malformed shard file" in err, err
