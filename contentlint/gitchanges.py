"""`check --changed-since REF`: the files changed since a git revision (docs/ci.md).

Changed: what differs between the working tree and the merge base of REF
and HEAD (the branch's own commits, staged and unstaged edits; REF itself
when they share no history), plus untracked files that are not ignored.
Every file is still checked (whole-run rules such as CL305 need them all);
only the findings in changed files are reported.

The checkout is never asked to run a program. Git runs with a list argv
(never a shell), REF is checked to be a commit first (and may not look like
an option), and git is only asked what needs no file content: commits and
the index against the merge base, the index's own entries, the untracked
files. Comparing the working tree would run the clean filters and textconv
drivers a repository's `.git/config` and `.gitattributes` name; instead a
file with findings is hashed here, as git stores a blob, and compared with
its index entry, as it is and with CRLF line ends as LF (`core.autocrlf`).
A file git would store otherwise converted (a filter) then counts as
changed: more findings shown, never fewer; so does whatever git cannot vouch
for (a file outside its top folder, a FIFO, a tracked link made a file, a
file in a submodule or in an untracked folder git lists whole, a nested clone).
The file-system monitor hook is off, no transport may run (a partial
clone's lazy fetch), and an implicit bare repository found inside the
checkout is refused. Not in a git repository, no git, or a bad REF: a usage
error.
"""

from __future__ import annotations

import hashlib
import os
import subprocess

from contentlint.config import ConfigError
from contentlint.frontmatter import MAX_FILE_BYTES, read_regular

# protocol.allow=never: a partial clone fetches a missing object lazily from
# its promisor remote, which runs `core.sshCommand` or `remote.*.uploadpack`
# from .git/config (GIT_NO_LAZY_FETCH says the same to git 2.44 and later).
# core.excludesFile empty: a planted one must not hide an untracked record
# (without the user's global one, more files count as changed, never fewer).
_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "safe.bareRepository=explicit", "-c", "protocol.allow=never",
        "-c", "core.excludesFile=", "--no-pager")
# No index refresh written back (git's "optional locks"): a check never writes to .git.
_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_NO_LAZY_FETCH": "1"}
_LINK, _SUBMODULE = "120000", "160000"


class Changes:
    """The files changed since a revision, by real path."""

    def __init__(self, named: frozenset[str], index: dict[str, str], algorithm: str, top: str = "/",
                 folders: tuple[str, ...] = ()):
        self.top = top  # the real path of git's top-level folder: a file outside it git cannot vouch for
        self.named = named  # changed in commits or the index, or untracked
        # Folders whose files git cannot vouch for one by one: submodules, and
        # untracked folders git lists whole (a nested clone), each with a separator.
        self.folders = tuple(folder.rstrip(os.sep) + os.sep for folder in folders)
        self.index = index  # real path -> object id of a merged index entry of a file
        self.algorithm = algorithm  # the repository's object format: sha1 or sha256
        self._worktree: dict[str, bool] = {}  # real path -> differs from its index entry

    def __contains__(self, real: str) -> bool:
        if real in self.named or not (real == self.top or real.startswith(self.top.rstrip(os.sep) + os.sep)):
            return True
        if self.folders and real.startswith(self.folders):
            return True
        stored = self.index.get(real)
        if stored is None:  # ignored, or not tracked as a file (a conflict is named)
            return False
        if real not in self._worktree:
            self._worktree[real] = stored not in _blob_ids(real, self.algorithm)
        return self._worktree[real]


def changed_files(ref: str, cwd: str = ".") -> Changes:
    """The files changed since ``ref``."""
    if not ref or ref.startswith("-"):
        raise ConfigError(f"--changed-since: `{ref}` is not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], cwd, "not inside a git repository").rstrip("\n")
    commit = _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], top,
                  f"`{ref}` is not a commit in this repository").strip()
    base = _git(["merge-base", commit, "HEAD"], top, None).strip() or commit
    algorithm = _git(["rev-parse", "--show-object-format"], top, None).strip() or "sha1"
    if algorithm not in ("sha1", "sha256"):
        raise ConfigError(f"--changed-since: git's object format `{algorithm}` is not known")
    # The index against the base: the branch's commits and what is staged (object ids only).
    names = _git(["diff", "--cached", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv",
                  base, "--"], top, "git diff failed")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z"], top, "git ls-files failed")
    named = {_real(top, name) for name in names.split("\0") if name}
    folders = {path for path in named if os.path.isdir(path)}  # a submodule changed, an untracked clone
    index: dict[str, str] = {}
    for line in _git(["ls-files", "--stage", "-z"], top, "git ls-files failed").split("\0"):
        info, _, name = line.partition("\t")
        fields = info.split()
        if len(fields) != 3 or not name:
            continue
        mode, oid, stage = fields
        if stage != "0":  # a merge conflict: changed
            named.add(_real(top, name))
        elif mode == _LINK:  # the target is judged by its own entry; a link made a file is a change
            if not os.path.islink(os.path.join(top, name)):
                named.add(_real(top, name))
        elif mode == _SUBMODULE:  # its files are its own repository's
            folders.add(_real(top, name))
        else:
            index[_real(top, name)] = oid
    return Changes(frozenset(named), index, algorithm, os.path.realpath(top), tuple(folders))


def is_changed(path: str, changed: Changes) -> bool:
    return os.path.realpath(path) in changed


def _real(top: str, name: str) -> str:
    return os.path.realpath(os.path.join(top, name))


def _blob_ids(real: str, algorithm: str) -> set[str]:
    """The object ids git may give the file's bytes: as they are, and with
    CRLF line ends stored as LF (a checkout with `core.autocrlf=true`, Git
    for Windows' default, or `eol=crlf`: git itself calls such a file
    unchanged). None read (gone, not a regular file, larger than a record
    may be): an empty set, so changed."""
    data = read_regular(real, MAX_FILE_BYTES + 1)  # as the walk reads: never waits on a FIFO
    if data is None or len(data) > MAX_FILE_BYTES:  # no record is larger (CL008)
        return set()
    ids = {_object_id(data, algorithm)}
    if b"\r\n" in data:
        ids.add(_object_id(data.replace(b"\r\n", b"\n"), algorithm))
    return ids


def _object_id(data: bytes, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _git(args: list[str], cwd: str, failure: str | None) -> str:
    """Git's output (file names as the OS gives them); ``failure``: the usage
    error when git fails (None: an empty answer)."""
    try:
        done = subprocess.run([*_GIT, *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              env={**os.environ, **_ENV})
    except OSError as exc:
        raise ConfigError(f"--changed-since: cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        if failure is None:
            return ""
        detail = os.fsdecode(done.stderr).strip().splitlines()
        raise ConfigError(f"--changed-since: {failure}" + (f" ({detail[-1]})" if detail else ""))
    return os.fsdecode(done.stdout)
