"""Paths + globs -> the files to check, in a stable order."""

from __future__ import annotations

import os
import re
import stat
import time
import functools
from fnmatch import translate
from typing import Callable, Iterable, Iterator

from contentlint import frontmatter, gitignore
from contentlint.config import DEFAULT_EXCLUDE, Settings
from contentlint.gitignore import Ignores, relative_to
from contentlint.linear_regex import matchable

# `fix` writes `.NAME.<16 hex digits>.contentlint-tmp` beside NAME and renames
# it over NAME; a SIGKILL in between leaves it behind. Only names of exactly
# this shape are ours: never records, and removed once stale.
TEMP_SUFFIX = ".contentlint-tmp"
_TEMP_NAME = re.compile(r"\..+\.[0-9a-f]{16}" + re.escape(TEMP_SUFFIX), re.DOTALL)


def temp_name(name: str) -> str:
    """A fresh name for the temporary file that replaces the file ``name``."""
    import secrets  # `fix` only

    return f".{name}.{secrets.token_hex(8)}{TEMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    return name.endswith(TEMP_SUFFIX) and _TEMP_NAME.fullmatch(name) is not None


def within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or under it (both absolute, compared as given)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def checkout_top(path: str, root: str, clones_only: bool = False) -> str:
    """The checkout ``path`` is in: the nearest folder from ``path`` up to, not
    including, ``root`` that holds `.git` (a clone checked from a parent
    folder, the home folder, is a checkout of its own), else ``root``.
    ``clones_only``: a `.git` folder only, a clone of its own; not the `.git`
    file of a submodule or a worktree, which are part of the project."""
    root, here = os.path.abspath(root), os.path.abspath(path)
    if not within(here, root):
        return root
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    test = os.path.isdir if clones_only else os.path.lexists
    while here != root and within(here, root):
        if test(os.path.join(here, ".git")):
            return here
        here = os.path.dirname(here)
    return root


def leads_out(path: str, root: str) -> bool:
    """``path`` is in ``root`` but leaves it once symlinks are resolved: a
    committed symlink (to the file or a folder above it) pointing out of the
    checkout (the repository under ``root`` it is in, ``checkout_top``). Git
    stores the link, not the content: its target is not a record."""
    root = checkout_top(path, root)
    real_root = os.path.realpath(root)
    if not within(os.path.abspath(path), os.path.abspath(root)) and not within(os.path.abspath(path), real_root):
        return False  # outside the checkout: the operator's path, used as given
    return not within(os.path.realpath(path), real_root)


def matches_glob(path: str, patterns, root: str, is_dir: bool = False) -> bool:
    """Whether ``path`` matches gitignore-style ``patterns`` (relative to
    ``root``), as a kind's globs do: a pattern without `/` matches a name at
    any depth, one with `/` the path from ``root``, `*` stays inside a folder,
    `**` crosses folders, a trailing `/` names a folder (and all under it)."""
    if not patterns:
        return False
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return _glob_spec(tuple(patterns)).match_file(matchable(relative + "/" if is_dir else relative))


# Unbounded: one entry per pattern set of the config (per-file-ignores asks
# one pattern at a time; a bound below their count recompiled each per file).
@functools.lru_cache(maxsize=None)
def _glob_spec(patterns: tuple):
    return gitignore.spec(patterns)


def force_excluded(path: str, settings: Settings) -> bool:
    """Whether ``--force-exclude`` drops a file named on the command line (or
    the stdin file name): what a walk of the checkout would not check."""
    return (matches_glob(path, settings.exclude, settings.root) or _in_unwalked_folder(path, settings.root)
            or os.path.basename(path)[:1] == "." or bool(settings.kinds) and _kind_for(path, settings) is None)


def walked(path: str, settings: Settings) -> bool:
    """Whether a walk of the root would consider ``path`` at all: not in a
    hidden or excluded folder, not excluded, claimed by a kind (with kinds)
    or of the included types. `.git/config` and `.env` are not."""
    if force_excluded(path, settings):
        return False
    return bool(settings.kinds) or _included_type(os.path.basename(path), path, settings)


def gitignored(path: str, settings: Settings) -> bool:
    """Whether a walk of the config's folder skips ``path`` for an ignore file
    (with `respect-gitignore`): the file itself or a folder on the way is ignored."""
    path = os.path.abspath(path)
    inside = relative_to(path, os.path.abspath(settings.root))
    if not settings.respect_gitignore or inside is None or inside == ".":
        return False
    ignores, crossed = _ignores_down(os.path.dirname(path), settings)
    return crossed or ignores.ignored(path, False)


def _in_unwalked_folder(path: str, root: str) -> bool:
    """Whether a walk from ``root`` would never enter a folder of ``path``
    (``_unwalked``). Asked of files named with ``force_exclude``, so
    pre-commit checks what `check .` does."""
    folders = os.path.relpath(os.path.abspath(path), os.path.abspath(root)).split(os.sep)[:-1]
    return any(name not in (".", "..") and _unwalked(name) for name in folders)


def _unwalked(name: str) -> bool:
    """A folder a walk does not enter, by its name: a hidden one (`.github`,
    `.changeset`: tool configuration and templates, never content, as
    `init` decides too) or one of DEFAULT_EXCLUDE."""
    return name[:1] == "." or name in DEFAULT_EXCLUDE


def _is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def discover(paths: list[str], settings: Settings, force_exclude: bool = False,
             started_ns: int | None = None, is_record: Callable[[str], bool] = frontmatter.is_record) -> Iterator[str]:
    """Files under ``paths``. Explicit file arguments are always yielded, unless
    ``force_exclude`` (pre-commit passes every changed file by name: the
    configured `exclude` must still apply to them), or a temporary file of ours.

    Without kinds, a walked file of the included types is kept when
    ``is_record(path)``: by default it reads the file's head; the result
    cache answers for unchanged files it holds (pipeline.run).

    In the folders walked, temporary files of ours last modified before
    ``started_ns`` (default: now, the run's start) are removed: a killed `fix`
    left them. A newer one may be a concurrent run's, still being written.
    """
    started_ns = time.time_ns() if started_ns is None else started_ns
    # One folder cannot yield a file twice; only overlapping arguments can.
    seen: set[str] | None = set() if len(paths) > 1 else None
    for path in paths:
        if os.path.isdir(path):
            real_root = os.path.realpath(_walk_root(path, settings))
            found: Iterable[str] = _walk(path, settings, started_ns, _ignores(path, settings),
                                        real_root, within(os.path.realpath(path), real_root),
                                        _file_test(settings, is_record))
        elif is_temp_name(os.path.basename(path)):
            continue
        elif force_exclude and force_excluded(path, settings):
            continue  # pre-commit names every changed file: only records are checked
        else:  # a file, or something that is not there: the engine reports it
            found = (path,)
        for file in found:
            if seen is not None:
                if file in seen:
                    continue
                seen.add(file)
            yield file


def _walk_root(folder: str, settings: Settings) -> str:
    """The root a walked folder's files must stay in: the checkout it is in
    under the config's folder (or the working folder), else ``folder`` itself."""
    root = os.path.abspath(settings.root)
    return checkout_top(folder, root) if within(os.path.abspath(folder), root) else os.path.abspath(folder)


def _ignores(folder: str, settings: Settings) -> Ignores | None:
    """The ignore files in force in ``folder``: those of the config's folder
    and of every folder down to it (git reads them from the repository root)."""
    if not settings.respect_gitignore:
        return None
    return _ignores_down(folder, settings)[0]


def _ignores_down(folder: str, settings: Settings) -> tuple[Ignores, bool]:
    """``_ignores`` of ``folder``, and whether a folder on the way down from
    the config's folder is itself ignored (then the ignore files start anew
    below it: a folder named on purpose is checked whatever ignores it)."""
    folder, root = os.path.abspath(folder), os.path.abspath(settings.root)
    inside = relative_to(folder, root)
    if inside is None:
        return Ignores.at_root(folder), False
    ignores, crossed = Ignores.at_root(root), False
    here = root
    for part in inside.split("/") if inside != "." else ():
        if ignores.ignored(os.path.join(here, part), True):
            ignores, crossed = Ignores(), True
        here = os.path.join(here, part)
        ignores = ignores.enter(here)
    return ignores, crossed


def _walk(folder: str, settings: Settings, started_ns: int, ignores: Ignores | None,
          real_root: str, inside: bool, keep: Callable[[str, str], bool]) -> Iterator[str]:
    """The files under ``folder``, sorted, folder by folder (pre-order);
    ``keep(name, path)``: whether a file is a record (``_file_test``).

    Only files whose real path is in ``real_root``: a symlink leading out of
    it is skipped, quietly, like an ignored file (``inside``: ``folder``
    itself resolves into it; the folders entered are no symlinks). Below a
    folder holding `.git` (a nested repository) that folder is the root, as
    ``checkout_top`` decides for the file `fix` would write.

    As os.walk without followlinks: a symlinked folder is not entered, an
    unreadable one is skipped. Nor is a hidden or excluded one
    (``_unwalked``); a folder named on the command line is walked.
    Unlike os.walk, a folder's names are not listed first: each kept file's
    path is built during the scan, so a folder of 50,000 records costs one
    list of paths, not two lists. A stack, not recursion: a checkout may
    nest folders a thousand deep (a path of 2,000 characters).
    """
    stack: list[tuple[str, Ignores | None, bool, str]] = [(folder, ignores, True, real_root)]
    while stack:
        folder, ignores, top, real_root = stack.pop()
        if not top:
            if _is_virtualenv(folder) or matches_glob(folder, settings.exclude, settings.root, is_dir=True):
                continue
            ignores = ignores.enter(folder) if ignores is not None else None
            if os.path.lexists(os.path.join(folder, ".git")):  # a repository of its own: its files stay in it
                real_root = os.path.realpath(folder)
        files, dirs = _scan(folder, started_ns, ignores, real_root, inside, keep)
        yield from files
        del files
        stack.extend((path, ignores, False, real_root) for path in reversed(dirs))


def _scan(folder: str, started_ns: int, ignores: Ignores | None, real_root: str, inside: bool,
          keep: Callable[[str, str], bool]) -> tuple[list[str], list[str]]:
    """One folder's kept files and the folders to walk next, each sorted."""
    files: list[str] = []
    dirs: list[str] = []
    # A folder with no ignore file in force (most) asks nothing per entry.
    ignored = ignores.ignored if ignores is not None and ignores.specs else None
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    name = entry.name
                    if name.endswith(TEMP_SUFFIX) and is_temp_name(name):
                        _remove_stale(entry, started_ns)
                    elif name[:1] == ".":
                        continue  # hidden, as hidden folders: not content (`.#post.md`, an editor's lock)
                    elif not (within(os.path.realpath(entry.path), real_root) if entry.is_symlink() else inside):
                        continue  # leads out of the checkout: not a record, never read
                    elif keep(name, entry.path) and (ignored is None or not ignored(entry.path, False)):
                        files.append(entry.path)
                elif not entry.is_symlink() and not _unwalked(entry.name) and (
                        ignored is None or not ignored(entry.path, True)):
                    dirs.append(entry.path)
    except OSError:
        return [], []
    files.sort()
    dirs.sort()
    return files, dirs


def _remove_stale(entry: os.DirEntry, started_ns: int) -> None:
    """Remove our temporary file if it is older than the run; a symlink with
    such a name is not ours (lstat, and unlink removes a link, never its target)."""
    try:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISREG(info.st_mode) and info.st_mtime_ns < started_ns:
            os.unlink(entry.path)
    except OSError:  # gone already, a read-only checkout: it stays skipped
        pass


def _file_test(settings: Settings, is_record: Callable[[str], bool]) -> Callable[[str, str], bool]:
    """``_included`` with what is the same for every file of the run decided
    once: without kinds, path patterns, excludes or case folding (the usual
    run), a name that matches no include pattern costs one regex match and
    a kept one one ``is_record`` call."""
    by_name, has_path_patterns = _include_matcher(tuple(settings.include))
    if settings.kinds or has_path_patterns or settings.exclude or os.path.normcase("A") != "A":
        return lambda name, path: _included(name, path, settings, is_record)
    return lambda name, path: by_name(name) is not None and is_record(path)


def _included(name: str, path: str, settings: Settings, is_record: Callable[[str], bool]) -> bool:
    """A record: claimed by a kind, or (no kinds configured) a file of the
    included types that starts with front matter or a broken attempt at it."""
    if settings.kinds:
        return (_kind_for(path, settings) is not None
                and not matches_glob(path, settings.exclude, settings.root))
    return _included_type(name, path, settings) and is_record(path)


def _kind_for(path: str, settings: Settings):
    from contentlint import kinds  # only with kinds configured (config.py has loaded it then)

    return kinds.kind_for(path, settings.kinds, settings.root)


def _included_type(name: str, path: str, settings: Settings) -> bool:
    by_name, has_path_patterns = _include_matcher(tuple(settings.include))
    if by_name(os.path.normcase(name)) is None and not (
            has_path_patterns and matches_glob(path, settings.include, settings.root)):
        return False
    return not matches_glob(path, settings.exclude, settings.root)


@functools.lru_cache(maxsize=8)
def _include_matcher(include: tuple) -> tuple[Callable, bool]:
    """(a name matcher, whether a pattern holds `/`): ``fnmatch(name, p)`` for
    any pattern ``p`` of ``include`` as one compiled alternation, built once
    per run instead of per file."""
    alternation = "|".join(f"(?:{translate(os.path.normcase(p))})" for p in include) or "(?!)"
    return re.compile(alternation).match, any("/" in p for p in include)
