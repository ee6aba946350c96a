"""A bound on the time of work that has none of its own: a schema's regular
expressions (`pattern`, `patternProperties`) run on Python's backtracking
engine, in fastjsonschema's and jsonschema's code as in ours, and a schema
is data from the checkout: `^(a+)+$` against forty `a`s and a `!` takes
hours. The engine checks for signals as it backtracks, so a timer signal
ends it (docs/reliability.md, "A schema is data from the checkout").

Only in a process's main thread (where Python runs signal handlers) and
where `setitimer` exists; elsewhere the work runs unbounded, as before.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class Expired(BaseException):
    """The work ran past its bound. Not an Exception: the validators' own
    `except Exception` (a part that fails to compile, an odd value) must not
    take it for their kind of failure and go on unbounded."""


_armed = False  # whether a bound is running: a late signal after it ended is ignored


def _expire(signum, frame) -> None:
    # Disarmed here, not only when the block ends: a signal handled as the
    # block's `finally` starts would otherwise leave the bound armed for good
    # (every later bound taking itself for a nested one, and running unbounded).
    global _armed
    if _armed:
        _armed = False
        raise Expired()


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise Expired in the block once it has run ``seconds``. Not nested,
    and not over another user of SIGALRM: then the block runs unbounded."""
    global _armed
    handler = signal.getsignal(signal.SIGALRM) if hasattr(signal, "setitimer") else None
    if _armed or handler not in (signal.SIG_DFL, _expire) or threading.current_thread() is not threading.main_thread():
        yield
        return
    if handler is not _expire:
        signal.signal(signal.SIGALRM, _expire)  # kept installed: a later bound costs two timer calls
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
