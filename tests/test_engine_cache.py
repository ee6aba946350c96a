"""Parallel workers and the result cache give exactly the findings of a plain run."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time

import pytest

from contentlint import registry
from contentlint.cache import (_TABLE, RACY_NS, ResultCache, decode, encode, machine_key, row_key, row_mac, stat_key,
                               trusted_stat_key)
from tests.conftest import CORPUS, needs_corpus, run_cli

# The rows of files (a whole-run row's path starts with NUL: cache._run_slot).
FILE_ROWS = "hex(path) NOT LIKE '00%'"


def _json(capsys, *args):
    code, out, err = run_cli(["check", "--format", "json", *args], capsys)
    assert "Traceback" not in err
    return code, json.loads(out)


@needs_corpus
def test_corpus_findings_identical_across_jobs_and_cache(tmp_path, capsys):
    cache = tmp_path / "cache"
    _, plain = _json(capsys, "--no-cache", "--jobs", "1", CORPUS)
    _, parallel = _json(capsys, "--no-cache", "--jobs", "2", CORPUS)
    _, cold = _json(capsys, "--cache-dir", cache, "--jobs", "2", CORPUS)
    _, warm = _json(capsys, "--cache-dir", cache, "--jobs", "2", CORPUS)
    assert len(plain) > 300
    assert plain == parallel == cold == warm


def test_cache_hits_and_invalidation(write, tmp_path, capsys, monkeypatch):
    write("a.md", "---\na: 1\na: 2\n---\n")
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path)
    args = ("--select", "CL0", "--cache-dir", cache, "a.md")
    assert [(f["code"], f["line"]) for f in _json(capsys, *args)[1]] == [("CL004", 3)]
    # Prove the next run is served from the cache: rewrite the stored result.
    _rewrite_message(cache, "served from the cache")
    assert [f["message"] for f in _json(capsys, *args)[1]] == ["served from the cache"]
    # Changed content is linted again.
    write("a.md", "---\nb: 1\nb: 2\nb: 3\n---\n")
    assert [(f["code"], f["line"]) for f in _json(capsys, *args)[1]] == [("CL004", 3), ("CL004", 4)]
    # --no-cache neither reads nor writes it.
    write("a.md", "---\na: 1\na: 2\n---\n")
    assert [(f["code"], f["line"]) for f in _json(capsys, "--no-cache", *args)[1]] == [("CL004", 3)]


def test_config_change_is_never_served_stale(write, tmp_path, capsys, monkeypatch):
    write("a.md", "---\na: 1\na: 2\n---\n")
    monkeypatch.chdir(tmp_path)
    assert [f["code"] for f in _json(capsys, "--select", "CL0", ".")[1]] == ["CL004"]
    write("contentlint.toml", '[per-file-ignores]\n"a.md" = ["CL004"]\n')
    assert [f["code"] for f in _json(capsys, "--select", "CL0", ".")[1]] == []
    (tmp_path / "contentlint.toml").unlink()
    assert [f["code"] for f in _json(capsys, "--select", "CL0", ".")[1]] == ["CL004"]


def test_schema_change_is_never_served_stale(write, tmp_path, capsys, monkeypatch):
    write("a.md", "---\ntitle: 5\n---\n")
    schema = write("s.json", json.dumps({"properties": {"title": {"type": "string"}}}))
    monkeypatch.chdir(tmp_path)
    assert [f["code"] for f in _json(capsys, "--select", "CL1", "--schema", "s.json", "a.md")[1]] == ["CL102"]
    schema.write_text(json.dumps({"properties": {"title": {"type": "integer"}}}))
    assert [f["code"] for f in _json(capsys, "--select", "CL1", "--schema", "s.json", "a.md")[1]] == []


def test_a_schema_named_by_the_record_is_never_served_stale(write, tmp_path, capsys, monkeypatch):
    write("content/a.md", "---\n$schema: ../s.json\ntitle: 5\n---\n")
    monkeypatch.chdir(tmp_path)
    args = ("--select", "CL1", "--cache-dir", tmp_path / "cache", ".")
    # Missing first (a CL100 at the `$schema` value), then written, then changed.
    assert [f["code"] for f in _json(capsys, *args)[1]] == ["CL100"]
    schema = write("s.json", json.dumps({"properties": {"title": {"type": "string"}}}))
    assert [f["code"] for f in _json(capsys, *args)[1]] == ["CL102"]
    schema.write_text(json.dumps({"properties": {"title": {"type": "integer"}}}))
    assert _json(capsys, *args) == (0, [])


def test_the_same_path_from_another_working_folder_is_another_file(write, tmp_path, capsys, monkeypatch):
    write("contentlint.toml", '[per-file-ignores]\n"sub/*.md" = ["CL101"]\n')
    for name in ("a.md", "sub/a.md"):
        write(name, "---\ntitle: hello\n---\n")
    args = ("--select", "CL101", "--cache-dir", tmp_path / "cache", "a.md")
    monkeypatch.chdir(tmp_path)
    assert len(_json(capsys, *args)[1]) == 7  # the article schema's required fields but `title`
    monkeypatch.chdir(tmp_path / "sub")  # the same bytes, where per-file-ignores drop CL101
    assert _json(capsys, *args) == (0, [])


def test_the_python_release_and_the_dependencies_installed_are_in_the_setup(monkeypatch):
    import sys

    import jsonschema

    from contentlint import cache
    from contentlint.config import Settings

    known = cache.environment()
    assert sys.version in known and f"jsonschema {jsonschema.__file__} " in known
    assert "\nfqdn " in known and "\npathspec " in known  # jsonschema's optional format checkers; the globs
    monkeypatch.setenv("CONTENTLINT_YAML", "ruamel")  # another YAML reader
    cache.environment.cache_clear()
    try:
        assert cache.environment() != known
    finally:
        monkeypatch.delenv("CONTENTLINT_YAML")
        cache.environment.cache_clear()
    settings = Settings(root="/r")
    before = cache.setup_key(settings, ["CL100"], None, code="c")
    monkeypatch.setattr(cache, "environment", lambda: known.replace("jsonschema", "jsonschema 4.18"))
    assert cache.setup_key(settings, ["CL100"], None, code="c") != before


def test_broken_cache_file_only_costs_speed(write, tmp_path, capsys, monkeypatch):
    write("a.md", "---\na: 1\na: 2\n---\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "results.sqlite").write_bytes(b"this is not a database")
    monkeypatch.chdir(tmp_path)
    code, result = _json(capsys, "--select", "CL0", "--cache-dir", cache, ".")
    assert code == 1 and [f["code"] for f in result] == ["CL004"]
    shutil.rmtree(cache)


def _rewrite_message(cache, message, **columns):
    """Rewrite the one stored result's first message (and other columns) in
    place, signed with this machine's key as contentlint signs rows."""
    db = sqlite3.connect(cache / "results.sqlite")
    setup, path, *stored = db.execute(
        f"SELECT setup, path, digest, stat, result FROM results_v6 WHERE {FILE_ROWS}").fetchone()
    result = decode(path, stored[2], 10**6, {r.code: r for r in registry.all_rules()})
    result.diagnostics = [result.diagnostics[0]._replace(message=message)]
    row = {**dict(zip(("digest", "stat", "result"), stored)), **columns, "result": encode(result)}
    mac = row_mac(row_key(machine_key(str(cache)), _TABLE, setup), path, row["digest"], row["stat"], row["result"])
    db.execute("UPDATE results_v6 SET digest = ?, stat = ?, result = ?, mac = ? WHERE path = ?",
               (row["digest"], row["stat"], row["result"], mac, path))
    db.commit()
    db.close()


def test_unchanged_stat_stands_for_the_digest(write, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    path = write("a.md", "---\na: 1\na: 2\n---\n")
    args = ("--select", "CL0", "--cache-dir", cache, ".")
    assert [f["code"] for f in _json(capsys, *args)[1]] == ["CL004"]
    # A row whose stat key is the file's own is served without reading the
    # file: its digest here matches no content at all.
    _rewrite_message(cache, "served by the stat", stat=stat_key(os.stat(path)), digest=b"\0" * 16)
    assert [f["message"] for f in _json(capsys, *args)[1]] == ["served by the stat"]
    # Another stat: read and hashed, and the digest does not match.
    os.utime(path, ns=(10**18, 10**18))
    assert [f["message"].split(":")[0] for f in _json(capsys, *args)[1]] == ["duplicate key `a`"]


def test_stat_is_trusted_only_outside_the_racy_window(write):
    info = os.stat(write("a.md", "---\n---\n"))
    newest = max(info.st_mtime_ns, info.st_ctime_ns)
    assert trusted_stat_key(info, newest + RACY_NS + 1) == stat_key(info)
    assert trusted_stat_key(info, newest + RACY_NS - 1) is None
    # An mtime set back (`touch -d`, `cp -p`) does not make a fresh write old: the ctime is now.
    path = write("b.md", "---\n---\n")
    os.utime(path, ns=(10**9, 10**9))
    assert trusted_stat_key(os.stat(path), time.time_ns()) is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_rows_are_encoded_and_signed_by_the_step_the_main_process_only_inserts(tmp_path, capsys, monkeypatch, jobs):
    # 70 records: with --jobs 2 a pool starts (parallel.MIN_FILES_PER_WORKER).
    for n in range(70):
        record = f'---\ntitle: "Record {n}"\nwebUrl: "https://example.com/{n % 60}"\n---\n'
        (tmp_path / f"r{n:02}.md").write_text(record, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    plain = run_cli(["check", "--exit-zero", "--format", "json", "--no-cache", "."], capsys)[1]
    assert "CL305" in plain  # whole-run findings too

    def encoded_in_the_main_process(*args):
        raise AssertionError("the main process encoded a row")

    monkeypatch.setattr(ResultCache, "store", encoded_in_the_main_process)
    args = ["check", "--exit-zero", "--format", "json", "--jobs", jobs, "--cache-dir", tmp_path / "cache", "."]
    assert run_cli(args, capsys)[1] == plain
    db = sqlite3.connect(tmp_path / "cache" / "results.sqlite")
    stored = db.execute(f"SELECT COUNT(*) FROM {_TABLE} WHERE {FILE_ROWS}").fetchone()[0]
    db.close()
    assert stored == 70
    # The rows the workers signed verify: the next run is served from them, and says so nothing.
    monkeypatch.setattr("contentlint.pipeline._worker_step", encoded_in_the_main_process)
    assert run_cli(args, capsys)[1:] == (plain, "")


def test_a_row_mac_frames_every_field():
    key = b"k" * 32
    base = row_mac(key, "./a.md", b"d" * 16, "1:2:3:4", "{}")
    variants = [
        row_mac(key, "./a.m", b"d" + b"d" * 16, "1:2:3:4", "{}"),  # a byte moved from the path to the digest
        row_mac(key, "./a.md", b"d" * 16, "1:2:3:4{", "}"),  # from the text to the stat
        row_mac(key, "./a.md", b"d" * 16, "", "1:2:3:4{}"),
        row_mac(key, "./a.md", b"d" * 16, None, "1:2:3:4{}"),  # NULL is not ""
        row_mac(key, "./a.md", b"d" * 16, None, "{}"),
        row_mac(key, "./a.md", b"d" * 16, "1:2:3:4", b"{}"),  # a BLOB is not the same TEXT
        row_mac(key, "./a.md", "d" * 16, "1:2:3:4", "{}"),
        row_mac(b"j" * 32, "./a.md", b"d" * 16, "1:2:3:4", "{}"),
        row_mac(row_key(key, _TABLE, "other setup"), "./a.md", b"d" * 16, "1:2:3:4", "{}"),
    ]
    assert len({base, *variants}) == len(variants) + 1 and None not in variants
    assert row_mac(key, "./a.md", b"d" * 16, 1234, "{}") is None  # an INTEGER: contentlint never writes one
    assert base == row_mac(key, "./a.md", b"d" * 16, "1:2:3:4", "{}")


def _setups_and_runs(cache) -> tuple[set, dict]:
    db = sqlite3.connect(cache / "results.sqlite")
    try:
        rows = db.execute(f"SELECT setup, path FROM {_TABLE}").fetchall()
    finally:
        db.close()
    runs: dict = {}
    for setup, path in rows:
        if path.startswith("\0run\0"):
            runs[setup] = runs.get(setup, 0) + 1
    return {setup for setup, _ in rows}, runs


def test_the_database_keeps_the_newest_setups_and_whole_runs(write, tmp_path, capsys, monkeypatch):
    """A new config, schema or rule selection is a new setup, and every set of
    files passed (pre-commit) a new whole-run row: the database keeps the
    SETUPS_KEPT newest setups and, per setup, the RUNS_KEPT newest runs,
    and the newest are still served."""
    from contentlint.cache import RUNS_KEPT, SETUPS_KEPT

    for i in range(RUNS_KEPT + 3):
        write(f"p{i:02d}.md", "---\na: 1\na: 2\n---\n")
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path)
    codes = [rule.code for rule in registry.all_rules() if rule.code.startswith(("CL1", "CL2", "CL3", "CL4"))]
    selections = [f"CL0,{code}" for code in codes[:SETUPS_KEPT + 2]]  # one setup each
    written = []  # each run's setup key, in order
    for select in selections:
        before = _setups_and_runs(cache)[0] if (cache / "results.sqlite").exists() else set()
        assert _json(capsys, "--select", select, "--cache-dir", cache, "p00.md")[0] == 1
        written += _setups_and_runs(cache)[0] - before
    assert len(set(written)) == len(selections)
    assert _setups_and_runs(cache)[0] == set(written[-SETUPS_KEPT:])  # the oldest two went
    # One whole-run row per set of files: the newest RUNS_KEPT of this setup stay.
    for i in range(RUNS_KEPT + 3):
        _json(capsys, "--select", "CL0", "--cache-dir", cache, f"p{i:02d}.md")
    setups, runs = _setups_and_runs(cache)
    assert len(setups) == SETUPS_KEPT and max(runs.values()) == RUNS_KEPT


def test_the_cache_is_written_without_fsync(tmp_path):
    """The cache is disposable (docs/performance.md, "Eighth round ... the end
    of a run"): SQLite syncs nothing, not even at the checkpoint of close."""
    cache = ResultCache(str(tmp_path / "cache"), "setup", secret=b"k" * 32)
    assert cache.db.execute("PRAGMA synchronous").fetchone() == (0,)  # OFF
    assert cache.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    cache.close()


def _torn(old: bytes, new: bytes, from_old: set[int], page: int) -> bytes:
    """``new`` with the pages numbered in ``from_old`` as they were in ``old``:
    what an OS crash can leave of a database written without fsync."""
    pages = [(old if i in from_old and i * page < len(old) else new)[i * page:(i + 1) * page]
             for i in range(len(new) // page)]
    return b"".join(pages)


def test_a_database_torn_by_a_crash_never_serves_a_wrong_result(write, tmp_path, capsys, monkeypatch):
    """Without fsync, an OS crash can leave any mix of a database's old and new
    pages. Each mix gives the findings of a run without the cache: SQLite
    finds the damage (rebuilt), a row's MAC or digest does not match (checked
    again), or the rows are whole and right for their content."""
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    for i in range(60):
        write(f"r{i:02d}.md", f"---\ntitle: Record {i}\ntitle: again\nlink: http://exa mple.com/{i}\n---\nBody {i}\n")
    args = ("--select", "CL0,CL1,CL3", "--jobs", "1", "--cache-dir", cache, ".")
    _json(capsys, *args)
    old = (cache / "results.sqlite").read_bytes()
    for i in range(0, 60, 2):  # other findings for half of the records
        write(f"r{i:02d}.md", f"---\ntitle: Record {i}\ndate: 2020-13-45\n---\nBody {i}\n")
    _json(capsys, "--select", "CL0,CL1", "--jobs", "1", "--cache-dir", cache, ".")  # another setup too
    _json(capsys, *args)
    new = (cache / "results.sqlite").read_bytes()
    assert not (cache / "results.sqlite-wal").exists()  # checkpointed at close
    expected = _json(capsys, *args[:-3], "--no-cache", ".")
    page = int.from_bytes(new[16:18], "big")
    count = len(new) // page
    assert count >= 6 and old != new[:len(old)]
    # Pages of one state within the other's (a sample: every third page), halves, every other page.
    mixes = [{i} for i in range(0, count, 3)] + [set(range(count)) - {i} for i in range(0, count, 3)]
    mixes += [set(range(0, count, 2)), set(range(1, count, 2)), set(range(count // 2))]
    warnings = set()
    for from_old in mixes:
        (cache / "results.sqlite").write_bytes(_torn(old, new, from_old, page))
        code, out, err = run_cli(["check", "--format", "json", *args], capsys)
        assert "Traceback" not in err
        assert (code, json.loads(out)) == expected, sorted(from_old)
        assert _json(capsys, *args) == expected, sorted(from_old)  # and the run after it
        warnings.add("rebuilding it" in err)
    assert warnings == {True, False}  # some mixes are found damaged, others are read


def test_planted_newer_setups_never_prune_this_runs_rows(write, tmp_path, capsys, monkeypatch):
    """Facts planted with rowids near 2**63 make every new row's rowid random
    (SQLite's fallback): the run's own setup may rank oldest, yet its rows stay
    and the next run is served (a planted row may drop other rows, never this run's)."""
    from contentlint.cache import _FACTS, SETUPS_KEPT

    write("a.md", "---\na: 1\na: 2\n---\n")
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path)
    args = ("--select", "CL0", "--cache-dir", cache, "a.md")
    _json(capsys, *args)
    db = sqlite3.connect(cache / "results.sqlite")
    top = 2**63 - 1
    db.executemany(f"INSERT INTO {_FACTS} (rowid, fact, mac) VALUES (?, ?, ?)",
                   [(top - i, f"setup planted{i}", b"x") for i in range(SETUPS_KEPT + 1)])
    db.commit()
    db.close()
    write("a.md", "---\nb: 1\nb: 2\n---\n")  # a write: the run prunes
    assert [f["code"] for f in _json(capsys, *args)[1]] == ["CL004"]
    _rewrite_message(cache, "served from the cache")
    assert [f["message"] for f in _json(capsys, *args)[1]] == ["served from the cache"]
