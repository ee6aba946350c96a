"""Paths + globs -> the files to check, in a stable order."""

from __future__ import annotations

import os
from fnmatch import fnmatch
from typing import Iterator

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
    seen: set[str] = set()
    for path in paths:
        if not os.path.isdir(path):
            if force_exclude and matches_glob(path, settings.exclude, settings.root):
                continue
            # A file, or something that is not there: the engine reports it.
            if path not in seen:
                seen.add(path)
                yield path
            continue
        for found in _walk(path, settings):
            if found not in seen:
                seen.add(found)
                yield found


def _walk(top: str, settings: Settings) -> Iterator[str]:
    for folder, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = sorted(
            d for d in dirs
            if d not in DEFAULT_EXCLUDE
            and not _is_virtualenv(os.path.join(folder, d))
            and not matches_glob(os.path.join(folder, d), settings.exclude, settings.root)
        )
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not any(fnmatch(name, pattern) for pattern in settings.include) and not (
                any("/" in p for p in settings.include) and matches_glob(path, settings.include, settings.root)
            ):
                continue
            if matches_glob(path, settings.exclude, settings.root):
                continue
            yield path
