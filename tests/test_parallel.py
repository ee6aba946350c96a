"""How parallel_map splits the files into tasks (docs/performance.md, "Seventh round").

Chunks shrink towards the end of a run, so the workers finish together: with
fixed chunks of 64 files one worker idled while the other linted the last
chunk. Sizes are pinned here (never durations): what the pool's workers were
actually handed, through a real process pool.
"""

from __future__ import annotations

import os

import pytest

from contentlint import parallel
from contentlint.parallel import MAX_CHUNK, MIN_CHUNK, chunk_sizes, parallel_map


def _sized_chunk(fn, chunk):
    """parallel._run_chunk, also telling the size of the task each result came in and who ran it."""
    return [(len(chunk), os.getpid(), fn(item)) for item in chunk]


@pytest.mark.parametrize("count, jobs", [(1, 2), (63, 2), (64, 2), (65, 2), (100, 2), (2477, 2), (10_000, 2),
                                         (2477, 4), (10_000, 16), (50_000, 3)])
def test_chunks_cover_every_file_once_and_shrink_to_the_end(count, jobs):
    sizes = list(chunk_sizes(count, jobs))
    assert sum(sizes) == count
    assert all(1 <= size <= MAX_CHUNK for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # never a larger task after a smaller one
    assert all(size >= MIN_CHUNK for size in sizes[:-1])  # only the very last may be smaller
    # The last tasks are small, so no worker is left alone with a large one:
    # each one is at most a 1/(4*jobs) share of what was left when it was handed out.
    left = count
    for size in sizes:
        assert size <= max(MIN_CHUNK, left // (4 * jobs))
        left -= size


def test_a_large_run_uses_full_chunks_until_its_tail():
    """Few round trips while much is left: every chunk is MAX_CHUNK until fewer
    than 4 * jobs * MAX_CHUNK files remain."""
    sizes = list(chunk_sizes(10_000, 2))
    full = [size for size in sizes if size == MAX_CHUNK]
    assert sizes[:len(full)] == full
    assert 10_000 - sum(full) < 4 * 2 * (MAX_CHUNK + 1)
    assert len(sizes) < 10_000 // MAX_CHUNK + 40  # the tail adds a few dozen tasks, not hundreds


def test_the_pool_gets_shrinking_tasks_and_returns_results_in_order(monkeypatch):
    monkeypatch.setattr(parallel, "_run_chunk", _sized_chunk)
    items = list(range(-700, 700))
    out = list(parallel_map(abs, items, 2, lambda: None, ()))
    assert [value for _, _, value in out] == [abs(i) for i in items]
    assert os.getpid() not in {pid for _, pid, _ in out}  # run by the workers (which one takes a task is theirs to race)
    # The size each result's task had, read back task by task.
    handed, index = [], 0
    while index < len(out):
        handed.append(out[index][0])
        index += out[index][0]
    assert index == len(items)
    assert handed[0] == MAX_CHUNK
    assert handed == sorted(handed, reverse=True)
    assert max(handed[-4:]) <= MIN_CHUNK  # fixed chunks of 64 ended on a task of 64 (1400 = 21 * 64 + 56)


def test_one_process_runs_in_process_without_a_pool(monkeypatch):
    monkeypatch.setattr(parallel, "_run_chunk", _sized_chunk)
    calls = []
    out = list(parallel_map(abs, list(range(-10, 10)), 2, lambda: calls.append(os.getpid()), ()))
    assert out == [abs(i) for i in range(-10, 10)]  # too few files for a pool: no task, no worker
    assert calls == [os.getpid()]


def _fails_on_777(x):
    if x == 777:
        raise ValueError("bad item")
    return x


def test_an_error_in_a_task_reaches_the_caller_and_stops_the_pool():
    results = parallel_map(_fails_on_777, list(range(1000)), 2, lambda: None, ())
    seen = []
    with pytest.raises(ValueError, match="bad item"):
        for value in results:
            seen.append(value)
    assert seen == list(range(len(seen))) and len(seen) <= 777  # the results before the failing task's
    assert not parallel._running


def _double(x):
    return 2 * x


def test_a_finished_run_signals_its_workers_and_waits_for_them_later():
    """Closing the results once all are in signals the workers and returns:
    they end while the caller reduces and reports, and ``reap`` (the CLI's
    ``stop_all`` after the report) waits for them. Closed early, it waits."""
    items = parallel_map(_double, list(range(200)), 2, _no_init, ())
    assert list(zip(range(200), items)) == [(i, 2 * i) for i in range(200)]  # every result, no StopIteration
    workers = list(next(iter(parallel._running))._processes.values())
    assert len(workers) == 2 and all(w.is_alive() for w in workers)
    items.close()
    assert parallel.running() and not parallel._running  # signalled, not yet waited for
    parallel.reap()
    assert not parallel.running() and not any(w.is_alive() for w in workers)

    early = parallel_map(_double, list(range(2000)), 2, _no_init, ())
    assert next(early) == 0
    workers = list(next(iter(parallel._running))._processes.values())
    early.close()  # work was left: stopped and waited for at once
    assert not parallel.running() and not any(w.is_alive() for w in workers)


def _no_init():
    pass


def test_linting_in_process_collects_as_rarely_as_a_worker_and_restores_the_collector():
    # The per-file work makes millions of short-lived acyclic objects: the
    # default gen-0 threshold ran the cyclic GC ~740 times on the corpus for
    # nothing. The caller's setting is back once the map ends or is closed.
    import gc

    before = gc.get_threshold()
    seen = []
    results = parallel_map(lambda item: seen.append(gc.get_threshold()) or item, [1, 2, 3], 1, lambda: None, ())
    assert list(results) == [1, 2, 3]
    assert seen == [parallel.LINT_GC_THRESHOLD] * 3
    assert gc.get_threshold() == before
    results = parallel_map(lambda item: item, [1, 2, 3], 1, lambda: None, ())
    assert next(results) == 1 and gc.get_threshold() == parallel.LINT_GC_THRESHOLD
    results.close()
    assert gc.get_threshold() == before
