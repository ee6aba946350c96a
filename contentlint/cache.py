"""Result cache: a file's findings keyed by its content hash and the run's setup.

One SQLite file under `.contentlint_cache/` (or `--cache-dir`). A row is
(setup key, path) -> (content digest, pickled FileResult). The setup key
hashes everything that can change a result besides the file itself: the
tool version, the enabled rules, the effective settings and the schema's
bytes, so a config or schema change can never serve a stale result. The
path is part of the key because findings carry it and per-file-ignores
depend on it.

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

SCHEMA_VERSION = 1


def cache_folder(settings) -> str:
    """`--cache-dir` / `cache-dir`, else `.contentlint_cache` beside the config file (or in the cwd)."""
    return settings.cache_dir or os.path.join(settings.root, ".contentlint_cache")


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


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
            self.db.execute("CREATE TABLE IF NOT EXISTS results (setup TEXT, path TEXT, digest BLOB, "
                            "result BLOB, PRIMARY KEY (setup, path))")
        except (OSError, sqlite3.Error):
            self.db = None  # an unwritable or broken cache only costs speed

    def lookup(self, items: list[tuple[str, bytes]]) -> dict[str, object]:
        """{path: FileResult} for the (path, digest) pairs that are cached."""
        if self.db is None or not items:
            return {}
        wanted = dict(items)
        found: dict[str, object] = {}
        try:
            for start in range(0, len(items), 500):
                paths = [p for p, _ in items[start:start + 500]]
                rows = self.db.execute(
                    f"SELECT path, digest, result FROM results WHERE setup = ? AND path IN ({','.join('?' * len(paths))})",
                    [self.key, *paths])
                for path, row_digest, blob in rows:
                    if wanted.get(path) == row_digest:
                        found[path] = pickle.loads(blob)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return found
        return found

    def store(self, path: str, file_digest: bytes, result) -> None:
        if self.db is None:
            return
        self.pending.append((self.key, path, file_digest, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self.pending) >= 500:
            self.flush()

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", self.pending)
        except sqlite3.Error:
            pass
        self.pending.clear()

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None
