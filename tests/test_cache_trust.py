"""The cache folder is data from the checkout, never code, and never trusted blindly (issue 12).

Whatever a pull request commits to `.contentlint_cache/` (a Python module,
a pickle payload, a crafted or damaged database), the findings are those of
a run without the cache, nothing from the folder runs, and a damaged cache
costs one warning and is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from contentlint import engine, registry
from contentlint.cache import code_identity, decode, encode, installed_code_identity, setup_key, stat_key
from contentlint.config import Settings
from contentlint.schema import default_schema_path
from tests.conftest import REPO, SEEDS, run_cli

WARNING = "contentlint: warning: ignoring damaged cache"
RULES = {r.code: r for r in registry.all_rules()}
# An invalid record: schema findings (CL1), a duplicate key (CL0), a safe fix (CL203).
RECORD = '---\ntitle: 5\ncategory: news\ncategory: news\nexcerpt: " x "\n---\n'
# Two records of the same article, the second with a suppression kept for the whole-run rule.
DUPLICATE = '---\ntitle: "T"\nwebUrl: "https://example.com/a/"\n---\n'
SUPPRESSED = '---\ntitle: "T"  # contentlint: ignore[CL305, CL2]\nwebUrl: "https://example.com/a/"\n---\n'


def _check(capsys, *args) -> tuple[list[dict], str]:
    code, out, err = run_cli(["check", "--format", "json", *args], capsys)
    assert "Traceback" not in err and code in (0, 1)
    return json.loads(out), err


@pytest.fixture
def project(tmp_path, write, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("a.md", RECORD)
    write("b.md", DUPLICATE)
    write("c.md", SUPPRESSED)
    return tmp_path


def _rows(cache: Path) -> dict[str, str]:
    db = sqlite3.connect(cache / "results.sqlite")
    try:
        return dict(db.execute("SELECT path, result FROM results_v3"))
    finally:
        db.close()


def test_a_module_left_in_the_cache_folder_never_runs(project, capsys):
    plain, _ = _check(capsys, "--no-cache", ".")
    assert {f["code"] for f in plain} >= {"CL004", "CL102"}
    cache = project / ".contentlint_cache"
    cache.mkdir()
    marker = project / "pwned"
    # What earlier versions imported: schema_<sha256 of the schema>.py. This one
    # would leave a marker and call every record valid.
    key = hashlib.sha256(Path(default_schema_path()).read_bytes()).hexdigest()[:24]
    crafted = f"open({str(marker)!r}, 'w').close()\ndef validate(data, custom_formats=None):\n    return data\n"
    for name in (f"schema_{key}.py", "schema_x.py", "__init__.py", "results.py"):
        (cache / name).write_text(crafted)
    for _ in range(2):  # cold and warm
        found, err = _check(capsys, ".")
        assert found == plain and WARNING not in err
    assert not marker.exists()
    # Nothing but the database is written there (no generated code).
    written = set(os.listdir(cache)) - {"schema_x.py", "__init__.py", "results.py", f"schema_{key}.py"}
    assert written <= {".gitignore", "results.sqlite", "results.sqlite-wal", "results.sqlite-shm"}


class _Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):  # unpickling it calls open(marker, "w")
        return open, (self.marker, "w")


def test_a_pickle_payload_row_never_runs_and_is_replaced(project, capsys):
    plain, _ = _check(capsys, "--no-cache", ".")
    cache = project / ".contentlint_cache"
    assert _check(capsys, ".")[0] == plain
    marker = project / "pwned"
    db = sqlite3.connect(cache / "results.sqlite")
    db.execute("UPDATE results_v3 SET result = ? WHERE path = './a.md'", (pickle.dumps(_Payload(str(marker))),))
    db.commit()
    db.close()
    found, err = _check(capsys, ".")
    assert found == plain and not marker.exists()
    assert err.count(WARNING) == 1 and "./a.md" in err
    # The row was computed again and stored as data: the next run is clean.
    assert decode("./a.md", _rows(cache)["./a.md"], len(RECORD), RULES) is not None
    assert _check(capsys, ".") == (plain, "")


def _crafted_layout(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE results_v3 (setup TEXT, path TEXT, digest BLOB, stat TEXT, result TEXT)")
    db.execute("CREATE TRIGGER t AFTER INSERT ON results_v3 BEGIN DELETE FROM results_v3; END")
    db.commit()
    db.close()


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


DAMAGE = {
    "random bytes": lambda path: path.write_bytes(os.urandom(10_000)),
    "text file": lambda path: path.write_text("this is not a database\n"),
    "bad pages": lambda path: path.write_bytes(b"SQLite format 3\0" + b"\xff" * 200),
    "truncated": _truncated,
    "directory": lambda path: (path.unlink(), (path / "x").mkdir(parents=True)),
    "symlink": lambda path: (path.unlink(), path.symlink_to(path.parent.parent / "b.md")),
    "other layout": lambda path: (path.unlink(), _crafted_layout(path)),
    "symlinked journal": lambda path: Path(f"{path}-wal").symlink_to(path.parent.parent / "b.md"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_database_is_one_warning_and_rebuilt(project, write, capsys, damage):
    for n in range(60):  # enough rows for the database to span several pages
        write(f"more/{n:02d}.md", RECORD.replace("title: 5", f"title: {n}"))
    plain, _ = _check(capsys, "--no-cache", ".")
    cache = project / ".contentlint_cache"
    assert _check(capsys, ".")[0] == plain
    before = (project / "b.md").read_bytes()
    DAMAGE[damage](cache / "results.sqlite")
    found, err = _check(capsys, ".")
    assert found == plain
    assert err.count(WARNING) == 1, err
    # Rebuilt: a plain database with every file's row, and a quiet warm run.
    assert (cache / "results.sqlite").is_file() and not (cache / "results.sqlite").is_symlink()
    assert len(_rows(cache)) == 63
    assert _check(capsys, ".") == (plain, "")
    assert (project / "b.md").read_bytes() == before  # a symlink's target is never written


def _stored(path: str, raw: bytes):
    settings = Settings()
    rules = engine.enabled_rules(settings)
    result = engine.lint_bytes(path, raw, rules, engine.Context(settings))[1]
    return result, {r.code: r for r in rules}


def test_rows_round_trip_with_fixes_facts_and_suppressions():
    result, rules = _stored("./c.md", SUPPRESSED.encode())
    assert result.facts["CL305"] is not None and result.suppressions
    a, _ = _stored("./a.md", RECORD.encode())
    assert any(d.fix is not None and d.fix_edits for d in a.diagnostics)
    for name in sorted(os.listdir(SEEDS))[:40]:
        raw = (SEEDS / name).read_bytes()
        seed, _ = _stored(f"./{name}", raw)
        assert decode(f"./{name}", encode(seed), len(raw), rules) == seed
    for stored, raw in ((result, SUPPRESSED), (a, RECORD)):
        back = decode(stored.path, encode(stored), len(raw), rules)
        assert back == stored
        assert [d.fix_edits for d in back.diagnostics] == [d.fix_edits for d in stored.diagnostics]


def _mutations(row: dict):
    """Copies of an encoded row, each with one field made wrong."""
    diagnostic = next(d for d in row["d"] if d[4] is not None)  # one with a fix
    suppression = row["s"][0]
    for index, bad in ((0, "CL999"), (0, 5), (1, [0, 1]), (1, [1, 10**9]), (1, [True, 1]), (2, [1]),
                       (3, None), (3, 7), (4, ["m", 9, []]), (4, ["m", 2, [[5, 1, "x"]]]), (5, [[[1, 1], [1, 1], 3]]),
                       (5, "x")):
        yield {**row, "d": [[*diagnostic[:index], bad, *diagnostic[index + 1:]]]}
    yield {**row, "d": [[*diagnostic[:1], [3, 1], [2, 1], *diagnostic[3:]]]}  # ends before it starts
    yield {**row, "f": {"CL305": [1, 2, 3]}}
    yield {**row, "f": {"CL305": [-1, 0, 1, 1, 1, 1]}}
    yield {**row, "f": {"CL305": [1.5, 0, 1, 1, 1, 1]}}
    yield {**row, "f": {"CL004": None}}
    for index, bad in ((0, 1), (1, "CL305"), (1, [3]), (2, 0), (3, [5, 2]), (4, [0, 10**6]),
                       (5, []), (6, ["CL1"])):
        yield {**row, "s": [[*suppression[:index], bad, *suppression[index + 1:]]]}
    yield {**row, "x": 1}
    yield [row]


def test_a_crafted_row_is_a_miss():
    raw = (RECORD.rstrip("-\n") + '\nwebUrl: "https://example.com/a/"  # contentlint: ignore[CL305]\n---\n').encode()
    result, rules = _stored("./a.md", raw)
    row = json.loads(encode(result))
    assert row["f"]["CL305"] and row["s"] and any(d[4] is not None for d in row["d"])
    assert decode("./a.md", json.dumps(row), len(raw), rules) == result
    for bad in _mutations(row):
        assert decode("./a.md", json.dumps(bad), len(raw), rules) is None, bad
    for text in (b"{}", None, 7, "", "{", "[" * 100_000 + "]" * 100_000, json.dumps(row).replace('"CL004"', '"CL004x"')):
        assert decode("./a.md", text, len(raw), rules) is None
    # Codes of rules this run does not have are unknown here.
    assert decode("./a.md", json.dumps(row), len(raw), {c: r for c, r in rules.items() if c != "CL004"}) is None
    # Positions lie within the file: not if it is smaller than the row claims.
    assert decode("./a.md", json.dumps(row), 10, rules) is None


def test_a_same_size_edit_with_a_restored_mtime_is_checked_again(project, capsys):
    cache = project / ".contentlint_cache"
    path = project / "a.md"
    old = 1_600_000_000 * 10**9
    os.utime(path, ns=(old, old))
    first, _ = _check(capsys, "--select", "CL0", ".")
    assert [f["message"].split(":")[0] for f in first] == ["duplicate key `category`"]
    # As if the run had been long after the last write: the row trusts the file's stat.
    db = sqlite3.connect(cache / "results.sqlite")
    db.execute("UPDATE results_v3 SET stat = ? WHERE path = './a.md'", (stat_key(os.stat(path)),))
    db.commit()
    db.close()
    # Same size, other content, the old mtime put back (`cp -p`, `touch -d`).
    edited = RECORD.replace("category: news\ncategory", "category: news\nkategory")
    assert len(edited) == len(RECORD)
    path.write_text(edited)
    os.utime(path, ns=(old, old))
    again, _ = _check(capsys, "--select", "CL0", ".")
    assert again == []


def test_the_tool_code_is_part_of_the_setup_key(tmp_path):
    package = tmp_path / "contentlint"
    shutil.copytree(REPO / "contentlint", package, ignore=shutil.ignore_patterns("__pycache__"))
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    before = code_identity(str(package), str(schemas))
    assert code_identity(str(package), str(schemas)) == before
    # A message changed without a version bump, same size, the mtime put back.
    source = package / "model.py"
    info = os.stat(source)
    text = source.read_text()
    assert "Severity" in text
    source.write_text(text.replace("Severity", "Sevurity", 1))  # same size, other bytes
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))
    changed = code_identity(str(package), str(schemas))
    assert changed != before
    # A changed shipped schema too.
    schema = schemas / "article.schema.json"
    schema.write_text(schema.read_text() + " ")
    assert code_identity(str(package), str(schemas)) not in (before, changed)
    settings = Settings()
    assert setup_key(settings, ["CL004"], None, before) != setup_key(settings, ["CL004"], None, changed)
    assert setup_key(settings, ["CL004"], None) == setup_key(settings, ["CL004"], None, installed_code_identity())
    assert installed_code_identity() == code_identity(str(REPO / "contentlint"), str(REPO / "schemas"))


def test_the_package_loads_no_code_by_name_or_from_data():
    # The repository hook's grep: no import by name, unpickling, exec or eval in contentlint/.
    pattern = re.compile(r"pickle\.loads?|import_module|exec\(|eval\(|spec_from_file_location")
    hits = [f"{path}:{n}" for path in sorted((REPO / "contentlint").rglob("*.py"))
            for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert hits == []
