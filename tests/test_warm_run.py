"""A warm run (nothing changed, the cache filled) is served by the cache whole.

It imports neither the engine, the rules nor any YAML or schema code, opens
no record, and reports the same bytes as a run without the cache. A file
whose stat changed but whose content did not is read once, then its new
stat key stands for it (issue 17, the warm run).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from contentlint.commands import SCHEMA_NOTE
from contentlint import cache, engine, pipeline
from contentlint.validation import default_schema_path
from tests.conftest import REPO, run_cli

HEAVY = ("contentlint.document", "contentlint.engine", "yaml", "fastjsonschema", "jsonschema")

VALID = """---
title: "Record {n}"
webUrl: "https://example.com/{url}"
---
Body.
"""
# A suppression of the whole-run rule: its CL009 verdict comes from the whole-run stage.
SUPPRESSED = """---
title: "Record s"  # contentlint: ignore[CL305]
webUrl: "https://example.com/unique"
---
"""

# Runs `check` in a fresh interpreter, listing the opens of the project's
# Markdown files (ignore files are looked for in every folder walked) and
# the modules it imported.
_PROBE = r"""
import json, os, sys
project, cache_dir = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
opened = []

def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        path = os.path.realpath(args[0])
        if path.startswith(project + os.sep) and path.endswith(".md"):
            opened.append(os.path.relpath(path, project))

sys.addaudithook(hook)
os.chdir(project)
from contentlint.cli import main
code = main(["check", "--exit-zero", "--format", "json", "--cache-dir", cache_dir, *sys.argv[3:], "."])
sys.stdout.flush()
print(json.dumps({"opened": opened, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _probe(project: Path, cache_dir: Path, *options: str) -> tuple[str, list[str], set[str]]:
    # The probe imports the contentlint this test imported (a checkout's, or
    # the installed one): its code is part of the cache's setup key.
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))}
    done = subprocess.run([sys.executable, "-c", _PROBE, str(project), str(cache_dir), *options],
                          capture_output=True, text=True, check=True, cwd=REPO, env=env)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, report["opened"], set(report["modules"])


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "site"
    (project / "news").mkdir(parents=True)
    (project / "news" / "a.md").write_text(VALID.format(n=1, url="same"), encoding="utf-8")
    (project / "news" / "b.md").write_text(VALID.format(n=2, url="same"), encoding="utf-8")  # CL305 with a.md
    (project / "news" / "c.md").write_text(VALID.format(n=3, url="other") + "bad: [", encoding="utf-8")
    (project / "news" / "s.md").write_text(SUPPRESSED, encoding="utf-8")
    (project / "README.md").write_text("# Not a record\n", encoding="utf-8")
    # Another tool's settings: the walk for a config file reads it and finds no [tool.contentlint].
    (project / "pyproject.toml").write_text('[project]\nname = "site"\n\n[tool.black]\nline-length = 99\n',
                                            encoding="utf-8")
    return project


def _plain(project: Path) -> str:
    return subprocess.run([sys.executable, "-m", "contentlint", "check", "--exit-zero", "--format", "json",
                           "--no-cache", "."], capture_output=True, text=True, check=True, cwd=project).stdout


def test_a_warm_run_imports_no_rule_engine_or_schema_code_and_opens_no_record(tmp_path, capsys, monkeypatch):
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    plain = _plain(project)
    codes = sorted(f["code"] for f in json.loads(plain))
    assert "CL305" in codes and "CL009" in codes  # the whole-run stage has something to say
    monkeypatch.chdir(project)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written just now: store their stat keys
    cold = run_cli(["check", "--exit-zero", "--format", "json", "--cache-dir", cache_dir, "."], capsys)[1]
    assert cold == plain
    warm, opened, modules = _probe(project, cache_dir)
    assert warm == plain
    # No record is opened, not even its head for discovery; README.md, no
    # record and so never stored, has its head read to know that again.
    assert opened == ["README.md"]
    assert not [m for m in modules if m in HEAVY or m.startswith(("contentlint.rules", "yaml."))], modules
    # Nor what only creating the key or a temporary file needs (cache._create_key, discover.temp_name),
    # nor the kinds' module in a project without kinds.
    assert not modules & {"secrets", "tempfile", "contentlint.kinds"}, modules
    # Nor hashlib or hmac, which load OpenSSL's binding (~3 ms): the cache hashes and
    # verifies with BLAKE2 alone, and the reports that fingerprint import hashlib themselves.
    assert not modules & {"hashlib", "hmac", "_hashlib"}, modules
    # Nor the whole-run stage: its findings are stored.
    assert "contentlint.wholerun" not in modules, modules
    # Nor dataclasses (with inspect, ast, dis): no class on the path is one; nor tomllib, as
    # the project's pyproject.toml does not hold the bytes of `contentlint` (docs/performance.md).
    assert not modules & {"dataclasses", "inspect", "ast", "dis", "tomllib"}, modules


def test_a_warm_run_with_a_baseline_reads_no_record_for_its_keys(tmp_path, capsys, monkeypatch):
    # The findings' key parts are stored with them (and the whole-run ones'
    # with the run): the baseline filter needs neither the parser nor a read.
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    monkeypatch.chdir(project)
    run_cli(["check", "--no-cache", "--write-baseline", "base.json", "."], capsys)
    record = VALID.format(n=1, url="same").replace("---\nBody", 'excerpt: "Tom &amp; Jerry"\n---\nBody')
    (project / "news" / "a.md").write_text(record, encoding="utf-8")  # a new CL201, the other findings kept
    plain = run_cli(["check", "--exit-zero", "--format", "json", "--no-cache", "--baseline", "base.json", "."],
                    capsys)[1]
    assert [f["code"] for f in json.loads(plain)] == ["CL201"]
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files were written just now: store their stat keys
    cold = run_cli(["check", "--exit-zero", "--format", "json", "--cache-dir", cache_dir, "--baseline", "base.json",
                    "."], capsys)[1]
    warm, opened, modules = _probe(project, cache_dir, "--baseline", "base.json")
    assert cold == warm == plain
    assert opened == ["README.md"]
    assert not modules & {"contentlint.engine", "contentlint.document", "contentlint.wholerun", "yaml",
                          "dataclasses", "hashlib", "tempfile"}, modules


def test_a_file_named_once_is_not_taken_for_a_record_by_the_walk(tmp_path, capsys, monkeypatch):
    # README.md has no front matter: checked when named, never when walked.
    # Its row has no stat key, so the walk reads its head instead of trusting the row.
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    monkeypatch.chdir(project)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # stat keys of files written just now are stored
    run_cli(["check", "--exit-zero", "--cache-dir", cache_dir, "README.md"], capsys)
    _, out, _ = run_cli(["check", "--exit-zero", "--cache-dir", cache_dir, "."], capsys)
    _, plain, _ = run_cli(["check", "--exit-zero", "--no-cache", "."], capsys)
    assert out == plain and "(4 checked)" in out
    _, files, _ = run_cli(["check", "--show-files", "."], capsys)
    assert "README.md" not in files


def _stored_stat(cache_dir: Path, path: str):
    db = sqlite3.connect(cache_dir / cache.DB_NAME)
    try:
        return db.execute(f"SELECT stat FROM {cache._TABLE} WHERE path = ?", (path,)).fetchone()[0]
    finally:
        db.close()


def test_a_touched_unchanged_file_gets_its_stat_key_stored_and_is_not_read_again(tmp_path, capsys, monkeypatch):
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    monkeypatch.chdir(project)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    args = ["check", "--exit-zero", "--cache-dir", cache_dir, "."]
    first = run_cli(args, capsys)[1]
    target = os.path.join(".", "news", "a.md")
    before = _stored_stat(cache_dir, target)
    assert before == cache.stat_key(os.stat(target))
    os.utime(target, ns=(10**18, 10**18))  # a checkout that rewrote the same bytes: new mtime and ctime
    assert run_cli(args, capsys)[1] == first  # read again, digest unchanged
    after = _stored_stat(cache_dir, target)
    assert after != before and after == cache.stat_key(os.stat(target))
    warm, opened, _ = _probe(project, cache_dir)
    assert opened == ["README.md"] and json.loads(warm) == json.loads(_plain(project))


def test_a_changed_file_is_not_served_the_stored_whole_run_findings(tmp_path, capsys, monkeypatch):
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    monkeypatch.chdir(project)
    args = ["check", "--exit-zero", "--format", "json", "--cache-dir", cache_dir, "."]
    before = [(f["path"], f["code"]) for f in json.loads(run_cli(args, capsys)[1]) if f["code"] == "CL305"]
    assert before == [("./news/a.md", "CL305"), ("./news/b.md", "CL305")]
    (project / "news" / "b.md").write_text(VALID.format(n=2, url="elsewhere"), encoding="utf-8")
    after = json.loads(run_cli(args, capsys)[1])
    assert [f for f in after if f["code"] == "CL305"] == []
    assert after == json.loads(_plain(project))


def test_a_whole_run_row_that_does_not_read_back_is_one_warning_and_a_full_run(tmp_path, capsys, monkeypatch):
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    monkeypatch.chdir(project)
    args = ["check", "--exit-zero", "--cache-dir", cache_dir, "."]
    first = run_cli(args, capsys)[1]
    db = sqlite3.connect(cache_dir / cache.DB_NAME)
    setup, path, file_digest = db.execute(
        f"SELECT setup, path, digest FROM {cache._TABLE} WHERE hex(path) LIKE '00%'").fetchone()
    # Signed with this machine's key, but naming a file that is not in the run.
    text = json.dumps({"r": [["CL305", "duplicate-article", 2]],
                       "l": [["/etc/passwd", "CL305", [1, 1], [1, 2], "forged", None, []]]})
    key = cache.row_key(cache.machine_key(str(project)), cache._TABLE, setup)
    mac = cache.row_mac(key, path, file_digest, None, text)
    db.execute(f"UPDATE {cache._TABLE} SET result = ?, mac = ? WHERE path = ?", (text, mac, path))
    db.commit()
    db.close()
    code, out, err = run_cli(args, capsys)
    assert out == first and "forged" not in out
    assert err.count("ignoring damaged cache") == 1, err


def test_what_the_cache_repeats_of_other_modules_agrees_with_them():
    assert cache.MAX_HASHED_BYTES == engine.MAX_FILE_BYTES
    assert pipeline.INTERNAL_ERROR == engine.INTERNAL_ERROR
    assert cache.shipped_schema_folder() == os.path.dirname(os.path.abspath(default_schema_path()))


def test_a_file_name_that_is_not_utf8_is_checked_every_run_without_a_traceback(tmp_path, capsys, monkeypatch):
    # SQLite takes only UTF-8 text: such a path is never cached (it was a
    # UnicodeEncodeError traceback with the cache on, folder named or walked).
    folder = os.path.join(os.fsencode(tmp_path), b"d\xff")
    try:
        os.mkdir(folder)
    except OSError:  # a file system that wants UTF-8 names
        return
    with open(os.path.join(folder, b"a.md"), "w", encoding="utf-8") as handle:
        handle.write(VALID.format(n=1, url="x"))
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"d\xff")
    _, plain, _ = run_cli(["check", "--exit-zero", "--no-cache", "."], capsys)
    for args in ([name], ["."], ["."], [os.path.join(name, "a.md")]):
        code, out, err = run_cli(["check", "--exit-zero", "--cache-dir", tmp_path / "cache", *args], capsys)
        assert code == 0 and err == SCHEMA_NOTE + "\n" and "in 1 file (1 checked)" in out, (args, out, err)
    assert run_cli(["check", "--exit-zero", "--cache-dir", tmp_path / "cache", "."], capsys)[1] == plain


def test_with_kinds_a_claimed_file_without_front_matter_is_not_read_again(tmp_path, capsys, monkeypatch):
    """With kinds, globs decide what is a record (no head is read), so the
    stat key of a claimed file stands even when its text is no record (CL002)."""
    project, cache_dir = _project(tmp_path), tmp_path / "cache"
    (project / "contentlint.toml").write_text('[[kinds]]\nname = "news"\ninclude = ["news/*.md", "README.md"]\n')
    monkeypatch.chdir(project)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    cold = run_cli(["check", "--exit-zero", "--format", "json", "--cache-dir", cache_dir, "."], capsys)[1]
    assert ("./README.md", "CL002") in {(f["path"], f["code"]) for f in json.loads(cold)}
    warm, opened, _ = _probe(project, cache_dir)
    assert opened == [] and warm == cold


_EXIT_PROBE = r"""
import atexit, gc, os, sys
# Registered first, so run last of the exit hooks: what is frozen when the interpreter's
# final collection comes.
atexit.register(lambda: print(f"more frozen at exit: {gc.get_freeze_count() > imported}", file=sys.stderr))
os.chdir(sys.argv[1])
from contentlint.cli import main
imported = gc.get_freeze_count()  # the command line's own modules (cli freezes them once imported)
code = main(["check", "--exit-zero", "--no-cache", "."])
print(f"more frozen after check: {gc.get_freeze_count() > imported}", file=sys.stderr)
sys.exit(code)
"""


def test_check_skips_the_interpreters_final_collection_and_leaves_the_objects_collectable_until_exit(tmp_path):
    # CPython's last full collection at exit walks every object still alive (~10 ms of a warm
    # run); `check` freezes them in an exit hook instead, and only then.
    project = _project(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))}
    done = subprocess.run([sys.executable, "-c", _EXIT_PROBE, str(project)], capture_output=True, text=True,
                          cwd=REPO, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-2:] == ["more frozen after check: False", "more frozen at exit: True"]
    assert "./news/c.md" in done.stdout and "(4 checked)" in done.stdout  # the report is whole
