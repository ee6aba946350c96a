"""`.gitignore` rules as git applies them: one matcher per folder walked.

Each folder may hold `.gitignore` and `.ignore` (ripgrep's convention, same
syntax, read after `.gitignore` so it may re-include); `.git/info/exclude`
of the walk's root applies everywhere. A file's patterns are relative to
its folder and a deeper file's patterns win (a later `!pattern` undoes an
earlier one). Matching is pathspec's ``GitIgnoreSpec``, not our own globbing,
on its RE2 backend: a pattern is data from the checkout, and Python's
backtracking engine takes exponential time on a line such as `*a*a*a*a*a*c`
against a long name (seconds to hours per file); RE2 matches in linear time.
An unreadable or oversized ignore file ignores nothing: it is data from the
checkout, never a reason to stop the run.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from contentlint.linear_regex import matchable

if TYPE_CHECKING:
    import pathspec

IGNORE_FILES = (".gitignore", ".ignore")
MAX_IGNORE_BYTES = 1024 * 1024  # a real .gitignore is a few KB


class BadPattern(ValueError):
    """A pattern git would not take (`[z-a]`, a lone `\\` or `!`)."""


def spec(lines) -> pathspec.GitIgnoreSpec:
    """gitignore-style patterns (ignore files, the config's and kinds' globs),
    matched in linear time; BadPattern names the first that is none."""
    import re

    import pathspec  # on first pattern: ~17 ms of imports a run without patterns skips

    lines = list(lines)
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines, backend="re2")
    except (re.error, ValueError) as exc:
        if len(lines) == 1:
            raise BadPattern(f"`{lines[0]}` is not a glob pattern ({exc})") from None
        for line in lines:  # which one: raises BadPattern for the first that is none
            spec([line])
        raise


def read_spec(path: str) -> pathspec.GitIgnoreSpec | None:
    """The patterns of one ignore file, or None (missing, unreadable, not patterns)."""
    from contentlint.frontmatter import read_regular

    try:
        raw = read_regular(path, MAX_IGNORE_BYTES + 1)  # a FIFO named .gitignore must not block
        if raw is None or len(raw) > MAX_IGNORE_BYTES:
            return None
        lines = raw.decode("utf-8", errors="replace").splitlines()
        try:
            return spec(lines) if lines else None
        except BadPattern:  # as git does, a line that is no pattern is passed over, not the file
            return spec([line for line in lines if _is_pattern(line)])
    except (OSError, ValueError, TypeError):
        return None


def _is_pattern(line: str) -> bool:
    try:
        spec([line])
    except BadPattern:
        return False
    return True


def relative_to(path: str, root: str) -> str | None:
    """``path`` relative to ``root``, `/`-separated; None outside it."""
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return None if relative == ".." or relative.startswith("../") else relative


class Ignores:
    """The ignore specs in force in one folder: ``(folder, spec)`` pairs, outermost first.

    Immutable: ``enter`` returns the set for a subfolder, so a walk keeps one
    per folder on its stack.
    """

    __slots__ = ("specs",)

    def __init__(self, specs: tuple = ()):
        self.specs = specs

    @classmethod
    def at_root(cls, root: str) -> "Ignores":
        """The root's own ignore files and `.git/info/exclude`."""
        exclude = read_spec(os.path.join(root, ".git", "info", "exclude"))
        start = cls(((os.path.abspath(root), exclude),) if exclude is not None else ())
        return start.enter(root)

    def enter(self, folder: str) -> "Ignores":
        folder = os.path.abspath(folder)
        added = tuple((folder, spec) for spec in map(read_spec, (os.path.join(folder, n) for n in IGNORE_FILES))
                      if spec is not None)
        return Ignores(self.specs + added) if added else self

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Whether git would ignore ``path``: the deepest spec that has a say decides."""
        if not self.specs:  # no ignore file in force (most folders of most checkouts)
            return False
        path = os.path.abspath(path)
        for folder, spec in reversed(self.specs):
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            if relative.startswith("../"):
                continue
            result = spec.check_file(matchable(relative + "/" if is_dir else relative))
            if result.include is not None:
                return bool(result.include)
        return False
