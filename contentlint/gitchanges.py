"""`check --changed-since REF`: the files changed since a git revision (docs/ci.md).

Changed: what differs between the working tree and the merge base of REF
and HEAD (the branch's own commits, staged and unstaged edits; REF itself
when they share no history), plus untracked files that are not ignored.
Every file is still checked (whole-run rules such as CL305 need them all);
only the findings in changed files are reported.

Git runs with a list argv (never a shell), REF is checked to be a commit
first (and may not look like an option), external diff drivers and the
file-system monitor hook are off: the checkout is never asked to run a
program. Not in a git repository, no git, or a bad REF: a usage error.
"""

from __future__ import annotations

import os
import subprocess

from contentlint.config import ConfigError

_GIT = ("git", "-c", "core.fsmonitor=false")


def changed_files(ref: str, cwd: str = ".") -> frozenset[str]:
    """The real paths of the files changed since ``ref``."""
    if not ref or ref.startswith("-"):
        raise ConfigError(f"--changed-since: `{ref}` is not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], cwd, "not inside a git repository").rstrip("\n")
    commit = _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], top,
                  f"`{ref}` is not a commit in this repository").strip()
    base = _git(["merge-base", commit, "HEAD"], top, None).strip() or commit
    names = _git(["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", base, "--"], top, "git diff failed")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top, "git ls-files failed")
    return frozenset(os.path.realpath(os.path.join(top, name)) for name in names.split("\0") if name)


def is_changed(path: str, changed: frozenset[str]) -> bool:
    return os.path.realpath(path) in changed


def _git(args: list[str], cwd: str, failure: str | None) -> str:
    """Git's output (file names as the OS gives them); ``failure``: the usage
    error when git fails (None: an empty answer)."""
    try:
        done = subprocess.run([*_GIT, *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True)
    except OSError as exc:
        raise ConfigError(f"--changed-since: cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        if failure is None:
            return ""
        detail = os.fsdecode(done.stderr).strip().splitlines()
        raise ConfigError(f"--changed-since: {failure}" + (f" ({detail[-1]})" if detail else ""))
    return os.fsdecode(done.stdout)
