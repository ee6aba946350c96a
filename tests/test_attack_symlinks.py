"""Symlinks leading out of the checkout (issue #12): never records when found
by walking, never written through by `fix` or `--add-suppressions`."""

from __future__ import annotations

import os

import pytest

from contentlint import fixer, init
from tests.conftest import run_cli

# A record with one safe fix (CL005 removes the BOM) and a value a report would quote.
BOM_RECORD = b'\xef\xbb\xbf---\ntitle: "SECRET-VALUE"\n---\nBody\n'


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """repo/ (the config's folder) with own.md and post.md -> ../outside/secret.md."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_bytes(BOM_RECORD)
    repo = tmp_path / "repo"
    (repo / "content").mkdir(parents=True)
    (repo / "contentlint.toml").write_text('select = ["CL005"]\n')
    (repo / "content" / "own.md").write_bytes(BOM_RECORD)
    os.symlink(outside / "secret.md", repo / "content" / "post.md")
    monkeypatch.chdir(repo)
    return repo, outside / "secret.md"


def test_a_walked_symlink_out_of_the_checkout_is_not_a_record(checkout, capsys):
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert (code, err) == (0, "")  # a warning only
    assert out.splitlines()[0] == "./content/own.md:1:1: warning: CL005 file starts with a UTF-8 byte order mark [*]"
    assert "post.md" not in out and "SECRET" not in out
    assert "(1 checked)" in out


def test_show_files_skips_it_quietly(checkout, capsys):
    assert run_cli(["check", "--show-files", "content"], capsys) == (0, "content/own.md\n", "")


def test_a_walked_folder_leading_out_of_the_checkout_yields_nothing(checkout, capsys):
    repo, secret = checkout
    os.symlink(secret.parent, repo / "linked")
    assert run_cli(["check", "--show-files", "linked"], capsys) == (0, "", "")


def test_symlinks_inside_the_checkout_still_work(checkout, capsys):
    repo, _ = checkout
    os.symlink("own.md", repo / "content" / "alias.md")
    code, out, err = run_cli(["check", "--show-files", "."], capsys)
    assert out.splitlines() == ["./content/alias.md", "./content/own.md"]
    assert run_cli(["fix", "--no-cache", "content/alias.md"], capsys)[0] == 0
    assert (repo / "content" / "own.md").read_bytes() == BOM_RECORD[3:]
    assert os.path.islink(repo / "content" / "alias.md")


def test_fix_of_the_folder_leaves_the_target_alone(checkout, capsys):
    repo, secret = checkout
    code, out, err = run_cli(["fix", "--no-cache", "."], capsys)
    assert (code, err) == (0, "")
    assert (repo / "content" / "own.md").read_bytes() == BOM_RECORD[3:]
    assert secret.read_bytes() == BOM_RECORD


def test_fix_of_the_named_link_checks_it_but_does_not_write_the_target(checkout, capsys):
    repo, secret = checkout
    code, out, err = run_cli(["fix", "--no-cache", "content/post.md"], capsys)
    assert code == 1
    assert err == "contentlint: warning: content/post.md: not written: it is a symlink leading out of the checkout\n"
    # The finding stays in the file, so it is reported as remaining.
    assert out == ("content/post.md:1:1: warning: CL005 file starts with a UTF-8 byte order mark [*]\n"
                   "Fixed 0 findings in 0 files (1 checked); 1 finding remains.\n")
    assert secret.read_bytes() == BOM_RECORD
    assert os.path.islink(repo / "content" / "post.md")
    # check still reads it: the operator named it
    assert "content/post.md:1:1: warning: CL005" in run_cli(["check", "--no-cache", "content/post.md"], capsys)[1]


def test_add_suppressions_does_not_write_the_target(checkout, capsys):
    repo, secret = checkout
    code, out, err = run_cli(["check", "--no-cache", "--select", "CL101", "--add-suppressions",
                                  "content/post.md"], capsys)
    assert code == 1
    assert "content/post.md: not written: it is a symlink leading out of the checkout" in err
    assert secret.read_bytes() == BOM_RECORD


def test_write_atomic_refuses_a_link_whose_folder_leads_out(tmp_path):
    outside, repo = tmp_path / "outside", tmp_path / "repo"
    outside.mkdir()
    repo.mkdir()
    (outside / "a.md").write_bytes(b"old")
    os.symlink(outside, repo / "linked")
    assert fixer.write_atomic(str(repo / "linked" / "a.md"), b"new", b"old", str(repo)) == fixer.LEADS_OUT
    assert (outside / "a.md").read_bytes() == b"old"
    # a path outside the checkout is the operator's: written as given
    assert fixer.write_atomic(str(outside / "a.md"), b"new", b"old", str(repo)) is None
    assert (outside / "a.md").read_bytes() == b"new"


def test_a_clone_checked_from_a_parent_folder_is_its_own_checkout(tmp_path, monkeypatch, capsys):
    """Run from the home folder (no config: the root is the working folder), a
    clone's `post.md -> ../proj/victim.md` still leads out of the clone."""
    home = tmp_path / "home"
    (home / "proj").mkdir(parents=True)
    (home / "untrusted" / ".git").mkdir(parents=True)
    (home / "proj" / "victim.md").write_bytes(BOM_RECORD)
    os.symlink("../proj/victim.md", home / "untrusted" / "post.md")
    (home / "untrusted" / "own.md").write_bytes(BOM_RECORD)
    monkeypatch.chdir(home)
    code, out, _ = run_cli(["fix", "--no-cache", "--select", "CL005", "untrusted"], capsys)
    assert (home / "proj" / "victim.md").read_bytes() == BOM_RECORD
    assert (home / "untrusted" / "own.md").read_bytes() == BOM_RECORD[3:]
    assert "(1 checked)" in out
    code, out, err = run_cli(["fix", "--no-cache", "--select", "CL005", "untrusted/post.md"], capsys)
    assert "untrusted/post.md: not written: it is a symlink leading out of the checkout" in err
    assert (home / "proj" / "victim.md").read_bytes() == BOM_RECORD
    # Inside the clone, links between its own files still work.
    os.symlink("own.md", home / "untrusted" / "alias.md")
    assert run_cli(["check", "--show-files", "untrusted"], capsys)[1].splitlines() == [
        "untrusted/alias.md", "untrusted/own.md"]


@pytest.mark.parametrize("config", ['schema = "../secret/creds.json"\n', 'schema = "schemas/link.json"\n',
                                    'baseline = "../secret/creds.json"\n',
                                    '[[kinds]]\nname = "a"\ninclude = ["*.md"]\nschema = "../secret/creds.json"\n'])
def test_a_config_names_no_file_to_read_outside_its_folder(tmp_path, monkeypatch, capsys, config):
    """A config in a pull request must not make the run read another file and
    quote it (a metaschema error names the value it rejects)."""
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "creds.json").write_text('{"type": "ghp_SECRETTOKEN"}')
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    os.symlink(tmp_path / "secret" / "creds.json", repo / "schemas" / "link.json")
    (repo / "contentlint.toml").write_text(config)
    (repo / "a.md").write_text("---\ntitle: x\n---\n")
    monkeypatch.chdir(repo)
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert (code, out) == (2, "") and "SECRET" not in err
    assert "leads out of the repository; a config file may only name files inside it" in err
    # The operator may name any schema (this one is read, as asked, and is no schema).
    (repo / "contentlint.toml").unlink()
    code, _, err = run_cli(["check", "--no-cache", "--schema", tmp_path / "secret" / "creds.json", "."], capsys)
    assert code == 2 and "is not a valid JSON Schema" in err


def test_a_records_schema_outside_its_clone_is_not_read_from_a_parent_folder(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    (home / "proj" / ".git").mkdir(parents=True)
    (home / "secret").mkdir()
    (home / "secret" / "creds.json").write_text('{"type": "hunter2-password"}')
    (home / "proj" / "post.md").write_text("---\n$schema: ../secret/creds.json\ntitle: x\n---\n")
    monkeypatch.chdir(home)
    code, out, err = run_cli(["check", "--no-cache", "proj"], capsys)
    assert "hunter2" not in out + err
    assert "proj/post.md:2:10: error: CL100 `$schema` names a file outside the project's folder" in out


def test_a_config_may_name_a_schema_elsewhere_in_its_repository(tmp_path, monkeypatch, capsys):
    """A monorepo: `site/contentlint.toml` names `../schemas/post.json`."""
    mono = tmp_path / "mono"
    (mono / ".git").mkdir(parents=True)
    (mono / "schemas").mkdir()
    (mono / "schemas" / "post.json").write_text('{"type": "object", "properties": {"title": {"type": "string"}}}')
    (mono / "site").mkdir()
    (mono / "site" / "contentlint.toml").write_text('schema = "../schemas/post.json"\n')
    (mono / "site" / "a.md").write_text("---\ntitle: 5\n---\n")
    monkeypatch.chdir(mono / "site")
    assert run_cli(["check", "--no-cache", "--select", "CL1", "."], capsys)[:2] == (
        1, "./a.md:2:8: error: CL102 `title` must be a string, not an integer\n"
           "Found 1 finding in 1 file (1 checked): 1 error.\n")


def test_check_and_fix_agree_on_a_link_out_of_a_nested_repository(tmp_path, monkeypatch, capsys):
    """`nest/content/.git`: content/shared.md -> ../shared/x.md leads out of
    that repository; the walk skips it as the writer refuses it."""
    nest = tmp_path / "nest"
    (nest / "content" / ".git").mkdir(parents=True)
    (nest / "shared").mkdir()
    (nest / "shared" / "x.md").write_bytes(BOM_RECORD)
    os.symlink("../shared/x.md", nest / "content" / "shared.md")
    (nest / "content" / "own.md").write_bytes(BOM_RECORD)
    monkeypatch.chdir(nest)
    listed = run_cli(["check", "--show-files", "."], capsys)[1].splitlines()
    assert "./content/shared.md" not in listed and "./content/own.md" in listed
    code, _, err = run_cli(["fix", "--no-cache", "--select", "CL005", "."], capsys)
    assert (code, err) == (0, "")


def test_a_dotfiles_repository_in_the_home_folder_is_no_project(tmp_path, monkeypatch, capsys):
    """An unpacked project under a home folder kept in git: its config may
    not name the home folder's files as though they were its repository's."""
    home = tmp_path / "home"
    (home / ".git").mkdir(parents=True)
    (home / "secret").mkdir()
    (home / "secret" / "creds.json").write_text('{"type": "objectx", "password": "hunter2"}')
    (home / "dl" / "proj").mkdir(parents=True)
    (home / "dl" / "proj" / "contentlint.toml").write_text('schema = "../../secret/creds.json"\n')
    (home / "dl" / "proj" / "a.md").write_text("---\ntitle: x\n---\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "dl" / "proj")
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert code == 2 and "objectx" not in err and "leads out of the repository" in err


def test_a_submodules_record_may_name_the_sites_schema(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / "schemas").mkdir()
    (site / "schemas" / "post.json").write_text('{"type": "object", "properties": {"title": {"type": "string"}}}')
    (site / "contentlint.toml").write_text('schema = "schemas/post.json"\n')
    (site / "content" / "posts").mkdir(parents=True)
    (site / "content" / ".git").write_text("gitdir: ../.git/modules/content\n")  # a submodule
    (site / "content" / "posts" / "a.md").write_text("---\n$schema: ../../schemas/post.json\ntitle: 5\n---\n")
    monkeypatch.chdir(site)
    code, out, _ = run_cli(["check", "--no-cache", "--select", "CL1", "."], capsys)
    assert out.splitlines()[0] == "./content/posts/a.md:3:8: error: CL102 `title` must be a string, not an integer"


def test_a_config_in_the_home_folder_does_not_open_it_to_a_clones_records(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    (home / "proj" / ".git").mkdir(parents=True)
    (home / "secret").mkdir()
    (home / "secret" / "creds.json").write_text('{"type": "hunter2-password"}')
    (home / "contentlint.toml").write_text("")  # the user's own config, in the home folder
    (home / "proj" / "post.md").write_text("---\n$schema: ../secret/creds.json\ntitle: x\n---\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "proj")
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert "hunter2" not in out + err and "CL100 `$schema` names a file outside the project's folder" in out


def test_a_home_folder_reached_through_a_link_is_still_the_home_folder(tmp_path, monkeypatch, capsys):
    real = tmp_path / "real" / "u"
    (real / ".git").mkdir(parents=True)  # a dotfiles repository
    (real / "secret").mkdir()
    (real / "secret" / "creds.json").write_text('{"type": "objectx"}')
    (real / "proj").mkdir()
    (real / "proj" / "contentlint.toml").write_text('schema = "../secret/creds.json"\n')
    (real / "proj" / "a.md").write_text("---\ntitle: x\n---\n")
    (tmp_path / "homes").mkdir()
    os.symlink(real, tmp_path / "homes" / "u")  # FreeBSD's /home -> /usr/home
    monkeypatch.setenv("HOME", str(tmp_path / "homes" / "u"))
    monkeypatch.chdir(tmp_path / "homes" / "u" / "proj")
    code, out, err = run_cli(["check", "--no-cache", "."], capsys)
    assert code == 2 and "objectx" not in err and "leads out of the repository" in err


def test_a_home_folder_inside_the_checkout_leaves_the_repository_its_own(tmp_path, monkeypatch, capsys):
    """CI may point HOME into the workspace: the repository is no dotfiles one."""
    mono = tmp_path / "mono"
    (mono / ".git").mkdir(parents=True)
    (mono / ".home").mkdir()
    (mono / "schemas").mkdir()
    (mono / "schemas" / "x.json").write_text('{"type": "object"}')
    (mono / "site").mkdir()
    (mono / "site" / "contentlint.toml").write_text('schema = "../schemas/x.json"\n')
    (mono / "site" / "a.md").write_text("---\ntitle: x\n---\n")
    monkeypatch.setenv("HOME", str(mono / ".home"))
    monkeypatch.chdir(mono / "site")
    assert run_cli(["check", "--no-cache", "."], capsys)[0] == 0
