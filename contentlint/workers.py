"""Spread per-file work over worker processes (the `check` and `fix` engines share it)."""

from __future__ import annotations

import functools
import gc
import os
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker a pool costs more than it saves (the
# pre-commit case is one or a few files: no pool at all).
MIN_FILES_PER_WORKER = 32


def parallel_map(fn: Callable[[T], R], items: list[T], jobs: int | None,
                 initializer: Callable[..., None], initargs: Iterable) -> Iterator[R]:
    """``fn`` over ``items`` in order; ``initializer(*initargs)`` runs once per process.

    A single process runs everything in-process, through the same initializer.
    ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies (a crash
    in a C extension) raises BrokenProcessPool instead of hanging the run.
    """
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) // MIN_FILES_PER_WORKER))
    if jobs == 1:
        initializer(*initargs)
        yield from map(fn, items)
        return
    initializer = functools.partial(_init_worker, initializer)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                             initializer=initializer, initargs=tuple(initargs)) as pool:
        yield from pool.map(fn, items, chunksize=max(1, min(64, len(items) // (jobs * 8))))


def _init_worker(initializer: Callable[..., None], *initargs) -> None:
    # Linting allocates millions of short-lived, acyclic objects (YAML nodes);
    # at the default gen-0 threshold (700) the cyclic GC runs thousands of
    # times per run for nothing (~10% of a worker's time, measured). Only in
    # workers: the main process keeps executor bookkeeping that does cycle.
    gc.set_threshold(50_000, 20, 20)
    initializer(*initargs)
