"""Interrupted runs leave nothing behind (issue 12; SPEC §9 "Workers exit when their parent dies").

- `check` and `fix` run as real subprocesses with two worker processes over
  800 copies of real records (../shared/corpus, mojibake added so `fix` has
  work). The main process is killed while the workers are busy: with SIGKILL
  the workers still end (the kernel's parent-death signal); with SIGTERM or
  SIGINT the run ends 143 / 130, without a traceback, once its workers are
  gone. Under `fix`, no file changes once they are gone, and no temporary
  file is left. The next run removes an old temporary file of ours and never
  reports one as a record.
- Units: the stale-temp cleanup of discover (what is removed, what is kept),
  write_atomic deferring SIGTERM until the rename, the forking thread, and
  the portable parent watch.

Processes are followed through /proc (Linux), by pid and start time (a pid
may be reused); a zombie counts as gone: it runs no code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contentlint import fixer
from contentlint.config import Settings
from contentlint.discover import discover, is_temp_name, temp_name
from tests.conftest import CORPUS
from tests.test_crash_safe_fix import _env, make_records, write_records

if not Path("/proc/self/task").is_dir():
    pytest.skip("follows processes through /proc (Linux)", allow_module_level=True)

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")

FILES = 800  # a two-worker run of 1-3 s: long enough to be killed in the middle
COPIES = (1, 4)  # a run that ended before the signal landed (a busy machine) is tried again, 4x longer
MOJIBAKE = "cafÃ©".encode()
# How long a dead parent's workers may take to notice. They notice at once
# (the kernel signals them); the bound only tells "they end" from the bug,
# "they run forever" (a test orphan sleeps 600 s), on a machine that may be very busy.
GONE_WITHIN = 60.0
STALE = ".r001.md.0123456789abcdef.contentlint-tmp"


# -- processes ------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process, None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()  # the name may hold spaces and parentheses
    return fields[0], fields[19]


def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live process under ``pid``."""
    found: set[tuple[int, str]] = set()
    todo = [pid]
    while todo:
        for children in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            try:
                pids = [int(p) for p in children.read_text().split()]
            except OSError:  # the thread or the process ended meanwhile
                continue
            for child in pids:
                info = _stat(child)
                if info is not None:
                    found.add((child, info[1]))
                    todo.append(child)
    return found


def running(processes: set[tuple[int, str]]) -> set[int]:
    alive = set()
    for pid, started in processes:
        info = _stat(pid)
        if info is not None and info[1] == started and info[0] not in "ZX":
            alive.add(pid)
    return alive


def wait_for(condition, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f}s for {what}")
        time.sleep(0.02)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def changed(folder: Path, old: dict) -> int:
    return sum((folder / name).read_bytes() != raw for name, (raw, _) in old.items())


def unfixed(folder: Path, old: dict) -> int:
    """Records still holding the mojibake a finished `fix` removes from every one."""
    return sum(MOJIBAKE in (folder / name).read_bytes() for name in old)


def copied_records(folder: Path, copies: int) -> tuple[Path, dict]:
    """FILES records, each ``copies`` times (r001.md, r001-1.md, ...)."""
    old = make_records(folder, FILES)
    more = {f"{name[:-3]}-{k}.md": value for name, value in old.items() for k in range(1, copies)}
    write_records(folder, more)
    return folder, old | more


class Run:
    """`python -m contentlint COMMAND --no-cache --jobs 2 .` in ``folder``, in its own
    session (whatever the test does, its processes are killed at the end)."""

    def __init__(self, command: str, folder: Path, *extra: str):
        self.errors = folder.parent / f"{command}.stderr"
        with open(self.errors, "wb") as errors:  # a file, not a pipe: orphans would hold a pipe open
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "contentlint", command, "--no-cache", "--jobs", "2", *extra, "."],
                cwd=folder, stdout=subprocess.PIPE if extra else subprocess.DEVNULL, stderr=errors,
                stdin=subprocess.DEVNULL, env=_env(), start_new_session=True)
        self.workers: set[tuple[int, str]] = set()

    def wait_for_workers(self) -> set[tuple[int, str]]:
        self.workers = wait_for(lambda: len(descendants(self.proc.pid)) >= 2 and descendants(self.proc.pid),
                                "two worker processes")
        return self.workers

    def stderr(self) -> str:
        return self.errors.read_text("utf-8", "replace")

    def cleanup(self) -> None:
        for pid in running(self.workers | descendants(self.proc.pid)):
            os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


@pytest.fixture
def runs():
    started: list[Run] = []
    yield lambda *args: started.append(Run(*args)) or started[-1]
    for run in started:
        run.cleanup()


# -- killing a run ---------------------------------------------------------------------------


def interrupt(run: Run, signum: int) -> bool:
    """Send ``signum`` to the run's main process; wait for that process. False if
    it had ended before (then it was not killed: the caller tries a longer run)."""
    if run.proc.poll() is not None:
        return False
    os.kill(run.proc.pid, signum)
    run.proc.wait(timeout=120)
    return True


def assert_ended(run: Run, signum: int) -> None:
    if signum == signal.SIGKILL:
        assert run.proc.returncode == -signal.SIGKILL
        wait_for(lambda: not running(run.workers), "the workers of a killed run to end", GONE_WITHIN)
    else:
        # Ended cleanly: the workers were stopped before the run exited.
        assert run.proc.returncode == 128 + signum, run.stderr()
        assert not running(run.workers)
        assert run.stderr() == ""  # no traceback, from the run or from a worker


KILLS = [pytest.param(signal.SIGKILL, id="SIGKILL"), pytest.param(signal.SIGTERM, id="SIGTERM"),
         pytest.param(signal.SIGINT, id="SIGINT")]


@needs_corpus
@pytest.mark.parametrize("signum", KILLS)
def test_killed_check_leaves_no_process(tmp_path, runs, signum):
    for scale in COPIES:  # a run that ended before the signal landed is tried again, longer
        folder, _ = copied_records(tmp_path / f"records{scale}", scale)
        run = runs("check", folder)
        assert len(run.wait_for_workers()) == 2
        if interrupt(run, signum):
            break
    else:
        pytest.fail(f"every run ended before it could be killed, the longest over {FILES * COPIES[-1]} files")
    assert_ended(run, signum)


@needs_corpus
@pytest.mark.parametrize("signum", KILLS)
def test_killed_fix_leaves_no_process_and_changes_nothing_after(tmp_path, runs, signum):
    for copies in COPIES:
        folder, old = copied_records(tmp_path / f"x{copies}", copies)
        run = runs("fix", folder)
        assert len(run.wait_for_workers()) == 2
        wait_for(lambda: changed(folder, old), "`fix` to write a first file")
        # Killed in the middle of the run: some file written, some mojibake left.
        if interrupt(run, signum) and unfixed(folder, old):
            break
    else:
        pytest.fail(f"every run ended before it could be killed, the longest over {len(old)} files")
    assert_ended(run, signum)

    after = snapshot(folder)
    assert changed(folder, old) > 0 and unfixed(folder, old) > 0
    assert not [name for name in after if name.endswith(".contentlint-tmp")]  # writes were finished
    time.sleep(1.0)
    assert snapshot(folder) == after, "a file changed after the run was killed"

    # A temporary file a SIGKILLed worker would have left: the next run removes
    # it, and checks every record and nothing else.
    (folder / STALE).write_bytes(old["r001.md"][0])
    os.utime(folder / STALE, (time.time() - 60, time.time() - 60))
    report = runs("check", folder, "--format", "junit")
    out, _ = report.proc.communicate(timeout=120)
    assert report.proc.returncode == 1 and "Traceback" not in report.stderr()
    checked = {suite.get("name") for suite in ET.fromstring(out).iter("testsuite")}
    assert checked == set(old)
    assert sorted(p.name for p in folder.iterdir()) == sorted(old)


# -- the pieces --------------------------------------------------------------------------------


T0 = 1_700_000_000 * 10**9  # the run's start in the cleanup tests


def _touch(path: Path, mtime_ns: int, content: bytes = b"x") -> Path:
    path.write_bytes(content)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_temp_names_are_distinctive():
    name = temp_name("a.md")
    assert name.startswith(".a.md.") and name.endswith(".contentlint-tmp") and len(name) == len(".a.md..contentlint-tmp") + 16
    assert is_temp_name(name) and temp_name("a.md") != name
    assert is_temp_name(temp_name("odd name\n.md"))
    for other in ("a.md", ".a.md.contentlint-tmp", ".a.md.0123456789abcde.contentlint-tmp",
                  ".a.md.0123456789ABCDEF.contentlint-tmp", "a.md.0123456789abcdef.contentlint-tmp",
                  ".a.md.0123456789abcdef.contentlint-tmp.bak", "..0123456789abcdef.contentlint-tmp"):
        assert not is_temp_name(other), other


def test_discover_removes_only_our_stale_temp_files(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n")
    old = _touch(tmp_path / ".a.md.0123456789abcdef.contentlint-tmp", T0 - 1)
    fresh = _touch(tmp_path / ".a.md.fedcba9876543210.contentlint-tmp", T0 + 1)  # a concurrent run's
    at_start = _touch(tmp_path / ".a.md.00000000000000ff.contentlint-tmp", T0)
    lookalikes = [_touch(tmp_path / name, T0 - 10**12) for name in (
        ".a.md.contentlint-tmp", ".a.md.0123456789ABCDEF.contentlint-tmp", ".a.md.0123.contentlint-tmp",
        "a.md.0123456789abcdef.contentlint-tmp", ".a.md.0123456789abcdef.contentlint-tmp.bak")]
    # A symlink with our name is not ours: kept, and so is what it points to.
    target = _touch(tmp_path / "target.txt", T0 - 10**12)
    link = tmp_path / ".b.md.0123456789abcdef.contentlint-tmp"
    link.symlink_to(target)
    os.utime(link, ns=(T0 - 10**12, T0 - 10**12), follow_symlinks=False)
    # A folder with our name is not removed (nor walked: it is hidden); a folder the run does not walk is not cleaned.
    folder = tmp_path / ".c.md.0123456789abcdef.contentlint-tmp"
    folder.mkdir()
    (folder / "c.md").write_text("---\ntitle: c\n---\n")
    (tmp_path / ".git").mkdir()
    unwalked = _touch(tmp_path / ".git" / ".d.md.0123456789abcdef.contentlint-tmp", T0 - 1)

    # include "*": a temporary file is still never a record.
    found = list(discover([str(tmp_path)], Settings(root=str(tmp_path), include=("*",)), started_ns=T0))

    assert not old.exists()
    assert fresh.exists() and at_start.exists() and unwalked.exists() and folder.is_dir()
    assert all(p.exists() for p in lookalikes) and link.is_symlink() and target.read_bytes() == b"x"
    # The lookalikes and target.txt hold "x": kept, but not records (no front matter), so not yielded.
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in found) == ["a.md"]


def test_a_temp_file_named_on_the_command_line_is_skipped_not_removed(tmp_path):
    stale = _touch(tmp_path / ".a.md.0123456789abcdef.contentlint-tmp", T0 - 1)
    assert list(discover([str(stale)], Settings(root=str(tmp_path)), started_ns=T0)) == []
    assert stale.exists()


def test_sigterm_during_a_write_waits_for_the_rename(tmp_path, monkeypatch):
    """A SIGTERM that arrives between creating the temporary file and renaming it
    is delivered after the rename: the file is new and no temporary file is left."""
    class Stop(BaseException):
        pass

    def stop(signum, frame):
        raise Stop

    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    real_fsync = os.fsync

    def fsync_then_term(fd):  # inside the write, after the temporary file exists
        real_fsync(fd)
        # To this thread, as the kernel does to a single-threaded worker (a
        # process-wide one could be taken by another thread of pytest's).
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(fixer.os, "fsync", fsync_then_term)
        with pytest.raises(Stop):
            fixer.write_atomic(str(path), b"new", b"old")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_an_interrupt_raised_during_a_write_removes_the_temp_file(tmp_path, monkeypatch):
    """In a process with other threads one of them may take the signal, and
    Python runs the handler in the main thread at once, inside the write: the
    temporary file is removed and the file keeps its old version."""
    path = tmp_path / "a.md"
    path.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(fixer.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fixer.write_atomic(str(path), b"new", b"old")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def _script(tmp_path: Path, code: str) -> subprocess.Popen:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(), start_new_session=True, text=True)


def test_workers_are_forked_by_the_thread_that_iterates(tmp_path):
    """PR_SET_PDEATHSIG fires when the forking *thread* ends: it must be the main
    thread (which lives as long as the process), not the executor's manager thread."""
    proc = _script(tmp_path, """
        import os, threading
        from contentlint.parallel import parallel_map

        forks = []
        os.register_at_fork(before=lambda: forks.append(threading.current_thread() is threading.main_thread()))
        total = sum(parallel_map(abs, list(range(-200, 200)), 2, lambda: None, ()))
        print(total, forks)
    """)
    out, err = proc.communicate(timeout=120)
    assert (out.split(None, 1), proc.returncode) == (["40000", "[True, True]\n"], 0), err


def test_the_portable_parent_watch_ends_an_orphan(tmp_path):
    """Where PR_SET_PDEATHSIG does not exist: a forked child that runs only the
    watch thread ends once its parent is SIGKILLed."""
    proc = _script(tmp_path, """
        import os, time
        from contentlint import parallel

        parent = os.getpid()
        child = os.fork()
        if child == 0:
            try:
                parallel.PARENT_POLL_SECONDS = 0.05
                parallel._watch_parent_in_thread(parent)
            except BaseException:
                os.kill(parent, 9)  # the test must not wait for the parent's sleep
                raise
            os.write(1, b"watching\\n")  # one write each: print() may interleave with the parent's
            time.sleep(600)
            os._exit(0)
        os.write(1, f"{child}\\n".encode())
        time.sleep(600)
    """)
    lines = sorted(proc.stdout.readline().strip() for _ in range(2))
    assert lines[1] == "watching", proc.stderr.read() if lines[1] == "" else lines
    child = int(lines[0])
    process = {(child, _stat(child)[1])}
    try:
        assert running(process) == {child}
        proc.kill()
        proc.wait(timeout=120)  # not communicate(): the orphan holds the pipes until it ends
        wait_for(lambda: not running(process), "the orphan to end", GONE_WITHIN)
    finally:
        for pid in running(process):
            os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.communicate()


def _slow_item(x: int) -> int:
    time.sleep(0.002)
    return x


def _no_init() -> None:
    pass


def test_a_stopped_pool_has_closed_its_wake_up_pipe_before_exit():
    """After stop(), the pool's manager thread has ended and closed its
    wake-up pipe: Python 3.11's exit hook writes to that pipe without a lock,
    and racing the close it printed a traceback after an interrupted run."""
    from contentlint import parallel

    items = parallel.parallel_map(_slow_item, list(range(2000)), 2, _no_init, ())
    assert [x for x, _ in zip(items, range(50))] == list(range(50))
    pools = list(parallel._running)
    assert len(pools) == 1
    manager = pools[0]._executor_manager_thread
    wakeup = pools[0]._executor_manager_thread_wakeup
    parallel.stop_all()
    items.close()
    assert not manager.is_alive() and wakeup._closed


# -- the console script's exit ----------------------------------------------------------------

_CONSOLE = """
import atexit, sys, threading
atexit.register(lambda: print("exit hook ran", file=sys.stderr))
if sys.argv[1] == "thread":  # a thread a library left running: the ordinary exit
    threading.Thread(target=threading.Event().wait, daemon=True).start()
sys.argv = ["contentlint", "check", "--no-cache", "--select", "CL004", sys.argv[2]]
from contentlint.cli import console
console()
"""


def _console(folder: Path, mode: str) -> subprocess.CompletedProcess:
    import contentlint

    env = {**_env(), "PYTHONPATH": str(Path(contentlint.__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-c", _CONSOLE, mode, str(folder)], capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_console_script_ends_once_its_report_is_flushed(tmp_path):
    """After the report the process ends at once (os._exit: no exit hooks, no
    teardown), its buffered report and exit status intact; with another
    thread still running it exits the ordinary way."""
    for i in range(3):
        (tmp_path / f"r{i}.md").write_text(f"---\ntitle: a\ntitle: b{i}\n---\n")
    fast = _console(tmp_path, "alone")
    assert (fast.returncode, fast.stderr) == (1, "")  # the exit hook did not run
    assert fast.stdout.splitlines() == [
        *(f"{tmp_path / f'r{i}.md'}:3:1: error: CL004 duplicate key `title`: the earlier value is silently "
          "overwritten" for i in range(3)),
        "Found 3 findings in 3 files (3 checked): 3 errors."]
    ordinary = _console(tmp_path, "thread")
    assert (ordinary.returncode, ordinary.stdout, ordinary.stderr) == (1, fast.stdout, "exit hook ran\n")


def test_the_console_script_is_the_fast_exit():
    import tomllib

    scripts = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"contentlint": "contentlint.cli:console"}


def test_a_pool_counts_as_running_until_stopped():
    from contentlint import parallel

    items = parallel.parallel_map(_slow_item, list(range(2000)), 2, _no_init, ())
    assert next(items) == 0 and parallel.running()
    parallel.stop_all()
    items.close()
    assert not parallel.running()


def test_sigterm_and_sigint_at_once_stop_the_run_without_a_traceback(tmp_path):
    """Both pending when Python runs the first handler (held by a signal mask
    here, as a long C call holds them): the second must find a handler, not
    SIG_IGN, or Python prints "Signal 15 ignored due to race condition"."""
    code = (
        "import os, signal\n"
        "from contentlint import cli\n"
        "cli._handle_stop_signals()\n"
        "both = {signal.SIGINT, signal.SIGTERM}\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, both)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "try:\n"
        "    signal.pthread_sigmask(signal.SIG_UNBLOCK, both)\n"
        "    for _ in range(1000): pass\n"
        "except (KeyboardInterrupt, cli.Terminated) as exc:\n"
        "    print(type(exc).__name__)\n"
        "for _ in range(1000): pass\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=60)
    assert (done.returncode, done.stdout.strip() in ("KeyboardInterrupt", "Terminated"), done.stderr) == (0, True, "")
