"""Network results cached in SQLite, each with its own expiry time.

A row is one probe (the raw facts: statuses, redirect hops, the AMP link, the
image size) for a (URL, mode) pair, stored as JSON. Facts rather than
verdicts, so a changed ``accepted-statuses`` needs no refresh. The TTL comes
from the outcome when stored; transient outcomes are never stored. Reads and
writes happen before and after the network phase, never during it, so the
event loop never waits on the disk. A cache that cannot be opened or written
is skipped: it only saves time.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from typing import Callable, Iterable

log = logging.getLogger("contentlint.online")

SCHEMA_VERSION = 1


class OnlineCache:
    def __init__(self, path: str, clock: Callable[[], float] = time.time):
        self.clock = clock
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=10)
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:  # an old layout: start over, it is only a cache
            self.db.execute("DROP TABLE IF EXISTS online_probe")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS online_probe ("
            " url TEXT NOT NULL, mode TEXT NOT NULL, payload TEXT NOT NULL,"
            " stored REAL NOT NULL, expires REAL NOT NULL, PRIMARY KEY (url, mode))")
        self.db.commit()

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The fresh payloads among ``keys`` (none when the database fails)."""
        now = self.clock()
        found: dict[tuple[str, str], dict] = {}
        try:
            for url, mode in keys:
                row = self.db.execute(
                    "SELECT payload FROM online_probe WHERE url = ? AND mode = ? AND expires > ?",
                    (url, mode, now)).fetchone()
                if row is not None:
                    try:
                        found[(url, mode)] = json.loads(row[0])
                    except ValueError:
                        continue
        except sqlite3.Error as exc:
            log.warning("online cache not read: %s", exc)
        return found

    def put_many(self, rows: Iterable[tuple[str, str, dict, float]]) -> None:
        """Store (url, mode, payload, ttl) rows; expired rows are dropped on the way."""
        now = self.clock()
        try:
            with self.db:
                self.db.execute("DELETE FROM online_probe WHERE expires <= ?", (now,))
                self.db.executemany(
                    "INSERT OR REPLACE INTO online_probe (url, mode, payload, stored, expires)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(url, mode, json.dumps(payload, separators=(",", ":")), now, now + ttl)
                     for url, mode, payload, ttl in rows if ttl > 0])
        except sqlite3.Error as exc:
            log.warning("online cache not written: %s", exc)

    def close(self) -> None:
        self.db.close()


def open_cache(path: str | None, clock: Callable[[], float] = time.time) -> OnlineCache | None:
    if not path:
        return None
    try:
        return OnlineCache(path, clock)
    except (sqlite3.Error, OSError) as exc:
        log.warning("online cache %s not used: %s", path, exc)
        return None
