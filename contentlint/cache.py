"""Result cache: a file's findings keyed by its content hash and the run's setup.

One SQLite file under `.contentlint_cache/` (or `--cache-dir`). A row is
(setup key, path) -> (content digest, stat key, result as JSON). The setup
key hashes everything that can change a result besides the file itself: the
tool version and its code (the package's own files), the enabled rules, the
effective settings and the schema's bytes, so a config, schema or tool change
can never serve a stale result. The path is part of the key because findings
carry it and per-file-ignores depend on it.

The cache folder sits in the checkout, where anyone who can open a pull
request can write it: it is data, never code. Every row carries a MAC
of its full content (``row_mac``; facts: ``mac``) under a key that lives
on the machine, not in the checkout (``machine_key``): a row this machine
did not write is not trusted, and a database whose rows do not verify (one
committed from another machine, or forged) is reported once and rebuilt. A row is plain
JSON, read back only through ``decode``, which checks every field (types,
known codes of this run, positions within the file's size) and turns
anything odd into a miss. A database that is not one, is damaged or has
another layout is reported once on stderr and rebuilt.

A re-run need not read an unchanged file: the stat key (size, mtime and
ctime in ns, inode), taken before the file was read, stands for the digest
when it still matches. Without kinds it is stored only for content that
starts like a record (pipeline.may_skip_reading), so a row whose stat key
matches also answers discovery's question without reading the file's head; a file
read again whose digest still matches gets its new stat key stored. The ctime changes on every write and cannot be set
back, so a same-size edit with a restored mtime (`cp -p`, `touch -d`) is
seen. The key is stored only when both times were more than RACY_NS older
than the read (git's "racy clean" rule): a file written again within the
same timestamp tick, with the same size, would otherwise look unchanged.

Concurrent runs are safe: WAL mode, a busy timeout, and any other SQLite
error (locked, disk full, read-only) turns the cache off for the run
instead of failing it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
import struct
import sys
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from contentlint import __version__
from contentlint.digests import blake2b
from contentlint.frontmatter import READ_FLAGS, head_of
from contentlint.model import Applicability, Diagnostic, Edit, Fix, FixEdit, Position, Severity

try:  # hmac.compare_digest is this function; hmac imports OpenSSL's binding too
    from _operator import _compare_digest as compare_digest
except ImportError:
    from hmac import compare_digest

if TYPE_CHECKING:  # engine and the rules are not imported by a run the cache serves whole
    import sqlite3

    from contentlint.engine import FileResult
    from contentlint.rules.suppressions import Suppression

SCHEMA_VERSION = 6
# How much older than its reading a file's times must be for its stat to be trusted.
RACY_NS = 2_000_000_000  # 2 s: coarser than any file system's timestamps (FAT: 2 s)
DB_NAME = "results.sqlite"
_TABLE = "results_v6"
_CREATE = (f"CREATE TABLE {_TABLE} (setup TEXT, path TEXT, digest BLOB, stat TEXT, result TEXT, mac BLOB, "
           "PRIMARY KEY (setup, path))")
# Signed facts: "this database was written with this machine's key", "this
# schema passed its metaschema check".
_FACTS = "facts_v6"
_CREATE_FACTS = f"CREATE TABLE {_FACTS} (fact TEXT PRIMARY KEY, mac BLOB)"
# Bounds on what the database keeps (resource bounds, not tunings): the rows
# of the 8 setups written most recently (a config, schema, rule selection
# or tool change is a new setup: the others would only grow the file), and
# per setup the 16 newest whole-run rows (one per set of files: pre-commit
# passes another set at every commit). Recency is SQLite's rowid: INSERT OR
# REPLACE gives a row a new, larger one.
SETUPS_KEPT = 8
RUNS_KEPT = 16
_RUN_PREFIX = "\0run\0"  # a whole-run row's path starts so (_run_slot)
_SETUP_FACT = "setup "  # + a setup key: the fact whose rowid says when that setup last wrote
# Everything the database may hold: the tables and their primary-key indexes
# (no other table, view or trigger).
_EXPECTED_OBJECTS = [("index", f"sqlite_autoindex_{_TABLE}_1", None), ("table", _TABLE, _CREATE),
                     ("index", f"sqlite_autoindex_{_FACTS}_1", None), ("table", _FACTS, _CREATE_FACTS)]
# Layouts 1 and 2 held pickled rows; layout 4 signed rows with HMAC-SHA256 (now keyed BLAKE2b: row_mac);
# layout 5 signed facts and derived row keys with HMAC-SHA256 (now keyed BLAKE2b: mac).
_OLD_TABLES = ("results", "results_v2", "results_v3", "results_v4", "facts_v4", "results_v5", "facts_v5")
KEY_FILE_ENV = "CONTENTLINT_CACHE_KEY_FILE"
KEY_SIZE = 32
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def cache_folder(settings) -> str:
    """`--cache-dir` / `cache-dir`, else `.contentlint_cache` beside the config file (or in the cwd)."""
    return settings.cache_dir or os.path.join(settings.root, ".contentlint_cache")


# The `.gitignore` the cache writes into its folder: also its mark of ownership.
_IGNORE_MARK = "# Created by contentlint\n*\n"
# A folder with no mark is adopted when it holds nothing, or only the machine
# key (its folder given as --cache-dir). A `results.sqlite` there may be
# another program's: the cache would replace it as damaged.
_OWN_NAMES = frozenset({"key"})


def not_a_cache_folder(folder: str) -> str | None:
    """Why ``folder`` cannot be the result cache's, or None. The cache writes
    a `.gitignore` of `*` there and deletes a damaged database: a committed
    symlink (`.contentlint_cache -> content`) or `cache-dir = "content"`
    would hide every record from the walk. So the folder is used only when
    it is absent, empty (or holds only the machine key), or holds the
    cache's own `.gitignore`; never through a symlink."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return str(exc)
    if stat.S_ISLNK(info.st_mode):
        return "it is a symlink"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    from contentlint.frontmatter import read_regular

    mark = read_regular(os.path.join(folder, ".gitignore"), len(_IGNORE_MARK) + 3)
    if mark is not None and mark.replace(b"\r\n", b"\n") == _IGNORE_MARK.encode():  # CRLF: an older Windows write
        return None
    try:  # empty, or only the machine key
        with os.scandir(folder) as entries:
            ours = all(entry.name in _OWN_NAMES for entry in entries)
    except OSError as exc:
        return str(exc)
    return None if ours else "it holds files the cache did not write (no contentlint .gitignore in it)"


def digest(raw: bytes) -> bytes:
    return blake2b(raw, digest_size=16).digest()


# engine.MAX_FILE_BYTES: a larger file is never linted, so never cached (tests hold the two equal).
MAX_HASHED_BYTES = 20 * 1024 * 1024


class Read(NamedTuple):
    digest: bytes
    head: bytes  # what frontmatter.read_head reads
    info: os.stat_result  # taken before reading
    size: int  # bytes read


def file_digest(path: str) -> Read | None:
    """The digest of a regular file's bytes, read and hashed slice by slice
    (memory stays flat); None when it cannot be read or is larger than any
    cached file. O_NONBLOCK: a FIFO named like a record must not block."""
    try:
        fd = os.open(path, READ_FLAGS)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
                return None
            hashed, head, size = blake2b(digest_size=16), b"", 0
            while size <= MAX_HASHED_BYTES:
                chunk = handle.read(1 << 20)
                if not chunk:
                    return Read(hashed.digest(), head, info, size)
                head = head or head_of(chunk)
                hashed.update(chunk)
                size += len(chunk)
            return None  # it grew past the limit while being read
    except OSError:
        return None


def stat_key(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def trusted_stat_key(info: os.stat_result | None, read_at_ns: int) -> str | None:
    """The stat key to store for a file read at ``read_at_ns``, or None when
    its mtime or ctime is too recent to rule out a second write in the same tick."""
    if info is None or max(info.st_mtime_ns, info.st_ctime_ns) > read_at_ns - RACY_NS:
        return None
    return stat_key(info)


@functools.lru_cache(maxsize=None)
def installed_code_identity() -> str:
    """``code_identity`` of the running package and its shipped schemas (once a process)."""
    return code_identity(_PACKAGE_DIR, shipped_schema_folder())


# The libraries whose answers a stored result holds: the YAML parsers'
# positions and errors, the schema validators' verdicts and messages, the
# format checkers (jsonschema's optional ones too: installing `fqdn` turns
# `format: hostname` on), ftfy's repairs, the globs that pick a file's kind.
_DEPENDENCIES = ("yaml", "_ruamel_yaml", "ruamel.yaml", "jsonschema", "jsonschema_specifications",
                 "fastjsonschema", "referencing", "rfc3339_validator", "rfc3986_validator", "ftfy", "pathspec",
                 "fqdn", "idna", "jsonpointer", "rfc3987", "rfc3987_syntax", "uri_template", "webcolors",
                 "isoduration")


@functools.lru_cache(maxsize=None)
def environment() -> str:
    """What else decides a result than the tool's own files: the Python
    release (its Unicode tables decide CL202's categories) and each
    dependency's installed main file (where, size, time: an upgrade or
    downgrade rewrites it). Found without importing them (~0.5 ms)."""
    import importlib.util
    import unicodedata

    parts = [sys.version, unicodedata.unidata_version, os.environ.get("CONTENTLINT_YAML", "")]
    for name in _DEPENDENCIES:
        try:
            spec = importlib.util.find_spec(name)
            info = os.stat(spec.origin) if spec is not None and spec.origin else None
        except (ImportError, ValueError, OSError):
            info = None
        parts.append(f"{name} {spec.origin} {info.st_size} {info.st_mtime_ns}" if info else f"{name} -")
    return "\n".join(parts)


def _working_folder() -> str:
    try:
        return os.getcwd()
    except OSError:  # removed under the run: no relative path names a file then
        return ""


def shipped_schema_folder() -> str:
    """The folder of validation.default_schema_path, found without importing
    validation (a run the cache serves whole imports no schema code)."""
    inside = os.path.join(_PACKAGE_DIR, "schemas")  # where a wheel puts them
    if os.path.isdir(inside):
        return inside
    import importlib.util  # an editable install maps the package's data folder elsewhere

    try:
        spec = importlib.util.find_spec("contentlint.schemas")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return os.path.abspath(list(spec.submodule_search_locations)[0])
    return os.path.join(os.path.dirname(_PACKAGE_DIR), "schemas")  # a source tree that is not installed


def code_identity(*folders: str) -> str:
    """A hash of the tool's own files (``*.py`` and ``*.json`` under ``folders``):
    an installation changed without a version bump must not be served the old
    messages. Their bytes, not their stat: ~70 small files, a few ms."""
    hashed = blake2b(digest_size=32)
    for folder in folders:
        for top, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(n for n in names if n.endswith((".py", ".json"))):
                path = os.path.join(top, name)
                with open(path, "rb") as handle:
                    data = handle.read()
                hashed.update(f"{os.path.relpath(path, folder)}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
                hashed.update(data)
    return hashed.hexdigest()


def setup_key(settings, rule_codes: Iterable[str], schema_path: str | None, code: str | None = None,
              keyed: bool = False) -> str:
    """``rule_codes``: the enabled rules' codes, or what selects them
    (pipeline.rule_key): with the package's files hashed in, the selection
    decides the rules. ``schema_path`` None: the shipped schema, whose bytes
    the code identity holds. ``keyed``: rows that hold each finding's
    baseline key parts (a run with a baseline), never mixed with rows without."""
    parts = [
        f"v{SCHEMA_VERSION}", __version__, code or installed_code_identity(), environment(),
        ",".join(sorted(rule_codes)),
        repr(sorted(settings.per_file_ignores.items())), repr(sorted(settings.rule_options.items())),
        # Rows are stored under the paths as this run names them, relative to
        # the working folder: `a.md` from a subfolder is another file.
        settings.root, _working_folder(), _file_hash(schema_path), _kinds_key(settings), "keyed" if keyed else "",
    ]
    return blake2b("\0".join(parts).encode("utf-8", "surrogateescape"), digest_size=32).hexdigest()


def _file_hash(path: str | None) -> str:
    """BLAKE2b-256 of a schema file's bytes (of b"" when there is none). One that
    cannot be read gets its own mark (loading it fails the run before any
    result is stored) instead of failing here."""
    if not path or not os.path.isfile(path):
        return blake2b(b"", digest_size=32).hexdigest()
    try:
        with open(path, "rb") as handle:
            return blake2b(handle.read(), digest_size=32).hexdigest()
    except OSError as exc:
        return f"unreadable {exc.errno}"


# -- the machine key: what makes a row this machine's ----------------------------------------


def key_file() -> str | None:
    """Where this machine's cache key lives: ``$CONTENTLINT_CACHE_KEY_FILE`` (set
    by the operator, never by a config file), else the user's cache folder."""
    override = os.environ.get(KEY_FILE_ENV)
    if override:
        return os.path.abspath(override)
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", "")
    else:  # XDG: a relative XDG_CACHE_HOME is to be ignored
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):
            base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "contentlint", "key") if os.path.isabs(base) else None


def machine_key(root: str) -> bytes | None:
    """The key that signs cache rows, created on first use; None (no cache this
    run, never a guessable key) when it cannot be read or created, or when it
    would lie inside ``root``, the checkout, where a pull request could commit it."""
    path = key_file()
    if path is None or within(path, root):
        return None
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        return None
    try:
        _create_key(path)
        return _read_key(path)
    except (OSError, ValueError):
        return None


def within(path: str, root: str) -> bool:
    """Whether ``path``, symlinks resolved, is ``root`` or inside it."""
    path, root = os.path.realpath(path), os.path.realpath(root)
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # another drive
        return False


def leads_out(folder: str, root: str) -> bool:
    """Whether ``folder`` is in the checkout by its path but outside it once
    symlinks are resolved (a symlinked cache folder a pull request committed)."""
    path, top = os.path.abspath(folder), os.path.abspath(root)
    try:
        in_checkout = os.path.commonpath([path, top]) == top
    except ValueError:
        return False
    return in_checkout and not within(path, top)


def _read_key(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        key = handle.read(KEY_SIZE + 1)
    if len(key) != KEY_SIZE:
        raise ValueError("not a key")
    return key


def _create_key(path: str) -> None:
    """Write a new random key to ``path`` unless one is there. The key is
    complete before it has the name (a 0600 temp file, O_CREAT|O_EXCL, then a
    hard link, which never replaces): concurrent first runs all read the one
    that got the name first."""
    import secrets
    import tempfile

    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".key-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_SIZE))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another run was first: its key is the key
    finally:
        os.unlink(temp)


def sign(key: bytes, *fields: Any) -> bytes:
    """HMAC-SHA256 of ``fields`` (str, bytes, float or None), each typed and
    length-prefixed: no two different rows have the same message. One call
    of ``hmac.digest`` (OpenSSL's one-shot, no Python HMAC object). The
    online cache's rows; ``results.sqlite`` uses ``mac``."""
    import hmac  # with hashlib's OpenSSL binding (~3 ms): not on a run the result cache serves

    return hmac.digest(key, _framed(*fields), "sha256")


def mac(key: bytes, *fields: Any) -> bytes:
    """Keyed BLAKE2b-256 of ``fields`` framed as ``sign`` frames them: the
    facts of ``results.sqlite`` and its row keys (``row_key``), without
    loading OpenSSL."""
    return blake2b(_framed(*fields), key=key, digest_size=32).digest()


def _framed(*fields: Any) -> bytes:
    """``fields`` each typed and length-prefixed; TypeError for another type."""
    parts = []
    for value in fields:
        if value is None:
            data = b"n"
        elif type(value) is str:
            data = b"s" + value.encode("utf-8", "surrogatepass")
        elif type(value) is bytes:
            data = b"b" + value
        elif type(value) is float:
            data = b"f" + repr(value).encode()
        else:
            raise TypeError(f"cannot sign a {type(value).__name__}")
        parts.append(len(data).to_bytes(8, "big"))
        parts.append(data)
    return b"".join(parts)


# A row's fields framed for row_mac: the lengths of path, digest, stat, text
# (-1: a NULL stat), then their bytes.
_ROW_FRAME = struct.Struct(">QQqQ")


def row_key(key: bytes, table: str, setup: str) -> bytes:
    """The key that signs the rows of one table and setup, derived from the
    machine key (``mac`` of the table and setup key): a row's MAC binds them
    without hashing them per row."""
    return mac(key, "row key", table, setup)


def row_mac(key: bytes, path: Any, file_digest: Any, file_stat: Any, text: Any) -> bytes | None:
    """Keyed BLAKE2b-256 (a MAC, RFC 7693) of a row under ``row_key``: one C
    call over its fields, each length-framed, so no two rows share a message.
    None when a field is of a type no SQLite value has here (``sign``'s)."""
    if type(path) is str and type(file_digest) is bytes and type(text) is str:
        path_bytes = path.encode("utf-8", "surrogatepass")
        text_bytes = text.encode("utf-8", "surrogatepass")
        if file_stat is None:
            stat_bytes, stat_length = b"", -1
        elif type(file_stat) is str:
            stat_bytes = file_stat.encode("utf-8", "surrogatepass")
            stat_length = len(stat_bytes)
        else:
            return _odd_row_mac(key, path, file_digest, file_stat, text)
        message = b"".join((_ROW_FRAME.pack(len(path_bytes), len(file_digest), stat_length, len(text_bytes)),
                            path_bytes, file_digest, stat_bytes, text_bytes))
        return blake2b(message, key=key).digest()
    return _odd_row_mac(key, path, file_digest, file_stat, text)


def _odd_row_mac(key: bytes, *fields: Any) -> bytes | None:
    """The MAC of a row whose fields are not of the types ``store`` writes
    (tests sign such rows to show they are still only data): ``sign``'s
    typed framing after a 0xFF byte, which no row of the usual types starts
    with (its first 8 bytes are a path's length)."""
    try:
        return blake2b(b"\xff" + _framed(*fields), key=key).digest()
    except TypeError:
        return None


def verify(key: bytes, stored: Any, *fields: Any, signer=sign) -> bool:
    """Whether ``stored`` (as stored: any type) is ``signer(key, *fields)``, in constant time."""
    try:
        return type(stored) is bytes and compare_digest(stored, signer(key, *fields))
    except TypeError:  # a stored field of a type contentlint never writes
        return False


def _kinds_key(settings) -> str:
    """The kinds (globs, selections, options) and the bytes of their schemas:
    a changed kind or kind schema makes every cached result stale."""
    parts = [repr([(k, sorted(k.rule_options.items())) for k in getattr(settings, "kinds", ())])]
    for kind in getattr(settings, "kinds", ()):
        if kind.schema and os.path.isfile(kind.schema):
            parts.append(_file_hash(kind.schema))
    return "\0".join(parts)


# -- rows: FileResult <-> JSON -------------------------------------------------------------


def encode(result: FileResult) -> str:
    """A FileResult as JSON (its path and error are not stored: the path is the
    row's key, and results with an error are never cached)."""
    return _ROW_JSON(encode_data(result))


# json.dumps with any argument builds a new encoder per call, a third of a
# small row's encoding (a row per file of a cold run).
_ROW_JSON = json.JSONEncoder(separators=(",", ":")).encode


def encode_data(result: FileResult) -> dict:
    """``encode``'s object before it is JSON text (shard files embed it: shard.py).
    ``k``, each finding's baseline key parts, only in a run with a baseline."""
    data = {
        "d": [_encode_diagnostic(d) for d in result.diagnostics],
        "f": {code: None if row is None else list(row) for code, row in result.facts.items()},
        "s": [[s.file_level, list(s.codes), s.line, list(s.comment), list(s.remove),
               [[offset, *_pos(p)] for offset, p in sorted(s.positions.items())], sorted(s.used)]
              for s in result.suppressions],
    }
    if result.keys is not None:
        data["k"] = [list(entry) for entry in result.keys]
    return data


def _encode_diagnostic(d: Diagnostic) -> list:
    return [d.code, _pos(d.start), _pos(d.end), d.message,
            None if d.fix is None else [d.fix.message, int(d.fix.applicability),
                                        [[e.start, e.end, e.content] for e in d.fix.edits]],
            [[_pos(e.start), _pos(e.end), e.content] for e in d.fix_edits]]


def _pos(position: Position) -> list[int]:
    return [position.line, position.column]


# How ``encode`` starts a result without findings (``d`` first, no spaces):
# a run the cache serves whole decodes no such row (``findings``).
NO_FINDINGS = '{"d":[],'


class _Bad(ValueError):
    """A stored value that is not what ``encode`` writes."""


def decode(path: str, text: Any, size: int, rules: dict) -> FileResult | None:
    """The FileResult a row stands for, or None when anything in it is odd.

    ``size`` is the file's size in bytes (positions and offsets lie within
    it: a character is at least one byte); ``rules`` are the run's enabled
    rules by code (no other code can be in a result of this setup).
    """
    try:
        if type(text) is not str:
            raise _Bad("not text")
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return decode_data(path, data, size, rules)


def decode_data(path: str, data: Any, size: int, rules: dict) -> FileResult | None:
    """``decode`` of the object ``json.loads`` gave (shard files embed it)."""
    from contentlint.engine import FileResult

    try:
        if type(data) is not dict or set(data) not in _RESULT_FIELDS:
            raise _Bad("not a result")
        diagnostics = [_diagnostic(path, item, size, rules) for item in _list(data["d"])]
        facts = _facts(data["f"], rules)
        suppressions = [_suppression(item, size) for item in _list(data["s"])]
        keys = _placed_keys(data["k"], size) if "k" in data else None
    except (ValueError, TypeError, RecursionError, struct.error):
        return None
    return FileResult(path, diagnostics, facts, suppressions=suppressions, keys=keys)


_RESULT_FIELDS = ({"d", "f", "s"}, {"d", "f", "s", "k"})
_KEY_DIGEST = re.compile(r"[0-9a-f]{16}")  # baseline.parts's line digest


def _keys(value: Any, count: int) -> list[tuple[str, str]]:
    """The whole-run findings' baseline key parts: one (data path, line digest) each."""
    return [_key_parts(*_list(item, 2)) for item in _list(value, count)]


def _placed_keys(value: Any, size: int) -> list[tuple[int, int, str, str]]:
    """A row's baseline key parts: (line, column, data path, line digest)
    where a finding of the file starts (baseline.parts_at)."""
    keys = []
    for item in _list(value):
        line, column, data_path, digest = _list(item, 4)
        keys.append((_int(line, 1, size + 1), _int(column, 1, size + 1), *_key_parts(data_path, digest)))
    return keys


def _key_parts(data_path: Any, digest: Any) -> tuple[str, str]:
    if type(data_path) is not str or type(digest) is not str or not _KEY_DIGEST.fullmatch(digest):
        raise _Bad("not a baseline key's parts")
    return data_path, digest


def findings(path: str, text: Any, size: int, rules: dict) -> tuple[list[Diagnostic], list | None] | None:
    """Only the findings of a row (``d``, checked as ``decode`` checks it) and
    their baseline key parts (``k``, None when the row has none), or None when
    they are odd: what a run the cache serves whole needs of a file (its facts
    and suppressions went into the stored whole-run findings)."""
    if type(text) is str and text.startswith(NO_FINDINGS):
        return [], None
    try:
        if type(text) is not str:
            raise _Bad("not text")
        data = json.loads(text)
        if type(data) is not dict or set(data) not in _RESULT_FIELDS:
            raise _Bad("not a result")
        found = [_diagnostic(path, item, size, rules) for item in _list(data["d"])]
        return found, _placed_keys(data["k"], size) if "k" in data else None
    except (ValueError, TypeError, RecursionError):
        return None


def _list(value: Any, length: int | None = None) -> list:
    if type(value) is not list or (length is not None and len(value) != length):
        raise _Bad("not a list")
    return value


def _int(value: Any, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:  # type(): a bool is not a number here
        raise _Bad("not an integer in range")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Bad("not a string")
    return value


_new = tuple.__new__  # a NamedTuple from checked values in one C call (its own __new__ is Python)


def _position(value: Any, size: int) -> Position:
    # _list and _int inlined: a warm run reads three positions per finding.
    if type(value) is list and len(value) == 2:
        line, column = value
        if type(line) is int and type(column) is int and 1 <= line <= size + 1 and 1 <= column <= size + 1:
            return _new(Position, value)
    raise _Bad("not a position in the file")


def _edit(value: Any, size: int) -> Edit:
    start, end, content = _list(value, 3)
    return Edit(*_span([start, end], size), _str(content))


def _fix_edit(value: Any, size: int) -> FixEdit:
    start, end, content = _list(value, 3)
    start, end = _position(start, size), _position(end, size)
    if end < start:  # (line, column) tuples: the reports read the lines between
        raise _Bad("an edit that ends before it starts")
    return FixEdit(start, end, _str(content))


def _span(value: Any, size: int) -> tuple[int, int]:
    start, end = _list(value, 2)
    return _int(start, 0, size), _int(end, start, size)


_MAX_APPLICABILITY = max(Applicability)


def _diagnostic(path: str, item: Any, size: int, rules: dict) -> Diagnostic:
    code, start, end, message, fix, fix_edits = _list(item, 6)
    rule = rules.get(code) if type(code) is str else None
    if rule is None:
        raise _Bad("a code this run does not have")
    start, end = _position(start, size), _position(end, size)
    if end < start:  # (line, column) tuples
        raise _Bad("span ends before it starts")
    if fix is not None:
        fix_message, applicability, edits = _list(fix, 3)
        fix = Fix(_str(fix_message), tuple(_edit(e, size) for e in _list(edits)),
                  Applicability(_int(applicability, 0, _MAX_APPLICABILITY)))
    fix_edits = () if fix_edits == [] else tuple(_fix_edit(e, size) for e in _list(fix_edits))
    if len(fix_edits) != (len(fix.edits) if fix is not None else 0):
        raise _Bad("fix edits do not match the fix")
    return _new(Diagnostic, (path, code, rule.name, rule.severity, start, end, _str(message), fix, fix_edits))


def _facts(value: Any, rules: dict) -> dict:
    from contentlint.wholerun import packed_format

    if type(value) is not dict:
        raise _Bad("facts are not a mapping")
    facts = {}
    for code, row in value.items():
        rule = rules.get(code)
        if rule is None or rule.facts is None:
            raise _Bad("facts of a rule that collects none")
        if row is not None:
            row = tuple(_list(row))
            if any(type(v) not in (int, float) for v in row):
                raise _Bad("a fact that is not a number")
            layout = struct.Struct(packed_format(rule.facts))
            if layout.unpack(layout.pack(*row)) != row:  # struct.error: wrong count or range
                raise _Bad("facts that do not fit the rule's row")
        facts[code] = row
    return facts


def _suppression(item: Any, size: int) -> Suppression:
    from contentlint.rules.suppressions import Suppression

    file_level, codes, line, comment, remove, positions, used = _list(item, 7)
    if type(file_level) is not bool:
        raise _Bad("not a boolean")
    codes = tuple(_str(c) for c in _list(codes))
    comment, remove = _span(comment, size), _span(remove, size)
    offsets = {}
    for entry in _list(positions):
        offset, line_number, column = _list(entry, 3)
        offsets[_int(offset, 0, size)] = _position([line_number, column], size)
    if set(offsets) != {*comment, *remove}:
        raise _Bad("positions are not those of the comment")
    used = {_str(c) for c in _list(used)}
    if not used <= set(codes):
        raise _Bad("a used code the suppression does not list")
    return Suppression(file_level, codes, _int(line, 1, size + 1), comment, remove, offsets, used)


# -- the database --------------------------------------------------------------------------


class _Damaged(Exception):
    """The database is not one, is corrupt, or holds something this version did not write."""

    label = "damaged cache"


class _Foreign(_Damaged):
    """The database, or a row of it, is not signed with this machine's key."""

    label = "cache written elsewhere"


class ResultCache:
    """``key`` is the setup key; ``secret`` the machine key that signs every row."""

    def __init__(self, folder: str, key: str, rules: Iterable = (), *, secret: bytes):
        global sqlite3  # every use of it is a ResultCache's: a --no-cache run opens none (~1.2 ms)
        import sqlite3

        self.key = key
        self.secret = secret
        self.folder = folder
        self._rules = rules  # looked at only when a row is decoded in full: a served run imports no rule
        self.db_path = os.path.join(folder, DB_NAME)
        self.db: sqlite3.Connection | None = None
        self.pending: list[tuple] = []
        self.warned = False
        self._open()

    def _open(self) -> None:
        try:
            self.db = self._connect()
        except _Damaged as exc:
            self._rebuild(exc)
        except (OSError, sqlite3.Error):
            self.db = None  # an unwritable or locked cache only costs speed

    def _connect(self) -> sqlite3.Connection:
        os.makedirs(self.folder, exist_ok=True)
        ignore = os.path.join(self.folder, ".gitignore")
        if not os.path.lexists(ignore):
            with open(ignore, "w", encoding="utf-8", newline="\n") as handle:  # the mark is read back byte for byte
                handle.write(_IGNORE_MARK)
        for name in _db_files(self.db_path):  # SQLite would write through a symlink
            try:
                if not stat.S_ISREG(os.lstat(name).st_mode):
                    raise _Damaged(f"{os.path.basename(name)} is not a regular file")
            except FileNotFoundError:
                pass
        db = sqlite3.connect(self.db_path, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            # No fsync, not even at the checkpoint when the run closes the cache
            # (~2 MB for a cold corpus run; tens to hundreds of ms of wall time
            # while other processes write): the cache is disposable. An OS crash
            # or power loss can lose recent rows or damage the file, and damage
            # is reported and rebuilt; a row that survives is still verified
            # against its MAC and its file's digest, so none is ever served wrong.
            # Set first: the mode switch of a new database syncs otherwise.
            db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA journal_mode=WAL")
            for old in _OLD_TABLES:
                db.execute(f"DROP TABLE IF EXISTS {old}")
            for create in (_CREATE, _CREATE_FACTS):
                db.execute(create.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
            found = sorted(db.execute("SELECT type, name, sql FROM sqlite_master"), key=repr)
            if found != sorted(_EXPECTED_OBJECTS, key=repr):
                raise _Damaged("it holds tables this version did not write")
            # A new database is marked as this machine's; another machine's mark is a foreign cache.
            db.execute(f"INSERT OR IGNORE INTO {_FACTS} VALUES ('key', ?)", (self._sign_fact("key"),))
            mark = db.execute(f"SELECT mac FROM {_FACTS} WHERE fact = 'key'").fetchone()
            if mark is None or not self._verify_fact("key", mark[0]):
                raise _Foreign("not signed with this machine's key")
        except sqlite3.Error as exc:
            db.close()
            if _is_damage(exc):
                raise _Damaged(str(exc)) from None
            raise
        except _Damaged:
            db.close()
            raise
        return db

    def _rebuild(self, why: _Damaged) -> None:
        """Warn (once a run), delete the database and start an empty one."""
        if self.db is not None:
            self.db.close()
            self.db = None
        if not self.warned:
            self.warned = True
            _warn(f"ignoring {why.label} {self.db_path} ({why}); rebuilding it")
        try:
            import shutil

            for name in _db_files(self.db_path):
                if os.path.isdir(name) and not os.path.islink(name):
                    shutil.rmtree(name)
                elif os.path.lexists(name):
                    os.unlink(name)
            self.db = self._connect()
        except (OSError, sqlite3.Error, _Damaged):
            self.db = None  # cannot rebuild here: no cache this run

    def _sign_fact(self, fact: str) -> bytes:
        return mac(self.secret, _FACTS, fact)

    def _verify_fact(self, fact: str, stored: Any) -> bool:
        return verify(self.secret, stored, _FACTS, fact, signer=mac)

    @functools.cached_property
    def row_key(self) -> bytes:
        """What signs this setup's rows: a row's MAC covers its table, the setup
        key (both through this key), the path and every stored value."""
        return row_key(self.secret, _TABLE, self.key)

    @staticmethod
    def _verified(mac: Any, path: Any, file_digest: Any, file_stat: Any, text: Any, key: bytes) -> bool:
        expected = row_mac(key, path, file_digest, file_stat, text)
        return expected is not None and type(mac) is bytes and compare_digest(mac, expected)

    @functools.cached_property
    def rules(self) -> dict:
        return {r.code: r for r in self._rules}

    def rows(self, paths: list[str]) -> dict[str, Row]:
        """{path: Row} of the cached ``paths``, as stored (``_cached`` compares
        them and ``result`` decodes them), each signed with this machine's
        key: one that is not means the database is not this machine's own,
        and it is rebuilt."""
        found: dict[str, Row] = {}
        paths = [path for path in paths if _storable(path)]
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            if not self._select(f"path IN ({','.join('?' * len(chunk))})", chunk, found):
                return {}
        return found

    def rows_under(self, folder: str) -> dict[str, Row]:
        """The rows of every path under ``folder`` as discovery writes them
        (``folder`` + separator + ...): one range of the primary key."""
        prefix = folder.rstrip(os.sep) + os.sep if folder.rstrip(os.sep) else os.sep
        found: dict[str, Row] = {}
        if not _storable(prefix):
            return found
        # Paths sort bytewise (UTF-8): those with the prefix lie in [prefix, prefix with its last byte + 1).
        ok = self._select("path >= ? AND path < ?", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)], found)
        return found if ok else {}

    def _select(self, where: str, params: list, found: dict) -> bool:
        """Add the verified rows of this setup matching ``where`` to ``found``;
        False when the cache was turned off or rebuilt on the way."""
        if self.db is None:
            return False
        key, verified, new_row = self.row_key, self._verified, tuple.__new__  # a warm run reads every row
        try:
            for path, file_digest, file_stat, text, mac in self.db.execute(
                    f"SELECT path, digest, stat, result, mac FROM {_TABLE} WHERE setup = ? AND {where}",
                    [self.key, *params]):
                if not verified(mac, path, file_digest, file_stat, text, key):
                    self._rebuild(_Foreign(f"a stored result of {path} is not signed with this machine's key"))
                    return False
                found[path] = new_row(Row, (file_digest, file_stat, text))  # Row(...) without its Python __new__
        except sqlite3.Error as exc:
            if _is_damage(exc):
                self._rebuild(_Damaged(str(exc)))
            else:
                self.db = None
            return False
        return True

    def result(self, path: str, text: Any, size: int):
        """The FileResult of a row, or None (and the warning) when it does not read back."""
        result = decode(path, text, size, self.rules)
        if result is None:
            self._damaged_row(path)
        return result

    def _damaged_row(self, path: str) -> None:
        if not self.warned:
            self.warned = True
            _warn(f"ignoring damaged cache {self.db_path} (a stored result of {path} does not read back); "
                  "checking the file again")

    def findings(self, path: str, text: Any, size: int, rules: dict) -> tuple[list[Diagnostic], list | None] | None:
        """``findings`` of a row, or None (and the warning) when they do not read back."""
        found = findings(path, text, size, rules)
        if found is None:
            self._damaged_row(path)
        return found

    def store(self, path: str, file_digest: bytes, file_stat: str | None, result) -> None:
        if self.db is None:
            return
        self._put(path, file_digest, file_stat, encode(result))

    def store_signed(self, path: str, file_digest: bytes, file_stat: str | None, text: str, mac: bytes) -> None:
        """``store`` of a row encoded and signed (``row_mac`` under ``row_key``) by a worker process."""
        if self.db is not None and _storable(path):
            self.pending.append((self.key, path, file_digest, file_stat, text, mac))
            if len(self.pending) >= 500:
                self.flush()

    def restat(self, path: str, row: Row, file_stat: str) -> None:
        """Store a new trusted stat key for a row whose content was read and
        found unchanged (after a `touch` or a checkout), so the next run need
        not read the file again."""
        if self.db is not None:
            self._put(path, row.digest, file_stat, row.text)

    def _put(self, path: str, file_digest: bytes, file_stat: str | None, text: str) -> None:
        mac = row_mac(self.row_key, path, file_digest, file_stat, text)
        self.store_signed(path, file_digest, file_stat, text, mac)

    # The whole-run stage's result: one row per set of files, keyed by their
    # paths, holding the digest of every (path, content digest) pair, the
    # run's rules (code, name, severity) and the settled whole-run findings.
    # The same files with the same contents and the same setup give the same
    # whole-run findings, so a run whose every file is unchanged is served
    # from it without the rules, the engine or any file's facts.

    def whole_run(self, files: list[str], digests: dict[str, bytes],
                  sizes: dict[str, int]) -> tuple[dict, list[Diagnostic], list | None] | None:
        """(the run's rules by code, its whole-run findings, their baseline key
        parts or None) stored for exactly ``files`` with these ``digests``, or
        None. ``sizes`` bound positions."""
        slot = _run_slot(files)
        row = self.rows([slot]).get(slot)
        if row is None or row.digest != _run_digest(files, digests):
            return None
        try:
            data = json.loads(_str(row.text))
            if type(data) is not dict or set(data) not in ({"r", "l"}, {"r", "l", "k"}):
                raise _Bad("not a whole-run result")
            rules = {}
            for entry in _list(data["r"]):
                code, name, severity = _list(entry, 3)
                rules[_str(code)] = RuleInfo(code, _str(name), Severity(_int(severity, min(Severity), max(Severity))))
            late = []
            for entry in _list(data["l"]):
                path, *item = _list(entry, 7)
                if type(path) is not str or path not in sizes:
                    raise _Bad("a finding of a file not in the run")
                late.append(_diagnostic(path, item, sizes[path], rules))
            keys = _keys(data["k"], len(late)) if "k" in data else None
        except (ValueError, TypeError, RecursionError):
            self._damaged_row("the run")
            return None
        return rules, late, keys

    def store_whole_run(self, files: list[str], digests: dict[str, bytes], rules, late: list[Diagnostic],
                        keys: list | None = None) -> None:
        """``keys``: the late findings' baseline key parts (a run with a baseline)."""
        if self.db is None:
            return
        data = {"r": [[r.code, r.name, int(r.severity)] for r in rules],
                "l": [[d.path, *_encode_diagnostic(d)] for d in late]}
        if keys is not None:
            data["k"] = [list(parts) for parts in keys]
        self._put(_run_slot(files), _run_digest(files, digests), None, _ROW_JSON(data))

    def flush(self) -> None:
        if self.db is None or not self.pending:
            return
        try:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany(f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?)", self.pending)
                self._prune(any(row[1].startswith(_RUN_PREFIX) for row in self.pending))
        except sqlite3.Error:
            pass
        self.pending.clear()

    def _prune(self, stored_a_run: bool) -> None:
        """Keep the database bounded (SETUPS_KEPT, RUNS_KEPT), in the
        transaction that writes: this setup becomes the newest, the rows of
        setups older than the kept ones go, and so do this setup's oldest
        whole-run rows. Only deletes: a planted row can make it drop rows
        (which whoever can write the file can do anyway), never serve one."""
        fact = _SETUP_FACT + self.key
        self.db.execute(f"INSERT OR REPLACE INTO {_FACTS} VALUES (?, ?)", (fact, self._sign_fact(fact)))
        old = self.db.execute(f"SELECT fact FROM {_FACTS} WHERE substr(fact, 1, ?) = ? "
                              "ORDER BY rowid DESC LIMIT -1 OFFSET ?",
                              (len(_SETUP_FACT), _SETUP_FACT, SETUPS_KEPT)).fetchall()
        for (setup_fact,) in old:
            if setup_fact == fact:  # never this run's own rows, however the rowids were planted
                continue
            self.db.execute(f"DELETE FROM {_TABLE} WHERE setup = ?", (setup_fact[len(_SETUP_FACT):],))
            self.db.execute(f"DELETE FROM {_FACTS} WHERE fact = ?", (setup_fact,))
        if stored_a_run:  # whole-run rows sort first among a setup's paths (a NUL starts them)
            runs = "setup = ? AND path >= ? AND path < ?"
            bounds = (self.key, _RUN_PREFIX, _RUN_PREFIX[:-1] + "\1")
            self.db.execute(f"DELETE FROM {_TABLE} WHERE {runs} AND rowid NOT IN "
                            f"(SELECT rowid FROM {_TABLE} WHERE {runs} ORDER BY rowid DESC LIMIT ?)",
                            bounds + bounds + (RUNS_KEPT,))

    # "Schema digest X passed its metaschema check" (schema.load_schema's verdicts).

    def schema_checked(self, schema_digest: str) -> bool:
        return self._has_fact(f"schema {schema_digest}")

    def remember_schema_checked(self, schema_digest: str) -> None:
        self._add_fact(f"schema {schema_digest}")

    def _has_fact(self, fact: str) -> bool:
        if self.db is None:
            return False
        try:
            row = self.db.execute(f"SELECT mac FROM {_FACTS} WHERE fact = ?", (fact,)).fetchone()
        except sqlite3.Error:
            return False
        if row is None:
            return False
        if not self._verify_fact(fact, row[0]):
            self._rebuild(_Foreign("a stored fact is not signed with this machine's key"))
            return False
        return True

    def _add_fact(self, fact: str) -> None:
        if self.db is None:
            return
        try:
            self.db.execute(f"INSERT OR REPLACE INTO {_FACTS} VALUES (?, ?)", (fact, self._sign_fact(fact)))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        self.flush()
        if self.db is not None:
            self.db.close()
            self.db = None


class Row(NamedTuple):
    """A stored row, verified, its values as stored (data: compared and decoded, never trusted by type)."""

    digest: Any
    stat: Any
    text: Any


class RuleInfo(NamedTuple):
    """What a finding needs of its rule, as a whole-run row stores it."""

    code: str
    name: str
    severity: Severity


def _storable(path: str) -> bool:
    """SQLite takes only UTF-8 text: a file name that is not (surrogate
    escapes) is checked every run, never cached."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _run_slot(files: list[str]) -> str:
    """The path of the whole-run row of ``files``: a NUL starts it, which no file's path holds."""
    joined = "\0".join(files).encode("utf-8", "surrogateescape") + b"\0"  # one hash call, not one a file
    return _RUN_PREFIX + blake2b(joined, digest_size=16).hexdigest()


def _run_digest(files: list[str], digests: dict[str, bytes]) -> bytes:
    joined = b"".join([path.encode("utf-8", "surrogateescape") + b"\0" + digests[path] for path in files])
    return blake2b(joined, digest_size=16).digest()


def _warn(message: str) -> None:
    """A warning on stderr; its paths come from the checkout or its config
    (`cache-dir = "c\n::error ..."`): escaped, as every printed name is."""
    from contentlint.report.escape import printable

    print(f"contentlint: warning: {printable(message)}", file=sys.stderr)


def _db_files(db_path: str) -> tuple[str, ...]:
    # -journal too: SQLite opens a rollback journal there (a FIFO there blocked the run).
    return db_path, f"{db_path}-wal", f"{db_path}-shm", f"{db_path}-journal"


def _is_damage(exc: sqlite3.Error) -> bool:
    """Not a database, or a corrupt one (SQLITE_NOTADB, SQLITE_CORRUPT: plain
    DatabaseError); locked, full or read-only (OperationalError) are not."""
    return type(exc) is sqlite3.DatabaseError
