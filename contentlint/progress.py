"""A progress bar on stderr, only on a terminal and only for runs that take a moment.

Never in CI logs (`CI` set) or when stderr is redirected: there a bar is just
noise in the log.
"""

from __future__ import annotations

import os
import sys
import time

from contentlint.report.escape import printable

DELAY = 0.5  # seconds before a bar appears: quick runs stay silent


class Progress:
    def __init__(self, label: str = "checking", stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.label = printable(label)
        self.enabled = not quiet and self.stream.isatty() and not os.environ.get("CI") and "NO_PROGRESS" not in os.environ
        self.started = time.monotonic()
        self.shown = False
        self.last = 0.0

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self.started < DELAY or (now - self.last < 0.1 and done < total):
            return
        self.last, self.shown = now, True
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.stream.write("\r\033[K")  # clear the bar's line
            self.stream.flush()
