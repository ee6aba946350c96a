"""The baseline: record today's findings, then report only new ones (docs/ci.md).

`check --write-baseline FILE` writes every reported finding's key;
`check --baseline FILE` (or `baseline = "FILE"` in the config) drops the
findings whose key is in it. A key survives edits elsewhere in the file,
moved lines and reordered files, because it holds no line number:

- ``path``: the file, relative to the baseline file's folder, with `/`;
- ``code``: the rule's code;
- ``key``: the data path of the value the finding starts in, without list
  indices (`related[].webUrl`; "" outside the data or when it does not parse);
- ``digest``: of the text of the line the finding starts on, without the
  indentation (not the message: messages name list indices and, for CL305,
  the other file as the command line gave it).

Entries form a multiset: one key may stand for several findings (`count`),
so two findings of one rule on one line are two, and a third is new.
A baseline entry that matches no finding of a checked file is *stale* (its
finding was fixed): counted in the summary; rewriting the baseline drops it.
CL010 (an internal error) is never recorded nor filtered: a bug never passes.

The file is data from the checkout: read with frontmatter.read's guards (a
regular file, at most 20 MiB), and a malformed one is a usage error naming
the file and the position (ConfigError: exit 2), never a traceback.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from contentlint import frontmatter
from contentlint.config import ConfigError
from contentlint.digests import sha256
from contentlint.model import INTERNAL_ERROR, Diagnostic

if TYPE_CHECKING:
    from contentlint.document import Document
# A run whose every key the cache holds imports neither the parser nor the
# engine for the baseline: document.py only to read a file again.

VERSION = 1
Key = tuple  # (path, code, key, digest)
_FIELDS = {"path", "code", "key", "digest", "count"}
# One key stands for the findings of one line: a count past this is forged
# (a 4,300-digit one ended the summary in a traceback).
MAX_COUNT = 1_000_000
_CODE = re.compile(r"[A-Z]+[0-9]+")
_DIGEST = re.compile(r"[0-9a-f]{16}")
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


class Baseline(NamedTuple):  # not a frozen dataclass: the warm run's path defines no dataclass
    path: str
    entries: Counter  # Key -> count

    @property
    def folder(self) -> str:
        return folder_of(self.path)


class Split(NamedTuple):
    new: list[Diagnostic]  # not in the baseline: reported
    known: int  # findings the baseline holds
    stale: int  # entries of checked files that matched no finding


def folder_of(baseline_path: str) -> str:
    return os.path.dirname(os.path.abspath(baseline_path))


def relative(path: str, folder: str) -> str:
    """``path`` relative to ``folder``, with `/` (how a baseline names files)."""
    try:
        rel = os.path.relpath(os.path.abspath(path), folder)
    except ValueError:  # another drive (Windows)
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")


class _Relative:
    """``relative`` for the many paths of a run: the working directory and
    the folder are resolved once (os.path.relpath resolves both again for
    each path, ~25 us: 60 ms for the corpus's files). A path outside the
    folder goes through ``relative`` itself."""

    def __init__(self, folder: str):
        self.cwd = os.getcwd()
        self.folder = os.path.abspath(folder)
        self.prefix = os.path.join(self.folder, "")

    def __call__(self, path: str) -> str:
        full = os.path.normpath(os.path.join(self.cwd, path))
        if full.startswith(self.prefix) and len(full) > len(self.prefix):
            return full[len(self.prefix):].replace(os.sep, "/")
        return relative(path, self.folder)


# -- keys ----------------------------------------------------------------------------------


def keys(diagnostics: Sequence[Diagnostic], folder: str, wanted: set[str] | None = None,
         known: dict | None = None) -> list[Key | None]:
    """The key of each finding (None: its file is not in ``wanted``, relative
    paths). ``known``: (path, line, column) -> the key's parts (``parts``),
    as the run found them beside each document (``pipeline.Outcome.keys``);
    a file with findings not in it is read once more, one at a time (the
    findings are grouped by path, as the pipeline sorts them)."""
    found: list[Key | None] = []
    relative_to = _Relative(folder)
    for path, group in itertools.groupby(diagnostics, key=lambda d: d.path):
        group = list(group)
        rel = relative_to(path)
        if wanted is not None and rel not in wanted:
            found.extend([None] * len(group))
            continue
        found.extend((rel, d.code, *p) for d, p in zip(group, _group_parts(path, group, known or {})))
    return found


def parts_for(diagnostics: Sequence[Diagnostic], known: dict,
              linted: dict[str, bytes]) -> tuple[list[tuple[str, str]], bool]:
    """``parts`` of each finding: from ``known`` (see ``keys``), else its
    file's text; and whether every file read again still had the bytes that
    were linted (``linted``: path -> cache.digest): parts from other bytes
    are right for this run's report only, never to keep."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    found, same = {}, [True]
    for path, group in by_path.items():
        found.update((id(d), p) for d, p in zip(group, _group_parts(path, group, known, linted.get(path), same)))
    return [found[id(d)] for d in diagnostics], same[0]


def _group_parts(path: str, group: list[Diagnostic], known: dict, linted: bytes | None = None,
                 same: list | None = None) -> list[tuple[str, str]]:
    """The parts of one file's findings; the file is read only when one is not
    known. ``same[0]`` becomes False when the bytes read are not ``linted``'s."""
    given = [known.get((path, d.start.line, d.start.column)) for d in group]
    if None in given:
        doc = _read(path)
        if same is not None:
            from contentlint.cache import digest

            same[0] = same[0] and doc is not None and linted is not None and digest(doc.raw) == linted
        where = _SpanIndex(doc) if doc is not None and doc.ok else None
        given = [p or parts(d, doc, where) for d, p in zip(group, given)]
    return given


def parts_at(doc: Document, positions) -> list[tuple[int, int, str, str]]:
    """(line, column, data path, digest) at each distinct (line, column) of
    ``positions``: where ``doc``'s findings start, found where the document
    is at hand (the step that linted it), so no run reads the file again."""
    positions = sorted(set(positions))
    where = _SpanIndex(doc) if doc.ok and positions else None
    return [(line, column, *_parts(line, column, doc, where)) for line, column in positions]


def _read(path: str) -> Document | None:
    from contentlint.document import load

    raw, _ = frontmatter.read(path)
    return None if raw is None else load(path, raw)


def key_of(d: Diagnostic, doc: Document | None, rel: str, where: _SpanIndex | None = None) -> Key:
    return (rel, d.code, *parts(d, doc, where))


def parts(d: Diagnostic, doc: Document | None, where: _SpanIndex | None = None) -> tuple[str, str]:
    """What a key holds besides the path and code: the data path at the
    finding's start and the digest of its line (both from the file's text)."""
    return _parts(d.start.line, d.start.column, doc, where)


def _parts(line: int, column: int, doc: Document | None, where: _SpanIndex | None) -> tuple[str, str]:
    line_text, data_path = "", ""
    if doc is not None and doc.text and 1 <= line <= len(doc.line_starts):
        start = doc.line_starts[line - 1]
        end = doc.line_span(start)[1]
        line_text = doc.text[start:end].strip().lstrip("\ufeff").strip()  # document.BOM
        if doc.ok:
            offset = start + column - 1 + (1 if line == 1 and doc.bom else 0)
            data_path = _render((where or _SpanIndex(doc)).deepest(min(offset, end)))
    digest = sha256(line_text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return data_path, digest


class _SpanIndex:
    """The deepest value (or key of a mapping entry) whose source holds an
    offset, for every finding of a file: a search over the document's spans
    sorted by start, then up through the parents. Spans nest (a value's span
    holds its children's, a key sits inside its mapping), so the last span to
    start at or before the offset holds it or is a descendant of the deepest
    one that does. Each span was tried for each finding before: a record with
    25,000 findings did not finish."""

    def __init__(self, doc: Document):
        self.spans = doc.spans
        # (start, depth, path, is key): at one start, the deepest last
        items = [(span.start, len(path), path, False) for path, span in self.spans.items()]
        items += [(span.key_start, len(path), path, True) for path, span in self.spans.items()
                  if span.key_start is not None]
        items.sort(key=lambda item: (item[0], item[1]))
        self.starts = [item[0] for item in items]
        self.items = items

    def _holds(self, path: tuple, offset: int) -> bool:
        span = self.spans[path]
        return span.start <= offset < span.end or span.start == offset or (
            span.key_start is not None and span.key_start <= offset < span.key_end)

    def deepest(self, offset: int) -> tuple:
        at = bisect.bisect_right(self.starts, offset) - 1
        best: tuple = ()
        while at >= 0:  # spans starting at the offset itself (empty ones) and the last before it
            start, depth, path, _ = self.items[at]
            if depth > len(best):
                while path and not self._holds(path, offset):  # up through the parents
                    path = path[:-1]
                if len(path) > len(best):
                    best = path
            if start < offset:
                break
            at -= 1
        return best


def _render(path: tuple) -> str:
    """`related[].webUrl`: names as written (quoted when not a plain name), indices dropped."""
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append("[]")
        elif _NAME.fullmatch(part):
            parts.append(("." if parts else "") + part)
        else:
            parts.append("[" + json.dumps(part, ensure_ascii=True) + "]")
    return "".join(parts)


# -- matching ------------------------------------------------------------------------------


def split(baseline: Baseline, diagnostics: Sequence[Diagnostic], checked: Iterable[str],
          given: dict | None = None) -> Split:
    """The findings not in ``baseline``, how many were, and its stale entries
    among the ``checked`` files (entries of files not in this run are not
    stale). ``given``: the key parts the run found (``keys``)."""
    remaining = Counter(baseline.entries)
    wanted = {key[0] for key in remaining}
    new, known = [], 0
    for d, key in zip(diagnostics, keys(diagnostics, baseline.folder, wanted, given)):
        if key is not None and d.code != INTERNAL_ERROR and remaining[key] > 0:
            remaining[key] -= 1
            known += 1
        else:
            new.append(d)
    relative_to = _Relative(baseline.folder)
    checked_paths = {relative_to(path) for path in checked}
    stale = sum(n for key, n in remaining.items() if n > 0 and key[0] in checked_paths)
    return Split(new, known, stale)


# -- the file ------------------------------------------------------------------------------


def render(baseline_path: str, diagnostics: Sequence[Diagnostic], given: dict | None = None) -> tuple[str, int]:
    """The baseline file's text for these findings (sorted, deterministic), and how many it records."""
    recorded = [d for d in diagnostics if d.code != INTERNAL_ERROR]
    counts = Counter(keys(sorted(recorded, key=lambda d: d.sort_key), folder_of(baseline_path), known=given))
    entries = [{"path": p, "code": c, "key": k, "digest": h, "count": n}
               for (p, c, k, h), n in sorted(counts.items())]
    # One entry a line, in key order: a rewrite's diff shows exactly the findings gone or added.
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=True) for e in entries)
    text = f'{{\n "version": {VERSION},\n "entries": [' + (f"\n{lines}\n ]" if entries else "]") + "\n}\n"
    return text, len(recorded)


def write(baseline_path: str, diagnostics: Sequence[Diagnostic], given: dict | None = None) -> int:
    """Write the baseline (a temporary file renamed over it: never half-written); how many findings it records."""
    import tempfile

    text, recorded = render(baseline_path, diagnostics, given)
    folder = folder_of(baseline_path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".contentlint-baseline-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, baseline_path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {baseline_path}: {exc.strerror or exc}") from None
    return recorded


def load_file(baseline_path: str) -> Baseline:
    """Read and check a baseline file; ConfigError (exit 2) names what is wrong and where."""
    raw, reason = frontmatter.read(baseline_path)
    if raw is None:
        if not os.path.lexists(baseline_path):
            reason = "no such file (write one with `contentlint check --write-baseline FILE`)"
        raise ConfigError(f"baseline {baseline_path}: {reason}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"baseline {baseline_path}: byte {exc.start + 1} is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline {baseline_path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError):  # a number of 5,000 digits, nesting past the stack
        raise ConfigError(f"baseline {baseline_path}: not valid JSON (a number too long or nesting too deep)") from None
    return Baseline(baseline_path, _entries(data, baseline_path))


def _entries(data, where: str) -> Counter:
    def fail(position: str, problem: str):
        raise ConfigError(f"baseline {where}: {position}: {problem}")

    if not isinstance(data, dict):
        fail("top level", "must be an object with `version` and `entries`")
    for name in data:
        if name not in ("version", "entries"):
            fail(_render((name,)), "unknown key")
    if type(data.get("version")) is not int or data["version"] != VERSION:
        fail("version", f"must be {VERSION} (this contentlint's baseline format)")
    entries = data.get("entries")
    if not isinstance(entries, list):
        fail("entries", "must be a list")
    counts: Counter = Counter()
    for index, entry in enumerate(entries):
        at = f"entries[{index}]"
        if not isinstance(entry, dict) or set(entry) != _FIELDS:
            fail(at, "must be an object with exactly " + ", ".join(f"`{f}`" for f in sorted(_FIELDS)))
        for name in ("path", "key"):
            if not isinstance(entry[name], str):
                fail(f"{at}.{name}", "must be a string")
        if not isinstance(entry["code"], str) or not _CODE.fullmatch(entry["code"]):
            fail(f"{at}.code", "must be a rule code such as CL200")
        if not isinstance(entry["digest"], str) or not _DIGEST.fullmatch(entry["digest"]):
            fail(f"{at}.digest", "must be 16 lowercase hex digits")
        if type(entry["count"]) is not int or not 1 <= entry["count"] <= MAX_COUNT:
            fail(f"{at}.count", f"must be a positive integer up to {MAX_COUNT:,}")
        counts[(entry["path"], entry["code"], entry["key"], entry["digest"])] += entry["count"]
    return counts
