"""Network results cached in SQLite, each with its own expiry time.

A row is one probe (the raw facts: statuses, redirect hops, the AMP link, the
image size) for a (URL, mode) pair, stored as JSON. Facts rather than
verdicts, so a changed ``accepted-statuses`` needs no refresh. The TTL comes
from the outcome when stored; transient outcomes are never stored. Reads and
writes happen before and after the network phase, never during it, so the
event loop never waits on the disk. A cache that cannot be opened or written
is skipped: it only saves time.

The database usually sits in the checkout, so every row carries an
HMAC-SHA256 of all its columns under the machine's key (contentlint.cache):
a row this machine did not write (a forged "link OK") is not trusted, and
the table is emptied with one warning.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import time
from typing import Any, Callable, Iterable

from contentlint.cache import machine_key, sign, verify
from contentlint.report.escape import printable  # paths from the checkout's config, printed

log = logging.getLogger("contentlint.online")

SCHEMA_VERSION = 2  # 2: rows are signed
_TABLE = "online_probe"


class OnlineCache:
    def __init__(self, path: str, secret: bytes, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.path = path
        self.secret = secret
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        for name in (path, path + "-journal", path + "-wal", path + "-shm"):  # SQLite would write through a link
            if os.path.lexists(name) and not stat.S_ISREG(os.lstat(name).st_mode):
                raise OSError(f"{os.path.basename(name)} is not a regular file")
        self.db = sqlite3.connect(path, timeout=10)
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:  # an old layout: start over, it is only a cache
            self.db.execute(f"DROP TABLE IF EXISTS {_TABLE}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.execute(
            f"CREATE TABLE IF NOT EXISTS {_TABLE} ("
            " url TEXT NOT NULL, mode TEXT NOT NULL, payload TEXT NOT NULL,"
            " stored REAL NOT NULL, expires REAL NOT NULL, mac BLOB NOT NULL, PRIMARY KEY (url, mode))")
        self.db.commit()

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The fresh payloads among ``keys`` (none when the database fails, or
        when a row is not signed with this machine's key: then it is emptied)."""
        now = self.clock()
        found: dict[tuple[str, str], dict] = {}
        try:
            for url, mode in keys:
                row = self.db.execute(
                    f"SELECT payload, stored, expires, mac FROM {_TABLE} WHERE url = ? AND mode = ? AND expires > ?",
                    (url, mode, now)).fetchone()
                if row is None:
                    continue
                payload, stored, expires, mac = row
                if not verify(self.secret, mac, *_signed(url, mode, payload, stored, expires)):
                    self._forget_foreign()
                    return {}
                try:
                    found[(url, mode)] = json.loads(payload)
                except ValueError:
                    continue
        except sqlite3.Error as exc:
            log.warning("online cache not read: %s", printable(str(exc)))
        return found

    def _forget_foreign(self) -> None:
        log.warning("ignoring online cache written elsewhere %s (a row not signed with this machine's key); "
                    "emptying it", printable(self.path))
        with self.db:
            self.db.execute(f"DELETE FROM {_TABLE}")

    def put_many(self, rows: Iterable[tuple[str, str, dict, float]]) -> None:
        """Store (url, mode, payload, ttl) rows; expired rows are dropped on the way."""
        now = float(self.clock())
        values = []
        for url, mode, payload, ttl in rows:
            if ttl > 0:
                fields = _signed(url, mode, json.dumps(payload, separators=(",", ":")), now, now + ttl)
                values.append((*fields[1:], sign(self.secret, *fields)))
        try:
            with self.db:
                self.db.execute(f"DELETE FROM {_TABLE} WHERE expires <= ?", (now,))
                self.db.executemany(
                    f"INSERT OR REPLACE INTO {_TABLE} (url, mode, payload, stored, expires, mac)"
                    " VALUES (?, ?, ?, ?, ?, ?)", values)
        except sqlite3.Error as exc:
            log.warning("online cache not written: %s", printable(str(exc)))

    def close(self) -> None:
        self.db.close()


def _signed(url: Any, mode: Any, payload: Any, stored: Any, expires: Any) -> tuple:
    """What a row's MAC covers: its table and every column."""
    return (_TABLE, url, mode, payload, stored, expires)


def open_cache(path: str | None, clock: Callable[[], float] = time.time,
               secret: bytes | None = None) -> OnlineCache | None:
    """The cache at ``path``, its rows signed with ``secret`` (default: the
    machine key, refused when it lies inside the working directory); None
    when there is no path, no key, or the database cannot be opened."""
    if not path:
        return None
    secret = secret if secret is not None else machine_key(os.getcwd())
    if secret is None:
        return None
    try:
        return OnlineCache(path, secret, clock)
    except (sqlite3.Error, OSError) as exc:
        log.warning("online cache %s not used: %s", printable(path), printable(str(exc)))
        return None
