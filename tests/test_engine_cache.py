"""Parallel workers and the result cache give exactly the findings of a plain run."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import time
from dataclasses import replace

from tests.conftest import CORPUS, needs_corpus, run_cli


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
    db = sqlite3.connect(cache / "results.sqlite")
    (blob,) = db.execute("SELECT result FROM results_v2").fetchone()
    result = pickle.loads(blob)
    result.diagnostics = [replace(result.diagnostics[0], message="served from the cache")]
    db.execute("UPDATE results_v2 SET result = ?", (pickle.dumps(result),))
    db.commit()
    db.close()
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


def test_broken_cache_file_only_costs_speed(write, tmp_path, capsys, monkeypatch):
    write("a.md", "---\na: 1\na: 2\n---\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "results.sqlite").write_bytes(b"this is not a database")
    monkeypatch.chdir(tmp_path)
    code, result = _json(capsys, "--select", "CL0", "--cache-dir", cache, ".")
    assert code == 1 and [f["code"] for f in result] == ["CL004"]
    shutil.rmtree(cache)


def test_unchanged_stat_stands_for_the_digest_outside_the_racy_window(write, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    old, recent = time.time_ns() - 10**10, time.time_ns()
    for name, when in (("old.md", old), ("new.md", recent)):
        os.utime(write(name, "---\na: 1\na: 2\n---\n"), ns=(when, when))
    first = _json(capsys, "--select", "CL0", "--cache-dir", cache, ".")[1]
    assert [f["message"].split(":")[0] for f in first] == ["duplicate key `a`"] * 2
    # Same size, mtime and inode, other content (as after `touch -d`): like git's
    # index, the stat of a file older than the racy window spares reading it...
    for name, when in (("old.md", old), ("new.md", recent)):
        path = tmp_path / name
        path.write_text("---\nb: 1\nb: 2\n---\n")
        os.utime(path, ns=(when, when))
    found = {f["path"]: f["message"].split(":")[0]
             for f in _json(capsys, "--select", "CL0", "--cache-dir", cache, ".")[1]}
    # ...while a file written within 2 s of its reading is read and hashed again.
    assert found == {"./old.md": "duplicate key `a`", "./new.md": "duplicate key `b`"}
