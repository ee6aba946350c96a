"""contentlint.timebox: a bound on work that has none of its own (a schema's
regular expressions on Python's backtracking engine)."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time

import pytest

from contentlint import timebox

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no setitimer here")

EVIL, VALUE = "^(a+)+$", "a" * 40 + "!"  # hours on Python's engine


def test_a_runaway_regex_is_stopped_at_the_bound():
    started = time.monotonic()
    with pytest.raises(timebox.Expired):
        with timebox.bounded(0.3):
            re.search(EVIL, VALUE)
    assert time.monotonic() - started < 30  # stopped, not finished: a bound, not a measurement
    assert not timebox._armed
    with timebox.bounded(0.3):  # work that ends in time is untouched, and the timer is off after it
        assert re.search(EVIL, "aaa")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_inner_bound_leaves_the_outer_one_in_charge():
    with pytest.raises(timebox.Expired):
        with timebox.bounded(0.3):
            with timebox.bounded(100):  # nested: runs under the outer bound
                re.search(EVIL, VALUE)


def test_a_signal_as_the_block_ends_leaves_no_bound_armed():
    """The timer may fire as the block's `finally` starts: the handler
    disarms, so the next bound is a bound (it once ran unbounded)."""
    code = timebox.bounded.__wrapped__.__code__
    lines = open(code.co_filename).read().splitlines()
    fired = []

    def local(frame, event, arg):
        if event == "line" and not fired and lines[frame.f_lineno - 1].strip() == "_armed = False":
            fired.append(1)
            os.kill(os.getpid(), signal.SIGALRM)
        return local

    sys.settrace(lambda frame, event, arg: local if frame.f_code is code else None)
    try:
        try:
            with timebox.bounded(100):
                pass
        except timebox.Expired:
            pass  # the signal was handled before the block's end was recorded: a late expiry
    finally:
        sys.settrace(None)
    assert fired and not timebox._armed
    with pytest.raises(timebox.Expired):
        with timebox.bounded(0.3):
            re.search(EVIL, VALUE)


def test_outside_the_main_thread_the_work_runs_unbounded():
    done = []

    def work():
        with timebox.bounded(0.01):
            time.sleep(0.1)
        done.append(True)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert done == [True] and not timebox._armed
