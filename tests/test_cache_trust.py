"""The cache folder is data from the checkout, never code, and never trusted blindly (issue 12).

Whatever a pull request commits to `.contentlint_cache/` (a Python module,
a pickle payload, a crafted, forged or damaged database, a symlink), the
findings are those of a run without the cache, nothing from the folder runs,
and a damaged or foreign cache costs one warning and is rebuilt. Rows are
signed with a key that lives on the machine, outside the checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from contentlint import engine, registry
from contentlint.cache import (_TABLE, KEY_SIZE, code_identity, decode, encode, installed_code_identity,
                               mac as fact_mac, machine_key, row_key, row_mac, setup_key, sign, stat_key)
from contentlint.config import Settings
from contentlint.validation import default_schema_path
from tests.conftest import REPO, SEEDS, run_cli

WARNING = "contentlint: warning: ignoring damaged cache"
FOREIGN = "contentlint: warning: ignoring cache written elsewhere"
RULES = {r.code: r for r in registry.all_rules()}
# An invalid record: schema findings (CL1), a duplicate key (CL0), a safe fix (CL203).
RECORD = '---\ntitle: 5\ncategory: news\ncategory: news\nexcerpt: " x "\n---\n'
# Two records of the same article, the second with a suppression kept for the whole-run rule.
DUPLICATE = '---\ntitle: "T"\nwebUrl: "https://example.com/a/"\n---\n'
SUPPRESSED = '---\ntitle: "T"  # contentlint: ignore[CL305, CL2]\nwebUrl: "https://example.com/a/"\n---\n'

# The rows of files (a whole-run row's path starts with NUL: cache._run_slot).
FILE_ROWS = "hex(path) NOT LIKE '00%'"


def _check(capsys, *args) -> tuple[list[dict], str]:
    code, out, err = run_cli(["check", "--format", "json", *args], capsys)
    assert "Traceback" not in err and code in (0, 1)
    return json.loads(out), err


@pytest.fixture(autouse=True)
def key_file(tmp_path_factory, monkeypatch) -> Path:
    """This machine's key file, outside the checkout (tmp_path)."""
    path = tmp_path_factory.mktemp("machine") / "key"
    monkeypatch.setenv("CONTENTLINT_CACHE_KEY_FILE", str(path))
    return path


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
        return dict(db.execute(f"SELECT path, result FROM results_v6 WHERE {FILE_ROWS}"))
    finally:
        db.close()


def _rewrite(cache: Path, path: str, key: bytes | None, **columns) -> None:
    """Set a stored row's ``columns`` and sign it the way contentlint does, with
    ``key`` (None: leave the MAC out)."""
    db = sqlite3.connect(cache / "results.sqlite")
    setup, *stored = db.execute("SELECT setup, digest, stat, result FROM results_v6 WHERE path = ?",
                                (path,)).fetchone()
    row = dict(zip(("digest", "stat", "result"), stored), **columns)
    signer = None if key is None else row_key(key, _TABLE, setup)
    mac = None if signer is None else row_mac(signer, path, row["digest"], row["stat"], row["result"])
    db.execute("UPDATE results_v6 SET digest = ?, stat = ?, result = ?, mac = ? WHERE path = ?",
               (row["digest"], row["stat"], row["result"], mac, path))
    db.commit()
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
    # Signed with this machine's key (as if this machine had written it): the MAC
    # holds, and the row is still only data that ``decode`` rejects.
    _rewrite(cache, "./a.md", machine_key(str(project)), result=pickle.dumps(_Payload(str(marker))))
    found, err = _check(capsys, ".")
    assert found == plain and not marker.exists()
    assert err.count(WARNING) == 1 and "./a.md" in err
    # The row was computed again and stored as data: the next run is clean.
    assert decode("./a.md", _rows(cache)["./a.md"], len(RECORD), RULES) is not None
    assert _check(capsys, ".") == (plain, "")


def _crafted_layout(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE results_v6 (setup TEXT, path TEXT, digest BLOB, stat TEXT, result TEXT, mac BLOB)")
    db.execute("CREATE TRIGGER t AFTER INSERT ON results_v6 BEGIN DELETE FROM results_v6; END")
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
    _rewrite(cache, "./a.md", machine_key(str(project)), stat=stat_key(os.stat(path)))
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


# -- rows signed with the machine's key ----------------------------------------------------


def _machine() -> bytes:
    return machine_key("/nonexistent-root")


FORGERIES = {
    "another key": lambda row: row_mac(row_key(b"\1" * KEY_SIZE, *row[:2]), *row[2:]),
    "no MAC": lambda row: None,
    "a MAC of another row": lambda row: row_mac(row_key(_machine(), *row[:2]), "./b.md", *row[3:]),
    "a MAC of another setup": lambda row: row_mac(row_key(_machine(), row[0], "0" * 64), *row[2:]),
    # Layout 4's MAC (HMAC-SHA256 of the whole row) under the right key: not this layout's.
    "the previous layout's MAC": lambda row: sign(_machine(), *row),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_well_formed_row_is_not_trusted(project, capsys, forgery):
    plain, _ = _check(capsys, "--no-cache", ".")
    assert "./a.md" in {f["path"] for f in plain}
    cache = project / ".contentlint_cache"
    assert _check(capsys, ".") == (plain, "")
    # "No findings" for a.md, computed as contentlint computes rows: its real digest, a valid result.
    empty = encode(engine.FileResult("./a.md", [], {}, suppressions=[]))
    assert decode("./a.md", empty, len(RECORD), RULES) is not None
    db = sqlite3.connect(cache / "results.sqlite")
    setup, digest = db.execute("SELECT setup, digest FROM results_v6 WHERE path = './a.md'").fetchone()
    row = ("results_v6", setup, "./a.md", digest, None, empty)
    db.execute("UPDATE results_v6 SET stat = NULL, result = ?, mac = ? WHERE path = './a.md'",
               (empty, FORGERIES[forgery](row)))
    db.commit()
    db.close()
    found, err = _check(capsys, ".")
    assert found == plain
    assert err.count(FOREIGN) == 1 and err.count("contentlint: warning") == 1, err
    # Rebuilt: every row signed again, the next run quiet.
    assert len(_rows(cache)) == 3 and _check(capsys, ".") == (plain, "")


def test_the_same_row_signed_with_the_machine_key_is_served(project, capsys):
    # The control for the forgeries above: with the right key the row is trusted.
    plain, _ = _check(capsys, ".")
    empty = encode(engine.FileResult("./a.md", [], {}, suppressions=[]))
    _rewrite(project / ".contentlint_cache", "./a.md", machine_key(str(project)), stat=None, result=empty)
    found, err = _check(capsys, ".")
    assert err == "" and found == [f for f in plain if f["path"] != "./a.md"] != plain


def test_a_cache_from_another_machine_is_one_warning_and_rebuilt(project, capsys, monkeypatch, tmp_path_factory):
    plain, _ = _check(capsys, "--no-cache", ".")
    assert _check(capsys, ".") == (plain, "")
    mine = _rows(project / ".contentlint_cache")
    # The same folder on a machine with another key (a committed cache, checked out on CI).
    monkeypatch.setenv("CONTENTLINT_CACHE_KEY_FILE", str(tmp_path_factory.mktemp("ci") / "key"))
    found, err = _check(capsys, ".")
    assert found == plain
    assert err.count(FOREIGN) == 1 and err.count("contentlint: warning") == 1, err
    assert "not signed with this machine's key" in err
    assert _rows(project / ".contentlint_cache") == mine  # recomputed: the same results, signed anew
    assert _check(capsys, ".") == (plain, "")


def test_the_key_file_is_created_0600_outside_the_checkout(project, capsys, monkeypatch, tmp_path_factory):
    plain, _ = _check(capsys, "--no-cache", ".")
    home = tmp_path_factory.mktemp("home")
    monkeypatch.delenv("CONTENTLINT_CACHE_KEY_FILE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    assert _check(capsys, ".") == (plain, "")
    key = home / ".cache" / "contentlint" / "key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == KEY_SIZE
    assert key.parent.stat().st_mode & 0o777 == 0o700
    assert os.listdir(key.parent) == ["key"]  # no temp file left behind
    assert machine_key(str(project)) == key.read_bytes()
    # XDG_CACHE_HOME wins; a relative one is ignored (the XDG rule).
    xdg = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert machine_key(str(project)) == (xdg / "contentlint" / "key").read_bytes() != key.read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert machine_key(str(project)) == key.read_bytes()


@pytest.mark.parametrize("setting", ["XDG_CACHE_HOME", "CONTENTLINT_CACHE_KEY_FILE"])
def test_a_key_inside_the_checkout_is_refused(project, capsys, monkeypatch, setting):
    plain, _ = _check(capsys, "--no-cache", ".")
    monkeypatch.delenv("CONTENTLINT_CACHE_KEY_FILE")
    monkeypatch.setenv(setting, str(project / "keys" / "key") if setting.endswith("FILE") else str(project / "keys"))
    for _ in range(2):
        assert _check(capsys, ".") == (plain, "")
    assert machine_key(str(project)) is None
    # No key was made there, and no cache was used without one.
    assert not (project / "keys").exists() and not (project / ".contentlint_cache").exists()


def test_an_unusable_key_turns_the_cache_off(project, capsys, monkeypatch, key_file):
    plain, _ = _check(capsys, "--no-cache", ".")
    key_file.write_bytes(b"short")  # never a fallback to a guessable key
    assert _check(capsys, ".") == (plain, "")
    assert machine_key(str(project)) is None and not (project / ".contentlint_cache").exists()
    key_file.write_bytes(b"")
    assert machine_key(str(project)) is None
    # No key can be made (as in a read-only home: here a file stands where its folder would be).
    monkeypatch.setenv("CONTENTLINT_CACHE_KEY_FILE", str(key_file / "key"))
    assert _check(capsys, ".") == (plain, "") and not (project / ".contentlint_cache").exists()


def _first_key(barrier, queue) -> None:
    barrier.wait()
    queue.put(machine_key("/nonexistent-root"))


def test_concurrent_first_runs_agree_on_one_key(key_file):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for _ in range(5):  # a few rounds: the race window is short
        if key_file.exists():
            key_file.unlink()
        barrier, queue = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_first_key, args=(barrier, queue)) for _ in range(4)]
        for worker in workers:
            worker.start()
        keys = [queue.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join()
        assert len(set(keys)) == 1 and keys[0] == key_file.read_bytes() and len(keys[0]) == KEY_SIZE
        assert os.listdir(key_file.parent) == ["key"]


def test_a_symlinked_cache_folder_leading_out_of_the_checkout_is_refused(project, capsys, tmp_path_factory):
    plain, _ = _check(capsys, "--no-cache", ".")
    outside = tmp_path_factory.mktemp("outside")
    (project / ".contentlint_cache").symlink_to(outside, target_is_directory=True)
    for _ in range(2):
        found, err = _check(capsys, ".")
        assert found == plain
        assert err.count("contentlint: warning: ignoring cache folder") == 1 and "leads out of it" in err, err
    assert os.listdir(outside) == []
    # A real folder, and a --cache-dir the operator puts outside the checkout, are used.
    (project / ".contentlint_cache").unlink()
    assert _check(capsys, ".") == (plain, "") and (project / ".contentlint_cache" / "results.sqlite").is_file()
    assert _check(capsys, "--cache-dir", outside, ".") == (plain, "") and (outside / "results.sqlite").is_file()


@pytest.mark.parametrize("layout", ["symlink to the records", "config: the records", "config: the root",
                                    "a file", "another's database"])
def test_a_cache_folder_that_is_not_the_caches_is_never_written_into(layout, project, write, capsys):
    """The cache writes a `.gitignore` of `*` into its folder and replaces a
    damaged database: a committed `.contentlint_cache -> content` or
    `cache-dir = "content"` hid every record from the walk (a run passed
    with nothing checked) and deleted a database it did not write."""
    (project / "content").mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (project / name).rename(project / "content" / name)
    plain, _ = _check(capsys, "--no-cache", ".")
    assert len(plain) >= 2
    if layout == "symlink to the records":
        (project / ".contentlint_cache").symlink_to(project / "content", target_is_directory=True)
    elif layout == "config: the records":
        write("contentlint.toml", 'cache-dir = "content"\n')
    elif layout == "config: the root":
        write("contentlint.toml", 'cache-dir = "."\n')
    elif layout == "a file":
        write(".contentlint_cache", "not a folder\n")
    else:
        write(".contentlint_cache/results.sqlite", "precious data, not a database\n")
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    for _ in range(2):
        found, err = _check(capsys, ".")
        assert found == plain and err.count("contentlint: warning: ignoring cache folder") == 1, err
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before
    if layout == "another's database":
        assert (project / ".contentlint_cache" / "results.sqlite").read_text() == "precious data, not a database\n"
    # A folder of contentlint's own files (the machine key's, as --cache-dir) is the cache's,
    # and so is one whose mark a Windows run wrote with CRLF line ends.
    (project / "keys").mkdir()
    (project / "keys" / "key").write_bytes(b"k" * 32)
    assert _check(capsys, "--cache-dir", project / "keys", ".") == (plain, "")
    (project / "windows").mkdir()
    (project / "windows" / ".gitignore").write_bytes(b"# Created by contentlint\r\n*\r\n")
    (project / "windows" / "notes.txt").write_text("an old run's neighbour\n")
    assert _check(capsys, "--cache-dir", project / "windows", ".") == (plain, "")
    # An empty folder (made by the operator) is adopted, and the cache's own folder used again.
    (project / "fresh").mkdir()
    assert _check(capsys, "--cache-dir", project / "fresh", ".") == (plain, "")
    assert (project / "fresh" / ".gitignore").read_text() == "# Created by contentlint\n*\n"
    assert _check(capsys, "--cache-dir", project / "fresh", ".") == (plain, "")


# -- the metaschema check, once per schema digest ------------------------------------------


def _invalid_schema(write, name: str) -> bytes:
    """An invalid schema (minLength < 0) the compiled validator still runs; its own bytes per test
    (a pass is remembered per process)."""
    schema = {"$comment": name, "type": "object", "properties": {"title": {"minLength": -1}}}
    return write("s.json", json.dumps(schema)).read_bytes()


def _schema_fact(project: Path, key: bytes | None, schema: bytes) -> None:
    fact = f"schema {hashlib.sha256(schema).hexdigest()}"
    db = sqlite3.connect(project / ".contentlint_cache" / "results.sqlite")
    db.execute("INSERT OR REPLACE INTO facts_v6 VALUES (?, ?)", (fact, key and fact_mac(key, "facts_v6", fact)))
    db.commit()
    db.close()


@pytest.mark.parametrize("key", ["another key", "no MAC"])
def test_a_forged_schema_checked_row_does_not_skip_the_check(project, write, capsys, key):
    schema = _invalid_schema(write, f"forged, {key}")
    code, _, err = run_cli(["check", "--schema", "s.json", "."], capsys)
    assert code == 2 and "is not a valid JSON Schema" in err
    _schema_fact(project, b"\1" * KEY_SIZE if key == "another key" else None, schema)
    code, out, err = run_cli(["check", "--schema", "s.json", "."], capsys)
    assert code == 2 and "is not a valid JSON Schema" in err and out == ""
    assert FOREIGN in err


def test_a_schema_that_passed_is_not_checked_again(project, write, capsys):
    # The control for the forgeries: the same fact signed with the machine key skips the check.
    schema = _invalid_schema(write, "signed")
    assert run_cli(["check", "--schema", "s.json", "."], capsys)[0] == 2
    _schema_fact(project, machine_key(str(project)), schema)
    code, _, err = run_cli(["check", "--schema", "s.json", "."], capsys)
    assert code in (0, 1) and err == ""


_PROBE = """
import json, sys
from contentlint.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in ("jsonschema", "fastjsonschema") if m in sys.modules)]), file=sys.stderr)
"""


def _imports(*args) -> tuple[int, list[str]]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _PROBE, "check", "--format", "json", *args],
                          capture_output=True, text=True, cwd=os.getcwd(), env=os.environ)
    return tuple(json.loads(done.stderr.strip().splitlines()[-1]))


def test_warm_runs_and_the_shipped_schema_never_import_jsonschema(project, write, key_file):
    valid = sorted(os.listdir(SEEDS))[0]
    write("ok/valid.md", (SEEDS / valid).read_bytes())
    assert _imports("--no-cache", "--select", "CL1", "ok")[1] == ["fastjsonschema"]  # no metaschema check
    # The shipped schema is known by its bytes, not its path: a copy elsewhere is not
    # checked either, a copy one byte off is.
    shipped = Path(default_schema_path()).read_bytes()
    assert shipped == (REPO / "schemas" / "article.schema.json").read_bytes()  # the file test_schema_contract checks
    copy = write("copy.json", shipped)
    assert _imports("--no-cache", "--select", "CL1", "--schema", copy, "ok")[1] == ["fastjsonschema"]
    copy.write_bytes(shipped + b" ")
    assert _imports("--no-cache", "--select", "CL1", "--schema", copy, "ok")[1] == ["fastjsonschema", "jsonschema"]
    user = write("s.json", json.dumps({"type": "object", "properties": {"title": {"type": "string"}}}))
    first = _imports("--schema", user, "ok")
    assert first[1] == ["fastjsonschema", "jsonschema"]  # a new user schema: checked once
    assert _imports("--schema", user, "ok") == (first[0], [])  # warm: neither imported
    write("ok/other.md", (SEEDS / valid).read_bytes())
    assert _imports("--schema", user, "ok") == (first[0], ["fastjsonschema"])  # one new file


# -- the online cache ----------------------------------------------------------------------


def test_the_online_cache_rejects_a_forged_verdict_row(tmp_path, caplog):
    from contentlint.online.cache import OnlineCache, open_cache

    path = str(tmp_path / "online.sqlite3")
    key = machine_key(str(tmp_path / "checkout"))
    gone = {"url": "https://e.test/gone", "mode": "head", "hops": [{"url": "https://e.test/gone", "status": 404}]}
    cache = OnlineCache(path, key, clock=lambda: 1000.0)
    cache.put_many([("https://e.test/gone", "head", gone, 60.0)])
    keys = [("https://e.test/gone", "head"), ("https://e.test/b", "head")]
    assert cache.get_many(keys) == {keys[0]: gone}
    cache.close()
    # "Link OK", signed the way contentlint signs rows but with another machine's key.
    ok = json.dumps({**gone, "hops": [{"url": "https://e.test/gone", "status": 200}]}, separators=(",", ":"))
    row = ("online_probe", "https://e.test/gone", "head", ok, 1000.0, 1e12)
    for mac in (sign(b"\1" * KEY_SIZE, *row), b"", sign(key, *row[:3], ok + " ", *row[4:])):
        db = sqlite3.connect(path)
        db.execute("UPDATE online_probe SET payload = ?, stored = ?, expires = ?, mac = ?", (*row[3:], mac))
        db.commit()
        db.close()
        caplog.clear()
        cache = open_cache(path, clock=lambda: 1000.0)
        assert cache.get_many(keys) == {}
        assert [r.getMessage().split(" /")[0] for r in caplog.records] == ["ignoring online cache written elsewhere"]
        assert cache.get_many(keys) == {}  # emptied: nothing forged is left to read
        cache.close()
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM online_probe").fetchone() == (0,)
        cache = OnlineCache(path, key, clock=lambda: 1000.0)
        cache.put_many([("https://e.test/gone", "head", gone, 60.0)])
        cache.close()
    # The control: the same row signed with this machine's key is read.
    db = sqlite3.connect(path)
    db.execute("UPDATE online_probe SET payload = ?, stored = ?, expires = ?, mac = ?", (*row[3:], sign(key, *row)))
    db.commit()
    db.close()
    cache = open_cache(path, clock=lambda: 1000.0)
    assert cache.get_many(keys) == {keys[0]: json.loads(ok)}
    cache.close()


# -- where a checkout's config may put the caches ----------------------------------------


@pytest.mark.parametrize("config, key", [('cache-dir = "../elsewhere"\n', "cache-dir"),
                                         ('cache-dir = "/tmp/contentlint-elsewhere"\n', "cache-dir"),
                                         ('[online]\ncache-path = "../elsewhere/online.sqlite3"\n',
                                          "online.cache-path")], ids=["up", "absolute", "online"])
def test_a_config_cannot_put_a_cache_outside_the_checkout(project, write, capsys, config, key):
    write("contentlint.toml", config)
    settings = run_cli(["check", "--show-settings"], capsys)
    assert f"contentlint.toml: `{key}` is ignored: it leads out of the checkout" in settings[2]
    plain, _ = _check(capsys, "--no-cache", ".")
    found, err = _check(capsys, ".")
    assert found == plain and "`" + key + "` is ignored" in err
    assert not (project.parent / "elsewhere").exists() and not os.path.exists("/tmp/contentlint-elsewhere")
    assert (project / ".contentlint_cache" / "results.sqlite").is_file()  # the default place instead


def test_a_symlinked_online_cache_folder_leading_out_is_refused(project, write, capsys, tmp_path_factory):
    from contentlint import pipeline
    from contentlint.config import load_settings

    outside = tmp_path_factory.mktemp("outside")
    (project / "net").symlink_to(outside, target_is_directory=True)
    write("contentlint.toml", '[online]\ncache-path = "net/online.sqlite3"\n')
    plan = pipeline.prepare(load_settings(None, cwd=str(project)), online=True)
    assert plan.online.cache_path is None
    assert "ignoring network cache" in capsys.readouterr().err
    write("contentlint.toml", '[online]\ncache-path = "real/online.sqlite3"\n')
    plan = pipeline.prepare(load_settings(None, cwd=str(project)), online=True)
    assert plan.online.cache_path == str(project / "real" / "online.sqlite3")


def test_the_online_cache_never_opens_a_symlinked_database(tmp_path, caplog):
    from contentlint.online.cache import open_cache

    target = tmp_path / "elsewhere.sqlite3"
    (tmp_path / "online.sqlite3").symlink_to(target)
    assert open_cache(str(tmp_path / "online.sqlite3"), secret=b"k" * KEY_SIZE) is None
    assert not target.exists()
    assert "not a regular file" in caplog.text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["results.sqlite-journal", "results.sqlite-wal", "results.sqlite-shm"])
def test_a_fifo_beside_the_database_is_damage_not_a_hang(tmp_path, name):
    """SQLite opens its rollback journal, WAL and shared-memory files by name:
    a FIFO there would block open() for ever (SIGTERM too). Such a cache is
    rebuilt with a warning, and the run's output is a run without it."""
    import subprocess
    import sys

    (tmp_path / "a.md").write_text("\ufeff" + RECORD, encoding="utf-8")
    (tmp_path / ".contentlint_cache").mkdir()
    (tmp_path / ".contentlint_cache" / ".gitignore").write_text("# Created by contentlint\n*\n")  # looks like ours
    os.mkfifo(tmp_path / ".contentlint_cache" / name)
    done = subprocess.run([sys.executable, "-m", "contentlint", "check", "--select", "CL005", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.stdout.splitlines()[0] == "./a.md:1:1: warning: CL005 file starts with a UTF-8 byte order mark [*]"
    assert f"({name} is not a regular file); rebuilding it" in done.stderr, done.stderr


def test_a_cache_warning_escapes_the_folder_name(project, write, capsys):
    # `cache-dir` comes from the checkout's config: a line break and `::error`
    # in it forged a GitHub annotation on stderr, an ESC cleared the terminal.
    name = "c\n::error file=a.md,line=1::FORGED\n\x1b[2J"
    write("contentlint.toml", 'cache-dir = "c\\n::error file=a.md,line=1::FORGED\\n\\u001b[2J"\n')
    (project / name).mkdir()
    (project / name / ".gitignore").write_text("# Created by contentlint\n*\n")
    (project / name / "results.sqlite").write_text("not a database\n")
    found, err = _check(capsys, ".")
    assert err.splitlines() == [f"contentlint: warning: ignoring damaged cache {project}/c\\n::error file=a.md,"
                                "line=1::FORGED\\n\\x1b[2J/results.sqlite (file is not a database); rebuilding it"]
