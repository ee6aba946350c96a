"""Result cache: a file's findings keyed by its content hash and the run's setup.

One SQLite file under `.contentlint_cache/` (or `--cache-dir`). A row is
(setup key, path) -> (content digest, stat key, pickled FileResult). The setup key
hashes everything that can change a result besides the file itself: the
tool version, the enabled rules, the effective settings and the schema's
bytes, so a config or schema change can never serve a stale result. The
path is part of the key because findings carry it and per-file-ignores
depend on it.

A re-run need not read an unchanged file: the stat key (size, mtime in
ns, inode), taken before the file was read, stands for the digest when it
still matches. It is stored only when the file's mtime was more than
RACY_NS older than the read (git's "racy clean" rule): a file written again
within the same timestamp tick, with the same size, would otherwise look
unchanged. Files whose stat key differs are read and hashed as before.

Concurrent runs are safe: WAL mode, a busy timeout, and any SQLite error
turns the cache off for the run instead of failing it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from typing import Iterable

from contentlint import __version__

SCHEMA_VERSION = 2
# How much older than its reading a file's mtime must be for its stat to be trusted.
RACY_NS = 2_000_000_000  # 2 s: coarser than any file system's timestamps (FAT: 2 s)


def cache_folder(settings) -> str:
    """`--cache-dir` / `cache-dir`, else `.contentlint_cache` beside the config file (or in the cwd)."""
    return settings.cache_dir or os.path.join(settings.root, ".contentlint_cache")


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def stat_key(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def trusted_stat_key(info: os.stat_result | None, read_at_ns: int) -> str | None:
    """The stat key to store for a file read at ``read_at_ns``, or None when
    its mtime is too recent to rule out a second write in the same tick."""
    if info is None or info.st_mtime_ns > read_at_ns - RACY_NS:
        return None
    return stat_key(info)


def setup_key(settings, rule_codes: Iterable[str], schema_path: str | None) -> str:
    schema_bytes = b""
    if schema_path and os.path.isfile(schema_path):
        with open(schema_path, "rb") as handle:
            schema_bytes = handle.read()
    parts = [
        f"v{SCHEMA_VERSION}", __version__, ",".join(sorted(rule_codes)),
        repr(sorted(settings.per_file_ignores.items())), repr(sorted(settings.rule_options.items())),
        settings.root, hashlib.sha256(schema_bytes).hexdigest(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class ResultCache:
    def __init__(self, folder: str, key: str):
        self.key = key
        self.folder = folder
        self.db: sqlite3.Connection | None = None
        self.pending: list[tuple] = []
        try:
            os.makedirs(folder, exist_ok=True)
            ignore = os.path.join(folder, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as handle:
                    handle.write("# Created by contentlint\n*\n")
            self.db = sqlite3.connect(os.path.join(folder, "results.sqlite"), timeout=10,
                                      isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("DROP TABLE IF EXISTS results")  # layout 1 (no stat key)
            self.db.execute("CREATE TABLE IF NOT EXISTS results_v2 (setup TEXT, path TEXT, digest BLOB, "
                            "stat TEXT, result BLOB, PRIMARY KEY (setup, path))")
        except (OSError, sqlite3.Error):
            self.db = None  # an unwritable or broken cache only costs speed

    def rows(self, paths: list[str]) -> dict[str, tuple[bytes, str | None, bytes]]:
        """{path: (digest, stat key, pickled result)} of the cached ``paths``."""
        if self.db is None or not paths:
            return {}
        found = {}
        try:
            for start in range(0, len(paths), 500):
                chunk = paths[start:start + 500]
                found.update((path, (digest, stat, blob)) for path, digest, stat, blob in self.db.execute(
                    f"SELECT path, digest, stat, result FROM results_v2 WHERE setup = ? "
                    f"AND path IN ({','.join('?' * len(chunk))})", [self.key, *chunk]))
        except sqlite3.Error:
            return {}
        return found

    @staticmethod
    def result(blob: bytes):
        """The FileResult of a row, or None if it cannot be read back."""
        try:
            return pickle.loads(blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def store(self, path: str, file_digest: bytes, file_stat: str | None, result) -> None:
        if self.db is None:
            return
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self.pending.append((self.key, path, file_digest, file_stat, blob))
        if len(self.pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO results_v2 VALUES (?, ?, ?, ?, ?)", self.pending)
        except sqlite3.Error:
            pass
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None
