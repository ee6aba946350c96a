"""A cold `check` reads each walked file once (issue 17, docs/performance.md
"Eighth round: one read per file"): the walk keeps a file the result cache
cannot answer for as a candidate, unopened, and the worker, which reads it
in full anyway, decides whether it is a record. Non-records among the
candidates change nothing: not checked, not counted, no finding, no row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from contentlint import cache, engine
from tests.conftest import run_cli

RECORD = """---
title: "Record {n}"
webUrl: "https://example.com/{url}"
---
Body {n}.
"""
SUPPRESSED = """---
title: "Suppressed"
webUrl: "https://example.com/same"  # contentlint: ignore[CL305]
---
"""
# Walked files that are no records: never checked, whatever the walk reads of them.
NON_RECORDS = {
    "README.md": "# A site\n\nNot a record.\n",
    "news/LICENSE.txt": "MIT License\n",
    "news/partial.md": "Some text\n---\ntitle: no\n---\n",  # front matter not at the start
    "news/liquid.md": "{% include x.html %}\n",  # `{%` starts a template, not JSON
}
# Walked files that are records by their first bytes, broken ones included.
ODD_RECORDS = {
    "news/blank-first.md": "\n\n---\ntitle: late\n---\n",
    "news/toml.md": '+++\ntitle = "T"\n+++\n',
    "news/json.md": '{"title": "J"}\n',
}


def _project(tmp_path: Path, records: int = 6, fillers: int = 0) -> Path:
    project = tmp_path / "site"
    (project / "news").mkdir(parents=True)
    for n in range(records):  # two share a webUrl: CL305, a whole-run finding
        url = "same" if n < 2 else f"u{n}"
        (project / "news" / f"r{n:03}.md").write_text(RECORD.format(n=n, url=url) + ("bad: [" if n == 3 else ""),
                                                     encoding="utf-8")
    (project / "news" / "s.md").write_text(SUPPRESSED, encoding="utf-8")
    (project / "news" / "latin1.md").write_bytes(b"---\ncaf\xe9\n---\n")  # not UTF-8: a record (CL001 says so)
    (project / "news" / "licence.md").write_bytes(b"Copyright \xa9 2003\n")  # not UTF-8, no front matter: none
    for name, text in {**NON_RECORDS, **ODD_RECORDS}.items():
        (project / name).write_text(text, encoding="utf-8")
    for n in range(fillers):
        (project / "news" / f"note{n:03}.md").write_text(f"Note {n}, no front matter.\n", encoding="utf-8")
    return project


def _records(capsys) -> list[str]:
    """The records of the folder, as the walk decided before candidates
    (`--show-files` still reads each head in the main process)."""
    code, out, _ = run_cli(["check", "--show-files", "."], capsys)
    assert code == 0
    return out.splitlines()


def test_show_files_lists_the_records_only(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(_project(tmp_path))
    listed = _records(capsys)
    assert not {os.path.normpath(p) for p in listed} & {os.path.normpath(n) for n in NON_RECORDS}
    assert {os.path.normpath(n) for n in ODD_RECORDS} | {"news/latin1.md", "news/s.md"} <= set(
        os.path.normpath(p) for p in listed)
    assert "news/licence.md" not in {os.path.normpath(p) for p in listed}
    assert len(listed) == 6 + 1 + 1 + len(ODD_RECORDS)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", [["--format", "json"], ["--format", "sarif"], ["--statistics"], []])
def test_non_records_among_candidates_change_no_output(fmt, jobs, tmp_path, monkeypatch, capsys):
    # 64 files and more give two jobs a pool (parallel.MIN_FILES_PER_WORKER).
    monkeypatch.chdir(_project(tmp_path, records=40, fillers=40))
    records = _records(capsys)
    named = run_cli(["check", "--no-cache", "--jobs", jobs, *fmt, *records], capsys)
    walked = run_cli(["check", "--no-cache", "--jobs", jobs, *fmt, "."], capsys)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written just now: store their stat keys
    cold = run_cli(["check", "--cache-dir", tmp_path / "cache", "--jobs", jobs, *fmt, "."], capsys)
    warm = run_cli(["check", "--cache-dir", tmp_path / "cache", "--jobs", jobs, *fmt, "."], capsys)
    assert walked == named and cold == named and warm == named
    assert named[0] == 1 and "Traceback" not in named[2]
    if not fmt:
        assert f"({len(records)} checked)" in named[1]
    if fmt == ["--format", "json"]:
        codes = Counter(f["code"] for f in json.loads(named[1]))
        assert codes["CL305"] == 2 and codes["CL001"] == 1 and codes["CL009"] == 0


def test_shards_merged_equal_a_walk_with_non_records(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(_project(tmp_path))
    single = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    shards = []
    for k in (1, 2):
        out = tmp_path / f"shard-{k}.json"
        code, _, err = run_cli(["check", "--no-cache", "--shard", f"{k}/2", "-o", out, "."], capsys)
        assert code in (0, 1), err
        shards.append(out)
    totals = {json.loads(p.read_text())["total"] for p in shards}
    assert totals == {len(_records(capsys))}
    code, merged, err = run_cli(["merge", "--format", "json", *shards], capsys)
    assert (code, merged) == single[:2], err


def test_a_new_record_beside_a_non_record_is_checked_on_a_warm_run(tmp_path, monkeypatch, capsys):
    # The warm run decides the files never stored (README.md, the new record)
    # by their heads so that it may be served whole; the new one must be linted.
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    run_cli(["check", "--cache-dir", tmp_path / "cache", "."], capsys)
    (project / "news" / "new.md").write_text(RECORD.format(n=99, url="same"), encoding="utf-8")  # CL305 x3
    again = run_cli(["check", "--cache-dir", tmp_path / "cache", "--format", "json", "."], capsys)
    plain = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    assert again == plain
    assert sorted(f["path"] for f in json.loads(plain[1]) if f["code"] == "CL305") == [
        "./news/new.md", "./news/r000.md", "./news/r001.md"]


def test_files_no_record_reads_in_full_are_decided_as_the_walk_did(tmp_path, monkeypatch, capsys):
    # Over the size limit, the step's read yields no bytes: its head decides.
    # A FIFO named like a record is one (CL008), and never blocks the run.
    project = _project(tmp_path)
    big = b"x" * (engine.MAX_FILE_BYTES + 1)
    (project / "news" / "big-text.md").write_bytes(big)
    (project / "news" / "big-record.md").write_bytes(b"---\n" + big)
    fifo = hasattr(os, "mkfifo")
    if fifo:
        os.mkfifo(project / "news" / "pipe.md")
    monkeypatch.chdir(project)
    records = _records(capsys)
    assert "./news/big-record.md" in records and "./news/big-text.md" not in records
    assert ("./news/pipe.md" in records) is fifo
    walked = run_cli(["check", "--no-cache", "--format", "json", "."], capsys)
    assert walked == run_cli(["check", "--no-cache", "--format", "json", *records], capsys)
    unreadable = sorted(f["path"] for f in json.loads(walked[1]) if f["code"] == "CL008")
    assert unreadable == ["./news/big-record.md"] + (["./news/pipe.md"] if fifo else [])


# Runs `check` in a fresh interpreter and counts the opens of the project's files.
_PROBE = r"""
import json, os, sys
project = os.path.realpath(sys.argv[1])
opened = []

def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        path = os.path.realpath(args[0])
        if path.startswith(project + os.sep) and path.endswith((".md", ".txt")):
            opened.append(os.path.relpath(path, project))

sys.addaudithook(hook)
os.chdir(project)
from contentlint.cli import main
command, *options = sys.argv[2:]
main([command, *options, "."])
sys.stdout.flush()
print(json.dumps(opened), file=sys.stderr)
"""


def _opens(project: Path, *args, command: tuple = ("check", "--exit-zero", "--format", "json")) -> tuple[str, Counter]:
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))}
    done = subprocess.run([sys.executable, "-c", _PROBE, str(project), *command, *map(str, args)],
                          capture_output=True, text=True, check=True, env=env)
    return done.stdout, Counter(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("cached", [False, True])
def test_each_walked_file_is_opened_once_on_a_cold_run(cached, tmp_path):
    project = _project(tmp_path)
    walked = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    options = ["--cache-dir", tmp_path / "cache"] if cached else ["--no-cache"]
    out, opened = _opens(project, "--jobs", "1", *options)
    assert opened == Counter(walked)  # records and non-records alike: once each
    assert out == _opens(project, "--jobs", "1", "--no-cache")[0]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_opens_each_walked_file_once(jobs, tmp_path, monkeypatch, capsys):
    # `fix` decides candidates as `check` does: the walk opens none of them
    # (with a pool the main process opens nothing), the step reads each once,
    # and a non-record is neither fixed nor shown.
    project = _project(tmp_path, records=40, fillers=40)
    (project / "news" / "r010.md").write_text(RECORD.format(n="10 ", url="u10"), encoding="utf-8")  # CL203, fixable
    walked = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    out, opened = _opens(project, "--jobs", jobs, command=("fix", "--diff"))
    assert opened == (Counter(walked) if jobs == "1" else Counter())
    monkeypatch.chdir(project)
    records = _records(capsys)
    named = run_cli(["fix", "--diff", "--jobs", jobs, *records], capsys)
    assert "r010.md" in named[1] and '+title: "Record 10"' in named[1]
    assert out == named[1]


def test_the_main_process_opens_no_walked_file_before_a_pool_lints_them(tmp_path):
    # With two workers the decision is theirs: the parent's walk reads nothing.
    project = _project(tmp_path, records=40, fillers=40)
    _, opened = _opens(project, "--jobs", "2", "--no-cache")
    assert opened == Counter()


@pytest.mark.parametrize("order", ["named first", "walked first"])
def test_a_file_named_and_walked_is_checked_whatever_it_holds(order, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(_project(tmp_path))
    args = ["./README.md", "."] if order == "named first" else [".", "./README.md"]
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", *args], capsys)
    assert "./README.md" in {f["path"] for f in json.loads(out)}, err
    _, summary, _ = run_cli(["check", "--no-cache", *args], capsys)
    assert f"({len(_records(capsys)) + 1} checked)" in summary
