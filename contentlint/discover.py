"""Paths + globs -> the files to check, in a stable order."""

from __future__ import annotations

import os
from fnmatch import fnmatch
from typing import Iterable, Iterator

from contentlint.config import DEFAULT_EXCLUDE, Settings


def matches_glob(path: str, patterns, root: str) -> bool:
    """gitignore-like: a pattern without `/` matches any path component (or the
    file name); a pattern with `/` matches the path relative to ``root``."""
    if not patterns:
        return False
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            if fnmatch(relative, pattern.lstrip("/")) or fnmatch(relative, pattern.lstrip("/") + "/*"):
                return True
        elif any(fnmatch(part, pattern) for part in parts):
            return True
    return False


def _is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def discover(paths: list[str], settings: Settings, force_exclude: bool = False) -> Iterator[str]:
    """Files under ``paths``. Explicit file arguments are always yielded, unless
    ``force_exclude`` (pre-commit passes every changed file by name: the
    configured `exclude` must still apply to them)."""
    # One folder cannot yield a file twice; only overlapping arguments can.
    seen: set[str] | None = set() if len(paths) > 1 else None
    for path in paths:
        if os.path.isdir(path):
            found: Iterable[str] = _walk(path, settings)
        elif force_exclude and matches_glob(path, settings.exclude, settings.root):
            continue
        else:  # a file, or something that is not there: the engine reports it
            found = (path,)
        for file in found:
            if seen is not None:
                if file in seen:
                    continue
                seen.add(file)
            yield file


def _walk(folder: str, settings: Settings) -> Iterator[str]:
    """The files under ``folder``, sorted, folder by folder (pre-order).

    As os.walk without followlinks: a symlinked folder is not entered, an
    unreadable one is skipped. Unlike os.walk, a folder's names are not
    listed first: each kept file's path is built during the scan, so a
    folder of 50,000 records costs one list of paths, not two lists.
    """
    files: list[str] = []
    dirs: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    if _included(entry.name, entry.path, settings):
                        files.append(entry.path)
                elif not entry.is_symlink() and entry.name not in DEFAULT_EXCLUDE:
                    dirs.append(entry.path)
    except OSError:
        return
    files.sort()
    yield from files
    del files
    for path in sorted(dirs):
        if not _is_virtualenv(path) and not matches_glob(path, settings.exclude, settings.root):
            yield from _walk(path, settings)


def _included(name: str, path: str, settings: Settings) -> bool:
    if not any(fnmatch(name, pattern) for pattern in settings.include) and not (
        any("/" in p for p in settings.include) and matches_glob(path, settings.include, settings.root)
    ):
        return False
    return not matches_glob(path, settings.exclude, settings.root)
