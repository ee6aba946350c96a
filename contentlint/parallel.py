"""Spread per-file work over worker processes (the `check` and `fix` engines share it).

Workers never outlive the run: they end when their parent dies, however it
dies (SIGKILL included), and an interrupted run stops them before it exits
(docs/reliability.md, "Interrupted runs").
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker a pool costs more than it saves (the
# pre-commit case is one or a few files: no pool at all).
MIN_FILES_PER_WORKER = 32
# Chunk sizes (files per task; docs/performance.md): at most MAX_CHUNK while
# much is left (few round trips), shrinking to MIN_CHUNK at the end so the
# workers finish together instead of one idling while the other ends a chunk.
MAX_CHUNK = 64
MIN_CHUNK = 4

# The signals that end a run; workers receive SIGTERM when their parent dies.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 0.25  # the portable fallback's check interval

# Linting allocates millions of short-lived, acyclic objects (YAML nodes);
# at the default gen-0 threshold (700) the cyclic GC runs thousands of times
# per run for nothing (~10% of a worker's time, ~7% of a one-process corpus
# run, measured). Set in each worker, and in the main process while it lints
# in-process: with a pool, it keeps executor bookkeeping that does cycle.
LINT_GC_THRESHOLD = (50_000, 20, 20)

_running: set = set()  # pools of this process not yet shut down (stop_all ends them)
_ending: list = []  # (workers, manager thread) of pools signalled to end, not yet waited for (reap)


def parallel_map(fn: Callable[[T], R], items: list[T], jobs: int | None,
                 initializer: Callable[..., None], initargs: Iterable) -> Iterator[R]:
    """``fn`` over ``items`` in order; ``initializer(*initargs)`` runs once per process.

    A single process runs everything in-process, through the same initializer.
    ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (a crash
    in a C extension) raises BrokenProcessPool instead of hanging the run.
    Closing the iterator early, or an exception while it runs (SIGINT,
    SIGTERM), ends the workers at once instead of letting them finish the
    queued work. Closed once every result is in, it signals the workers the
    same way but does not wait: they end while the caller reduces and
    reports (a few ms a run), and ``reap`` or ``stop_all`` waits for them
    (the CLI, after the report; the next pool, in a library).
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) // MIN_FILES_PER_WORKER))
    if jobs == 1:
        initializer(*initargs)
        previous = gc.get_threshold()
        gc.set_threshold(*LINT_GC_THRESHOLD)  # as in a worker (_init_worker)
        try:
            yield from map(fn, items)
        finally:
            gc.set_threshold(*previous)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    reap()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                               initializer=functools.partial(_init_worker, os.getpid(), initializer),
                               initargs=tuple(initargs))
    _running.add(pool)
    try:
        # The workers are forked here, by this thread (with fork, all of them on
        # the first submit), with the stop signals blocked: one arriving before
        # a worker has reset the parent's handlers waits until it has.
        with signals_blocked(STOP_SIGNALS):
            pending = [pool.submit(_run_chunk, fn, chunk) for chunk in chunks(items, jobs)]
        pending.reverse()  # popped in file order: each chunk's results are dropped once yielded
        while pending:
            yield from pending.pop().result()
    except GeneratorExit:  # the caller closing the iterator
        # Once every result is in, the workers are signalled and left to end
        # while the caller reduces and reports; ``reap`` waits for them.
        stop(pool, wait=bool(pending))
        raise
    except BaseException:  # an interrupt or an error
        stop(pool)
        raise
    _running.discard(pool)
    pool.shutdown()


def chunk_sizes(count: int, jobs: int) -> Iterator[int]:
    """Guided self-scheduling: each chunk a 1/(4*jobs) share of the files still
    unassigned, within [MIN_CHUNK, MAX_CHUNK]. Fixed chunks of 64 left one
    worker idle for up to a chunk (~50 ms on the corpus) at the end of a run."""
    left = count
    while left > 0:
        size = min(left, max(MIN_CHUNK, min(MAX_CHUNK, left // (4 * jobs))))
        yield size
        left -= size


def chunks(items: list, jobs: int) -> Iterator[list]:
    start = 0
    for size in chunk_sizes(len(items), jobs):
        yield items[start:start + size]
        start += size


def _run_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [fn(item) for item in chunk]


def stop(pool, wait: bool = True) -> None:
    """End ``pool`` now: queued work is dropped, running workers get SIGTERM
    (a file being written is finished first: fixer.write_atomic defers it),
    then SIGKILL if one is still there after a few seconds. ``wait=False``
    leaves the waiting to ``reap``."""
    _running.discard(pool)
    # Private, but the only handle on the processes before Python 3.14's terminate_workers().
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown(wait=False) forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    _ending.append((processes, manager))
    if wait:
        reap()


def reap() -> None:
    """Wait for the workers of the pools stopped so far (killed after a few seconds)."""
    while _ending:
        processes, manager = _ending.pop()
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        # Let the pool's manager thread finish closing its wake-up pipe now: at
        # interpreter exit, Python 3.11's _python_exit writes to that pipe without
        # its lock and, racing the close, printed a traceback (EBADF) after the run.
        if manager is not None and manager.is_alive():
            manager.join(5)


def running() -> bool:
    """Whether a pool of this process has workers not yet waited for."""
    return bool(_running or _ending)


def stop_all() -> None:
    """End every pool this process still runs and wait for their workers (the
    CLI calls it on SIGINT/SIGTERM: a generator suspended at `yield` is not
    closed until it is garbage; and at the end of every run)."""
    for pool in list(_running):
        stop(pool, wait=False)
    reap()


@contextmanager
def signals_blocked(signals=STOP_SIGNALS):
    """Block ``signals`` in this thread; one that arrives meanwhile is delivered on exit."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(parent: int, initializer: Callable[..., None], *initargs) -> None:
    _exit_with_parent(parent)
    # Forked with the parent's handlers: SIGTERM must end a worker (the CLI's
    # handler would raise inside a task and the worker would go on), and
    # Ctrl-C, which reaches the whole process group, is the parent's to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    gc.set_threshold(*LINT_GC_THRESHOLD)
    initializer(*initargs)


def _exit_with_parent(parent: int) -> None:
    """Have the kernel send SIGTERM to this worker when ``parent`` dies (Linux),
    or else watch for it from a thread. SIGTERM, not SIGKILL: it ends the
    worker as fast, but a file being written is renamed into place first, so
    no temporary file is left (fixer.write_atomic blocks it meanwhile).

    PR_SET_PDEATHSIG fires when the *thread* that forked us ends: that is the
    thread iterating parallel_map (ProcessPoolExecutor forks every worker on
    the first submit, never from its manager thread; tests check it), the
    main thread in the CLI, which lives as long as the process.
    """
    if not _parent_death_signal(signal.SIGTERM):
        _watch_parent_in_thread(parent)
    if os.getppid() != parent:  # it died before the kernel was told to tell us
        os._exit(1)


def _parent_death_signal(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signum), ctypes.c_ulong(0),
                          ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent_in_thread(parent: int) -> None:
    # Started while the stop signals are still blocked: the thread keeps them
    # blocked, so the SIGTERM it sends is taken by the main thread (deferred
    # there while a file is being written).
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="contentlint-watch-parent").start()


def _watch_parent(parent: int) -> None:
    """The portable fallback: once orphaned, our parent pid changes."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # SIGTERM is only deferred for a write in progress; never linger
    os._exit(1)
