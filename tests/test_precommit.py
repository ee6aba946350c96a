"""The pre-commit hooks, run by the real `pre-commit` tool.

A temporary Git repository uses THIS project as a hook repository. pre-commit
needs a Git repository with a commit to clone, and the working tree may hold
files that are not committed yet, so the hook repository is a fresh copy of
the project's source (what `pip install .` needs plus the hooks manifest),
committed in a temporary folder. pre-commit then builds the hook's virtualenv
with pip (the package index is the only network it needs); that environment
lives in one PRE_COMMIT_HOME shared by every test of this module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is part of the test extra")
if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "004_55d079596040aeb8.txt"
MOJIBAKE = "Homeland Securityâ€™s".encode()
REPAIRED = "Homeland Security’s".encode()

# What the hook repository needs: the build (pyproject + README, which the
# metadata reads), the package and its data, and the hooks manifest.
HOOK_REPO_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
HOOK_REPO_DIRS = ["contentlint", "schemas"]

INSTALL_TIMEOUT = 600
RUN_TIMEOUT = 180


def _env(home: Path) -> dict[str, str]:
    """A hermetic environment: our PRE_COMMIT_HOME, no outer Git/pre-commit/CI state."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("SKIP", "GITHUB_ACTIONS")}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


def _run(args, cwd: Path, env: dict[str, str], timeout: int = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _git(cwd: Path, env, *args) -> str:
    result = _run(["git", *args], cwd, env)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}"
    return result.stdout.strip()


def _pre_commit(cwd: Path, env, *args, timeout: int = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", *args], cwd, env, timeout)


def _init_repo(path: Path, env) -> Path:
    path.mkdir(parents=True)
    _git(path, env, "init", "-q")
    _git(path, env, "config", "commit.gpgsign", "false")
    return path


def _config(hook_repo: tuple[Path, str], *hook_ids: str) -> str:
    path, sha = hook_repo
    hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids)
    # A JSON string is a YAML string, whatever characters the path holds.
    return f"repos:\n  - repo: {json.dumps(str(path))}\n    rev: {sha}\n    hooks:\n{hooks}"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, home) -> tuple[Path, str]:
    """(path, sha): a committed copy of the project's source, hook environment installed."""
    env = _env(home)
    repo = _init_repo(tmp_path_factory.mktemp("hook-repo") / "contentlint", env)
    for name in HOOK_REPO_FILES:
        shutil.copy2(ROOT / name, repo / name)
    for name in HOOK_REPO_DIRS:
        shutil.copytree(ROOT / name, repo / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "contentlint hook repository")
    result = (repo, _git(repo, env, "rev-parse", "HEAD"))

    # Build the hook environment once, here, so a failing install is reported as such.
    scratch = _init_repo(tmp_path_factory.mktemp("install") / "repo", env)
    (scratch / ".pre-commit-config.yaml").write_text(_config(result, "contentlint", "contentlint-fix"))
    installed = _pre_commit(scratch, env, "install-hooks", timeout=INSTALL_TIMEOUT)
    assert installed.returncode == 0, f"pre-commit install-hooks failed:\n{installed.stdout}"
    return result


@pytest.fixture
def content_repo(tmp_path, home, hook_repo):
    """make(*hook_ids) -> (path, env): a content repository using our hooks."""

    def make(*hook_ids: str):
        env = _env(home)
        repo = _init_repo(tmp_path / "content", env)
        (repo / ".pre-commit-config.yaml").write_text(_config(hook_repo, *hook_ids))
        _git(repo, env, "add", ".pre-commit-config.yaml")
        return repo, env

    return make


def _head(repo: Path, env) -> str | None:
    result = _run(["git", "rev-parse", "--verify", "-q", "HEAD"], repo, env)
    return result.stdout.strip() if result.returncode == 0 else None


def test_manifest_is_valid(tmp_path):
    result = _pre_commit(ROOT, _env(tmp_path), "validate-manifest", ".pre-commit-hooks.yaml")
    assert result.returncode == 0, result.stdout


def test_commit_with_mojibake_is_blocked(content_repo):
    repo, env = content_repo("contentlint")
    installed = _pre_commit(repo, env, "install")
    assert installed.returncode == 0, installed.stdout
    original = SEED.read_bytes()
    assert original.count(MOJIBAKE) == 1
    (repo / "record.txt").write_bytes(original)
    _git(repo, env, "add", "record.txt")

    commit = _run(["git", "commit", "-m", "add a record"], repo, env)

    assert commit.returncode != 0, commit.stdout
    assert "- hook id: contentlint\n" in commit.stdout
    assert "record.txt:3:49: error: CL200" in commit.stdout, commit.stdout
    assert _head(repo, env) is None  # nothing was committed
    assert (repo / "record.txt").read_bytes() == original  # check never writes


def test_fix_hook_repairs_then_commit_passes(content_repo):
    repo, env = content_repo("contentlint-fix", "contentlint")
    original = SEED.read_bytes()
    (repo / "record.txt").write_bytes(original)
    _git(repo, env, "add", "record.txt")

    fixed = _pre_commit(repo, env, "run", "contentlint-fix", "--files", "record.txt")

    assert fixed.returncode == 1, fixed.stdout
    assert "- exit code: 1" in fixed.stdout  # --exit-non-zero-on-fix, not only pre-commit's diff check
    assert "- files were modified by this hook" in fixed.stdout
    assert (repo / "record.txt").read_bytes() == original.replace(MOJIBAKE, REPAIRED)

    again = _pre_commit(repo, env, "run", "--files", "record.txt")
    assert again.returncode == 0, again.stdout
    assert again.stdout.count("Passed") == 2, again.stdout

    # The whole loop through Git: the repaired record is staged and commits.
    installed = _pre_commit(repo, env, "install")
    assert installed.returncode == 0, installed.stdout
    _git(repo, env, "add", "record.txt")
    commit = _run(["git", "commit", "-m", "add a record"], repo, env)
    assert commit.returncode == 0, commit.stdout
    assert _head(repo, env) is not None
    assert (repo / "record.txt").read_bytes() == original.replace(MOJIBAKE, REPAIRED)


def test_hooks_select_front_matter_files(content_repo):
    repo, env = content_repo("contentlint")
    front_matter = ["a.md", "b.markdown", "c.mdx", "d.txt", "e.html"]
    other = ["f.yaml", "g.json", "h.md.bak", "i.htm"]
    for name in front_matter + other:
        (repo / name).write_text("No front matter here.\n")  # CL002 wherever it is checked
    _git(repo, env, "add", "-A")

    result = _pre_commit(repo, env, "run", "contentlint", "--all-files")

    assert result.returncode == 1, result.stdout
    for name in front_matter:
        assert f"{name}:1:1: error: CL002" in result.stdout, result.stdout
    for name in other:
        assert name not in result.stdout, result.stdout


def test_committed_file_names_stay_file_names(content_repo):
    """pre-commit appends file names after `args`: a committed `--output-file=...`
    or `--config=...` must not become an option (the hooks' default args end with "--")."""
    repo, env = content_repo("contentlint")
    (repo / "README.md").write_text("keep\n")
    (repo / "evil.md").write_text('exclude = ["**"]\n')
    for name in ("--output-file=README.md", "--config=evil.md"):
        (repo / name).write_text("no front matter\n")
    _git(repo, env, "add", "-A")

    result = _pre_commit(repo, env, "run", "contentlint", "--all-files")

    assert result.returncode == 1, result.stdout
    assert (repo / "README.md").read_text() == "keep\n"
    for name in ("--output-file=README.md:1:1: error: CL002", "--config=evil.md:1:1: error: CL002",
                 "evil.md:1:1: error: CL002"):
        assert name in result.stdout, result.stdout
